"""Neuron waves: 49 neurons' activations over a resolve from noise into rectified sine waves;
two neurons of one frequency, plotted against each other, trace a ring."""
from __future__ import annotations

import numpy as np
from manim import (DOWN, LEFT, RIGHT, UP, Axes, Dot, FadeIn, Rectangle, Scene, ValueTracker, VGroup, VMobject,
                   Write, always_redraw, linear)

from scenes import style
from scenes.loader import get_frames

GRID_ROWS = 7
CELL_WIDTH, CELL_HEIGHT = 1.25, 0.72


def get_interpolated(series: np.ndarray, position: float) -> np.ndarray:
    """series[C, ...] at a fractional checkpoint index, linearly between neighbours."""
    position = float(np.clip(position, 0, len(series) - 1))
    lower = int(np.floor(position))
    upper = min(lower + 1, len(series) - 1)
    weight = position - lower
    return (1 - weight) * series[lower].astype(np.float64) + weight * series[upper].astype(np.float64)


def get_epoch_at(epochs: np.ndarray, position: float) -> int:
    return int(round(np.interp(position, np.arange(len(epochs)), epochs)))


def get_unit_height(values: np.ndarray) -> np.ndarray:
    """Each row scaled so its largest |value| is 1. Activations grow ~30x while the model memorises
    and shrink again in clean-up: a fixed scale would hide the shape at one end or the other."""
    peak = np.abs(values).max(axis=-1, keepdims=True)
    return values / np.where(peak > 0, peak, 1.0)


def get_centred_unit(values: np.ndarray) -> np.ndarray:
    """Each row minus its mean, scaled so its largest |value| is 1."""
    return get_unit_height(values - values.mean(axis=-1, keepdims=True))


def get_wave(cell: Rectangle, values: np.ndarray, color) -> VMobject:
    """A polyline of values in [0, 1] over a = 0..p-1 inside cell, 0 at the bottom."""
    left, bottom = cell.get_left()[0], cell.get_bottom()[1]
    xs = left + 0.05 + np.linspace(0, cell.width - 0.1, len(values))
    ys = bottom + 0.05 + np.clip(values, 0, 1) * (cell.height - 0.1)
    wave = VMobject(stroke_color=color, stroke_width=1.6)
    wave.set_points_as_corners(np.stack([xs, ys, np.zeros_like(xs)], axis=1))
    return wave


def get_cells(n: int) -> VGroup:
    cells = VGroup(*[Rectangle(width=CELL_WIDTH, height=CELL_HEIGHT, stroke_color=style.GRID, stroke_width=1)
                     for _ in range(n)])
    return cells.arrange_in_grid(rows=GRID_ROWS, buff=0.06)


def get_frequency_legend(freqs: list[int], colors: dict) -> VGroup:
    entries = [VGroup(Rectangle(width=0.25, height=0.12, fill_color=colors[k], fill_opacity=1, stroke_width=0),
                      style.text(f"k = {k}", style.SMALL_SIZE)).arrange(RIGHT, buff=0.1) for k in freqs]
    return VGroup(*entries).arrange(DOWN, aligned_edge=LEFT, buff=0.15)


class NeuronWaves(Scene):
    def construct(self):
        frames = get_frames()
        waves, epochs = frames["waves"], frames["checkpoint_epochs"]
        neurons, freqs = frames["wave_neurons"], frames["neuron_freq"][frames["wave_neurons"]]
        keys = frames["key_freqs"].tolist()
        colors = style.frequency_colors(keys)
        p, b = int(frames["p"]), int(frames["wave_b"])

        # Step 1: an empty grid of 49 neurons
        title = style.text(f"49 neurons: activation as a runs over 0..{p - 1}, b = {b}", style.LABEL_SIZE).to_edge(UP, buff=0.3)
        cells = get_cells(len(neurons)).next_to(title, DOWN, buff=0.35).shift(LEFT * 0.9)
        note = style.text("each plot scaled to its own height", style.SMALL_SIZE, style.MUTED).next_to(cells, DOWN, buff=0.2)
        legend = get_frequency_legend(keys, colors).next_to(cells, RIGHT, buff=0.4)
        legend_title = style.text("frequency at the end", style.SMALL_SIZE, style.MUTED).next_to(legend, UP, aligned_edge=LEFT)
        self.play(Write(title), FadeIn(cells, lag_ratio=0.01), FadeIn(note), run_time=1.5)

        # Step 2: training runs; noise resolves into rectified sines
        position = ValueTracker(0.0)
        def grid():
            values = get_unit_height(get_interpolated(waves, position.get_value()))
            return VGroup(*[get_wave(cell, values[i], colors.get(int(freqs[i]), style.MUTED))
                            for i, cell in enumerate(cells)])
        curves = always_redraw(grid)
        counter = always_redraw(lambda: style.text(f"epoch {get_epoch_at(epochs, position.get_value()):,}", style.LABEL_SIZE, style.HIGHLIGHT)
                                .next_to(legend_title, UP, buff=0.5, aligned_edge=LEFT))
        self.add(curves, counter)
        self.play(FadeIn(legend_title), FadeIn(legend), run_time=1)
        self.play(position.animate.set_value(len(epochs) - 1), run_time=10, rate_func=linear)
        self.wait(2)


