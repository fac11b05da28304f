"""The frames contract: the one package both halves share (numpy only).

training/ writes frames files with it; scenes/ and grok/ read them with it. Neither half owns it,
so scenes never import training. Every key, shape and rule is in data/FRAMES.md.
"""
from frames.checks import validate
from frames.schema import (CLUSTER_THRESHOLD, NOT_APPLICABLE, SCHEMA, SCHEMA_VERSION, FramesError, first_epoch_below,
                           get_formula, get_not_applicable, milestones)
from frames.store import load_frames, save_frames

__all__ = ["CLUSTER_THRESHOLD", "NOT_APPLICABLE", "SCHEMA", "SCHEMA_VERSION", "FramesError", "first_epoch_below",
           "get_formula", "get_not_applicable", "load_frames", "milestones", "save_frames", "validate"]
