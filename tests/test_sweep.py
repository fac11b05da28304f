"""Batched runs: the same results as training the runs one by one, and the sweep's files."""
import csv

import pytest
import torch
from click.testing import CliRunner

from grok.cli import main
from training.config import GrokError
from training.sweep import BatchedAdamW, sweep_configs, train_sweep
from training.train import train
from conftest import tiny_config


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


def test_sweep_equals_training_the_runs_one_by_one(tmp_path):
    base = tiny_config(epochs=40, checkpoint_every=20)
    cfgs = sweep_configs(base, {"seed": [1, 2], "wd": [1.0, 2.0], "train_frac": [0.3, 0.5]})
    cfgs = [cfgs[0], cfgs[3], cfgs[6]]                       # seeds, weight decays and fractions all differ
    cfgs[2] = cfgs[2].__class__(**{**cfgs[2].to_dict(), "lr": 1e-3})
    runs = train_sweep(cfgs, tmp_path / "sweep", show_progress=False)
    for cfg, run in zip(cfgs, runs):
        together = torch.load(run.run_file, weights_only=True)
        alone = torch.load(train(cfg, tmp_path / f"alone-{run.root.name}", show_progress=False).run_file,
                           weights_only=True)
        assert together["checkpoint_epochs"] == alone["checkpoint_epochs"] == [0, 20, 40]
        assert torch.equal(together["train_indices"], alone["train_indices"])
        for curve in ("train_losses", "test_losses"):
            torch.testing.assert_close(torch.tensor(together[curve]), torch.tensor(alone[curve]), rtol=1e-4, atol=1e-6)
        for name, weights in alone["model"].items():
            torch.testing.assert_close(together["model"][name], weights, rtol=0, atol=1e-4, msg=name)
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
    assert len(together["train_indices"]) + len(together["test_indices"]) == 11 * 10     # div: b = 0 left out
    torch.testing.assert_close(torch.tensor(together["train_losses"]), torch.tensor(alone["train_losses"]),
                               rtol=1e-4, atol=1e-6)


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
    args = ["sweep", "--p", "23", "--epochs", "400", "--checkpoint-every", "100", "--train-frac", "0.5,0.7",
            "--lr", "3e-3", "--wd", "1", "--device", "cpu", "--out", str(out), "--quiet"]
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
