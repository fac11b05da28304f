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
)
from manim.constants import RESAMPLING_ALGORITHMS

from scenes import style
from scenes.loader import get_frames, not_shown
from scenes.narration import Line, NarratedScene, count, get_said_at, percent, say
from scenes.operation import require_addition
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
    across = style.text(f"a = 0 … {p - 1} →", style.TICK_SIZE, style.MUTED).next_to(image, DOWN, buff=0.08)
    up = (
        style.text(f"b = 0 … {p - 1} →", style.TICK_SIZE, style.MUTED)
        .rotate(math.pi / 2)
        .next_to(image, LEFT, buff=0.08)
    )
    return VGroup(across, up)


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
    """A −/+ colour strip with a note, and how the maps are drawn."""
    strip = ImageMobject(style.diverging(np.linspace(-1, 1, 64)[None, :], 1.0))
    strip.set_resampling_algorithm(RESAMPLING_ALGORITHMS["nearest"])
    strip.stretch_to_fit_width(1.6).stretch_to_fit_height(0.14)
    low = style.text("−", style.SMALL_SIZE, style.MUTED).next_to(strip, LEFT, buff=0.1)
    high = style.text("+", style.SMALL_SIZE, style.MUTED).next_to(strip, RIGHT, buff=0.1)
    label = VGroup(
        style.text(note, style.TICK_SIZE, style.MUTED),
        style.text("smooth between whole a, b: Fourier interpolation", style.TICK_SIZE, style.MUTED),
    )
    label.arrange(DOWN, buff=0.06).next_to(strip, DOWN, buff=0.1)
    return Group(strip, low, high, label)


def get_symbol(sign: str) -> VGroup:
    return style.text(sign, style.TITLE_SIZE, style.INK)


