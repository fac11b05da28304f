"""Nothing a user owns is lost, bad files are refused in one line before they are used, and paths work from any
folder: the second round of hardening (inputs that destroyed data, hung, or ended in a traceback)."""

import hashlib
import json
import os
import threading
import zipfile

import numpy as np
import pytest
import torch
from click.testing import CliRunner

from frames import load_frames
from frames.errors import FramesError, GrokError
from frames.store import read_arrays
from grok.cli import main
from training.checkpoints import RunDir, load_run
from training.config import make_config
from training.make_data import run_name
from training.train import train

from conftest import tiny_config

TINY = "--p 23 --d-model 32 --n-heads 2 --d-head 16 --d-mlp 64 --epochs 20 --checkpoint-every 10 --device cpu --quiet".split()


# a sweep of two tiny runs, without frames
TINY_SWEEP = "--p 11 --epochs 10 --checkpoint-every 10 --seed 0,1 --device cpu --quiet --no-frames".split()


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def digest(path) -> str:
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def refused(result, *words):
    """One line, a non-zero exit, no traceback, and the words a user needs."""
    assert result.exit_code != 0 and result.exception is None or isinstance(result.exception, SystemExit), result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and "Traceback" not in result.output, result.output
    assert all(word in result.output for word in words), result.output


def test_the_frames_never_overwrite_the_run_file_they_are_read_from(tiny_run, tmp_path):
    _, run = tiny_run
    before = digest(run.run_file)
    refused(invoke("make-data", "--from-checkpoint", run.run_file, "--out", run.run_file), "file being read")
    assert digest(run.run_file) == before
    refused(
        invoke(
            "make-data",
            "--preset",
            "quick",
            *TINY,
            "--run-dir",
            tmp_path / "run",
            "--out",
            tmp_path / "run" / "run.pth",
        ),
        "inside the run folder",
    )
    assert not (tmp_path / "run").exists()


def test_fresh_deletes_only_what_grok_wrote(tmp_path):
    folder = tmp_path / "run"
    args = ("make-data", "--preset", "quick", *TINY, "--run-dir", folder, "--out", tmp_path / "f.npz")
    assert invoke(*args).exit_code == 0
    (folder / "notes.txt").write_text("mine")
    (folder / "source").mkdir()
    refused(invoke(*args, "--fresh"), "grok did not write", "notes.txt")
    assert (folder / "notes.txt").read_text() == "mine" and (folder / "source").is_dir()
    assert RunDir(folder).run_file.exists()  # nothing of the run went either
    (folder / "notes.txt").unlink()
    (folder / "source").rmdir()
    assert invoke(*args, "--fresh").exit_code == 0


def test_a_fresh_sweep_keeps_a_users_files(tmp_path):
    out = tmp_path / "sweep"
    args = ("sweep", *TINY_SWEEP, "--out", out)
    assert invoke(*args).exit_code == 0
    run = next(child for child in out.iterdir() if child.is_dir())
    (run / "checkpoints" / "my-plot.png").write_bytes(b"png")
    refused(invoke(*args, "--fresh"), "grok did not write", "my-plot.png")
    assert (run / "checkpoints" / "my-plot.png").exists()


def test_equal_settings_have_one_name():
    assert run_name("quick", make_config("quick", wd=-0.0)) == run_name("quick", make_config("quick", wd=0.0))


def test_a_model_too_small_to_draw_is_refused_before_training(tmp_path):
    refused(
        invoke("make-data", "--preset", "quick", *TINY[:6], "--d-mlp", "2", "--run-dir", tmp_path / "r"),
        "--d-mlp must be at least 3",
    )
    assert not (tmp_path / "r").exists()


def pipe_with_a_release(path):
    """A FIFO at `path`, and a timer that, after 20 s, gives a reader that opened it the writer it waits for
    (a hung test says less than a failed one); `released` tells whether anyone had to be released."""
    os.mkfifo(path)
    released = threading.Event()

    def release():
        released.set()
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
        except OSError:
            pass

    timer = threading.Timer(20, release)
    timer.start()
    return timer, released


def test_a_pipe_where_a_file_belongs_is_refused_without_waiting(tmp_path):
    folder = tmp_path / "run"
    (folder / "checkpoints").mkdir(parents=True)
    sweep = tmp_path / "sweep"
    sweep.mkdir()
    guards = [pipe_with_a_release(folder / "config.json"), pipe_with_a_release(sweep / "summary.csv")]
    try:
        with pytest.raises(GrokError, match="not a regular file"):
            train(tiny_config(epochs=2), folder, show_progress=False)
        refused(invoke("info", folder), "not a regular file")
        refused(invoke("info", sweep / "summary.csv"), "not a regular file")
    finally:
        for timer, _ in guards:
            timer.cancel()
    assert not any(released.is_set() for _, released in guards)


