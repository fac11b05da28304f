"""Captions burned into the picture (`grok publish --burn-captions`), for feeds that autoplay muted and
show no caption track: each caption is wrapped to 80 % of the width (the cards' serif at style.CAPTION_SIZE), shown
at most MAX_LINES lines at a time as subtitles are (a long caption's lines come in turn, each pair for its share of
the caption's time, by its letters), drawn once with Pillow, white on a dark box, and laid over every frame it
spans, at the bottom."""

from __future__ import annotations

import bisect

import numpy as np
from PIL import Image, ImageDraw

from grok.publish.cards import get_font, get_wrapped
from grok.publish.video import Caption
from scenes import style

BOX_OPACITY = 0.78  # the box keeps the text at full contrast over any picture, and the picture shows through it
TEXT_WIDTH = 0.8  # of the frame's width
BOTTOM_MARGIN = 0.04  # of the frame's height, below the box
MAX_LINES = 2  # shown at once: a whole long caption would cover a third of a tall frame


class CaptionPainter:
    """paint(seconds, rgb [H, W, 3] uint8) -> the frame with the caption shown at that time, if any."""

    def __init__(self, captions: list[Caption], size: tuple[int, int]):
        self.size = size
        self.font = get_font(style.CAPTION_SIZE, size)
        said = sorted((c for c in captions if c.text.strip()), key=lambda c: c.start)
        self.captions = [piece for caption in said for piece in self.split(caption)]  # text: its lines, joined by \n
        self.starts = [c.start for c in self.captions]
        self.drawn: dict[int, tuple[int, np.ndarray, np.ndarray]] = {}  # caption index -> (top row, rgb, alpha)

    def split(self, caption: Caption) -> list[Caption]:
        """The caption as pieces of at most MAX_LINES wrapped lines, in turn, each for its share of the time."""
        lines = get_wrapped(caption.text.replace("\n", " "), self.font, TEXT_WIDTH * self.size[0])
        pieces = ["\n".join(lines[i : i + MAX_LINES]) for i in range(0, len(lines), MAX_LINES)]
        weights = np.cumsum([0] + [len(piece) for piece in pieces]) / sum(len(piece) for piece in pieces)
        times = caption.start + weights * (caption.end - caption.start)
        return [Caption(float(times[i]), float(times[i + 1]), piece) for i, piece in enumerate(pieces)]

    def showing(self, seconds: float) -> int | None:
        index = bisect.bisect_right(self.starts, seconds) - 1
        return index if index >= 0 and seconds < self.captions[index].end else None

    def draw(self, index: int) -> tuple[int, np.ndarray, np.ndarray]:
        """The caption's strip: the row it starts at, its colours [h, W, 3] and opacity [h, W, 1]."""
        width, height = self.size
        font, lines = self.font, self.captions[index].text.split("\n")
        line_height, pad = round(font.size * 1.25), round(font.size * 0.45)
        box_width = max(font.getlength(line) for line in lines) + 2 * pad
        strip_height = len(lines) * line_height + 2 * pad
        image = Image.new("RGBA", (width, strip_height), (0, 0, 0, 0))
        draw = ImageDraw.Draw(image)
        left = (width - box_width) / 2
        box = tuple(int(255 * c) for c in style.BACKGROUND.to_rgb()) + (round(255 * BOX_OPACITY),)
        draw.rounded_rectangle((left, 0, left + box_width, strip_height - 1), radius=pad, fill=box)
        for row, line in enumerate(lines):
            draw.text((width / 2, pad + row * line_height), line, font=font, fill=style.INK.to_hex(), anchor="ma")
        pixels = np.asarray(image, dtype=np.float32)
        top = max(0, height - strip_height - round(BOTTOM_MARGIN * height))
        return top, pixels[..., :3], pixels[..., 3:] / 255

    def __call__(self, seconds: float, frame: np.ndarray) -> np.ndarray:
        index = self.showing(seconds)
        if index is None:
            return frame
        if index not in self.drawn:
            self.drawn = {index: self.draw(index)}  # captions come in order: one kept at a time
        top, rgb, alpha = self.drawn[index]
        region = frame[top : top + len(rgb)].astype(np.float32)
        out = frame.copy()
        out[top : top + len(rgb)] = (region + alpha[: len(region)] * (rgb[: len(region)] - region)).round()
        return out
