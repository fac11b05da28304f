"""The sweep file (`sweep.npz`) and the phase diagram read from it: numpy only, so both halves import it.

`grok sweep` writes a sweep file beside summary.csv (`grok merge` one for the merged shards): per run,
its settings, when it memorised and when it generalised, its final losses, and its two loss curves at
log-spaced epochs (enough for small multiples). Every setting column of the summary becomes one key,
`setting_<column>`, whatever columns a sweep has (numbers, or text such as an operation's name).
data/FRAMES.md documents every key; `load_sweep` checks them all.

`get_phase_grid` lays the runs on a grid of two settings: each cell is grokked (with the epoch test
accuracy reached 99 %), memorised but never generalised, never memorised, diverged, or missing (no
run has that pair of values).
"""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from frames.errors import FramesError
from frames.store import read_arrays, save_checked

SWEEP_SCHEMA_VERSION = 1
SETTING = "setting_"  # prefix of the keys that hold one setting column each, [R]
CURVE_SAMPLES = 150  # epochs kept of each run's loss curves, evenly spaced on a log axis

SWEEP_SCHEMA: dict[str, tuple[str, tuple]] = {
    "sweep_schema_version": ("int64", ()),
    "p": ("int64", ()),
    "operation": ("str", ()),
    "epochs": ("int64", ()),
    "shared_json": ("str", ()),
    "run_names": ("str", ("R",)),
    "memorise_epoch": ("int32", ("R",)),
    "grok_epoch": ("int32", ("R",)),
    "final_train_loss": ("float32", ("R",)),
    "final_test_loss": ("float32", ("R",)),
    "final_test_acc": ("float32", ("R",)),
    "curve_epochs": ("int32", ("T",)),
    "train_loss": ("float32", ("R", "T")),
    "test_loss": ("float32", ("R", "T")),
}
OUTCOMES = ("memorise_epoch", "grok_epoch", "final_train_loss", "final_test_loss", "final_test_acc")

# States of a run, and of a cell of the phase diagram; a tie in a cell goes to the state that claims less
GROKKED, MEMORISED, NEVER_MEMORISED, DIVERGED, MISSING = range(5)
STATE_NAMES = {
    GROKKED: "grokked",
    MEMORISED: "memorised, never generalised",
    NEVER_MEMORISED: "never memorised",
    DIVERGED: "diverged",
    MISSING: "not trained",
}
STATE_MARKS = {MEMORISED: "—", NEVER_MEMORISED: "×", DIVERGED: "!", MISSING: ""}  # written in a cell that did not grok
TIE_ORDER = (DIVERGED, NEVER_MEMORISED, MEMORISED, GROKKED)
PREFERRED_AXES = ("wd", "train_frac", "op", "lr", "seed", "split_seed")
COLUMN_WORDS = {
    "wd": "weight decay",
    "train_frac": "train fraction",
    "op": "operation",
    "lr": "learning rate",
    "seed": "seed",
    "split_seed": "split seed",
}


def get_curve_epochs(epochs: int, n: int = CURVE_SAMPLES) -> np.ndarray:
    """Epochs 1..epochs-1 evenly spaced on a log axis (epoch 0 has no place on one), at most n."""
    if epochs < 2:
        return np.zeros(0, dtype=np.int32)
    return np.unique(np.geomspace(1, epochs - 1, n).round()).astype(np.int32)


# checks


def _fail(where: str, message: str):
    raise FramesError(f"{where}: {message}")


