"""The film's shapes: a scene laid out for 9:16 or 1:1 keeps every text, picture and box inside that frame and
no text below style.MIN_TEXT_SIZE, for a tiny run that groks and for the reference run (p = 113: the widest
numbers); the short cut's scenes are laid out for every shape."""

import io

import av
import pytest
from tiny_studio import make_scene_dir, tiny_options

from frames import load_frames
from frames.errors import GrokError
from grok.publish.cuts import get_cut_folder
from grok.publish.narration import load_scene
from grok.publish.pipeline import EXPLAINER, publish
from grok.publish.render import SCENES_DIR, get_size_args
from scenes import style
from scenes.loader import FRAMES_ENV, reference_frames
from scenes.registry import SCENES
from scenes.shapes import SHAPES, WIDE, get_frame_size, get_pixels

from dry_render import outside_frame

FPS = ("--fps", "5")  # tiny clips; their size comes from the shape (short_side=90)


def scene_class(entry):
    return load_scene(entry, SCENES_DIR)


# every scene in every shape it is laid out for, beyond the film's own
SHAPED = [(entry, shape) for entry in SCENES for shape in getattr(scene_class(entry), "shapes", ()) if shape != WIDE]


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
    frames = request.getfixturevalue("grokked_frames") if run == "tiny" else reference_frames()
    load_frames(frames)
    monkeypatch.setenv(FRAMES_ENV, str(frames))
    outside, (size, words) = outside_frame(scene, monkeypatch, shape)
    assert outside == []
    assert size >= style.MIN_TEXT_SIZE - 0.01, f"{words!r} at font size {size}"


def read_film(path) -> tuple[int, int, float, list[str]]:
    """(width, height, seconds, chapter titles) read back from a published film."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        seconds = float(stream.duration * stream.time_base)
        return stream.width, stream.height, seconds, [c["metadata"]["title"] for c in container.chapters()]


def test_a_vertical_short_cut_is_tall_and_timed_as_the_wide_one(tmp_path, tiny_frames):
    """The tiny studio's short cut (Opening alone) published 16:9 and 9:16 at 90 pixels on the shorter side: the
    tall film is 90x160, cards included, with the same chapters and length; Middle, laid out for 16:9 only,
    refuses a 9:16 full cut in one line."""
    scene_dir = make_scene_dir(tmp_path)
    films = {}
    for shape in ("16:9", "9:16"):
        out = tmp_path / shape.replace(":", "x")
        options = tiny_options(tiny_frames, out, scene_dir, cut="short", shape=shape, short_side=90, manim_args=FPS)
        publish(options, out=io.StringIO())
        films[shape] = read_film(out / f"{EXPLAINER}.mp4")
        assert (out / "parts" / f"opening_preview{'' if shape == WIDE else '_9x16'}.mp4").is_file()
    assert films["16:9"][:2] == (160, 90) and films["9:16"][:2] == (90, 160)
    assert films["9:16"][3] == films["16:9"][3] == ["Title", "1. One", "How this video was made"]
    assert films["9:16"][2] == pytest.approx(films["16:9"][2], abs=0.25)
    with pytest.raises(GrokError, match=r"^--aspect 9:16: middle is laid out for 16:9 only"):
        publish(tiny_options(tiny_frames, tmp_path / "full", scene_dir, shape="9:16", short_side=90), out=io.StringIO())


def test_a_scene_not_laid_out_for_a_shape_is_refused_in_one_line(tmp_path):
    from click.testing import CliRunner

    from grok.cli import main

    result = CliRunner().invoke(main, ["render", "ring", "--aspect", "1:1", "--out-dir", str(tmp_path)])
    assert result.exit_code == 1 and result.output.strip().splitlines() == [
        "Error: --aspect 1:1: ring is laid out for 16:9 only"
    ]
    assert list(tmp_path.iterdir()) == []
