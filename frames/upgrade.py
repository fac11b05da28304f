"""Frames files of older schema versions brought to the current one, without the run that made them (numpy only).

Version 4 adds `arithmetic_json`, what decided the run's rounding; files before it did not record it, so a
version 3 file upgrades exactly, with `null` there.

Version 3 keeps each curve at its own epochs and a run's settings only as its source records them.
A version 2 file of a run trained here (`grok make-data`) holds that run's whole config and its
split, so it upgrades exactly: the curves keep the epochs where they hold a value (version 2 wrote
NaN where nothing was recorded), the config gains the scheduler, null (version 2 did not record it),
the top-level seed goes (it is the config's), and the operation's keys are added: every version 2
file learnt addition (`operation` held its formula, "(a + b) mod p"), so it becomes `add`, with add's
op_* keys and `op: "add"` in the config; for add every version 2 measure already is what version 3
computes in the operation's coordinates. A version 2 file imported from a paper-layout file
had the settings that file does not record filled in from the preset; they cannot be told apart from
recorded ones, so it is refused: export it again from its run file.
"""

from __future__ import annotations

import json

import numpy as np

from frames.errors import FramesError
from frames.files import strict_json
from frames.operations import operation_arrays

CURVES = ("train_loss", "test_loss", "train_acc", "test_acc")
ADD_FORMULA_V2 = "(a + b) mod p"  # the only task of version 2


def upgrade(arrays: dict[str, np.ndarray], name: str = "frames") -> dict[str, np.ndarray]:
    """The current version's arrays of a version 2 or 3 frames file (checked by the caller on the way out)."""
    stored = np.asarray(arrays.get("schema_version", -1))
    if stored.shape != () or stored.dtype.kind not in "iu":  # 3.0 or "3" is no version grok wrote
        raise FramesError(f"{name}: schema_version is not a whole number")
    version = int(stored)
    if version == 3 and "arithmetic_json" in arrays:
        raise FramesError(f"{name} says version 3 but holds version 4's arithmetic_json: a damaged file")
    if version == 2:
        try:
            arrays, version = upgrade_v2(arrays, name), 3
        except FramesError:
            raise
        except (KeyError, TypeError, ValueError, IndexError, RecursionError, AttributeError) as e:
            raise FramesError(
                f"{name} is a damaged version 2 frames file ({type(e).__name__}); export it again with `grok make-data`"
            ) from None
    if version != 3:
        raise FramesError(f"{name} has frames schema version {version}; only versions 2 and 3 can be upgraded")
    return {**arrays, "schema_version": np.int64(4), "arithmetic_json": np.str_("null")}


def upgrade_v2(arrays: dict[str, np.ndarray], name: str = "frames") -> dict[str, np.ndarray]:
    """The version 3 arrays of a version 2 frames file (checked by the caller on the way out)."""
    version = int(arrays.get("schema_version", -1))
    if version != 2:
        raise FramesError(f"{name} has frames schema version {version}; only version 2 files can be upgraded")
    if str(arrays["source_layout"]) != "demo":
        raise FramesError(
            f"{name} was imported from a {arrays['source_layout']}-layout file, and version 2 filled the "
            "settings it does not record from the preset: export it again from that file with "
            "`grok make-data --from-checkpoint`"
        )
    if str(arrays["operation"]) != ADD_FORMULA_V2:
        raise FramesError(f"{name} learnt {arrays['operation']}; version 2 files hold {ADD_FORMULA_V2} only")
    config = strict_json(str(arrays["config_json"]))
    p = int(arrays["p"])
    upgraded = {key: value for key, value in arrays.items() if key not in ("seed", "curve_epochs", *CURVES)}
    epochs = arrays["curve_epochs"]  # [E], 0..E-1
    if epochs.dtype.kind not in "iu" or not np.array_equal(epochs, np.arange(len(epochs))):
        raise FramesError(f"{name}: curve_epochs is not 0, 1, 2, ... as version 2 wrote it: a damaged file")
    for curve in CURVES:
        recorded = np.isfinite(arrays[curve])
        upgraded[f"{curve}_epochs"] = epochs[recorded].astype(np.int32)
        upgraded[curve] = arrays[curve][recorded]
    stored = str(arrays["split_note"]) == "stored in the file"
    upgraded |= operation_arrays("add", p) | {
        "schema_version": np.int64(3),
        "config_json": np.str_(json.dumps({**config, "op": "add", "scheduler": None}, sort_keys=True)),
        "split_recorded": np.bool_(stored),
        "train_pairs": np.int64(int(config["train_frac"] * p * p)),  # both split rules take the first int(frac p²)
        "curves_note": np.str_(f"one value per epoch, 0..{len(epochs) - 1:,}" if len(epochs) else "no curves recorded"),
    }
    return upgraded
