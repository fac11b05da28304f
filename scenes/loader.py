"""Where scenes get their data: one frames file, found by one rule; a sweep's scenes, one sweep file.

The rule: the file named by the environment variable GROK_FRAMES; otherwise data/nanda.npz under the
folder the command runs in; otherwise data/quick.npz there (what ./setup.sh makes); otherwise the reference
run's frames that came with the project (frames/places.py). Scenes that draw a sweep (scenes/registry.py,
SWEEP_SCENES) read the sweep file GROK_SWEEP names (a sweep folder or its sweep.npz); otherwise
data/sweep.npz; otherwise runs/sweep-quick/sweep.npz (what a plain `grok sweep` writes). A missing
file or one of another schema version stops the render with one line on stderr.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import NoReturn

import numpy as np

from frames import FramesError, load_frames
from frames.places import DATA, REFERENCE, RUNS, reference_frames
from frames.sweep import load_sweep, sweep_path
from scenes.registry import NOT_SHOWN

FRAMES_ENV = "GROK_FRAMES"
SWEEP_ENV = "GROK_SWEEP"
SWEEP_DEFAULTS = (DATA / "sweep.npz", RUNS / "sweep-quick" / "sweep.npz")
TIMINGS_ENV = "GROK_TIMINGS"  # a JSON file {line: seconds its speech lasts}, written by `grok publish --voice`
CUT_ENV = "GROK_CUT"  # a JSON list of the lines a short cut passes over, unsaid, written by `grok publish --cut`
SCRIPT_ENV = "GROK_SCRIPT"  # a JSON file {line as the scene wrote it: as edited}, written by `grok publish --script`


def frames_path() -> Path:
    return get_chosen(FRAMES_ENV, (DATA / REFERENCE, DATA / "quick.npz", reference_frames()), Path)


def get_frames() -> dict[str, np.ndarray]:
    """The frames of the file frames_path() names; exit with one line if it cannot be used."""
    return load_or_exit(load_frames, frames_path(), f"set {FRAMES_ENV} to choose a frames file")


class NotShown(SystemExit):
    """A scene's idea that this run does not show: the scene exits with NOT_SHOWN; str() is the reason."""

    def __init__(self, reason: str):
        super().__init__(NOT_SHOWN)
        self.reason = reason

    def __str__(self) -> str:
        return self.reason


def not_shown(reason: str) -> NoReturn:
    """Stop a scene whose idea this run does not show, saying why in one line: `grok publish` leaves it out of
    the film (and says so), `grok render` reports it."""
    sys.stderr.write(f"not shown: {reason}\n")
    raise NotShown(reason)


def require_series(frames: dict, change: str) -> None:
    """Stop when the file holds one checkpoint (a run file with only its final weights, as the paper's
    releases are) and the scene's idea is a change over training."""
    epochs = frames["checkpoint_epochs"]
    if len(epochs) < 2:
        not_shown(
            f"this file holds the weights of one epoch ({int(epochs[0]):,}), no checkpoint series: "
            f"this scene shows {change}, which needs weights from along the way"
        )


def sweep_file() -> Path:
    return get_chosen(SWEEP_ENV, SWEEP_DEFAULTS, sweep_path)


def get_sweep() -> dict[str, np.ndarray]:
    """The sweep file sweep_file() names; exit with one line if it cannot be used."""
    return load_or_exit(load_sweep, sweep_file(), f"set {SWEEP_ENV} to choose a sweep")


def get_chosen(env: str, defaults: tuple[Path, ...], to_path) -> Path:
    """The file the environment names, else the first default that exists, else the first default."""
    if os.environ.get(env):
        return to_path(Path(os.environ[env]))
    return next((path for path in defaults if path.exists()), defaults[0])


def load_or_exit(load, path: Path, hint: str) -> dict[str, np.ndarray]:
    try:
        return load(path)
    except FramesError as e:
        sys.stderr.write(f"error: {e} ({hint})\n")
        raise SystemExit(1) from None
