"""One look for every scene: palette, typeface, sizes, and the Text helper that uses them."""

from __future__ import annotations

import manimpango
import numpy as np
from manim import ManimColor, Text, config

from scenes import palette, shapes

# The hex values live in scenes/palette.py (manim-free, shared with the plotly figures).
BACKGROUND = ManimColor(palette.BACKGROUND)
INK = ManimColor(palette.INK)  # main text and axes
MUTED = ManimColor(palette.MUTED)  # secondary text, ticks
GRID = ManimColor(palette.GRID)  # frames of small plots

TRAIN = ManimColor(palette.TRAIN)  # train loss / accuracy (3b1b blue)
TEST = ManimColor(palette.TEST)  # test loss / accuracy
RESTRICTED = ManimColor(palette.RESTRICTED)  # restricted loss: the Fourier circuit alone
EXCLUDED = ManimColor(palette.EXCLUDED)  # excluded loss: everything but the circuit
HIGHLIGHT = ManimColor(palette.HIGHLIGHT)

COUNT_CURVE = ManimColor(palette.TRAIN)  # the helix scene: characters since the newline
WIDTH_CURVE = ManimColor(palette.LILAC)  # the helix scene: the line's width

PHASE_COLORS = [ManimColor(c) for c in palette.PHASE_COLORS]
PHASE_NAMES = palette.PHASE_NAMES

# Diverging map for signed heat maps: cool below zero, dark at zero (the background's family), warm above.
DIVERGING_NEGATIVE = ManimColor(palette.TRAIN)
DIVERGING_ZERO = ManimColor(palette.DIVERGING_ZERO)
DIVERGING_POSITIVE = ManimColor(palette.TEST)

# Lit 3-D surfaces: the same diverging hues, but light at zero (a dark zero would hide the shading).
SURFACE_COLORS = [DIVERGING_NEGATIVE, INK, DIVERGING_POSITIVE]  # heights -1, 0, +1

# manim reads manim.cfg from the working directory only; scenes rendered from anywhere else
# still get these essentials.
config.background_color = BACKGROUND
config.disable_caching = True
config.notify_outdated_version = False
# The frame is shapes.SHORT_SIDE units on its shorter side, whatever the picture's shape (-r W,H): manim keeps 8
# units of height, which would leave a tall 9:16 frame 4.5 units wide and every text twice as big against it.
config.frame_width, config.frame_height = shapes.get_frame_size(config.pixel_width, config.pixel_height)

FONT = next((f for f in ("CMU Serif", "DejaVu Serif", "DejaVu Sans") if f in manimpango.list_fonts()), "")
MONO_FONT = next((f for f in ("CMU Typewriter Text", "DejaVu Sans Mono") if f in manimpango.list_fonts()), "")

# Sizes are manim font sizes (a frame is 8 units tall; font size 20 is a capital 0.19 units high: 17 px at
# 720p, 26 px at 1080p). Nothing smaller than MIN_TEXT_SIZE is shown (tests/test_text_size.py): the film's
# review found 12-16 px text unreadable on a phone.
MIN_TEXT_SIZE = 20
TITLE_SIZE = 40
LABEL_SIZE = 26
SMALL_SIZE = 22
TICK_SIZE = MIN_TEXT_SIZE
CAPTION_SIZE = LABEL_SIZE  # captions burned into the picture (grok/publish/burn.py)

SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def text(content: str, size: float = LABEL_SIZE, color: ManimColor = INK, **kwargs) -> Text:
    mobject = Text(content, font_size=size, color=color, **{"font": FONT, **kwargs})
    for glyph in mobject.get_family():
        if hasattr(glyph, "path_obj"):
            glyph.path_obj = None  # the parsed SVG path, used only to build the points; deep-copying it made every
            # copy of a Text (each FadeIn, Transform) ~5x slower
    return mobject


def mono(content: str, size: float = LABEL_SIZE, color: ManimColor = INK, **kwargs) -> Text:
    """Text in the typewriter face: every character the same width, as in fixed-width text."""
    return text(content, size, color, font=MONO_FONT, **kwargs)


def power_label(exponent: int) -> str:
    """-7 -> '10⁻⁷' (no LaTeX needed)."""
    return f"10{str(exponent).translate(SUPERSCRIPT)}"


def rainbow(n: int, saturation: float = 0.75, value: float = 1.0) -> list[ManimColor]:
    """n colours around the hue circle, red -> green -> blue (-> violet)."""
    return [ManimColor(c) for c in palette.rainbow(n, saturation, value)]


def frequency_colors(freqs: list[int]) -> dict[int, ManimColor]:
    """A distinct, stable colour for each key frequency."""
    return {k: ManimColor(c) for k, c in palette.frequency_colors(freqs).items()}


WEIGHTS = ManimColor(palette.LILAC)  # sum of squared weights
GROK_SCALE = [ManimColor(c) for c in palette.GROK_SCALE]  # phase diagrams: grokked soonest -> latest
MEMORISED_SO_FAR = ManimColor(palette.MEMORISED_SO_FAR)
NEVER_GENERALISED = ManimColor(palette.NEVER_GENERALISED)
NEVER_MEMORISED = ManimColor(palette.NEVER_MEMORISED)
DIVERGED = ManimColor(palette.DIVERGED)
DIMMED = 0.6  # how far toward the background a held-back (test) cell fades


def diverging(values: np.ndarray, scale: float) -> np.ndarray:
    """[...] signed values -> [..., 3] uint8 RGB: -scale -> DIVERGING_NEGATIVE, 0 -> DIVERGING_ZERO,
    +scale -> DIVERGING_POSITIVE, linear in between, clipped beyond."""
    t = np.clip(np.asarray(values, dtype=np.float64) / (scale if scale > 0 else 1.0), -1.0, 1.0)[..., None]
    zero, negative, positive = (np.array(c.to_rgb()) for c in (DIVERGING_ZERO, DIVERGING_NEGATIVE, DIVERGING_POSITIVE))
    rgb = zero + np.where(t < 0, -t * (negative - zero), t * (positive - zero))
    return np.round(255 * rgb).astype(np.uint8)
