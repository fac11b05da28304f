"""`grok all` from a fresh clone (set-up excluded: the current Python environment is used), with
each stage's time; then every scene's render time at other qualities from the same frames.

    python bench/publish_speed.py [--qualities 720p 1080p] [--keep]

Budget: `grok all` at preview within 20 minutes on the project's 2-core CPU. The clone is of the
committed HEAD, in a temporary folder (kept with --keep, to look at what it published).
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from grok.publish.render import QUALITIES, output_name
from scenes.registry import SCENES

REPO = Path(__file__).resolve().parent.parent
BUDGET_SECONDS = 20 * 60


def cpu_seconds() -> float:
    """CPU time (user + system) of every finished child process so far, manim's included."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(command: list[str], cwd: Path) -> tuple[float, float, str]:
    """Run a grok command in the clone, echoing its output; (wall seconds, CPU seconds, output).
    On a shared machine the CPU time says more than the wall time about an idle one."""
    start, cpu = time.perf_counter(), cpu_seconds()
    result = subprocess.run(
        [sys.executable, "-m", "grok.cli", *command],
        cwd=cwd,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    print(result.stdout, end="", flush=True)
    if result.returncode != 0:
        raise SystemExit(f"grok {' '.join(command)} failed (exit code {result.returncode})")
    return time.perf_counter() - start, cpu_seconds() - cpu, result.stdout


def render_seconds(clone: Path, quality: str) -> dict[str, float]:
    """Each scene's render time, as publishing recorded it beside the scene's movie."""
    parts = clone / "renders" / "parts"
    seconds = {}
    for entry in SCENES:
        record = parts / (output_name(entry.name, quality, ".mp4") + ".json")
        if record.is_file():
            seconds[entry.name] = json.loads(record.read_text()).get("seconds", float("nan"))
    return seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--qualities", nargs="*", default=["720p", "1080p"], choices=list(QUALITIES))
    parser.add_argument("--keep", action="store_true", help="keep the clone and what it published")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="grok-publish-bench-"))
    clone = workdir / "clone"
    subprocess.run(["git", "clone", "-q", str(REPO), str(clone)], check=True)
    print(f"fresh clone of {REPO} at {clone}", flush=True)

    total, cpu, output = run(["all", "--quality", "preview"], clone)
    stages = re.search(r"grok all: (.*)", output)
    table = {"preview": (total, render_seconds(clone, "preview"))}
    for quality in args.qualities:
        seconds, _, _ = run(["publish", "--quality", quality, "--frames", "data/quick.npz"], clone)
        table[quality] = (seconds, render_seconds(clone, quality))

    print(
        f"\n`grok all` at preview from a fresh clone: {total / 60:.1f} min wall, {cpu / 60:.1f} min of CPU "
        f"({'within' if total <= BUDGET_SECONDS else 'OVER'} the {BUDGET_SECONDS // 60} min budget)"
    )
    print(f"stages: {stages.group(1) if stages else 'not reported'}")
    print(f"\n{'scene render, s':<16}" + "".join(f"{quality:>10}" for quality in table))
    for entry in SCENES:
        print(
            f"{entry.name:<16}"
            + "".join(f"{renders.get(entry.name, float('nan')):10.1f}" for _, renders in table.values())
        )
    print(
        f"{'whole publish':<16}"
        + "".join(f"{seconds:10.1f}" for seconds, _ in table.values())
        + "   (preview: the whole of grok all)"
    )
    if args.keep:
        print(f"kept {clone}")
    else:
        shutil.rmtree(workdir)


if __name__ == "__main__":
    main()
