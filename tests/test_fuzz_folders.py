"""Property: whatever a run folder, a sweep folder or an option holds, `grok` ends in one line and a non-zero exit
or works; never a traceback, a hang or a lost file. Hypothesis writes the folders' files (config.json, sweep.json,
summary.csv) and the option strings; derandomized, so every run tries the same examples."""

import json
import string
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from grok.cli import main

from test_safety import pipe_with_a_release

EXAMPLES = settings(
    max_examples=60, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow]
)
TINY = (
    "--p 11 --d-model 8 --n-heads 1 --d-head 8 --d-mlp 8 --epochs 2 --checkpoint-every 1 --device cpu --quiet".split()
)
SUMMARY_HEADER = (
    "name,seed,split_seed,wd,train_frac,lr,op,memorise_epoch,grok_epoch,final_train_loss,final_test_loss,final_test_acc"
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5),
    max_leaves=20,
)
config_like = st.fixed_dictionaries(
    {},
    optional={
        "p": st.integers(-5, 40) | st.text(max_size=3),
        "op": st.sampled_from(["add", "mul", "pow:9,x", "", 3]),
        "d_model": st.integers(-1, 64),
        "lr": st.floats(allow_nan=True),
        "epochs": st.integers(-1, 2**40),
        "train_frac": st.floats(-1, 2),
        "seed": st.integers(-1, 2**70),
        "reproducible": json_values,
    },
)
deep = st.integers(1, 200_000).map(lambda n: "[" * n + "]" * n)


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def assert_one_line_or_fine(result, counted: bool = True):
    assert "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    if counted:
        event("fine" if result.exit_code == 0 else "refused")
    if result.exit_code:
        errors = [line for line in result.output.splitlines() if line.startswith("Error")]
        assert len(errors) == 1, result.output


@EXAMPLES
@given(text=st.one_of(json_values.map(json.dumps), config_like.map(json.dumps), deep, st.text(max_size=40)))
def test_a_run_folders_config_whatever_it_holds(text):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "run"
        (folder / "checkpoints").mkdir(parents=True)
        (folder / "config.json").write_text(text)
        (folder / "notes.txt").write_text("mine")
        assert_one_line_or_fine(run("info", folder))
        assert_one_line_or_fine(
            run("make-data", "--preset", "quick", *TINY, "--run-dir", folder, "--out", Path(tmp) / "f.npz")
        )
        assert_one_line_or_fine(
            run("make-data", "--preset", "quick", *TINY, "--run-dir", folder, "--fresh", "--out", Path(tmp) / "g.npz")
        )
        assert (folder / "notes.txt").read_text() == "mine"


cell = st.one_of(
    st.integers(-3, 2**40).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.text(alphabet=string.printable, max_size=6),
    st.sampled_from(["add", "mul", "pow:2,2", ""]),
)


@EXAMPLES
@given(
    rows=st.lists(st.lists(cell, min_size=10, max_size=14), max_size=5),
    plan=st.one_of(json_values.map(json.dumps), deep, st.text(max_size=30)),
)
def test_a_sweep_folders_summary_and_plan_whatever_they_hold(rows, plan):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "sweep"
        folder.mkdir()
        (folder / "summary.csv").write_text("\n".join([SUMMARY_HEADER, *(",".join(row) for row in rows)]) + "\n")
        (folder / "sweep.json").write_text(plan)
        assert_one_line_or_fine(run("info", folder / "summary.csv"))
        assert_one_line_or_fine(run("info", folder))
        assert_one_line_or_fine(run("merge", folder, "--out", Path(tmp) / "all"))


option_text = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        ["1e-3", "-0.0", "nan", "inf", "1,1.0", "0x10", "1_000", "1e400", "add,mul", "pow:3,3", "pow:0,1", "  2 "]
    ),
)


@EXAMPLES
@given(option=st.sampled_from(["--wd", "--lr", "--train-frac", "--seed", "--op", "--split-seed"]), value=option_text)
def test_option_strings_whatever_they_say(option, value):
    with tempfile.TemporaryDirectory() as tmp:
        result = run(
            "sweep",
            *TINY[:2],
            "--epochs",
            "2",
            "--checkpoint-every",
            "1",
            "--device",
            "cpu",
            "--quiet",
            "--no-frames",
            option,
            value,
            "--out",
            Path(tmp) / "s",
        )
        assert "Traceback" not in result.output, result.output
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
        assert result.exit_code in (0, 1, 2), result.output
        event("fine" if result.exit_code == 0 else "refused")


@pytest.mark.parametrize("what", ["config.json", "sweep.json", "summary.csv"])
def test_a_pipe_where_a_folders_file_belongs_is_never_waited_on(tmp_path, what):
    folder = tmp_path / "f"
    folder.mkdir()
    timer, released = pipe_with_a_release(folder / what)
    try:
        assert_one_line_or_fine(run("info", folder / what if what == "summary.csv" else folder), counted=False)
    finally:
        timer.cancel()
    assert not released.is_set(), f"grok opened the pipe {what} and waited on it"
