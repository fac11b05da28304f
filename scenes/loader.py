"""Where scenes get their data: one frames file, found by one rule.

The rule: the file named by the environment variable GROK_FRAMES; otherwise data/nanda.npz;
otherwise data/quick.npz (what ./setup.sh makes). A missing file or one of another schema
version stops the render with one line on stderr.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np

from frames import FramesError, load_frames

FRAMES_ENV = "GROK_FRAMES"
DATA = Path(__file__).resolve().parent.parent / "data"
DEFAULTS = (DATA / "nanda.npz", DATA / "quick.npz")


def frames_path() -> Path:
    if os.environ.get(FRAMES_ENV):
        return Path(os.environ[FRAMES_ENV])
    return next((path for path in DEFAULTS if path.exists()), DEFAULTS[0])


def get_frames() -> dict[str, np.ndarray]:
    """The frames of the file frames_path() names; exit with one line if it cannot be used."""
    try:
        return load_frames(frames_path())
    except FramesError as e:
        sys.stderr.write(f"error: {e} (set {FRAMES_ENV} to choose a frames file)\n")
        raise SystemExit(1) from None


def require_series(frames: dict, change: str) -> None:
    """Stop with one line when the file holds one checkpoint (a run file with only its final weights,
    as the paper's releases are) and the scene's idea is a change over training."""
    epochs = frames["checkpoint_epochs"]
    if len(epochs) < 2:
        raise SystemExit(f"error: this file holds the weights of one epoch ({int(epochs[0]):,}), no checkpoint series: "
                         f"this scene shows {change}, which needs weights from along the way")
