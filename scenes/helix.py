"""Beyond toys: the helix of Gurnee et al. (2025). An illustration built from the paper's construction
(scenes/manifold.py), not our model's data: character counts lie on a helix, and an attention head's
query-key map twists it against the line-width helix so that count i meets width i + epsilon."""
from __future__ import annotations

import math
import textwrap

import numpy as np
from manim import (DEGREES, DOWN, IN, LEFT, ORIGIN, OUT, RIGHT, UP, Axes, Brace, Create, DashedLine, Dot, FadeIn, FadeOut,
                   Line, ThreeDScene, config, ValueTracker, VGroup, VMobject, Write, smooth)

from scenes import style
from scenes.loader import get_frames
from scenes.manifold import (COUNT_MAX, FIELDS, HEAD_DIM, OFFSET, Construction, get_construction, get_cosines,
                             get_features, get_twist_power)
from scenes.narration import NarratedScene, count, percent

EXAMPLE_COUNT = 60              # the count whose best match is followed on screen
EXAMPLE_TEXT = ("When a model writes text wrapped at a fixed width, it has to know, word by word, whether the "
                "next one still fits on the line or a newline must come first.")
EXAMPLE_WIDTH = 34              # the wrapping width of EXAMPLE_TEXT, in characters
HELIX_SCALE = 2.0               # screen units per unit of component coordinate
HELIX_SEGMENTS = 24             # pieces per helix, so brightness can rise along the count and depth sort
CAMERA_PHI = 60 * DEGREES       # the camera looks at the helices from 30 degrees above their equator
CAMERA_DISTANCE = 100           # far enough that the view is nearly orthographic: vertical axes stay vertical
TOWARD_CAMERA = np.array([0.0, -math.sin(CAMERA_PHI), math.cos(CAMERA_PHI)])   # at theta = -90 degrees
HELIX_RADIUS = 0.9              # about the largest distance of the curve from its axis, in component units
TURN_SECONDS = 30               # one full turn of the helices about their axes
SOLO = np.array([2.6, 0.0, -0.2])          # the count helix alone (world coordinates; x is screen x)
BESIDE = np.array([0.5, 0.0, -0.2])        # the count helix beside the width helix
WIDTH_SPOT = np.array([4.6, 0.0, -0.2])    # the width helix
MERGED = (BESIDE + WIDTH_SPOT) / 2         # both, after the twist
TAG_GAP = 0.42                  # how far above (count) or below (width) a marked point its tag sits
CAPTION_Y = -3.05               # screen height of the names under the helices
FINDING_Y = -3.6                # screen height of the finding in words
INSET_SIZE = (4.3, 1.35)        # width, height of the two 2-D plots on the left


def get_helix_points(coords: np.ndarray, frame: np.ndarray, angle: float, centre: np.ndarray) -> np.ndarray:
    """coords [n, >= 3] component coordinates -> [n, 3] world points: the helix axis (frame row 0)
    vertical, the curve turned by `angle` about it."""
    axis, across, deep = (coords[:, :3] @ frame.T).T    # [n] each; coords are centred
    cos, sin = math.cos(angle), math.sin(angle)
    return centre + HELIX_SCALE * np.stack([across * cos - deep * sin, across * sin + deep * cos, axis], axis=1)


class Strand(VGroup):
    """A helix drawn as HELIX_SEGMENTS pieces that are rewritten in place each frame (building new
    mobjects every frame is what made this scene slow): dim at count 0 and bright at the end, thicker
    and brighter nearer the camera, and back pieces drawn first so the eye reads which is in front."""

    def __init__(self, color):
        self.pieces = [VMobject(stroke_color=color) for _ in range(HELIX_SEGMENTS)]    # in count order
        super().__init__(*self.pieces)

    def draw(self, points: np.ndarray, shown: float = 1.0) -> Strand:
        """Show the first `shown` share of the curve through points [n, 3]."""
        last = max(1, round(shown * (len(points) - 1)))
        bounds = np.linspace(0, last, HELIX_SEGMENTS + 1).round().astype(int)
        nearness = (points - points.mean(axis=0)) @ TOWARD_CAMERA / (HELIX_SCALE * HELIX_RADIUS)   # [n], about -1..1
        depth = []
        for index, (piece, start, end) in enumerate(zip(self.pieces, bounds[:-1], bounds[1:])):
            near = float(np.clip(nearness[start:end + 1].mean(), -1, 1) + 1) / 2              # 0 back .. 1 front
            piece.set_points_as_corners(points[start:max(end, start + 1) + 1])
            piece.set_stroke(width=3 + 4 * near, opacity=0 if end == start else
                             (0.35 + 0.65 * index / (HELIX_SEGMENTS - 1)) * (0.45 + 0.55 * near))
            depth.append(near)
        self.submobjects = [self.pieces[i] for i in np.argsort(depth, kind="stable")]
        return self


