"""Beyond toys: the helix of Gurnee et al. (2025). An illustration built from the paper's construction
(scenes/manifold.py), not our model's data: character counts lie on a helix, and an attention head's
query-key map twists it against the line-width helix so that count i meets width i + epsilon."""

from __future__ import annotations

import math
import textwrap

import numpy as np
from manim import (
    DEGREES,
    DOWN,
    IN,
    LEFT,
    ORIGIN,
    OUT,
    RIGHT,
    UP,
    Axes,
    Brace,
    Create,
    DashedLine,
    Dot,
    FadeIn,
    FadeOut,
    Line,
    ThreeDScene,
    ValueTracker,
    VGroup,
    VMobject,
    Write,
    linear,
    rate_functions,
    smooth,
)

from scenes import style
from scenes.manifold import (
    COUNT_MAX,
    FIELDS,
    HEAD_DIM,
    OFFSET,
    Construction,
    get_construction,
    get_cosines,
    get_features,
    get_twist_power,
)
from scenes.narration import NarratedScene, count, percent

EXAMPLE_COUNT = 60  # the count whose best match is followed on screen
EXAMPLE_TEXT = (
    "When a model writes text wrapped at a fixed width, it has to know, word by word, whether the "
    "next one still fits on the line or a newline must come first."
)
EXAMPLE_WIDTH = 34  # the wrapping width of EXAMPLE_TEXT, in characters
TICK_COUNTS = (0, 50, 100, 150)  # counts marked along the helix
HELIX_SCALE = 1.3  # screen units per unit of component coordinate
AXIS_STRETCH = 1.8  # display only: the axis drawn taller than it is, so one and a bit turns read as a coil
HELIX_SEGMENTS = 24  # pieces per helix, so brightness can rise along the count and depth sort
CAMERA_PHI = 70 * DEGREES  # the camera looks at the helices from 20 degrees above their equator
CAMERA_DISTANCE = 100  # far enough that the view is nearly orthographic: vertical axes stay vertical
TOWARD_CAMERA = np.array([0.0, -math.sin(CAMERA_PHI), math.cos(CAMERA_PHI)])  # at theta = -90 degrees
HELIX_RADIUS = 0.85  # about the largest distance of the curve from its axis, in component units
TURN_SECONDS = 24  # one full turn of the helices about their axes, while they turn
SOLO = np.array([2.3, 0.0, -0.1])  # the count helix alone (world coordinates; x is screen x, z is up)
BESIDE = np.array([0.6, 0.0, -0.1])  # the count helix beside the width helix
WIDTH_SPOT = np.array([4.0, 0.0, -0.1])  # the width helix
MERGED = (BESIDE + WIDTH_SPOT) / 2  # both, compared by the head
TAG_GAP = 0.35  # how far above (count) or below (width) a marked point its tag sits
CAPTION_Y = -2.75  # screen height of the names under the helices
FINDING_Y = -3.4  # screen height of the finding in words
INSET_SIZE = (4.3, 1.35)  # width, height of the two 2-D plots on the left


def get_helix_points(coords: np.ndarray, frame: np.ndarray, angle: float, centre: np.ndarray) -> np.ndarray:
    """coords [n, >= 3] component coordinates -> [n, 3] world points: the helix axis (frame row 0)
    vertical and stretched by AXIS_STRETCH, the curve turned by `angle` about it."""
    axis, across, deep = (coords[:, :3] @ frame.T).T  # [n] each; coords are centred
    cos, sin = math.cos(angle), math.sin(angle)
    return centre + HELIX_SCALE * np.stack(
        [across * cos - deep * sin, across * sin + deep * cos, AXIS_STRETCH * axis], axis=1
    )


