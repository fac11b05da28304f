"""Narration: the words each scene says, declared with the animations they cover.

A scene's lines are computed from its frames file (`script(frames)`, a pure function, so the
words can be checked without rendering), and spoken over its animations with `narrate(line)`:

    with self.narrate(lines["plateau"]):
        self.play(...)

Every line becomes a subcaption (manim writes them as `<Scene>.srt` beside the movie), and the
block lasts at least as long as the line takes: `line_seconds` is the one place that decides how
long a line is. Without a voice that is reading speed; with one (`grok publish --voice`), the
lines are spoken first and their lengths handed to the render in a timings file named by
$GROK_TIMINGS, so the block waits for the words, like manim-voiceover's `tracker.duration`.
Numbers are written as they should be read: "1,400 epochs", "10⁻⁷", never "1.4e3" (the voice is
given them as words by grok/publish/read_aloud.py).
"""

from __future__ import annotations

import functools
import json
import math
import os
import sys
from contextlib import contextmanager

from manim import Scene, config
from manim.animation.animation import prepare_animation

from scenes.loader import TIMINGS_ENV
from scenes.style import power_label

WORDS_PER_SECOND = 2.6  # a comfortable caption reading speed (~155 words a minute)
LINE_GAP = 0.4  # a breath between lines, seconds
MAX_HOLD = 3.0  # seconds a paced step may rest before the next: the film's review counts 5 still seconds as stopped


@functools.cache
def get_spoken_seconds(path: str) -> dict[str, float]:
    try:
        with open(path, encoding="utf-8") as timings:
            return json.load(timings)
    except (OSError, ValueError) as e:
        sys.stderr.write(
            f"error: cannot read the narration timings {path} ({e}); unset {TIMINGS_ENV} to time lines "
            "at reading speed\n"
        )
        raise SystemExit(1) from None


def line_seconds(line: str) -> float:
    """How long a line holds the screen: the length of its speech when a voice says it (the file
    $GROK_TIMINGS names), else its words at reading speed; plus a breath."""
    path = os.environ.get(TIMINGS_ENV)
    if not path:
        return len(line.split()) / WORDS_PER_SECOND + LINE_GAP
    spoken = get_spoken_seconds(path)
    if line not in spoken:
        sys.stderr.write(
            f"error: no speech for the line {line!r} in {path}: a scene may narrate only the lines of its "
            "script(frames)\n"
        )
        raise SystemExit(1)
    return spoken[line] + LINE_GAP


def get_said_at(line: str, phrase: str, line_end: float) -> float:
    """When `phrase` is said in `line` (ending at `line_end` on the scene's clock), by its share of the line's
    words: speech keeps an even enough pace that a picture timed so arrives with its words."""
    seconds = line_seconds(line)
    share = len(line[: line.index(phrase)].split()) / len(line.split())
    return line_end - seconds + share * (seconds - LINE_GAP)


def count(n: int) -> str:
    """1400 -> '1,400'."""
    return f"{int(n):,}"


def power_of_ten(x: float) -> str:
    """The nearest power of ten, as read: 1.7e-7 -> '10⁻⁷'."""
    return power_label(round(math.log10(x)))


def plural(n: int, noun: str) -> str:
    """(1, 'whole turn') -> '1 whole turn'; (4, 'whole turn') -> '4 whole turns'."""
    return f"{count(n)} {noun}{'' if n == 1 else 's'}"


def ordinal(n: int) -> str:
    """23 -> '23rd', 113 -> '113th', 12 -> '12th'."""
    suffix = "th" if n % 100 in (11, 12, 13) else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{count(n)}{suffix}"


def percent(share: float) -> str:
    """0.875 -> '88 %'."""
    return f"{round(100 * share)} %"


class NarratedScene(Scene):
    """A scene whose beats are narrated. Subclasses define `script(frames)` and use `narrate`."""

    @staticmethod
    def script(frames: dict) -> dict[str, str]:
        """The scene's lines, keyed by beat, in the order they are said; computed from frames."""
        raise NotImplementedError

    @contextmanager
    def narrate(self, line: str):
        """Show `line` as a caption over the animations played inside the block, and make the block
        last at least as long as the line (its speech starts with the caption)."""
        duration = line_seconds(line)
        start = self.time
        self.line_end = start + duration
        self.add_subcaption(line, duration=duration)
        yield duration
        self.hold_until(start + duration)

    def paced(self, *steps, until: float | None = None):
        """Play `steps` (each an animation, or a list of them played together) one after another, spread
        over what is left of the line (or until `until` on the scene's clock): step i starts at the i-th of
        equal shares, and is stretched when its share would otherwise leave it still for more than MAX_HOLD.
        So a line's pictures come as its words do, not all at its start."""
        end = self.line_end if until is None else until
        share = (end - self.time) / len(steps)
        for step in steps:
            animations = [prepare_animation(a) for a in (step if isinstance(step, (list, tuple)) else [step])]
            slot_end = self.time + share
            natural = max(animation.run_time for animation in animations)
            self.play(*animations, run_time=max(natural, share - MAX_HOLD))
            self.hold_until(slot_end)

    def hold_until(self, end: float):
        """Hold the picture until `end` on the scene's clock, rounded up to a whole frame (manim rounds
        a still wait down to whole frames, which could cut the last words of a line)."""
        frames = math.ceil((end - self.time) * config.frame_rate - 1e-6)
        if frames > 0:
            self.wait(frames / config.frame_rate + 1e-6)
