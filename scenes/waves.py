"""Neuron waves: 49 neurons' activations over a resolve from noise into rectified waves, which read
as waves once a is put in clock order; two neurons of one frequency, plotted against each other,
trace a ring. For an operation that is addition in coordinates u (scenes/operation.py), clock order
sorts by k·u mod M: under mul, by k·log_g a, and the numbers' own order shows no comb at all."""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Axes,
    Dot,
    FadeIn,
    FadeOut,
    Rectangle,
    ValueTracker,
    VGroup,
    VMobject,
    Write,
    always_redraw,
    linear,
    smooth,
)

from frames import CLUSTER_THRESHOLD
from scenes import style
from scenes.helpers import get_epoch_at, get_interpolated
from scenes.loader import get_frames, not_shown, require_series
from scenes.narration import NarratedScene, count, percent
from scenes.operation import get_coordinate, get_group_tokens, get_spoken, is_own_order, require_relabelling

GRID_ROWS = 7
CELL_WIDTH, CELL_HEIGHT = 1.55, 0.88


def get_unit_height(values: np.ndarray) -> np.ndarray:
    """Each row scaled so its largest |value| is 1. Activations grow ~30x while the model memorises
    and shrink again in clean-up: a fixed scale would hide the shape at one end or the other."""
    peak = np.abs(values).max(axis=-1, keepdims=True)
    return values / np.where(peak > 0, peak, 1.0)


def get_centred_unit(values: np.ndarray) -> np.ndarray:
    """Each row minus its mean, scaled so its largest |value| is 1."""
    return get_unit_height(values - values.mean(axis=-1, keepdims=True))


