"""The clock: the embedding puts token a at angle 2 pi k a / p on a circle, and adding b is a turn."""
from __future__ import annotations

import math

import numpy as np
from manim import (DOWN, LEFT, RIGHT, UP, Arc, Arrow, Circle, Dot, FadeIn, Flash, Indicate, Rotate, Scene,
                   ValueTracker, VGroup, Write, always_redraw, linear)

from scenes import style
from scenes.loader import get_frames
from scenes.waves import get_epoch_at, get_interpolated

CLOCK_RADIUS = 2.6      # screen units for a unit-circle embedding
MAX_RADIUS = 1.45       # data radius beyond which early, scattered tokens are pinned to the rim


def get_clock_frequency(frames: dict) -> tuple[int, int]:
    """(k, index into key_freqs) of the key frequency whose final clock is roundest (smallest
    spread of radii): every key frequency makes a clock; this one shows it most clearly."""
    keys = frames["key_freqs"]
    if len(keys) == 0:
        raise SystemExit("error: this run found no key frequency (it has not grokked): no clock to draw")
    radii = np.linalg.norm(frames["embed_clock"][-1].astype(np.float64), axis=-1)   # [K, p]
    index = int(np.argmin(radii.std(axis=1) / radii.mean(axis=1)))
    return int(keys[index]), index


def get_clock_points(coords: np.ndarray, center: np.ndarray) -> np.ndarray:
    """[p, 2] data coordinates -> [p, 3] screen points, radii clipped at MAX_RADIUS."""
    radius = np.linalg.norm(coords, axis=1, keepdims=True)
    clipped = coords * np.minimum(1.0, MAX_RADIUS / np.maximum(radius, 1e-9))
    return center + CLOCK_RADIUS * np.concatenate([clipped, np.zeros((len(coords), 1))], axis=1)


def get_addition_example(p: int) -> tuple[int, int, int]:
    """37 + 58 = 95 at p = 113, and the same proportions for other p."""
    a, b = (37, 58) if p == 113 else (round(0.33 * p), round(0.51 * p))
    return a, b, (a + b) % p


def get_dots(points: np.ndarray, colors: list) -> VGroup:
    return VGroup(*[Dot(point, radius=0.055, color=color) for point, color in zip(points, colors)])


