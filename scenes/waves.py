"""Neuron waves: 49 neurons' activations over a resolve from noise into rectified waves, which read
as waves once a is put in clock order; two neurons of one frequency, plotted against each other,
trace a ring. For an operation that is addition in coordinates u (scenes/operation.py), clock order
sorts by k·u mod M: under mul, by k·log_g a, and the numbers' own order shows no comb at all."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Axes,
    Circle,
    DashedLine,
    Dot,
    FadeIn,
    FadeOut,
    Indicate,
    Line,
    Polygon,
    Rectangle,
    Transform,
    ValueTracker,
    VGroup,
    VMobject,
    Write,
    config,
    linear,
)

from frames import CLUSTER_THRESHOLD
from scenes import narration, style  # narration.Line: the name Line is manim's, drawing the ring's hand
from scenes.helpers import EDGE, get_epoch_at, get_interpolated, is_narrow, is_tall, redrawn
from scenes.loader import get_frames, not_shown, require_series
from scenes.narration import NarratedScene, count, percent, plural, say
from scenes.operation import get_coordinate, get_group_tokens, get_spoken, is_own_order, require_relabelling
from scenes.shapes import SHAPES

GRID_ROWS = 7
CELL_WIDTH, CELL_HEIGHT = 1.55, 0.88
CELL_GAP = 0.06
SHARE_SCALE = 0.44  # the grid's size beside the chart of every neuron's share, as a share of its own
SHARE_CHART_WIDTH, SHARE_CHART_HEIGHT = 4.6, 3.6
# A narrow frame (9:16 stacks the side panel under the grid, 1:1 keeps it beside):
TALL_CELL_HEIGHT = 0.95  # 9:16: the grid takes the frame's width, and its height leaves room for the panel under it
COUNTER_ROOM = 0.75  # the epoch counter over the legend's title
SHARE_TICK_ROOM = 0.8  # left of the chart of shares: its ticks


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


def get_wave(
    cell: Rectangle,
    values: np.ndarray,
    color,
    slots: np.ndarray | None = None,
    shown: float = np.inf,
    opacity: float = 1.0,
) -> VMobject:
    """A polyline of values in [0, 1] inside cell, 0 at the bottom; value i sits at horizontal slot
    slots[i] (0..p-1, fractional while re-ordering; default i), joined in slot order. Only the values at
    slots up to `shown` are drawn: a wave drawn as a runs."""
    slots = np.arange(len(values), dtype=float) if slots is None else np.asarray(slots, dtype=float)
    order = np.argsort(slots, kind="stable")
    order = order[slots[order] <= shown]
    left, bottom = cell.get_left()[0], cell.get_bottom()[1]
    xs = left + 0.05 + slots[order] / max(len(values) - 1, 1) * (cell.width - 0.1)
    ys = bottom + 0.05 + np.clip(values[order], 0, 1) * (cell.height - 0.1)
    points = np.stack([xs, ys, np.zeros_like(xs)], axis=1)
    if not len(points):  # nothing drawn yet: an invisible point, so a redrawn grid keeps its shape
        points, opacity = np.array([cell.get_corner(DOWN + LEFT)]), 0.0
    wave = VMobject(stroke_color=color, stroke_width=1.6, stroke_opacity=opacity)
    wave.set_points_as_corners(points if len(points) > 1 else np.repeat(points, 2, axis=0))
    return wave


def get_cells(n: int, width: float = CELL_WIDTH, height: float = CELL_HEIGHT) -> VGroup:
    cells = VGroup(*[Rectangle(width=width, height=height, stroke_color=style.GRID, stroke_width=1) for _ in range(n)])
    return cells.arrange_in_grid(rows=GRID_ROWS, buff=CELL_GAP)


def get_frequency_legend(freqs: list[int], colors: dict) -> VGroup:
    entries = [
        VGroup(
            Rectangle(width=0.25, height=0.12, fill_color=colors[k], fill_opacity=1, stroke_width=0),
            style.text(f"k = {k}", style.SMALL_SIZE),
        ).arrange(RIGHT, buff=0.1)
        for k in freqs
    ]
    return VGroup(*entries).arrange(DOWN, aligned_edge=LEFT, buff=0.15)


def get_share_blocks(freqs: np.ndarray, shares: np.ndarray, keys: list[int]) -> list[tuple[int | None, np.ndarray]]:
    """Every neuron's share of activity in its strongest frequency, in blocks to draw side by side: one per
    key frequency with neurons, then one (None) of the neurons whose strongest frequency is no key one; each
    block's shares largest first, so its clustered neurons lead."""
    blocks = [(int(k), np.sort(shares[freqs == k])[::-1]) for k in keys]
    rest = np.sort(shares[~np.isin(freqs, keys)])[::-1]
    return [(k, block) for k, block in blocks if len(block)] + ([(None, rest)] if len(rest) else [])


