"""The clock: the embedding puts token a at angle 2 pi k a / p on a circle, and adding b is a turn.

For another operation that is addition in coordinates u, v, w (scenes/operation.py), the clock is one
of u: under mul, of the discrete logarithm log_g a, with the numbers round it in a shuffled order, and
multiplying by b turns the hand by log_g b steps."""

from __future__ import annotations

import json
import math

import numpy as np
from manim import (
    DOWN,
    LEFT,
    ORIGIN,
    RIGHT,
    UP,
    AnimationGroup,
    Arc,
    Arrow,
    Circle,
    Create,
    Dot,
    FadeIn,
    FadeOut,
    FadeTransform,
    Flash,
    GrowArrow,
    GrowFromEdge,
    Indicate,
    LaggedStart,
    Line,
    Rectangle,
    Sector,
    Succession,
    Transform,
    ValueTracker,
    VGroup,
    VMobject,
    Write,
    config,
    linear,
    smooth,
)

from scenes import narration, style  # narration.Line: the name Line is manim's, drawing the sum's number line
from scenes.helpers import (
    TURN_SHOWN,
    get_clock_frequency,
    get_epoch_at,
    get_interpolated,
    get_key_list,
    get_turn_example,
    is_narrow,
    is_tall,
    redrawn,
)
from scenes.loader import get_frames, require_series
from scenes.narration import NarratedScene, count, joined, ordinal, plural, say
from scenes.operation import (
    SUPERSCRIPT_DIGITS,
    get_coordinate,
    get_coordinate_fact,
    get_group_tokens,
    get_instance,
    get_spoken,
    is_own_order,
    is_plain_addition,
    require_relabelling,
)
from scenes.shapes import SHAPES

CLOCK_RADIUS = 2.6  # screen units per unit of embedding once the clock has formed (a unit-circle embedding)
# no dot is drawn further than this from the clock's centre: scattered early checkpoints zoom the view out
STAGE_RADIUS = 3.0
DOT_RADIUS = 0.055
SMALL_CLOCK_RADIUS = 0.72
SQUARE_SMALL_CLOCK_RADIUS = 0.55  # in a 1:1 frame, a row of them fits under the main clock
NUMBER_RADIUS = 0.09  # the numbers as they enter, before the embedding places them: big enough to see each
NUMBER_COLUMNS = 15
SHARED_LISTED = 6  # the numbers named on one place of a clock whose step shares a factor with M
WEDGE_SHARE = 0.8  # the filled turn of one step reaches this share of the hand
DIM_OPACITY = 0.3  # the places the hand did not land on, while it lands
NESTED_INNER, NESTED_OUTER = 0.45, 0.8  # radii of the other clocks set inside this one, as shares of its own
NESTED_DOT_RADIUS = 0.035
SUM_LINE_WIDTH = 5.2  # the number line of a + b, with the part of the sum past p - 1
SUM_BAR_HEIGHT = 0.3
# A 1:1 frame has no height to stack the words under the clock (as 9:16 does): they keep a column this many units
# wide at its left, wrapped to it, and the clock beside it is as big as the rest of the width allows
SQUARE_COLUMN = 3.0
SQUARE_LABEL_GAP = 0.8  # there a label sits this share of its 16:9 distance from its dot (the ring is as thick)
SQUARE_LABEL_REACH = 0.65  # so the labels reach this far past the clock's radius


def get_clock_scale(coords: np.ndarray, radius: float = CLOCK_RADIUS, stage: float = STAGE_RADIUS) -> float:
    """Screen units per unit of embedding: `radius`, or less when the farthest token would leave the
    stage. Early embeddings scatter to ~3x the final circle; zooming out keeps every dot where the
    data puts it (clipping would pile them on a false rim) and inside its area."""
    farthest = float(np.linalg.norm(coords, axis=1).max()) if len(coords) else 0.0
    return min(radius, (stage - DOT_RADIUS) / farthest) if farthest > 0 else radius


def get_clock_points(
    coords: np.ndarray, center: np.ndarray, radius: float = CLOCK_RADIUS, stage: float = STAGE_RADIUS
) -> np.ndarray:
    """[p, 2] data coordinates -> [p, 3] screen points, every one within `stage` of center."""
    flat = np.concatenate([coords, np.zeros((len(coords), 1))], axis=1)
    return center + get_clock_scale(coords, radius, stage) * flat


def get_square_clock() -> tuple[float, float, float]:
    """(radius, stage radius, the centre's x) of a clock in a 1:1 frame, at the right of a column of words
    SQUARE_COLUMN units wide (0.3 in from the left edge): as big as the width left allows, its labels in the frame."""
    radius = (config.frame_width - SQUARE_COLUMN - 0.7) / 2 - SQUARE_LABEL_REACH
    return radius, STAGE_RADIUS * radius / CLOCK_RADIUS, config.frame_width / 2 - 0.2 - SQUARE_LABEL_REACH - radius


def get_label_out(out: float, radius: float) -> float:
    """A label's distance from the centre, as a multiple of its dot's, on a clock of `radius` in a 1:1 frame, for
    `out` on a 16:9 clock: SQUARE_LABEL_GAP of the 16:9 label's distance from its dot, not a share of a smaller radius
    (the ring of dots is as thick)."""
    return 1 + (out - 1) * SQUARE_LABEL_GAP * CLOCK_RADIUS / radius


def get_clock_neighbour(k: int, p: int) -> tuple[int, int, int]:
    """(n, turns, sign): n is the number right beside 0 on the frequency-k clock (the smaller of
    k^-1 and p - k^-1 mod p), and n steps of k/p make `turns` whole turns plus sign/p."""
    inverse = pow(k, -1, p)
    n = min(inverse, p - inverse)
    turns, rest = divmod(n * k, p)
    return (n, turns, 1) if rest == 1 else (n, turns + 1, -1)


def get_addition_example(p: int, k: int) -> tuple[int, int, int]:
    """(a, b, (a + b) mod p): a about a third of the way round (37 at p = 113), b chosen so that on
    the frequency-k clock adding it turns the hand by about TURN_SHOWN of a circle, a turn one can see."""
    a = round(0.33 * p)
    b = round(TURN_SHOWN * p) * pow(k, -1, p) % p
    return a, b, (a + b) % p