def test_json_nested_past_the_recursion_limit_is_refused(tmp_path, tiny_frames):
    folder = tmp_path / "run"
    (folder / "checkpoints").mkdir(parents=True)
    (folder / "config.json").write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(GrokError, match="not a readable"):
        train(tiny_config(epochs=2), folder, show_progress=False)
    arrays = dict(np.load(tiny_frames))
    arrays["config_json"] = np.str_("[" * 100_000 + "]" * 100_000)
    np.savez(tmp_path / "deep.npz", **arrays)
    with pytest.raises(FramesError, match="config_json"):
        load_frames(tmp_path / "deep.npz")


def test_a_stray_checkpoint_beyond_any_epoch_is_refused(tmp_path):
    cfg = tiny_config(epochs=10, checkpoint_every=10)
    run = train(cfg, tmp_path / "run", show_progress=False)
    (run.checkpoints / "epoch_99999999999.pt").write_bytes(b"x")
    with pytest.raises(GrokError, match="stray file"):
        train(tiny_config(epochs=20, checkpoint_every=10), tmp_path / "run", show_progress=False)


def test_run_files_that_are_not_one_layer_of_real_weights_are_refused(tiny_run, tmp_path):
    _, run = tiny_run
    obj = torch.load(run.run_file, weights_only=True)
    meta = {
        **obj,
        "model": {k: torch.empty(v.shape, device="meta") for k, v in obj["model"].items()},
        "checkpoints": [],
    }
    torch.save(meta, tmp_path / "meta.pth")
    with pytest.raises(GrokError, match="meta tensor"):
        load_run(tmp_path / "meta.pth")
    deeper = {
        **obj,
        "model": {
            **obj["model"],
            **{k.replace("blocks.0", "blocks.1"): v for k, v in obj["model"].items() if k.startswith("blocks.0")},
        },
        "checkpoints": [],
    }
    torch.save(deeper, tmp_path / "two-layers.pth")
    with pytest.raises(GrokError, match="2 layers"):
        load_run(tmp_path / "two-layers.pth")


def test_frames_that_contradict_themselves_or_carry_unknown_keys_are_refused(tiny_frames, tmp_path):
    arrays = dict(np.load(tiny_frames))
    assert not arrays["grokked"]
    np.savez(tmp_path / "liar.npz", **{**arrays, "grokked": np.bool_(True)})
    with pytest.raises(FramesError, match="grokked"):
        load_frames(tmp_path / "liar.npz")
    bomb = tmp_path / "bomb.npz"
    np.savez_compressed(bomb, **arrays, extra=np.zeros(10_000_000, dtype=np.uint8))  # 10 MB in a few kB
    assert bomb.stat().st_size < 1_000_000
    with pytest.raises(FramesError, match="extra"):
        read_arrays(bomb)
    with zipfile.ZipFile(bomb) as z:
        assert z.getinfo("extra.npy").file_size >= 10_000_000  # refused by name, never decompressed


def test_a_damaged_version_2_file_and_a_sweep_version_that_is_no_number_are_refused(tiny_frames, tmp_path):
    arrays = dict(np.load(tiny_frames))
    v2 = {k: v for k, v in arrays.items() if k not in ("train_loss_epochs", "arithmetic_json")}
    v2 |= {"schema_version": np.int64(2), "operation": np.str_("(a + b) mod p"), "source_layout": np.str_("demo")}
    np.savez(tmp_path / "old.npz", **v2)
    refused(invoke("upgrade-frames", tmp_path / "old.npz"), "damaged version 2")
    sweep = tmp_path / "sweep.npz"
    np.savez(sweep, sweep_schema_version=np.str_("one"))
    refused(invoke("render", "phase", "--sweep", sweep), "sweep file version")


def test_paths_are_taken_from_where_the_command_runs(tiny_frames, tmp_path, monkeypatch):
    """`grok render --frames F` from another folder, into an --out-dir that does not exist yet."""
    work = tmp_path / "elsewhere"
    work.mkdir()
    (work / "mine.npz").write_bytes(open(tiny_frames, "rb").read())
    monkeypatch.chdir(work)
    result = invoke("render", "task", "--still", "--frames", "mine.npz", "--out-dir", "new/renders")
    assert result.exit_code == 0, result.output
    assert list((work / "new" / "renders").glob("task*.png"))
    assert json.loads(str(load_frames(work / "mine.npz")["config_json"]))["p"] == 23


@pytest.mark.parametrize(
    "key, value",
    [
        ("op_expression", "{a.__class__.__mro__}"),
        ("op_formula", "(a + b) mod p!"),
        ("op_coord_labels", ["{0.__class__}", "{}", "{}"]),
    ],
)
def test_text_the_scenes_fill_in_is_the_operations_own(tiny_frames, tmp_path, key, value):
    """op_expression and op_coord_labels are format templates: a file's own text there is never used."""
    arrays = dict(np.load(tiny_frames))
    arrays[key] = np.array(value)
    np.savez(tmp_path / "templated.npz", **arrays)
    with pytest.raises(FramesError, match=key):
        load_frames(tmp_path / "templated.npz")


