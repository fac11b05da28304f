"""The snake: train loss falls at once, test loss stays high for thousands of epochs, then crashes.
Below the surface, the restricted and excluded losses show the circuit forming all along."""
from __future__ import annotations

import math

import numpy as np
from manim import (DOWN, LEFT, RIGHT, UP, Axes, Create, FadeIn, FadeOut, Line, LogBase, Rectangle,
                   Scene, ValueTracker, VGroup, VMobject, Write, always_redraw, linear)

from scenes import style
from scenes.loader import get_frames

CURVE_POINTS = 400


def get_log_samples(n_epochs: int, n: int = CURVE_POINTS) -> np.ndarray:
    """Epoch indices 1..n_epochs-1 evenly spaced on a log axis (epoch 0 has no place on it)."""
    return np.unique(np.geomspace(1, n_epochs - 1, n).round().astype(int))


def get_decade_range(values: np.ndarray) -> tuple[int, int]:
    """Whole decades that contain every finite positive value."""
    finite = values[np.isfinite(values) & (values > 0)]
    return math.floor(np.log10(finite.min())), math.ceil(np.log10(finite.max()))


def get_phase_spans(phase_starts: np.ndarray, last_epoch: int) -> list[tuple[str, int, int]]:
    """(name, first epoch, last epoch) of each phase the data found; memorisation starts at 1 on a log axis."""
    found = [(name, max(int(start), 1)) for name, start in zip(style.PHASE_NAMES, phase_starts) if start >= 0]
    ends = [start for _, start in found[1:]] + [last_epoch]
    return [(name, start, end) for (name, start), end in zip(found, ends) if end > start]


def get_axes(n_epochs: int, y_decades: tuple[int, int]) -> VGroup:
    x_max = math.log10(n_epochs)
    axes = Axes(
        x_range=[0, x_max, 1], y_range=[y_decades[0], y_decades[1], 1], x_length=11, y_length=5.6, tips=False,
        x_axis_config={"scaling": LogBase(custom_labels=False), "color": style.MUTED},
        y_axis_config={"scaling": LogBase(custom_labels=False), "color": style.MUTED},
    )
    x_labels = VGroup(*[style.text(f"{10 ** e:,}", style.TICK_SIZE, style.MUTED).next_to(axes.c2p(10 ** e, 10 ** y_decades[0]), DOWN)
                        for e in range(0, math.floor(x_max) + 1)])
    y_labels = VGroup(*[style.text(style.power_label(e), style.TICK_SIZE, style.MUTED).next_to(axes.c2p(1, 10 ** e), LEFT)
                        for e in range(y_decades[0], y_decades[1] + 1, 2 if y_decades[1] - y_decades[0] > 6 else 1)])
    x_title = style.text("epoch", style.SMALL_SIZE, style.MUTED).next_to(x_labels, DOWN, buff=0.15)
    y_title = style.text("loss", style.SMALL_SIZE, style.MUTED).rotate(math.pi / 2).next_to(y_labels, LEFT, buff=0.2)
    return VGroup(axes, x_labels, y_labels, x_title, y_title)


def get_curve(axes: Axes, xs: np.ndarray, ys: np.ndarray, color, floor: float, width: float = 4) -> VMobject:
    points = [axes.c2p(x, max(y, floor)) for x, y in zip(xs, ys) if np.isfinite(y)]
    curve = VMobject(stroke_color=color, stroke_width=width)
    curve.set_points_as_corners(points if len(points) > 1 else points * 2)
    return curve


def get_legend(entries: list[tuple[str, object]]) -> VGroup:
    rows = [VGroup(Line(LEFT * 0.2, RIGHT * 0.2, color=color, stroke_width=5), style.text(name, style.SMALL_SIZE)).arrange(RIGHT, buff=0.15)
            for name, color in entries]
    return VGroup(*rows).arrange(RIGHT, buff=0.5)


