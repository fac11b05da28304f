"""The film's shapes: a scene laid out for 9:16 or 1:1 keeps every text, picture and box inside that frame and
no text below style.MIN_TEXT_SIZE, for a tiny run that groks and for the reference run (p = 113: the widest
numbers); the short cut's scenes are laid out for every shape."""

import pytest

from frames import load_frames
from grok.publish.cuts import get_cut_folder
from grok.publish.narration import load_scene
from grok.publish.render import SCENES_DIR, get_size_args
from scenes import style
from scenes.loader import FRAMES_ENV, reference_frames
from scenes.registry import SCENES
from scenes.shapes import SHAPES, WIDE, get_frame_size, get_pixels

from dry_render import outside_frame

SHAPED = [(entry, shape) for entry in SCENES for shape in SHAPES if shape != WIDE]


def scene_class(entry):
    return load_scene(entry, SCENES_DIR)


def test_pixels_and_units_of_each_shape():
    assert get_pixels("16:9", 480) == (854, 480)  # manim's own preview size
    assert get_pixels("16:9", 1080) == (1920, 1080)
    assert get_pixels("9:16", 1080) == (1080, 1920)
    assert get_pixels("1:1", 720) == (720, 720)
    assert get_frame_size(1080, 1920) == pytest.approx((8, 8 * 16 / 9))
    assert get_frame_size(1920, 1080) == pytest.approx((8 * 16 / 9, 8))
    assert get_size_args("720p") == []  # the film's own shape: manim's default size, renders kept as they were
    assert get_size_args("1080p", "9:16") == ["-r", "1080,1920"]
    assert get_size_args("preview", "1:1", short_side=90) == ["-r", "90,90"]


def test_each_cut_has_its_own_folder():
    assert get_cut_folder("full") is None
    assert get_cut_folder("short") == "short"
    assert get_cut_folder("full", "9:16") == "9x16"
    assert get_cut_folder("short", "1:1") == "short-1x1"


def test_the_short_cuts_scenes_are_laid_out_for_every_shape():
    short = [scene for scene in map(scene_class, SCENES) if scene is not None and scene.essential]
    assert short, "no scene declares an essential beat"
    assert [scene.__name__ for scene in short if set(scene.shapes) != set(SHAPES)] == []


@pytest.mark.parametrize("run", ["tiny", "reference"])
@pytest.mark.parametrize(
    "entry,shape",
    [pytest.param(entry, shape, id=f"{entry.name}-{shape}") for entry, shape in SHAPED],
)
def test_a_shaped_scene_stays_inside_its_frame(entry, shape, run, monkeypatch, request):
    scene = scene_class(entry)
    if scene is None or shape not in scene.shapes:
        pytest.skip(f"{entry.name} is laid out for {WIDE} only")
    frames = request.getfixturevalue("grokked_frames") if run == "tiny" else reference_frames()
    load_frames(frames)
    monkeypatch.setenv(FRAMES_ENV, str(frames))
    outside, (size, words) = outside_frame(scene, monkeypatch, shape)
    assert outside == []
    assert size >= style.MIN_TEXT_SIZE - 0.01, f"{words!r} at font size {size}"
