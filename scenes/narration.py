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

Each line is written with `say`: a template whose figures are named fields, and their values as read,

    say("By epoch {memorised_epoch} it gets {accuracy_bar} of them right.", memorised_epoch=count(m), ...)

so the words can be handed to a person to edit (`grok script`) and filled again from any run's frames. A
publish with an edited script names a JSON file {line as the scene wrote it: line as edited} in
$GROK_SCRIPT, and `narrate` says the edited words (an emptied line is silence; the pictures keep their pace).

A short cut (`grok publish --cut short`) keeps each scene's `essential` beats; the others are passed over: unsaid,
their pictures played FAST_FORWARD times faster, so the story's pictures still lead from one beat to the next. Their
lines are listed in the JSON file $GROK_CUT names.
"""

from __future__ import annotations

import functools
import json
import math
import os
import string
import sys
from contextlib import contextmanager

from manim import Scene, config
from manim.animation.animation import prepare_animation

from scenes.loader import CUT_ENV, SCRIPT_ENV, TIMINGS_ENV
from scenes.shapes import WIDE
from scenes.style import power_label

WORDS_PER_SECOND = 2.6  # a comfortable caption reading speed (~155 words a minute)
LINE_GAP = 0.4  # a breath between lines, seconds
MAX_HOLD = 3.0  # seconds a paced step may rest before the next: the film's review counts 5 still seconds as stopped
FAST_FORWARD = 4.0  # how much faster a short cut plays the pictures of the beats it passes over


class Line(str):
    """A line of narration that remembers how it was written: `template`, with each figure a named field, and
    `fields`, each field's value as read. It is the filled-in text, so it is said and compared as a str."""

    template: str
    fields: dict[str, str]

    def __new__(cls, template: str, fields: dict[str, str]):
        line = super().__new__(cls, template.format(**fields))
        named = [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]
        line.template, line.fields = template, {name: fields[name] for name in dict.fromkeys(named)}
        return line


def say(template: str, **fields) -> Line:
    """A line from its template and the figures it names: say("at epoch {grok_epoch}", grok_epoch=count(1830)).
    Values are given as they are read ("1,830", "10⁻⁷", "88 %"); a name means the same figure in every line."""
    return Line(template, {name: str(value) for name, value in fields.items()})


def joined(*parts: str) -> Line:
    """Lines (or plain words) said as one line, a space apart; a field named in two parts must have one value."""
    templates, fields = [], {}
    for part in parts:
        if isinstance(part, Line):
            for name, value in part.fields.items():
                if fields.setdefault(name, value) != value:
                    raise ValueError(f"field {name!r} is {fields[name]!r} in one part and {value!r} in another")
            templates.append(part.template)
        else:
            templates.append(part.replace("{", "{{").replace("}", "}}"))
    return Line(" ".join(templates), fields)


def read_json(path: str, what: str, env: str, without: str) -> dict:
    try:
        with open(path, encoding="utf-8") as file:
            return json.load(file)
    except (OSError, ValueError) as e:
        sys.stderr.write(f"error: cannot read the {what} {path} ({e}); unset {env} to {without}\n")
        raise SystemExit(1) from None


@functools.cache
def get_spoken_seconds(path: str) -> dict[str, float]:
    return read_json(path, "narration timings", TIMINGS_ENV, "time lines at reading speed")


@functools.cache
def get_edits(path: str) -> dict[str, str]:
    return read_json(path, "edited script", SCRIPT_ENV, "say the scenes' own words")


@functools.cache
def get_passed(path: str) -> frozenset[str]:
    return frozenset(read_json(path, "cut", CUT_ENV, "play every beat"))


def is_passed_over(line: str) -> bool:
    """Whether a short cut passes over `line` ($GROK_CUT): its pictures fast-forwarded, its words unsaid."""
    path = os.environ.get(CUT_ENV)
    return bool(path) and line in get_passed(path)


def get_said(line: str) -> str:
    """The words said for `line`: its edit when a publish gives an edited script ($GROK_SCRIPT), else itself."""
    path = os.environ.get(SCRIPT_ENV)
    return get_edits(path).get(line, line) if path else line


def line_seconds(line: str) -> float:
    """How long a line holds the screen: the length of its speech when a voice says it (the file
    $GROK_TIMINGS names), else its words at reading speed; plus a breath. An edited line (get_said) is timed
    by its edited words; an emptied one is a breath. A line a short cut passes over keeps its reading time (the
    pictures under it are fast-forwarded, not the clock they are timed by)."""
    passed, line = is_passed_over(line), get_said(line)
    path = os.environ.get(TIMINGS_ENV)
    if not path or not line or passed:
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
    words: speech keeps an even enough pace that a picture timed so arrives with its words. When the line is
    said in edited words, the picture comes at the same share of them."""
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

    essential: tuple[str, ...] = ()  # the beats a short cut keeps, in any order; a scene with none is left out of it
    shapes: tuple[str, ...] = (WIDE,)  # the frame shapes (scenes/shapes.py) the scene lays itself out for
    fast_forward = False  # inside a beat a short cut passes over: plays and waits run FAST_FORWARD times faster

    @staticmethod
    def script(frames: dict) -> dict[str, str]:
        """The scene's lines, keyed by beat, in the order they are said; computed from frames."""
        raise NotImplementedError

    @contextmanager
    def narrate(self, line: str):
        """Show `line` as a caption over the animations played inside the block, and make the block
        last at least as long as the line (its speech starts with the caption)."""
        said, duration = get_said(line), line_seconds(line)
        start = self.time
        self.line_end = start + duration
        self.fast_forward = is_passed_over(line)
        if said and not self.fast_forward:
            self.add_subcaption(said, duration=duration)
        try:
            yield duration
            self.hold_until(start + duration)
        finally:
            self.fast_forward = False

    def play(self, *animations, **kwargs):
        if self.fast_forward:
            animations = [prepare_animation(animation) for animation in animations]
            natural = kwargs.get("run_time") or max(animation.run_time for animation in animations)
            kwargs["run_time"] = max(natural / FAST_FORWARD, 1 / config.frame_rate)
        super().play(*animations, **kwargs)

    def wait(self, duration: float = 1.0, *args, **kwargs):
        super().wait(duration / FAST_FORWARD if self.fast_forward else duration, *args, **kwargs)

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
