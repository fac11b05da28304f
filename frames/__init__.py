"""The frames contract: the one package both halves share (numpy only).

training/ writes frames files with it; scenes/ and grok/ read them with it. Neither half owns it,
so scenes never import training. Every key, shape and rule is in data/FRAMES.md.
"""

from frames.checks import validate
from frames.errors import FramesError, GrokError, OutputError
from frames.schema import (
    ACCURACY_BAR,
    CLUSTER_THRESHOLD,
    NOT_APPLICABLE,
    NOT_RECORDED,
    SCHEMA,
    SCHEMA_VERSION,
    SURFACE_NEURONS,
    describe_arithmetic,
    first_epoch_below,
    get_formula,
    get_not_applicable,
    milestones,
    shown,
)
from frames.store import load_frames, save_frames

__all__ = [
    "GrokError",
    "OutputError",
    "ACCURACY_BAR",
    "CLUSTER_THRESHOLD",
    "NOT_APPLICABLE",
    "NOT_RECORDED",
    "SCHEMA",
    "SCHEMA_VERSION",
    "SURFACE_NEURONS",
    "FramesError",
    "first_epoch_below",
    "describe_arithmetic",
    "get_formula",
    "get_not_applicable",
    "load_frames",
    "milestones",
    "save_frames",
    "shown",
    "validate",
]