class TrigIdentity(NarratedScene):
    essential = ("identity",)  # the short cut: products of waves make a wave of a + b

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

        # Step 1: the neuron's pattern over every (a, b), filled in a by a, then its mean taken off
        line = lines["pattern"]
        title = style.text("Products of waves make a wave of a + b", style.TITLE_SIZE).to_edge(UP, buff=0.3)
        subtitle = style.text(
            f"neuron {facts.neuron}, frequency {k}: its activation over every (a, b)", style.SMALL_SIZE, style.MUTED
        ).next_to(title, DOWN, buff=0.12)
        minus_mean = style.text(
            f"neuron {facts.neuron}, frequency {k}: its activation over every (a, b), minus its mean {facts.mean:.2f}",
            style.SMALL_SIZE,
            style.MUTED,
        ).move_to(subtitle)
        fine_pattern = get_fine(facts.pattern)
        neuron = get_fine_map(fine_pattern + facts.mean, split_scale, BIG_MAP).next_to(subtitle, DOWN, buff=0.5)
        axes = get_axis_labels(neuron, p)
        key = get_colour_key("one colour scale for the maps on screen").to_corner(DOWN + RIGHT, buff=0.3)
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
        parts = [get_heat_map(facts.parts[name], split_scale, MAP) for name in PARTS]
        row = Group(
            get_heat_map(facts.pattern, split_scale, MAP),
            get_symbol("="),
            parts[0],
            get_symbol("+"),
            parts[1],
            get_symbol("+"),
            parts[2],
            get_symbol("+"),
            parts[3],
        )
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
                [neuron.animate.replace(row[0]), FadeOut(axes), FadeIn(small_axes), FadeIn(frames_around[0])],
                until=self.at(line, "Waves in a alone"),
            )
            self.paced(part_step(0), part_step(1), until=self.at(line, "the linear part"))
            self.paced([FadeIn(linear), FadeIn(linear_label)], until=self.at(line, "Products of"))
            self.paced(part_step(2), part_step(3))

        # Step 3: shifted by the neuron's phase, the products are two checkerboards
        line = lines["phase"]
        products = get_heat_map(facts.parts["products"], product_scale, MAP_LARGE)
        boards = [get_heat_map(board, product_scale, MAP_LARGE) for board in split.checkerboards]
        top = Group(products, get_symbol("="), boards[0], get_symbol("+"), boards[1]).arrange(RIGHT, buff=0.2)
        top.next_to(title, DOWN, buff=0.35).to_edge(LEFT, buff=0.35)
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
                    ("cos(wa′)·cos(wb′)", style.SMALL_SIZE, style.INK),
                    (f"× {get_signed(weights[0, 0])}", style.SMALL_SIZE, style.HIGHLIGHT),
                ],
                boards[0],
                buff=0.08,
            ),
            get_caption(
                [
                    ("sin(wa′)·sin(wb′)", style.SMALL_SIZE, style.INK),
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
        unshifted = [
            get_fine_map(get_board(0, which), product_scale, MAP_LARGE).move_to(boards[which]) for which in (0, 1)
        ]
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
        product_key = get_colour_key("the products' own colour scale").move_to(key)
        highlights = [get_highlight(board, caption) for board, caption in zip(boards, top_captions[1:])]
        with self.narrate(line):
            self.play(
                self.fade_out_all_but(title, key, parts[2]),
                FadeIn(leftover),
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
        ridges = [get_heat_map(wave, product_scale, MAP_LARGE) for wave in (split.sum_wave, split.difference_wave)]
        bottom = Group(get_symbol("="), ridges[0], get_symbol("+"), ridges[1])
        for mobject, column in zip(bottom, top[1:]):
            mobject.move_to(column).shift(DOWN * (MAP_LARGE + 0.95))
        halves = [(weights[0, 0] - weights[1, 1]) / 2, (weights[0, 0] + weights[1, 1]) / 2]
        bottom_captions = VGroup(
            get_caption(
                [
                    (f"cos(w(a′ + b′)) × {get_signed(halves[0])}", style.SMALL_SIZE, style.RESTRICTED),
                    (get_share_label(facts.sum_share), style.SMALL_SIZE, style.HIGHLIGHT),
                ],
                ridges[0],
                buff=0.08,
            ),
            get_caption(
                [
                    (f"cos(w(a′ − b′)) × {get_signed(halves[1])}", style.SMALL_SIZE, style.INK),
                    (get_share_label(facts.difference_share), style.SMALL_SIZE, style.HIGHLIGHT),
                ],
                ridges[1],
                buff=0.08,
            ),
        )
        identity = get_identity_lines().next_to(bottom, RIGHT, buff=0.5).align_to(bottom, UP)
        identity.align_to(phase_note, LEFT)
        # each wave starts as half the difference (or sum) of the weights times cos·cos, then the sin·sin term (and
        # what the cross terms hold) comes in: the wave itself
        cos_cos = np.outer(*[get_shifted_trig(k, p, split.phase / 2)[0]] * 2)
        waves = []
        for half, wave, ridge in zip(halves, (split.sum_wave, split.difference_wave), ridges):
            start = get_fine_map(half * cos_cos, product_scale, MAP_LARGE).move_to(ridge)
            waves.append((start, get_blend(start, product_scale, half * cos_cos, get_fine(wave))))
        ridge_highlights = [get_highlight(ridge, caption) for ridge, caption in zip(ridges, bottom_captions)]
        with self.narrate(line):
            self.paced(
                [FadeOut(leftover), FadeIn(identity[0]), FadeIn(bottom[0]), FadeIn(waves[0][0])],
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
                [FadeIn(identity[1]), FadeIn(bottom[2]), FadeIn(waves[1][0])],
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
        logit = get_heat_map(facts.logit, logit_scale, BIG_MAP).next_to(title, DOWN, buff=0.6).to_edge(LEFT, buff=0.9)
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
        heading = style.text(
            f"in the logit, where all {count(len(frames['neuron_freq']))} neurons add up:", style.LABEL_SIZE, style.INK
        )
        size = min(KEY_MAP, (KEY_ROW + 0.25) / len(facts.logit_waves) - 0.25)
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
        tally = [
            style.text(f"waves of a + b, together: {get_share_label(logit_sum)}", style.LABEL_SIZE, style.RESTRICTED),
            style.text(f"waves of a − b: {get_share_label(logit_difference)}", style.LABEL_SIZE, style.MUTED),
            style.text(f"waves in a or b alone: {get_share_label(logit_alone)}", style.LABEL_SIZE, style.MUTED),
        ]
        Group(heading, Group(key_row, *key_captions), *tally).arrange(DOWN, aligned_edge=LEFT, buff=0.3).next_to(
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
