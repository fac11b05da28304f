"""Captions of the assembled video: each scene's subcaptions (the .srt manim writes beside its
movie, timed from the scene's start) shifted to where the scene starts in the video."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import srt


def read_captions(path: Path | None) -> list[srt.Subtitle]:
    return list(srt.parse(path.read_text(encoding="utf-8"))) if path and path.is_file() else []


def get_shifted(scenes: list[tuple[list[srt.Subtitle], float, float]]) -> list[srt.Subtitle]:
    """(captions, start, length) per scene, seconds -> one list on the video's clock, numbered
    from 1; each caption kept inside its own scene and ended when the next one starts (a scene
    rendered at a low frame rate can start a line a frame before the last one ends)."""
    shifted = []
    for captions, start, length in scenes:
        offset, end = timedelta(seconds=start), timedelta(seconds=start + length)
        for caption in sorted(captions, key=lambda c: c.start):
            begin = caption.start + offset
            if begin < end:
                shifted.append(srt.Subtitle(len(shifted) + 1, begin, min(caption.end + offset, end), caption.content))
    for caption, following in zip(shifted, shifted[1:]):
        caption.end = min(caption.end, following.start)
    return shifted


def vtt_time(t: timedelta) -> str:
    milliseconds = round(t.total_seconds() * 1000)
    hours, rest = divmod(milliseconds, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"


def to_srt(captions: list[srt.Subtitle]) -> str:
    return srt.compose(captions, reindex=False)


def to_vtt(captions: list[srt.Subtitle]) -> str:
    cues = [f"{vtt_time(c.start)} --> {vtt_time(c.end)}\n{c.content}\n" for c in captions]
    return "WEBVTT\n\n" + "\n".join(cues)
