"""The scene registry is the one list of scenes; narration timing is the one rule for line lengths."""

import importlib
from pathlib import Path

from manim import FadeIn, Square, tempconfig

from scenes.narration import NarratedScene, line_seconds
from scenes.registry import NAMES, SCENES, get_scene, markdown_table


def test_every_registered_scene_exists_once():
    assert len(set(NAMES)) == len(NAMES)
    for entry in SCENES:
        module = importlib.import_module(f"scenes.{entry.module}")
        assert hasattr(module, entry.cls), f"{entry.name}: scenes/{entry.module}.py has no {entry.cls}"
        assert entry.idea and entry.chapter
    assert get_scene("snake").cls == "SnakeCurve"


class TwoBeats(NarratedScene):
    @staticmethod
    def script(frames):
        return {"short": "Two words.", "long": " ".join(["word"] * 26)}

    def construct(self):
        lines = self.script({})
        with self.narrate(lines["short"]):
            self.play(FadeIn(Square()), run_time=3)  # longer than the line: the animation decides
        self.beat_ends = [self.time]
        with self.narrate(lines["long"]):
            self.play(FadeIn(Square()), run_time=1)  # shorter than the line: the scene waits for it
        self.beat_ends.append(self.time)


def test_a_narrated_block_lasts_at_least_as_long_as_its_line():
    with tempconfig({"dry_run": True, "quality": "low_quality", "frame_rate": 15, "disable_caching": True}):
        scene = TwoBeats()
        scene.render()
    first, second = scene.beat_ends
    assert abs(first - 3) < 0.1  # not stretched
    assert second - first >= line_seconds(" ".join(["word"] * 26)) - 1 / 15
    assert line_seconds("word " * 26) > 10 > line_seconds("Two words.")
    captions = scene.renderer.file_writer.subcaptions
    assert [c.content for c in captions] == ["Two words.", " ".join(["word"] * 26)]
    assert captions[1].start.total_seconds() >= captions[0].end.total_seconds() - 1e-6  # never overlap


def test_the_scenes_page_lists_the_registered_scenes():
    readme = (Path(__file__).resolve().parent.parent / "docs" / "scenes.md").read_text()
    assert markdown_table() in readme