def get_turn(k: int, b: int, p: int) -> tuple[int, int]:
    """(whole turns, steps of 1/p left over) when adding b turns the frequency-k hand by b·k/p."""
    return divmod(k * b, p)


def get_angle(point: np.ndarray, center: np.ndarray) -> float:
    return math.atan2(point[1] - center[1], point[0] - center[0])


def get_dots(points: np.ndarray, colors: list, radius: float = DOT_RADIUS) -> VGroup:
    return VGroup(*[Dot(point, radius=radius, color=color) for point, color in zip(points, colors)])


def get_hand(center: np.ndarray, angle: float, length: float, color=style.HIGHLIGHT, width: float = 6) -> Arrow:
    tip = center + length * np.array([math.cos(angle), math.sin(angle), 0.0])
    return Arrow(center, tip, buff=0, color=color, stroke_width=width, max_tip_length_to_length_ratio=0.12)


def get_sweep(center: np.ndarray, start: float, angle: float, radius: float) -> Arc:
    """The turn itself: an arrowed arc from the hand's start through `angle` (never empty)."""
    arc = Arc(
        radius=radius, start_angle=start, angle=angle if abs(angle) > 1e-4 else 1e-4, color=style.TRAIN, stroke_width=6
    )
    return arc.shift(center).add_tip(tip_length=0.18, tip_width=0.18)


def get_small_clock(
    coords: np.ndarray,
    colors: list,
    k: int,
    total: int,
    radius: float = SMALL_CLOCK_RADIUS,
    dot_radius: float = 0.025,
    label_color=style.MUTED,
) -> VGroup:
    """A small frequency-k clock: rim, dots, the sum's dot, and a label (in k's colour where one is given);
    centred at the origin."""
    points = get_clock_points(coords, ORIGIN, radius, radius * 1.2)
    rim = Circle(radius=radius, color=style.GRID, stroke_width=1.5)
    dots = get_dots(points, [c.interpolate(style.BACKGROUND, 0.5) for c in colors], radius=dot_radius)
    landing = Dot(points[total], radius=0.06, color=style.RESTRICTED).set_z_index(1)  # over any hand that reaches it
    label = style.text(f"k = {k}", style.SMALL_SIZE, label_color).next_to(rim, DOWN, buff=0.15)
    return VGroup(rim, dots, landing, label)


def get_sum_line(a: int, b: int, p: int) -> VGroup:
    """a + b on a number line from 0 to p, where p is 0 again: [the line, a's label, the ends' labels, the bar of b
    from a up to p, its part past p, the sum at the bar's end, and the sum mod p where that part comes round to]."""
    unit = SUM_LINE_WIDTH / max(p, a + b)  # the line and the part past its end fit SUM_LINE_WIDTH

    def at(n: float) -> np.ndarray:
        return RIGHT * unit * n

    def bar(start: int, end: int) -> Rectangle:
        rectangle = Rectangle(width=max(unit * (end - start), 1e-3), height=SUM_BAR_HEIGHT, stroke_width=0)
        return rectangle.set_fill(style.TRAIN, 0.7).move_to(at((start + end) / 2))

    line = Line(at(0), at(p), color=style.MUTED, stroke_width=2)
    ends = VGroup(
        *[style.text(str(n), style.SMALL_SIZE, style.MUTED).next_to(at(n), DOWN, buff=0.25) for n in (0, p - 1)]
    )
    start_label = style.text(str(a), style.SMALL_SIZE, style.HIGHLIGHT).next_to(at(a), UP, buff=0.25)
    sum_label = style.text(f"{a} + {b} = {a + b}", style.SMALL_SIZE, style.TRAIN).next_to(at(a + b), UP, buff=0.25)
    sum_label.align_to(at(a + b), RIGHT)
    wrapped_label = style.text(str((a + b) % p), style.SMALL_SIZE, style.RESTRICTED)
    wrapped_label.next_to(at((a + b) % p), UP, buff=0.25)
    return VGroup(line, start_label, ends, bar(a, min(a + b, p)), bar(p, max(a + b, p)), sum_label, wrapped_label)


