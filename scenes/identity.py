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
    Transform,
    TransformFromCopy,
    VGroup,
    Write,
)
from manim.constants import RESAMPLING_ALGORITHMS

from scenes import style
from scenes.loader import get_frames, not_shown
from scenes.narration import NarratedScene, count, percent
from scenes.operation import require_addition
from scenes.wave_parts import (
    PARTS,
    ProductSplit,
    get_parts,
    get_product_split,
    get_share,
    get_share_words,
    get_upsampled,
    get_wave_shares,
)

BIG_MAP = 3.4  # screen units
MAP_LARGE = 2.25
MAP = 1.95
HEAT_MAP_PIXELS = 360  # at least this many image pixels a side: smooth at 480p and 1080p


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
    parts: dict
    shares: dict  # part name -> share of the neuron's variance
    split: ProductSplit
    sum_share: float  # share of the neuron's variance in the products' wave of a + b
    difference_share: float
    cross_share: float  # cos(wa')sin(wb') and sin(wa')cos(wb') terms (part of the a - b waves)
    logit: np.ndarray  # [p, p] the logit of answer surface_logit_c, centred
    logit_shares: tuple  # (a + b, a - b, a or b alone) over the key frequencies


def get_identity_facts(frames: dict) -> IdentityFacts:
    index = get_identity_neuron(frames)
    neuron = int(frames["surface_neurons"][index])
    k = int(frames["neuron_freq"][neuron])
    raw = frames["surface_post"][-1, index].astype(np.float64)
    pattern = raw - raw.mean()
    parts = get_parts(pattern, k)
    split = get_product_split(pattern, k)
    p = len(pattern)
    logit = frames["surface_logit"][-1].astype(np.float64)
    total = np.square(pattern).sum()
    cross = (split.weights[0, 1] ** 2 + split.weights[1, 0] ** 2) * (p / 2) ** 2 / total  # weights back to coefficients
    return IdentityFacts(
        neuron,
        k,
        pattern,
        parts,
        {name: get_share(part, pattern) for name, part in parts.items()},
        split,
        get_share(split.sum_wave, pattern),
        get_share(split.difference_wave, pattern),
        float(cross),
        logit - logit.mean(),
        get_wave_shares(logit, frames["key_freqs"]),
    )


def get_share_label(share: float) -> str:
    """A share as printed on screen: '19 %', '< 1 %', '< 0.1 %'."""
    return get_share_words(share).replace("under ", "< ")


def get_signed(x: float) -> str:
    """-0.111 -> '−0.11' (a true minus sign)."""
    return f"{x:.2f}".replace("-", "−")


def get_number_words(x: float) -> str:
    """-0.111 -> 'minus 0.11', as read aloud."""
    return f"{'minus ' if x < 0 else ''}{abs(x):.2f}"


