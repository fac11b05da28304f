"""The film's shapes, with no manim import (the CLI's --help and the publishing pipeline read them): a 16:9
film, a tall 9:16 cut for phone feeds, a 1:1 square. A frame is SHORT_SIDE units on its shorter side whatever its
shape, so text keeps its size against the width a viewer sees; the scenes lay themselves out for the frame they
are given (scenes/style.py fits manim's frame to the pixels)."""

from __future__ import annotations

SHAPES = {"16:9": (16, 9), "9:16": (9, 16), "1:1": (1, 1)}  # name -> (width, height) ratio
WIDE = "16:9"  # the film's own shape; the others are cuts of it
SHORT_SIDE = 8.0  # units on the frame's shorter side (manim's 16:9 frame is 8 units tall)
SHAPE_HELP = "16:9 the film; 9:16 a tall cut for phone feeds (1080x1920 at 1080p); 1:1 a square."


def get_pixels(shape: str, short_side: int) -> tuple[int, int]:
    """(width, height) in pixels of a `shape` frame whose shorter side is `short_side` pixels, both even (H.264
    needs them so): 16:9 at 1080 -> (1920, 1080), 9:16 -> (1080, 1920), 1:1 -> (1080, 1080); 16:9 at 480 ->
    (854, 480), as manim's own preview."""
    width, height = SHAPES[shape]
    scale = short_side / min(width, height)
    return 2 * round(width * scale / 2), 2 * round(height * scale / 2)


def get_frame_size(pixel_width: int, pixel_height: int) -> tuple[float, float]:
    """(frame_width, frame_height) in units for a picture of these pixels: SHORT_SIDE on the shorter side."""
    scale = SHORT_SIDE / min(pixel_width, pixel_height)
    return pixel_width * scale, pixel_height * scale
