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
    AnimationGroup,
    Axes,
    Circle,
    Create,
    DashedLine,
    Dot,
    FadeIn,
    FadeOut,
    Group,
    ImageMobject,
    Line,
    Rectangle,
    Sector,
    Succession,
    Text,
    ThreeDScene,
    Transform,
    ValueTracker,
    VGroup,
    VMobject,
    Write,
    linear,
    smooth,
)

from scenes import narration, style  # narration.Line: the name Line is manim's, drawing the helices' axes
from scenes.helpers import redrawn
from scenes.manifold import (
    COUNT_MAX,
    FIELDS,
    HEAD_DIM,
    OFFSET,
    Construction,
    get_construction,
    get_cosines,
    get_features,
    get_twist,
    get_twist_power,
)
from scenes.narration import NarratedScene, count, percent, say

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
TURN_SECONDS = 18  # one full turn of the helices about their axes, while they turn
SOLO = np.array([2.3, 0.0, -0.1])  # the count helix alone (world coordinates; x is screen x, z is up)
BESIDE = np.array([0.6, 0.0, -0.1])  # the count helix beside the width helix
WIDTH_SPOT = np.array([4.0, 0.0, -0.1])  # the width helix
MERGED = (BESIDE + WIDTH_SPOT) / 2  # both, compared by the head
TAG_GAP = 0.35  # how far above (count) or below (width) a marked point its tag sits
CAPTION_Y = -2.75  # screen height of the names under the helices
FINDING_Y = -3.4  # screen height of the finding in words
INSET_SIZE = (4.3, 1.35)  # width, height of the two 2-D plots on the left
FEATURE_ZOOM = 1.7  # the feature plot is shown this much larger while its fields are swept, then set in its corner
FIELD_FILL = 0.55  # opacity of a field's area where it fires fully
SHORT_WIDTH, SHORT_HEIGHT = 5.6, 0.4  # the line of text the head reads, as a row of cells
PAIR_RADIUS = 0.75  # the clocks of the pairs of waves
WAVE_ZOOM = 1.5  # the plot of the top components is shown this much larger, then set below the features
MAP_SIZE = 3.4  # the similarity of every two counts, shown where the helix will be


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


def get_plot(x_label: str, y_range: list[float], levels: tuple[float, ...] = (0, 1)) -> tuple[Axes, VGroup]:
    """A small 2-D plot over the count 0..COUNT_MAX, with Text tick labels (no LaTeX) at `levels`."""
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
        *[style.text(str(y), style.TICK_SIZE, style.MUTED).next_to(axes.c2p(0, y), LEFT, buff=0.08) for y in levels]
    )
    title = style.text(x_label, style.TICK_SIZE, style.MUTED).next_to(ticks, DOWN, buff=0.08)
    return axes, VGroup(axes, ticks, levels, title)


def get_plot_curve(axes: Axes, xs: np.ndarray, ys: np.ndarray, color, width: float = 3) -> VMobject:
    curve = VMobject(stroke_color=color, stroke_width=width)
    curve.set_points_as_corners([axes.c2p(x, y) for x, y in zip(xs, ys)])
    return curve


def get_plot_area(axes: Axes, xs: np.ndarray, ys: np.ndarray, color) -> VMobject:
    """The area between a curve and the plot's zero line, filled, transparent until lit."""
    area = VMobject(stroke_width=0).set_fill(color, 0)
    area.set_points_as_corners(
        [axes.c2p(xs[0], 0), *[axes.c2p(x, y) for x, y in zip(xs, ys)], axes.c2p(xs[-1], 0), axes.c2p(xs[0], 0)]
    )
    return area


def get_finding(where: str, what: str, color) -> VGroup:
    """Two centred lines under the helices: where the comparison is made (small, muted), what it finds."""
    return VGroup(style.text(where, style.SMALL_SIZE, style.MUTED), style.text(what, style.LABEL_SIZE, color)).arrange(
        DOWN, buff=0.1
    )


