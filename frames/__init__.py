"""The frames contract: the one module both halves share (numpy only).

training/ writes frames files with it; scenes/ and grok/ read them with it. Neither half owns it,
so scenes never import training. Every key, shape and rule is in data/FRAMES.md.
"""
from frames.schema import (CLUSTER_THRESHOLD, SCHEMA, SCHEMA_VERSION, FramesError, first_epoch_below, load_frames,
                           milestones, save_frames, validate)

__all__ = ["CLUSTER_THRESHOLD", "SCHEMA", "SCHEMA_VERSION", "FramesError", "first_epoch_below", "load_frames",
           "milestones", "save_frames", "validate"]
