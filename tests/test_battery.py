"""The breaks a second bad-input battery found (301 cases: a hang, tracebacks, a user's file written over, facts
that contradicted each other accepted), each kept as a case: a refusal in one line, before any work where the
input can be judged up front, and nothing a user owns touched."""

import json
import os
import shutil

import numpy as np
import pytest
import torch

from frames import load_frames
from frames.errors import FramesError, GrokError
from training.train import train

from conftest import tiny_config
from test_safety import TINY, TINY_SWEEP, digest, invoke, pipe_with_a_release, refused


@pytest.fixture
def notes(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("a user's notes\n")
    return path


def test_a_pipe_named_like_a_frames_file_is_never_opened(tmp_path):
    timer, released = pipe_with_a_release(tmp_path / "x.npz")
    try:
        refused(invoke("info", tmp_path / "x.npz"), "not a regular file")
    finally:
        timer.cancel()
    assert not released.is_set()


def test_links_that_loop_are_refused_by_name(tmp_path):
    (tmp_path / "loop.pth").symlink_to(tmp_path / "loop.pth")
    refused(invoke("make-data", "--from-checkpoint", tmp_path / "loop.pth", "--out", tmp_path / "x.npz"), "loop")
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    refused(invoke("make-data", *TINY, "--run-dir", tmp_path / "loop", "--out", tmp_path / "o.npz"), "loop")


def test_a_link_where_grok_writes_its_own_files_is_never_followed(tmp_path, notes):
    """A lock or a partial file is grok's name; a link planted there must not make grok write through it."""
    before = digest(notes)
    run = tmp_path / "run"
    run.mkdir()
    (run / "grok.lock").symlink_to(notes)
    refused(
        invoke("make-data", *TINY, "--run-dir", run, "--out", tmp_path / "a.npz"), "grok.lock is not a file grok wrote"
    )
    (tmp_path / "b.npz.partial").symlink_to(notes)
    result = invoke("make-data", *TINY, "--run-dir", tmp_path / "other", "--out", tmp_path / "b.npz")
    refused(result, "b.npz.partial is not a file grok wrote")
    assert not (tmp_path / "other").exists()  # refused before training
    refused(invoke("make-data", *TINY, "--run-dir", tmp_path / "third", "--out", notes), "is not a frames file")
    assert not (tmp_path / "third").exists() and digest(notes) == before


def test_a_run_file_whose_config_or_epochs_cannot_be_is_refused(tiny_run, tmp_path):
    _, run = tiny_run
    obj = torch.load(run.run_file, weights_only=True)
    for name, edit, words in [
        ("sizes", lambda o: o["config"].update(d_model=64), "its config says d_model = 64, but its weights have"),
        ("epochs", lambda o: o["checkpoint_epochs"].__setitem__(-1, 2**40), "beyond any run's epochs"),
    ]:
        edited = torch.load(run.run_file, weights_only=True)
        edit(edited)
        torch.save(edited, tmp_path / f"{name}.pth")
        refused(invoke("make-data", "--from-checkpoint", tmp_path / f"{name}.pth", "--out", tmp_path / "x.npz"), words)
    assert obj["config"]["d_model"] == 32  # the fixture itself untouched


@pytest.mark.parametrize(
    "key, edit, words",
    [
        ("phase_starts", lambda a: np.array([0, 200, 100], np.int32), "must begin in order"),
        ("ckpt_test_acc", None, "disagrees with the test accuracy curve"),
        ("train_pairs", lambda a: np.int64(a + 3), "no count of right answers"),
    ],
)
def test_frames_whose_facts_disagree_are_refused(tiny_frames, tmp_path, key, edit, words):
    arrays = dict(np.load(tiny_frames))
    if key == "phase_starts":
        epochs = arrays["checkpoint_epochs"]
        arrays[key] = np.array([epochs[0], epochs[4], epochs[2]], np.int32)
    elif key == "ckpt_test_acc":  # still counts of right answers, 30 % of the pairs more of them each time
        tested = int((arrays["op_labels"] >= 0).sum() - arrays["train_pairs"])
        right = np.round(arrays[key].astype(np.float64) * tested) + round(0.3 * tested)
        arrays[key] = (np.minimum(right, tested) / tested).astype(np.float32)
    else:
        arrays[key] = edit(arrays[key])
    np.savez(tmp_path / "edited.npz", **arrays)
    with pytest.raises(FramesError, match=words):
        load_frames(tmp_path / "edited.npz")


def test_a_summary_is_checked_against_its_names_its_losses_and_its_plan(tmp_path):
    out = tmp_path / "sweep"
    assert invoke("sweep", *TINY_SWEEP, "--out", out).exit_code == 0
    summary = out / "summary.csv"
    lines = summary.read_text().splitlines()
    header = lines[0].split(",")

    def with_cell(column, value, name=None):
        cells = lines[1].split(",")
        cells[header.index(column)] = value
        if name:
            cells[0] = name
        summary.write_text("\n".join([lines[0], ",".join(cells), *lines[2:]]) + "\n")

    for column, value, name, words in [
        ("wd", "5.0", None, "is named for other settings than its cells hold"),
        ("final_test_loss", "nan", None, "one final loss is finite and the other not"),
        ("grok_epoch", "999999", None, "past the sweep's 10 epochs"),
        ("seed", "9", lines[1].split(",")[0].replace("seed0", "seed9"), "is not one of the runs"),
    ]:
        with_cell(column, value, name)
        refused(invoke("info", summary), words)
    summary.write_text("\n".join(lines) + "\n")
    (out / "sweep.json").write_text("[")
    refused(invoke("info", out), "sweep.json is not a readable sweep plan")
    refused(invoke("sweep", *TINY_SWEEP, "--out", out), "use --fresh to replace the sweep")


def test_outputs_inside_a_folder_grok_manages_are_refused(tmp_path, tiny_run):
    out = tmp_path / "sweep"
    assert invoke("sweep", *TINY_SWEEP, "--out", out).exit_code == 0
    refused(invoke("sweep", *TINY_SWEEP, "--out", tiny_run[1].root / "inner"), "lies inside the run folder")
    refused(invoke("merge", out, "--out", out / "merged"), "lies inside the sweep folder")


def test_usage_mistakes_are_one_line_too(tiny_frames):
    for args, words in [  # the runner calls the group "main"
        (["make-data", "--p", "abc"], "'abc' is not a valid integer. (see main make-data --help)"),
        (["bogus"], "No such command 'bogus'. (see main --help)"),
        (["merge", "--out", "m"], "Missing argument 'SHARDS...'"),
        (["figures", "--x", "wd", "--frames", tiny_frames], "--x draw a sweep's phase diagram: give --sweep too"),
        (["make-data", *TINY, "--lr", "1e-308"], "lr must lie between 1e-09 and 1"),
    ]:
        result = invoke(*args)
        refused(result, words)
        assert "Usage:" not in result.output and "Try '" not in result.output
    assert os.path.exists(tiny_frames)


# The second, fresh battery (211 new cases): what it found, kept as cases


def test_a_hard_link_where_grok_writes_its_own_files_is_refused(tmp_path, notes):
    before = digest(notes)
    run = tmp_path / "run"
    run.mkdir()
    os.link(notes, run / "grok.lock")
    refused(invoke("make-data", *TINY, "--run-dir", run, "--out", tmp_path / "a.npz"), "a hard link")
    os.link(notes, tmp_path / "b.npz.partial")
    refused(invoke("make-data", *TINY, "--run-dir", tmp_path / "r2", "--out", tmp_path / "b.npz"), "a hard link")
    assert digest(notes) == before


@pytest.mark.parametrize(
    "key, value, words",
    [
        ("split_note", "x" * 200_000, "holds text no grok file has"),
        ("split_note", "\x1b[31mred\x1b[0m", "holds text no grok file has"),
        ("source_sha256", "z" * 64, "is not a sha256"),
        ("config_json", None, "given twice"),
        ("arithmetic_json", "gap", "does not follow the one before"),
        ("arithmetic_json", "nan", "not JSON"),
        ("train_loss", "huge", "disagrees with the loss of the checkpoint"),
    ],
)
def test_frames_text_and_losses_that_cannot_be_are_refused(tiny_frames, tmp_path, key, value, words):
    arrays = dict(np.load(tiny_frames))
    if key == "config_json":  # p given twice: which p counts?
        arrays[key] = np.str_(str(arrays[key]).replace("{", '{"p": 11, ', 1))
    elif value == "gap":
        last = int(arrays["checkpoint_epochs"][-1])
        arrays[key] = np.str_(f'[{{"from_epoch": 0, "to_epoch": 10}}, {{"from_epoch": 20, "to_epoch": {last}}}]')
    elif value == "nan":
        arrays[key] = np.str_('[{"from_epoch": 0, "to_epoch": 10, "threads": NaN}]')
    elif value == "huge":
        arrays[key] = np.full_like(arrays[key], 1e38)
    else:
        arrays[key] = np.str_(value)
    np.savez(tmp_path / "edited.npz", **arrays)
    with pytest.raises(FramesError, match=words):
        load_frames(tmp_path / "edited.npz")


def test_a_frames_archive_holding_one_key_twice_is_refused(tiny_frames, tmp_path):
    import zipfile

    shutil.copy(tiny_frames, tmp_path / "twice.npz")
    with zipfile.ZipFile(tmp_path / "twice.npz", "a") as archive, pytest.warns(UserWarning):
        archive.writestr("train_loss.npy", b"a second member of the same name")
    refused(invoke("info", tmp_path / "twice.npz"), "holds one key twice")


def test_upgrades_refuse_what_no_older_version_wrote(tiny_frames, tmp_path):
    arrays = dict(np.load(tiny_frames))
    for edit, words in [
        ({"schema_version": np.float64(3.0)}, "not a whole number"),
        ({"schema_version": np.str_("3")}, "not a whole number"),
        ({"schema_version": np.int64(3)}, "holds version 4's arithmetic_json"),
    ]:
        np.savez(tmp_path / "old.npz", **{**arrays, **edit})
        refused(invoke("upgrade-frames", tmp_path / "old.npz", "--out", tmp_path / "new.npz"), words)
    assert not (tmp_path / "new.npz").exists()


def test_a_resume_state_that_is_not_this_runs_is_refused(tmp_path):
    from training.checks import check_resume_state

    cfg = tiny_config(epochs=10, checkpoint_every=10)
    run = train(cfg, tmp_path / "run", show_progress=False)
    state = torch.load(run.state, weights_only=True)
    for edit, words in [
        (lambda s: s["optimizer"]["param_groups"][0].update(lr=0.5), "trains with lr 0.5"),
        (lambda s: s["curves"].update(train_loss=s["curves"]["train_loss"].long()), "not the float values"),
        (lambda s: next(iter(s["optimizer"]["state"].values()))["exp_avg"].fill_(float("nan")), "NaN or infinite"),
    ]:
        edited = torch.load(run.state, weights_only=True)
        edit(edited)
        with pytest.raises(GrokError, match=words):
            check_resume_state(edited, cfg, "state.pt")
    check_resume_state(state, cfg, "state.pt")  # the run's own state passes


def test_a_run_file_whose_final_weights_are_not_its_last_checkpoint_is_refused(tiny_run, tmp_path):
    obj = torch.load(tiny_run[1].run_file, weights_only=True)
    obj["model"] = obj["checkpoints"][0]
    torch.save(obj, tmp_path / "r.pth")
    refused(invoke("make-data", "--from-checkpoint", tmp_path / "r.pth", "--out", tmp_path / "x.npz"), "not its last")


def test_a_run_folder_that_is_or_lies_in_a_sweep_is_refused(tmp_path):
    out = tmp_path / "sweep"
    assert invoke("sweep", *TINY_SWEEP, "--out", out).exit_code == 0
    refused(invoke("make-data", *TINY, "--run-dir", out, "--out", tmp_path / "a.npz"), "is a sweep's folder")
    inner = next(path for path in out.iterdir() if path.is_dir())
    refused(invoke("make-data", *TINY, "--run-dir", inner, "--out", tmp_path / "a.npz"), "lies inside the sweep folder")
    plan = json.loads((out / "sweep.json").read_text())
    (out / "sweep.json").write_text(json.dumps({**plan, "shard": [3, 2]}))
    refused(invoke("info", out), "shard must be [i, n]")


def test_messages_stay_on_one_line_whatever_they_quote(tiny_frames, tmp_path):
    result = invoke("info", tmp_path / "no\nsuch.npz")
    refused(result, "no\\nsuch.npz")
    shutil.copy(tiny_frames, tmp_path / "f.NPZ")
    assert invoke("info", tmp_path / "f.NPZ").exit_code == 0  # a frames file whatever the case of its suffix


def test_a_run_file_whose_curves_are_cut_short_is_refused(tiny_run, tmp_path):
    obj = torch.load(tiny_run[1].run_file, weights_only=True)
    obj["train_accs"] = obj["train_accs"][:15]  # the config says one value an epoch: 15 values cannot be 300 epochs
    torch.save(obj, tmp_path / "r.pth")
    refused(
        invoke("make-data", "--from-checkpoint", tmp_path / "r.pth", "--out", tmp_path / "x.npz"), "train_accs holds 15"
    )


def test_a_config_edited_under_a_run_is_caught(tmp_path):
    """config.json holds the run's settings; a state trained with others (seed 5 written over seed 999) is refused
    by the next run there and by grok info, rather than reported as the run's."""
    run = train(tiny_config(epochs=10, checkpoint_every=10), tmp_path / "run", show_progress=False)
    settings = json.loads(run.config.read_text())
    run.config.write_text(json.dumps({**settings, "seed": 5}))
    refused(invoke("info", run.root), "trained with other settings than config.json holds now")