def get_line_short(count_so_far: int, width: int) -> VGroup:
    """A line `width` characters wide as a row of cells: the first `count_so_far` written, the rest still to go,
    which is where the head fires."""
    cell = SHORT_WIDTH / width
    written = Rectangle(width=cell * count_so_far, height=SHORT_HEIGHT, stroke_width=0)
    to_go = Rectangle(width=cell * (width - count_so_far), height=SHORT_HEIGHT, color=style.HIGHLIGHT, stroke_width=2)
    row = VGroup(written.set_fill(style.COUNT_CURVE, 0.6), to_go.set_fill(style.HIGHLIGHT, 0.3)).arrange(RIGHT, buff=0)
    end = DashedLine(row.get_corner(UP + RIGHT) + UP * 0.15, row.get_corner(DOWN + RIGHT) + DOWN * 0.15)
    end.set_color(style.WIDTH_CURVE)
    written_label = style.text(f"count {count_so_far}", style.SMALL_SIZE, style.COUNT_CURVE)
    written_label.next_to(written, DOWN, buff=0.2)
    end_label = style.text(f"width {width}", style.SMALL_SIZE, style.WIDTH_CURVE).next_to(end, DOWN, buff=0.05)
    fires = style.text(f"{width - count_so_far} characters to go: the head fires", style.SMALL_SIZE, style.HIGHLIGHT)
    fires.next_to(row, UP, buff=0.25).align_to(row, RIGHT)
    title = style.text(f"on a line {width} characters wide", style.SMALL_SIZE, style.MUTED)
    return VGroup(title, VGroup(row, end, written_label, end_label, fires)).arrange(DOWN, aligned_edge=LEFT, buff=0.2)


def get_pair_turns(construction: Construction) -> list[np.ndarray]:
    """Each count's place on the pairs of waves that one more character turns, slowest first: [HEAD_DIM // 2] of
    [n] complex numbers, the counts' coordinates on the eigenvectors of the one-count shift, whose angle grows by
    about that pair's step turn (construction.step_turns) per count."""
    values, vectors = np.linalg.eig(get_twist(construction.coords, construction.coords, offset=1))
    places = construction.coords @ np.linalg.inv(vectors).T  # [n, d]
    turning = sorted(np.flatnonzero(np.angle(values) > 0), key=lambda j: np.angle(values[j]))
    return [places[:, j] for j in turning]


def get_pair_clocks(construction: Construction, reading: ValueTracker) -> VGroup:
    """A clock per pair of waves, in a row: each draws the path of every count in the pair's plane (scaled to the
    clock), a hand to the count `reading` has reached, the turn from count 0 filled (a full turn starts it again),
    and how far one character turns it."""
    clocks = VGroup()
    for places, turn in zip(get_pair_turns(construction), construction.step_turns):
        points = PAIR_RADIUS / np.abs(places).max() * np.stack([places.real, places.imag, 0 * places.real], axis=1)
        turned = np.unwrap(np.angle(places))  # [n] the hand's angle, whole turns counted
        rim = Circle(radius=PAIR_RADIUS, color=style.GRID, stroke_width=1.5)
        path = VMobject(stroke_color=style.MUTED, stroke_width=1.5).set_points_as_corners(points)
        label = style.text(f"{turn:.1f}° a character", style.SMALL_SIZE).next_to(rim, DOWN, buff=0.15)

        def get_hand(rim=rim, points=points, turned=turned):
            at = round(reading.get_value())
            centre = rim.get_center()
            so_far = (turned[at] - turned[0]) % (2 * math.pi)
            wedge = Sector(radius=0.9 * PAIR_RADIUS, start_angle=turned[0], angle=so_far or 1e-4)
            return VGroup(
                wedge.set_fill(style.COUNT_CURVE, 0.3).shift(centre),
                Line(centre, centre + points[at], color=style.HIGHLIGHT, stroke_width=4),
                Dot(centre + points[at], radius=0.05, color=style.COUNT_CURVE),
            )

        clocks.add(VGroup(VGroup(rim, path, label), redrawn(get_hand)))
    return clocks.arrange(RIGHT, buff=0.35)


