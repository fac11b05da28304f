"""Every word a scene shows is at least style.MIN_TEXT_SIZE, the size that stays legible on a phone at the
published resolution: each scene is played (dry) on the grokked fixture and every Text on stage is measured
after every animation (the sweep scenes are measured in tests/test_phase.py)."""

import importlib

import pytest

from scenes import style
from scenes.loader import FRAMES_ENV
from scenes.registry import SCENES

from dry_render import smallest_text


@pytest.mark.parametrize("entry", SCENES, ids=[entry.name for entry in SCENES])
def test_no_scene_shows_text_below_the_minimum_size(entry, monkeypatch, grokked_frames):
    monkeypatch.setenv(FRAMES_ENV, str(grokked_frames))
    scene_class = getattr(importlib.import_module(f"scenes.{entry.module}"), entry.cls)
    size, words = smallest_text(scene_class, monkeypatch)
    assert size >= style.MIN_TEXT_SIZE - 0.01, f"{entry.name}: {words!r} at font size {size}"
