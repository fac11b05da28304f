"""The frames file: the compact .npz that scenes animate. numpy only, so both halves import it.

SCHEMA lists every key with its dtype and shape (symbolic dims resolved per file); data/FRAMES.md
documents the same keys and a test keeps the two in step. Bump SCHEMA_VERSION on any change.
"""
from __future__ import annotations

import os
import zipfile
from pathlib import Path

import numpy as np

SCHEMA_VERSION = 2
CLUSTER_THRESHOLD = 0.85   # a neuron is clustered when its frequency's share of its variance is >= this

# Symbolic dims: E epochs in the curves, C checkpoints, K key frequencies, P = p, N = d_mlp,
# S checkpoints sampled for the surfaces, G = 49 grid neurons, F = (p-1)/2 frequencies.
SCHEMA: dict[str, tuple[str, tuple]] = {
    # metadata
    "schema_version": ("int64", ()),
    "p": ("int64", ()),
    "operation": ("str", ()),
    "config_json": ("str", ()),
    "seed": ("int64", ()),
    "source_sha256": ("str", ()),
    "source_layout": ("str", ()),
    "split_note": ("str", ()),
    "grokked": ("bool", ()),
    # curves, one entry per epoch
    "curve_epochs": ("int32", ("E",)),
    "train_loss": ("float32", ("E",)),
    "test_loss": ("float32", ("E",)),
    "train_acc": ("float32", ("E",)),
    "test_acc": ("float32", ("E",)),
    # per checkpoint, recomputed from the weights
    "checkpoint_epochs": ("int32", ("C",)),
    "ckpt_train_loss": ("float32", ("C",)),
    "ckpt_test_loss": ("float32", ("C",)),
    "ckpt_train_acc": ("float32", ("C",)),
    "ckpt_test_acc": ("float32", ("C",)),
    # Fourier structure of the final checkpoint
    "key_freqs": ("int32", ("K",)),
    "neuron_freq": ("int32", ("N",)),
    "neuron_share": ("float32", ("N",)),
    "logit_freq_share": ("float32", ("F",)),
    # the clock: embeddings in each key frequency's (cos, sin) plane
    "embed_clock": ("float16", ("C", "K", "P", 2)),
    "embed_spectrum": ("float32", ("C", "P")),
    # neuron waves over a at b = wave_b
    "wave_b": ("int64", ()),
    "wave_neurons": ("int32", ("G",)),
    "waves": ("float16", ("C", "G", "P")),
    "ring_neurons": ("int32", (2,)),
    "ring_pre": ("float16", ("C", 2, "P")),
    "ring_post": ("float16", ("C", 2, "P")),
    # surfaces over the whole (a, b) grid, at a subset of checkpoints
    "surface_epochs": ("int32", ("S",)),
    "surface_neurons": ("int32", (3,)),
    "surface_post": ("float16", ("S", 3, "P", "P")),
    "surface_logit_c": ("int64", ()),
    "surface_logit": ("float16", ("S", "P", "P")),
    # progress measures per checkpoint (training/progress.py) and the phases they mark
    "progress_restricted_loss": ("float32", ("C",)),
    "progress_restricted_loss_test": ("float32", ("C",)),
    "progress_excluded_loss": ("float32", ("C",)),
    "progress_gini_W_E": ("float32", ("C",)),
    "progress_gini_W_L": ("float32", ("C",)),
    "progress_sum_sq_weights": ("float32", ("C",)),
    "phase_starts": ("int32", (3,)),
}


class FramesError(Exception):
    """A frames file that cannot be used; the message is one line."""