def get_similarity_map(construction: Construction) -> Group:
    """The cosine similarity of every two counts' features as an image (count along both sides, 0 at the lower
    left), a narrow bright band along the diagonal; with its frame, ends and title."""
    cosines = get_cosines(construction.features, construction.features)  # [n, n], 0..1: activations are positive
    dark, bright = (np.array(color.to_rgb()) for color in (style.BACKGROUND, style.COUNT_CURVE))
    rgb = np.round(255 * (dark + cosines[::-1, :, None] * (bright - dark))).astype(np.uint8)  # row 0 on top
    image = ImageMobject(rgb).set_height(MAP_SIZE)
    frame = Rectangle(width=MAP_SIZE, height=MAP_SIZE, color=style.GRID, stroke_width=1.5)
    ends = VGroup(
        style.text("0", style.TICK_SIZE, style.MUTED).next_to(frame, DOWN + LEFT, buff=0.05),
        style.text(str(COUNT_MAX), style.TICK_SIZE, style.MUTED).next_to(
            frame.get_corner(DOWN + RIGHT), DOWN, buff=0.08
        ),
        style.text(str(COUNT_MAX), style.TICK_SIZE, style.MUTED).next_to(frame.get_corner(UP + LEFT), LEFT, buff=0.08),
    )
    sides = VGroup(
        style.text("count", style.SMALL_SIZE, style.MUTED).next_to(frame, DOWN, buff=0.1),
        style.text("count", style.SMALL_SIZE, style.MUTED).next_to(frame, LEFT, buff=0.1),
    )
    title = style.text("similarity of every two counts", style.SMALL_SIZE).next_to(frame, UP, buff=0.15)
    return Group(image, frame, ends, sides, title)


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
    def script(frames: dict) -> dict[str, narration.Line]:
        """The lines; an illustration of another paper, so nothing in them comes from `frames`: their figures are
        the construction's."""
        construction = get_construction()
        example = get_example(construction)
        return {
            "intro": say(
                "So far, every picture came from the model we trained. This one illustrates a published finding "
                "instead: Gurnee and colleagues, 2025, When Models Manipulate Manifolds, on how Claude 3.5 Haiku "
                "knows when a line of text must break."
            ),
            "features": say(
                "The model counts the characters since the last newline with features like place cells, each "
                "firing over a stretch of counts, wider as the line grows. We build {n_features} such "
                "features over 0 to {max_count} characters.",
                n_features=count(FIELDS),
                max_count=count(COUNT_MAX),
            ),
            "helix": say(
                "Nearby counts share features, distant ones do not: their similarity is a narrow peak, whose top "
                "eigenvectors are Fourier modes: waves over the count. The first three components wind about "
                "an axis as the count climbs: a helix. {n_components} components hold {variance_share} of the "
                "variance.",
                n_components=count(HEAD_DIM),
                variance_share=percent(example["share"]),
            ),
            "width": say(
                "The line's width lies on a helix of its own, in other directions. "
                "In the raw residual stream, the vector every layer reads and adds to, "
                "as in the paper, count {example_count} and width {example_count} barely agree: "
                "cosine {raw_cosine}.",
                example_count=EXAMPLE_COUNT,
                raw_cosine=f"{example['raw']:.2f}",
            ),
            "twist": say(
                "An attention head's query-key map, which decides where it looks, brings the two together and twists "
                "the count helix along itself: count {example_count} now meets width {best_width}, cosine "
                "{twisted_cosine}. {chars_before_end} characters before the end of the line, the head fires.",
                example_count=EXAMPLE_COUNT,
                best_width=example["best_width"],
                twisted_cosine=f"{example['twisted']:.3f}",
                chars_before_end=count(OFFSET),
            ),
            "clock": say(
                "The same idea as our model's clock: numbers on waves, and a step is a turn. Here one more "
                "character turns the three pairs of waves by about {pair_turns} degrees.",
                pair_turns=get_turns_said(construction),
            ),
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

    def counter(self, words: str, value, place, color) -> Text:
        """A label `words` whose number follows value(), placed by place(label), drawn on the screen. Rewriting one
        Text into another of more glyphs adds glyphs, which are marked as drawn on the screen too (else the camera
        would draw them in the 3-D space, away from the label)."""
        made = {}

        def get_label() -> Text:
            number = value()
            if number not in made:
                made[number] = style.text(words.format(count(number)), style.SMALL_SIZE, color)
            return place(made[number].copy())

        def show(label):
            self.fixed(label.become(get_label()))

        return self.fixed(get_label().add_updater(show))

    @staticmethod
    def appear(*mobjects) -> list[FadeIn]:
        """Fade in mobjects that follow the turning helices, following them while they fade."""
        return [FadeIn(mobject, suspend_mobject_updating=False) for mobject in mobjects]

    @staticmethod
    def vanish(*mobjects) -> list[FadeOut]:
        """Fade out mobjects that follow the turning helices, following them while they fade."""
        return [FadeOut(mobject, suspend_mobject_updating=False) for mobject in mobjects]

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
        # While the helices are what the words are about they turn about their axes, so that their depth reads;
        # spin is the speed, as a share of one turn per TURN_SECONDS, eased in and out by animating it
        spin = ValueTracker(0.0)
        angle.add_updater(lambda m, dt: m.increment_value(spin.get_value() * 2 * math.pi / TURN_SECONDS * dt))
        self.add(angle)

        def count_points():
            place = SOLO + (BESIDE - SOLO) * count_spot.get_value()
            place = place + (MERGED - place) * meet.get_value()
            turned = coords @ get_twist_power(twist_map, twist.get_value()).T
            return get_helix_points(turned, frame, angle.get_value(), place)

        def width_points():
            return get_helix_points(
                coords, frame, angle.get_value(), WIDTH_SPOT + (MERGED - WIDTH_SPOT) * meet.get_value()
            )

        # Step 1: what this is, and the task: the text is typed, the count since the newline grows as a band
        # under the line being written and starts again at every newline
        title = style.text("Beyond toys: counting characters on a helix", style.TITLE_SIZE).to_edge(UP, buff=0.25)
        tag = style.text(
            "An illustration of Gurnee et al. 2025, “When Models Manipulate Manifolds” (Claude 3.5 Haiku),\n"
            "rebuilt from the paper's construction: not the model we trained",
            style.SMALL_SIZE,
            style.HIGHLIGHT,
        )
        tag.next_to(title, DOWN, buff=0.15)
        full, unfinished = get_wrapped_example()
        written = full + [unfinished]
        page = VGroup(*[style.mono(line, style.LABEL_SIZE) for line in written])
        page.arrange(DOWN, aligned_edge=LEFT, buff=0.22).move_to(DOWN * 0.3)
        advance = (
            style.mono("M" * EXAMPLE_WIDTH, style.LABEL_SIZE).width - style.mono("M", style.LABEL_SIZE).width
        ) / (EXAMPLE_WIDTH - 1)
        edge_x = page.get_left()[0] + EXAMPLE_WIDTH * advance + 0.05
        edge = DashedLine(
            [edge_x, page.get_top()[1] + 0.3, 0], [edge_x, page.get_bottom()[1] - 0.2, 0], color=style.WIDTH_CURVE
        )
        width_label = style.text(f"line width: {EXAMPLE_WIDTH} characters", style.SMALL_SIZE, style.WIDTH_CURVE)
        width_label.next_to(edge, UP, buff=0.1).align_to(edge, RIGHT)
        starts = np.cumsum([0] + [len(line) for line in written])  # where each line starts among the characters
        typed = ValueTracker(0.0)  # characters written so far

        def get_line_count() -> tuple[int, int]:
            """(the line being written, characters since its newline)."""
            at = min(int(np.searchsorted(starts, typed.get_value(), side="right")) - 1, len(written) - 1)
            return at, int(min(typed.get_value() - starts[at], len(written[at])))

        def show_typed(mobject):
            at, since = get_line_count()
            for index, (line, text) in enumerate(zip(written, mobject)):
                shown = len(line) if index < at else since if index == at else 0
                visible = len(line[:shown].replace(" ", ""))  # a Text has no glyph for a space
                for glyph_index, glyph in enumerate(text):
                    glyph.set_opacity(1.0 if glyph_index < visible else 0.0)

        line_height = page[0].height + 0.12
        band = Rectangle(width=1e-3, height=line_height, stroke_width=0).set_fill(style.COUNT_CURVE, 0.3)

        def place_band(mobject):
            at, since = get_line_count()
            mobject.stretch_to_fit_width(max(since * advance, 1e-3))
            mobject.move_to(page[at], aligned_edge=LEFT).set_y(page[at].get_y())

        page.add_updater(show_typed).update()
        band.add_updater(place_band).update()
        count_label = self.counter(
            "characters since the newline: {}",
            lambda: get_line_count()[1],
            lambda label: label.next_to(page, DOWN, buff=0.3).align_to(page, LEFT),
            style.COUNT_CURVE,
        )
        self.fixed(title, tag)
        task = self.fixed(band, page, edge, width_label, count_label)
        with self.narrate(lines["intro"]):
            self.play(Write(title), FadeIn(tag), run_time=2)
            self.add(task)
            self.play(typed.animate(rate_func=linear).set_value(starts[-1]), run_time=self.line_end - self.time - 0.5)
        page.clear_updaters()
        band.clear_updaters()
        count_label.clear_updaters()

        # Step 2: features with widening receptive fields tile the count; a sweep along the count lights each
        # one as much as it fires, shown large, then set in its corner beside where the helix will be
        feature_axes, feature_plot = get_plot("characters since the last newline", [0, 1.1, 0.5])
        fine = np.linspace(0, COUNT_MAX, 301)
        activations = get_features(fine).T  # [F, 301]
        fields = VGroup(*[get_plot_curve(feature_axes, fine, column, style.COUNT_CURVE, 2.5) for column in activations])
        fills = VGroup(*[get_plot_area(feature_axes, fine, column, style.COUNT_CURVE) for column in activations])
        feature_label = style.text(f"{count(FIELDS)} features, wider as the count grows", style.SMALL_SIZE)
        feature_group = VGroup(feature_label, VGroup(feature_plot, fills, fields))
        feature_group.arrange(DOWN, buff=0.4)  # room above the plot for the sweep's count
        feature_group.to_corner(UP + LEFT, buff=0.4).shift(DOWN * 1.3)
        docked = feature_group.get_center()
        read_at = ValueTracker(0.0)  # the count the sweep has reached

        def light(mobject):
            for fill, level in zip(mobject, get_features(np.array([read_at.get_value()]))[0]):
                fill.set_fill(opacity=FIELD_FILL * level)

        fills.add_updater(light)
        feature_group.scale(FEATURE_ZOOM).move_to(DOWN * 0.4)
        sweep_line = redrawn(
            lambda: Line(
                feature_axes.c2p(read_at.get_value(), 0),
                feature_axes.c2p(read_at.get_value(), 1.1),
                color=style.INK,
                stroke_width=2,
            )
        )
        sweep_count = self.counter(
            "count {}",
            lambda: round(read_at.get_value()),
            lambda label: label.next_to(sweep_line, UP, buff=0.05),
            style.INK,
        )
        sweep_mark = self.fixed(VGroup(sweep_line, sweep_count))
        self.fixed(feature_group)
        with self.narrate(lines["features"]) as seconds:
            self.paced(
                [
                    FadeOut(task),
                    FadeIn(feature_label),
                    FadeIn(feature_plot),
                    Create(fields, lag_ratio=0.15, run_time=2.5),
                    FadeIn(sweep_mark),
                    FadeIn(fills),
                ],
                read_at.animate(rate_func=linear, run_time=0.35 * seconds).set_value(COUNT_MAX).build(),
                until=self.line_end - seconds / 3,
            )
            fills.clear_updaters()
            set_aside = feature_group.copy().scale(1 / FEATURE_ZOOM).move_to(docked)
            set_aside[1][1].set_fill(opacity=0)  # the fills, whose sweep is over
            self.paced([FadeOut(sweep_mark), Transform(feature_group, set_aside)])

        # Step 3: the similarity of counts is a narrow peak; its top eigenvectors are waves over the count, and the
        # first three, read at each count, trace a helix
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
        wave_axes, wave_plot = get_plot("count", [-1, 1, 0.5], levels=(-1, 0, 1))
        wave_colors = [style.COUNT_CURVE.interpolate(style.INK, share) for share in (0.0, 0.45, 0.8)]
        waves = VGroup(
            *[get_plot_curve(wave_axes, construction.counts, coords[:, i], wave_colors[i]) for i in range(3)]
        )
        wave_label = VGroup(
            style.text("the top components: waves over the count", style.SMALL_SIZE),
            VGroup(
                *[style.text(name, style.SMALL_SIZE, color) for name, color in zip(("1st", "2nd", "3rd"), wave_colors)]
            ).arrange(RIGHT, buff=0.25),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.1)
        wave_group = VGroup(wave_label, VGroup(wave_plot, waves)).arrange(DOWN, buff=0.15)
        wave_group.next_to(feature_group, DOWN, buff=0.35).align_to(feature_group, LEFT)
        wave_spot = wave_group.get_center()
        # shown large where the helix will be, then set aside
        wave_group.scale(WAVE_ZOOM).move_to([SOLO[0] + 0.3, -0.5, 0])
        similarity = self.fixed(get_similarity_map(construction)).move_to([SOLO[0], -0.5, 0])
        wave_mark = redrawn(
            lambda: Line(
                wave_axes.c2p(COUNT_MAX * count_shown.get_value(), -1),
                wave_axes.c2p(COUNT_MAX * count_shown.get_value(), 1),
                color=style.INK,
                stroke_width=2,
            )
        )
        self.fixed(wave_group, wave_mark)
        with self.narrate(lines["helix"]):
            self.add(count_helix)
            self.paced(
                FadeIn(similarity, run_time=3),
                [FadeOut(similarity), FadeIn(wave_label), FadeIn(wave_plot), Create(waves, lag_ratio=0.3, run_time=2)],
                [
                    wave_group.animate.scale(1 / WAVE_ZOOM).move_to(wave_spot).build(),
                    *self.appear(count_axis),
                    FadeIn(wave_mark),
                    count_shown.animate(rate_func=linear, run_time=4).set_value(1).build(),
                    spin.animate.set_value(1).build(),
                ],
                [*self.appear(ticks), FadeIn(helix_label), FadeOut(wave_mark)],
            )

        # Step 4: the width helix beside it; in the raw stream count i and width i barely agree. A mark climbs
        # each helix to the count the words quote
        width_shown = ValueTracker(0.0)
        width_helix, width_axis = self.strand(width_points, style.WIDTH_CURVE, width_shown)
        count_name = self.fixed(style.text("characters since the newline", style.SMALL_SIZE, style.COUNT_CURVE))
        width_name = self.fixed(style.text("line width", style.SMALL_SIZE, style.WIDTH_CURVE))
        count_name.move_to([BESIDE[0], CAPTION_Y, 0])
        width_name.move_to([WIDTH_SPOT[0], CAPTION_Y, 0])
        climbed = ValueTracker(0.0)  # where the two marks are, along the count and along the width
        count_dot = self.follow(
            Dot(radius=0.09, color=style.HIGHLIGHT), lambda: count_points()[round(climbed.get_value())]
        )
        same_dot = self.follow(Dot(radius=0.08, color=style.INK), lambda: width_points()[round(climbed.get_value())])
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
            self.add(width_helix)
            self.paced(
                [
                    *self.vanish(ticks),
                    FadeOut(helix_label),
                    count_spot.animate.set_value(1).build(),
                    *self.appear(width_axis),
                    width_shown.animate(rate_func=linear).set_value(1).build(),
                    FadeIn(count_name),
                    FadeIn(width_name),
                ],
                Succession(
                    AnimationGroup(*self.appear(count_dot, same_dot), run_time=0.4),
                    climbed.animate(rate_func=linear, run_time=2.5).set_value(EXAMPLE_COUNT).build(),
                ),
                [*self.appear(count_tag, same_tag), FadeIn(raw)],
            )

        # Step 5: the head's query-key map brings them together and twists: count i meets width i + OFFSET; on a
        # line of that width, the count is OFFSET characters short of the end, where the head fires
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
        short = self.fixed(get_line_short(EXAMPLE_COUNT, example["best_width"]))
        short.to_edge(LEFT, buff=0.4).set_y(-0.6)  # below where the next step's words go
        with self.narrate(lines["twist"]):
            self.paced(
                [
                    FadeOut(count_name),
                    FadeOut(width_name),
                    *self.vanish(width_axis),
                    meet.animate(run_time=2).set_value(1).build(),
                ],
                [*self.vanish(same_dot, same_tag), *self.appear(best_dot, best_tag)],
                twist.animate(rate_func=smooth, run_time=3).set_value(1).build(),
                [FadeOut(raw), FadeIn(after), FadeIn(merged_name)],
                [FadeOut(feature_group), FadeOut(wave_group), FadeIn(short, lag_ratio=0.2, run_time=2)],
            )

        # Step 6: the clock again: one character more turns each pair of waves by its own angle. Each pair's plane
        # is a clock whose hand follows a count climbing the helix
        again = self.fixed(
            style.text(
                "As on our model's clock:\nnumbers on waves, a step is a turn.\n"
                f"One character more turns the three\npairs of waves by {get_turns_said(construction)}°",
                style.SMALL_SIZE,
                style.HIGHLIGHT,
            )
        )
        again.to_corner(UP + LEFT, buff=0.4).shift(DOWN * 1.3)
        reading = ValueTracker(0.0)  # the count the pair clocks are read at
        clocks = self.fixed(get_pair_clocks(construction, reading))
        clocks.next_to(again, DOWN, buff=0.8, aligned_edge=LEFT)
        reading_count = self.counter(
            "count {}",
            lambda: round(reading.get_value()),
            lambda label: label.next_to(clocks, UP, buff=0.15, aligned_edge=LEFT),
            style.COUNT_CURVE,
        )
        pairs = VGroup(reading_count, clocks)
        climber = self.follow(Dot(radius=0.07, color=style.INK), lambda: count_points()[round(reading.get_value())])
        with self.narrate(lines["clock"]) as seconds:
            self.paced(
                [FadeIn(again), spin.animate(run_time=1.5).set_value(0).build()],
                [FadeOut(short), FadeIn(pairs), *self.appear(climber)],
                reading.animate(rate_func=linear, run_time=0.5 * seconds).set_value(COUNT_MAX).build(),
            )
