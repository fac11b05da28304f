"""A GIF of a scene within a size budget, for READMEs and social posts.

The scenes are flat colours and anti-aliased text on a dark ground, so a GIF needs few colours
and no dithering (dithering adds noise that LZW cannot compress). The palette is built by octree,
not median cut: median cut splits by pixel count, so the background takes most entries and thin
coloured lines lose their hue (at 32 colours the 3b1b blue came out green); octree keeps them,
and its GIFs were smaller too (waves at 360 px, 8 fps, 32 colours: 0.32 against 0.61 MB). Settings are tried from the
best down (`LADDER`), skipping those the last attempt predicts to be too big, until one fits:
size grows with pixels x frame rate, so a budget is met by shrinking, then slowing, then fewer
colours.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from grok.publish.video import read_frames

MB = 1_000_000
# (width px, frames per second, palette colours), best first
LADDER = (
    (640, 15, 128),
    (640, 12, 96),
    (560, 12, 64),
    (480, 12, 64),
    (480, 10, 64),
    (400, 10, 48),
    (360, 8, 32),
    (320, 8, 32),
    (280, 6, 32),
    (240, 5, 24),
    (200, 4, 16),
)
PALETTE_SAMPLES = 24  # frames sampled (evenly) to build the one palette every frame shares


@dataclass(frozen=True)
class Gif:
    data: bytes
    width: int
    fps: int
    colors: int
    frames: int


def encode(frames: list[Image.Image], fps: int, colors: int) -> bytes:
    """One global palette from a mosaic of sampled frames; every frame mapped to it, no dither."""
    sample = frames[:: max(1, len(frames) // PALETTE_SAMPLES)]
    width, height = sample[0].size
    mosaic = Image.new("RGB", (width, height * len(sample)))
    for i, frame in enumerate(sample):
        mosaic.paste(frame, (0, i * height))
    palette = mosaic.quantize(colors=colors, method=Image.Quantize.FASTOCTREE)
    indexed = [frame.quantize(palette=palette, dither=Image.Dither.NONE) for frame in frames]
    buffer = io.BytesIO()
    indexed[0].save(
        buffer, format="GIF", save_all=True, append_images=indexed[1:], loop=0, duration=round(1000 / fps), disposal=1
    )
    return buffer.getvalue()


def get_predicted(size: int, rung: tuple, other: tuple) -> float:
    """Bytes expected at `other`, from `size` measured at `rung`: proportional to pixels x fps."""
    (w0, f0, _), (w1, f1, _) = rung, other
    return size * (w1 / w0) ** 2 * f1 / f0


def make_gif(movie: Path, budget: int, source_width: int, source_fps: float, max_width: int = 10_000) -> Gif:
    """The best rung of LADDER whose GIF of `movie` is at most `budget` bytes."""
    ladder = [(min(w, source_width, max_width), min(f, round(source_fps)), c) for w, f, c in LADDER]
    index, best = 0, None
    while index < len(ladder):
        width, fps, colors = ladder[index]
        frames = list(read_frames(movie, fps, width))
        data = encode(frames, fps, colors)
        best = Gif(data, width, fps, colors, len(frames))
        if len(data) <= budget:
            return best
        # skip the rungs this one predicts to be too big still (with a 10 % margin)
        tried, index = index, index + 1
        while index < len(ladder) - 1 and get_predicted(len(data), ladder[tried], ladder[index]) > 1.1 * budget:
            index += 1
    raise ValueError(
        f"no GIF of {movie.name} fits in {budget / MB:.1f} MB "
        f"(smallest: {len(best.data) / MB:.1f} MB at {best.width} px, {best.fps} fps)"
    )