class SnakeCurve(Scene):
    def construct(self):
        frames = get_frames()
        train, test = frames["train_loss"], frames["test_loss"]
        n_epochs = len(train)
        has_progress = "progress_restricted_loss" in frames
        underneath = [frames["progress_restricted_loss"], frames["progress_excluded_loss"]] if has_progress else []
        y_decades = get_decade_range(np.concatenate([train, test, *underneath]))
        floor = 10.0 ** y_decades[0]
        samples = get_log_samples(n_epochs)

        # Step 1: the stage
        chart = get_axes(n_epochs, y_decades).to_edge(DOWN, buff=0.3)
        axes = chart[0]
        title = style.text(f"Learning (a + b) mod {int(frames['p'])}", style.TITLE_SIZE).to_edge(UP, buff=0.25)
        legend = get_legend([("train loss", style.TRAIN), ("test loss", style.TEST)])
        legend.next_to(axes, UP, buff=0.15).align_to(axes, LEFT).shift(RIGHT * 0.3)
        self.play(FadeIn(chart), Write(title), FadeIn(legend), run_time=1.5)

        # Step 2: training unfolds, an epoch counter running on a log clock
        log_epoch = ValueTracker(0.0)
        def drawn(curve_values, color):
            def redraw():
                shown = samples[samples <= 10 ** log_epoch.get_value()]
                return get_curve(axes, shown, curve_values[shown], color, floor) if len(shown) > 1 else VMobject()
            return always_redraw(redraw)
        counter = always_redraw(lambda: style.text(f"epoch {int(round(10 ** log_epoch.get_value())):,}", style.LABEL_SIZE, style.HIGHLIGHT)
                                .next_to(axes, UP, buff=0.2).align_to(axes, RIGHT))
        train_curve, test_curve = drawn(train, style.TRAIN), drawn(test, style.TEST)
        self.add(train_curve, test_curve, counter)
        self.play(log_epoch.animate.set_value(math.log10(samples[-1])), run_time=9, rate_func=linear)
        self.remove(train_curve, test_curve, counter)
        train_curve, test_curve = (get_curve(axes, samples, train[samples], style.TRAIN, floor),
                                   get_curve(axes, samples, test[samples], style.TEST, floor))
        self.add(train_curve, test_curve)

        # Step 3: the phases, where the data puts them
        spans = get_phase_spans(frames["phase_starts"], n_epochs - 1) if "phase_starts" in frames else []
        bands = VGroup()
        for (name, start, end), color in zip(spans, style.PHASE_COLORS):
            left, right = axes.c2p(start, floor), axes.c2p(end, floor)
            band = Rectangle(width=right[0] - left[0], height=axes.y_length, stroke_width=0, fill_color=color, fill_opacity=0.45)
            band.move_to((left + right) / 2, aligned_edge=DOWN)
            label = style.text(name, style.SMALL_SIZE, style.INK).next_to(band.get_top(), DOWN, buff=0.15)
            if label.get_right()[0] > axes.get_right()[0]:  # narrow band at the right end
                label.align_to(axes, RIGHT)
            if len(bands) and label.get_left()[0] < bands[-1][1].get_right()[0] + 0.1:
                label.next_to(bands[-1][1], DOWN, buff=0.1).align_to(label, RIGHT)
            bands.add(VGroup(band, label))
        if len(bands):
            self.play(FadeIn(bands, lag_ratio=0.4), run_time=2)
            self.bring_to_front(train_curve, test_curve)

        # Step 4: what was happening underneath
        if has_progress:
            epochs = frames["checkpoint_epochs"]
            keep = epochs >= 1
            restricted = get_curve(axes, epochs[keep], frames["progress_restricted_loss"][keep], style.RESTRICTED, floor, 3)
            excluded = get_curve(axes, epochs[keep], frames["progress_excluded_loss"][keep], style.EXCLUDED, floor, 3)
            caption = style.text("underneath, all along: the Fourier circuit forms", style.LABEL_SIZE, style.INK).move_to(title)
            more = get_legend([("restricted loss: the circuit alone", style.RESTRICTED),
                               ("excluded loss: everything but the circuit", style.EXCLUDED)])
            more.move_to(legend, aligned_edge=LEFT)
            self.play(test_curve.animate.set_stroke(opacity=0.3), train_curve.animate.set_stroke(opacity=0.3),
                      FadeOut(title), FadeIn(caption), FadeOut(legend), FadeIn(more), run_time=1.5)
            self.play(Create(restricted), Create(excluded), run_time=4, rate_func=linear)
        self.wait(2)
