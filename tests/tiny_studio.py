"""A tiny studio for publishing tests: the scenes of tests/publish_scenes.py copied into a folder of their own,
published at 160x90, 5 fps from the tiny fixture's frames."""

import shutil
from pathlib import Path

from grok.publish.pipeline import Options
from scenes.registry import SceneEntry

TINY_SCENES = Path(__file__).with_name("publish_scenes.py")
TINY_CLIPS = ("-r", "160,90", "--fps", "5")
OPENING_AND_MIDDLE = (
    SceneEntry("opening", "first", "Opening", "a square", "One"),
    SceneEntry("middle", "first", "Middle", "a circle", "One"),
)


def make_scene_dir(root: Path) -> Path:
    """root/scenes/first.py: the tiny scenes, as the module `first` the entries name."""
    folder = root / "scenes"
    folder.mkdir()
    shutil.copy(TINY_SCENES, folder / "first.py")
    return folder


def tiny_options(frames: Path, out_dir: Path, scene_dir: Path, scenes=OPENING_AND_MIDDLE, **changes) -> Options:
    return Options(
        frames=frames,
        quality="preview",
        out_dir=out_dir,
        scenes=scenes,
        scene_dir=scene_dir,
        **{"manim_args": TINY_CLIPS, **changes},
    )
