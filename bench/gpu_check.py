"""The checks only a GPU can answer, as one short command for a session lent one (bench/gpu_check.sh runs it
there with the source tree on PYTHONPATH: training needs torch, numpy, scipy and tqdm, nothing that publishes).

    python bench/gpu_check.py --check {nanda,sweep,twice} [--device cuda] [--out gpu_check.txt] [--scale 1.0]

1. the nanda preset end to end on the device: wall time, ms an epoch, memorise and grok epochs, key frequencies;
2. a batched sweep of 32 runs (seeds 0-31, the quick preset's settings at p = 113) against one run alone:
   the time of each and the ratio (target: under 3x);
3. the same seed twice with deterministic algorithms (--reproducible): are the weights equal to the bit?
One check a process (the deterministic one must choose its kernels before any other work); every figure is
printed and appended to --out as it comes, so a run cut short still leaves what it measured. --scale shrinks
every epoch count (0.02 on a CPU tries the script in a minute).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from frames.schema import ACCURACY_BAR
from training.arithmetic import describe
from training.checkpoints import load_run
from training.config import make_config
from training.export import export_frames
from training.sweep import sweep_configs, train_sweep
from training.train import train

SWEEP_RUNS = 32


def first_at_least(values: list[float], bar: float) -> int:
    hits = np.flatnonzero(np.asarray(values) >= bar)
    return int(hits[0]) if len(hits) else -1


def synchronised(device: str) -> None:
    if device.startswith("cuda"):
        torch.cuda.synchronize()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--out", type=Path, default=Path("gpu_check.txt"))
    parser.add_argument("--scale", type=float, default=1.0, help="Multiply every epoch count by this.")
    parser.add_argument("--check", required=True, choices=["nanda", "sweep", "twice"])
    args = parser.parse_args()
    if args.check == "twice":  # before any CUDA work: cuBLAS reads its workspace setting when it starts
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
        torch.use_deterministic_algorithms(True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    report = open(args.out, "a")

    def say(line: str) -> None:
        print(line, flush=True)
        report.write(line + "\n")
        report.flush()

    def epochs(n: int) -> int:
        return max(10, round(n * args.scale))

    device = torch.device(args.device)
    if args.check == "nanda":
        say(f"python {platform.python_version()}, torch {torch.__version__}, numpy {np.__version__}")
        say("machine: " + "; ".join(f"{k} {v}" for k, v in describe(device, False).items() if v not in (None, "")))
    work = Path(tempfile.mkdtemp(prefix="gpu-check-"))

    if args.check == "nanda":
        cfg = make_config("nanda", device=args.device, epochs=epochs(25_000))
        synchronised(args.device)
        start = time.perf_counter()
        run = train(cfg, work / "nanda", show_progress=False)
        synchronised(args.device)
        seconds = time.perf_counter() - start
        loaded = load_run(run.run_file)
        frames = export_frames(loaded, show_progress=False)
        say(
            f"nanda, {cfg.epochs:,} epochs on {args.device}: {seconds:.1f} s ({1000 * seconds / cfg.epochs:.2f} ms an "
            f"epoch, checkpoint writes and the run file included); train acc {ACCURACY_BAR:.0%} at epoch "
            f"{first_at_least(loaded.curves['train_accs'], ACCURACY_BAR)}, test acc {ACCURACY_BAR:.0%} at epoch "
            f"{first_at_least(loaded.curves['test_accs'], ACCURACY_BAR) * cfg.eval_every}, key frequencies "
            f"{frames['key_freqs'].tolist()}"
        )

    if args.check == "sweep":
        base = make_config("quick", p=113, device=args.device, epochs=epochs(3_000), checkpoint_every=epochs(3_000))
        timings = {}
        for runs in (1, SWEEP_RUNS):
            grid = sweep_configs(base, {"seed": list(range(runs))})
            synchronised(args.device)
            start = time.perf_counter()
            train_sweep(grid, work / f"sweep-{runs}", show_progress=False)
            synchronised(args.device)
            timings[runs] = time.perf_counter() - start
            say(f"sweep of {runs} run(s), p 113, {base.epochs:,} epochs: {timings[runs]:.1f} s")
        say(f"{SWEEP_RUNS} batched runs take {timings[SWEEP_RUNS] / timings[1]:.2f}x one run's time (target: under 3x)")

    if args.check == "twice":
        cfg = make_config("nanda", device=args.device, epochs=epochs(2_000), checkpoint_every=epochs(2_000))
        weights = []
        for attempt in range(2):
            run = train(cfg, work / f"twice-{attempt}", show_progress=False)
            weights.append(load_run(run.run_file).checkpoints[-1])
        same = all(torch.equal(weights[0][name], weights[1][name]) for name in weights[0])
        largest = max(float((weights[0][name] - weights[1][name]).abs().max()) for name in weights[0])
        say(
            f"the same seed twice in one process, deterministic algorithms, {cfg.epochs:,} epochs: equal to the bit {same} "
            f"(largest difference {largest:.3g})"
        )
    report.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
