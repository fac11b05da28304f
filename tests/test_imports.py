"""Runs from other files, imported whole and truthfully: curves at their own cadence, settings only as
the file records them, and every summary and scene working (or stopping in one line) on a file with
no checkpoint series, no accuracy curve and a sparse test curve. The files are small synthetic ones
in each layout, with the quirks of the published ones (Nanda et al.'s saved_runs, the TransformerLens
demo's checkpoint); the real files are not committed."""

import json

import numpy as np
import pytest
import torch
from click.testing import CliRunner
from manim import VMobject

from frames import NOT_RECORDED, load_frames, milestones, save_frames
from frames.errors import GrokError
from frames.store import read_arrays
from frames.upgrade import upgrade_v2
from grok.cli import main
from scenes.loader import FRAMES_ENV, NotShown
from scenes.registry import NOT_SHOWN, SCENES
from scenes.snake import SnakeCurve, get_log_envelope
from scenes.task import TheTask
from training.checkpoints import load_run
from training.checks import curve_cadence
from training.export import export_frames

from dry_render import all_of, dry_render

SERIES_SCENES = {"spectrum", "clock", "waves", "ring", "surface"}  # their one idea is a change over training


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture(scope="module")
def lens_demo_file(tiny_run, tmp_path_factory):
    """The TransformerLens demo's layout: a model config (init seed, sizes) but no training settings,
    no optimizer, a checkpoint series, stored indices, losses but no accuracies."""
    obj = torch.load(tiny_run[1].run_file, weights_only=True)
    cfg = obj["config"]
    obj["config"] = {key: cfg[key] for key in ("n_layers", "d_model", "d_head", "n_heads", "d_mlp", "d_vocab", "seed")}
    del obj["train_accs"], obj["test_accs"]
    path = tmp_path_factory.mktemp("lens") / "grokking_demo.pth"
    torch.save(obj, path)
    return path


# reading the files


@pytest.mark.parametrize(
    "n_values, n_epochs, step", [(5_000, 50_000, 10), (10_780, 107_791, 10), (7, 50, 8), (100, 100, 1), (6, 10, None)]
)
def test_a_curve_is_placed_at_the_one_step_its_length_fits(n_values, n_epochs, step):
    assert curve_cadence(n_values, n_epochs) == step


def test_paper_file_keeps_its_sparse_test_curve_and_records_only_what_it_says(paper_file):
    run = load_run(paper_file)
    assert run.layout == "paper" and run.checkpoint_epochs == [5_000]
    assert len(run.curves["train_losses"]) == 5_000 and len(run.curves["test_losses"]) == 500
    assert run.curve_epochs["test_losses"] == list(range(0, 5_000, 10))
    assert "every 10 epochs" in run.curves_note
    assert run.curves["train_accs"] == [] and run.curve_epochs["test_accs"] == []
    recorded = run.recorded
    assert (recorded["wd"], recorded["lr"], recorded["beta1"], recorded["beta2"]) == (0.0, 1e-3, 0.9, 0.98)
    assert recorded["scheduler"].startswith("LambdaLR") and recorded["epochs"] == 5_000
    assert recorded["p"] == 23 and recorded["d_mlp"] == 512
    for unknown in ("seed", "split_seed", "train_frac", "checkpoint_every", "device"):
        assert recorded[unknown] is None, unknown
    assert not run.split_recorded and "assumed" in run.split_note


def test_user_train_fraction_is_named_as_given(paper_file):
    run = load_run(paper_file, train_frac=0.5)
    assert run.recorded["train_frac"] is None and "given with --train-frac" in run.split_note
    assert len(run.train_indices) == int(0.5 * 23 * 23)


def test_lens_demo_file_records_its_seed_and_nothing_it_does_not_hold(lens_demo_file, tiny_run):
    run = load_run(lens_demo_file)
    assert run.recorded["seed"] == tiny_run[0].seed and run.recorded["checkpoint_every"] == 50
    assert run.recorded["epochs"] == tiny_run[0].epochs  # one train loss per epoch
    for unknown in ("lr", "wd", "beta1", "beta2", "scheduler", "train_frac", "split_seed"):
        assert run.recorded[unknown] is None, unknown
    assert run.split_recorded and run.curves["test_accs"] == []


def test_a_run_trained_here_records_everything(tiny_run):
    cfg, run_dir = tiny_run
    recorded = load_run(run_dir.run_file).recorded
    assert all(recorded[key] == value for key, value in cfg.to_dict().items())
    assert recorded["scheduler"] == "none"


