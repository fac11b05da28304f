"""Batched runs: the same results as training the runs one by one, and the sweep's files."""

import csv
import dataclasses

import numpy as np
import pytest
import torch
from click.testing import CliRunner

from frames.errors import GrokError
from grok.cli import main
from training.sweep import BatchedAdamW, sweep_configs, train_sweep
from training.train import train

from conftest import tiny_config

pytestmark = pytest.mark.numerics  # rounding-sensitive: run again under a second kernel setting (test.sh)


def test_batched_adamw_matches_torch_adamw_per_run():
    torch.manual_seed(0)
    lrs, wds = [1e-3, 3e-3, 1e-2], [0.0, 1.0, 2.0]
    stacked = torch.randn(3, 4, 5, requires_grad=True)
    singles = [stacked[r].detach().clone().requires_grad_() for r in range(3)]
    ours = BatchedAdamW([stacked], lr=torch.tensor(lrs), wd=torch.tensor(wds), betas=(0.9, 0.98))
    theirs = [torch.optim.AdamW([s], lr=lr, weight_decay=wd, betas=(0.9, 0.98)) for s, lr, wd in zip(singles, lrs, wds)]
    for _ in range(5):
        grads = torch.randn(3, 4, 5)
        stacked.grad = grads.clone()
        ours.step()
        for r, (single, optimizer) in enumerate(zip(singles, theirs)):
            single.grad = grads[r].clone()
            optimizer.step()
    for r in range(3):
        torch.testing.assert_close(stacked[r].detach(), singles[r].detach(), atol=1e-7, rtol=1e-6)


UNIT_ROUNDOFF = 2.0**-24  # float32: one rounding moves a weight by at most this much, relatively
ROUNDINGS = 10  # how many roundings' worth of difference a step of the other code may make


def get_nudges(cfg) -> list:
    """The run's settings moved by a rounding each: weight decay raised so that AdamW's decay (1 - lr wd)
    shrinks every weight by exactly one more unit roundoff per step, and the learning rate a rounding up
    and a rounding down (each update moved by a rounding, in its own sign)."""
    return [
        dataclasses.replace(cfg, wd=cfg.wd + UNIT_ROUNDOFF / cfg.lr),
        dataclasses.replace(cfg, lr=cfg.lr * (1 + 2 * UNIT_ROUNDOFF)),
        dataclasses.replace(cfg, lr=cfg.lr * (1 - 2 * UNIT_ROUNDOFF)),
    ]


def rounding_yardstick(cfg, alone: dict, root) -> tuple[float, float]:
    """How far this run drifts, on this machine, from one extra rounding at every step.

    A sweep and a lone run round differently (batched kernels against single ones, a padded mean, another
    AdamW): each step may move each weight by a rounding or so, and training amplifies what it is given,
    by how much depends on the run, the epoch, the machine's kernels and which rounding it is given: the
    first tiny run of test_sweep_equals_training_the_runs_one_by_one drifts 4.6e-5 relative in its train
    loss from some one-rounding nudges and 1e-7 from others, and which ones differs between an Intel Xeon
    under AVX2 and under AVX-512 kernels. So the tolerance is measured, not typed: the same run is
    trained alone once per nudge (get_nudges), and the largest drift counts. Returns that largest relative
    train-loss difference and largest weight difference from `alone`, each at least one rounding."""
    loss = torch.tensor(alone["train_losses"], dtype=torch.float64)
    largest = max(w.abs().max().item() for w in alone["model"].values())
    loss_spread, weight_spread = UNIT_ROUNDOFF, UNIT_ROUNDOFF * largest
    for n, nudged_cfg in enumerate(get_nudges(cfg)):
        nudged = torch.load(train(nudged_cfg, root / str(n), show_progress=False).run_file, weights_only=True)
        nudged_loss = torch.tensor(nudged["train_losses"], dtype=torch.float64)
        loss_spread = max(loss_spread, ((nudged_loss - loss).abs() / loss).max().item())
        weight_spread = max(
            weight_spread, *((nudged["model"][name] - w).abs().max().item() for name, w in alone["model"].items())
        )
    return loss_spread, weight_spread