class NeuronRing(Scene):
    def construct(self):
        frames = get_frames()
        pre, epochs = frames["ring_pre"], frames["checkpoint_epochs"]
        first, second = (int(n) for n in frames["ring_neurons"])
        k = int(frames["neuron_freq"][first])
        p = int(frames["p"])
        colors = style.rainbow(p)

        # Step 1: two neurons of frequency k, and a plane for them
        title = style.text(f"Two neurons of frequency {k}, one against the other", style.LABEL_SIZE).to_edge(UP, buff=0.3)
        axes = Axes(x_range=[-1.1, 1.1, 1], y_range=[-1.1, 1.1, 1], x_length=5.4, y_length=5.4,
                    tips=False, axis_config={"color": style.MUTED, "include_ticks": False})
        axes.next_to(title, DOWN, buff=0.3).to_edge(RIGHT, buff=0.8)
        x_label = style.text(f"neuron {first}", style.SMALL_SIZE, style.MUTED).next_to(axes, DOWN, buff=0.1).align_to(axes, RIGHT)
        y_label = style.text(f"neuron {second}", style.SMALL_SIZE, style.MUTED).next_to(axes.y_axis, RIGHT, buff=0.1).align_to(axes, UP)
        self.play(Write(title), FadeIn(axes), FadeIn(x_label), FadeIn(y_label), run_time=1.5)

        # Step 2: their waves on the left, their joint plot on the right, through training
        position = ValueTracker(0.0)
        panels = VGroup(*[Rectangle(width=4.6, height=1.5, stroke_color=style.GRID, stroke_width=1) for _ in range(2)])
        panels.arrange(DOWN, buff=0.55).to_edge(LEFT, buff=0.7).shift(DOWN * 0.3)
        panel_labels = VGroup(*[style.text(f"neuron {n}", style.SMALL_SIZE, style.MUTED).next_to(panel, UP, buff=0.08, aligned_edge=LEFT)
                                for n, panel in zip((first, second), panels)])
        note = style.text(f"pre-activations over a = 0..{p - 1} (b = {int(frames['wave_b'])}),\ncentred, each scaled to fit; dots coloured by a",
                          style.SMALL_SIZE, style.MUTED).next_to(panels, DOWN, buff=0.3, aligned_edge=LEFT)
        def current():
            return get_centred_unit(get_interpolated(pre, position.get_value()))   # [2, p]
        def waves():
            values = current()
            return VGroup(*[get_wave(panel, (values[i] + 1) / 2, style.TRAIN) for i, panel in enumerate(panels)])
        def ring():
            values = current()
            return VGroup(*[Dot(axes.c2p(values[0, a], values[1, a]), radius=0.05, color=colors[a]) for a in range(p)])
        counter = always_redraw(lambda: style.text(f"epoch {get_epoch_at(epochs, position.get_value()):,}", style.LABEL_SIZE, style.HIGHLIGHT)
                                .next_to(panel_labels[0], UP, buff=0.35, aligned_edge=LEFT))
        self.play(FadeIn(panels), FadeIn(panel_labels), FadeIn(note), run_time=1)
        self.add(always_redraw(waves), always_redraw(ring), counter)
        self.play(position.animate.set_value(len(epochs) - 1), run_time=10, rate_func=linear)
        self.wait(2)
