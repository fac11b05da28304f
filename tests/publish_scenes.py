"""Tiny scenes for tests/test_publish.py: a second or two each, rendered at 160x90, 5 fps.
Their words come from the frames file, as a real scene's do."""

from manim import Circle, FadeIn, Scene, Square

from scenes import style
from scenes.loader import get_frames, not_shown
from scenes.narration import NarratedScene, say
from scenes.shapes import SHAPES


class Opening(NarratedScene):
    essential = ("task",)
    shapes = tuple(SHAPES)  # a square in the middle: at home in any frame

    @staticmethod
    def script(frames):
        return {"task": say("We add modulo {p}.", p=int(frames["p"])), "wait": say("Then we wait.")}

    def construct(self):
        lines = self.script(get_frames())
        with self.narrate(lines["task"]):
            self.play(FadeIn(Square(color=style.TRAIN)), run_time=0.6)
        with self.narrate(lines["wait"]):
            self.wait(0.2)


class Middle(NarratedScene):
    @staticmethod
    def script(frames):
        return {"keys": say("It found {n_keys} key frequencies.", n_keys=len(frames["key_freqs"]))}

    def construct(self):
        lines = self.script(get_frames())
        with self.narrate(lines["keys"]):
            self.play(FadeIn(Circle(color=style.TEST)), run_time=2.5)  # longer than the line


class Silent(Scene):
    def construct(self):
        self.play(FadeIn(Square(color=style.HIGHLIGHT)), run_time=1)


class Broken(Scene):
    def construct(self):
        self.play(FadeIn(Square()), run_time=0.2)
        raise ValueError("this scene is broken on purpose")


class Absent(Scene):
    """A scene whose idea the tiny run does not show: it says so and stops, as the clock does for a run that never
    grokked."""

    def construct(self):
        not_shown(f"this run of p = {int(get_frames()['p'])} has no such thing to draw")