class EmbeddingClock(NarratedScene):
    essential = ("plane", "train")  # the short cut: the numbers settle on a circle
    shapes = tuple(SHAPES)

    @staticmethod
    def script(frames: dict) -> dict[str, narration.Line]:
        require_series(frames, "the numbers settling onto a circle over training")
        k, _ = get_clock_frequency(frames)
        p, M = int(frames["p"]), int(frames["op_group_order"])
        d_model = json.loads(str(frames["config_json"]))["d_model"]
        plane = [
            say(
                "Each number from 0 to {largest_number} enters the model we trained as an embedding, a list of "
                "{d_model} numbers. Look at them through one plane: the cos and sin of frequency {clock_freq}.",
                largest_number=p - 1,
                d_model=count(d_model),
                clock_freq=k,
            )
        ]
        if (frames["op_coord_a"] < 0).any():
            plane.append(say("Zero stays off this clock: it has no logarithm."))
        lines = {
            "plane": joined(*plane),
            "train": say("At first the numbers are a random cloud. As training goes on, they settle onto a circle."),
        }
        if math.gcd(k, M) > 1:
            lines["step"] = say(
                "Number a sits at angle 2π times {clock_freq} times {a_coordinate_symbol} over {group_order}: "
                "each step of {a_coordinate_symbol} turns {clock_freq}/{group_order} of a circle.",
                clock_freq=k,
                a_coordinate_symbol=get_coordinate(frames, "a", "a"),
                group_order=M,
            )
            # the factor and how many numbers share a place are the same number, each said as it is read
            lines["shuffled"] = say(
                "{clock_freq} and {group_order} share the factor {shared_factor}, so {numbers_per_place} numbers "
                "share each place on this clock.",
                clock_freq=k,
                group_order=M,
                shared_factor=math.gcd(k, M),
                numbers_per_place=count(math.gcd(k, M)),
            )
            return lines
        n, turns, sign = get_clock_neighbour(k, M)
        neighbour_turns = plural(turns, "whole turn")
        if is_own_order(frames, "a"):  # the clock of a itself (add, sub)
            lines["step"] = say(
                "Number a sits at angle 2π times {clock_freq} a over {p}: each step from a to a + 1 turns "
                "{clock_freq}/{p} of a circle.",
                clock_freq=k,
                p=p,
            )
            lines["shuffled"] = joined(
                say(
                    "That is why the colours look shuffled. 1 lands far from 0, and the number right beside 0 is "
                    "{neighbour}: {neighbour_steps} steps of {clock_freq}/{p} make {neighbour_turns},",
                    neighbour=n,
                    neighbour_steps=n,
                    clock_freq=k,
                    p=p,
                    neighbour_turns=neighbour_turns,
                ),
                say("plus one {p_ordinal}." if sign > 0 else "less one {p_ordinal}.", p_ordinal=ordinal(p)),
            )
            return lines
        tokens = get_group_tokens(frames, "a")
        g = int(frames["op_generator"])
        u = get_spoken(get_coordinate(frames, "a", "a"))
        lines["plane"] = joined(
            *plane,
            say(
                "The task, {question} mod {p}, is addition of {a_coordinate} and {b_coordinate}: this clock counts "
                "{a_coordinate}, not a.",
                question=get_spoken(get_instance(frames, "a", "b")),
                p=p,
                a_coordinate=u,
                b_coordinate=get_spoken(get_coordinate(frames, "b", "b")),
            ),
        )
        step = [
            say(
                "Number a sits at angle 2π times {clock_freq} times {a_coordinate} over {group_order}: each step of "
                "{a_coordinate}",
                clock_freq=k,
                group_order=M,
                a_coordinate=u,
            )
        ]
        if g:
            step.append(say("multiplies a by {generator} and", generator=g))
        lines["step"] = joined(*step, say("turns {clock_freq}/{group_order} of a circle.", clock_freq=k, group_order=M))
        lines["shuffled"] = joined(
            say(
                "So the numbers sit round it in a shuffled order. Beside {number_at_zero} sits {neighbour}, because "
                "{neighbour_fact}, and {neighbour_steps} steps of {clock_freq}/{group_order} make {neighbour_turns},",
                number_at_zero=tokens[0],
                neighbour=tokens[n],
                neighbour_fact=get_coordinate_fact(frames, "a", int(tokens[n])),
                neighbour_steps=n,
                clock_freq=k,
                group_order=M,
                neighbour_turns=neighbour_turns,
            ),
            say(
                "plus one {group_order_ordinal}." if sign > 0 else "less one {group_order_ordinal}.",
                group_order_ordinal=ordinal(M),
            ),
        )
        return lines

    def construct(self):
        frames = get_frames()
        lines = self.script(frames)
        k, index = get_clock_frequency(frames)
        epochs, p, M = frames["checkpoint_epochs"], int(frames["p"]), int(frames["op_group_order"])
        d_model = json.loads(str(frames["config_json"]))["d_model"]
        group = np.flatnonzero(frames["op_coord_a"] >= 0)  # the numbers on the clock (0 aside under mul)
        clock = frames["embed_clock"][:, index][:, group]  # [C, M, 2]
        tokens = get_group_tokens(frames, "a")  # [M] the number at each coordinate u
        plain = is_own_order(frames, "a")
        colors = style.rainbow(p)
        group_colors = [colors[t] for t in group]
        narrow, tall = is_narrow(), is_tall()
        square = narrow and not tall
        wrap = "\n" if narrow else " "  # a long line wraps in a frame 8 units wide
        fold = "\n" if square else " "  # and in 1:1, to the column beside the clock
        radius, stage, across = get_square_clock() if square else (CLOCK_RADIUS, STAGE_RADIUS, 0.0 if tall else 2.9)

        # Step 1: the numbers enter, then fly to where the untrained embedding puts them in the (cos, sin) plane
        title = style.text("The embedding learns a clock", style.TITLE_SIZE).to_edge(UP, buff=0.3)
        of = "" if plain else f" of {get_coordinate(frames, 'a', 'a')}"
        subtitle = style.text(
            f"each number's embedding in the (cos, sin){wrap}plane of frequency {k}{of}",
            style.SMALL_SIZE,
            style.MUTED,
        )
        subtitle.next_to(title, DOWN, buff=0.12)
        center = subtitle.get_bottom()[1] * UP + DOWN * (0.25 + stage) + RIGHT * across
        position = ValueTracker(0.0)

        def coords():
            return get_interpolated(clock, position.get_value())  # [M, 2]

        def place_counter(counter: VMobject) -> VMobject:
            """The top of the words' column: under the subtitle, or in 9:16 under the clock."""
            if not narrow:
                return counter.to_corner(LEFT + UP, buff=0.5).shift(DOWN * 1.2)
            top = center[1] - stage - 0.4 if tall else subtitle.get_bottom()[1] - 0.3
            return counter.move_to(
                (-config.frame_width / 2 + (0.5 if tall else 0.3)) * RIGHT + top * UP, aligned_edge=LEFT + UP
            )

        rim = redrawn(
            lambda: Circle(radius=get_clock_scale(coords(), radius, stage), color=style.GRID, stroke_width=2).move_to(
                center
            )
        )
        dots = redrawn(lambda: get_dots(get_clock_points(coords(), center, radius, stage), group_colors))
        counter = redrawn(
            lambda: place_counter(
                style.text(f"epoch {get_epoch_at(epochs, position.get_value()):,}", style.LABEL_SIZE, style.HIGHLIGHT)
            )
        )
        stride = max(1, p // 12)
        if square:  # no more dots than the column holds, each with its gap 0.2 wide
            stride = max(stride, math.ceil(p / int((SQUARE_COLUMN + 0.08) / 0.2)))
        legend = VGroup(*[Dot(radius=0.06, color=colors[i]) for i in range(0, p, stride)]).arrange(RIGHT, buff=0.08)
        legend_label = style.text(
            f"colour: the number,{fold}0 to {p - 1}"
            + ("" if len(group) == p else f"\n(0 is off this clock:{fold}it has no logarithm)"),
            style.SMALL_SIZE,
            style.MUTED,
        )
        rim_label = style.text(
            f"grey ring:\nwhere frequency {k}\nalone would put\nevery number"
            if square
            else f"grey ring: where frequency {k} alone\nwould put every number",
            style.SMALL_SIZE,
            style.MUTED,
        )
        key = VGroup(legend_label, legend, rim_label).arrange(DOWN, aligned_edge=LEFT, buff=0.15)
        key.next_to(counter, DOWN, buff=0.4, aligned_edge=LEFT)
        # every number as a big dot in reading order, where the key and the clock's words will be: the numbers
        # themselves before the model places them (in 1:1 as many columns as its column of words holds)
        numbers = VGroup(*[Dot(radius=NUMBER_RADIUS, color=color) for color in colors])
        columns = int((SQUARE_COLUMN + NUMBER_RADIUS * 1.6) / (NUMBER_RADIUS * 3.6)) if square else NUMBER_COLUMNS
        numbers.arrange_in_grid(cols=min(p, columns), buff=NUMBER_RADIUS * 1.6)
        numbers_label = style.text(
            f"the numbers 0 to {p - 1},\neach entering as a\nlist of {count(d_model)} numbers"
            if square
            else f"the numbers 0 to {p - 1}, each entering\nas a list of {count(d_model)} numbers",
            style.SMALL_SIZE,
            style.MUTED,
        )
        entering = VGroup(numbers_label, numbers).arrange(DOWN, aligned_edge=LEFT, buff=0.25)
        entering.next_to(counter, DOWN, buff=0.4, aligned_edge=LEFT)
        plane = VGroup(
            Line(center + LEFT * stage, center + RIGHT * stage, color=style.GRID, stroke_width=1.5),
            Line(center + DOWN * stage, center + UP * stage, color=style.GRID, stroke_width=1.5),
        )
        plane_labels = VGroup(
            style.text(f"cos {k}", style.TICK_SIZE, style.MUTED).next_to(plane[0], DOWN, buff=0.08, aligned_edge=RIGHT),
            style.text(f"sin {k}", style.TICK_SIZE, style.MUTED).next_to(plane[1], RIGHT, buff=0.08, aligned_edge=UP),
        )
        untrained = get_clock_points(clock[0].astype(np.float64), center, radius, stage)  # [M, 3] where the dots start
        with self.narrate(lines["plane"]):
            self.paced(
                [Write(title), FadeIn(subtitle)],
                [FadeIn(numbers_label), FadeIn(numbers, lag_ratio=0.02, run_time=2)],
                [Create(plane), FadeIn(plane_labels), FadeIn(rim), FadeIn(counter)],
                [
                    LaggedStart(
                        *[
                            numbers[t].animate.scale(DOT_RADIUS / NUMBER_RADIUS).move_to(at)
                            for t, at in zip(group, untrained)
                        ],
                        lag_ratio=0.015,
                        run_time=2.5,
                    ),
                    FadeOut(numbers_label),
                ],
                [
                    FadeOut(VGroup(*[numbers[t] for t in range(p) if t not in set(group)])),
                    FadeOut(plane_labels),
                    FadeIn(key),
                ],
            )
            self.remove(*numbers)  # each flew as a mobject of its own; the dots that follow the training replace them
            self.add(dots)

        # Step 2: training pulls them onto the circle
        with self.narrate(lines["train"]) as seconds:
            self.play(position.animate.set_value(len(epochs) - 1), run_time=max(10.0, seconds), rate_func=linear)

        # Step 3: the hand steps from u to u + 1, each step a turn of k/M of a circle (u = a for addition)
        final = np.zeros((p, 3))
        final[group] = get_clock_points(clock[-1].astype(np.float64), center, radius, stage)  # [p, 3] by number
        length = float(np.linalg.norm(final[group] - center, axis=1).min()) - 0.08

        def walk_angle(u: int) -> float:
            """The hand's angle on number tokens[u], counting whole turns: k/M of a circle per step of u, plus
            how far the trained dot sits from that ideal angle."""
            ideal = get_angle(final[int(tokens[0])], center) + 2 * math.pi * k * u / M
            return ideal + math.remainder(get_angle(final[int(tokens[u % M])], center) - ideal, 2 * math.pi)

        walked = ValueTracker(0.0)  # steps of u taken; the hand eases through each step in turn

        def hand_angle() -> float:
            u = walked.get_value()
            lower = math.floor(u + 1e-9)
            return walk_angle(lower) + smooth(u - lower) * (walk_angle(lower + 1) - walk_angle(lower))

        def get_last_step() -> VMobject:
            """The turn of the step under way (or the last one taken), filled: a wedge of k/M of a circle."""
            u = walked.get_value()
            if u < 1e-6:
                return VMobject()
            start = walk_angle(math.ceil(u - 1e-9) - 1)
            wedge = Sector(radius=WEDGE_SHARE * length, start_angle=start, angle=hand_angle() - start or 1e-4)
            return wedge.set_fill(style.TRAIN, 0.3).shift(center)

        hand = redrawn(lambda: get_hand(center, hand_angle(), length))
        wedge = redrawn(get_last_step)

        def label_at(a: int, color=style.INK, out: float = 1.12):
            if square:
                out = get_label_out(out, radius)
            return style.text(str(a), style.SMALL_SIZE, color).move_to(center + (final[a] - center) * out)

        labels = VGroup(*[label_at(int(tokens[u])) for u in range(4)])
        u = get_coordinate(frames, "a", "a")
        g = int(frames["op_generator"])
        step = style.text(
            (f"a → a + 1:\na turn of {k}/{p}\nof a circle" if square else f"a → a + 1: a turn of\n{k}/{p} of a circle")
            if plain
            else f"{u} → {u} + 1" + (f"{fold}(a → {g}a)" if g else "") + f":\na turn of {k}/{M}{fold}of a circle",
            style.LABEL_SIZE,
            style.INK,
        )
        # in 1:1 the grey ring's label, read while the numbers settled on it, gives its place to the step: the column
        # beside the clock has no height for both
        step.next_to(legend if square else key, DOWN, buff=0.5, aligned_edge=LEFT)
        # what the walk shows goes under the step; in 1:1 under the column and the clock both, the frame's width
        band = min(step.get_bottom()[1], center[1] - radius - SQUARE_LABEL_REACH) - 0.4

        def under_step(mobject: VMobject) -> VMobject:
            if not square:
                return mobject.next_to(step, DOWN, buff=0.4, aligned_edge=LEFT)
            return mobject.move_to((-config.frame_width / 2 + 0.3) * RIGHT + band * UP, aligned_edge=LEFT + UP)

        with self.narrate(lines["step"]):
            self.add(wedge)
            self.paced(
                [FadeIn(hand), FadeIn(labels[0]), FadeIn(step), *([FadeOut(rim_label)] if square else [])],
                *[[walked.animate(rate_func=linear).set_value(n).build(), FadeIn(labels[n])] for n in (1, 2, 3)],
            )

        # Step 4: neighbours on the circle are k^-1 apart in u, not 1
        if math.gcd(k, M) > 1:
            lap = M // math.gcd(k, M)  # steps of u that bring the hand back to the same place
            shared = [str(tokens[u]) for u in range(0, M, lap)]  # the numbers on the place of tokens[0]
            why = under_step(
                style.text(
                    f"{k} and {M} share a factor {math.gcd(k, M)}:\n{math.gcd(k, M)} numbers on each place",
                    style.LABEL_SIZE,
                    style.HIGHLIGHT,
                )
            )
            listed = ", ".join(shared[:SHARED_LISTED]) + (", …" if len(shared) > SHARED_LISTED else "")
            on_place = style.text(f"on the place of {shared[0]}: {listed}", style.SMALL_SIZE, style.HIGHLIGHT)
            on_place.next_to(why, DOWN, buff=0.25, aligned_edge=LEFT)
            with self.narrate(lines["shuffled"]):
                walked.set_value(0)  # from tokens[0], one lap of steps comes back to its place
                self.paced(
                    FadeIn(why),
                    walked.animate(rate_func=linear, run_time=3).set_value(lap).build(),
                    [FadeIn(on_place), Flash(final[int(shared[0])], color=style.HIGHLIGHT)],
                )
            return
        n, turns, sign = get_clock_neighbour(k, M)
        beside = int(tokens[n])
        neighbour = label_at(
            beside, style.HIGHLIGHT, 1.24
        )  # outside the first label: the two dots are 1/M of a turn apart
        said = {}

        def get_steps_taken() -> VGroup:
            """The walk so far, in words, from its first step: steps taken and whole turns made (cached: it changes
            a dozen times)."""
            taken = math.floor(walked.get_value() + 1e-9)
            if taken == 0:
                return VGroup()
            if taken not in said:
                said[taken] = style.text(
                    f"{plural(taken, 'step')}: {plural(taken * k // M, 'whole turn')}", style.LABEL_SIZE, style.TRAIN
                )
            return under_step(said[taken].copy())

        steps_taken = redrawn(get_steps_taken)
        arithmetic = f"{n} × {k} = {n * k} = {turns} × {M} {'+' if sign > 0 else '−'} 1"
        why = under_step(
            style.text(
                f"beside 0 sits {n}:\n{arithmetic}"
                if plain
                else f"beside {tokens[0]} sits {beside}:\n{get_coordinate(frames, 'a', beside)} = {n} (mod {M if g else p}),\n{arithmetic}",
                style.LABEL_SIZE,
                style.HIGHLIGHT,
            )
        )
        with self.narrate(lines["shuffled"]):
            walked.set_value(0)  # the walk starts again from 0, its steps counted
            self.add(steps_taken)
            self.paced(
                [walked.animate(rate_func=linear).set_value(1).build(), Indicate(labels[1], color=style.HIGHLIGHT)],
                [walked.animate(rate_func=linear).set_value(0).build(), FadeIn(neighbour)],
                walked.animate(rate_func=linear, run_time=3).set_value(n).build(),
                [FadeOut(steps_taken), FadeIn(why), Flash(final[beside], color=style.HIGHLIGHT)],
            )


def get_equation(frames: dict, a: int, b: int, total: int) -> VGroup:
    """[a, the rest of the left side, '= total (mod p)']: e.g. 37 | × 12 | = 31 (mod 59), a in the
    hand's colour, b in the turn's, the answer in the landing's; a power stays on its number (51³)."""
    pieces = str(frames["op_expression"]).format(a="\0a\0", b="\0b\0").split("\0")  # odd places: a or b
    values = {"a": (str(a), style.HIGHLIGHT), "b": (str(b), style.TRAIN)}

    def power(piece: str) -> str:  # the superscript a piece starts with: the last number's
        return piece[: len(piece) - len(piece.lstrip(SUPERSCRIPT_DIGITS))]

    parts = []
    for n, piece in enumerate(pieces):
        if n % 2:
            number, color = values[piece]
            parts.append(style.text(number + power(pieces[n + 1]), style.TITLE_SIZE, color))
        elif piece[len(power(piece)) :].strip():
            parts.append(style.text(piece[len(power(piece)) :].strip(), style.TITLE_SIZE))
    right = [
        style.text("=", style.TITLE_SIZE),
        style.text(str(total), style.TITLE_SIZE, style.RESTRICTED),
        style.text(f"(mod {int(frames['p'])})", style.LABEL_SIZE, style.MUTED),
    ]
    VGroup(*parts, *right).arrange(RIGHT, buff=0.2)
    return VGroup(parts[0], VGroup(*parts[1:]), VGroup(*right))


class ClockAddition(NarratedScene):
    essential = ("hand", "turn", "land", "agree")  # the short cut: addition as a turn: the payoff, whole
    shapes = tuple(SHAPES)

    @staticmethod
    def script(frames: dict) -> dict[str, narration.Line]:
        require_relabelling(frames, "clock-add")
        k, _ = get_clock_frequency(frames)
        p, M = int(frames["p"]), int(frames["op_group_order"])
        a, b, total, u, v, w = get_turn_example(frames, k)
        whole, steps = get_turn(k, v, M)
        keys = frames["key_freqs"].tolist()
        landing = int(get_group_tokens(frames, "a")[w])  # the number at the hand's place on this clock (pow: not c)
        change = say("which changes nothing,") if whole == 1 else say("which change nothing,")
        if is_plain_addition(frames):
            example = {"example_a": a, "example_b": b, "example_answer": total}
            lines = {
                "hand": say(
                    "To add, the model turns its clocks. Here is its clock for frequency {clock_freq}, with the hand "
                    "on {example_a}.",
                    clock_freq=k,
                    example_a=a,
                ),
                "turn": joined(
                    say(
                        "Adding {example_b} turns the hand {example_b} times by {clock_freq}/{p} of a circle: "
                        "{example_whole_turns},",
                        example_b=b,
                        clock_freq=k,
                        p=p,
                        example_whole_turns=plural(whole, "whole turn"),
                    ),
                    change,
                    say("and {example_extra_steps}/{p} of a turn more.", example_extra_steps=steps, p=p),
                ),
                "land": (
                    say(
                        "It lands on {example_answer}: {example_a} plus {example_b} is {example_sum}, which is "
                        "{example_answer} once we go round past {largest_number}.",
                        **example,
                        example_sum=a + b,
                        largest_number=p - 1,
                    )
                    if a + b >= p
                    else say("It lands on {example_answer}, which is {example_a} plus {example_b}.", **example)
                ),
            }
        else:
            a_coordinate = get_spoken(get_coordinate(frames, "a", "a"))
            example_question = get_spoken(get_instance(frames, a, b))
            land = (
                say(
                    "It lands on {example_answer}: {example_question} is {example_answer}, mod {p}.",
                    example_answer=total,
                    example_question=example_question,
                    p=p,
                )
                if landing == total
                else say(
                    "It lands on the place of {example_landing}, which on this clock of {a_coordinate} stands for "
                    "{example_answer}, because {example_landing_fact}. And indeed {example_question} is "
                    "{example_answer}, mod {p}.",
                    example_landing=landing,
                    a_coordinate=a_coordinate,
                    example_answer=total,
                    example_landing_fact=get_coordinate_fact(frames, "a", landing),
                    example_question=example_question,
                    p=p,
                )
            )
            lines = {
                "hand": say(
                    "The model computes {question} by turning its clocks, clocks of {a_coordinate}. Here is its clock "
                    "for frequency {clock_freq}, with the hand on {example_a}.",
                    question=get_spoken(get_instance(frames, "a", "b")),
                    a_coordinate=a_coordinate,
                    clock_freq=k,
                    example_a=a,
                ),
                "turn": joined(
                    say(
                        "For {example_question}, the hand turns {example_b_steps} times by {clock_freq}/{group_order} "
                        "of a circle, because {example_b_fact}: {example_whole_turns},",
                        example_question=example_question,
                        example_b_steps=v,
                        clock_freq=k,
                        group_order=M,
                        example_b_fact=get_coordinate_fact(frames, "b", b),
                        example_whole_turns=plural(whole, "whole turn"),
                    ),
                    change,
                    say(
                        "and {example_extra_steps}/{group_order} of a turn more.",
                        example_extra_steps=steps,
                        group_order=M,
                    ),
                ),
                "land": land,
            }
        if len(keys) > 1:
            # A clock of step k/M lands on one place only when k and M share no factor (always, for addition mod a
            # prime); otherwise it points at M/gcd places at once and only the answer is on every clock's hand
            alone = (
                say(
                    "Any one of them already points at that place alone; together their votes lift the right answer's "
                    "score far above every other's: that is why the model's answer is sharp."
                )
                if all(math.gcd(key, M) == 1 for key in keys)
                else say(
                    "A clock whose step shares a factor with {group_order} points at several places at once; only the "
                    "right answer is under every clock's hand, so together they single it out.",
                    group_order=M,
                )
            )
            lines["agree"] = joined(
                say(
                    "The model we trained keeps {n_keys} clocks, at frequencies {key_freqs}. Each turns by its own "
                    "angle, and every one lands on",
                    n_keys=len(keys),
                    key_freqs=get_key_list(keys),
                ),
                say(
                    "{example_answer}." if landing == total else "the place that stands for {example_answer}.",
                    example_answer=total,
                ),
                alone,
            )
        else:
            lines["agree"] = say("This run keeps a single clock, so nothing else has to agree with it.")
        return lines

    def construct(self):
        frames = get_frames()
        lines = self.script(frames)
        k, index = get_clock_frequency(frames)
        p, M = int(frames["p"]), int(frames["op_group_order"])
        a, b, total, u, v, w = get_turn_example(frames, k)
        whole, steps = get_turn(k, v, M)
        plain = is_plain_addition(frames)
        group = np.flatnonzero(frames["op_coord_a"] >= 0)  # the numbers on the clock (0 aside under mul)
        landing = int(get_group_tokens(frames, "a")[w])  # the number whose place the hand reaches
        colors = style.rainbow(p)
        narrow, tall = is_narrow(), is_tall()
        square = narrow and not tall
        wrap = "\n" if narrow else " "  # a long line wraps in a frame 8 units wide
        fold = "\n" if square else " "  # and in 1:1, to the column beside the clock

        # Step 1: the trained clock. 16:9: the words at the left of the clock; 9:16: the equation above it, the rest
        # under it; 1:1: the words in a column at its left, what is wider than that under both
        title = style.text(
            f"Adding on the clock{wrap}(frequency {k})"
            if plain
            else f"{get_instance(frames, 'a', 'b')} on the clock{wrap}of {get_coordinate(frames, 'a', 'a')} (frequency {k})",
            style.TITLE_SIZE,
        ).to_edge(UP, buff=0.3)
        equation = get_equation(frames, a, b, total)
        if square:  # the answer under the question
            equation[2].next_to(equation[:2], DOWN, buff=0.2, aligned_edge=LEFT)
            equation.next_to(title, DOWN, buff=0.35).to_edge(LEFT, buff=0.3)
        elif tall:
            equation.next_to(title, DOWN, buff=0.45)
        else:
            equation.to_corner(LEFT + UP, buff=0.6).shift(DOWN * 0.9)
        radius, stage = CLOCK_RADIUS, STAGE_RADIUS
        if square:
            radius, stage, across = get_square_clock()
            center = (title.get_bottom()[1] - 0.25 - radius - SQUARE_LABEL_REACH) * UP + across * RIGHT
        elif tall:  # room above the rim for a label at the top
            center = (equation.get_bottom()[1] - 0.75 - radius) * UP
        else:
            center = DOWN * 0.55 + RIGHT * 3.3
        points = np.zeros((p, 3))
        points[group] = get_clock_points(
            frames["embed_clock"][-1, index][group].astype(np.float64), center, radius, stage
        )  # [p, 3] by number
        rim = Circle(radius=radius, color=style.GRID, stroke_width=2).move_to(center)
        dots = get_dots(points[group], [colors[t].interpolate(style.BACKGROUND, 0.35) for t in group])
        landing_dot = dots[int(np.searchsorted(group, landing))]
        out = get_label_out(1.16, radius) if square else 1.16

        def label_for(token, color):
            return style.text(str(token), style.LABEL_SIZE, color).move_to(center + (points[token] - center) * out)

        def place_column(mobject: VMobject) -> VMobject:
            """The words' column from its top: under the equation, or in 9:16 under the clock."""
            if not tall:
                return mobject.next_to(equation, DOWN, buff=0.5, aligned_edge=LEFT)
            top = center[1] - stage - 0.7
            return mobject.move_to((-config.frame_width / 2 + 0.4) * RIGHT + top * UP, aligned_edge=LEFT + UP)

        # in 1:1 the top left of a band of the frame's width under the clock
        band = (-config.frame_width / 2 + 0.3) * RIGHT + (center[1] - radius - SQUARE_LABEL_REACH - 0.3) * UP

        # Step 2: the hand points at a
        start = get_angle(points[a], center)
        length = np.linalg.norm(points[a] - center) - 0.08
        ghost = get_hand(center, start, length, style.HIGHLIGHT.interpolate(style.BACKGROUND, 0.6), 3)
        swept = ValueTracker(0.0)
        hand = redrawn(lambda: get_hand(center, start + swept.get_value(), length))
        hand_on = label_for(a, style.HIGHLIGHT)
        with self.narrate(lines["hand"]):
            self.paced(
                Write(title),
                [FadeIn(rim), FadeIn(dots, lag_ratio=0.01)],
                [
                    GrowArrow(hand),
                    FadeIn(ghost),
                    FadeIn(hand_on),
                    Indicate(dots[int(np.searchsorted(group, a))]),
                    FadeIn(equation[0]),
                ],
            )

        # Step 3: b turns the hand by v·k/M of a circle: whole turns, then steps/M more, swept and labelled
        angle = 2 * math.pi * steps / M
        arc_radius = (0.25 if square else 0.42) * radius
        sweep = redrawn(lambda: get_sweep(center, start, swept.get_value(), arc_radius))
        middle = start + angle / 2
        # in 1:1 one line: two would reach the dots of a clock this small
        angle_label = style.text(f"{steps}/{M}" if square else f"{steps}/{M}\nof a turn", style.SMALL_SIZE, style.TRAIN)
        if narrow:  # just past the arc, however the label's width and height lie along the turn's middle
            reach = abs(math.cos(middle)) * angle_label.width / 2 + abs(math.sin(middle)) * angle_label.height / 2
            angle_label.move_to(center + (arc_radius + 0.1 + reach) * np.array([math.cos(middle), math.sin(middle), 0]))
        else:
            angle_label.move_to(center + (arc_radius + 0.55) * np.array([math.cos(middle), math.sin(middle), 0.0]))
        turn = place_column(
            style.text(
                f"+ {b}: the hand{fold}turns {b} × {k}/{p}\n= {plural(whole, 'whole turn')}{fold}+ {steps}/{p} of a turn"
                if plain
                else f"{get_instance(frames, 'a', b)}: {get_coordinate(frames, 'b', b)} = {v},\nthe hand turns{fold}"
                f"{v} × {k}/{M}\n= {plural(whole, 'whole turn')}{fold}+ {steps}/{M} of a turn",
                style.LABEL_SIZE,
                style.TRAIN,
            )
        )
        with self.narrate(lines["turn"]) as seconds:
            self.play(FadeIn(equation[1]), FadeIn(turn), run_time=1.5)
            rest = max(4.0, seconds - 2.5)
            if whole:  # the whole turns first, counted as the hand spins them: they change nothing
                turns = ValueTracker(0.0)
                said = {}

                def turns_so_far():
                    n = int(turns.get_value() + 1e-6)
                    if n not in said:
                        said[n] = style.text(plural(n, "whole turn"), style.SMALL_SIZE, style.HIGHLIGHT)
                    if narrow:  # where the landing's words will be, clear of any label round the rim
                        return said[n].copy().next_to(turn, DOWN, buff=0.35, aligned_edge=LEFT)
                    return said[n].copy().next_to(rim, UP, buff=0.4)

                spinner = redrawn(lambda: get_hand(center, start + 2 * math.pi * turns.get_value(), length))
                counted = redrawn(turns_so_far)
                self.remove(hand)
                self.add(spinner, counted)
                self.play(turns.animate.set_value(whole), run_time=0.5 * rest, rate_func=linear)
                self.remove(spinner, counted)
                self.add(hand)
            self.add(sweep)
            self.play(swept.animate.set_value(angle), run_time=0.5 * rest if whole else rest, rate_func=smooth)
            self.remove(hand, sweep)
            swept_arc = get_sweep(center, start, angle, arc_radius)
            self.add(get_hand(center, start + angle, length), swept_arc)
            self.play(FadeIn(angle_label), run_time=0.8)

        # Step 4: it lands where the model put the answer (on a clock of a^A, the place of the number whose A-th power
        # it is); the other places dim so the landing stands out. For addition, a number line shows the sum going
        # round past p - 1
        where = (
            "" if landing == total else f"\n(the place of {landing}:{fold}{get_coordinate(frames, 'a', landing)} = {w})"
        )
        landed = style.text(f"lands on {total}{where}", style.LABEL_SIZE, style.RESTRICTED).next_to(
            turn, DOWN, buff=0.35, aligned_edge=LEFT
        )
        elsewhere = VGroup(*[dot for t, dot in zip(group, dots) if t != landing])
        landing_steps = [
            [
                FadeIn(equation[2]),
                FadeIn(label_for(landing, style.RESTRICTED)),
                FadeIn(landed),
                Flash(points[landing], color=style.RESTRICTED),
                landing_dot.animate.scale(1.8).set_color(style.RESTRICTED).build(),
                elsewhere.animate.set_opacity(DIM_OPACITY).build(),
            ]
        ]
        sum_line = VGroup()
        if plain:
            sum_line = get_sum_line(a, b, p)
            if square:
                sum_line.move_to(band, aligned_edge=LEFT + UP)
            else:
                sum_line.next_to(landed, DOWN, buff=0.5, aligned_edge=LEFT)
            line, start_label, ends, first, past, sum_label, wrapped_label = sum_line
            if narrow and sum_label.get_left()[0] < start_label.get_right()[0] + 0.1:  # a short bar: the sum just
                # past its end, clear of a's label
                sum_label.align_to((past if a + b >= p else first).get_right(), LEFT).shift(RIGHT * 0.1)
            landing_steps.append(
                [
                    FadeIn(line),
                    FadeIn(start_label),
                    FadeIn(ends),
                    Succession(GrowFromEdge(first, LEFT), GrowFromEdge(past, LEFT), FadeIn(sum_label), run_time=2),
                ]
            )
            if a + b >= p:  # the part past p - 1 comes round to the start
                landing_steps.append(
                    [past.animate.shift(LEFT * line.width).build(), FadeTransform(sum_label, wrapped_label)]
                )
        with self.narrate(lines["land"]):
            self.paced(*landing_steps)

        # Step 5: every key frequency's clock turns by its own angle and lands on the same answer; turned so their
        # hands meet and set inside this one, they show the answer alone under every hand
        others = [(j, int(key)) for j, key in enumerate(frames["key_freqs"]) if j != index and 2 * key < M]
        landing_at = int(np.searchsorted(group, landing))
        key_colors = style.frequency_colors(frames["key_freqs"].tolist())  # each key frequency's colour in every scene
        clocks = VGroup(
            *[
                get_small_clock(
                    frames["embed_clock"][-1, j][group].astype(np.float64),
                    [colors[t] for t in group],
                    key,
                    landing_at,
                    SQUARE_SMALL_CLOCK_RADIUS if square else SMALL_CLOCK_RADIUS,
                    label_color=key_colors[key],
                )
                for j, key in others
            ]
        ).arrange(RIGHT, buff=0.35)
        if narrow and clocks.width > config.frame_width - 0.6:  # in rows, as many as the frame's width holds
            clocks.arrange_in_grid(cols=int((config.frame_width - 0.25) / (clocks[0].width + 0.35)), buff=0.35)
        turned_by = f"+ {b}" if plain else get_instance(frames, "a", b)
        others_title = style.text(
            f"the other key{fold}frequencies:\n{turned_by} turns each{fold}by its own angle",
            style.SMALL_SIZE,
            style.MUTED,
        )
        if square:  # the title in the column, the clocks in the band
            place_column(others_title)
            clocks.move_to(band, aligned_edge=LEFT + UP)
        else:
            place_column(VGroup(others_title, clocks).arrange(DOWN, buff=0.25, aligned_edge=LEFT))
        together_title = style.text(
            f"all {len(others) + 1} clocks, each turned so that its hand\npoints where this one's does: "
            f"{landing} is under every hand"
            if not square
            else f"all {len(others) + 1} clocks, each\nturned so that its hand\npoints where this one's\ndoes: "
            f"{landing} is under\nevery hand",
            style.SMALL_SIZE,
            style.MUTED,
        ).move_to(others_title, aligned_edge=UP + LEFT)
        turned = ValueTracker(0.0)
        hands = VGroup()
        nested = []  # each small clock set inside this one: a ring of its own, turned so its landing meets the hand
        for n, (small, (key_index, key)) in enumerate(zip(clocks, others)):
            small_center, small_points = small[0].get_center(), [dot.get_center() for dot in small[1]]
            small_start = get_angle(small_points[int(np.searchsorted(group, a))], small_center)
            small_angle = 2 * math.pi * get_turn(key, v, M)[1] / M
            small_length = np.linalg.norm(small_points[int(np.searchsorted(group, a))] - small_center)
            hands.add(
                redrawn(
                    lambda c=small_center, s=small_start, t=small_angle, r=small_length: VGroup(
                        Sector(radius=0.8 * r, start_angle=s, angle=turned.get_value() * t or 1e-4)
                        .set_fill(style.TRAIN, 0.35)
                        .shift(c),
                        get_hand(c, s + turned.get_value() * t, r, style.HIGHLIGHT, 3),
                    )
                )
            )
            ring = VGroup(small[0], small[1], small[2])
            ring_radius = radius * (NESTED_INNER + (NESTED_OUTER - NESTED_INNER) * n / max(1, len(others) - 1))
            rotation = math.remainder(start + angle - get_angle(small[2].get_center(), small_center), 2 * math.pi)
            inside = get_small_clock(
                frames["embed_clock"][-1, key_index][group].astype(np.float64),
                [colors[t] for t in group],
                key,
                landing_at,
                ring_radius,
                NESTED_DOT_RADIUS,
            )[:3]
            inside[1].set_opacity(DIM_OPACITY)
            nested.append(Transform(ring, inside.rotate(rotation, about_point=ORIGIN).shift(center), path_arc=rotation))
        with self.narrate(lines["agree"]):
            clear = [
                *[FadeOut(shown) for shown in (turn, landed, *sum_line) if shown in self.mobjects],
                elsewhere.animate.set_opacity(1).build(),
            ]
            if others:
                self.paced(
                    [*clear, FadeIn(clocks), FadeIn(others_title), FadeIn(hands)],
                    Succession(
                        turned.animate(rate_func=smooth, run_time=1.5).set_value(1.0).build(),
                        AnimationGroup(*[Flash(small[2], color=style.RESTRICTED) for small in clocks]),
                    ),
                    [
                        elsewhere.animate.set_opacity(DIM_OPACITY).build(),
                        *[small[1].animate.set_opacity(DIM_OPACITY).build() for small in clocks],
                    ],
                    [
                        FadeOut(hands),
                        *[FadeOut(small[3]) for small in clocks],
                        *[FadeOut(shown) for shown in (ghost, hand_on, swept_arc, angle_label)],
                        *nested,
                        FadeTransform(others_title, together_title),
                    ],
                    [
                        Indicate(equation[2], color=style.RESTRICTED),
                        *[Flash(small[2], color=style.RESTRICTED) for small in clocks],
                    ],
                )
            else:
                self.paced(clear)
