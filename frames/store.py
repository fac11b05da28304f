"""Reading and writing frames files: every value checked (frames/checks.py) on the way in and out."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np

from frames.checks import validate
from frames.errors import FramesError, OutputError
from frames.files import atomic_output, describe
from frames.schema import SCHEMA


def save_frames(arrays: dict[str, np.ndarray], path: Path) -> Path:
    """Check arrays, then write them compressed under a partial name and rename."""
    return save_checked(arrays, path, validate, "frames file", "schema_version")


def save_checked(arrays: dict[str, np.ndarray], path: Path, check, what: str, marker: str) -> Path:
    """check(arrays, where) first, then write them compressed under a partial name and rename: a frames
    file or a sweep file (each holds its `marker` key), never half-written."""
    path = Path(path)
    arrays = {key: np.asarray(value) for key, value in arrays.items()}
    check(arrays, str(path))
    refuse_replacing_another_kind(path, marker, what)
    try:
        with atomic_output(path) as f:
            np.savez_compressed(f, **arrays)
    except OSError as e:
        raise OutputError(f"cannot write {what} {path} ({describe(e)}); nothing was written there") from None
    return path


def refuse_replacing_another_kind(path: Path, marker: str, what: str) -> None:
    """A file already at `path` is replaced only if it is of the kind being written (an .npz holding the kind's
    marker key): grok rewrites its own outputs, never a user's notes that happen to sit where an output goes."""
    if not path.is_file():
        return
    try:
        with zipfile.ZipFile(path) as archive:
            ours = f"{marker}.npy" in archive.namelist()
    except (OSError, zipfile.BadZipFile, ValueError):
        ours = False
    if not ours:
        raise OutputError(f"{path} exists and is not a {what}: grok does not overwrite it; choose another name")


MAX_ARRAY_BYTES = 2 * 1024**3  # all arrays of one file, decompressed: a p = 113 run's frames hold ~40 MB
# Every key a frames file of any readable version holds (version 2's `seed` and `curve_epochs` as well, for the
# upgrade): anything else is refused by name, before it is decompressed
FRAMES_KEYS = frozenset(SCHEMA) | {"seed", "curve_epochs"}


def read_arrays(path: Path, known: frozenset | None = FRAMES_KEYS, what: str = "frames file") -> dict[str, np.ndarray]:
    """Every array of an .npz file, unchecked but for what must be checked before decompressing: a regular file,
    only `known` keys (None: any), at most MAX_ARRAY_BYTES decompressed. FramesError with one line otherwise."""
    path = Path(path)
    if path.exists() and not path.is_file():
        raise FramesError(f"{path} is not a regular file (a folder, a pipe or a device); a {what} is a file")
    if not path.is_file():
        raise FramesError(f"{what} not found: {path}" + (" (make one with `grok make-data`)" if known else ""))
    try:
        npz = np.load(path, allow_pickle=False)
        if not isinstance(npz, np.lib.npyio.NpzFile):
            raise FramesError(f"{path} is not a {what} (one .npy array, not an .npz archive)")
        with npz:
            members = npz.zip.namelist()
            if len(members) != len(
                set(members)
            ):  # a second member of one name: which one is read depends on the reader
                raise FramesError(f"{path} holds one key twice: not a {what} numpy wrote")
            unknown = sorted(set(npz.files) - known) if known is not None else []
            if unknown:
                raise FramesError(
                    f"{path} holds keys no {what} has ({', '.join(unknown[:3])}"
                    f"{', ...' if len(unknown) > 3 else ''}): data/FRAMES.md lists them all"
                )
            size = sum(info.file_size for info in npz.zip.infolist())
            if size > MAX_ARRAY_BYTES:
                raise FramesError(f"{path} decompresses to {size / 1024**3:.1f} GiB, far beyond any {what}")
            arrays = {key: npz[key] for key in npz.files}
    except FramesError:
        raise
    except Exception as e:  # the file comes from outside: a damaged zip, a pickle, an absurd header, ...
        kind = f"{type(e).__module__.split('.')[0]}.{type(e).__name__}".removeprefix("builtins.")
        raise FramesError(f"cannot read {path} as a {what}: damaged or not an .npz archive ({kind})") from None
    return arrays


def load_frames(path: Path) -> dict[str, np.ndarray]:
    """Read and check a frames file; raise FramesError with one line if it cannot be used."""
    arrays = read_arrays(path)
    validate(arrays, str(path))
    return arrays
