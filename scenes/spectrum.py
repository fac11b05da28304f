"""Sparsity in Fourier space: the embedding W_E, written as waves over the numbers, goes from a flat
spread over every frequency to a few spikes at the key frequencies; its Gini coefficient rises."""

from __future__ import annotations

import math

import numpy as np
from manim import (
    DOWN,
    LEFT,
    ORIGIN,
    RIGHT,
    UP,
    Axes,
    Circumscribe,
    Dot,
    FadeIn,
    FadeOut,
    GrowFromEdge,
    Indicate,
    Polygon,
    Rectangle,
    ValueTracker,
    VGroup,
    VMobject,
    Write,
    config,
    linear,
)

from scenes import style
from scenes.helpers import EDGE, get_epoch_at, get_interpolated, is_narrow, is_tall, redrawn
from scenes.loader import get_frames, require_series
from scenes.narration import Line, NarratedScene, count, get_said_at, joined, percent, say
from scenes.operation import get_coordinate, get_spoken, is_own_order, require_relabelling
from scenes.shapes import SHAPES

CHART_WIDTH, CHART_HEIGHT = 9.4, 4.4
BAR_FILL = 0.75  # share of each frequency's slot the bar covers
SPIKE_FRACTION = 0.25  # a bar this share of the tallest, at the end, is a spike worth labelling...
SPIKE_OVER_MEDIAN = 4.0  # ...if it also stands this many times above the median bar
BAR_OPACITY, DIMMED_BAR = 0.95, 0.2  # a bar lit, and one held back while others are named
COLUMN_WIDTH = 0.9  # the columns of shares that take the Gini's place
COLUMN_FILL = 0.8  # lighter than the bars: a summary beside the chart, not more bars
# A narrow frame (9:16 stacks the Gini panel under the chart, 1:1 keeps it beside in a thinner column):
Y_TICK_BUFF, Y_TITLE_BUFF = 0.12, 0.15  # left of the chart: its y ticks, then its y title
LABEL_ROOM = 0.65  # above the chart: a spike's label in the upper of its two rows
X_TICK_ROOM = 0.45  # below the chart: the x ticks, over the x title
SIDE_WIDTH = 2.4  # 1:1: the column of the Gini panel and of the shares, the width of the two columns of shares
NUMBER_ROOM = 0.95  # 1:1: between the Gini's title and its ends, the Gini's number
COUNTER_ROOM = 0.65  # 9:16: the epoch counter over the Gini's title
TALL_GINI_HEIGHT = 1.8  # 9:16: the Gini's curve, under the chart


def get_frequency_norms(spectrum: np.ndarray) -> np.ndarray:
    """[..., M] norms in basis order const, cos 1, sin 1, ... -> [..., M // 2]: frequency k's norm,
    cos k and sin k together (the constant left out; an even M's last frequency, Nyquist, has no sin)."""
    sin = spectrum[..., 2::2]
    if spectrum.shape[-1] % 2 == 0:
        sin = np.concatenate([sin, np.zeros_like(spectrum[..., :1])], axis=-1)
    return np.sqrt(np.square(spectrum[..., 1::2]) + np.square(sin))


def get_variance_share(spectrum: np.ndarray, freqs) -> np.ndarray:
    """[..., p] -> [...]: the share of W_E's variance over the numbers (its squared non-constant
    Fourier norms) in frequencies `freqs`."""
    power = np.square(get_frequency_norms(spectrum.astype(np.float64)))
    chosen = np.asarray(freqs, dtype=int) - 1
    return power[..., chosen].sum(axis=-1) / power.sum(axis=-1)


def get_spikes(final_norms: np.ndarray, key_freqs) -> list[int]:
    """Frequencies to label: every key frequency, and any other whose final bar is at least
    SPIKE_FRACTION of the tallest and SPIKE_OVER_MEDIAN times the median bar (a spike that no key
    frequency explains should not go unnamed; in a flat spectrum no bar is one)."""
    tall = (final_norms >= SPIKE_FRACTION * final_norms.max()) & (
        final_norms >= SPIKE_OVER_MEDIAN * np.median(final_norms)
    )
    tall = np.flatnonzero(tall) + 1
    return sorted(set(int(k) for k in key_freqs) | set(int(k) for k in tall))