def get_step_area(axes: Axes, start: int, values: np.ndarray, color, opacity: float) -> Polygon:
    """values[i] as a column one neuron wide at x = start + i, filled down to 0."""
    xs = start + np.repeat(np.arange(len(values) + 1), 2)[1:-1]
    rim = [axes.c2p(x, v) for x, v in zip(xs, np.repeat(values, 2))]
    floor = [axes.c2p(start + len(values), 0), axes.c2p(start, 0)]
    return Polygon(*rim, *floor, stroke_width=0, fill_color=color, fill_opacity=opacity)


@dataclass
class ShareChart:
    frame: VGroup  # axes, ticks, titles and the threshold: drawn once
    filled: ValueTracker  # how many neurons have come in, left to right
    size: int  # neurons in all
    moving: VGroup  # the areas and the count, redrawn as neurons come in


def get_share_chart(
    frames: dict, keys: list[int], colors: dict, width: float = SHARE_CHART_WIDTH, height: float = SHARE_CHART_HEIGHT
) -> ShareChart:
    """All the model's neurons, each a column as tall as its share of activity in its strongest frequency,
    in blocks of that frequency (grey: a frequency no key one): solid at or above CLUSTER_THRESHOLD (clustered),
    faint below; with the count of clustered neurons so far."""
    shares, n = frames["neuron_share"].astype(np.float64), len(frames["neuron_share"])
    blocks = get_share_blocks(frames["neuron_freq"], shares, keys)
    starts = np.cumsum([0] + [len(block) for _, block in blocks])[:-1]  # [B] each block's first column
    axes = Axes(
        x_range=[0, n, n],
        y_range=[0, 1, 1],
        x_length=width,
        y_length=height,
        tips=False,
        axis_config={"color": style.MUTED, "include_ticks": False},
    )
    threshold = DashedLine(axes.c2p(0, CLUSTER_THRESHOLD), axes.c2p(n, CLUSTER_THRESHOLD), color=style.HIGHLIGHT)
    ticks = VGroup(
        style.text("0", style.TICK_SIZE, style.MUTED).next_to(axes.c2p(0, 0), LEFT, buff=0.1),
        style.text(percent(CLUSTER_THRESHOLD), style.TICK_SIZE, style.HIGHLIGHT).next_to(threshold, LEFT, buff=0.1),
        style.text("100 %", style.TICK_SIZE, style.MUTED).next_to(axes.c2p(0, 1), LEFT, buff=0.1),
    )
    heading = style.text(
        f"all {count(n)} neurons at the end:\neach one's share of activity\nin its strongest frequency",
        style.SMALL_SIZE,
        style.MUTED,
    ).next_to(axes, UP, buff=0.7)
    under = style.text("grouped by that frequency", style.SMALL_SIZE, style.MUTED).next_to(axes, DOWN, buff=0.15)
    filled = ValueTracker(0.0)
    texts = {}  # Text is slow to make (~50 ms): each distinct count is made once

    def areas():
        shown = VGroup()
        for start, (k, block) in zip(starts, blocks):
            visible = int(np.clip(filled.get_value() - start, 0, len(block)))
            clustered = min(int((block >= CLUSTER_THRESHOLD).sum()), visible)
            color = style.MUTED if k is None else colors[k]
            # every block always has both parts, empty until reached: a redrawn chart keeps its shape
            shown.add(get_step_area(axes, start, block[:clustered], color, 0.9))
            shown.add(get_step_area(axes, start + clustered, block[clustered:visible], color, 0.3))  # below: faint
        return shown

    def tally():
        upto = int(filled.get_value())
        so_far = sum(
            int((block[: max(upto - start, 0)] >= CLUSTER_THRESHOLD).sum()) for start, (_, block) in zip(starts, blocks)
        )
        content = f"{count(so_far)} of {count(n)} neurons, {percent(so_far / n)}"
        if content not in texts:
            texts[content] = style.text(content, style.LABEL_SIZE, style.HIGHLIGHT)
        return texts[content].copy().next_to(axes, UP, buff=0.12).align_to(axes, LEFT)

    return ShareChart(
        VGroup(axes, threshold, ticks, heading, under),
        filled,
        n,
        VGroup(redrawn(areas), redrawn(tally)),
    )