def get_axis_ends(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The helix's axis: the vertical through the middle of points [n, 3], a little beyond both ends."""
    middle = points.mean(axis=0)
    return (np.array([middle[0], middle[1], points[:, 2].min() - 0.3]),
            np.array([middle[0], middle[1], points[:, 2].max() + 0.3]))


def get_ringing_count(construction: Construction) -> int:
    """The count whose low-dimensional similarity row dips furthest below zero: where ringing shows best."""
    return int(construction.truncated.min(axis=1).argmin())


def get_example(construction: Construction) -> dict[str, float]:
    """The numbers the scene quotes, for EXAMPLE_COUNT: its raw cosine with the same width, its best
    width after the twist and that cosine, and the variance share of the kept components."""
    twisted = construction.twisted_cosines[EXAMPLE_COUNT]
    return {"raw": float(construction.raw_cosines[EXAMPLE_COUNT, EXAMPLE_COUNT]),
            "best_width": int(twisted.argmax()), "twisted": float(twisted.max()),
            "share": float(construction.share[:HEAD_DIM].sum())}


def get_wrapped_example() -> tuple[list[str], str]:
    """(full lines, the unfinished last line): EXAMPLE_TEXT wrapped at EXAMPLE_WIDTH, stopped mid-line."""
    lines = textwrap.wrap(EXAMPLE_TEXT, EXAMPLE_WIDTH)
    return lines[:3], lines[3][:len(lines[3]) // 2 + 1]


def get_plot(x_label: str, y_range: list[float]) -> tuple[Axes, VGroup]:
    """A small 2-D plot over the count 0..COUNT_MAX, with Text tick labels (no LaTeX)."""
    axes = Axes(x_range=[0, COUNT_MAX, 50], y_range=y_range, x_length=INSET_SIZE[0], y_length=INSET_SIZE[1], tips=False,
                axis_config={"color": style.MUTED, "stroke_width": 2})
    ticks = VGroup(*[style.text(str(x), style.TICK_SIZE, style.MUTED).next_to(axes.c2p(x, y_range[0]), DOWN, buff=0.08)
                     for x in range(0, COUNT_MAX + 1, 50)])
    levels = VGroup(*[style.text(str(y), style.TICK_SIZE, style.MUTED).next_to(axes.c2p(0, y), LEFT, buff=0.08)
                      for y in (0, 1)])
    title = style.text(x_label, style.TICK_SIZE, style.MUTED).next_to(ticks, DOWN, buff=0.08)
    return axes, VGroup(axes, ticks, levels, title)


def get_plot_curve(axes: Axes, xs: np.ndarray, ys: np.ndarray, color, width: float = 3) -> VMobject:
    curve = VMobject(stroke_color=color, stroke_width=width)
    curve.set_points_as_corners([axes.c2p(x, y) for x, y in zip(xs, ys)])
    return curve


def get_dips(axes: Axes, ys: np.ndarray) -> VGroup:
    """The stretches of a curve over counts 0..len(ys)-1 that lie below zero, drawn on their own."""
    below = np.flatnonzero(ys < 0)
    runs = np.split(below, np.flatnonzero(np.diff(below) > 1) + 1) if len(below) else []
    return VGroup(*[get_plot_curve(axes, run, ys[run], style.EXCLUDED, 5) for run in runs if len(run) > 1])


def on_screen(mobject, margin: float = 0.25):
    """Shift a 2-D mobject sideways until it lies within the frame, `margin` from either edge."""
    half = config.frame_width / 2 - margin
    mobject.shift(RIGHT * (max(0.0, -half - mobject.get_left()[0]) - max(0.0, mobject.get_right()[0] - half)))
    return mobject


def get_key_list(frames: dict) -> str:
    """The run's key frequencies as read aloud ('8, 19, 41 and 54'); empty if it found none."""
    keys = [str(int(k)) for k in frames["key_freqs"]]
    return ", ".join(keys[:-1]) + f" and {keys[-1]}" if len(keys) > 1 else "".join(keys)


class HelixTwist(NarratedScene, ThreeDScene):
    @staticmethod
    def script(frames: dict) -> dict[str, str]:
        example = get_example(get_construction())
        return {
            "intro": "Everything so far came from the small model we trained. What follows illustrates a published "
                     "finding in a production model: Gurnee and colleagues, 2025, When Models Manipulate Manifolds, "
                     "on how Claude 3.5 Haiku knows when to break a line.",
            "features": "It counts the characters since the last newline with features like place cells, each firing "
                        f"over a stretch of counts, wider as the line grows. We rebuild that: {count(FIELDS)} features "
                        f"over 0 to {count(COUNT_MAX)} characters.",
            "helix": "Nearby counts look alike, far ones do not: the similarity is a narrow peak. Its top eigenvectors "
                     "are Fourier modes, waves over the count, so the first three components trace a helix-like curve, winding about its axis as the count climbs. "
                     f"{count(HEAD_DIM)} components hold {percent(example['share'])} of the variance.",
            "ringing": f"Squeezed into {count(HEAD_DIM)} dimensions, the similarity overshoots below zero and back, "
                       "like a Fourier series cut short: ringing, the ripples on the helix.",
            "width": f"The line's width has a helix of its own, in other directions. There, count {EXAMPLE_COUNT} "
                     f"and width {EXAMPLE_COUNT} barely agree: cosine {example['raw']:.2f}.",
            "twist": "An attention head's query-key map twists the count helix along itself, so that count "
                     f"{EXAMPLE_COUNT} lands on width {example['best_width']}, cosine {example['twisted']:.3f}. "
                     f"{count(OFFSET)} characters before the end of the line, the head fires.",
            "clock": "Fourier features again, as in our model's clock"
                     + (f", with its frequencies {get_key_list(frames)}" if get_key_list(frames) else "")
                     + ": numbers placed on waves, and arithmetic done by turning them.",
        }

    def fixed(self, *mobjects):
        """Mark 2-D mobjects as drawn on the screen, not in the 3-D space; returns the one mobject, or
        several as a group."""
        self.renderer.camera.add_fixed_in_frame_mobjects(*mobjects)
        return mobjects[0] if len(mobjects) == 1 else VGroup(*mobjects)

    def follow(self, mobject, point_function, offset=ORIGIN):
        """Keep a flat mobject facing the camera at a moving 3-D point, drawn over the curves."""
        mobject.set_z_index(1)
        mobject.add_updater(lambda m: m.move_to(point_function() + offset))
        mobject.update()
        self.renderer.camera.add_fixed_orientation_mobjects(mobject)
        return mobject

    def strand(self, point_function, color, shown: ValueTracker) -> tuple[Strand, Line]:
        """A helix and its axis that follow point_function() every frame; `shown` reveals the helix."""
        helix = Strand(color).add_updater(lambda m: m.draw(point_function(), shown.get_value()))
        axis = Line(color=style.MUTED, stroke_width=2, stroke_opacity=0.5)
        axis.add_updater(lambda m: m.put_start_and_end_on(*get_axis_ends(point_function())))
        return helix.update(), axis.update()

    def settle(self, *mobjects):
        """Send mobjects that no longer change to the back, so manim draws them once per animation
        instead of every frame (it redraws everything after the first moving mobject)."""
        self.bring_to_back(*mobjects)

    def construct(self):
        frames = get_frames()
        lines = self.script(frames)
        construction = get_construction()
        example = get_example(construction)
        coords, frame, twist_map = construction.coords, construction.frame, construction.twist
        self.set_camera_orientation(phi=CAMERA_PHI, theta=-90 * DEGREES, focal_distance=CAMERA_DISTANCE)
        angle, twist = ValueTracker(0.0), ValueTracker(0.0)
        count_spot = ValueTracker(0.0)                                 # 0 alone, 1 beside the width helix

        def count_points():
            place = SOLO + (BESIDE - SOLO) * count_spot.get_value()
            place = place + (MERGED - place) * twist.get_value()
            turned = coords @ get_twist_power(twist_map, twist.get_value()).T
            return get_helix_points(turned, frame, angle.get_value(), place)

        def width_points():
            return get_helix_points(coords, frame, angle.get_value(), WIDTH_SPOT + (MERGED - WIDTH_SPOT) * twist.get_value())

        # Step 1: what this is, and the task: where does the line break?
        title = style.text("Beyond toys: counting characters on a helix", style.TITLE_SIZE).to_edge(UP, buff=0.25)
        tag = style.text("An illustration of Gurnee et al. 2025, “When Models Manipulate Manifolds” (Claude 3.5 Haiku),\n"
                         "rebuilt from the paper's construction: not the model we trained", style.SMALL_SIZE, style.HIGHLIGHT)
        tag.next_to(title, DOWN, buff=0.15)
        full, unfinished = get_wrapped_example()
        page = VGroup(*[style.mono(line, style.SMALL_SIZE) for line in full + [unfinished + "|"]])
        page.arrange(DOWN, aligned_edge=LEFT, buff=0.18).move_to([SOLO[0], 0.2, 0])
        advance = (style.mono("M" * EXAMPLE_WIDTH, style.SMALL_SIZE).width - style.mono("M", style.SMALL_SIZE).width) / (EXAMPLE_WIDTH - 1)
        edge_x = page.get_left()[0] + EXAMPLE_WIDTH * advance + 0.05
        edge = DashedLine([edge_x, page.get_top()[1] + 0.3, 0], [edge_x, page.get_bottom()[1] - 0.2, 0], color=style.WIDTH_CURVE)
        width_name = style.text(f"line width: {EXAMPLE_WIDTH} characters", style.SMALL_SIZE, style.WIDTH_CURVE)
        width_name.next_to(edge, UP, buff=0.1).align_to(edge, RIGHT)
        so_far = Brace(page[-1][:-1], DOWN, color=style.COUNT_CURVE)
        so_far_name = style.text(f"characters since the newline: {len(unfinished)}", style.SMALL_SIZE, style.COUNT_CURVE)
        so_far_name.next_to(so_far, DOWN, buff=0.1).align_to(page, LEFT)
        self.fixed(title, tag)
        task = self.fixed(page, edge, width_name, so_far, so_far_name)
        with self.narrate(lines["intro"]):
            self.play(Write(title), FadeIn(tag), run_time=2)
            self.play(FadeIn(task), run_time=1.5)

        # Step 2: features with widening receptive fields tile the count
        feature_axes, feature_plot = get_plot("characters since the last newline", [0, 1.1, 0.5])
        fine = np.linspace(0, COUNT_MAX, 301)
        fields = VGroup(*[get_plot_curve(feature_axes, fine, column, style.COUNT_CURVE, 2.5) for column in get_features(fine).T])
        feature_label = style.text(f"{count(FIELDS)} features, wider as the count grows", style.SMALL_SIZE)
        feature_group = VGroup(feature_label, VGroup(feature_plot, fields)).arrange(DOWN, buff=0.15)
        feature_group.to_corner(UP + LEFT, buff=0.4).shift(DOWN * 1.25)
        self.fixed(feature_group)
        with self.narrate(lines["features"]):
            self.play(FadeIn(feature_label), FadeIn(feature_plot), run_time=1)
            self.play(Create(fields, lag_ratio=0.15), run_time=3)

        # Step 3: their top components trace a helix, turning about its axis
        count_shown = ValueTracker(0.0)
        count_helix, count_axis = self.strand(count_points, style.COUNT_CURVE, count_shown)
        ends = VGroup(*[self.follow(style.text(str(end), style.SMALL_SIZE, style.COUNT_CURVE),
                                    lambda end=end: count_points()[end], offset=RIGHT * 0.3) for end in (0, COUNT_MAX)])
        helix_label = self.fixed(style.text("characters since the newline: top 3 components", style.SMALL_SIZE,
                                            style.COUNT_CURVE)).move_to([SOLO[0], CAPTION_Y, 0])
        angle.add_updater(lambda tracker, dt: tracker.increment_value(dt * 2 * math.pi / TURN_SECONDS))
        with self.narrate(lines["helix"]):
            self.play(FadeOut(task), run_time=1)
            self.settle(title, tag, feature_label, feature_plot, fields)
            self.add(angle)
            self.add(count_helix)
            self.play(FadeIn(count_axis), count_shown.animate.set_value(1), FadeIn(ends), FadeIn(helix_label), run_time=3)

        # Step 4: cut to six dimensions, the similarity rings
        row = get_ringing_count(construction)
        ring_axes, ring_plot = get_plot("count", [-0.2, 1.0, 0.5])
        counts = construction.counts
        true_curve = get_plot_curve(ring_axes, counts, get_cosines(construction.features, construction.features)[row], style.MUTED)
        low_curve = get_plot_curve(ring_axes, counts, construction.truncated[row], style.COUNT_CURVE)
        dips = get_dips(ring_axes, construction.truncated[row])
        ring_label = VGroup(style.text(f"similarity to count {row}:", style.SMALL_SIZE),
                            VGroup(style.text("true", style.SMALL_SIZE, style.MUTED),
                                   style.text(f"{count(HEAD_DIM)} dimensions", style.SMALL_SIZE, style.COUNT_CURVE),
                                   style.text("below zero", style.SMALL_SIZE, style.EXCLUDED)).arrange(RIGHT, buff=0.25)
                            ).arrange(DOWN, aligned_edge=LEFT, buff=0.1)
        ring_group = VGroup(ring_label, VGroup(ring_plot, true_curve, low_curve, dips)).arrange(DOWN, buff=0.15)
        ring_group.next_to(feature_group, DOWN, buff=0.35).align_to(feature_group, LEFT)
        self.fixed(ring_group)
        with self.narrate(lines["ringing"]):
            self.play(FadeIn(ring_label), FadeIn(ring_plot), FadeIn(true_curve), run_time=1)
            self.play(Create(low_curve), FadeIn(dips), run_time=2)
        self.settle(ring_label, ring_plot, true_curve, low_curve, dips)

        # Step 5: the width helix, beside it; in the raw stream count i and width i barely agree
        width_shown = ValueTracker(0.0)
        width_helix, width_axis = self.strand(width_points, style.WIDTH_CURVE, width_shown)
        count_name = self.fixed(style.text("characters since the newline", style.SMALL_SIZE, style.COUNT_CURVE))
        width_name = self.fixed(style.text("line width", style.SMALL_SIZE, style.WIDTH_CURVE))
        count_name.move_to([BESIDE[0], CAPTION_Y, 0])
        width_name.move_to([WIDTH_SPOT[0], CAPTION_Y, 0])
        count_dot = self.follow(Dot(radius=0.09, color=style.HIGHLIGHT), lambda: count_points()[EXAMPLE_COUNT])
        same_dot = self.follow(Dot(radius=0.08, color=style.INK), lambda: width_points()[EXAMPLE_COUNT])
        best_dot = self.follow(Dot(radius=0.09, color=style.HIGHLIGHT), lambda: width_points()[example["best_width"]])
        count_tag = self.follow(style.text(f"count {EXAMPLE_COUNT}", style.SMALL_SIZE, style.HIGHLIGHT),
                                lambda: count_points()[EXAMPLE_COUNT], offset=OUT * TAG_GAP)
        same_tag = self.follow(style.text(f"width {EXAMPLE_COUNT}", style.SMALL_SIZE, style.INK),
                               lambda: width_points()[EXAMPLE_COUNT], offset=IN * TAG_GAP)
        best_tag = self.follow(style.text(f"width {example['best_width']}", style.SMALL_SIZE, style.HIGHLIGHT),
                               lambda: width_points()[example["best_width"]], offset=IN * TAG_GAP)
        raw = self.fixed(style.text(f"raw residual stream: count {EXAMPLE_COUNT} and width {EXAMPLE_COUNT}, "
                                    f"cosine {example['raw']:.2f}", style.LABEL_SIZE)).move_to([MERGED[0], FINDING_Y, 0])
        on_screen(raw)
        with self.narrate(lines["width"]):
            self.play(FadeOut(ends), FadeOut(helix_label), count_spot.animate.set_value(1), run_time=1.5)
            self.add(width_helix)
            self.play(FadeIn(width_axis), width_shown.animate.set_value(1), FadeIn(count_name), FadeIn(width_name), run_time=2)
            self.play(FadeIn(count_dot), FadeIn(same_dot), FadeIn(count_tag), FadeIn(same_tag), FadeIn(raw), run_time=1)

        # Step 6: the head's query-key map twists one against the other: count i meets width i + OFFSET
        after = self.fixed(style.text(f"after the query-key map: count {EXAMPLE_COUNT} and width {example['best_width']}, "
                                      f"cosine {example['twisted']:.3f}", style.LABEL_SIZE, style.HIGHLIGHT))
        on_screen(after.move_to([MERGED[0], FINDING_Y, 0]))
        merged_name = self.fixed(style.text(f"count i meets width i + {OFFSET}", style.SMALL_SIZE)).move_to([MERGED[0], CAPTION_Y, 0])
        with self.narrate(lines["twist"]):
            self.play(FadeOut(count_name), FadeOut(width_name), FadeOut(same_dot), FadeOut(same_tag),
                      FadeIn(best_dot), FadeIn(best_tag), run_time=1)
            self.play(twist.animate.set_value(1), run_time=5, rate_func=smooth)
            self.play(FadeOut(raw), FadeIn(after), FadeIn(merged_name), run_time=1)

        # Step 7: the clock again
        keys = get_key_list(frames)
        again = self.fixed(style.text("Fourier features again,\nas on our model's clock" + (f"\n(frequencies {keys})" if keys else ""),
                                      style.SMALL_SIZE, style.HIGHLIGHT))
        again.move_to([1.0, -3.6, 0])
        with self.narrate(lines["clock"]):
            self.play(FadeIn(again), run_time=1)
