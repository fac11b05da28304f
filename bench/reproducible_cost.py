"""What the reproducible mode costs: seconds per epoch with the machine's own kernels and with --reproducible.

    python bench/reproducible_cost.py                  # quick and nanda presets, 300 epochs each
    python bench/reproducible_cost.py --epochs 1000 --presets quick

Each run is a fresh process (the mode must pin the kernels before any tensor math), trained on the CPU into a
scratch folder; the ratio is taken within one run of this script, the modes alternating, so that a machine busy
with something else slows both alike.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def child(preset: str, epochs: int, reproducible: bool) -> None:
    sys.path.insert(0, str(ROOT))
    from training.config import make_config
    from training.train import train

    cfg = make_config(preset, epochs=epochs, checkpoint_every=epochs, device="cpu", reproducible=reproducible)
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        train(cfg, Path(tmp) / "run", show_progress=False)
        print(json.dumps({"seconds": time.perf_counter() - start}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--presets", nargs="+", default=["quick", "nanda"])
    parser.add_argument("--epochs", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        preset, reproducible = args.child.split(":")
        child(preset, args.epochs, reproducible == "1")
        return
    import torch

    print(f"torch {torch.__version__}, CPU capability {torch.backends.cpu.get_cpu_capability()}, {args.epochs} epochs")
    for preset in args.presets:
        times = {False: [], True: []}
        for _ in range(args.repeats):
            for reproducible in (False, True):
                out = subprocess.run(
                    [
                        sys.executable,
                        __file__,
                        "--epochs",
                        str(args.epochs),
                        "--child",
                        f"{preset}:{int(reproducible)}",
                    ],
                    capture_output=True,
                    text=True,
                    check=True,
                )
                times[reproducible].append(json.loads(out.stdout.strip().splitlines()[-1])["seconds"])
        fast, pinned = min(times[False]), min(times[True])
        print(
            f"{preset:<6} default {1000 * fast / args.epochs:6.1f} ms/epoch   reproducible {1000 * pinned / args.epochs:6.1f}"
            f" ms/epoch   ratio {pinned / fast:.2f}"
        )


if __name__ == "__main__":
    main()
