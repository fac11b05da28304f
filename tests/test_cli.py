"""Every CLI error is one line and a non-zero exit, with no traceback and no partial output file."""

import numpy as np
import pytest
import torch
from click.testing import CliRunner

from frames import load_frames
from grok.cli import main

TINY = "--p 23 --d-model 32 --n-heads 2 --d-head 16 --d-mlp 64 --device cpu --quiet".split()


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def assert_one_line_error(result, message, code=1):
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    error_lines = [line for line in result.output.splitlines() if line.startswith("Error")]
    assert len(error_lines) == 1 and message in error_lines[0], result.output


@pytest.mark.parametrize(
    "args, message, code",
    [
        (["--p", "abc"], "is not a valid integer", 2),
        (["--p", "2.5"], "is not a valid integer", 2),
        (["--p", "2"], "p must be a prime between 3 and", 1),
        (["--p", "1"], "p must be a prime between 3 and", 1),
        (["--p", "100"], "p must be a prime between 3 and", 1),
        (["--train-frac", "0"], "strictly between 0 and 1", 1),
        (["--train-frac", "1.5"], "strictly between 0 and 1", 1),
        (["--preset", "huge"], "Invalid value for '--preset'", 2),
        (["--device", "tpu"], "Invalid value for '--device'", 2),
        (["--epochs", "0"], "epochs must be a positive integer", 1),
        (["--bogus"], "No such option", 2),
        (["--op", "plus"], "unknown op 'plus'; choose add, sub", 1),
        (["--op", "pow:0,2"], "pow's exponents must be at least 1", 1),
        (["--op", "pow:2.5,3"], "two whole-number exponents", 1),
        (["--op", "pow:3"], "unknown op", 1),
    ],
)
def test_bad_options(tmp_path, args, message, code):
    result = invoke("make-data", *args, "--out", tmp_path / "f.npz", "--run-dir", tmp_path / "run")
    assert_one_line_error(result, message, code)
    assert not list(tmp_path.iterdir())  # nothing written, not even a run directory


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without a GPU")
def test_cuda_without_gpu(tmp_path):
    result = invoke(
        "make-data",
        *TINY,
        "--device",
        "cuda",
        "--epochs",
        "10",
        "--out",
        tmp_path / "f.npz",
        "--run-dir",
        tmp_path / "run",
    )
    assert_one_line_error(result, "no CUDA GPU is available")
    assert not (tmp_path / "f.npz").exists()


@pytest.mark.parametrize(
    "out, message",
    [
        ("a-file/f.npz", "is a file, not a folder"),
        (".", "is a folder"),
    ],
)
def test_unwritable_output_fails_before_training(tmp_path, out, message):
    (tmp_path / "a-file").write_text("a file where a folder would go")
    result = invoke("make-data", *TINY, "--epochs", "10", "--out", tmp_path / out, "--run-dir", tmp_path / "run")
    assert_one_line_error(result, message)
    assert not (tmp_path / "run").exists()


def test_read_only_output_directory(tmp_path, tiny_run):
    import os

    if os.geteuid() == 0:
        pytest.skip("root can write to read-only directories")
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    result = invoke("make-data", "--from-checkpoint", tiny_run[1].run_file, "--out", locked / "f.npz")
    assert_one_line_error(result, "a test write in")


