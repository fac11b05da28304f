"""Products of waves become a wave of a + b. One neuron's (a, b) pattern, split by the 2-D Fourier
transform: waves in a alone, in b alone (the ReLU's linear part), and products of an a-wave and a
b-wave. In the neuron's own phase the products are two checkerboards, cos(wa′)cos(wb′) and
sin(wa′)sin(wb′); the identity cos x cos y ∓ sin x sin y = cos(x ± y) turns them into a wave of
a + b (diagonal ridges) and a wave of a − b. Summed over every neuron, the logit keeps the first."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    FadeIn,
    FadeOut,
    Group,
    ImageMobject,
    Rectangle,
    ReplacementTransform,
    Text,
    TransformFromCopy,
    UpdateFromAlphaFunc,
    VGroup,
    Write,
    config,
)
from manim.constants import RESAMPLING_ALGORITHMS

from scenes import style
from scenes.helpers import is_narrow, is_tall
from scenes.loader import get_frames, not_shown
from scenes.narration import Line, NarratedScene, count, get_said_at, percent, say
from scenes.operation import require_addition
from scenes.shapes import SHAPES
from scenes.wave_parts import (
    PARTS,
    ProductSplit,
    get_coefficients,
    get_parts,
    get_product_split,
    get_share,
    get_share_words,
    get_upsampled,
    get_wave_shares,
)

BIG_MAP = 3.4  # screen units
MAP_LARGE = 2.2
MAP = 1.95
HEAT_MAP_PIXELS = 360  # at least this many image pixels a side: smooth at 480p and 1080p
KEY_MAP = 1.6  # largest side of the logit's small maps, one per key frequency: frequency 54 of 113 still resolved
KEY_ROW = 8.4  # screen units right of the logit map for that row
HIGHLIGHT_OPACITY = 0.1  # the box behind the maps being named: a tint, the maps still read through it


# the 2-D Fourier split


# what the scene shows and says


def get_identity_neuron(frames: dict) -> int:
    """Index into surface_neurons: the one of lowest frequency (its ridges are widest on screen)."""
    if len(frames["key_freqs"]) == 0:
        not_shown("this run found no key frequency (it has not grokked): no neuron to take apart")
    return int(np.argmin(frames["neuron_freq"][frames["surface_neurons"]]))


@dataclass(frozen=True)
class IdentityFacts:
    neuron: int  # MLP neuron index
    k: int
    pattern: np.ndarray  # [p, p] its hook_post over (a, b), final checkpoint, centred
    mean: float  # what was taken off to centre it
    parts: dict
    shares: dict  # part name -> share of the neuron's variance
    split: ProductSplit
    sum_share: float  # share of the neuron's variance in the products' wave of a + b
    difference_share: float
    cross_share: float  # cos(wa')sin(wb') and sin(wa')cos(wb') terms (part of the a - b waves)
    logit: np.ndarray  # [p, p] the logit of answer surface_logit_c, centred
    logit_shares: tuple  # (a + b, a - b, a or b alone) over the key frequencies
    logit_waves: (
        tuple  # (k, [p, p] the logit's wave of a + b at k, its share of the logit's variance) per key frequency
    )


def get_identity_facts(frames: dict) -> IdentityFacts:
    index = get_identity_neuron(frames)
    neuron = int(frames["surface_neurons"][index])
    k = int(frames["neuron_freq"][neuron])
    raw = frames["surface_post"][-1, index].astype(np.float64)
    pattern = raw - raw.mean()
    parts = get_parts(pattern, k)
    split = get_product_split(pattern, k)
    logit = frames["surface_logit"][-1].astype(np.float64)
    waves = [get_product_split(logit, int(key)).sum_wave for key in frames["key_freqs"]]
    return IdentityFacts(
        neuron,
        k,
        pattern,
        float(raw.mean()),
        parts,
        {name: get_share(part, pattern) for name, part in parts.items()},
        split,
        get_share(split.sum_wave, pattern),
        get_share(split.difference_wave, pattern),
        get_cross_share(get_shifted_weights(pattern, k, split.phase / 2), pattern),
        logit - logit.mean(),
        get_wave_shares(logit, frames["key_freqs"]),
        tuple((int(key), wave, get_share(wave, logit)) for key, wave in zip(frames["key_freqs"], waves)),
    )


def get_shifted_weights(pattern: np.ndarray, k: int, shift: float) -> np.ndarray:
    """[2, 2] the weights of frequency k's products cos·cos, cos·sin, sin·cos, sin·sin with a and b shifted by
    shift / w (angles wa + shift, wb + shift): the same products in a turned basis. At shift = ψ/2 they are
    get_product_split's weights, the cross terms gone; at 0, the unshifted ones."""
    p = len(pattern)
    trig = [2 * k - 1, 2 * k]
    block = get_coefficients(pattern.astype(np.float64))[np.ix_(trig, trig)]
    rotation = np.array([[math.cos(shift), -math.sin(shift)], [math.sin(shift), math.cos(shift)]])
    return rotation @ block @ rotation.T * (2 / p)