def get_heat_map(values: np.ndarray, scale: float, size: float) -> ImageMobject:
    """values [p, p] indexed [a, b] as a flat image, a across and b up. Drawn by Fourier interpolation:
    at p = 59 a frequency-15 wave has ~4 samples a period, and cells alone beat into false
    checkerboards; the interpolant is exact at every whole (a, b). Colours clip at +-scale."""
    upsample = math.ceil(HEAT_MAP_PIXELS / len(values))
    image = ImageMobject(style.diverging(get_upsampled(values, upsample).T[::-1], scale))
    image.set_resampling_algorithm(RESAMPLING_ALGORITHMS["bilinear"])
    image.height = size
    return image


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
    @staticmethod
    def script(frames: dict) -> dict[str, str]:
        require_addition(frames, "identity")
        facts = get_identity_facts(frames)
        shares, (logit_sum, logit_difference, logit_alone) = facts.shares, facts.logit_shares
        d_mlp = len(frames["neuron_freq"])
        return {
            "pattern": f"Take one neuron of the model we trained: neuron {facts.neuron}, whose frequency is {facts.k}. "
            f"This is its activation for every pair a, b, minus its average.",
            "split": f"A two-dimensional Fourier transform takes it apart. Waves in a alone hold {percent(shares['a alone'])} "
            f"of its variance, waves in b alone {percent(shares['b alone'])}: the linear part of the ReLU, the neuron's cut-off at zero. "
            f"Products of an a-wave and a b-wave hold {percent(shares['products'])}, "
            f"and everything else {get_share_words(shares['rest'])}.",
            "phase": f"Shift a and b by the neuron's phase, and its products are two checkerboards: cos of a times cos of b, "
            f"weighted {get_number_words(facts.split.weights[0, 0])}, and sin of a times sin of b, weighted "
            f"{get_number_words(facts.split.weights[1, 1])}.",
            "identity": f"The identity, cos times cos minus sin times sin equals the cos of a plus b, rewrites them. One part "
            f"is diagonal ridges, a wave of a plus b alone: {percent(facts.sum_share)} of the neuron's variance. "
            f"Its twin, cos times cos plus sin times sin equals the cos of a minus b, gives the other "
            f"{percent(facts.difference_share)}: a wave of a minus b.",
            "logit": f"In the logit of the answer {int(frames['surface_logit_c'])}, the model's score for that answer, where all "
            f"{count(d_mlp)} neurons add up, "
            f"the waves of a plus b remain: {percent(logit_sum)} of its variance. The waves of a minus b come to "
            f"{get_share_words(logit_difference)}, the waves in a or b alone to {get_share_words(logit_alone)}.",
        }

    def fade_out_all_but(self, *keep) -> FadeOut:
        kept = {id(m) for mobject in keep for m in mobject.get_family()}
        return FadeOut(Group(*[m for m in self.mobjects if id(m) not in kept]))

    def construct(self):
        frames = get_frames()
        lines = self.script(frames)
        facts = get_identity_facts(frames)
        p, k, split, weights = len(facts.pattern), facts.k, facts.split, facts.split.weights
        # one colour scale for the maps shown together: the neuron and its parts, then its products
        split_scale = max(np.abs(m).max() for m in (facts.pattern, *facts.parts.values()))
        product_scale = max(
            np.abs(m).max()
            for m in (facts.parts["products"], *split.checkerboards, split.sum_wave, split.difference_wave)
        )

        # Step 1: the neuron's pattern over every (a, b)
        title = style.text("Products of waves make a wave of a + b", style.TITLE_SIZE).to_edge(UP, buff=0.3)
        subtitle = style.text(
            f"neuron {facts.neuron}, frequency {k}: its activation over every (a, b), minus its mean",
            style.SMALL_SIZE,
            style.MUTED,
        ).next_to(title, DOWN, buff=0.12)
        neuron = get_heat_map(facts.pattern, split_scale, BIG_MAP).next_to(subtitle, DOWN, buff=0.5)
        axes = get_axis_labels(neuron, p)
        key = get_colour_key("one colour scale for the maps on screen").to_corner(DOWN + RIGHT, buff=0.3)
        with self.narrate(lines["pattern"]):
            self.play(Write(title), FadeIn(subtitle), FadeIn(neuron), FadeIn(axes), FadeIn(key), run_time=2)

        # Step 2: the 2-D Fourier transform splits it into four parts that add up to it
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
        row.arrange(RIGHT, buff=0.18).next_to(subtitle, DOWN, buff=1.0).shift(RIGHT * 0.15)
        small_axes = get_axis_labels(row[0], p)
        names = [
            ("waves in", "a alone"),
            ("waves in", "b alone"),
            ("products:", "a-wave × b-wave"),
            ("everything", "else"),
        ]
        captions = VGroup(
            *[
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
        )
        with self.narrate(lines["split"]):
            self.play(neuron.animate.replace(row[0]), FadeOut(axes), run_time=1)
            self.play(FadeIn(small_axes), *[TransformFromCopy(neuron, part) for part in parts], run_time=2)
            self.play(
                FadeIn(row[1::2]),
                FadeIn(Group(*[get_frame_around(m) for m in (neuron, *parts)])),
                FadeIn(captions),
                run_time=1,
            )

        # Step 3: in the neuron's own phase, the products are two checkerboards
        products = get_heat_map(facts.parts["products"], product_scale, MAP_LARGE)
        boards = [get_heat_map(board, product_scale, MAP_LARGE) for board in split.checkerboards]
        top = Group(products, get_symbol("="), boards[0], get_symbol("+"), boards[1]).arrange(RIGHT, buff=0.25)
        top.next_to(title, DOWN, buff=0.35).to_edge(LEFT, buff=0.45)
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
                style.text(line, style.SMALL_SIZE, style.MUTED)
                for line in (
                    "a′ = a + ψ/2w and b′ = b + ψ/2w:",
                    "a and b shifted by the neuron's phase",
                    f"ψ = {get_signed(split.phase)}, w = 2π·{k}/{p}",
                    f"cross terms cos·sin: {get_share_label(facts.cross_share)}",
                )
            ]
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.1)
        phase_note.next_to(top, RIGHT, buff=0.5).align_to(top, UP).shift(DOWN * 0.1)
        leftover = VGroup(
            *[
                style.text(line, style.SMALL_SIZE, style.MUTED)
                for line in (
                    "left over from the split:",
                    f"waves in a alone {get_share_label(facts.shares['a alone'])},",
                    f"waves in b alone {get_share_label(facts.shares['b alone'])}",
                    "(the ReLU's linear part),",
                    f"everything else {get_share_label(facts.shares['rest'])}",
                )
            ]
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.1)
        leftover.next_to(phase_note, DOWN, buff=0.35, aligned_edge=LEFT)
        product_key = get_colour_key("the products' own colour scale").move_to(key)
        with self.narrate(lines["phase"]):
            self.play(
                self.fade_out_all_but(title, key, parts[2]),
                FadeIn(leftover),
                ReplacementTransform(parts[2], products),
                ReplacementTransform(key, product_key),
                run_time=1.5,
            )
            self.play(
                FadeIn(top[1::2]),
                *[TransformFromCopy(products, board) for board in boards],
                FadeIn(Group(*[get_frame_around(m) for m in (products, *boards)])),
                FadeIn(top_captions),
                FadeIn(phase_note),
                run_time=2,
            )

        # Step 4: the identity turns them into a wave of a + b and a wave of a - b
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
        with self.narrate(lines["identity"]):
            self.play(FadeOut(leftover), FadeIn(identity[0]), run_time=1.5)
            self.play(FadeIn(identity[1]), run_time=1)
            movers = [board.copy() for board in boards for _ in ridges]  # both checkerboards flow into each wave
            self.play(
                FadeIn(bottom[0]),
                FadeIn(bottom[2]),
                *[Transform(mover, ridge.copy()) for mover, ridge in zip(movers, ridges * len(boards))],
                run_time=2.5,
            )
            self.remove(*movers)
            self.add(*ridges)
            self.play(FadeIn(Group(*[get_frame_around(m) for m in ridges])), FadeIn(bottom_captions), run_time=1)

        # Step 5: in the logit, where every neuron adds up, the waves of a + b are what remains
        logit_sum, logit_difference, logit_alone = facts.logit_shares
        keys = ", ".join(str(int(f)) for f in frames["key_freqs"])
        logit = (
            get_heat_map(facts.logit, np.abs(facts.logit).max(), BIG_MAP)
            .next_to(title, DOWN, buff=0.6)
            .to_edge(LEFT, buff=0.9)
        )
        logit_axes = get_axis_labels(logit, p)
        logit_caption = get_caption(
            [(f"the logit of answer {int(frames['surface_logit_c'])}", style.SMALL_SIZE, style.INK)], logit_axes[0]
        )
        tally = (
            VGroup(
                style.text(
                    f"in the logit, where all {count(len(frames['neuron_freq']))} neurons add up:",
                    style.LABEL_SIZE,
                    style.INK,
                ),
                style.text(
                    f"waves of a + b (frequencies {keys}): {get_share_label(logit_sum)}",
                    style.LABEL_SIZE,
                    style.RESTRICTED,
                ),
                style.text(f"waves of a − b: {get_share_label(logit_difference)}", style.LABEL_SIZE, style.MUTED),
                style.text(f"waves in a or b alone: {get_share_label(logit_alone)}", style.LABEL_SIZE, style.MUTED),
            )
            .arrange(DOWN, aligned_edge=LEFT, buff=0.25)
            .next_to(logit, RIGHT, buff=0.6)
            .align_to(logit, UP)
        )
        logit_key = get_colour_key("the logit's own colour scale").move_to(product_key)
        with self.narrate(lines["logit"]):
            self.play(self.fade_out_all_but(title, identity, product_key), run_time=1)
            self.play(identity.animate.next_to(tally, DOWN, buff=0.6, aligned_edge=LEFT), run_time=1)
            self.play(
                FadeIn(logit),
                FadeIn(get_frame_around(logit)),
                FadeIn(logit_caption),
                FadeIn(logit_axes),
                ReplacementTransform(product_key, logit_key),
                FadeIn(tally, lag_ratio=0.3),
                run_time=2,
            )
        self.wait(1)