def bad_checkpoints(tmp_path, tiny_run):
    garbage = tmp_path / "garbage.pth"
    garbage.write_bytes(b"\x89PNG not a checkpoint")
    truncated = tmp_path / "truncated.pth"
    data = tiny_run[1].run_file.read_bytes()
    truncated.write_bytes(data[: len(data) // 3])
    wrong = tmp_path / "wrong.pth"
    torch.save({"model": {"some.weight": torch.zeros(2)}}, wrong)
    not_dict = tmp_path / "list.pth"
    torch.save([1, 2, 3], not_dict)
    return [
        (tmp_path / "absent.pth", "not found"),
        (garbage, "cannot read"),
        (truncated, "cannot read"),
        (wrong, "unknown state-dict layout"),
        (not_dict, "not a run checkpoint"),
    ]


def test_bad_checkpoints_for_make_data_and_info(tmp_path, tiny_run):
    for path, message in bad_checkpoints(tmp_path, tiny_run):
        out = tmp_path / "out.npz"
        assert_one_line_error(invoke("make-data", "--from-checkpoint", path, "--out", out), message)
        assert not out.exists() and not list(tmp_path.glob("*.partial"))
        assert_one_line_error(invoke("info", path), message)


def test_bad_frames_for_info(tmp_path, tiny_frames):
    garbage = tmp_path / "garbage.npz"
    garbage.write_bytes(b"nope")
    old = tmp_path / "old.npz"
    arrays = dict(np.load(tiny_frames))
    arrays["schema_version"] = np.int64(0)
    np.savez(old, **arrays)
    assert_one_line_error(invoke("info", tmp_path / "absent.npz"), "not found")
    assert_one_line_error(invoke("info", garbage), "cannot read")
    assert_one_line_error(invoke("info", old), "schema version 0")


def test_make_data_trains_exports_and_info_reads_both(tmp_path):
    out = tmp_path / "tiny.npz"
    result = invoke(
        "make-data", *TINY, "--epochs", "120", "--checkpoint-every", "40", "--run-dir", tmp_path / "run", "--out", out
    )
    assert result.exit_code == 0, result.output
    frames = load_frames(out)
    assert list(frames["checkpoint_epochs"]) == [0, 40, 80, 120]
    assert (tmp_path / "run" / "run.pth").exists()
    summary = invoke("info", out)
    assert summary.exit_code == 0 and "key frequencies" in summary.output and "p = 23" in summary.output
    checkpoint = invoke("info", tmp_path / "run" / "run.pth")
    assert checkpoint.exit_code == 0 and "4, epochs 0..120" in checkpoint.output

    again = invoke(
        "make-data", *TINY, "--epochs", "120", "--checkpoint-every", "40", "--run-dir", tmp_path / "run", "--out", out
    )
    assert again.exit_code == 0  # a finished run is not trained again, only re-exported


def test_make_data_from_checkpoint(tmp_path, tiny_run):
    out = tmp_path / "imported.npz"
    result = invoke("make-data", "--from-checkpoint", tiny_run[1].run_file, "--out", out, "--quiet")
    assert result.exit_code == 0, result.output
    assert "demo layout" in result.output
    assert int(load_frames(out)["p"]) == 23


def test_help_explains_every_config_field():
    result = invoke("make-data", "--help")
    assert result.exit_code == 0
    for flag in (
        "--p ",
        "--train-frac",
        "--split-seed",
        "--lr",
        "--wd",
        "--beta2",
        "--epochs",
        "--checkpoint-every",
        "--seed",
        "--d-mlp",
        "--device",
        "--from-checkpoint",
        "--fresh",
        "--op",
    ):
        assert flag in result.output, flag
    assert "pow:A,B" in result.output and "div" in result.output


def test_run_names_keep_add_runs_where_they_were():
    """Runs made before operations, the reproducible mode and --eval-every existed must resume: add, in the default arithmetic,
    leaves the hash and the name as they were."""
    import hashlib
    import json

    from training.config import make_config
    from training.make_data import run_name

    cfg = make_config("quick", seed=3)
    before = {
        k: v for k, v in cfg.to_dict().items() if k not in ("epochs", "device", "op", "reproducible", "eval_every")
    }
    assert cfg.trajectory_hash() == hashlib.sha256(json.dumps(before, sort_keys=True).encode()).hexdigest()[:8]
    assert run_name("quick", make_config("quick")) == "quick"
    assert run_name("quick", make_config("quick", op="pow:1,1")) == "quick"  # pow:1,1 is add
    mul = make_config("quick", op="mul")
    assert run_name("quick", mul).startswith("quick-mul-p59-") and mul.trajectory_hash() != cfg.trajectory_hash()
    assert make_config("quick", op="sq").op == "pow:2,2"
    pinned = make_config("quick", reproducible=True)
    assert run_name("quick", pinned).startswith("quick-p59-") and pinned.trajectory_hash() != cfg.trajectory_hash()
    assert run_name("quick", make_config("quick", op="pow:3,4")).startswith("quick-pow3-4-p59-")


def test_make_data_called_by_another_command_as_grok_all_does(tiny_run, tmp_path):
    """`grok all` calls make-data through click (ctx.invoke): no option was typed, and none is refused."""
    import click

    _, run = tiny_run

    @click.command()
    @click.pass_context
    def caller(ctx):
        from grok.cli import make_data

        ctx.invoke(make_data, from_checkpoint=run.run_file, out=tmp_path / "f.npz", quiet=True)

    result = CliRunner().invoke(caller, [])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "f.npz").is_file()
