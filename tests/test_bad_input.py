"""Bad options and hostile conditions, each refused with one line and a non-zero exit before any
work, with nothing written; a write that fails late says what was kept; two processes on one folder."""

import errno
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from frames.files import lock_holder
from training.config import make_config
from training.sweep import get_run_name, sweep_configs

from test_cli import TINY, assert_one_line_error, invoke

REPO = Path(__file__).resolve().parent.parent
MANY_SEEDS = ",".join(str(seed) for seed in range(1000))
NO_PROC = not Path("/proc/self").is_dir()

OPTION_CASES = [
    # values the option type accepts but the model cannot use
    (["make-data", "--lr", "inf"], "lr must be a finite number", 1),
    (["make-data", "--lr", "nan"], "lr must be a finite number", 1),
    (["make-data", "--wd", "nan"], "wd must be a finite number", 1),
    (["make-data", "--train-frac", "nan"], "train_frac must be a finite number", 1),
    (["make-data", "--lr", "0.5", "--wd", "2"], "lr × wd must be below 1", 1),
    (["make-data", "--beta2", "1"], "betas must lie in [0, 1)", 1),
    (["make-data", "--seed", str(2**64)], "seed must lie between 0 and 2^63 - 1", 1),
    (["make-data", "--split-seed", "-1"], "split_seed must lie between 0 and 2^63 - 1", 1),
    (["make-data", "--p", "10007"], "p must be a prime between 3 and 10,000", 1),
    (["make-data", "--epochs", str(2**31)], "epochs must be at most 2,147,483,647", 1),
    (["make-data", "--checkpoint-every", "0"], "checkpoint_every must be a positive integer", 1),
    (["make-data", "--d-model", "-1"], "d_model must be a positive integer", 1),
    (["make-data", "--p", "3", "--train-frac", "0.01"], "leaves an empty train or test set", 1),
    # sizes that do not fit: refused up front with the figure
    (["make-data", "--p", "9973", "--d-mlp", "100000", "--device", "cpu"], "this run needs about", 1),
    (["sweep", "--seed", MANY_SEEDS, "--p", "997", "--device", "cpu"], "this sweep of 1,000 runs needs about", 1),
    # sweep lists
    (["sweep", "--seed", ""], "an empty item", 2),
    (["sweep", "--seed", "0,,1"], "an empty item", 2),
    (["sweep", "--wd", "one"], "expected comma-separated floats", 2),
    (["sweep", "--wd", "nan,1"], "wd must be a finite number", 1),
    (["sweep", "--lr", "1e-3,inf"], "lr must be a finite number", 1),
    (["sweep", "--seed", f"0,{2**64}"], "seed must lie between 0 and 2^63 - 1", 1),
    (["sweep", "--wd", "1,1.0"], "lists the same value twice (1.0)", 1),
    # values that differ only past the 6th digit are two runs: refused here for their memory, not as one run twice
    (["sweep", "--wd", "1,1.0000001", "--p", "9973", "--device", "cpu"], "this sweep of 2 runs needs about", 1),
    # output paths
    (["make-data", "--out", "/dev/null"], "exists and is not a regular file", 1),
    (["make-data", "--out", "{tmp}"], "is a folder", 1),
    (["make-data", "--out", "/dev/null/f.npz"], "is a file, not a folder", 1),
    pytest.param(
        ["make-data", "--out", "/proc/f.npz"],
        "a test write in /proc failed",
        1,
        marks=pytest.mark.skipif(NO_PROC, reason="no /proc"),
    ),
    pytest.param(
        ["make-data", "--run-dir", "/proc/run"],
        "cannot write the run: a test write in /proc failed",
        1,
        marks=pytest.mark.skipif(NO_PROC, reason="no /proc"),
    ),
    pytest.param(
        ["sweep", "--out", "/proc/sweep"],
        "cannot write the sweep: a test write in /proc failed",
        1,
        marks=pytest.mark.skipif(NO_PROC, reason="no /proc"),
    ),
    pytest.param(
        ["render", "snake", "--frames", "{frames}", "--out-dir", "/proc"],
        "a test write in /proc failed",
        1,
        marks=pytest.mark.skipif(NO_PROC, reason="no /proc"),
    ),
    (["render", "snake", "--frames", "{frames}", "--out-dir", "/dev/null"], "is a file, not a folder", 1),
    # --from-checkpoint exports a file as it is: options that would change it are refused, not ignored
    (["make-data", "--from-checkpoint", "{run}", "--device", "cpu"], "--device cannot apply with --from-checkpoint", 1),
    (["make-data", "--from-checkpoint", "{run}", "--epochs", "5"], "--epochs cannot apply with --from-checkpoint", 1),
    (["make-data", "--from-checkpoint", "{run}", "--lr", "0.01", "--fresh"], "--lr, --fresh cannot apply", 1),
    (["make-data", "--from-checkpoint", "{run}", "--preset", "quick"], "--preset cannot apply", 1),
]


