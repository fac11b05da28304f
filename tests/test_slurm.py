"""The README's Slurm recipe on a real Slurm (slow: about 4 minutes; CI skips it): bench/slurm/check.sh starts a
single-node cluster from Debian's slurm-wlm and munge, runs a sweep's shards as an array job with one shard
requeued mid-run, merges them in a job that waits on the array, and compares the merge with a local sweep."""

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="starts Slurm's daemons: needs root")
def test_the_readme_slurm_recipe_runs_on_a_real_slurm(tmp_path):
    result = subprocess.run(
        ["bash", str(ROOT / "bench" / "slurm" / "check.sh"), str(tmp_path / "work")],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "shard 1: Restarts=1" in result.stdout  # the requeued shard ran twice ...
    assert "the merged summary equals the local sweep's, byte for byte" in result.stdout  # ... and resumed exactly