def get_axis_ends(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The helix's axis: the vertical through the middle of points [n, 3], a little beyond both ends."""
    middle = points.mean(axis=0)
    return (
        np.array([middle[0], middle[1], points[:, 2].min() - 0.2]),
        np.array([middle[0], middle[1], points[:, 2].max() + 0.2]),
    )


def get_ringing_count(construction: Construction) -> int:
    """The count whose low-dimensional similarity row dips furthest below zero: where ringing shows best."""
    return int(construction.truncated.min(axis=1).argmin())


def get_example(construction: Construction) -> dict[str, float]:
    """The numbers the scene quotes, for EXAMPLE_COUNT: its raw cosine with the same width, its best
    width after the twist and that cosine, and the variance share of the kept components."""
    twisted = construction.twisted_cosines[EXAMPLE_COUNT]
    return {
        "raw": float(construction.raw_cosines[EXAMPLE_COUNT, EXAMPLE_COUNT]),
        "best_width": int(twisted.argmax()),
        "twisted": float(twisted.max()),
        "share": float(construction.share[:HEAD_DIM].sum()),
    }


def get_turns_said(construction: Construction) -> str:
    """The one-count turn of each pair of waves, as read aloud: '1.9, 3.8 and 5.9'."""
    turns = [f"{turn:.1f}" for turn in construction.step_turns]
    return ", ".join(turns[:-1]) + f" and {turns[-1]}"


def get_wrapped_example() -> tuple[list[str], str]:
    """(full lines, the unfinished last line): EXAMPLE_TEXT wrapped at EXAMPLE_WIDTH, stopped mid-line."""
    lines = textwrap.wrap(EXAMPLE_TEXT, EXAMPLE_WIDTH)
    return lines[:3], lines[3][: len(lines[3]) // 2 + 1]


def get_plot(x_label: str, y_range: list[float]) -> tuple[Axes, VGroup]:
    """A small 2-D plot over the count 0..COUNT_MAX, with Text tick labels (no LaTeX)."""
    axes = Axes(
        x_range=[0, COUNT_MAX, 50],
        y_range=y_range,
        x_length=INSET_SIZE[0],
        y_length=INSET_SIZE[1],
        tips=False,
        axis_config={"color": style.MUTED, "stroke_width": 2},
    )
    ticks = VGroup(
        *[
            style.text(str(x), style.TICK_SIZE, style.MUTED).next_to(axes.c2p(x, y_range[0]), DOWN, buff=0.08)
            for x in range(0, COUNT_MAX + 1, 50)
        ]
    )
    levels = VGroup(
        *[style.text(str(y), style.TICK_SIZE, style.MUTED).next_to(axes.c2p(0, y), LEFT, buff=0.08) for y in (0, 1)]
    )
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


def get_finding(where: str, what: str, color) -> VGroup:
    """Two centred lines under the helices: where the comparison is made (small, muted), what it finds."""
    return VGroup(style.text(where, style.SMALL_SIZE, style.MUTED), style.text(what, style.LABEL_SIZE, color)).arrange(
        DOWN, buff=0.1
    )


class Strand(VGroup):
    """A helix drawn as HELIX_SEGMENTS pieces that are rewritten in place each frame (building new
    mobjects every frame is what made this scene slow): dim at count 0 and bright at the end, thicker
    and brighter nearer the camera, and back pieces drawn first so the eye reads which is in front."""

    def __init__(self, color):
        self.pieces = [VMobject(stroke_color=color) for _ in range(HELIX_SEGMENTS)]  # in count order
        super().__init__(*self.pieces)

    def draw(self, points: np.ndarray, shown: float = 1.0) -> Strand:
        """Show the first `shown` share of the curve through points [n, 3]."""
        last = max(1, round(shown * (len(points) - 1)))
        bounds = np.linspace(0, last, HELIX_SEGMENTS + 1).round().astype(int)
        nearness = (points - points.mean(axis=0)) @ TOWARD_CAMERA / (HELIX_SCALE * HELIX_RADIUS)  # [n], about -1..1
        depth = []
        for index, (piece, start, end) in enumerate(zip(self.pieces, bounds[:-1], bounds[1:])):
            near = float(np.clip(nearness[start : end + 1].mean(), -1, 1) + 1) / 2  # 0 back .. 1 front
            piece.set_points_as_corners(points[start : max(end, start + 1) + 1])
            piece.set_stroke(
                width=3 + 4 * near,
                opacity=0 if end == start else (0.35 + 0.65 * index / (HELIX_SEGMENTS - 1)) * (0.45 + 0.55 * near),
            )
            depth.append(near)
        self.submobjects = [self.pieces[i] for i in np.argsort(depth, kind="stable")]
        return self


class HelixTwist(NarratedScene, ThreeDScene):
    @staticmethod
    def script(frames: dict) -> dict[str, str]:
        """The lines; an illustration of another paper, so nothing in them comes from `frames`."""
        construction = get_construction()
        example = get_example(construction)
        return {
            "intro": "So far, every picture came from the model we trained. This one illustrates a published finding "
            "instead: Gurnee and colleagues, 2025, When Models Manipulate Manifolds, on how Claude 3.5 Haiku "
            "knows when a line of text must break. We rebuild their picture from its mathematics.",
            "features": "The model counts the characters since the last newline with features like place cells, each "
            f"firing over a stretch of counts, wider as the line grows. We build {count(FIELDS)} such "
            f"features over 0 to {count(COUNT_MAX)} characters.",
            "helix": "Nearby counts share features, distant ones do not: their similarity is a narrow peak, and its top "
            "eigenvectors are Fourier modes, waves over the count. So the first three components wind about "
            f"an axis as the count climbs: a helix. {count(HEAD_DIM)} components hold "
            f"{percent(example['share'])} of the variance.",
            "ringing": f"{count(HEAD_DIM)} dimensions cut the Fourier series short, so the similarity overshoots below "
            "zero and back: ringing, which puts ripples on the curve.",
            "width": "The line's width lies on a helix of its own, in other directions. "
            "In the raw residual stream, the vector every layer reads and adds to, "
            f"as in the paper, count {EXAMPLE_COUNT} and width {EXAMPLE_COUNT} barely agree: "
            f"cosine {example['raw']:.2f}.",
            "twist": "An attention head's query-key map, which decides where it looks, brings the two together and twists the count helix along "
            f"itself: count {EXAMPLE_COUNT} now meets width {example['best_width']}, cosine "
            f"{example['twisted']:.3f}. {count(OFFSET)} characters before the end of the line, the head fires.",
            "clock": "The same idea as our model's clock: numbers on waves, and a step is a turn. Here one more "
            f"character turns the three pairs of waves by about {get_turns_said(construction)} degrees.",
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

    def construct(self):
        lines = self.script({})
        construction = get_construction()
        example = get_example(construction)
        coords, frame, twist_map = construction.coords, construction.frame, construction.twist
        self.set_camera_orientation(phi=CAMERA_PHI, theta=-90 * DEGREES, focal_distance=CAMERA_DISTANCE)
        angle, twist = ValueTracker(0.0), ValueTracker(0.0)
        count_spot = ValueTracker(0.0)  # the count helix: 0 alone, 1 beside the width helix
        meet = ValueTracker(0.0)  # 1: both helices at MERGED, where the head compares them

        def count_points():
            place = SOLO + (BESIDE - SOLO) * count_spot.get_value()
            place = place + (MERGED - place) * meet.get_value()
            turned = coords @ get_twist_power(twist_map, twist.get_value()).T
            return get_helix_points(turned, frame, angle.get_value(), place)

        def turn(seconds: float, last: bool = False):
            """The helices turn about their axes for `seconds`, at one turn per TURN_SECONDS; the last turn of
            a beat slows to a stop. They hold still otherwise: still frames cost nothing to render."""
            speed = 2 * math.pi / TURN_SECONDS
            if last:  # ease_out_sine starts at pi/2 times its mean speed
                return angle.animate(rate_func=rate_functions.ease_out_sine, run_time=seconds).increment_value(
                    speed * seconds * 2 / math.pi
                )
            return angle.animate(rate_func=linear, run_time=seconds).increment_value(speed * seconds)

        def width_points():
            return get_helix_points(
                coords, frame, angle.get_value(), WIDTH_SPOT + (MERGED - WIDTH_SPOT) * meet.get_value()
            )

        # Step 1: what this is, and the task: where does the line break?
        title = style.text("Beyond toys: counting characters on a helix", style.TITLE_SIZE).to_edge(UP, buff=0.25)
        tag = style.text(
            "An illustration of Gurnee et al. 2025, “When Models Manipulate Manifolds” (Claude 3.5 Haiku),\n"
            "rebuilt from the paper's construction: not the model we trained",
            style.SMALL_SIZE,
            style.HIGHLIGHT,
        )
        tag.next_to(title, DOWN, buff=0.15)
        full, unfinished = get_wrapped_example()
        page = VGroup(*[style.mono(line, style.SMALL_SIZE) for line in full + [unfinished + "|"]])
        page.arrange(DOWN, aligned_edge=LEFT, buff=0.18).move_to(DOWN * 0.2)
        advance = (
            style.mono("M" * EXAMPLE_WIDTH, style.SMALL_SIZE).width - style.mono("M", style.SMALL_SIZE).width
        ) / (EXAMPLE_WIDTH - 1)
        edge_x = page.get_left()[0] + EXAMPLE_WIDTH * advance + 0.05
        edge = DashedLine(
            [edge_x, page.get_top()[1] + 0.3, 0], [edge_x, page.get_bottom()[1] - 0.2, 0], color=style.WIDTH_CURVE
        )
        width_label = style.text(f"line width: {EXAMPLE_WIDTH} characters", style.SMALL_SIZE, style.WIDTH_CURVE)
        width_label.next_to(edge, UP, buff=0.1).align_to(edge, RIGHT)
        so_far = Brace(page[-1][:-1], DOWN, color=style.COUNT_CURVE)
        so_far_label = style.text(
            f"characters since the newline: {len(unfinished)}", style.SMALL_SIZE, style.COUNT_CURVE
        )
        so_far_label.next_to(so_far, DOWN, buff=0.1).align_to(page, LEFT)
        self.fixed(title, tag)
        task = self.fixed(page, edge, width_label, so_far, so_far_label)
        with self.narrate(lines["intro"]):
            self.play(Write(title), FadeIn(tag), run_time=2)
            self.play(FadeIn(task), run_time=1.5)

        # Step 2: features with widening receptive fields tile the count
        feature_axes, feature_plot = get_plot("characters since the last newline", [0, 1.1, 0.5])
        fine = np.linspace(0, COUNT_MAX, 301)
        fields = VGroup(
            *[get_plot_curve(feature_axes, fine, column, style.COUNT_CURVE, 2.5) for column in get_features(fine).T]
        )
        feature_label = style.text(f"{count(FIELDS)} features, wider as the count grows", style.SMALL_SIZE)
        feature_group = VGroup(feature_label, VGroup(feature_plot, fields)).arrange(DOWN, buff=0.15)
        feature_group.to_corner(UP + LEFT, buff=0.4).shift(DOWN * 1.3)
        self.fixed(feature_group)
        with self.narrate(lines["features"]):
            self.play(FadeOut(task), FadeIn(feature_label), FadeIn(feature_plot), run_time=1)
            self.play(Create(fields, lag_ratio=0.15), run_time=3)

        # Step 3: their top components trace a helix, turning about its axis
        count_shown = ValueTracker(0.0)
        count_helix, count_axis = self.strand(count_points, style.COUNT_CURVE, count_shown)
        ticks = VGroup(
            *[
                VGroup(
                    self.follow(Dot(radius=0.05, color=style.COUNT_CURVE), lambda at=at: count_points()[at]),
                    self.follow(
                        style.text(str(at), style.SMALL_SIZE, style.COUNT_CURVE),
                        lambda at=at: count_points()[at],
                        offset=RIGHT * 0.32,
                    ),
                )
                for at in TICK_COUNTS
            ]
        )
        helix_label = self.fixed(
            style.text(
                f"characters since the newline: top 3 of {count(HEAD_DIM)} components",
                style.SMALL_SIZE,
                style.COUNT_CURVE,
            )
        ).move_to([SOLO[0], CAPTION_Y, 0])
        with self.narrate(lines["helix"]):
            self.add(count_helix)
            self.play(FadeIn(count_axis), count_shown.animate.set_value(1), FadeIn(helix_label), turn(3), run_time=3)
            self.play(FadeIn(ticks), turn(1), run_time=1)
            self.play(turn(6, last=True), run_time=6)

        # Step 4: cut to HEAD_DIM dimensions, the similarity rings
        row = get_ringing_count(construction)
        ring_axes, ring_plot = get_plot("count", [-0.2, 1.0, 0.5])
        counts = construction.counts
        true_curve = get_plot_curve(
            ring_axes, counts, get_cosines(construction.features, construction.features)[row], style.MUTED
        )
        low_curve = get_plot_curve(ring_axes, counts, construction.truncated[row], style.COUNT_CURVE)
        dips = get_dips(ring_axes, construction.truncated[row])
        ring_label = VGroup(
            style.text(f"similarity to count {row}:", style.SMALL_SIZE),
            VGroup(
                style.text("true", style.SMALL_SIZE, style.MUTED),
                style.text(f"{count(HEAD_DIM)} dimensions", style.SMALL_SIZE, style.COUNT_CURVE),
                style.text("below zero", style.SMALL_SIZE, style.EXCLUDED),
            ).arrange(RIGHT, buff=0.25),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.1)
        ring_group = VGroup(ring_label, VGroup(ring_plot, true_curve, low_curve, dips)).arrange(DOWN, buff=0.15)
        ring_group.next_to(feature_group, DOWN, buff=0.35).align_to(feature_group, LEFT)
        self.fixed(ring_group)
        with self.narrate(lines["ringing"]):
            self.play(FadeIn(ring_label), FadeIn(ring_plot), FadeIn(true_curve), run_time=1)
            self.play(Create(low_curve), FadeIn(dips), run_time=2)

        # Step 5: the width helix beside it; in the raw stream count i and width i barely agree
        width_shown = ValueTracker(0.0)
        width_helix, width_axis = self.strand(width_points, style.WIDTH_CURVE, width_shown)
        count_name = self.fixed(style.text("characters since the newline", style.SMALL_SIZE, style.COUNT_CURVE))
        width_name = self.fixed(style.text("line width", style.SMALL_SIZE, style.WIDTH_CURVE))
        count_name.move_to([BESIDE[0], CAPTION_Y, 0])
        width_name.move_to([WIDTH_SPOT[0], CAPTION_Y, 0])
        count_dot = self.follow(Dot(radius=0.09, color=style.HIGHLIGHT), lambda: count_points()[EXAMPLE_COUNT])
        same_dot = self.follow(Dot(radius=0.08, color=style.INK), lambda: width_points()[EXAMPLE_COUNT])
        best_dot = self.follow(Dot(radius=0.09, color=style.HIGHLIGHT), lambda: width_points()[example["best_width"]])
        count_tag = self.follow(
            style.text(f"count {EXAMPLE_COUNT}", style.SMALL_SIZE, style.HIGHLIGHT),
            lambda: count_points()[EXAMPLE_COUNT],
            offset=OUT * TAG_GAP,
        )
        same_tag = self.follow(
            style.text(f"width {EXAMPLE_COUNT}", style.SMALL_SIZE, style.INK),
            lambda: width_points()[EXAMPLE_COUNT],
            offset=IN * TAG_GAP,
        )
        best_tag = self.follow(
            style.text(f"width {example['best_width']}", style.SMALL_SIZE, style.HIGHLIGHT),
            lambda: width_points()[example["best_width"]],
            offset=IN * TAG_GAP,
        )
        raw = self.fixed(
            get_finding(
                "in the raw residual stream",
                f"count {EXAMPLE_COUNT} · width {EXAMPLE_COUNT}: cosine {example['raw']:.2f}",
                style.INK,
            )
        ).move_to([MERGED[0], FINDING_Y, 0])
        with self.narrate(lines["width"]):
            self.play(FadeOut(ticks), FadeOut(helix_label), count_spot.animate.set_value(1), turn(1.5), run_time=1.5)
            self.add(width_helix)
            self.play(
                FadeIn(width_axis),
                width_shown.animate.set_value(1),
                FadeIn(count_name),
                FadeIn(width_name),
                turn(2),
                run_time=2,
            )
            self.play(
                FadeIn(count_dot),
                FadeIn(same_dot),
                FadeIn(count_tag),
                FadeIn(same_tag),
                FadeIn(raw),
                turn(1.5, last=True),
                run_time=1.5,
            )

        # Step 6: the head's query-key map brings them together and twists: count i meets width i + OFFSET
        after = self.fixed(
            get_finding(
                "after the head's query-key map",
                f"count {EXAMPLE_COUNT} · width {example['best_width']}: cosine {example['twisted']:.3f}",
                style.HIGHLIGHT,
            )
        )
        after.move_to([MERGED[0], FINDING_Y, 0])
        merged_name = self.fixed(style.text(f"count i meets width i + {OFFSET}", style.SMALL_SIZE)).move_to(
            [MERGED[0], CAPTION_Y, 0]
        )
        with self.narrate(lines["twist"]):
            self.play(
                FadeOut(count_name),
                FadeOut(width_name),
                FadeOut(width_axis),
                meet.animate.set_value(1),
                turn(2),
                run_time=2,
            )
            self.play(FadeOut(same_dot), FadeOut(same_tag), FadeIn(best_dot), FadeIn(best_tag), turn(0.8), run_time=0.8)
            self.play(twist.animate(rate_func=smooth).set_value(1), turn(4), run_time=4)
            self.play(FadeOut(raw), FadeIn(after), FadeIn(merged_name), turn(1.5, last=True), run_time=1.5)

        # Step 7: the clock again: a step along the count is a turn
        again = self.fixed(
            style.text(
                "As on our model's clock:\nnumbers on waves, a step is a turn.\n"
                f"One character more turns the three\npairs of waves by {get_turns_said(construction)}°",
                style.SMALL_SIZE,
                style.HIGHLIGHT,
            )
        )
        again.to_edge(LEFT, buff=0.4).set_y(0)
        with self.narrate(lines["clock"]):
            self.play(FadeOut(feature_group), FadeOut(ring_group), run_time=1)
            self.play(FadeIn(again), run_time=1)
