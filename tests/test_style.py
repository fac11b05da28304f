"""The palette keeps text legible: every colour text is drawn in stands out at 4.5:1 or more (WCAG's bar for body
text) on the background, on the small plots' frames and on the phase bands of the loss curves."""

import pytest

from scenes import palette


def luminance(hex_colour: str) -> float:
    """WCAG relative luminance of an sRGB colour."""
    channels = [int(hex_colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    light, dark = sorted([luminance(a), luminance(b)], reverse=True)
    return (light + 0.05) / (dark + 0.05)


def over(colour: str, ground: str, opacity: float) -> str:
    mixed = [
        round(int(colour.lstrip("#")[i : i + 2], 16) * opacity + int(ground.lstrip("#")[i : i + 2], 16) * (1 - opacity))
        for i in (0, 2, 4)
    ]
    return "#" + "".join(f"{c:02X}" for c in mixed)


GROUNDS = {
    "background": palette.BACKGROUND,
    "grid": palette.GRID,
    **{
        f"band {name}": over(band, palette.BACKGROUND, palette.PHASE_BAND_OPACITY)
        for name, band in zip(palette.PHASE_NAMES, palette.PHASE_COLORS)
    },
}


def test_the_contrast_measure_is_wcags():
    assert contrast("#FFFFFF", "#000000") == pytest.approx(21.0)
    assert contrast("#777777", "#FFFFFF") == pytest.approx(4.48, abs=0.01)  # WCAG's well-known near miss


@pytest.mark.parametrize("name", palette.TEXT_COLORS)
@pytest.mark.parametrize("ground", GROUNDS)
def test_text_colours_stand_out_on_every_ground(name, ground):
    assert contrast(getattr(palette, name), GROUNDS[ground]) >= palette.MIN_CONTRAST
