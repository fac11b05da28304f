"""What decides a run's rounding is recorded, and the reproducible mode gives the same bits under other kernel
settings (training/arithmetic.py)."""

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from frames import describe_arithmetic, load_frames
from frames.errors import GrokError
from training.checkpoints import load_run
from training.train import train

from conftest import tiny_config

ROOT = Path(__file__).resolve().parent.parent
TINY = (
    "--p 23 --d-model 32 --n-heads 2 --d-head 16 --d-mlp 64 --lr 3e-3 --train-frac 0.5 --epochs 60 --checkpoint-every 30 "
    "--device cpu --quiet"
).split()


def make_data(tmp_path: Path, name: str, env: dict, *extra: str) -> Path:
    """`grok make-data` in a fresh process (ATen and MKL read their settings at start-up) under `env`."""
    clean = {k: v for k, v in os.environ.items() if k not in ("OMP_NUM_THREADS", "ATEN_CPU_CAPABILITY", "MKL_CBWR")}
    out = tmp_path / f"{name}.npz"
    command = [
        sys.executable,
        "-m",
        "grok.cli",
        "make-data",
        "--preset",
        "quick",
        *TINY,
        *extra,
        "--run-dir",
        str(tmp_path / name),
        "--out",
        str(out),
    ]
    result = subprocess.run(command, env={**clean, **env}, cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return tmp_path / name


def final_weights_digest(run_dir: Path) -> str:
    return hashlib.sha256((run_dir / "checkpoints" / "epoch_0000060.pt").read_bytes()).hexdigest()


def test_a_run_records_what_decided_its_rounding(tiny_run, tiny_frames):
    cfg, run = tiny_run
    stretches = load_run(run.run_file).arithmetic
    assert [(s["from_epoch"], s["to_epoch"]) for s in stretches] == [(0, cfg.epochs)]
    facts = stretches[0]
    assert facts["torch"] == torch.__version__ and facts["device"] == "cpu" and facts["reproducible"] is False
    assert facts["cpu_capability"] == torch.backends.cpu.get_cpu_capability()
    assert facts["threads"] == torch.get_num_threads()
    said = describe_arithmetic(json.loads(str(load_frames(tiny_frames)["arithmetic_json"])))
    assert len(said) == 1 and f"{facts['cpu_capability']} kernels" in said[0] and "epochs 0..300" in said[0]


def test_a_resumed_run_records_each_stretch(tmp_path):
    cfg = tiny_config(epochs=40, checkpoint_every=20)
    train(cfg, tmp_path / "run", show_progress=False)
    longer = train(tiny_config(epochs=60, checkpoint_every=20), tmp_path / "run", show_progress=False)
    stretches = load_run(longer.run_file).arithmetic
    assert [(s["from_epoch"], s["to_epoch"]) for s in stretches] == [(0, 40), (40, 60)]


def test_the_reproducible_mode_is_refused_where_the_kernels_are_already_chosen(tmp_path):
    """In this process torch and MKL have already started: the pin cannot take, so it is refused in one line,
    and the process is left as it was."""
    before = {name: os.environ.get(name) for name in ("ATEN_CPU_CAPABILITY", "MKL_CBWR")}
    with pytest.raises(GrokError, match="cannot train reproducibly"):
        train(tiny_config(epochs=2, reproducible=True), tmp_path / "run", show_progress=False)
    assert {name: os.environ.get(name) for name in before} == before
    assert not torch.are_deterministic_algorithms_enabled()
    assert not (tmp_path / "run").exists()


def test_the_reproducible_mode_gives_the_same_bits_under_other_kernel_settings(tmp_path):
    """Two processes whose settings would otherwise round differently (other ATen kernels, another thread count)
    write byte-identical weights with --reproducible, and say so."""
    ours = make_data(tmp_path, "here", {"OMP_NUM_THREADS": "1"}, "--reproducible")
    other = make_data(tmp_path, "there", {"OMP_NUM_THREADS": "3", "ATEN_CPU_CAPABILITY": "default"}, "--reproducible")
    assert final_weights_digest(ours) == final_weights_digest(other)
    stretch = load_run(ours / "run.pth").arithmetic[0]
    assert stretch["reproducible"] and stretch["cpu_capability"] == "AVX2" and stretch["blas_mode"] == "AVX2"
    assert stretch["threads"] == 2 and stretch["deterministic_algorithms"]