def test_curves_that_fit_no_cadence_are_refused(paper_file, tmp_path):
    obj = torch.load(paper_file, weights_only=True)
    obj["test_losses"] = obj["test_losses"][:333]  # 333 values fit no step over 5,000 epochs
    path = tmp_path / "odd.pth"
    torch.save(obj, path)
    with pytest.raises(GrokError, match="cannot tell at which epochs its 333 test_losses values"):
        load_run(path)


def test_a_damaged_optimizer_state_is_refused_in_one_line(paper_file, tmp_path):
    obj = torch.load(paper_file, weights_only=True)
    obj["optimizer"]["param_groups"][0]["weight_decay"] = "lots"
    path = tmp_path / "odd.pth"
    torch.save(obj, path)
    with pytest.raises(GrokError, match="param group 0 has wd 'lots'"):
        load_run(path)


# the frames


def test_frames_keep_each_curve_at_its_own_epochs_and_null_for_the_unrecorded(paper_frames):
    f = load_frames(paper_frames)
    assert list(f["test_loss_epochs"]) == list(range(0, 5_000, 10)) and len(f["train_loss_epochs"]) == 5_000
    assert len(f["train_acc"]) == len(f["test_acc_epochs"]) == 0
    config = json.loads(str(f["config_json"]))
    assert config["wd"] == 0.0 and config["seed"] is None and config["split_seed"] is None
    assert not f["split_recorded"] and int(f["train_pairs"]) == int(0.3 * 23 * 23)
    assert list(f["phase_starts"]) == [-1, -1, -1]  # one checkpoint shows no phase


def test_milestones_say_not_recorded_apart_from_never(paper_frames, tiny_frames):
    m = milestones(load_frames(paper_frames))
    assert m["train_acc_99_epoch"] is None and m["test_acc_99_epoch"] is None
    assert m["test_loss_peak_epoch"] % 10 == 0 and m["test_loss_peak"] > 20
    assert m["restricted_loss_below_1_epoch"] is None and m["gini_W_E_start"] is None
    assert m["gini_W_E_end"] is not None
    never = milestones(load_frames(tiny_frames))  # recorded, and not reached
    assert never["test_acc_99_epoch"] == -1


def test_upgrading_a_version_2_file_keeps_its_figures(tiny_frames, tmp_path):
    v3 = load_frames(tiny_frames)
    config = json.loads(str(v3["config_json"]))
    dropped = (
        "split_recorded",
        "train_pairs",
        "curves_note",
        "train_loss_epochs",
        "test_loss_epochs",
        "train_acc_epochs",
        "test_acc_epochs",
        "arithmetic_json",
    )
    v2 = {key: value for key, value in v3.items() if key not in dropped and not key.startswith("op_")}
    v2 |= {
        "schema_version": np.int64(2),
        "seed": np.int64(config["seed"]),
        "curve_epochs": v3["train_loss_epochs"],
        "operation": np.str_("(a + b) mod p"),
        "config_json": np.str_(json.dumps({k: v for k, v in config.items() if k not in ("scheduler", "op")})),
    }
    v2["train_acc"] = np.full_like(v2["train_acc"], np.nan)  # version 2: NaN where not recorded
    old = tmp_path / "old.npz"
    np.savez(old, **v2)
    result = invoke("info", old)
    assert result.exit_code == 1 and "grok upgrade-frames" in result.output
    assert invoke("upgrade-frames", old).exit_code == 0
    upgraded = load_frames(old)
    assert len(upgraded["train_acc"]) == 0 and np.array_equal(upgraded["test_acc"], v3["test_acc"])
    assert int(upgraded["train_pairs"]) == int(v3["train_pairs"]) and bool(upgraded["split_recorded"])
    same = {key: value for key, value in milestones(v3).items() if key != "train_acc_99_epoch"}
    assert {key: milestones(upgraded)[key] for key in same} == same
    for key in v3:  # the operation's keys: add's, as exported
        if key.startswith("op"):
            np.testing.assert_array_equal(upgraded[key], v3[key], err_msg=key)
    assert json.loads(str(upgraded["config_json"]))["op"] == "add"
    assert str(upgraded["arithmetic_json"]) == "null"  # not recorded before version 4
    v2["source_layout"] = np.str_("paper")
    with pytest.raises(Exception, match="export it again"):
        upgrade_v2(v2, "old.npz")


def test_upgrading_a_version_3_file_adds_only_that_its_arithmetic_was_not_recorded(tiny_frames, tmp_path):
    v4 = load_frames(tiny_frames)
    assert json.loads(str(v4["arithmetic_json"]))[0]["torch"] == torch.__version__  # recorded since version 4
    v3 = {key: value for key, value in v4.items() if key != "arithmetic_json"} | {"schema_version": np.int64(3)}
    old = tmp_path / "old.npz"
    np.savez(old, **v3)
    assert "grok upgrade-frames" in invoke("info", old).output
    assert invoke("upgrade-frames", old, "--out", tmp_path / "new.npz").exit_code == 0
    upgraded = load_frames(tmp_path / "new.npz")
    assert str(upgraded["arithmetic_json"]) == "null" and int(upgraded["schema_version"]) == 4
    assert all(np.array_equal(upgraded[key], v4[key]) for key in v4 if key not in ("arithmetic_json",))


