"""How much of a published film stands still (grok/publish/stillness.py: one frame a second, a second is
still when it changes by under 0.5/255 on average, stretches of 5 s or more count), per chapter.

    python bench/still_share.py [renders/grokking_explainer.mp4 ...]

Prints, per film: its running time, the share in still stretches (the film's target: under 25 %), the
longest stretches with the chapter each falls in, and each chapter's own share.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from grok.publish.pipeline import format_seconds, read_record
from grok.publish.stillness import STILL_STRETCH, get_changes, get_stillness


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("films", nargs="*", type=Path, default=[Path("renders/grokking_explainer.mp4")])
    args = parser.parse_args()
    for film in args.films:
        chapters = read_record(film).get("chapters", [])
        stillness = get_stillness(get_changes(film))

        def chapter_at(second: float) -> str:
            return next((c["title"] for c in chapters if c["start"] <= second < c["end"]), "?")

        print(
            f"{film}: {format_seconds(stillness.seconds)}, {stillness.share:.0%} in still stretches of "
            f"{STILL_STRETCH} s or more ({stillness.still_seconds} s in {len(stillness.stretches)} stretches)"
        )
        for start, length in sorted(stillness.stretches, key=lambda s: -s[1])[:8]:
            print(f"  {length:3d} s still from {format_seconds(start)}  ({chapter_at(start)})")
        for chapter in chapters:
            inside = sum(
                max(0, min(start + length, chapter["end"]) - max(start, chapter["start"]))
                for start, length in stillness.stretches
            )
            span = chapter["end"] - chapter["start"]
            print(f"  {chapter['title']:<40} {format_seconds(span):>8}  still {inside / span:4.0%}")


if __name__ == "__main__":
    main()
