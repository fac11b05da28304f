"""What a viewer gets from a published film, checked from the file: its streams, whether "grokking" is named in
its first minute, how much of it stands still, and its sound heard by proxy (the decoded track against the
captions). A stand-in for watching it, not a replacement.

    python bench/film_check.py [renders/grokking_explainer.mp4 ...] [--sheet-every SECONDS]

Prints, per film: the streams the mp4 carries (video with its size and rate, audio, subtitles), its running time,
its chapters; the first caption
that says "grokking" and when; the share in still stretches (grok/publish/stillness.py; target under 25 %); the
sound's loudness (RMS) inside and outside the captions, and how soon after each caption its speech is heard.
With --sheet-every, also a contact sheet beside each film (<film>.sheet.png): a frame every that many seconds,
to look through start to end.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import av
import numpy as np
import srt
from PIL import Image

from grok.publish.pipeline import format_seconds
from grok.publish.stillness import STILL_STRETCH, get_changes, get_stillness
from grok.publish.video import read_frames

SHEET_COLUMNS = 8
SHEET_FRAME_WIDTH = 240  # pixels, each frame on a contact sheet
HEARD = 0.02  # a 20 ms window louder than this (RMS, full scale 1) has speech in it
WINDOW = 0.02  # seconds


def get_track(film: Path) -> tuple[np.ndarray, int] | None:
    """[n] mono float samples and their rate, or None for a film without sound."""
    with av.open(str(film)) as container:
        if not container.streams.audio:
            return None
        stream = container.streams.audio[0]
        samples = [frame.to_ndarray().reshape(-1) for frame in container.decode(stream)]
        return np.concatenate(samples).astype(np.float32), stream.rate


def describe_stream(stream) -> str:
    codec = stream.codec_context.name if stream.codec_context else "no codec"
    size = f" {stream.width}x{stream.height} at {float(stream.average_rate):g} fps" if stream.type == "video" else ""
    return f"{stream.type} ({codec}{size})"


def write_sheet(film: Path, every: float) -> Path:
    """<film>.sheet.png: a frame every `every` seconds, SHEET_COLUMNS to a row."""
    frames = list(read_frames(film, 1 / every, SHEET_FRAME_WIDTH))
    width, height = frames[0].size
    rows = -(-len(frames) // SHEET_COLUMNS)
    sheet = Image.new("RGB", (SHEET_COLUMNS * (width + 4), rows * (height + 4)), "white")
    for index, frame in enumerate(frames):
        sheet.paste(frame, ((index % SHEET_COLUMNS) * (width + 4), (index // SHEET_COLUMNS) * (height + 4)))
    path = film.with_suffix(".sheet.png")
    sheet.save(path)
    return path


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("films", nargs="*", type=Path, default=[Path("renders/grokking_explainer.mp4")])
    parser.add_argument("--sheet-every", type=float, default=None, help="seconds between a contact sheet's frames")
    args = parser.parse_args()
    for film in args.films:
        with av.open(str(film)) as container:
            streams = ", ".join(describe_stream(s) for s in container.streams)
            chapters = [chapter["metadata"].get("title", "") for chapter in container.chapters()]
        captions = list(srt.parse(film.with_suffix(".srt").read_text(encoding="utf-8")))
        stillness = get_stillness(get_changes(film))
        print(f"{film}: {format_seconds(stillness.seconds)}; streams: {streams}; {len(captions)} captions")
        print(f"  chapters: {' | '.join(chapters) or 'none'}")
        if args.sheet_every:
            sheet = write_sheet(film, args.sheet_every)
            print(f"  contact sheet: {sheet}")
        named = next((c for c in captions if "grokking" in c.content.lower()), None)
        print(
            "  'grokking' first said at "
            + (f"{format_seconds(named.start.total_seconds())}: {named.content[:70]!r}" if named else "never")
        )
        print(
            f"  still: {stillness.share:.0%} of the running time in stretches of {STILL_STRETCH} s or more "
            f"({stillness.still_seconds} s in {len(stillness.stretches)} stretches)"
        )
        heard = get_track(film)
        if heard is None:
            print("  sound: none")
            continue
        track, rate = heard
        windows = track[: len(track) // round(WINDOW * rate) * round(WINDOW * rate)].reshape(-1, round(WINDOW * rate))
        loud = np.sqrt((windows**2).mean(axis=1))  # [windows] RMS of each 20 ms
        inside = np.zeros(len(loud), bool)
        lags = []
        for caption in captions:
            start, end = (round(t.total_seconds() / WINDOW) for t in (caption.start, caption.end))
            inside[start:end] = True
            spoken = np.flatnonzero(loud[start:end] > HEARD)
            lags.append(spoken[0] * WINDOW if len(spoken) else np.inf)
        print(
            f"  sound: RMS {np.sqrt((loud[inside] ** 2).mean()):.3f} inside captions, "
            f"{np.sqrt((loud[~inside] ** 2).mean()):.3f} outside; speech heard in {np.isfinite(lags).sum()} of "
            f"{len(captions)} captions, {min(lags):.2f}-{max(lags):.2f} s after each starts"
        )


if __name__ == "__main__":
    main()
