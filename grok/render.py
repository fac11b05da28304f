"""`grok render`: one scene from one frames file, rendered by manim in a scratch folder and moved
into place atomically (a half-written render never appears under the output folder)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from frames.files import OutputError, atomic_output, describe
from scenes.narration import TIMINGS_ENV
from scenes.registry import SceneEntry
from training.config import GrokError

REPO = Path(__file__).resolve().parent.parent
QUALITIES = {"low": "l", "medium": "m", "high": "h", "4k": "k"}   # manim's -q flags
# `grok publish` names: preview 480p15, 720p30, 1080p60, 2160p60
PUBLISH_QUALITIES = {"preview": "low", "720p": "medium", "1080p": "high", "4k": "4k"}
SCENES_DIR = REPO / "scenes"


@dataclass(frozen=True)
class Rendered:
    path: Path                 # the movie, GIF or still
    captions: Path | None      # the scene's subcaptions (.srt) beside it, when it has narration


def output_name(entry: SceneEntry, quality: str, suffix: str) -> str:
    return f"{entry.name}{'' if quality == 'high' else '_' + quality}{suffix}"


def render_scene(entry: SceneEntry, quality: str, fmt: str, still: bool, frames: Path, out_dir: Path,
                 log: Path | None = None, scene_dir: Path = SCENES_DIR, manim_args: Sequence[str] = (),
                 timings: Path | None = None) -> Rendered:
    """Render one scene; manim's output goes to `log` when given (else to the terminal).
    `manim_args` are added after the quality flag (e.g. `-r 160,90 --fps 5` for tiny test clips).
    `timings`: how long each narration line is spoken (grok/narration.py); without it, reading speed."""
    suffix = ".png" if still else f".{fmt}"
    with tempfile.TemporaryDirectory(prefix="grok-render-") as media:
        command = [sys.executable, "-m", "manim", "render", f"-q{QUALITIES[quality]}", "--disable_caching",
                   "--config_file", str(REPO / "scenes" / "manim.cfg"), "--media_dir", media,
                   *manim_args, *(["-s"] if still else ["--format", fmt]), str(scene_dir / f"{entry.module}.py"), entry.cls]
        env = {**os.environ, "GROK_FRAMES": str(frames)}
        env.pop(TIMINGS_ENV, None)
        if timings is not None:
            env[TIMINGS_ENV] = str(timings)
        if log is None:
            result = subprocess.run(command, env=env, cwd=REPO)
        else:
            with open(log, "w") as stream:
                result = subprocess.run(command, env=env, cwd=REPO, stdout=stream, stderr=subprocess.STDOUT)
        produced = sorted(Path(media).rglob(f"{entry.cls}*{suffix}"), key=lambda path: path.stat().st_mtime)
        if result.returncode != 0 or not produced:
            where = f"see {log}" if log else "see its output above"
            raise GrokError(f"manim could not render {entry.name} ({entry.cls}, exit code {result.returncode}); {where}")
        target = out_dir / output_name(entry, quality, suffix)
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
