"""Title, chapter and end cards: still images drawn with Pillow in the scenes' look (background,
palette and CMU Serif from scenes/style.py), faded in and out when they are encoded.

Every word on a card comes from the frames file (through Provenance), the registry (chapter
titles) or the command line (quality); none is typed in here except the fixed headings.
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
from pathlib import Path
from typing import Sequence

from PIL import Image, ImageDraw, ImageFont

from frames import describe_arithmetic, shown
from grok.publish.provenance import NAMED_BY, PAPER, PAPER_SHORT, Provenance, get_task
from grok.publish.render import PUBLISH_QUALITY
from scenes import style

# Pillow's font size for manim's `font_size` s is s x this x the frame's shorter side in pixels (its height in
# 16:9; a frame is scenes.shapes.SHORT_SIDE units on that side whatever its shape): measured on CMU Serif (cap
# height of Text("H", font_size=40) at 480p against Pillow at size 100).
MANIM_SIZE_TO_PIXELS = 0.00172
FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), Path.home() / ".fonts")
SERIF = (style.FONT, "Regular", "Roman")
TYPEWRITER = ("CMU Typewriter Text", "Regular")


@functools.cache
def get_font_file(family: str, *styles: str) -> str | None:
    """The file of a font family (one of `styles`), found by fontconfig or a scan of the font folders."""

    def matches(path: str) -> bool:
        try:
            name, kind = ImageFont.truetype(path, 10).getname()
        except OSError:
            return False
        return name == family and (not styles or kind in styles)

    if shutil.which("fc-match"):
        found = subprocess.run(
            ["fc-match", "-f", "%{file}", f"{family}:style={styles[0] if styles else ''}"],
            capture_output=True,
            text=True,
        ).stdout
        if found and matches(found):
            return found
    candidates = (str(path) for folder in FONT_DIRS if folder.is_dir() for path in sorted(folder.rglob("*.[ot]tf")))
    return next((path for path in candidates if matches(path)), None)


def get_font(size: float, frame: tuple[int, int], face: tuple[str, ...] = SERIF) -> ImageFont.FreeTypeFont:
    """The card face at manim font size `size` in a picture of `frame` (width, height) pixels."""
    pixels = max(6, round(size * MANIM_SIZE_TO_PIXELS * min(frame)))
    path = get_font_file(*face) or get_font_file(*SERIF)
    return ImageFont.truetype(path, pixels) if path else ImageFont.load_default(pixels)


NO_BREAK = "\u00a0"  # a space a line is never broken at


def get_wrapped(text: str, font: ImageFont.FreeTypeFont, width: float) -> list[str]:
    """Greedy word wrap to `width` pixels."""
    lines, line = [], ""
    for word in re.split(r"[ \t\n]+", text.replace(" %", NO_BREAK + "%").strip()):  # "30 %" stays on one line
        candidate = f"{line} {word}".strip()
        if line and font.getlength(candidate) > width:
            lines.append(line)
            line = word
        else:
            line = candidate
    return lines + ([line] if line else [])


def get_title_lines(provenance: Provenance) -> list[str]:
    cfg = provenance.config
    seen = (
        [f"{round(100 * cfg['train_frac'])} % of the {provenance.pairs:,} pairs seen"]
        if cfg["train_frac"] is not None
        else []
    )
    epochs = [f"{cfg['epochs']:,} epochs"] if cfg["epochs"] is not None else []
    return [
        "Grokking",
        f"How a small transformer learned {get_task(provenance)}",
        "Every frame is data from the model we trained" + (": " + ", ".join(seen + epochs) if seen + epochs else ""),
        f"after {PAPER_SHORT}",
    ]


def get_end_lines(provenance: Provenance, quality: str, cited: Sequence[str] = ()) -> list[tuple[str, str]]:
    """(label, value) rows of the end card: what the video was made from, how to make it again (the frames
    file by name: where it lies on the maker's machine is nobody else's business) and every work the film
    draws on (the paper, who named grokking, and `cited`: the sources its scenes declare); a setting the
    run's file does not record reads 'not recorded'."""
    cfg = provenance.config
    frac = (
        f"{round(100 * cfg['train_frac'])} % of pairs for training"
        if cfg["train_frac"] is not None
        else f"share of pairs for training {shown(None)}"
    )
    epochs = f"{cfg['epochs']:,} epochs" if cfg["epochs"] is not None else f"epochs {shown(None)}"
    frames = Path(provenance.frames_file).name
    return [
        ("task", get_task(provenance)),
        ("training", f"full-batch AdamW, lr {shown(cfg['lr'])}, weight decay {shown(cfg['wd'])}, {frac}, {epochs}"),
        (
            "model",
            f"1 layer, d_model {cfg['d_model']}, {cfg['n_heads']} heads of {cfg['d_head']}, d_mlp {cfg['d_mlp']}",
        ),
        ("seeds", f"model {shown(provenance.seed)}, split {shown(cfg['split_seed'])}"),
        ("frames", f"{frames}, sha256 {provenance.frames_sha256[:16]}"),
        ("arithmetic", "; ".join(describe_arithmetic(provenance.arithmetic, brief=True)) or shown(None)),
        ("made with", f"grokking-studio {provenance.version}, {provenance.date}"),
        (
            "reproduce",
            f"grok publish --frames {frames}" + ("" if quality == PUBLISH_QUALITY else f" --quality {quality}"),
        ),
        ("paper", PAPER),
        ("grokking", f"named by {NAMED_BY}"),
        *(("rebuilt from", source) for source in dict.fromkeys(cited)),
    ]