def test_a_summary_that_lists_a_run_twice_is_refused(tmp_path):
    out = tmp_path / "sweep"
    assert invoke("sweep", *TINY_SWEEP, "--out", out).exit_code == 0
    lines = (out / "summary.csv").read_text().splitlines()
    (out / "summary.csv").write_text("\n".join([*lines, lines[1]]) + "\n")
    refused(invoke("info", out / "summary.csv"), "listed twice")


def test_a_checkpoint_copied_from_another_run_is_refused_not_spliced_in(tmp_path):
    """The run records each checkpoint's weights digest; a file holding other weights, or an epoch it never
    wrote, stops the run file from being written, naming the file."""
    train(tiny_config(epochs=20, checkpoint_every=10, seed=1), tmp_path / "other", show_progress=False)
    run = train(tiny_config(epochs=20, checkpoint_every=10), tmp_path / "run", show_progress=False)
    (run.checkpoint(10)).write_bytes((tmp_path / "other" / "checkpoints" / "epoch_0000010.pt").read_bytes())
    run.run_file.unlink()
    with pytest.raises(GrokError, match=r"epoch_0000010.pt holds other weights than this run wrote at epoch 10"):
        train(tiny_config(epochs=20, checkpoint_every=10), tmp_path / "run", show_progress=False)

    run.checkpoint(10).unlink()  # moved away, as the message says: the run file is written without it
    (run.checkpoint(15)).write_bytes((tmp_path / "other" / "checkpoints" / "epoch_0000010.pt").read_bytes())
    with pytest.raises(GrokError, match=r"epoch_0000015.pt was not written by this run"):
        train(tiny_config(epochs=20, checkpoint_every=10), tmp_path / "run", show_progress=False)
    run.checkpoint(15).unlink()
    train(tiny_config(epochs=20, checkpoint_every=10), tmp_path / "run", show_progress=False)
    assert load_run(run.run_file).checkpoint_epochs == [0, 20]


def test_a_checkpoint_left_ahead_of_the_resume_state_is_rewritten_and_a_sweeps_too(tmp_path):
    """A stray file at an epoch the run has yet to reach is replaced by the run's own weights when it gets
    there; the same ledger guards a sweep's runs."""
    other = train(tiny_config(epochs=20, checkpoint_every=10, seed=1), tmp_path / "other", show_progress=False)
    train(tiny_config(epochs=10, checkpoint_every=10), tmp_path / "run", show_progress=False)
    run = RunDir(tmp_path / "run")
    run.checkpoint(20).write_bytes(other.checkpoint(20).read_bytes())
    train(tiny_config(epochs=20, checkpoint_every=10), tmp_path / "run", show_progress=False)
    alone = train(tiny_config(epochs=20, checkpoint_every=10), tmp_path / "alone", show_progress=False)
    assert digest(run.checkpoint(20)) != digest(other.checkpoint(20))
    for key, value in torch.load(alone.checkpoint(20), weights_only=True).items():
        assert torch.equal(torch.load(run.checkpoint(20), weights_only=True)[key], value)

    out = tmp_path / "sweep"
    assert invoke("sweep", *TINY_SWEEP, "--out", out).exit_code == 0
    first, second = sorted(path for path in out.iterdir() if (path / "config.json").is_file())
    (first / "run.pth").unlink()
    (first / "checkpoints" / "epoch_0000010.pt").write_bytes((second / "checkpoints" / "epoch_0000010.pt").read_bytes())
    (out / "summary.csv").unlink()
    refused(invoke("sweep", *TINY_SWEEP, "--out", out), "holds other weights than this run wrote at epoch 10")


def test_a_summary_whose_numbers_cannot_be_is_refused(tmp_path):
    out = tmp_path / "sweep"
    assert invoke("sweep", *TINY_SWEEP, "--out", out).exit_code == 0
    lines = (out / "summary.csv").read_text().splitlines()
    header = lines[0].split(",")
    for column, value, message in [
        ("final_train_loss", "-inf", "out of range"),
        ("final_test_acc", "inf", "out of range"),
        ("final_test_acc", "nan", "out of range"),
        ("grok_epoch", "-2", "out of range"),
    ]:
        cells = lines[1].split(",")
        cells[header.index(column)] = value
        (out / "summary.csv").write_text("\n".join([lines[0], ",".join(cells), *lines[2:]]) + "\n")
        refused(invoke("info", out / "summary.csv"), message)


def test_a_trained_run_never_replaces_the_committed_reference_frames():
    """grok all on a GPU trains the nanda preset: its frames go beside data/nanda.npz (the paper's demo run,
    imported and committed), never over it."""
    from pathlib import Path

    from frames.places import DATA, REFERENCE
    from training.make_data import default_frames_file

    assert default_frames_file(DATA, "nanda") == DATA / "nanda-trained.npz" != DATA / REFERENCE
    assert default_frames_file(Path("elsewhere"), "quick") == Path("elsewhere") / "quick.npz"