def get_cross_share(weights: np.ndarray, pattern: np.ndarray) -> float:
    """Share of the pattern's variance in the cross terms cos·sin and sin·cos of these weights."""
    p = len(pattern)
    return float((weights[0, 1] ** 2 + weights[1, 0] ** 2) * (p / 2) ** 2 / np.square(pattern - pattern.mean()).sum())


def get_share_label(share: float) -> str:
    """A share as printed on screen: '19 %', '< 1 %', '< 0.1 %'."""
    return get_share_words(share).replace("under ", "< ")


def get_signed(x: float) -> str:
    """-0.111 -> '−0.11' (a true minus sign)."""
    return f"{x:.2f}".replace("-", "−")


def get_number_words(x: float) -> str:
    """-0.111 -> 'minus 0.11', as read aloud."""
    return f"{'minus ' if x < 0 else ''}{abs(x):.2f}"


def get_upsample(p: int) -> int:
    return math.ceil(HEAT_MAP_PIXELS / p)


def get_fine(values: np.ndarray) -> np.ndarray:
    """values [p, p] indexed [a, b] -> the Fourier interpolant on the heat maps' pixels. At p = 59 a
    frequency-15 wave has ~4 samples a period, and cells alone beat into false checkerboards; the
    interpolant is exact at every whole (a, b)."""
    return get_upsampled(values, get_upsample(len(values)))


def get_shifted_trig(k: int, p: int, shift: float) -> tuple[np.ndarray, np.ndarray]:
    """cos and sin of wa + shift on the heat maps' pixels (a wave of frequency k needs no interpolating)."""
    angle = 2 * math.pi * k * np.arange(p * get_upsample(p)) / get_upsample(p) / p + shift
    return np.cos(angle), np.sin(angle)


def get_pixels(fine: np.ndarray) -> np.ndarray:
    """Fine values indexed [a, b] -> image rows and columns: a across, b up."""
    return fine.T[::-1]


def get_heat_map(values: np.ndarray, scale: float, size: float) -> ImageMobject:
    """values [p, p] indexed [a, b] as a flat image, a across and b up, drawn by Fourier interpolation.
    Colours clip at +-scale."""
    return get_fine_map(get_fine(values), scale, size)


def get_fine_map(fine: np.ndarray, scale: float, size: float) -> ImageMobject:
    image = ImageMobject(style.diverging(get_pixels(fine), scale))
    image.set_resampling_algorithm(RESAMPLING_ALGORITHMS["bilinear"])
    image.height = size
    return image


def redraw(image: ImageMobject, fine: np.ndarray, scale: float):
    """Give a heat map new values (its transparency kept)."""
    image.pixel_array[:, :, :3] = style.diverging(get_pixels(fine), scale)


def get_change(image: ImageMobject, scale: float, values) -> UpdateFromAlphaFunc:
    """Redraw a heat map as it goes: values(t) the fine values at t from 0 to 1."""
    return UpdateFromAlphaFunc(image, lambda mobject, t: redraw(mobject, values(t), scale))


def get_blend(image: ImageMobject, scale: float, start: np.ndarray, end: np.ndarray) -> UpdateFromAlphaFunc:
    """A heat map going from fine values `start` to `end`, the difference added as it goes."""
    return get_change(image, scale, lambda t: start + t * (end - start))


def get_sweep(image: ImageMobject, run_time: float) -> UpdateFromAlphaFunc:
    """A heat map filled in from a = 0 to a = p - 1: each a with its values for every b."""
    columns = image.pixel_array.copy()

    def fill(mobject, t):
        mobject.pixel_array = columns.copy()
        mobject.pixel_array[:, round(t * columns.shape[1]) :, 3] = 0

    return UpdateFromAlphaFunc(image, fill, run_time=run_time)


def get_counter(words, size: float, color) -> tuple[Text, UpdateFromAlphaFunc]:
    """A line of text rewritten as it goes, words(t) at t from 0 to 1, its left edge kept; and the animation. The
    line is rewritten in place (become): manim draws the mobjects a play started with."""
    counter = style.text(words(0), size, color)

    def rewrite(mobject, t):
        mobject.become(style.text(words(t), size, color).move_to(mobject, aligned_edge=LEFT))

    return counter, UpdateFromAlphaFunc(counter, rewrite)