def validate_sweep(arrays: dict[str, np.ndarray], where: str) -> None:
    """Every key of a sweep file: present, of its dtype and shape, in range; one line naming the key otherwise."""
    version = arrays.get("sweep_schema_version")
    if version is None:
        _fail(where, "not a sweep file (no sweep_schema_version; a run's frames file is drawn by the other scenes)")
    if version.shape != () or version.dtype.kind not in "iu" or int(version) != SWEEP_SCHEMA_VERSION:
        _fail(
            where, f"sweep file version {version}, this code reads version {SWEEP_SCHEMA_VERSION}: run the sweep again"
        )
    missing = [key for key in SWEEP_SCHEMA if key not in arrays]
    if missing:
        _fail(where, f"missing key {missing[0]}")
    settings = [key for key in arrays if key.startswith(SETTING)]
    unknown = [key for key in arrays if key not in SWEEP_SCHEMA and key not in settings]
    if unknown:
        _fail(where, f"unknown key {unknown[0]}")
    if not settings:
        _fail(where, "no setting_<column> key")
    R, T = len(arrays["run_names"]) if arrays["run_names"].ndim == 1 else -1, len(arrays["curve_epochs"])
    dims = {"R": R, "T": T}
    for key, (dtype, shape) in SWEEP_SCHEMA.items():
        value = arrays[key]
        kind_ok = value.dtype.kind == "U" if dtype == "str" else value.dtype == np.dtype(dtype)
        if not kind_ok:
            _fail(where, f"{key} is {value.dtype}, not {dtype}")
        if value.shape != tuple(dims.get(d, d) for d in shape):
            _fail(where, f"{key} has shape {value.shape}, expected {tuple(dims.get(d, d) for d in shape)}")
    if R < 1:
        _fail(where, "no run")
    for key in settings:
        value = arrays[key]
        if value.shape != (R,) or value.dtype.kind not in "iufU":
            _fail(where, f"{key} must hold one number or text per run, shape ({R},)")
        if value.dtype.kind == "f" and not np.isfinite(value).all():
            _fail(where, f"{key} is not finite")
    epochs = int(arrays["epochs"])
    if not 1 <= epochs < 2**31:
        _fail(where, f"epochs is {epochs}, out of range")
    if int(arrays["p"]) < 2:
        _fail(where, f"p is {int(arrays['p'])}, out of range")
    names = arrays["run_names"].tolist()
    if len(set(names)) != R or not all(names):
        _fail(where, "run_names must be non-empty and distinct")
    for key in ("memorise_epoch", "grok_epoch"):
        if ((arrays[key] < -1) | (arrays[key] >= epochs)).any():
            _fail(where, f"{key} out of range (-1 for never, else below epochs = {epochs})")
    curve_epochs = arrays["curve_epochs"]
    if T and ((curve_epochs < 0).any() or (curve_epochs >= epochs).any() or (np.diff(curve_epochs) <= 0).any()):
        _fail(where, "curve_epochs must increase strictly within 0..epochs-1")
    for key in ("final_train_loss", "final_test_loss", "train_loss", "test_loss"):
        if (arrays[key] < 0).any():  # NaN and inf pass: a run of a sweep may diverge
            _fail(where, f"{key} is negative")
    acc = arrays["final_test_acc"]
    if ((acc < 0) | (acc > 1)).any():
        _fail(where, "final_test_acc out of [0, 1]")
    try:
        shared = json.loads(str(arrays["shared_json"]))
    except (ValueError, RecursionError):
        shared = None
    if not isinstance(shared, dict):
        _fail(where, "shared_json is not a JSON object")


def sweep_path(path: Path) -> Path:
    """A sweep folder or its sweep file -> the sweep file."""
    path = Path(path)
    return path / "sweep.npz" if path.is_dir() else path


def save_sweep(arrays: dict[str, np.ndarray], path: Path) -> Path:
    return save_checked(arrays, path, validate_sweep, "sweep file", "sweep_schema_version")


def load_sweep(path: Path) -> dict[str, np.ndarray]:
    """Read and check a sweep file (or the one in a sweep folder); FramesError with one line otherwise."""
    path = sweep_path(path)
    if not path.is_file() and not path.exists():
        raise FramesError(f"sweep file not found: {path} (`grok sweep` writes one into its folder)")
    arrays = read_arrays(path, known=None, what="sweep file")
    validate_sweep(arrays, str(path))
    return arrays


# the table of runs


