"""Narration: the words each scene says, declared with the animations they cover.

A scene's lines are computed from its frames file (`script(frames)`, a pure function, so the
words can be checked without rendering), and spoken over its animations with `narrate(line)`:

    with self.narrate(lines["plateau"]):
        self.play(...)

Every line becomes a subcaption (manim writes them as `<Scene>.srt` beside the movie), and the
block lasts at least as long as the line takes: `line_seconds` is the one place that decides how
long a line is, so reading speed today and measured speech later share one code path. Numbers are
written as they should be read aloud: "1,400 epochs", "10⁻⁷", never "1.4e3".
"""
from __future__ import annotations

import math
from contextlib import contextmanager

from manim import Scene

from scenes.style import power_label

WORDS_PER_SECOND = 2.6    # a comfortable caption reading speed (~155 words a minute)
LINE_GAP = 0.4            # a breath between lines, seconds


def line_seconds(line: str) -> float:
    """How long a line is on screen: its words at reading speed, plus a breath."""
    return len(line.split()) / WORDS_PER_SECOND + LINE_GAP


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
        last at least as long as the line."""
        duration = line_seconds(line)
        start = self.time
        self.add_subcaption(line, duration=duration)
        yield duration
        remaining = duration - (self.time - start)
        if remaining > 1 / 60:
            self.wait(remaining)