def get_highlight(*mobjects) -> Rectangle:
    """A tinted box behind what is being named (drawn under the maps: z_index -1)."""
    box = Group(*mobjects)
    highlight = Rectangle(
        width=box.width + 0.25,
        height=box.height + 0.2,
        stroke_color=style.HIGHLIGHT,
        stroke_width=2,
        fill_color=style.HIGHLIGHT,
        fill_opacity=HIGHLIGHT_OPACITY,
    )
    highlight.move_to(box).set_z_index(-1)
    return highlight


def get_frame_around(image: ImageMobject) -> Rectangle:
    return Rectangle(width=image.width, height=image.height, stroke_color=style.GRID, stroke_width=1.5).move_to(image)


def get_caption(lines: list[tuple[str, float, object]], anchor, buff: float = 0.12) -> VGroup:
    """Short stacked lines (text, size, colour) centred under `anchor`."""
    caption = VGroup(*[style.text(line, size, color) for line, size, color in lines]).arrange(DOWN, buff=0.08)
    return caption.next_to(anchor, DOWN, buff=buff)


def get_axis_labels(image: ImageMobject, p: int) -> VGroup:
    """a's label under a map, b's beside it; on a map shorter than a label with the range, whose b's would run into
    a's, the letter alone."""
    words = [f"{axis} = 0 … {p - 1} →" for axis in "ab"]
    if style.text(words[0], style.TICK_SIZE).width > image.height:
        words = [f"{axis} →" for axis in "ab"]
    across = style.text(words[0], style.TICK_SIZE, style.MUTED).next_to(image, DOWN, buff=0.08)
    up = style.text(words[1], style.TICK_SIZE, style.MUTED).rotate(math.pi / 2).next_to(image, LEFT, buff=0.08)
    return VGroup(across, up)


def get_product_lines(product: str) -> list[tuple[str, float, object]]:
    """A product's caption lines (text, size, colour): in a narrow frame one factor a line, as on one it is wider than
    its map, and the box naming it would reach over the signs beside."""
    factors = product.replace("·", "·\n").split("\n") if is_narrow() else [product]
    return [(factor, style.SMALL_SIZE, style.INK) for factor in factors]


def get_identity_lines() -> VGroup:
    """The two identities, each on two lines; the first (green) is the one the model uses."""

    def identity(sign, result, color):
        return VGroup(
            style.text(f"cos(wa′)·cos(wb′) {sign} sin(wa′)·sin(wb′)", style.SMALL_SIZE, color),
            style.text(f"= {result}", style.SMALL_SIZE, color),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.1)

    return VGroup(
        identity("−", "cos(w(a′ + b′)): diagonal ridges", style.RESTRICTED), identity("+", "cos(w(a′ − b′))", style.INK)
    ).arrange(DOWN, aligned_edge=LEFT, buff=0.35)


def get_colour_key(note: str) -> Group:
    """A −/+ colour strip with a note, and how the maps are drawn; in a square, short of height, the note beside a
    shorter strip."""
    square = is_narrow() and not is_tall()
    strip = ImageMobject(style.diverging(np.linspace(-1, 1, 64)[None, :], 1.0))
    strip.set_resampling_algorithm(RESAMPLING_ALGORITHMS["nearest"])
    strip.stretch_to_fit_width(1.0 if square else 1.6).stretch_to_fit_height(0.14)
    low = style.text("−", style.SMALL_SIZE, style.MUTED).next_to(strip, LEFT, buff=0.1)
    high = style.text("+", style.SMALL_SIZE, style.MUTED).next_to(strip, RIGHT, buff=0.1)
    label = VGroup(
        style.text(note, style.TICK_SIZE, style.MUTED),
        style.text("smooth between whole a, b: Fourier interpolation", style.TICK_SIZE, style.MUTED),
    )
    if square:
        label[0].next_to(high, RIGHT, buff=0.25)
        label[1].next_to(Group(low, label[0]), DOWN, buff=0.08)
    else:
        label.arrange(DOWN, buff=0.06).next_to(strip, DOWN, buff=0.1)
    return Group(strip, low, high, label)


def get_symbol(sign: str) -> VGroup:
    return style.text(sign, style.TITLE_SIZE, style.INK)