def save_frames(arrays: dict[str, np.ndarray], path: Path) -> Path:
    """Check arrays against SCHEMA, then write them compressed, atomically."""
    path = Path(path)
    arrays = {key: np.asarray(value) for key, value in arrays.items()}
    validate(arrays, str(path))
    tmp = path.with_name(path.name + ".tmp")
    try:
        with open(tmp, "wb") as f:
            np.savez_compressed(f, **arrays)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def load_frames(path: Path) -> dict[str, np.ndarray]:
    """Read and validate a frames file; raise FramesError with one line if it cannot be used."""
    path = Path(path)
    if not path.is_file():
        raise FramesError(f"frames file not found: {path} (make one with `grok make-data`)")
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {key: npz[key] for key in npz.files}
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as e:
        raise FramesError(f"cannot read {path} as a frames file ({type(e).__name__})") from None
    version = arrays.get("schema_version")
    if version is None:
        raise FramesError(f"{path} is not a frames file (no schema_version)")
    if int(version) != SCHEMA_VERSION:
        raise FramesError(f"{path} has frames schema version {int(version)}, this code reads version "
                          f"{SCHEMA_VERSION}: re-export it with `grok make-data`")
    validate(arrays, str(path))
    return arrays


def _dtype_ok(array: np.ndarray, dtype: str) -> bool:
    if dtype == "str":
        return array.dtype.kind == "U"
    return array.dtype == np.dtype(dtype)


def validate(arrays: dict[str, np.ndarray], name: str = "frames") -> dict[str, int]:
    """Check keys, dtypes and shapes; return the resolved symbolic dims."""
    missing = sorted(set(SCHEMA) - set(arrays))
    if missing:
        raise FramesError(f"{name}: missing keys {', '.join(missing)}")
    dims: dict[str, int] = {}
    for key, (dtype, shape) in SCHEMA.items():
        array = arrays[key]
        if not _dtype_ok(array, dtype):
            raise FramesError(f"{name}: key {key} has dtype {array.dtype}, expected {dtype}")
        if array.ndim != len(shape):
            raise FramesError(f"{name}: key {key} has shape {array.shape}, expected {shape}")
        for size, dim in zip(array.shape, shape):
            expected = dims.setdefault(dim, size) if isinstance(dim, str) else dim
            if size != expected:
                raise FramesError(f"{name}: key {key} has shape {array.shape}; dim {dim} should be {expected}")
    if dims.get("P", int(arrays["p"])) != int(arrays["p"]):
        raise FramesError(f"{name}: arrays are for p={dims['P']} but p={int(arrays['p'])}")
    return dims


def first_epoch_below(epochs: np.ndarray, values: np.ndarray, threshold: float) -> int:
    """First epoch at which values < threshold and stay so at every later entry; -1 if never."""
    above = np.nonzero(~(values < threshold))[0]
    start = 0 if len(above) == 0 else above[-1] + 1
    return int(epochs[start]) if start < len(epochs) else -1


def milestones(f: dict[str, np.ndarray]) -> dict[str, float]:
    """The figures a reader checks against the paper, from one frames file."""
    epochs = f["checkpoint_epochs"]
    train_acc = f["train_acc"]
    test_acc = f["test_acc"]
    reached = lambda acc: int(np.argmax(acc >= 0.99)) if (acc >= 0.99).any() else -1  # noqa: E731
    return {
        "train_acc_99_epoch": reached(train_acc),
        "test_acc_99_epoch": reached(test_acc),
        "test_loss_peak": float(np.nanmax(f["test_loss"])) if len(f["test_loss"]) else float("nan"),
        "test_loss_peak_epoch": int(np.nanargmax(f["test_loss"])) if len(f["test_loss"]) else -1,
        "test_loss_below_1_epoch": first_epoch_below(epochs, f["ckpt_test_loss"], 1.0),
        "restricted_loss_below_1_epoch": first_epoch_below(epochs, f["progress_restricted_loss"], 1.0),
        "excluded_loss_peak_epoch": int(epochs[np.argmax(f["progress_excluded_loss"])]),
        "sum_sq_weights_peak_epoch": int(epochs[np.argmax(f["progress_sum_sq_weights"])]),
        "gini_W_E_start": float(f["progress_gini_W_E"][0]),
        "gini_W_E_end": float(f["progress_gini_W_E"][-1]),
        "gini_W_L_start": float(f["progress_gini_W_L"][0]),
        "gini_W_L_end": float(f["progress_gini_W_L"][-1]),
        "clustered_share": float((f["neuron_share"] >= CLUSTER_THRESHOLD).mean()),
    }
