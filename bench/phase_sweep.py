"""The default phase-diagram sweep, timed on this machine: prints the figures for the README and draws the
diagram as a small PNG (docs/phase.png, the README's).

    python bench/phase_sweep.py           # quick preset, 5 weight decays x 5 train fractions, one seed (budget: 30 min)
    python bench/phase_sweep.py --p 23 --epochs 300 --wd 1,3 --train-frac 0.5,0.7 --out /tmp/phase --png /tmp/phase.png

The runs train as one batch (`grok sweep`, training/sweep.py) into --out, without each run's frames (the
diagram needs only the sweep file); a checkpoint every --checkpoint-every epochs is what resuming needs, and
a sparse one keeps the sweep's checkpoints small. Interrupted, the same command starts over (a timing of a
resumed sweep would say nothing); `grok sweep` with the same lists would resume it instead.
"""

from __future__ import annotations

import argparse
import platform
import time
from collections import Counter
from pathlib import Path

import torch

from frames.sweep import GROKKED, STATE_MARKS, STATE_NAMES, get_phase_grid, get_rows, load_sweep, run_state
from grok.figures.sweep import phase_figure
from grok.figures.write import write_pngs
from training.config import make_config
from training.sweep import sweep_configs, train_sweep
from training.train import resolve_device

REPO = Path(__file__).resolve().parent.parent
# 25 runs: on this 2-core CPU one batched epoch of them took 0.71 s on one thread while other work ran (29 min
# for 2,500 epochs); 36 runs up to 70 % took 1.13 s (47 min). The batch pads every run to the grid's largest
# train and test splits (60 % and 80 % of the pairs here), so the largest train fraction sets the cost.
WEIGHT_DECAYS = "0.3,1,2,3,5"
TRAIN_FRACTIONS = "0.2,0.3,0.4,0.5,0.6"
PNG_SIZE = (900, 560)  # the README's diagram: small, legible


def floats(text: str) -> list[float]:
    return [float(item) for item in text.split(",")]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--wd", default=WEIGHT_DECAYS, help="weight decays, comma-separated")
    parser.add_argument("--train-frac", default=TRAIN_FRACTIONS, help="train fractions, comma-separated")
    parser.add_argument("--p", type=int, default=None, help="modulus [quick preset's, 59]")
    parser.add_argument("--epochs", type=int, default=None, help="epochs of every run [quick preset's, 2,500]")
    parser.add_argument("--checkpoint-every", type=int, default=500)
    parser.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="CPU threads [torch's default]; 1 holds up better where other work shares the cores",
    )
    parser.add_argument("--out", type=Path, default=REPO / "runs" / "bench-phase", help="sweep folder (replaced)")
    parser.add_argument("--png", type=Path, default=REPO / "docs" / "phase.png", help="the diagram's still")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)

    base = make_config(
        "quick",
        device=args.device,
        checkpoint_every=args.checkpoint_every,
        **{k: v for k, v in (("p", args.p), ("epochs", args.epochs)) if v is not None},
    )
    grid = sweep_configs(base, {"wd": floats(args.wd), "train_frac": floats(args.train_frac)})
    device = resolve_device(args.device)
    name = (
        torch.cuda.get_device_name()
        if device.type == "cuda"
        else f"{platform.processor() or platform.machine()}, {torch.get_num_threads()} threads"
    )
    print(f"machine: {device.type} ({name}), torch {torch.__version__}")
    print(
        f"sweep: quick preset, p = {base.p}, {base.epochs:,} epochs, lr {base.lr:g}, seed {base.seed}; "
        f"{len(grid)} runs = weight decay {args.wd} x train fraction {args.train_frac}"
    )

    start = time.perf_counter()
    train_sweep(grid, args.out, fresh=True)
    seconds = time.perf_counter() - start
    sweep = load_sweep(args.out)
    rows = get_rows(sweep)
    print(
        f"trained {len(rows)} runs in {seconds / 60:.1f} min ({seconds:.0f} s wall, checkpoints and summaries "
        f"included): {len(rows) * base.epochs / seconds:.0f} run-epochs/s; budget 30 min on the 2-core CPU"
    )
    states = Counter(STATE_NAMES[run_state(row)] for row in rows)
    print("states: " + ", ".join(f"{n} {state}" for state, n in states.items()))
    grokked = [row for row in rows if row["grok_epoch"] >= 0]
    if grokked:
        first = min(grokked, key=lambda row: row["grok_epoch"])
        print(
            f"soonest grok: epoch {first['grok_epoch']:,} (weight decay {first['wd']:g}, train fraction "
            f"{first['train_frac']:g}, memorised at epoch {first['memorise_epoch']:,})"
        )
    cells = get_phase_grid(rows)
    print(
        f"grok epoch by cell ({', '.join(f'{m} {STATE_NAMES[s]}' for s, m in STATE_MARKS.items() if m)}); "
        "rows: train fraction; columns: weight decay"
    )
    print("        " + "".join(f"{v:>8g}" for v in cells.x_values))
    for j in reversed(range(len(cells.y_values))):
        marks = [
            f"{cells.grok_epoch[j, i]:,.0f}" if state == GROKKED else STATE_MARKS[state]
            for i, state in enumerate(cells.state[j])
        ]
        print(f"  {cells.y_values[j]:<6g}" + "".join(f"{mark:>8}" for mark in marks))

    figure = phase_figure(sweep, "wd", "train_frac")
    written, problem = write_pngs({args.png.stem: figure}, args.png.parent, size=PNG_SIZE)
    print(problem or f"wrote {written[0]} ({written[0].stat().st_size / 1e3:.0f} kB) and {args.out / 'summary.csv'}")


if __name__ == "__main__":
    main()