class EmbeddingClock(Scene):
    def construct(self):
        frames = get_frames()
        k, index = get_clock_frequency(frames)
        clock, epochs, p = frames["embed_clock"][:, index], frames["checkpoint_epochs"], int(frames["p"])
        colors = style.rainbow(p)

        # Step 1: the tokens, placed by the untrained embedding
        title = style.text("The embedding learns a clock", style.TITLE_SIZE).to_edge(UP, buff=0.3)
        subtitle = style.text(f"each number's embedding in the (cos, sin) plane of frequency {k}", style.SMALL_SIZE, style.MUTED)
        subtitle.next_to(title, DOWN, buff=0.12)
        center = DOWN * 0.55 + RIGHT * 2.7
        rim = Circle(radius=CLOCK_RADIUS, color=style.GRID, stroke_width=2).move_to(center)
        position = ValueTracker(0.0)
        dots = always_redraw(lambda: get_dots(get_clock_points(get_interpolated(clock, position.get_value()), center), colors))
        counter = always_redraw(lambda: style.text(f"epoch {get_epoch_at(epochs, position.get_value()):,}", style.LABEL_SIZE, style.HIGHLIGHT)
                                .to_corner(LEFT + UP, buff=0.5).shift(DOWN * 1.2))
        legend = VGroup(*[Dot(radius=0.06, color=colors[i]) for i in range(0, p, max(1, p // 12))]).arrange(RIGHT, buff=0.08)
        legend_label = style.text(f"colour: the number, 0 to {p - 1}", style.SMALL_SIZE, style.MUTED)
        VGroup(legend_label, legend).arrange(DOWN, aligned_edge=LEFT, buff=0.12).next_to(counter, DOWN, buff=0.4, aligned_edge=LEFT)
        self.play(Write(title), FadeIn(subtitle), FadeIn(rim), FadeIn(legend), FadeIn(legend_label), run_time=1.5)
        self.add(dots, counter)
        self.wait(0.5)

        # Step 2: training pulls them onto the circle
        self.play(position.animate.set_value(len(epochs) - 1), run_time=10, rate_func=linear)

        # Step 3: each +1 turns the hand by k/p of a circle
        final = get_clock_points(clock[-1].astype(np.float64), center)
        labels = VGroup(*[style.text(str(a), style.SMALL_SIZE).move_to(center + (final[a] - center) * 1.13) for a in range(4)])
        step = style.text(f"a → a + 1 turns the hand\nby {k}/{p} of a circle", style.LABEL_SIZE, style.INK)
        step.next_to(legend, DOWN, buff=0.6, aligned_edge=LEFT)
        self.play(FadeIn(labels, lag_ratio=0.5), FadeIn(step), run_time=2)
        self.wait(2)


class ClockAddition(Scene):
    def construct(self):
        frames = get_frames()
        k, index = get_clock_frequency(frames)
        p = int(frames["p"])
        a, b, total = get_addition_example(p)
        center = DOWN * 0.4 + RIGHT * 2.7
        points = get_clock_points(frames["embed_clock"][-1, index].astype(np.float64), center)
        colors = style.rainbow(p)

        # Step 1: the trained clock
        title = style.text(f"Adding on the clock (frequency {k})", style.TITLE_SIZE).to_edge(UP, buff=0.3)
        rim = Circle(radius=CLOCK_RADIUS, color=style.GRID, stroke_width=2).move_to(center)
        dots = get_dots(points, [c.interpolate(style.BACKGROUND, 0.35) for c in colors])
        self.play(Write(title), FadeIn(rim), FadeIn(dots, lag_ratio=0.01), run_time=1.5)

        # Step 2: the hand points at a
        def label_for(token, color):
            return style.text(str(token), style.LABEL_SIZE, color).move_to(center + (points[token] - center) * 1.22)
        hand = Arrow(center, points[a], buff=0.05, color=style.HIGHLIGHT, stroke_width=6, max_tip_length_to_length_ratio=0.12)
        equation = VGroup(style.text(f"{a}", style.TITLE_SIZE, style.HIGHLIGHT), style.text("+", style.TITLE_SIZE),
                          style.text(f"{b}", style.TITLE_SIZE, style.TRAIN), style.text("=", style.TITLE_SIZE),
                          style.text(f"{total}", style.TITLE_SIZE, style.RESTRICTED),
                          style.text(f"(mod {p})", style.LABEL_SIZE, style.MUTED)).arrange(RIGHT, buff=0.2)
        equation.to_edge(LEFT, buff=0.7).shift(UP * 1.2)
        self.play(FadeIn(hand), FadeIn(label_for(a, style.HIGHLIGHT)), Indicate(dots[a]), FadeIn(equation[0]), run_time=1.5)

        # Step 3: adding b turns the hand by b * k / p of a circle
        angle = 2 * math.pi * ((k * b) % p) / p
        start_angle = math.atan2(*(points[a] - center)[[1, 0]])
        arc = Arc(radius=0.8, start_angle=start_angle, angle=angle, color=style.TRAIN, stroke_width=5).shift(center)
        turn = style.text(f"+ {b}: turn the hand by\n{b} × {k}/{p} of a circle", style.LABEL_SIZE, style.TRAIN)
        turn.next_to(equation, DOWN, buff=0.6, aligned_edge=LEFT)
        self.play(FadeIn(equation[1:3]), FadeIn(turn), run_time=1)
        self.play(Rotate(hand, angle=angle, about_point=center), FadeIn(arc), run_time=3)

        # Step 4: it lands where the model put a + b
        landing = style.text(f"lands on {total}", style.LABEL_SIZE, style.RESTRICTED).next_to(turn, DOWN, buff=0.4, aligned_edge=LEFT)
        self.play(FadeIn(equation[3:]), FadeIn(label_for(total, style.RESTRICTED)), FadeIn(landing),
                  Flash(points[total], color=style.RESTRICTED), dots[total].animate.scale(1.8).set_color(style.RESTRICTED), run_time=1.5)
        self.wait(2)