def assert_same_run(together: dict, alone: dict, cfg, root) -> None:
    """The sweep's run is the lone run up to what rounding can do (rounding_yardstick); a run mixed with
    another, or trained with another's lr or wd, differs by orders of magnitude more."""
    loss_spread, weight_spread = rounding_yardstick(cfg, alone, root)
    assert ROUNDINGS * loss_spread < 1e-2, "rounding alone moves this run too far for the test to mean anything"
    assert together["checkpoint_epochs"] == alone["checkpoint_epochs"]
    assert torch.equal(together["train_indices"], alone["train_indices"])
    for curve in ("train_losses", "test_losses"):
        ours, theirs = (torch.tensor(run[curve], dtype=torch.float64) for run in (together, alone))
        difference = ((ours - theirs).abs() / theirs).max().item()
        assert difference <= ROUNDINGS * loss_spread, (
            f"{curve}: {difference:.2e} relative, rounding gives {loss_spread:.2e}"
        )
    for name, weights in alone["model"].items():
        difference = (together["model"][name] - weights).abs().max().item()
        assert difference <= ROUNDINGS * weight_spread, f"{name}: {difference:.2e}, rounding gives {weight_spread:.2e}"


def test_rounding_yardstick_is_a_rounding_and_no_more(tmp_path):
    """The nudge is one rounding per step: the lone run against itself measures 0, and a setting that differs
    by more than rounding (another seed) lies far outside ROUNDINGS yardsticks."""
    cfg = tiny_config(epochs=40, checkpoint_every=20)
    alone = torch.load(train(cfg, tmp_path / "alone", show_progress=False).run_file, weights_only=True)
    loss_spread, _ = rounding_yardstick(cfg, alone, tmp_path / "nudged")
    other = torch.load(
        train(dataclasses.replace(cfg, seed=cfg.seed + 1), tmp_path / "other", show_progress=False).run_file,
        weights_only=True,
    )
    with pytest.raises(AssertionError):
        assert_same_run(other, alone, cfg, tmp_path / "nudged-again")
    assert ROUNDINGS * loss_spread < 1e-2


def test_sweep_equals_training_the_runs_one_by_one(tmp_path):
    base = tiny_config(epochs=40, checkpoint_every=20)
    cfgs = sweep_configs(base, {"seed": [1, 2], "wd": [1.0, 2.0], "train_frac": [0.3, 0.5]})
    cfgs = [cfgs[0], cfgs[3], cfgs[6]]  # seeds, weight decays and fractions all differ
    cfgs[2] = cfgs[2].__class__(**{**cfgs[2].to_dict(), "lr": 1e-3})
    runs = train_sweep(cfgs, tmp_path / "sweep", show_progress=False)
    for n, (cfg, run) in enumerate(zip(cfgs, runs)):
        together = torch.load(run.run_file, weights_only=True)
        alone = torch.load(
            train(cfg, tmp_path / f"alone-{run.root.name}", show_progress=False).run_file, weights_only=True
        )
        assert together["checkpoint_epochs"] == [0, 20, 40]
        assert_same_run(together, alone, cfg, tmp_path / f"nudged-{n}")
    losses = [torch.load(run.run_file, weights_only=True)["train_losses"][-1] for run in runs]
    assert len(set(losses)) == 3  # the runs really differ


