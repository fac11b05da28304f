"""Provenance: what a published video was made from, in one place (end card, records, mp4 metadata).

The frames digest is a SHA-256 of the frames' contents (every key's name, dtype, shape and bytes,
in key order), not of the .npz file: numpy stamps the time into the zip, so re-exporting the same
run gives a new file hash but the same digest.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from frames import load_frames
from grok.version import get_version

PAPER_SHORT = "Nanda et al. (2023), Progress measures for grokking via mechanistic interpretability"
PAPER = (
    "Nanda, Chan, Lieberum, Smith, Steinhardt (2023), "
    "Progress measures for grokking via mechanistic interpretability, ICLR 2023"
)
# who named the phenomenon the film is about (its title and first minute say the word)
NAMED_BY = (
    "Power, Burda, Edwards, Babuschkin, Misra (2022), "
    "Grokking: Generalization Beyond Overfitting on Small Algorithmic Datasets"
)


@dataclass(frozen=True)
class Provenance:
    operation: str  # the task, e.g. "(a + b) mod p"
    p: int
    pairs: int  # the data set's pairs: p², less those the operation leaves out (b = 0 under div)
    config: dict  # the run's settings as its source records them (None where it does not)
    seed: int | None  # the weights' initialisation seed; None where the source does not record it
    frames_file: str  # as given on the command line
    frames_sha256: str  # digest of the frames' contents (see module docstring)
    version: str  # this project's version, from package metadata
    date: str  # when the video was published, ISO date
    arithmetic: list | None = None  # what decided the run's rounding, per stretch of epochs; None: not recorded

    def as_dict(self) -> dict:
        return asdict(self)


def get_frames_digest(frames: dict[str, np.ndarray]) -> str:
    digest = hashlib.sha256()
    for key in sorted(frames):
        array = np.ascontiguousarray(frames[key])
        digest.update(f"{key}:{array.dtype.str}:{array.shape};".encode())
        digest.update(array.tobytes())
    return digest.hexdigest()


def get_provenance(frames_file: Path) -> Provenance:
    frames = load_frames(frames_file)
    config = json.loads(str(frames["config_json"]))
    return Provenance(
        operation=str(frames["op_formula"]),
        p=int(frames["p"]),
        pairs=int((frames["op_labels"] >= 0).sum()),
        config=config,
        seed=config["seed"],
        frames_file=str(frames_file),
        frames_sha256=get_frames_digest(frames),
        version=get_version(),
        date=datetime.date.today().isoformat(),
        arithmetic=json.loads(str(frames["arithmetic_json"])),
    )


def get_task(provenance: Provenance) -> str:
    """'(a + b) mod p' with p = 113 -> '(a + b) mod 113'."""
    if provenance.operation.endswith("mod p"):
        return provenance.operation[:-1] + str(provenance.p)
    return f"{provenance.operation}, p = {provenance.p}"
