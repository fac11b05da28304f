"""Render time of every scene at -ql and -qm on this machine (budget at -ql: 60 s per scene).

python bench/render_speed.py [--frames data/nanda.npz] [--qualities low medium]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from scenes.registry import NAMES

REPO = Path(__file__).resolve().parent.parent


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--frames", default=None, help="frames file [default: the scenes' rule]")
    parser.add_argument("--qualities", nargs="+", default=["preview", "720p"], choices=["preview", "720p", "1080p"])
    args = parser.parse_args()
    frames = ["--frames", args.frames] if args.frames else []
    print(f"{'scene':<10} " + " ".join(f"{q:>9}" for q in args.qualities))
    for name in NAMES:
        row = []
        for quality in args.qualities:
            with tempfile.TemporaryDirectory() as out:
                start = time.perf_counter()
                subprocess.run(
                    [sys.executable, "-m", "grok.cli", "render", name, "--quality", quality, *frames, "--out-dir", out],
                    check=True,
                    capture_output=True,
                    cwd=REPO,
                )
                row.append(time.perf_counter() - start)
        print(f"{name:<10} " + " ".join(f"{seconds:8.1f}s" for seconds in row), flush=True)


if __name__ == "__main__":
    main()
