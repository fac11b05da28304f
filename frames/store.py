"""Reading and writing frames files: every value checked (frames/checks.py) on the way in and out."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from frames.checks import validate
from frames.files import atomic_output, describe
from frames.errors import OutputError
from frames.errors import FramesError


def save_frames(arrays: dict[str, np.ndarray], path: Path) -> Path:
    """Check arrays, then write them compressed under a partial name and rename."""
    return save_checked(arrays, path, validate, "frames file")


def save_checked(arrays: dict[str, np.ndarray], path: Path, check, what: str) -> Path:
    """check(arrays, where) first, then write them compressed under a partial name and rename: a frames
    file or a sweep file, never half-written."""
    path = Path(path)
    arrays = {key: np.asarray(value) for key, value in arrays.items()}
    check(arrays, str(path))
    try:
        with atomic_output(path) as f:
            np.savez_compressed(f, **arrays)
    except OSError as e:
        raise OutputError(f"cannot write {what} {path} ({describe(e)}); nothing was written there") from None
    return path


def read_arrays(path: Path) -> dict[str, np.ndarray]:
    """Every array of an .npz file, unchecked; FramesError with one line if it cannot be read."""
    path = Path(path)
    if not path.is_file():
        raise FramesError(f"frames file not found: {path} (make one with `grok make-data`)")
    try:
        npz = np.load(path, allow_pickle=False)
        if not isinstance(npz, np.lib.npyio.NpzFile):
            raise FramesError(f"{path} is not a frames file (one .npy array, not an .npz archive)")
        with npz:
            arrays = {key: npz[key] for key in npz.files}
    except FramesError:
        raise
    except Exception as e:  # the file comes from outside: a damaged zip, a pickle, an absurd header, ...
        kind = f"{type(e).__module__.split('.')[0]}.{type(e).__name__}".removeprefix("builtins.")
        raise FramesError(f"cannot read {path} as a frames file: damaged or not an .npz archive ({kind})") from None
    return arrays


def load_frames(path: Path) -> dict[str, np.ndarray]:
    """Read and check a frames file; raise FramesError with one line if it cannot be used."""
    arrays = read_arrays(path)
    validate(arrays, str(path))
    return arrays
