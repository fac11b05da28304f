"""How much a run's outcome moves with the arithmetic: one config trained under several kernel settings.

    python bench/kernel_spread.py --fixture grokked          # the test suite's grokking fixture (tests/conftest.py)
    python bench/kernel_spread.py --preset quick             # the main job's run
    python bench/kernel_spread.py --set epochs=1200 --fixture grokked
    python bench/kernel_spread.py --preset quick --reproducible

Each setting is a fresh process (ATen reads ATEN_CPU_CAPABILITY and MKL reads MKL_CBWR once, at start-up),
which trains the run, exports its frames and prints what a test or a reader would check: when it memorised
(train accuracy >= 99 %) and grokked (test accuracy >= 99 %), its phases, key frequencies, and a hash of its
final weights (equal hashes: the same run to the last bit). The settings simulate other machines: the CPU
capability ATen dispatches to (default / avx2), MKL's reproducibility mode, and the thread count.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# (label, environment) pairs: what another machine could differ in
SETTINGS = [
    ("default kernels, 2 threads", {"OMP_NUM_THREADS": "2"}),
    ("default kernels, 1 thread", {"OMP_NUM_THREADS": "1"}),
    ("default kernels, 4 threads", {"OMP_NUM_THREADS": "4"}),
    ("ATen avx2, 2 threads", {"OMP_NUM_THREADS": "2", "ATEN_CPU_CAPABILITY": "avx2"}),
    ("MKL_CBWR=AVX2, 2 threads", {"OMP_NUM_THREADS": "2", "MKL_CBWR": "AVX2"}),
    (
        "ATen avx2 + MKL_CBWR=AVX2, 1 thread",
        {"OMP_NUM_THREADS": "1", "ATEN_CPU_CAPABILITY": "avx2", "MKL_CBWR": "AVX2"},
    ),
]
KERNEL_VARIABLES = ("OMP_NUM_THREADS", "ATEN_CPU_CAPABILITY", "MKL_CBWR")


def child(fields: dict) -> None:
    """Train, export, print one JSON line of outcomes."""
    sys.path.insert(0, str(ROOT))
    import torch

    from frames import milestones
    from training.checkpoints import load_run
    from training.config import make_config
    from training.export import export_frames
    from training.train import train

    if "OMP_NUM_THREADS" in os.environ:
        torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))
    preset = fields.pop("preset", "nanda")
    cfg = make_config(preset, **{**fields, "device": "cpu"})
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        run = train(cfg, Path(tmp) / "run", show_progress=False)
        seconds = time.perf_counter() - start
        loaded = load_run(run.run_file)
        weights = hashlib.sha256(
            b"".join(loaded.checkpoints[-1][name].numpy().tobytes() for name in sorted(loaded.checkpoints[-1]))
        ).hexdigest()[:12]
        f = export_frames(loaded, show_progress=False)
    m = milestones(f)
    print(
        json.dumps(
            {
                "seconds": round(seconds, 1),
                "memorised": m["train_acc_99_epoch"],
                "grokked": m["test_acc_99_epoch"],
                "phases": f["phase_starts"].tolist(),
                "keys": f["key_freqs"].tolist(),
                "final_test_acc": round(float(f["ckpt_test_acc"][-1]), 4),
                "weights": weights,
                "capability": torch.backends.cpu.get_cpu_capability(),
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--fixture",
        choices=["grokked", "mul", "tiny"],
        help="a fixture run of tests/conftest.py: the grokking ones, or the tiny one that must not grok",
    )
    parser.add_argument("--preset", help="a training preset (nanda, quick)")
    parser.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE", help="override a config field")
    parser.add_argument(
        "--reproducible",
        action="store_true",
        help="train in the reproducible mode (training/arithmetic.py): every setting should give one hash",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(json.loads(args.child))
        return

    fields: dict = {}
    if args.fixture:
        sys.path.insert(0, str(ROOT / "tests"))
        import conftest

        fields.update(
            {
                "grokked": conftest.GROKKING_FIELDS,
                "mul": conftest.MUL_GROKKING_FIELDS,
                "tiny": conftest.tiny_config().to_dict(),
            }[args.fixture]
        )
    if args.preset:
        fields["preset"] = args.preset
    for item in args.set:
        name, _, value = item.partition("=")
        fields[name] = json.loads(value) if value[:1].isdigit() or value[:1] == "-" else value
    if args.reproducible:
        fields["reproducible"] = True
    print(f"config: {json.dumps({k: v for k, v in fields.items() if k != 'device'})}")
    print(
        f"{'setting':<40} {'s':>6} {'memorised':>9} {'grokked':>8} {'phases':<18} {'keys':<16} {'test acc':>8}  weights"
    )
    for label, env in SETTINGS:
        clean = {k: v for k, v in os.environ.items() if k not in KERNEL_VARIABLES}
        out = subprocess.run(
            [sys.executable, __file__, "--child", json.dumps(fields)],
            env={**clean, **env},
            capture_output=True,
            text=True,
        )
        if out.returncode != 0:
            print(f"{label:<40} failed: {out.stderr.strip().splitlines()[-1]}")
            continue
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(
            f"{label:<40} {r['seconds']:>6} {r['memorised']:>9} {r['grokked']:>8} {str(r['phases']):<18} "
            f"{str(r['keys']):<16} {r['final_test_acc']:>8}  {r['weights']} ({r['capability']})"
        )


if __name__ == "__main__":
    main()