class NeuronWaves(NarratedScene):
    essential = ("grid", "share")  # the short cut: what a neuron's map is, and how many become waves
    shapes = tuple(SHAPES)

    @staticmethod
    def script(frames: dict) -> dict[str, narration.Line]:
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
            "grid": say(
                "Inside the model we trained: each plot is one of {n_neurons} neurons, firing as a runs from {first_a} "
                "to {last_a}, with b fixed at {fixed_b}.",
                n_neurons=count(n_neurons),
                first_a=int(group[0]),
                last_a=int(group[-1]),
                fixed_b=int(frames["wave_b"]),
            ),
            "train": say("At first, noise. Then a pattern: a comb of regular spikes."),
            "reorder": say(
                "The comb is a wave in disguise: a neuron of frequency {fastest_key_freq} cycles {fastest_key_freq} "
                "times as a runs to {largest_number}. Sort the numbers by their place on its clock, and the cycles "
                "fold into one bump.",
                fastest_key_freq=k,
                largest_number=p - 1,
            ),
            "replay": say("Replay training in clock order: the waves rise out of the noise."),
        }
        if not is_own_order(frames, "a"):
            lines["train"] = say(
                "At first, noise. Then the neurons settle, though in the numbers' own order they still look scrambled."
            )
            lines["reorder"] = say(
                "They are waves of {a_coordinate}, not of a. Sort the numbers by their place on a neuron's clock, "
                "{fastest_key_freq} times {a_coordinate} mod {group_order} for frequency {fastest_key_freq}, and "
                "each becomes one bump.",
                a_coordinate=get_spoken(get_coordinate(frames, "a", "a")),
                fastest_key_freq=k,
                group_order=int(frames["op_group_order"]),
            )
        at_keys = int((clustered & np.isin(frames["neuron_freq"], keys)).sum())
        share = {
            "n_clustered": count(clustered.sum()),
            "n_neurons": count(n_neurons),
            "clustered_share": percent(clustered.mean()),
            "cluster_threshold": percent(CLUSTER_THRESHOLD),
        }
        settled = (
            "By the end, {n_clustered} of the {n_neurons} neurons, {clustered_share}, have at least "
            "{cluster_threshold} of their activity in one frequency, "
        )
        lines["share"] = (
            say(settled + "always a key one.", **share)
            if at_keys == clustered.sum()
            else say(
                settled + "a key one for {n_clustered_at_keys} of them.", n_clustered_at_keys=count(at_keys), **share
            )
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
        k = max(keys)  # the frequency the reorder line names
        focus = freqs == k

        # Step 1: an empty grid of 49 neurons
        narrow, tall = is_narrow(), is_tall()
        wrap = "\n" if narrow else " "  # a long line wraps in a frame 8 units wide
        title = style.text(
            f"{len(freqs)} neurons: activation as a runs{wrap}over {group[0]}..{group[-1]}, b = {b}", style.LABEL_SIZE
        ).to_edge(UP, buff=0.25)
        in_order = style.text(
            f"horizontal: a = {group[0]}, {group[1]}, {group[2]}, …, {group[-1]} in order",
            style.SMALL_SIZE,
            style.MUTED,
        )
        in_clock_order = style.text(
            f"horizontal: a in clock order, sorted by k·{u} mod {M}{wrap}(k: the neuron's frequency), crest centred",
            style.SMALL_SIZE,
            style.MUTED,
        )
        for axis_note in (in_order, in_clock_order):
            axis_note.next_to(title, DOWN, buff=0.12)
        legend = get_frequency_legend(keys, colors)
        legend_title = style.text("frequency\nat the end", style.SMALL_SIZE, style.MUTED)
        note = style.text("each plot scaled\nto its own height", style.SMALL_SIZE, style.MUTED)
        side = VGroup(legend_title, legend, note).arrange(DOWN, aligned_edge=LEFT, buff=0.3)
        if not narrow:
            cells = get_cells(len(freqs)).next_to(in_order, DOWN, buff=0.2).to_edge(LEFT, buff=0.35)
        else:  # the grid fills the frame's width (in 1:1 less the side panel's), down to the margin or, in 9:16,
            # to the panel under it
            top = in_clock_order.get_bottom()[1] - 0.2  # under the longer of the axis notes
            width = config.frame_width - 2 * EDGE - (0 if tall else side.width + EDGE)
            columns = math.ceil(len(freqs) / GRID_ROWS)
            height = (
                TALL_CELL_HEIGHT if tall else (top + config.frame_height / 2 - EDGE + CELL_GAP) / GRID_ROWS - CELL_GAP
            )
            cells = get_cells(len(freqs), (width + CELL_GAP) / columns - CELL_GAP, height)
            cells.move_to([0, top, 0], aligned_edge=UP).to_edge(LEFT, buff=EDGE)
        if not tall:
            side.next_to(cells, RIGHT, buff=0.3)
        else:  # under the grid, the counter over the legend, the note beside them
            note.next_to(VGroup(legend_title, legend), RIGHT, buff=1.2, aligned_edge=UP)
            side.next_to(cells, DOWN, buff=0.3 + COUNTER_ROOM, aligned_edge=LEFT)
        # what the grid shows: the checkpoint, how far a has run, how far the focused neurons (frequency k) and
        # the rest are re-ordered, how far the rest are dimmed, and where a runs over the focused ones
        position, drawn = ValueTracker(0.0), ValueTracker(-1.0)
        reorder_focus, reorder_rest = ValueTracker(0.0), ValueTracker(0.0)
        dimmed, sweep = ValueTracker(0.0), ValueTracker(np.inf)

        def grid():
            values = get_unit_height(get_interpolated(waves, position.get_value()))  # [G, p]
            shown = VGroup()
            for i, cell in enumerate(cells):
                t = (reorder_focus if focus[i] else reorder_rest).get_value()
                slots = (1 - t) * natural + t * clock_slots[i]
                color = colors.get(int(freqs[i]), style.MUTED)
                # while a runs over a focused neuron, its wave so far is lit over all of it drawn faint; every cell
                # keeps both parts (the faint one empty otherwise), so the redrawn grid keeps its shape
                sweeping = focus[i] and np.isfinite(sweep.get_value())
                faint = get_wave(cell, values[i], color, slots, shown=np.inf if sweeping else -1, opacity=0.3)
                opacity = 1.0 if focus[i] else 1.0 - 0.75 * dimmed.get_value()
                upto = sweep.get_value() if sweeping else drawn.get_value()
                shown.add(VGroup(faint, get_wave(cell, values[i], color, slots, shown=upto, opacity=opacity)))
            return shown

        def counter_now():
            return style.text(
                f"epoch {get_epoch_at(epochs, position.get_value()):,}", style.LABEL_SIZE, style.HIGHLIGHT
            ).next_to(legend_title, UP, buff=0.4, aligned_edge=LEFT)

        counter = redrawn(counter_now)
        texts = {}  # Text is slow to make (~50 ms): each distinct string is made once

        def cached_text(content, color):
            if (content, color) not in texts:
                texts[content, color] = style.text(content, style.SMALL_SIZE, color)
            return texts[content, color].copy()

        def below_note(*rows: str, color) -> VGroup:
            """A counter under the side panel's note, a row per line."""
            shown = VGroup(*[cached_text(row, color) for row in rows]).arrange(DOWN, aligned_edge=LEFT, buff=0.08)
            return shown.next_to(note, DOWN, buff=0.4, aligned_edge=LEFT)

        def at(tracker: ValueTracker) -> int:
            """The index of the number a run has reached."""
            return int(np.clip(tracker.get_value(), 0, len(group) - 1))

        with self.narrate(lines["grid"]):
            # the grid, then every neuron's trace drawn as a runs from the first number to the last, a counted
            self.play(Write(title), FadeIn(in_order), FadeIn(cells, lag_ratio=0.01), FadeIn(side), run_time=2)
            running = redrawn(lambda: below_note(f"a = {group[at(drawn)]}", color=style.HIGHLIGHT))
            self.add(redrawn(grid), counter, running)
            self.play(drawn.animate.set_value(len(group) - 1), run_time=self.line_end - self.time, rate_func=linear)
            self.remove(running)

        # Step 2: training runs, a in its own order: noise resolves into combs
        with self.narrate(lines["train"]):
            self.play(position.animate.set_value(len(epochs) - 1), run_time=5, rate_func=linear)

        # Step 3: the same values, a re-ordered around each neuron's clock: every comb is one bump. First the
        # neurons of frequency k alone, as the line names them: their cycles counted as a runs, then their sort;
        # then every other neuron, each around its own clock
        dim_others = dimmed.animate.set_value(1.0).build()
        sort_focus = [reorder_focus.animate.set_value(1.0).build(), FadeOut(in_order), FadeIn(in_clock_order)]
        sort_rest = [reorder_rest.animate.set_value(1.0).build(), dimmed.animate.set_value(0.0).build()]
        with self.narrate(lines["reorder"]):
            if not is_own_order(frames, "a"):  # no comb of k cycles over a to count: a is not u
                self.paced(dim_others, sort_focus, sort_rest)
            else:

                def cycles_so_far():
                    a = at(sweep)
                    return below_note(f"a = {group[a]}", plural(k * (a + 1) // len(group), "cycle"), color=colors[k])

                sweep.set_value(0.0)
                cycles = redrawn(cycles_so_far)
                self.paced(
                    [dim_others, FadeIn(cycles)],
                    sweep.animate(rate_func=linear, run_time=(self.line_end - self.time) / 4)
                    .set_value(len(group) - 1)
                    .build(),
                    [*sort_focus, FadeOut(cycles)],
                    sort_rest,
                )
                sweep.set_value(np.inf)
                self.remove(cycles)

        # Step 4: training again from epoch 0, in clock order: waves resolve from noise
        position.set_value(0.0)
        with self.narrate(lines["replay"]):
            self.play(position.animate.set_value(len(epochs) - 1), run_time=6, rate_func=linear)

        # Step 5: beyond the 49: every neuron's share of activity in its strongest frequency, counted as it
        # comes in, block by block of frequency; the grid steps aside to make room (in 9:16 the grid, small, and
        # the side panel, now a column, over the chart; in 1:1 the chart in the grid's place, the grid small under
        # the panel)
        if not narrow:
            chart = get_share_chart(frames, keys, colors)
        else:
            chart_width = (config.frame_width - 2 * EDGE if tall else cells.width) - SHARE_TICK_ROOM
            chart = get_share_chart(frames, keys, colors, width=chart_width)
        panel = VGroup(counter_now(), side.copy())  # the side panel with its epoch counter, as it will stand
        if not narrow:
            small = cells.copy().scale(SHARE_SCALE)
            beside = VGroup(small, chart.frame, panel).arrange(RIGHT, buff=0.4)
            beside.move_to(cells).align_to(cells, LEFT)  # in the grid's place, centred on it
        elif tall:
            panel[1].arrange(DOWN, aligned_edge=LEFT, buff=0.3)  # a column, as in 16:9, beside the small grid
            panel[0].next_to(panel[1], UP, buff=0.4, aligned_edge=LEFT)  # the counter, as counter_now places it
            small = cells.copy().scale(panel.height / cells.height)
            over = VGroup(small, panel).arrange(RIGHT, buff=0.4, aligned_edge=UP)
            VGroup(over, chart.frame).arrange(DOWN, buff=0.4).move_to(cells).align_to(cells, UP)
        else:  # the panel rises to the grid's top to leave the small grid room under it
            panel.align_to(cells, UP)
            room = panel.get_bottom()[1] - 0.3 + config.frame_height / 2 - EDGE
            small = cells.copy().scale(room / cells.height).next_to(panel, DOWN, buff=0.3, aligned_edge=LEFT)
            chart.frame.move_to(cells).align_to(cells, LEFT)
        chart.moving.update()  # drawn on the axes where they now stand
        with self.narrate(lines["share"]) as seconds:
            self.paced(
                [
                    cells.animate.replace(small).build(),
                    Transform(side, panel[1]) if tall else side.animate.move_to(panel[1]).build(),
                ],
                [FadeIn(chart.moving), FadeIn(chart.frame)],  # the threshold over the areas
                chart.filled.animate(rate_func=linear, run_time=seconds / 4).set_value(chart.size).build(),
                Indicate(legend, color=style.HIGHLIGHT, scale_factor=1.1),
            )


class NeuronRing(NarratedScene):
    @staticmethod
    def script(frames: dict) -> dict[str, narration.Line]:
        require_relabelling(frames, "ring")
        require_series(frames, "two neurons' dots spreading from a cloud into a ring over training")
        if not len(frames["key_freqs"]):
            not_shown("this run found no key frequency: its neurons did not become waves, so no pair traces a ring")
        first = int(frames["ring_neurons"][0])
        k = int(frames["neuron_freq"][first])
        keys = frames["key_freqs"].tolist()
        clustered = frames["neuron_share"] >= CLUSTER_THRESHOLD
        users = {key: int((clustered & (frames["neuron_freq"] == key)).sum()) for key in keys}
        most_used = bool(keys) and users.get(k) == max(users.values())
        # the line's clauses join its sentence without a space, so they are pieces of one template
        pair = (
            "Now take two neurons that both run at frequency {ring_freq}"
            + (", the one the model uses most ({n_ring_freq_neurons} neurons)," if most_used else "")
            + " and plot one against the other: one dot for each number a"
            + (", 0 aside." if (frames["op_coord_a"] < 0).any() else ".")
        )
        return {
            "pair": say(pair, ring_freq=k, **({"n_ring_freq_neurons": count(users[k])} if most_used else {})),
            "train": say(
                "Early on the dots are a shapeless cloud. As the model learns, each neuron becomes a wave of the same "
                "frequency, out of step with the other, and the dots spread out into a ring."
            ),
            "clock": say(
                "A cosine against a sine of the same angle: it is the clock again, this time inside the MLP, the "
                "model's layer of neurons."
            ),
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

        # what is drawn: the checkpoint, the clock slots drawn so far in the waves and in the plane (the first line
        # draws the waves, then the dots, slot by slot), and the slot under the clock's hand (the last line turns it)
        traced, drawn, turned = ValueTracker(-1.0), ValueTracker(-1.0), ValueTracker(-1.0)
        order = np.argsort(slots, kind="stable")  # [M] index into the group of each slot, left to right

        def current():
            return get_centred_unit(get_interpolated(pre, position.get_value()))  # [2, M]

        def waves():
            values = current()
            return VGroup(
                *[
                    get_wave(panel, (values[i] + 1) / 2, style.TRAIN, slots, shown=traced.get_value())
                    for i, panel in enumerate(panels)
                ]
            )

        def ring():
            values = current()
            return VGroup(
                *[
                    Dot(
                        axes.c2p(values[0, i], values[1, i]),
                        radius=0.05,
                        color=colors[a],
                        fill_opacity=float(slots[i] <= drawn.get_value()),  # one dot per number so far
                    )
                    for i, a in enumerate(group)
                ]
            )

        def marker(slot: float) -> VGroup:
            """The number at clock slot `slot`: a band over it in both waves, a ring round its dot."""
            slot = float(np.clip(slot, 0, len(order) - 1))
            index = order[round(slot)]
            values = current()
            bands = [
                Rectangle(
                    width=panel.width / len(order),
                    height=panel.height,
                    stroke_width=0,
                    fill_color=style.HIGHLIGHT,
                    fill_opacity=0.35,
                ).move_to(panel.get_left() + RIGHT * (0.05 + slot / max(len(order) - 1, 1) * (panel.width - 0.1)))
                for panel in panels
            ]
            around = Circle(radius=0.13, color=style.HIGHLIGHT, stroke_width=3).move_to(
                axes.c2p(values[0, index], values[1, index])
            )
            return VGroup(*bands, around)

        def passed() -> list:
            """The dots the clock's hand has passed, in clock order, up to the one at slot `turned`."""
            values = current()
            return [axes.c2p(values[0, i], values[1, i]) for i in order[: int(turned.get_value()) + 1]]

        def fan():
            """The turn swept so far, filled in behind the dots."""
            return Polygon(axes.c2p(0, 0), *passed(), stroke_width=0, fill_color=style.HIGHLIGHT, fill_opacity=0.25)

        def hand():
            return VGroup(
                Line(axes.c2p(0, 0), passed()[-1], color=style.HIGHLIGHT, stroke_width=5), marker(turned.get_value())
            )

        counter = redrawn(
            lambda: style.text(
                f"epoch {get_epoch_at(epochs, position.get_value()):,}", style.LABEL_SIZE, style.HIGHLIGHT
            ).next_to(panel_labels[0], UP, buff=0.35, aligned_edge=LEFT)
        )
        # Step 3: as the line says it, the two neurons' waves drawn, then one dot for each number: a runs along both
        # waves in clock order, and the dot at (first neuron, second neuron) appears; then training, and the dots
        # spread into a ring
        with self.narrate(lines["pair"]) as seconds:
            cursor = redrawn(lambda: marker(drawn.get_value()))
            self.add(redrawn(waves), redrawn(ring))
            self.paced(
                [Write(title), FadeIn(panels), FadeIn(panel_labels), FadeIn(note), FadeIn(counter)],
                traced.animate(rate_func=linear, run_time=seconds / 4).set_value(len(order) - 1).build(),
                [FadeIn(axes), FadeIn(x_label), FadeIn(y_label), FadeIn(cursor)],
                drawn.animate(rate_func=linear, run_time=seconds / 4).set_value(len(order) - 1).build(),
            )
            self.remove(cursor)
        with self.narrate(lines["train"]) as seconds:
            self.play(position.animate.set_value(len(epochs) - 1), run_time=seconds, rate_func=linear)

        # Step 4: the same angle turns both: the hand goes once round the ring in clock order while the band runs
        # along both waves, and the turn it has swept fills in
        with self.narrate(lines["clock"]) as seconds:
            turned.set_value(0.0)
            swept, pointer = redrawn(fan), redrawn(hand)
            self.add(pointer)
            self.bring_to_back(swept)  # behind the axes and the dots
            self.play(turned.animate.set_value(len(order) - 1), run_time=0.7 * seconds, rate_func=linear)
            for part in (swept, pointer):
                part.clear_updaters()
            self.play(FadeOut(swept), FadeOut(pointer), run_time=max(0.5, 0.3 * seconds - 0.5))