class TrigIdentity(NarratedScene):
    essential = ("identity",)  # the short cut: products of waves make a wave of a + b
    shapes = tuple(SHAPES)

    @staticmethod
    def script(frames: dict) -> dict[str, Line]:
        require_addition(frames, "identity")
        facts = get_identity_facts(frames)
        shares, (logit_sum, logit_difference, logit_alone) = facts.shares, facts.logit_shares
        return {
            "pattern": say(
                "Take one neuron of the model we trained: neuron {identity_neuron}, whose frequency is "
                "{identity_neuron_freq}. This is its activation for every pair a, b, minus its average.",
                identity_neuron=facts.neuron,
                identity_neuron_freq=facts.k,
            ),
            "split": say(
                "A two-dimensional Fourier transform takes it apart. Waves in a alone hold {a_alone_share} of its "
                "variance, waves in b alone {b_alone_share}: the linear part of the ReLU, the neuron's cut-off at zero. "
                "Products of an a-wave and a b-wave hold {products_share}, and everything else {rest_share}.",
                a_alone_share=percent(shares["a alone"]),
                b_alone_share=percent(shares["b alone"]),
                products_share=percent(shares["products"]),
                rest_share=get_share_words(shares["rest"]),
            ),
            "phase": say(
                "Shift a and b by the neuron's phase, and its products are two checkerboards: cos of a times cos of b, "
                "weighted {cos_cos_weight}, and sin of a times sin of b, weighted {sin_sin_weight}.",
                cos_cos_weight=get_number_words(facts.split.weights[0, 0]),
                sin_sin_weight=get_number_words(facts.split.weights[1, 1]),
            ),
            "identity": say(
                "The identity, cos times cos minus sin times sin equals the cos of a plus b, rewrites them. One part "
                "is diagonal ridges, a wave of a plus b alone: {a_plus_b_share} of the neuron's variance. Its twin, "
                "cos times cos plus sin times sin equals the cos of a minus b, gives the other {a_minus_b_share}: a "
                "wave of a minus b.",
                a_plus_b_share=percent(facts.sum_share),
                a_minus_b_share=percent(facts.difference_share),
            ),
            "logit": say(
                "In the logit of the answer {logit_answer}, the model's score for that answer, where all {n_neurons} "
                "neurons add up, the waves of a plus b remain: {logit_a_plus_b_share} of its variance. The waves of a "
                "minus b come to {logit_a_minus_b_share}, the waves in a or b alone to {logit_one_input_share}.",
                logit_answer=int(frames["surface_logit_c"]),
                n_neurons=count(len(frames["neuron_freq"])),
                logit_a_plus_b_share=percent(logit_sum),
                logit_a_minus_b_share=get_share_words(logit_difference),
                logit_one_input_share=get_share_words(logit_alone),
            ),
        }

    def fade_out_all_but(self, *keep) -> FadeOut:
        kept = {id(m) for mobject in keep for m in mobject.get_family()}
        return FadeOut(Group(*[m for m in self.mobjects if id(m) not in kept]))

    def at(self, line: str, phrase: str) -> float:
        """When `phrase` is said in `line`, the line being narrated."""
        return get_said_at(line, phrase, self.line_end)

    def construct(self):
        frames = get_frames()
        lines = self.script(frames)
        facts = get_identity_facts(frames)
        p, k, split, weights = len(facts.pattern), facts.k, facts.split, facts.split.weights
        # one colour scale for the maps shown together: the neuron (before and after its mean comes off) and its
        # parts, then its products
        split_scale = max(np.abs(m).max() for m in (facts.pattern + facts.mean, facts.pattern, *facts.parts.values()))
        product_scale = max(
            np.abs(m).max()
            for m in (facts.parts["products"], *split.checkerboards, split.sum_wave, split.difference_wave)
        )

        narrow, tall = is_narrow(), is_tall()
        square = narrow and not tall
        wrap = "\n" if narrow else " "  # a long line wraps in a frame 8 units wide

        # Step 1: the neuron's pattern over every (a, b), filled in a by a, then its mean taken off
        line = lines["pattern"]
        title = style.text(f"Products of waves{wrap}make a wave of a + b", style.TITLE_SIZE).to_edge(UP, buff=0.3)
        subtitle = style.text(
            f"neuron {facts.neuron}, frequency {k}:{wrap}its activation over every (a, b)",
            style.SMALL_SIZE,
            style.MUTED,
        ).next_to(title, DOWN, buff=0.12)
        minus_mean = style.text(
            f"neuron {facts.neuron}, frequency {k}: its activation{wrap}over every (a, b), minus its mean {facts.mean:.2f}",
            style.SMALL_SIZE,
            style.MUTED,
        ).move_to(subtitle)
        fine_pattern = get_fine(facts.pattern)
        # a narrow frame's width less b's label and margins; in a square, the height the titles and the key leave
        big = min(config.frame_width - 1.6, config.frame_height - 4.0) if narrow else BIG_MAP
        neuron = get_fine_map(fine_pattern + facts.mean, split_scale, big).next_to(subtitle, DOWN, buff=0.5)
        axes = get_axis_labels(neuron, p)
        key = get_colour_key("one colour scale for the maps on screen")
        if narrow:
            key.to_edge(DOWN, buff=0.25).set_x(0)
        else:
            key.to_corner(DOWN + RIGHT, buff=0.3)
        with self.narrate(line):
            self.play(Write(title), FadeIn(subtitle), FadeIn(axes), FadeIn(key), run_time=1.5)
            minus = self.at(line, "minus its average")
            self.paced(get_sweep(neuron, minus - self.time), until=minus)
            self.paced(
                [
                    get_change(neuron, split_scale, lambda t: fine_pattern + (1 - t) * facts.mean),
                    FadeOut(subtitle),
                    FadeIn(minus_mean),
                ]
            )

        # Step 2: the 2-D Fourier transform splits it into four parts that add up to it, each coming as it is named
        line = lines["split"]
        # 9:16: the neuron over its parts, two by two, in the height below the subtitle (three maps, their captions,
        # the signs and the key take it); 1:1: two rows of maps with their captions between the title and the key
        if narrow:
            size = (config.frame_height - 8.2) / 3 if tall else (config.frame_height - 5.3) / 2
        else:
            size = MAP
        parts = [get_heat_map(facts.parts[name], split_scale, size) for name in PARTS]
        row = Group(
            get_heat_map(facts.pattern, split_scale, size),
            get_symbol("="),
            parts[0],
            get_symbol("+"),
            parts[1],
            get_symbol("+"),
            parts[2],
            get_symbol("+"),
            parts[3],
        )
        if tall:  # rows of two parts, under the neuron and its "="
            row[2:5].arrange(RIGHT, buff=0.18)
            row[6:].arrange(RIGHT, buff=0.18)
        elif square:  # the neuron and the linear parts, then "+" under "=" and the others
            row[:5].arrange(RIGHT, buff=0.18)
            row[5:].arrange(RIGHT, buff=0.18).align_to(row[1], LEFT)
        else:
            row.arrange(RIGHT, buff=0.18).next_to(minus_mean, DOWN, buff=1.0).shift(RIGHT * 0.15)
        small_axes = get_axis_labels(row[0], p)
        names = [
            ("waves in", "a alone"),
            ("waves in", "b alone"),
            ("products:", "a-wave × b-wave"),
            ("everything", "else"),
        ]
        captions = [
            get_caption(
                [
                    (first, style.SMALL_SIZE, style.INK),
                    (second, style.SMALL_SIZE, style.INK),
                    (get_share_label(facts.shares[name]), style.LABEL_SIZE, style.HIGHLIGHT),
                ],
                part,
            )
            for (first, second), name, part in zip(names, PARTS, parts)
        ]
        # the rows, each with its captions, stacked down from the subtitle (in a square, which goes, from the title)
        if narrow:
            if tall:
                blocks = [
                    Group(row[0], small_axes),
                    row[1],
                    Group(row[2:5], *captions[:2]),
                    row[5],
                    Group(row[6:], *captions[2:]),
                ]
                buffs = [0.45, 0.25, 0.75, 0.25, 0.25]  # 0.75: the linear part's label over its box
            else:
                blocks = [Group(row[:5], small_axes, *captions[:2]), Group(row[5:], *captions[2:])]
                buffs = [0.6, 0.2]  # 0.6: the linear part's label over its box
            above = (minus_mean if tall else title).get_bottom()[1]
            for block, buff in zip(blocks, buffs):
                block.shift(UP * (above - buff - block.get_top()[1]))
                above = block.get_bottom()[1]
                if tall:
                    block.set_x(0)
            if square:
                Group(*blocks).set_x(0)
        frames_around = [get_frame_around(m) for m in (row[0], *parts)]

        def part_step(i: int) -> list:
            symbol = row[2 * i + 1]
            return [
                FadeIn(symbol),
                TransformFromCopy(neuron, parts[i]),
                FadeIn(frames_around[i + 1]),
                FadeIn(captions[i]),
            ]

        linear = get_highlight(*parts[:2], *captions[:2])
        linear_label = style.text("the ReLU's linear part", style.SMALL_SIZE, style.HIGHLIGHT).next_to(
            linear, UP, buff=0.1
        )
        with self.narrate(line):
            self.paced(
                [
                    neuron.animate.replace(row[0]),
                    FadeOut(axes),
                    FadeIn(small_axes),
                    FadeIn(frames_around[0]),
                    *([FadeOut(minus_mean)] if square else []),  # its height goes to the parts' two rows
                ],
                until=self.at(line, "Waves in a alone"),
            )
            self.paced(part_step(0), part_step(1), until=self.at(line, "the linear part"))
            self.paced([FadeIn(linear), FadeIn(linear_label)], until=self.at(line, "Products of"))
            self.paced(part_step(2), part_step(3))

        # Step 3: shifted by the neuron's phase, the products are two checkerboards
        line = lines["phase"]
        large = (config.frame_width - 2.9) / 3 if narrow else MAP_LARGE  # three maps and two signs across the frame
        products = get_heat_map(facts.parts["products"], product_scale, large)
        boards = [get_heat_map(board, product_scale, large) for board in split.checkerboards]
        top = Group(products, get_symbol("="), boards[0], get_symbol("+"), boards[1])
        top.arrange(RIGHT, buff=0.34 if narrow else 0.2)  # narrow: the boxes naming a wave's caption clear the signs
        top.next_to(title, DOWN, buff=0.35)
        if not narrow:
            top.to_edge(LEFT, buff=0.35)
        top_captions = VGroup(
            get_caption(
                [
                    ("products", style.SMALL_SIZE, style.INK),
                    (get_share_label(facts.shares["products"]), style.SMALL_SIZE, style.HIGHLIGHT),
                ],
                products,
                buff=0.08,
            ),
            get_caption(
                [
                    *get_product_lines("cos(wa′)·cos(wb′)"),
                    (f"× {get_signed(weights[0, 0])}", style.SMALL_SIZE, style.HIGHLIGHT),
                ],
                boards[0],
                buff=0.08,
            ),
            get_caption(
                [
                    *get_product_lines("sin(wa′)·sin(wb′)"),
                    (f"× {get_signed(weights[1, 1])}", style.SMALL_SIZE, style.HIGHLIGHT),
                ],
                boards[1],
                buff=0.08,
            ),
        )
        phase_note = VGroup(
            *[
                style.text(words, style.SMALL_SIZE, style.MUTED)
                for words in (
                    "a′ = a + ψ/2w and b′ = b + ψ/2w:",
                    "a and b shifted by the neuron's phase",
                    f"ψ = {get_signed(split.phase)}, w = 2π·{k}/{p}",
                )
            ]
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.1)
        if narrow:  # the notes go under the row, not beside it
            phase_note.next_to(top_captions, DOWN, buff=0.25).align_to(top, LEFT)
        else:
            phase_note.next_to(top, RIGHT, buff=0.4).align_to(top, UP).shift(DOWN * 0.1)

        # the shift as it goes: a and b moved by t·ψ/2w, the products' weights in that basis, the cross terms
        # cos·sin falling to nothing at the neuron's own phase
        def get_weights(t: float) -> np.ndarray:
            return get_shifted_weights(facts.pattern, k, t * split.phase / 2)

        def get_board(t: float, which: int) -> np.ndarray:
            trig = get_shifted_trig(k, p, t * split.phase / 2)[which]
            return get_weights(t)[which, which] * np.outer(trig, trig)

        cross, cross_count = get_counter(
            lambda t: f"cross terms cos·sin: {get_share_label(get_cross_share(get_weights(t), facts.pattern))}",
            style.SMALL_SIZE,
            style.MUTED,
        )
        cross.next_to(phase_note, DOWN, buff=0.1, aligned_edge=LEFT)
        unshifted = [get_fine_map(get_board(0, which), product_scale, large).move_to(boards[which]) for which in (0, 1)]
        shift = [
            get_change(board, product_scale, lambda t, which=which: get_board(t, which))
            for which, board in enumerate(unshifted)
        ]
        leftover = VGroup(
            *[
                style.text(words, style.SMALL_SIZE, style.MUTED)
                for words in (
                    "left over from the split:",
                    f"waves in a alone {get_share_label(facts.shares['a alone'])},",
                    f"waves in b alone {get_share_label(facts.shares['b alone'])}",
                    "(the ReLU's linear part),",
                    f"everything else {get_share_label(facts.shares['rest'])}",
                )
            ]
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.1)
        leftover.next_to(cross, DOWN, buff=0.35, aligned_edge=LEFT)
        # a square has no room under the phase's note for this recap of the split (its shares were on screen a step ago)
        recap = [] if square else [leftover]
        product_key = get_colour_key("the products' own colour scale").move_to(key)
        highlights = [get_highlight(board, caption) for board, caption in zip(boards, top_captions[1:])]
        with self.narrate(line):
            self.play(
                self.fade_out_all_but(title, key, parts[2]),
                *[FadeIn(m) for m in recap],
                ReplacementTransform(parts[2], products),
                ReplacementTransform(key, product_key),
                FadeIn(phase_note),
                run_time=1,
            )
            self.play(
                *[TransformFromCopy(products, board) for board in unshifted],
                FadeIn(Group(*[get_frame_around(m) for m in (products, *boards)])),
                FadeIn(top_captions[0]),
                FadeIn(cross),
                run_time=1,
            )
            self.play(*shift, cross_count, run_time=2.5)
            self.paced(
                [FadeIn(top[1::2]), FadeIn(top_captions[1:]), FadeIn(highlights[0])],
                until=self.at(line, "and sin of a times sin"),
            )
            self.paced(ReplacementTransform(highlights[0], highlights[1]))

        # Step 4: the identity turns them into a wave of a + b and a wave of a - b, the sin·sin term coming in as
        # each identity says it
        line = lines["identity"]
        ridges = [get_heat_map(wave, product_scale, large) for wave in (split.sum_wave, split.difference_wave)]
        bottom = Group(get_symbol("="), ridges[0], get_symbol("+"), ridges[1])
        identity = get_identity_lines()
        if tall:  # in the leftover's place under the phase's note, the waves' row under it
            identity.next_to(cross, DOWN, buff=0.35).align_to(phase_note, LEFT)
            drop = top.get_y() - identity.get_bottom()[1] + 0.4 + large / 2
        else:  # a square has no room for a second row: the waves take the checkerboards' places
            drop = 0 if square else MAP_LARGE + 0.95
        for mobject, column in zip(bottom, top[1:]):
            mobject.move_to(column).shift(DOWN * drop)
        halves = [(weights[0, 0] - weights[1, 1]) / 2, (weights[0, 0] + weights[1, 1]) / 2]
        # in a narrow frame each wave's weight on a line of its own: on one line the two captions would run together
        bottom_captions = VGroup(
            *[
                get_caption(
                    [
                        *(
                            [(wave, style.SMALL_SIZE, color), (f"× {get_signed(half)}", style.SMALL_SIZE, color)]
                            if narrow
                            else [(f"{wave} × {get_signed(half)}", style.SMALL_SIZE, color)]
                        ),
                        (get_share_label(share), style.SMALL_SIZE, style.HIGHLIGHT),
                    ],
                    ridge,
                    buff=0.08,
                )
                for wave, color, half, share, ridge in zip(
                    ("cos(w(a′ + b′))", "cos(w(a′ − b′))"),
                    (style.RESTRICTED, style.INK),
                    halves,
                    (facts.sum_share, facts.difference_share),
                    ridges,
                )
            ]
        )
        if square:
            identity.next_to(bottom_captions, DOWN, buff=0.3).align_to(phase_note, LEFT)
        elif not tall:
            identity.next_to(bottom, RIGHT, buff=0.5).align_to(bottom, UP)
            identity.align_to(phase_note, LEFT)
        # each wave starts as half the difference (or sum) of the weights times cos·cos, then the sin·sin term (and
        # what the cross terms hold) comes in: the wave itself
        cos_cos = np.outer(*[get_shifted_trig(k, p, split.phase / 2)[0]] * 2)
        waves = []
        for half, wave, ridge in zip(halves, (split.sum_wave, split.difference_wave), ridges):
            start = get_fine_map(half * cos_cos, product_scale, large).move_to(ridge)
            waves.append((start, get_blend(start, product_scale, half * cos_cos, get_fine(wave))))
        ridge_highlights = [get_highlight(ridge, caption) for ridge, caption in zip(ridges, bottom_captions)]
        # the identity takes the recap's place, in a square the phase's note's (said by now); each wave comes with its
        # sign, in a square over a checkerboard (its sign already there), which goes with its caption
        if square:
            room = [FadeOut(phase_note), FadeOut(cross)]
            comes = [[FadeOut(unshifted[i]), FadeOut(top_captions[i + 1])] for i in (0, 1)]
        else:
            room = [FadeOut(leftover)]
            comes = [[FadeIn(bottom[0])], [FadeIn(bottom[2])]]
        with self.narrate(line):
            self.paced(
                [*room, FadeIn(identity[0]), *comes[0], FadeIn(waves[0][0])],
                waves[0][1],
                until=self.at(line, "One part"),
            )
            self.paced(
                [
                    FadeIn(get_frame_around(ridges[0])),
                    FadeIn(bottom_captions[0]),
                    ReplacementTransform(highlights[1], ridge_highlights[0]),
                ],
                until=self.at(line, "Its twin"),
            )
            self.paced(
                [FadeIn(identity[1]), *comes[1], FadeIn(waves[1][0])],
                waves[1][1],
                until=self.at(line, "gives the other"),
            )
            self.paced(
                [
                    FadeIn(get_frame_around(ridges[1])),
                    FadeIn(bottom_captions[1]),
                    ReplacementTransform(ridge_highlights[0], ridge_highlights[1]),
                ]
            )

        # Step 5: in the logit, where every neuron adds up, the waves of a + b are what remains: one per key
        # frequency, named as they are said, and with them taken off almost nothing is left
        line = lines["logit"]
        logit_sum, logit_difference, logit_alone = facts.logit_shares
        logit_scale = np.abs(facts.logit).max()
        # 9:16: the logit over the heading, the key frequencies' row and the tally, as large as their height leaves;
        # 1:1: the logit beside the heading and the tally, the key frequencies' row under it
        if narrow:
            logit_size = config.frame_height - (9.8 if tall else 6.0)
        else:
            logit_size = BIG_MAP
        logit = get_heat_map(facts.logit, logit_scale, logit_size).next_to(title, DOWN, buff=0.3 if square else 0.6)
        if not tall:  # in a square, 1 from the edge leaves the caption under it room
            logit.to_edge(LEFT, buff=1.0 if square else 0.9)
        logit_axes = get_axis_labels(logit, p)
        logit_caption = get_caption(
            [(f"the logit of answer {int(frames['surface_logit_c'])}", style.SMALL_SIZE, style.INK)], logit_axes[0]
        )
        sum_waves = sum(wave for _, wave, _ in facts.logit_waves)
        rest_caption = get_caption(
            [
                (f"the logit of answer {int(frames['surface_logit_c'])}", style.SMALL_SIZE, style.INK),
                ("minus its waves of a + b:", style.SMALL_SIZE, style.INK),
                (get_share_label(get_share(facts.logit - sum_waves, facts.logit)), style.SMALL_SIZE, style.HIGHLIGHT),
            ],
            logit_axes[0],
        )
        heading_wrap = wrap if square else " "  # in a square the heading goes beside the logit, in half the width
        heading = style.text(
            f"in the logit, where all{heading_wrap}{count(len(frames['neuron_freq']))} neurons add up:",
            style.LABEL_SIZE,
            style.INK,
        )
        # a row across a narrow frame, less its margins; in a square, as tall as the logit above leaves room for
        row_width = config.frame_width - 0.8 if narrow else KEY_ROW
        size = min(
            config.frame_height - 6.85 if square else KEY_MAP, (row_width + 0.25) / len(facts.logit_waves) - 0.25
        )
        key_maps = [get_heat_map(wave, logit_scale, size) for _, wave, _ in facts.logit_waves]
        key_row = Group(*key_maps).arrange(RIGHT, buff=0.25)
        key_colors = style.frequency_colors(frames["key_freqs"].tolist())  # each key frequency's colour in every scene
        key_captions = [
            get_caption(
                [
                    (f"k = {key}", style.SMALL_SIZE, key_colors.get(key, style.RESTRICTED)),
                    (get_share_label(share), style.SMALL_SIZE, style.HIGHLIGHT),
                ],
                key_map,
                buff=0.08,
            )
            for (key, _, share), key_map in zip(facts.logit_waves, key_maps)
        ]
        tally_size = style.SMALL_SIZE if square else style.LABEL_SIZE  # in a square, beside the logit
        tally = [
            style.text(f"waves of a + b, together: {get_share_label(logit_sum)}", tally_size, style.RESTRICTED),
            style.text(f"waves of a − b: {get_share_label(logit_difference)}", tally_size, style.MUTED),
            style.text(f"waves in a or b alone: {get_share_label(logit_alone)}", tally_size, style.MUTED),
        ]
        keys = Group(key_row, *key_captions)
        if tall:
            Group(heading, keys, *tally).arrange(DOWN, aligned_edge=LEFT, buff=0.3).next_to(
                rest_caption, DOWN, buff=0.5
            )
        elif square:
            column = Group(heading, *tally).arrange(DOWN, aligned_edge=LEFT, buff=0.25)
            column.next_to(logit, RIGHT, buff=0.45).align_to(logit, UP)
            keys.next_to(rest_caption, DOWN, buff=0.25).set_x(0)
        else:
            Group(heading, keys, *tally).arrange(DOWN, aligned_edge=LEFT, buff=0.3).next_to(
                logit, RIGHT, buff=0.6
            ).align_to(logit, UP)
        logit_key = get_colour_key("the logit's own colour scale").move_to(product_key)
        with self.narrate(line):
            self.paced(
                [
                    self.fade_out_all_but(title, product_key),
                    FadeIn(logit),
                    FadeIn(get_frame_around(logit)),
                    FadeIn(logit_caption),
                    FadeIn(logit_axes),
                    ReplacementTransform(product_key, logit_key),
                ],
                until=self.at(line, "where all"),
            )
            self.paced(FadeIn(heading), until=self.at(line, "the waves of a plus b"))
            self.paced(
                *[[FadeIn(key_map), FadeIn(caption)] for key_map, caption in zip(key_maps, key_captions)],
                FadeIn(tally[0]),
                until=self.at(line, "The waves of a minus b"),
            )
            self.paced(
                [
                    get_blend(logit, logit_scale, get_fine(facts.logit), get_fine(facts.logit - sum_waves)),
                    FadeOut(logit_caption),
                    FadeIn(rest_caption),
                    FadeIn(tally[1]),
                ],
                FadeIn(tally[2]),
            )
        self.wait(1)
