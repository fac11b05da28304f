"""Time the analysis of every checkpoint of a run (progress measures, clock, waves, surfaces).

python bench/analysis_speed.py [runs/nanda/run.pth]      (budget: 60 s for 250 checkpoints)
"""

from __future__ import annotations

import sys
import time

import torch

from training.checkpoints import load_run
from training.export import export_frames


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "runs/nanda/run.pth"
    start = time.perf_counter()
    run = load_run(path)
    loaded = time.perf_counter()
    frames = export_frames(run, show_progress=False)
    done = time.perf_counter()
    n = len(run.checkpoints)
    print(f"{path}: p = {run.cfg.p}, {n} checkpoints, {torch.get_num_threads()} threads")
    print(f"  load   {loaded - start:6.1f} s")
    print(
        f"  export {done - loaded:6.1f} s  ({(done - loaded) / n * 1e3:.0f} ms per checkpoint; key frequencies "
        f"{frames['key_freqs'].tolist()})"
    )


if __name__ == "__main__":
    main()