def get_clock_slots(values: np.ndarray, k: int) -> np.ndarray:
    """[p] one neuron's values over a = 0..p-1 -> [p] the slot of each a on an axis in clock order.

    A frequency-k wave advances k/p of a cycle per step of a, so over a = 0..p-1 it is a comb of k
    crests. Sorted by k·a mod p (where a sits on the frequency-k clock) it advances 1/p per slot:
    one cycle across the axis, a single bump. The axis is a circle, so the clock is turned to put
    the crest mid-axis rather than split across the two ends."""
    p = len(values)
    clock = (k * np.arange(p)) % p  # [p] position on the clock, in 1/p turns
    first_harmonic = np.sum(values * np.exp(-2j * np.pi * clock / p))  # ~ (amplitude p / 2) e^(-i crest angle)
    crest = round(-np.angle(first_harmonic) * p / (2 * np.pi))
    return (clock - crest + p // 2) % p


def get_group_slots(values: np.ndarray, k: int, frames: dict) -> np.ndarray:
    """[p] one neuron's values over the numbers a -> [M] the clock slot (get_clock_slots over u) of each
    number of the group, the numbers in ascending order (those outside the group, 0 under mul, left out)."""
    tokens = get_group_tokens(frames, "a")  # [M] the number at each u
    slots = np.empty(len(values))
    slots[tokens] = get_clock_slots(values[tokens], k)
    return slots[frames["op_coord_a"] >= 0]


def get_wave(cell: Rectangle, values: np.ndarray, color, slots: np.ndarray | None = None) -> VMobject:
    """A polyline of values in [0, 1] inside cell, 0 at the bottom; value i sits at horizontal slot
    slots[i] (0..p-1, fractional while re-ordering; default i), joined in slot order."""
    slots = np.arange(len(values), dtype=float) if slots is None else np.asarray(slots, dtype=float)
    order = np.argsort(slots, kind="stable")
    left, bottom = cell.get_left()[0], cell.get_bottom()[1]
    xs = left + 0.05 + slots[order] / max(len(values) - 1, 1) * (cell.width - 0.1)
    ys = bottom + 0.05 + np.clip(values[order], 0, 1) * (cell.height - 0.1)
    wave = VMobject(stroke_color=color, stroke_width=1.6)
    wave.set_points_as_corners(np.stack([xs, ys, np.zeros_like(xs)], axis=1))
    return wave


def get_cells(n: int) -> VGroup:
    cells = VGroup(
        *[Rectangle(width=CELL_WIDTH, height=CELL_HEIGHT, stroke_color=style.GRID, stroke_width=1) for _ in range(n)]
    )
    return cells.arrange_in_grid(rows=GRID_ROWS, buff=0.06)


def get_frequency_legend(freqs: list[int], colors: dict) -> VGroup:
    entries = [
        VGroup(
            Rectangle(width=0.25, height=0.12, fill_color=colors[k], fill_opacity=1, stroke_width=0),
            style.text(f"k = {k}", style.SMALL_SIZE),
        ).arrange(RIGHT, buff=0.1)
        for k in freqs
    ]
    return VGroup(*entries).arrange(DOWN, aligned_edge=LEFT, buff=0.15)


class NeuronWaves(NarratedScene):
    @staticmethod
    def script(frames: dict) -> dict[str, str]:
        require_relabelling(frames, "waves")
        require_series(frames, "neurons turning from noise into waves over training")
        p, n_neurons = int(frames["p"]), len(frames["neuron_share"])
        keys = frames["key_freqs"].tolist()
        clustered = frames["neuron_share"] >= CLUSTER_THRESHOLD
        if not keys:  # the scene's story (noise, then combs, then waves) is not this run's
            not_shown(
                f"this run found no key frequency: {percent(clustered.mean())} of its neurons settled on one "
                "frequency, so no comb forms and no wave rises to show"
            )
        k = max(keys)  # the fastest comb
        group = np.flatnonzero(frames["op_coord_a"] >= 0)
        lines = {
            "grid": f"Inside the model we trained: each plot is one of {count(n_neurons)} neurons, firing as a runs "
            f"from {group[0]} to {group[-1]}, with b fixed at {int(frames['wave_b'])}.",
            "train": "At first, noise. Then a pattern: a comb of regular spikes.",
            "reorder": (
                f"The comb is a wave in disguise: a neuron of frequency {k} cycles {k} times as a runs to {p - 1}. "
                "Sort the numbers by their place on its clock, and the cycles fold into one bump."
            ),
            "replay": "Replay training in clock order: the waves rise out of the noise.",
        }
        if not is_own_order(frames, "a"):
            u, M = get_spoken(get_coordinate(frames, "a", "a")), int(frames["op_group_order"])
            lines["train"] = (
                "At first, noise. Then the neurons settle, though in the numbers' own order they still look scrambled."
            )
            lines["reorder"] = (
                f"They are waves of {u}, not of a. Sort the numbers by their place on a neuron's clock, "
                f"{k} times {u} mod {M} for frequency {k}, and each becomes one bump."
            )
        at_keys = int((clustered & np.isin(frames["neuron_freq"], keys)).sum())
        which = "always a key one" if at_keys == clustered.sum() else f"a key one for {count(at_keys)} of them"
        lines["share"] = (
            f"By the end, {count(clustered.sum())} of the {count(n_neurons)} neurons, {percent(clustered.mean())}, "
            f"have at least {percent(CLUSTER_THRESHOLD)} of their activity in one frequency, {which}."
        )
        return lines

    def construct(self):
        frames = get_frames()
        lines = self.script(frames)
        waves, epochs = frames["waves"], frames["checkpoint_epochs"]
        freqs = frames["neuron_freq"][frames["wave_neurons"]]
        keys = frames["key_freqs"].tolist()
        colors = style.frequency_colors(keys)
        b, M = int(frames["wave_b"]), int(frames["op_group_order"])
        group = np.flatnonzero(frames["op_coord_a"] >= 0)  # the numbers shown: the group's (0 aside under mul)
        waves = waves[:, :, group]
        natural = np.arange(len(group), dtype=float)
        clock_slots = [
            get_group_slots(frames["waves"][-1, i].astype(np.float64), int(k), frames) for i, k in enumerate(freqs)
        ]
        u = get_coordinate(frames, "a", "a")

        # Step 1: an empty grid of 49 neurons
        title = style.text(
            f"{len(freqs)} neurons: activation as a runs over {group[0]}..{group[-1]}, b = {b}", style.LABEL_SIZE
        ).to_edge(UP, buff=0.25)
        in_order = style.text(
            f"horizontal: a = {group[0]}, {group[1]}, {group[2]}, …, {group[-1]} in order",
            style.SMALL_SIZE,
            style.MUTED,
        )
        in_clock_order = style.text(
            f"horizontal: a in clock order, sorted by k·{u} mod {M} (k: the neuron's frequency), crest centred",
            style.SMALL_SIZE,
            style.MUTED,
        )
        for axis_note in (in_order, in_clock_order):
            axis_note.next_to(title, DOWN, buff=0.12)
        cells = get_cells(len(freqs)).next_to(in_order, DOWN, buff=0.2).to_edge(LEFT, buff=0.35)
        legend = get_frequency_legend(keys, colors)
        legend_title = style.text("frequency\nat the end", style.SMALL_SIZE, style.MUTED)
        note = style.text("each plot scaled\nto its own height", style.SMALL_SIZE, style.MUTED)
        side = (
            VGroup(legend_title, legend, note)
            .arrange(DOWN, aligned_edge=LEFT, buff=0.3)
            .next_to(cells, RIGHT, buff=0.3)
        )
        position, reorder = ValueTracker(0.0), ValueTracker(0.0)

        def grid():
            values = get_unit_height(get_interpolated(waves, position.get_value()))  # [G, p]
            t = reorder.get_value()
            return VGroup(
                *[
                    get_wave(
                        cell, values[i], colors.get(int(freqs[i]), style.MUTED), (1 - t) * natural + t * clock_slots[i]
                    )
                    for i, cell in enumerate(cells)
                ]
            )

        counter = always_redraw(
            lambda: style.text(
                f"epoch {get_epoch_at(epochs, position.get_value()):,}", style.LABEL_SIZE, style.HIGHLIGHT
            ).next_to(legend_title, UP, buff=0.4, aligned_edge=LEFT)
        )
        with self.narrate(lines["grid"]):
            self.play(Write(title), FadeIn(in_order), FadeIn(cells, lag_ratio=0.01), FadeIn(side), run_time=2)
            self.add(always_redraw(grid), counter)

        # Step 2: training runs, a in its own order: noise resolves into combs
        with self.narrate(lines["train"]):
            self.play(position.animate.set_value(len(epochs) - 1), run_time=5, rate_func=linear)

        # Step 3: the same values, a re-ordered around each neuron's clock: every comb is one bump
        with self.narrate(lines["reorder"]):
            self.play(FadeOut(in_order), run_time=0.5)
            self.play(reorder.animate.set_value(1.0), FadeIn(in_clock_order), run_time=4, rate_func=smooth)

        # Step 4: training again from epoch 0, in clock order: waves resolve from noise
        position.set_value(0.0)
        with self.narrate(lines["replay"]):
            self.play(position.animate.set_value(len(epochs) - 1), run_time=6, rate_func=linear)
        with self.narrate(lines["share"]):
            self.wait(1)


class NeuronRing(NarratedScene):
    @staticmethod
    def script(frames: dict) -> dict[str, str]:
        require_relabelling(frames, "ring")
        require_series(frames, "two neurons' dots spreading from a cloud into a ring over training")
        if not len(frames["key_freqs"]):
            not_shown("this run found no key frequency: its neurons did not become waves, so no pair traces a ring")
        first = int(frames["ring_neurons"][0])
        k = int(frames["neuron_freq"][first])
        keys = frames["key_freqs"].tolist()
        clustered = frames["neuron_share"] >= CLUSTER_THRESHOLD
        users = {key: int((clustered & (frames["neuron_freq"] == key)).sum()) for key in keys}
        most_used = (
            f", the one the model uses most ({count(users[k])} neurons),"
            if keys and users.get(k) == max(users.values())
            else ""
        )
        return {
            "pair": f"Now take two neurons that both run at frequency {k}{most_used} and plot one against the other: "
            "one dot for each number a" + (", 0 aside." if (frames["op_coord_a"] < 0).any() else "."),
            "train": "Early on the dots are a shapeless cloud. As the model learns, each neuron becomes a wave of the same frequency, "
            "out of step with the other, and the dots spread out into a ring.",
            "clock": "A cosine against a sine of the same angle: it is the clock again, this time inside the MLP, the model's layer of neurons.",
        }

    def construct(self):
        frames = get_frames()
        lines = self.script(frames)
        pre, epochs = frames["ring_pre"], frames["checkpoint_epochs"]
        first, second = (int(n) for n in frames["ring_neurons"])
        k = int(frames["neuron_freq"][first])
        p, M = int(frames["p"]), int(frames["op_group_order"])
        colors = style.rainbow(p)
        group = np.flatnonzero(frames["op_coord_a"] >= 0)  # one dot per number of the group (0 aside under mul)
        pre = pre[:, :, group]

        # Step 1: two neurons of frequency k, and a plane for them
        title = style.text(f"Two neurons of frequency {k}, one against the other", style.LABEL_SIZE).to_edge(
            UP, buff=0.3
        )
        axes = Axes(
            x_range=[-1.1, 1.1, 1],
            y_range=[-1.1, 1.1, 1],
            x_length=5.4,
            y_length=5.4,
            tips=False,
            axis_config={"color": style.MUTED, "include_ticks": False},
        )
        axes.next_to(title, DOWN, buff=0.3).to_edge(RIGHT, buff=0.8)
        x_label = (
            style.text(f"neuron {first}", style.SMALL_SIZE, style.MUTED)
            .next_to(axes, DOWN, buff=0.1)
            .align_to(axes, RIGHT)
        )
        y_label = (
            style.text(f"neuron {second}", style.SMALL_SIZE, style.MUTED)
            .next_to(axes.y_axis, RIGHT, buff=0.1)
            .align_to(axes, UP)
        )

        # Step 2: their waves on the left, a in the clock order of frequency k (shared, so their phases compare),
        # their joint plot on the right, through training
        position = ValueTracker(0.0)
        slots = get_group_slots(frames["ring_pre"][-1, 0].astype(np.float64), k, frames)  # [M]
        panels = VGroup(*[Rectangle(width=4.6, height=1.5, stroke_color=style.GRID, stroke_width=1) for _ in range(2)])
        panels.arrange(DOWN, buff=0.55).to_edge(LEFT, buff=0.7).shift(DOWN * 0.3)
        panel_labels = VGroup(
            *[
                style.text(f"neuron {n}", style.SMALL_SIZE, style.MUTED).next_to(
                    panel, UP, buff=0.08, aligned_edge=LEFT
                )
                for n, panel in zip((first, second), panels)
            ]
        )
        note = style.text(
            f"pre-activations over a (b = {int(frames['wave_b'])}), a in clock order\n"
            f"(sorted by {k}·{get_coordinate(frames, 'a', 'a')} mod {M}); centred, each scaled to fit;\ndots coloured by a",
            style.SMALL_SIZE,
            style.MUTED,
        ).next_to(panels, DOWN, buff=0.3, aligned_edge=LEFT)

        def current():
            return get_centred_unit(get_interpolated(pre, position.get_value()))  # [2, p]

        def waves():
            values = current()
            return VGroup(*[get_wave(panel, (values[i] + 1) / 2, style.TRAIN, slots) for i, panel in enumerate(panels)])

        def ring():
            values = current()
            return VGroup(
                *[Dot(axes.c2p(values[0, i], values[1, i]), radius=0.05, color=colors[a]) for i, a in enumerate(group)]
            )

        counter = always_redraw(
            lambda: style.text(
                f"epoch {get_epoch_at(epochs, position.get_value()):,}", style.LABEL_SIZE, style.HIGHLIGHT
            ).next_to(panel_labels[0], UP, buff=0.35, aligned_edge=LEFT)
        )
        with self.narrate(lines["pair"]):
            self.play(Write(title), FadeIn(axes), FadeIn(x_label), FadeIn(y_label), run_time=1.5)
            self.play(FadeIn(panels), FadeIn(panel_labels), FadeIn(note), run_time=1)
            self.add(always_redraw(waves), always_redraw(ring), counter)
        with self.narrate(lines["train"]):
            self.play(position.animate.set_value(len(epochs) - 1), run_time=10, rate_func=linear)
        with self.narrate(lines["clock"]):
            self.wait(1)