def get_ticks(top: float) -> np.ndarray:
    """Round tick values from 0 up to `top`: a step of 1, 2 or 5 times a power of ten, 3 to 6 ticks."""
    for power in range(math.floor(math.log10(top)) - 1, math.floor(math.log10(top)) + 2):
        for step in (1, 2, 5):
            ticks = np.arange(0, top + 1e-9, step * 10.0**power)
            if 3 <= len(ticks) <= 6:
                return ticks
    return np.array([0.0, top])


def get_label_rows(xs: list[float], width: float) -> list[int]:
    """Row 0 or 1 for labels at screen positions xs (ascending): a label that would touch the one
    before it in the same row moves up a row."""
    rows, last = [], {0: -math.inf, 1: -math.inf}
    for x in xs:
        row = 0 if x - last[0] >= width else 1
        rows.append(row)
        last[row] = x
    return rows


def get_counter_step(epochs: np.ndarray, most: int = 60) -> int:
    """The epoch counter's step: a multiple of the checkpoint spacing giving at most `most` values."""
    spacing = int(np.max(np.diff(epochs))) if len(epochs) > 1 else 1
    return spacing * math.ceil((len(epochs) - 1) / most) if len(epochs) > most else spacing


def get_neuron_count(frames: dict, k: int) -> int:
    return int(np.sum(frames["neuron_freq"] == k))


def get_lighting(bars: VGroup, lit) -> list:
    """Animations lighting the bars of frequencies `lit` (k = 1, 2, ...) and dimming the rest."""
    return [
        bar.animate.set_fill(opacity=BAR_OPACITY if k in lit else DIMMED_BAR).build()
        for k, bar in enumerate(bars, start=1)
    ]


def get_stack(shares: list[float], colors: list, outline: Rectangle) -> VGroup:
    """Segments filling `outline` from the bottom up, one per share, the part no share takes left empty."""
    segments, bottom = VGroup(), outline.get_bottom()
    for share, color in zip(shares, colors):
        height = max(share * outline.height, 1e-3)
        segment = Rectangle(
            width=outline.width, height=height, stroke_width=0, fill_color=color, fill_opacity=COLUMN_FILL
        )
        segments.add(segment.move_to(bottom, aligned_edge=DOWN))
        bottom = bottom + UP * height
    return segments


