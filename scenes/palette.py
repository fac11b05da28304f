"""The project's colours as plain hex strings, with no manim import: the scenes (through
scenes/style.py) and the plotly figures (grok/figures/) read the same palette from here."""

from __future__ import annotations

import colorsys

BACKGROUND = "#0E1116"
INK = "#ECEFF4"  # main text and axes
MUTED = "#969EAC"  # secondary text, ticks
GRID = "#2A2F3A"  # frames of small plots

TRAIN = "#58C4DD"  # train loss / accuracy (3b1b blue)
TEST = "#FF8C42"  # test loss / accuracy
RESTRICTED = "#83C167"  # restricted loss: the Fourier circuit alone
EXCLUDED = "#FC6A5D"  # excluded loss: everything but the circuit
HIGHLIGHT = "#FFD166"
LILAC = "#C792EA"
TEAL = "#7FDBCA"
DIVERGING_ZERO = "#1A1E26"  # the middle of signed (diverging) colour maps: the background's family
DEEP = "#2B6A8A"  # between BACKGROUND and TRAIN: the middle of sequential colour scales

PHASE_COLORS = ["#3B4A6B", "#4B3B6B", "#2F5A4A"]
PHASE_BAND_OPACITY = 0.45  # the phases' bands behind the loss curves: text over them keeps MIN_CONTRAST
PHASE_NAMES = ["memorisation", "circuit formation", "clean-up"]

# Phase diagrams of sweeps: the epoch a run grokked, soonest first, and the cells of runs that did not
GROK_SCALE = [HIGHLIGHT, TRAIN, DEEP]
MEMORISED_SO_FAR = PHASE_COLORS[0]  # the story so far: memorised (whatever comes after), memorisation's colour
NEVER_GENERALISED = EXCLUDED  # memorised the training pairs, never generalised
NEVER_MEMORISED = GRID
DIVERGED = LILAC

# Text must stand out at the size people watch: WCAG's 4.5:1 for body text, on the background, on the small
# plots' frames (GRID) and on the phase bands (tests/test_style.py checks every colour text is drawn in)
MIN_CONTRAST = 4.5
TEXT_COLORS = ["INK", "MUTED", "HIGHLIGHT", "TRAIN", "TEST", "RESTRICTED", "EXCLUDED", "LILAC", "TEAL"]

FREQUENCY_CYCLE = [TRAIN, TEST, RESTRICTED, HIGHLIGHT, LILAC, EXCLUDED, TEAL]


def rainbow(n: int, saturation: float = 0.75, value: float = 1.0) -> list[str]:
    """n colours around the hue circle, red -> green -> blue (-> violet)."""
    rgbs = [colorsys.hsv_to_rgb(0.8 * i / max(n - 1, 1), saturation, value) for i in range(n)]
    return ["#{:02X}{:02X}{:02X}".format(*(round(255 * c) for c in rgb)) for rgb in rgbs]


def frequency_colors(freqs: list[int]) -> dict[int, str]:
    """A distinct, stable colour for each key frequency."""
    return {int(k): FREQUENCY_CYCLE[i % len(FREQUENCY_CYCLE)] for i, k in enumerate(sorted(freqs))}