def blank(size: tuple[int, int]) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    image = Image.new("RGB", size, style.BACKGROUND.to_hex())
    return image, ImageDraw.Draw(image)


def draw_centred(draw, lines, fonts, colors, top: float, width: int, gap: float) -> float:
    """Centred lines, each wrapped to 85 % of the width; returns the y below the last one."""
    y = top
    for text, font, color in zip(lines, fonts, colors):
        for line in get_wrapped(text, font, 0.85 * width):
            draw.text((width / 2, y), line, font=font, fill=color.to_hex(), anchor="ma")
            y += font.size * 1.25
        y += gap
    return y


def title_card(provenance: Provenance, size: tuple[int, int]) -> Image.Image:
    width, height = size
    image, draw = blank(size)
    title, task, data, paper = get_title_lines(provenance)
    fonts = [
        get_font(1.6 * style.TITLE_SIZE, size),
        get_font(0.8 * style.TITLE_SIZE, size),
        get_font(style.SMALL_SIZE, size),
    ]
    draw_centred(
        draw,
        [title, task, data],
        fonts,
        [style.INK, style.HIGHLIGHT, style.MUTED],
        top=0.27 * height,
        width=width,
        gap=0.035 * height,
    )
    draw_centred(draw, [paper], [get_font(style.TICK_SIZE, size)], [style.MUTED], top=0.86 * height, width=width, gap=0)
    return image


def chapter_card(number: int, title: str, size: tuple[int, int]) -> Image.Image:
    width, height = size
    image, draw = blank(size)
    draw_centred(
        draw,
        [f"Chapter {number}", title],
        [get_font(style.LABEL_SIZE, size), get_font(1.3 * style.TITLE_SIZE, size)],
        [style.MUTED, style.INK],
        top=0.38 * height,
        width=width,
        gap=0.02 * height,
    )
    return image


def end_card(provenance: Provenance, quality: str, size: tuple[int, int], cited: Sequence[str] = ()) -> Image.Image:
    """The credits: what the video was made from, in rows of label and value, at the largest text size at which
    they fit the frame. A frame too small for them even at the smallest size (a square) gets a card taller than
    itself, at the largest size, which rolls up as credits do (video.encode_still)."""
    width, height = size
    title_font = get_font(style.TITLE_SIZE, size)
    top = 0.06 * height + title_font.size * 1.25 + 0.03 * height  # below the title
    licence = "Code and video: MIT licence. Text set in CMU Serif (SIL Open Font Licence)."
    licence_font = get_font(style.TICK_SIZE, size)
    licence_lines = get_wrapped(licence, licence_font, 0.85 * width)
    # its lines and a margin above and below them
    licence_height = (len(licence_lines) - 1) * licence_font.size * 1.25 + 2.2 * licence_font.size
    rows = get_end_lines(provenance, quality, cited)
    left = 0.06 * width

    def lay_out(text_size: int):
        font, code = get_font(text_size, size), get_font(text_size, size, TYPEWRITER)
        # the values start a fifth of the way across, or past the longest label where that is further (a tall frame)
        column = max(0.2 * width, left + max(font.getlength(label) for label, _ in rows) + font.size)
        laid = [
            (label, value_font, get_wrapped(value, value_font, width - column - left))
            for label, value in rows
            for value_font in [code if label in ("frames", "reproduce") else font]
        ]
        step, gap = font.size * 1.25, font.size * 0.3
        return font, column, laid, step, gap, top + sum(len(lines) * step + gap for _, _, lines in laid)

    sizes = range(style.SMALL_SIZE, style.TICK_SIZE - 1, -1)  # the largest size at which every row fits
    fitting = [layout for layout in map(lay_out, sizes) if layout[-1] + licence_height <= height]
    font, column, laid, step, gap, bottom = fitting[0] if fitting else lay_out(style.SMALL_SIZE)
    image, draw = blank((width, max(height, round(bottom + licence_height))))
    draw_centred(draw, ["How this video was made"], [title_font], [style.INK], top=0.06 * height, width=width, gap=0)
    y = top
    for label, value_font, lines in laid:
        draw.text((left, y), label, font=font, fill=style.MUTED.to_hex())
        color = style.HIGHLIGHT if label == "reproduce" else style.INK
        for line in lines:
            draw.text((column, y), line, font=value_font, fill=color.to_hex())
            y += step
        y += gap
    licence_top = image.height - licence_height + 0.6 * licence_font.size
    draw_centred(draw, [licence], [licence_font], [style.MUTED], top=licence_top, width=width, gap=0)
    return image
