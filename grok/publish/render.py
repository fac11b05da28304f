"""`grok render`: one scene from one frames file (a sweep's scenes: from a sweep file), rendered by manim in a
scratch folder and moved into place atomically (a half-written render never appears under the output folder)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence

import scenes
from frames import load_frames
from frames.errors import GrokError, OutputError
from frames.files import atomic_output, check_writable_folder, describe, real_path
from frames.sweep import load_sweep, sweep_path
from scenes.loader import CUT_ENV, FRAMES_ENV, SCRIPT_ENV, SWEEP_ENV, TIMINGS_ENV, frames_path, sweep_file
from scenes.registry import NAMES, NOT_SHOWN, SWEEP_NAMES, SWEEP_SCENES, SceneEntry, get_scene
from scenes.shapes import WIDE, get_pixels

SCENES_DIR = Path(scenes.__file__).resolve().parent  # the scene modules and manim.cfg (package data)
CODE_ROOT = SCENES_DIR.parent  # the folder the project's packages live in: a checkout, or site-packages
# One quality vocabulary, from the user's word (`grok render`, `grok publish`, `grok all`) to the file name:
# the word -> manim's -q flag. preview is 480p at 15 fps, 720p at 30, 1080p and 4k (2160p) at 60.
QUALITIES = {"preview": "l", "720p": "m", "1080p": "h", "4k": "k"}
RENDER_QUALITY = "preview"  # what grok render makes unless told: a quick look at one scene
PUBLISH_QUALITY = "720p"  # what grok publish and all make unless told: legible on a phone, within the main job's budget
QUALITY_HELP = "preview 480p15, 720p 720p30, 1080p 1080p60, 4k 2160p60."
SHORT_SIDE_PIXELS = {"preview": 480, "720p": 720, "1080p": 1080, "4k": 2160}  # the frame's shorter side, any shape
FULL_QUALITY = "1080p"  # renders at this quality carry no quality in their file name


class SceneNotShown(GrokError):
    """The scene's idea is not in this run (scenes/loader.py not_shown): no clock in a run that never grokked."""

    def __init__(self, entry: SceneEntry, reason: str):
        super().__init__(f"{entry.name} is not drawn for this run: {reason}")
        self.entry, self.reason = entry, reason


def get_not_shown_reason(log: Path | None) -> str:
    """The reason a scene gave for not drawing this run: its `not shown:` line in the log (or on the terminal)."""
    lines = log.read_text(errors="replace").splitlines() if log is not None and log.is_file() else []
    said = [line.removeprefix("not shown: ") for line in lines if line.startswith("not shown: ")]
    return said[-1] if said else "its reason is above"


@dataclass(frozen=True)
class Rendered:
    path: Path  # the movie, GIF or still
    captions: Path | None  # the scene's subcaptions (.srt) beside it, when it has narration


def get_size_args(quality: str, shape: str = WIDE, short_side: int | None = None) -> list[str]:
    """manim's flags for a frame of `shape` at `quality` (its shorter side `short_side` pixels where given):
    none for the film's own shape at the quality's own size, which is manim's default."""
    if shape == WIDE and short_side is None:
        return []
    width, height = get_pixels(shape, short_side or SHORT_SIDE_PIXELS[quality])
    return ["-r", f"{width},{height}"]


def output_name(name: str, quality: str, suffix: str, shape: str = WIDE) -> str:
    """snake.mp4 at full quality, snake_720p.mp4 below it, snake_720p_9x16.mp4 in another shape."""
    tags = ([] if quality == FULL_QUALITY else [quality]) + ([] if shape == WIDE else [shape.replace(":", "x")])
    return name + "".join("_" + tag for tag in tags) + suffix