def test_a_sweep_over_operations_trains_each_on_its_own_labels(tmp_path):
    base = tiny_config(p=11, epochs=20, checkpoint_every=20)
    cfgs = sweep_configs(base, {"op": ["add", "div", "pow:3,3"]})
    assert [cfg.op for cfg in cfgs] == ["add", "div", "pow:3,3"]
    runs = train_sweep(cfgs, tmp_path / "sweep", show_progress=False)
    assert [run.root.name.split("-")[0] for run in runs] == ["seed999", "div", "pow3"]
    rows = list(csv.DictReader(open(tmp_path / "sweep" / "summary.csv")))
    assert [row["op"] for row in rows] == ["add", "div", "pow:3,3"]
    together = torch.load(runs[1].run_file, weights_only=True)
    alone = torch.load(train(cfgs[1], tmp_path / "alone", show_progress=False).run_file, weights_only=True)
    assert len(together["train_indices"]) + len(together["test_indices"]) == 11 * 10  # div: b = 0 left out
    assert_same_run(together, alone, cfgs[1], tmp_path / "nudged")


def test_sweep_rejects_mixed_shapes_and_foreign_directories(tmp_path):
    base = tiny_config(epochs=2)
    with pytest.raises(GrokError, match="cannot sweep"):
        sweep_configs(base, {"d_mlp": [32, 64]})
    mixed = [base, base.__class__(**{**base.to_dict(), "p": 29, "seed": 5})]
    with pytest.raises(GrokError, match="must share p"):
        train_sweep(mixed, tmp_path / "s", show_progress=False)
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    with pytest.raises(GrokError, match="not empty"):
        train_sweep([base], tmp_path / "mine", show_progress=False)
    assert (tmp_path / "mine" / "notes.txt").exists()


def test_grok_sweep_writes_runs_frames_and_summary(tmp_path):
    out = tmp_path / "sweep"
    args = [
        "sweep",
        "--p",
        "23",
        "--epochs",
        "400",
        "--checkpoint-every",
        "100",
        "--train-frac",
        "0.5,0.7",
        "--lr",
        "3e-3",
        "--wd",
        "1",
        "--device",
        "cpu",
        "--out",
        str(out),
        "--quiet",
    ]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(open(out / "summary.csv")))
    assert [float(r["train_frac"]) for r in rows] == [0.5, 0.7]
    for row in rows:
        assert (out / row["name"] / "frames.npz").exists() and (out / row["name"] / "run.pth").exists()
        assert 0 <= int(row["memorise_epoch"]) < 400
        grok = int(row["grok_epoch"])
        assert grok == -1 or int(row["memorise_epoch"]) <= grok
    assert CliRunner().invoke(main, ["sweep", "--wd", "1,x"]).exit_code == 2
    bad = CliRunner().invoke(main, ["sweep", "--p", "24", "--out", str(tmp_path / "bad")])
    assert bad.exit_code == 1 and "prime" in bad.output and not (tmp_path / "bad").exists()


class Interrupt(Exception):
    pass


def interrupt_at(stop: int):
    def on_epoch(epoch: int):
        if epoch == stop:
            raise Interrupt

    return on_epoch


def tiny_grid(**overrides):
    return sweep_configs(
        tiny_config(epochs=60, checkpoint_every=20, **overrides),
        {"seed": [0, 1], "wd": [0.5, 2.0], "train_frac": [0.3, 0.6]},
    )


def test_an_interrupted_sweep_resumes_to_the_same_runs(tmp_path):
    grid = tiny_grid()
    train_sweep(grid, tmp_path / "whole", show_progress=False)
    with pytest.raises(Interrupt):
        train_sweep(grid, tmp_path / "cut", show_progress=False, on_epoch=interrupt_at(37))
    state = torch.load(tmp_path / "cut" / "state.pt", weights_only=True)
    assert state["epoch"] == 20 and not (tmp_path / "cut" / "summary.csv").exists()
    started = []
    train_sweep(grid, tmp_path / "cut", show_progress=False, on_epoch=started.append)
    assert started[0] == 20  # resumed at the last checkpoint, not from 0
    assert (tmp_path / "cut" / "summary.csv").read_text() == (tmp_path / "whole" / "summary.csv").read_text()
    for row in csv.DictReader(open(tmp_path / "whole" / "summary.csv")):
        whole, cut = (
            torch.load(tmp_path / folder / row["name"] / "run.pth", weights_only=True) for folder in ("whole", "cut")
        )
        assert whole["train_losses"] == cut["train_losses"] and whole["checkpoint_epochs"] == cut["checkpoint_epochs"]
        for name, weights in whole["model"].items():
            assert torch.equal(weights, cut["model"][name]), name
    again = []
    train_sweep(grid, tmp_path / "cut", show_progress=False, on_epoch=again.append)
    assert again == []  # finished: nothing is trained twice