class FourierSpectrum(NarratedScene):
    essential = ("intro", "keys")  # the short cut: what a frequency is, and the few the run keeps
    shapes = tuple(SHAPES)

    @staticmethod
    def script(frames: dict) -> dict[str, Line]:
        require_relabelling(frames, "spectrum")
        require_series(frames, "the embedding's spectrum changing over training")
        M, keys = int(frames["op_group_order"]), [int(k) for k in frames["key_freqs"]]
        gini = frames["progress_gini_W_E"]
        spectrum = frames["embed_spectrum"]
        own_order = is_own_order(frames, "a")
        waves = {"group_order": M, "highest_frequency": M // 2}
        lines = {
            "intro": (
                say(
                    "Write each number's embedding as a sum of waves: a cosine and a sine over the {group_order} "
                    "numbers, for every frequency from 1 to {highest_frequency}. Each bar is how much of the embedding "
                    "one frequency carries.",
                    **waves,
                )
                if own_order
                else say(
                    "Write each number's embedding as a sum of waves: a cosine and a sine over the {group_order} "
                    "numbers, taken in the order of {a_coordinate}, for every frequency from 1 to {highest_frequency}. "
                    "Each bar is how much of the embedding one frequency carries.",
                    a_coordinate=get_spoken(get_coordinate(frames, "a", "a")),
                    **waves,
                )
            ),
            "train": say(
                "At the start, every frequency carries about the same. Watch the model we trained pick a few."
            ),
            "gini": say(
                "The Gini coefficient measures how concentrated this is: 0 when every frequency carries the same, "
                "1 when a single one carries everything. For this embedding it rose from {embed_gini_start} to "
                "{embed_gini_end}.",
                embed_gini_start=f"{gini[0]:.2f}",
                embed_gini_end=f"{gini[-1]:.2f}",
            ),
        }
        if not keys:
            lines["keys"] = say("This run found no key frequencies: its neurons never settled on a few.")
            return lines
        first, last = get_variance_share(spectrum[[0, -1]], keys)
        named = ", ".join(str(k) for k in keys[:-1]) + f" and {keys[-1]}" if len(keys) > 1 else str(keys[0])
        keys_line = [
            say(
                "The spikes are at frequencies {key_freqs}, the ones the neurons use. They hold "
                "{key_freqs_variance_end} of the embedding's variance, up from {key_freqs_variance_start} at the "
                "start.",
                key_freqs=named,
                key_freqs_variance_end=percent(last),
                key_freqs_variance_start=percent(first),
            ),
            say("Nothing in the task favours them: addition works with any frequency, and training picked these.")
            if own_order
            else say("Nothing in the task favours them: the task works with any frequency, and training picked these."),
        ]
        others = [k for k in get_spikes(get_frequency_norms(spectrum[-1].astype(np.float64)), keys) if k not in keys]
        for i, k in enumerate(others, 1):
            # a field per spike (non_key_spike_1, non_key_spike_2, ...): one line may name several
            spike, neurons = f"non_key_spike_{i}", get_neuron_count(frames, k)
            keys_line.append(
                say(f"Frequency {{{spike}}} grew too, but no neuron has it as its strongest frequency.", **{spike: k})
                if neurons == 0
                else say(
                    f"Frequency {{{spike}}} grew too, but it is not a key frequency: it is the strongest frequency "
                    f"of {{{spike}_neurons}} neurons, too few of them clean.",
                    **{spike: k, f"{spike}_neurons": count(neurons)},
                )
            )
        lines["keys"] = joined(*keys_line)
        return lines

    def construct(self):
        frames = get_frames()
        lines = self.script(frames)
        epochs, gini = frames["checkpoint_epochs"], frames["progress_gini_W_E"]
        norms = get_frequency_norms(frames["embed_spectrum"].astype(np.float64))  # [C, F]
        n_freqs = norms.shape[1]
        keys = [int(k) for k in frames["key_freqs"]]
        colors = style.frequency_colors(keys)
        spikes = get_spikes(norms[-1], keys)
        ticks = get_ticks(norms.max())
        top = max(ticks[-1], norms.max())

        # Step 1: the stage: one bar per frequency, at the untrained embedding
        narrow, tall = is_narrow(), is_tall()
        square = narrow and not tall
        wrap = "\n" if narrow else " "  # a long line wraps in a frame 8 units wide
        headline = (
            f"The embedding keeps{wrap}a few frequencies" if keys else f"The embedding's frequencies{wrap}over training"
        )
        title = style.text(headline, style.TITLE_SIZE).to_edge(UP, buff=0.3)
        subtitle = style.text(
            f"each bar: how much of the embedding one frequency{wrap}carries (its cos and sin parts together)",
            style.SMALL_SIZE,
            style.MUTED,
        ).next_to(title, DOWN, buff=0.12)
        note = VGroup()
        if keys:
            note.add(
                style.text(
                    f"coloured: the key frequencies,{wrap}where the neurons settle at the end",
                    style.SMALL_SIZE,
                    style.MUTED,
                )
            )
        if any(k not in keys for k in spikes):
            note.add(
                style.text(
                    f"labelled in white: tall at the end,{wrap}but not a key frequency", style.SMALL_SIZE, style.MUTED
                )
            )
        # wrapped notes read as a block, aligned left; in 1:1 over the chart, leaving the column beside it free up to
        # the subtitle
        note.arrange(DOWN, buff=0.08, aligned_edge=LEFT if narrow else ORIGIN).next_to(subtitle, DOWN, buff=0.2)
        if square:
            note.to_edge(LEFT, buff=EDGE)
        over = (
            ""
            if is_own_order(frames, "a")
            else f"{wrap}(waves over {get_coordinate(frames, 'a', 'a')}, 0..{int(frames['op_group_order']) - 1})"
        )
        # the axes' labels are made first: in a narrow frame the chart is sized to the room they leave
        x_title = style.text(f"frequency k{over}", style.SMALL_SIZE, style.MUTED)
        y_ticks = VGroup(*[style.text(f"{t:g}", style.TICK_SIZE, style.MUTED) for t in ticks])
        square_wrap = "\n" if square else " "  # the 1:1 chart is shorter than the y title, its column narrower
        y_title = style.text(f"norm in the{square_wrap}embedding", style.SMALL_SIZE, style.MUTED).rotate(math.pi / 2)
        if not narrow:
            chart_width, chart_height = CHART_WIDTH, CHART_HEIGHT
        else:  # the frame's width (in 1:1 less the Gini's column) and, in 1:1, the height left under the notes
            left = y_ticks.width + Y_TICK_BUFF + Y_TITLE_BUFF + y_title.width
            chart_width = config.frame_width - 2 * EDGE - left - (SIDE_WIDTH + 2 * EDGE if square else 0)
            below = X_TICK_ROOM + x_title.height
            chart_height = (
                CHART_HEIGHT if tall else note.get_bottom()[1] - LABEL_ROOM + config.frame_height / 2 - EDGE - below
            )
        axes = Axes(
            x_range=[0.5, n_freqs + 0.5, 1],
            y_range=[0, top, ticks[1]],
            x_length=chart_width,
            y_length=chart_height,
            tips=False,
            axis_config={"color": style.MUTED, "include_ticks": False},
        )
        if not narrow:
            axes.to_corner(DOWN + LEFT, buff=0.9).shift(RIGHT * 0.4)
        else:
            axes.next_to(note, DOWN, buff=LABEL_ROOM).to_edge(LEFT, buff=EDGE + left)
        slot = axes.c2p(2, 0)[0] - axes.c2p(1, 0)[0]
        x_ticks = VGroup(
            *[
                style.text(str(k), style.TICK_SIZE, style.MUTED).next_to(axes.c2p(k, 0), DOWN, buff=0.12)
                for k in [1, *range(10, n_freqs + 1, 10)]
            ]
        )
        x_title.next_to(x_ticks, DOWN, buff=0.12)
        for t, y_tick in zip(ticks, y_ticks):
            y_tick.next_to(axes.c2p(0.5, t), LEFT, buff=Y_TICK_BUFF)
        y_title.next_to(y_ticks, LEFT, buff=Y_TITLE_BUFF)
        position = ValueTracker(0.0)

        def bar_tops():
            return get_interpolated(norms, position.get_value())  # [F]

        def place_bars(group):
            for k, (bar, height) in enumerate(zip(group, bar_tops()), start=1):
                bar.stretch_to_fit_height(max(axes.c2p(0, height)[1] - axes.c2p(0, 0)[1], 1e-3))
                bar.move_to(axes.c2p(k, 0), aligned_edge=DOWN)

        bars = VGroup(
            *[
                Rectangle(
                    width=slot * BAR_FILL,
                    height=1,
                    stroke_width=0,
                    fill_color=colors.get(k, style.MUTED),
                    fill_opacity=BAR_OPACITY,
                )
                for k in range(1, n_freqs + 1)
            ]
        )
        place_bars(bars)
        bars.add_updater(place_bars)
        label_rows = get_label_rows([axes.c2p(k, 0)[0] for k in spikes], width=0.42)
        labels = VGroup(*[style.text(str(k), style.SMALL_SIZE, colors.get(k, style.INK)) for k in spikes])

        def place_labels(group):
            heights = bar_tops()
            for label, k, row in zip(group, spikes, label_rows):
                label.next_to(axes.c2p(k, heights[k - 1]), UP, buff=0.08 + 0.32 * row)

        place_labels(labels)
        labels.add_updater(place_labels)
        with self.narrate(lines["intro"]) as seconds:
            self.play(
                Write(title),
                FadeIn(subtitle),
                FadeIn(axes),
                FadeIn(x_ticks),
                FadeIn(x_title),
                FadeIn(y_ticks),
                FadeIn(y_title),
                run_time=1.5,
            )
            self.play(FadeIn(bars), run_time=1)
            # "for every frequency from 1 to M/2": a window walks the bars, one frequency at a time
            window = Rectangle(width=slot, height=axes.y_length, stroke_color=style.HIGHLIGHT, stroke_width=2)
            window.move_to(axes.c2p(1, 0), aligned_edge=DOWN)
            self.play(FadeIn(window), run_time=0.3)
            self.play(window.animate.move_to(axes.c2p(n_freqs, 0), aligned_edge=DOWN), run_time=max(1, seconds - 3.3))
            self.play(FadeOut(window), run_time=0.3)

        # Step 2: training runs; the Gini of W_E counts up beside the bars (in 9:16, under them)
        gini_axes = Axes(
            x_range=[0, int(epochs[-1]), int(epochs[-1])],
            y_range=[0, 1, 1],
            x_length=SIDE_WIDTH if square else 2.6,
            y_length=TALL_GINI_HEIGHT if tall else 1.5,
            tips=False,
            axis_config={"color": style.MUTED, "include_ticks": False},
        )
        if not narrow:
            gini_axes.to_edge(RIGHT, buff=0.6).align_to(axes, DOWN).shift(UP * 0.3)
        else:  # 1:1: in the column beside the chart (9:16 moves it under the chart once its ticks are made)
            gini_axes.to_edge(RIGHT, buff=EDGE).align_to(axes, DOWN)
        ends = VGroup(
            style.text(f"0: all frequencies{square_wrap}equal", style.TICK_SIZE, style.MUTED),
            style.text("1: a single frequency", style.TICK_SIZE, style.MUTED),
        )
        gini_ticks = VGroup(
            style.text("0", style.TICK_SIZE, style.MUTED).next_to(gini_axes.c2p(0, 0), LEFT, buff=0.1),
            style.text("1", style.TICK_SIZE, style.MUTED).next_to(gini_axes.c2p(0, 1), LEFT, buff=0.1),
            style.text(f"epoch {int(epochs[-1]):,}", style.TICK_SIZE, style.MUTED).next_to(
                gini_axes.c2p(epochs[-1], 0), DOWN, buff=0.1, aligned_edge=RIGHT
            ),
            ends.arrange(DOWN, aligned_edge=LEFT, buff=0.06)
            .next_to(gini_axes, UP, buff=0.15)
            .align_to(gini_axes, LEFT),
        )
        gini_title = style.text("Gini coefficient", style.LABEL_SIZE, style.INK)
        if not narrow:
            gini_title.next_to(gini_axes, UP, buff=1.75).align_to(gini_axes, LEFT)
        elif square:  # over the ends, with room for the number under it
            gini_title.next_to(ends, UP, buff=NUMBER_ROOM).align_to(gini_axes, LEFT)
        else:  # the Gini's curve right, under the chart; its title, the number and the counter left of it
            VGroup(gini_axes, gini_ticks).next_to(x_title, DOWN, buff=0.35).to_edge(RIGHT, buff=EDGE)
            gini_title.align_to(ends, UP).shift(DOWN * COUNTER_ROOM).to_edge(LEFT, buff=EDGE)
        counter_gap = 0.3 if narrow else 0.6  # the epoch counter over the Gini's title, closer where height is short
        texts = {}  # Text is slow to make (~50 ms): each distinct string is made once

        def cached_text(content, size, color=style.HIGHLIGHT):
            if (content, size, color) not in texts:
                texts[content, size, color] = style.text(content, size, color)
            return texts[content, size, color].copy()

        def gini_value():
            return float(np.interp(position.get_value(), np.arange(len(gini)), gini))

        reached = ValueTracker(0.0)  # how far training has run: the curve is drawn that far, the dot is at position

        def gini_curve():
            shown = np.arange(0, int(reached.get_value()) + 1)
            points = [gini_axes.c2p(epochs[i], gini[i]) for i in shown]
            points.append(
                gini_axes.c2p(
                    get_epoch_at(epochs, reached.get_value()),
                    np.interp(reached.get_value(), np.arange(len(gini)), gini),
                )
            )
            curve = VMobject(stroke_color=style.HIGHLIGHT, stroke_width=3)
            curve.set_points_as_corners(points if len(points) > 1 else points * 2)
            now = gini_axes.c2p(get_epoch_at(epochs, position.get_value()), gini_value())
            return VGroup(curve, Dot(now, radius=0.06, color=style.HIGHLIGHT))

        step = get_counter_step(epochs)

        def number_now():
            return cached_text(f"{gini_value():.2f}", style.TITLE_SIZE * 1.3).next_to(
                gini_title, DOWN, buff=0.2, aligned_edge=LEFT
            )

        def counter_now():
            epoch = step * round(get_epoch_at(epochs, position.get_value()) / step)
            return cached_text(f"epoch {epoch:,}", style.LABEL_SIZE).next_to(
                gini_title, UP, buff=counter_gap, aligned_edge=LEFT
            )

        number, counter = redrawn(number_now), redrawn(counter_now)
        curve = redrawn(gini_curve)
        end = len(epochs) - 1
        with self.narrate(lines["train"]):
            self.play(
                FadeIn(gini_axes),
                FadeIn(gini_ticks),
                FadeIn(gini_title),
                FadeIn(number),
                FadeIn(counter),
                FadeIn(labels),
                FadeIn(note),
                run_time=1,
            )
            self.add(curve)
            self.play(position.animate.set_value(end), reached.animate.set_value(end), run_time=12, rate_func=linear)

        # Step 3: the Gini as the line defines it: back to the start, where every frequency carries about the same
        # (near 0), then training again, the area under the curve filling in as it rises
        def area_so_far():
            upto = max(1, int(position.get_value()))
            rim = [gini_axes.c2p(e, g) for e, g in zip(epochs[: upto + 1], gini[: upto + 1])]
            floor = [gini_axes.c2p(epochs[upto], 0), gini_axes.c2p(epochs[0], 0)]
            return Polygon(*rim, *floor, stroke_width=0, fill_color=style.HIGHLIGHT, fill_opacity=0.35)

        with self.narrate(lines["gini"]) as seconds:
            area = redrawn(area_so_far)
            self.paced(
                Circumscribe(VGroup(gini_title, number), color=style.HIGHLIGHT),
                [position.animate.set_value(0).build(), Indicate(ends[0], color=style.HIGHLIGHT, scale_factor=1.08)],
                Indicate(ends[1], color=style.HIGHLIGHT, scale_factor=1.08),
                [
                    FadeIn(area),
                    position.animate(rate_func=linear, run_time=seconds / 4).set_value(end).build(),
                ],
            )

        # Step 4: the spikes are the key frequencies: each lit in turn as the line names it; then the shares of the
        # neurons and of the embedding's variance they hold, the latter from the start of training to its end again
        gini_panel = VGroup(gini_axes, gini_ticks, curve, area, gini_title, number)
        everything = range(1, n_freqs + 1)
        with self.narrate(lines["keys"]) as seconds:
            if not keys:  # no spikes to name: training again, from the start, and the spread never narrows
                self.paced(
                    position.animate.set_value(0).build(),
                    position.animate(rate_func=linear, run_time=seconds / 2).set_value(end).build(),
                )
            else:

                def said(phrase: str) -> float:
                    return get_said_at(lines["keys"], phrase, self.line_end)

                # two columns where the Gini was, their bases on the chart's: the neurons by their frequency, and the
                # embedding's variance by frequency, each key frequency's part in its colour
                # (in 9:16, under the chart beside the counter, their bases on the Gini's)
                if not tall:
                    top = counter_now().get_bottom()[1] - 0.8  # room for the shares written above them
                else:  # the shares written above them level with the counter
                    top = counter_now().get_top()[1] - 0.45
                base = gini_axes if tall else axes
                outlines = VGroup(
                    *[
                        Rectangle(
                            width=COLUMN_WIDTH,
                            height=top - base.get_bottom()[1],
                            stroke_color=style.GRID,
                            stroke_width=1,
                        )
                        for _ in range(2)
                    ]
                )
                outlines.arrange(RIGHT, buff=0.6).align_to(gini_axes, LEFT).align_to(base, DOWN)
                neuron_freqs = frames["neuron_freq"]
                counts = [int(np.sum(neuron_freqs == k)) for k in keys]
                neurons = get_stack(
                    [n / len(neuron_freqs) for n in [*counts, len(neuron_freqs) - sum(counts)]],
                    [colors[k] for k in keys] + [style.MUTED],
                    outlines[0],
                )
                in_neurons = VGroup(
                    *[
                        style.text(count(n), style.TICK_SIZE, style.BACKGROUND).move_to(segment)
                        for n, segment in zip(counts, neurons)
                        if segment.height > 0.3
                    ]
                )

                def variance_shares() -> list[float]:
                    power = np.square(bar_tops())
                    return [power[k - 1] / power.sum() for k in keys]

                variance = redrawn(lambda: get_stack(variance_shares(), [colors[k] for k in keys], outlines[1]))
                column_labels = VGroup(
                    style.text("neurons", style.SMALL_SIZE, style.MUTED).next_to(outlines[0], DOWN, buff=0.12),
                    style.text("variance", style.SMALL_SIZE, style.MUTED).next_to(outlines[1], DOWN, buff=0.12),
                    style.text(percent(sum(counts) / len(neuron_freqs)), style.LABEL_SIZE).next_to(
                        outlines[0], UP, buff=0.1
                    ),
                )
                column_labels[1].align_to(column_labels[0], DOWN)  # on one line: neither word has a descender
                variance_total = redrawn(
                    lambda: cached_text(percent(sum(variance_shares())), style.LABEL_SIZE, style.INK).next_to(
                        outlines[1], UP, buff=0.1
                    )
                )
                named = [
                    [*get_lighting(bars, {k}), Indicate(label, color=label.color, scale_factor=1.4)]
                    for label, k in zip(labels, spikes)
                    if k in keys
                ]
                self.paced([*named[0], FadeOut(gini_panel)], *named[1:], until=said("the ones the neurons use"))
                self.paced(
                    [
                        *get_lighting(bars, keys),
                        FadeIn(outlines[0]),
                        GrowFromEdge(neurons, DOWN),
                        FadeIn(in_neurons),
                        FadeIn(column_labels[0]),
                        FadeIn(column_labels[2]),
                    ],
                    until=said("They hold"),
                )
                self.paced(
                    [
                        FadeIn(outlines[1]),
                        GrowFromEdge(variance, DOWN),
                        FadeIn(column_labels[1]),
                        FadeIn(variance_total),
                    ],
                    until=said("up from"),
                )
                self.paced(position.animate.set_value(0).build(), until=said("Nothing in the task"))
                others = [k for k in spikes if k not in keys]
                replayed = said(f"Frequency {others[0]} grew") if others else self.line_end
                self.paced(
                    get_lighting(bars, everything),  # at the start every frequency carries about the same
                    position.animate(rate_func=linear, run_time=(replayed - self.time) / 2).set_value(end).build(),
                    until=replayed,
                )
                for i, k in enumerate(others):
                    self.paced(
                        [
                            *get_lighting(bars, {k}),
                            Indicate(labels[spikes.index(k)], color=style.INK, scale_factor=1.4),
                        ],
                        get_lighting(bars, everything),
                        until=said(f"Frequency {others[i + 1]} grew") if i + 1 < len(others) else None,
                    )
        self.wait(1)