def render_named(
    names: Sequence[str],
    quality: str,
    fmt: str,
    still: bool,
    frames: Path | None,
    sweep: Path | None,
    out_dir: Path,
    shape: str = WIDE,
) -> Iterator[Path]:
    """`grok render NAMES`: each scene from its file (the explainer's from `frames`, a sweep's from `sweep`;
    the loader's defaults where None) in a frame of `shape`, every file checked first (one line, not a traceback
    inside manim); yields each render as it is written."""
    names = NAMES if "all" in names else tuple(dict.fromkeys(names))
    from grok.publish.narration import load_scene  # the scene's own class: which shapes it lays itself out for

    unshaped = [
        name for name in names if shape not in getattr(load_scene(get_scene(name), SCENES_DIR), "shapes", (WIDE,))
    ]
    if unshaped:
        raise GrokError(
            f"--aspect {shape}: {', '.join(unshaped)} {'is' if len(unshaped) == 1 else 'are'} laid out for {WIDE} only"
        )
    frames = Path(frames) if frames else frames_path()
    sweep = sweep_path(sweep) if sweep else sweep_file()
    if set(names) - set(SWEEP_NAMES):
        load_frames(frames)
    if set(names) & set(SWEEP_NAMES):
        load_sweep(sweep)
    check_writable_folder(out_dir, f"renders to {out_dir}")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)  # an --out-dir that does not exist yet is made
    except OSError as e:
        raise GrokError(f"cannot write renders to {out_dir}: {describe(e)}") from None
    for name in names:
        entry = get_scene(name)
        source = sweep if name in SWEEP_NAMES else frames
        yield render_scene(
            entry, quality, fmt, still, source, out_dir, manim_args=get_size_args(quality, shape), shape=shape
        ).path


def render_scene(
    entry: SceneEntry,
    quality: str,
    fmt: str,
    still: bool,
    frames: Path,
    out_dir: Path,
    log: Path | None = None,
    scene_dir: Path = SCENES_DIR,
    manim_args: Sequence[str] = (),
    timings: Path | None = None,
    edits: Path | None = None,
    cut: Path | None = None,
    shape: str = WIDE,
) -> Rendered:
    """Render one scene from `frames` (a sweep file for SWEEP_SCENES); manim's output goes to `log` when given
    (else to the terminal). `manim_args` are added after the quality flag (e.g. `-r 160,90 --fps 5` for tiny
    test clips). `timings`: how long each narration line is spoken (grok/publish/narration.py); without it, reading speed.
    `edits`: the words said in place of the scene's own lines (grok/publish/script.py); without it, its own.
    `cut`: the lines a short cut passes over (scenes/narration.py); without it, none."""
    suffix = ".png" if still else f".{fmt}"
    with tempfile.TemporaryDirectory(prefix="grok-render-") as media:
        command = [
            sys.executable,
            "-m",
            "manim",
            "render",
            f"-q{QUALITIES[quality]}",
            "--disable_caching",
            "--config_file",
            str(SCENES_DIR / "manim.cfg"),
            "--media_dir",
            media,
            *manim_args,
            *(["-s"] if still else ["--format", fmt]),
            str(scene_dir / f"{entry.module}.py"),
            entry.cls,
        ]
        # manim runs in the repository: the paths a user gave, relative to where they are, go as absolute paths
        env = {**os.environ, (SWEEP_ENV if entry in SWEEP_SCENES else FRAMES_ENV): str(real_path(frames))}
        for name, path in ((TIMINGS_ENV, timings), (SCRIPT_ENV, edits), (CUT_ENV, cut)):
            env.pop(name, None)
            if path is not None:
                env[name] = str(real_path(path))
        if log is None:
            result = subprocess.run(command, env=env, cwd=CODE_ROOT)
        else:
            with open(log, "w") as stream:
                result = subprocess.run(command, env=env, cwd=CODE_ROOT, stdout=stream, stderr=subprocess.STDOUT)
        produced = sorted(Path(media).rglob(f"{entry.cls}*{suffix}"), key=lambda path: path.stat().st_mtime)
        if result.returncode == NOT_SHOWN:
            raise SceneNotShown(entry, get_not_shown_reason(log))
        if result.returncode != 0 or not produced:
            where = f"see {log}" if log else "see its output above"
            raise GrokError(
                f"manim could not render {entry.name} ({entry.cls}, exit code {result.returncode}); {where}"
            )
        target = out_dir / output_name(entry.name, quality, suffix, shape)
        captions = produced[-1].with_suffix(".srt")
        move_into_place(produced[-1], target)
        if captions.is_file() and not still:
            return Rendered(target, move_into_place(captions, target.with_suffix(".srt")))
    return Rendered(target, None)


def move_into_place(source: Path, target: Path) -> Path:
    """Copy under the partial name beside the target, then rename: readers never see half a file."""
    try:
        with open(source, "rb") as rendered, atomic_output(target) as f:
            shutil.copyfileobj(rendered, f)
    except OSError as e:
        raise OutputError(f"cannot write {target} ({describe(e)}); nothing was written there") from None
    return target