def test_frames_whose_curve_epochs_run_backwards_are_refused(paper_frames, tmp_path):
    arrays = read_arrays(paper_frames)
    arrays["test_loss_epochs"] = arrays["test_loss_epochs"][::-1].copy()
    with pytest.raises(Exception, match="test_loss_epochs is not strictly ascending"):
        save_frames(arrays, tmp_path / "bad.npz")


# grok info


def test_info_on_an_odd_file_says_not_recorded_never_never(paper_frames, paper_file, lens_demo_file):
    summary = invoke("info", paper_frames)
    assert summary.exit_code == 0 and "Traceback" not in summary.output
    text = summary.output
    assert "wd 0.0" in text and "seed not recorded" in text and "split seed not recorded" in text
    assert "train acc 99 % not recorded" in text and "test acc 99 % not recorded" in text
    assert "never" not in text and "wd 1.0" not in text and "seed 999" not in text
    assert "test loss 500" in text and "every 10 epochs" in text
    for path in (paper_file, lens_demo_file):
        result = invoke("info", path)
        assert result.exit_code == 0 and NOT_RECORDED in result.output, result.output


# scenes


def test_snake_envelope_keeps_every_spike_of_a_long_curve():
    epochs = np.arange(107_791)
    values = np.full(len(epochs), 1e-3)
    spikes = [5, 4_321, 77_777, 107_000]
    values[spikes] = 1.0
    xs, ys = get_log_envelope(epochs, values, 400)
    assert len(xs) <= 800 and xs[0] >= 1 and np.all(np.diff(xs) > 0)
    assert set(spikes) <= set(xs.tolist()) and ys.max() == 1.0 and ys.min() == 1e-3


def test_snake_draws_a_long_sparse_curve_without_progress_measures(paper_frames, monkeypatch):
    monkeypatch.setenv(FRAMES_ENV, str(paper_frames))
    f = load_frames(paper_frames)
    lines = SnakeCurve.script(f)
    assert "no accuracy" in lines["memorise"] and "not recorded" in lines["phases"]
    assert "restricted" not in lines and "does not record which" in lines["stage"]
    scene = dry_render(SnakeCurve)
    curves = [
        m
        for m in all_of(scene, VMobject)
        if type(m) is VMobject and m.get_num_points() > 20 and not m.get_fill_opacity()
    ]  # the gap between them is filled, not stroked
    assert len(curves) == 2  # train and test loss, nothing underneath


def test_task_says_the_split_is_assumed(paper_frames):
    lines = TheTask.script(load_frames(paper_frames))
    assert "does not record" in lines["split"] and f"{int(0.3 * 23 * 23)}" in lines["split"]


@pytest.mark.parametrize("entry", [e for e in SCENES if e.name in SERIES_SCENES], ids=lambda e: e.name)
def test_scenes_of_change_stop_in_one_line_without_a_series(paper_frames, entry):
    import importlib

    scene = getattr(importlib.import_module(f"scenes.{entry.module}"), entry.cls)
    with pytest.raises(NotShown) as stop:
        scene.script(load_frames(paper_frames))
    message = str(stop.value)
    assert stop.value.code == NOT_SHOWN and "\n" not in message and "checkpoint series" in message


@pytest.mark.parametrize("name", ["task", "clock-add", pytest.param("identity", marks=pytest.mark.slow)])
def test_scenes_of_the_final_weights_render_from_one_checkpoint(paper_frames, monkeypatch, name):
    import importlib

    entry = next(e for e in SCENES if e.name == name)
    monkeypatch.setenv(FRAMES_ENV, str(paper_frames))
    dry_render(getattr(importlib.import_module(f"scenes.{entry.module}"), entry.cls))


def test_export_of_a_run_file_with_no_curves_at_all(paper_file, tmp_path):
    obj = torch.load(paper_file, weights_only=True)
    del obj["train_losses"], obj["test_losses"]
    path = tmp_path / "weights_only.pth"
    torch.save(obj, path)
    frames_path = save_frames(export_frames(load_run(path), show_progress=False), tmp_path / "w.npz")
    result = invoke("info", frames_path)
    assert result.exit_code == 0 and "test loss not recorded" in result.output
    with pytest.raises(SystemExit, match="records no train loss and no test loss"):
        SnakeCurve.script(load_frames(frames_path))