def get_settings(sweep: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """{column: [R] values} of every setting column, in the file's order."""
    return {key[len(SETTING) :]: value for key, value in sweep.items() if key.startswith(SETTING)}


def get_rows(sweep: dict[str, np.ndarray]) -> list[dict]:
    """One dict per run, as read_summary gives summary.csv's rows: name, settings, outcomes."""
    settings = get_settings(sweep)
    return [
        {
            "name": str(name),
            **{c: v[r].item() for c, v in settings.items()},
            **{c: sweep[c][r].item() for c in OUTCOMES},
        }
        for r, name in enumerate(sweep["run_names"])
    ]


def get_varied(rows: list[dict], columns: list[str]) -> list[str]:
    """The columns whose value differs between runs, in the order given."""
    return [c for c in columns if len({row[c] for row in rows}) > 1]


def get_default_axes(rows: list[dict], columns: list[str]) -> tuple[str, str]:
    """(across, up): weight decay and train fraction when both vary; otherwise the varied columns, in
    PREFERRED_AXES order, topped up with unvaried ones (a diagram of one row)."""
    ranked = sorted(columns, key=lambda c: PREFERRED_AXES.index(c) if c in PREFERRED_AXES else len(PREFERRED_AXES))
    varied = get_varied(rows, ranked)
    chosen = (varied + [c for c in ranked if c not in varied])[:2]
    if len(chosen) < 2:
        raise FramesError("a phase diagram needs two setting columns")
    return chosen[0], chosen[1]


def run_state(row: dict) -> int:
    if not math.isfinite(row["final_train_loss"]):
        return DIVERGED
    if row["grok_epoch"] >= 0:
        return GROKKED
    return MEMORISED if row["memorise_epoch"] >= 0 else NEVER_MEMORISED


def get_axis_values(values: list) -> list:
    """The distinct values of a column: numbers ascending, text in the order the runs list it."""
    distinct = list(dict.fromkeys(values))
    return sorted(distinct) if all(isinstance(v, (int, float)) for v in distinct) else distinct


@dataclass(frozen=True)
class PhaseGrid:
    x: str  # the column across
    y: str  # the column up
    x_values: list
    y_values: list
    state: np.ndarray  # [ny, nx] int: GROKKED, MEMORISED, NEVER_MEMORISED, DIVERGED or MISSING
    grok_epoch: np.ndarray  # [ny, nx] float: median grok epoch of the cell's runs that grokked; NaN if none did
    memorise_epoch: (
        np.ndarray
    )  # [ny, nx] float: median memorise epoch of the cell's runs that memorised; NaN if none did
    runs: np.ndarray  # [ny, nx] int: runs in the cell (more than one where other columns vary too)
    grokked: np.ndarray  # [ny, nx] int: of them, how many grokked
    members: list  # [ny][nx] lists of row indices


def get_phase_grid(rows: list[dict], x: str = "wd", y: str = "train_frac") -> PhaseGrid:
    """The runs (summary rows, or get_rows of a sweep file) on a grid of columns x (across) and y (up).
    A cell's state is its runs' most common state (a tie goes to the one that claims less: diverged, never
    memorised, memorised, grokked); its grok epoch the median over the runs that grokked, its memorise epoch
    the median over the runs that memorised."""
    for column in (x, y):
        if column not in rows[0] or column in ("name", *OUTCOMES):
            settings = [c for c in rows[0] if c not in ("name", *OUTCOMES)]
            raise FramesError(f"no setting column {column!r} in the sweep (it has {', '.join(settings)})")
    if x == y:
        raise FramesError(f"a phase diagram needs two different columns (got {x} twice)")
    x_values, y_values = get_axis_values([r[x] for r in rows]), get_axis_values([r[y] for r in rows])
    members = [[[] for _ in x_values] for _ in y_values]
    for index, row in enumerate(rows):
        members[y_values.index(row[y])][x_values.index(row[x])].append(index)
    shape = (len(y_values), len(x_values))
    state, grok_epoch, memorise_epoch = np.full(shape, MISSING), np.full(shape, np.nan), np.full(shape, np.nan)
    runs, grokked = np.zeros(shape, dtype=int), np.zeros(shape, dtype=int)
    for j, i in np.ndindex(*shape):
        cell = [rows[index] for index in members[j][i]]
        if not cell:
            continue
        counts = Counter(run_state(row) for row in cell)
        state[j, i] = max(TIE_ORDER, key=lambda s: (counts[s], -TIE_ORDER.index(s)))
        epochs = [row["grok_epoch"] for row in cell if run_state(row) == GROKKED]
        grok_epoch[j, i] = float(np.median(epochs)) if epochs else np.nan
        memorised = [row["memorise_epoch"] for row in cell if row["memorise_epoch"] >= 0]
        memorise_epoch[j, i] = float(np.median(memorised)) if memorised else np.nan
        runs[j, i], grokked[j, i] = len(cell), len(epochs)
    return PhaseGrid(x, y, x_values, y_values, state, grok_epoch, memorise_epoch, runs, grokked, members)


def get_loss_decades(sweep: dict[str, np.ndarray]) -> tuple[int, int]:
    """Whole decades holding every finite positive loss of every run's curves ((-1, 1) if there is none)."""
    values = np.concatenate([sweep["train_loss"].ravel(), sweep["test_loss"].ravel()])
    finite = values[np.isfinite(values) & (values > 0)]
    if not len(finite):
        return -1, 1
    return int(np.floor(np.log10(finite.min()))), int(np.ceil(np.log10(finite.max())))


def get_value_label(column: str, value) -> str:
    """A setting as it is written on a diagram and read aloud: train fraction 0.3 -> '30 %', wd 0.1 -> '0.1'."""
    if column == "train_frac":
        return f"{100 * value:.3g} %"
    if isinstance(value, float):
        return f"{value:g}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def get_column_words(column: str) -> str:
    return COLUMN_WORDS.get(column, column.replace("_", " "))