@pytest.mark.parametrize("args, message, code", OPTION_CASES)
def test_bad_option_is_refused_before_any_work(tmp_path, tiny_run, tiny_frames, args, message, code):
    work = tmp_path / "work"
    work.mkdir()
    outputs = {
        "make-data": {"--out": "{tmp}/f.npz", "--run-dir": "{tmp}/run", "--quiet": None},
        "sweep": {"--out": "{tmp}/sweep", "--quiet": None},
        "render": {},
    }[args[0]]
    if "--from-checkpoint" in args:
        del outputs["--run-dir"]
    args = args + [item for flag, value in outputs.items() if flag not in args for item in (flag, value) if item]
    result = invoke(*(arg.format(tmp=work, run=tiny_run[1].run_file, frames=tiny_frames) for arg in args))
    assert_one_line_error(result, message, code)
    assert not list(work.iterdir())  # nothing written: no run directory, no partial file


def test_sweep_values_are_told_apart_by_exact_value():
    cfgs = sweep_configs(make_config("quick"), {"wd": [1.0, 1.0000001], "lr": [1e-3, 0.001000001]})
    assert len({get_run_name(cfg) for cfg in cfgs}) == 4


def test_a_pickle_that_would_run_code_is_refused_without_torchs_hint(tmp_path):
    marker = tmp_path / "ran"

    class Payload:
        def __reduce__(self):
            return os.system, (f"touch {marker}",)

    path = tmp_path / "evil.pth"
    torch.save({"model": Payload()}, path)
    for args in (["info", path], ["make-data", "--from-checkpoint", path, "--out", tmp_path / "f.npz"]):
        result = invoke(*args)
        assert_one_line_error(result, "holds a pickled Python object (posix.system)")
        assert "weights_only" not in result.output and "Warning" not in result.output
    assert not marker.exists() and not (tmp_path / "f.npz").exists()


def full_disk(path):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))


def test_a_frames_write_that_fails_after_training_says_the_run_is_kept(tmp_path, monkeypatch):
    args = [
        "make-data",
        *TINY,
        "--epochs",
        "20",
        "--checkpoint-every",
        "10",
        "--run-dir",
        tmp_path / "run",
        "--out",
        tmp_path / "f.npz",
    ]
    with monkeypatch.context() as patch:
        patch.setattr("frames.store.atomic_output", full_disk)
        result = invoke(*args)
    assert_one_line_error(
        result,
        f"No space left on device); nothing was written there; the trained run is kept "
        f"in {tmp_path / 'run'}: run the same command again",
    )
    assert not list(tmp_path.glob("f.npz*"))
    again = invoke(*args)
    assert again.exit_code == 0 and (tmp_path / "f.npz").is_file(), again.output


def test_a_frames_write_that_fails_in_a_sweep_says_what_is_kept(tmp_path, monkeypatch):
    from frames import store

    write = store.atomic_output  # the sweep file is written; each run's frames.npz meets a full disk
    monkeypatch.setattr(
        store, "atomic_output", lambda path: full_disk(path) if path.name == "frames.npz" else write(path)
    )
    out = tmp_path / "sweep"
    result = invoke(
        "sweep",
        "--p",
        "23",
        "--epochs",
        "10",
        "--checkpoint-every",
        "5",
        "--seed",
        "0,1",
        "--device",
        "cpu",
        "--quiet",
        "--out",
        out,
    )
    assert_one_line_error(result, f"every run (checkpoints, run.pth) and summary.csv are kept in {out}")
    assert (out / "summary.csv").is_file() and len(list(out.glob("*/run.pth"))) == 2
    assert not list(out.rglob("*.partial"))