def test_a_sweep_folder_refuses_another_sweep_unless_fresh(tmp_path):
    train_sweep(tiny_grid()[:2], tmp_path / "s", show_progress=False)
    other = sweep_configs(tiny_config(epochs=60, checkpoint_every=20), {"wd": [3.0]})
    with pytest.raises(GrokError, match="holds another sweep .* use --fresh"):
        train_sweep(other, tmp_path / "s", show_progress=False)
    runs = train_sweep(other, tmp_path / "s", fresh=True, show_progress=False)
    assert sorted(p.name for p in (tmp_path / "s").iterdir() if p.is_dir()) == [runs[0].root.name]


def test_a_grid_too_large_to_list_is_refused_before_any_config_is_built():
    values = {"seed": list(range(1000)), "split_seed": list(range(1000))}
    with pytest.raises(GrokError, match="a grid of 1,000,000 runs; at most 100,000"):
        sweep_configs(tiny_config(), values)


def test_a_sweep_too_large_for_memory_is_told_how_many_shards_fit(tmp_path, monkeypatch):
    import re

    from training import memory
    from training.config import make_config

    grid = sweep_configs(make_config("quick", device="cpu"), {"seed": list(range(6)), "wd": [0.5, 1, 2, 3, 4, 5]})
    need = memory.estimate(grid)
    monkeypatch.setattr(memory, "available_memory", lambda: memory.TORCH_PROCESS_BYTES + need.training / 5)
    with pytest.raises(GrokError, match="this sweep of 36 runs needs about") as refused:
        memory.check_fits(grid, torch.device("cpu"), tmp_path)
    shards = int(re.search(r"--shard i/(\d+) ", str(refused.value)).group(1))
    assert shards >= 5
    for index in range(shards):  # each shard the advice names fits
        memory.check_fits([grid[g] for g in range(index, len(grid), shards)], torch.device("cpu"), tmp_path)


def test_the_shards_of_a_sweep_merge_into_the_whole_sweep(tmp_path):
    from training.merge import merge_shards

    grid = tiny_grid()  # 8 runs
    train_sweep(grid, tmp_path / "whole", show_progress=False)
    shards = [tmp_path / f"shard-{i}" for i in range(3)]
    held = []
    for i, folder in enumerate(shards):
        held += [run.root.name for run in train_sweep(grid, folder, shard=(i, 3), show_progress=False)]
    assert sorted(held) == sorted(row["name"] for row in csv.DictReader(open(tmp_path / "whole" / "summary.csv")))
    rows = merge_shards(list(reversed(shards)), tmp_path / "merged")  # any order
    assert len(rows) == 8
    assert (tmp_path / "merged" / "summary.csv").read_text() == (tmp_path / "whole" / "summary.csv").read_text()
    whole, merged = (np.load(tmp_path / folder / "sweep.npz") for folder in ("whole", "merged"))
    assert sorted(whole.files) == sorted(merged.files)
    for key in whole.files:
        np.testing.assert_array_equal(whole[key], merged[key], err_msg=key)
    with pytest.raises(GrokError, match="shard 1 of 3 is missing"):
        merge_shards([shards[0], shards[2]], tmp_path / "merged")
    with pytest.raises(GrokError, match="both shard 0/3"):
        merge_shards([shards[0], shards[0], shards[1]], tmp_path / "merged")
    with pytest.raises(GrokError, match="another sweep"):
        merge_shards([*shards, tmp_path / "whole"], tmp_path / "merged")
    with pytest.raises(GrokError, match="holds no run: the grid has 8"):
        train_sweep(grid, tmp_path / "none", shard=(8, 9), show_progress=False)
