"""One look for every scene: palette, typeface, sizes, and the Text helper that uses them."""
from __future__ import annotations

import colorsys

import manimpango
from manim import ManimColor, Text, config

BACKGROUND = ManimColor("#0E1116")
INK = ManimColor("#ECEFF4")          # main text and axes
MUTED = ManimColor("#8B93A1")        # secondary text, ticks
GRID = ManimColor("#2A2F3A")         # frames of small plots

TRAIN = ManimColor("#58C4DD")        # train loss / accuracy (3b1b blue)
TEST = ManimColor("#FF8C42")         # test loss / accuracy
RESTRICTED = ManimColor("#83C167")   # restricted loss: the Fourier circuit alone
EXCLUDED = ManimColor("#FC6255")     # excluded loss: everything but the circuit
HIGHLIGHT = ManimColor("#FFD166")

COUNT_CURVE = ManimColor("#58C4DD")  # the helix scene: characters since the newline
WIDTH_CURVE = ManimColor("#C792EA")  # the helix scene: the line's width

PHASE_COLORS = [ManimColor("#3B4A6B"), ManimColor("#4B3B6B"), ManimColor("#2F5A4A")]
PHASE_NAMES = ["memorisation", "circuit formation", "clean-up"]

# manim reads manim.cfg from the working directory only; scenes rendered from anywhere else
# still get these essentials.
config.background_color = BACKGROUND
config.disable_caching = True
config.notify_outdated_version = False

FONT = next((f for f in ("CMU Serif", "DejaVu Serif", "DejaVu Sans") if f in manimpango.list_fonts()), "")
MONO_FONT = next((f for f in ("CMU Typewriter Text", "DejaVu Sans Mono") if f in manimpango.list_fonts()), "")

TITLE_SIZE = 40
LABEL_SIZE = 26
SMALL_SIZE = 20
TICK_SIZE = 16

SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def text(content: str, size: float = LABEL_SIZE, color: ManimColor = INK, **kwargs) -> Text:
    return Text(content, font=FONT, font_size=size, color=color, **kwargs)


def mono(content: str, size: float = LABEL_SIZE, color: ManimColor = INK, **kwargs) -> Text:
    """Text in the typewriter face: every character the same width, as in fixed-width text."""
    return Text(content, font=MONO_FONT, font_size=size, color=color, **kwargs)


def power_label(exponent: int) -> str:
    """-7 -> '10⁻⁷' (no LaTeX needed)."""
    return f"10{str(exponent).translate(SUPERSCRIPT)}"


def rainbow(n: int, saturation: float = 0.75, value: float = 1.0) -> list[ManimColor]:
    """n colours around the hue circle, red -> green -> blue (-> violet)."""
    return [ManimColor(colorsys.hsv_to_rgb(0.8 * i / max(n - 1, 1), saturation, value)) for i in range(n)]


def frequency_colors(freqs: list[int]) -> dict[int, ManimColor]:
    """A distinct, stable colour for each key frequency."""
    palette = [TRAIN, TEST, RESTRICTED, HIGHLIGHT, ManimColor("#C792EA"), EXCLUDED, ManimColor("#7FDBCA")]
    return {k: palette[i % len(palette)] for i, k in enumerate(sorted(freqs))}