def start_holding(args: list, folder: Path, marker: str) -> subprocess.Popen:
    """A grok process, started and waited for until it holds `folder` and has written `marker` there."""
    child = subprocess.Popen(
        [sys.executable, "-m", "grok.cli", *map(str, args)],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while lock_holder(folder) is None or not (folder / marker).is_file():
        assert child.poll() is None, "the first process ended before it took the folder"
        assert time.monotonic() < deadline, "the first process never took the folder"
        time.sleep(0.1)
    return child


@pytest.mark.parametrize("command", ["make-data", "sweep"])
def test_two_processes_on_one_folder(tmp_path, command):
    """The second process is refused with the first one's pid; the first keeps working; once it is
    killed (-9) the folder is free, and `grok info` says so and names the partial files it left."""
    if command == "make-data":
        folder, marker = tmp_path / "run", "config.json"
        args = [
            "make-data",
            *TINY,
            "--epochs",
            "1000000",
            "--checkpoint-every",
            "100000",
            "--run-dir",
            folder,
            "--out",
            tmp_path / "f.npz",
        ]
    else:
        folder, marker = tmp_path / "sweep", "sweep.json"
        args = [
            "sweep",
            "--p",
            "23",
            "--epochs",
            "1000000",
            "--checkpoint-every",
            "100000",
            "--seed",
            "0,1",
            "--device",
            "cpu",
            "--quiet",
            "--out",
            folder,
        ]
    first = start_holding(args, folder, marker)
    try:
        second = invoke(*args)
        assert_one_line_error(second, f"{folder} is in use by another grok process (pid {first.pid} since ")
        assert first.poll() is None
    finally:
        first.kill()
        first.wait()
    assert lock_holder(folder) is None
    (folder / "state.pt.partial").write_bytes(b"half a write")
    summary = invoke("info", folder).output
    assert "in use           no" in summary
    assert "state.pt.partial" in next(line for line in summary.splitlines() if line.startswith("partial files"))


SUMMARY = (
    "name,seed,split_seed,wd,train_frac,lr,memorise_epoch,grok_epoch,final_train_loss,final_test_loss,"
    "final_test_acc\nseed0,0,598,1.0,0.3,0.003,10,20,0.01,0.02,1.0\n"
)


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("summary.csv", SUMMARY.replace(",1.0,0.3,", ",nan,0.3,"), "line 2: wd is nan, out of range"),
        ("summary.csv", SUMMARY.replace(",10,20,", ",ten,20,"), "line 2: memorise_epoch is 'ten', not a whole number"),
        ("summary.csv", SUMMARY.replace("seed0,0,", "seed0,-1,"), "line 2: seed is -1, out of range"),
        ("summary.csv", SUMMARY[:-20], "11 cells expected"),
        ("summary.csv", "a,b\n1,2\n", "is not a sweep summary"),
        ("summary.csv", b"\xff\xfe\x00", "cannot read"),
        ("run/config.json", "[1]", "config.json is unreadable"),
        ("run/config.json", '{"p": "23"}', "config: p must be a whole number (got '23')"),
        ("run/state.pt", b"garbage", "state.pt as a resume state: damaged or not a torch file"),
    ],
)
def test_info_refuses_a_damaged_summary_or_run_folder(tmp_path, tiny_run, name, content, message):
    shutil.copytree(tiny_run[1].root, tmp_path / "run")
    path = tmp_path / name
    path.write_bytes(content) if isinstance(content, bytes) else path.write_text(content)
    assert_one_line_error(invoke("info", path if name.endswith(".csv") else path.parent), message)


def test_resuming_from_a_damaged_state_says_how_to_start_over(tmp_path, tiny_run):
    cfg, run = tiny_run
    shutil.copytree(run.root, tmp_path / "run")
    (tmp_path / "run" / "state.pt").write_bytes(b"garbage")
    result = invoke(
        "make-data",
        *TINY,
        "--lr",
        cfg.lr,
        "--train-frac",
        cfg.train_frac,
        "--epochs",
        cfg.epochs + 50,
        "--checkpoint-every",
        cfg.checkpoint_every,
        "--run-dir",
        tmp_path / "run",
        "--out",
        tmp_path / "f.npz",
    )
    assert_one_line_error(result, "damaged or not a torch file; use --fresh to start over")


@pytest.mark.filterwarnings("error::RuntimeWarning")
def test_finite_but_huge_weights_are_refused_in_one_line(tmp_path, tiny_run):
    """A flipped exponent bit makes a weight finite but huge: the float16 frames cannot hold its activations."""
    obj = torch.load(tiny_run[1].run_file, weights_only=True)
    obj["checkpoints"][-1]["blocks.0.mlp.W_in"][0, 0] = 1e30
    torch.save(obj, tmp_path / "huge.pth")
    result = invoke("make-data", "--from-checkpoint", tmp_path / "huge.pth", "--out", tmp_path / "f.npz", "--quiet")
    assert_one_line_error(result, "is not finite in float16; the largest weight is 1e+30")
    assert not list(tmp_path.glob("f.npz*"))
