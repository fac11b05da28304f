"""Schema 2 -> 3 for frames files made before operations existed (every one of them learnt add):
`operation` becomes the name `add`, and the op_* keys are added. Nothing else changes: for add every
schema-2 value already is what schema 3 computes. Usage: python -m training.upgrade data/nanda.npz"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

import frames
from .export import operation_arrays

ADD_FORMULA_V2 = "(a + b) mod p"


def upgrade_to_v3(arrays: dict[str, np.ndarray], name: str = "frames") -> dict[str, np.ndarray]:
    if int(arrays["schema_version"]) != 2 or str(arrays["operation"]) != ADD_FORMULA_V2:
        raise frames.FramesError(f"{name}: only schema-2 files of {ADD_FORMULA_V2} can be upgraded")
    return {**arrays, **operation_arrays("add", int(arrays["p"])), "schema_version": np.int64(3)}


if __name__ == "__main__":
    for path in map(Path, sys.argv[1:]):
        with np.load(path, allow_pickle=False) as npz:
            upgraded = upgrade_to_v3({key: npz[key] for key in npz.files}, str(path))
        frames.save_frames(upgraded, path)
        print(f"upgraded {path} to schema 3")
