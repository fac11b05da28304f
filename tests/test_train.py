import pytest
import torch

from training.checkpoints import RunDir
from training.train import train

from conftest import tiny_config

pytestmark = pytest.mark.numerics  # rounding-sensitive: run again under a second kernel setting (test.sh)


def test_tiny_run_train_loss_falls_and_files_are_laid_out(tiny_run):
    cfg, run = tiny_run
    obj = torch.load(run.run_file, weights_only=True)
    losses = obj["train_losses"]
    assert len(losses) == cfg.epochs == len(obj["test_losses"])
    assert losses[-1] < 0.1 * losses[0]
    assert obj["checkpoint_epochs"] == list(range(0, cfg.epochs + 1, cfg.checkpoint_every))
    assert len(obj["checkpoints"]) == len(obj["checkpoint_epochs"])
    assert set(obj) >= {
        "config",
        "model",
        "checkpoints",
        "checkpoint_epochs",
        "train_losses",
        "test_losses",
        "train_indices",
        "test_indices",
    }
    assert obj["config"]["d_vocab"] == cfg.p + 1 and obj["config"]["d_vocab_out"] == cfg.p
    assert obj["config"]["act_fn"] == "relu" and obj["config"]["normalization_type"] is None
    assert obj["config"]["training"]["lr"] == cfg.lr
    for name, tensor in obj["model"].items():
        assert torch.equal(tensor, obj["checkpoints"][-1][name])
    assert not list(run.root.rglob("*.partial"))


def test_checkpoint_weights_match_the_curves(tiny_run):
    """train_losses[e] belongs to the weights of the checkpoint at epoch e."""
    from training.data import all_pairs
    from training.model import Transformer, loss_fn

    cfg, run = tiny_run
    obj = torch.load(run.run_file, weights_only=True)
    tokens, labels = all_pairs(cfg.p)
    model = Transformer(cfg)
    for epoch, state in zip(obj["checkpoint_epochs"][:-1], obj["checkpoints"][:-1]):
        model.load_state_dict(state)
        with torch.no_grad():
            logits = model(tokens[obj["train_indices"]])
        loss = loss_fn(logits, labels[obj["train_indices"]]).item()
        assert loss == pytest.approx(obj["train_losses"][epoch], rel=1e-4)


def test_interrupted_and_resumed_run_ends_with_the_same_weights(tmp_path):
    cfg = tiny_config(epochs=200, checkpoint_every=40)
    reference = train(cfg, tmp_path / "straight", show_progress=False)

    def interrupt(epoch):
        if epoch == 130:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        train(cfg, tmp_path / "broken", show_progress=False, on_epoch=interrupt)
    broken = RunDir(tmp_path / "broken")
    assert torch.load(broken.state, weights_only=True)["epoch"] == 120  # last checkpoint kept
    first_checkpoint = broken.checkpoint(40).stat()

    resumed = train(cfg, tmp_path / "broken", show_progress=False)
    assert broken.checkpoint(40).stat().st_mtime_ns == first_checkpoint.st_mtime_ns  # never rewritten
    final = torch.load(resumed.run_file, weights_only=True)
    expected = torch.load(reference.run_file, weights_only=True)
    for name, tensor in expected["model"].items():
        assert torch.equal(final["model"][name], tensor), name
    assert final["train_losses"] == expected["train_losses"]
    assert final["checkpoint_epochs"] == expected["checkpoint_epochs"]


def test_extending_epochs_resumes_the_same_run(tmp_path):
    short = train(tiny_config(epochs=60, checkpoint_every=20), tmp_path / "run", show_progress=False)
    longer = train(tiny_config(epochs=100, checkpoint_every=20), tmp_path / "run", show_progress=False)
    straight = train(tiny_config(epochs=100, checkpoint_every=20), tmp_path / "straight", show_progress=False)
    a = torch.load(longer.run_file, weights_only=True)
    b = torch.load(straight.run_file, weights_only=True)
    assert short.root == longer.root and len(a["train_losses"]) == 100
    assert all(torch.equal(a["model"][k], b["model"][k]) for k in b["model"])


def test_a_run_directory_refuses_other_settings(tmp_path):
    from frames.errors import GrokError

    train(tiny_config(epochs=20, checkpoint_every=10), tmp_path / "run", show_progress=False)
    with pytest.raises(GrokError, match="other settings"):
        train(tiny_config(epochs=20, checkpoint_every=10, lr=1e-2), tmp_path / "run", show_progress=False)


@pytest.mark.slow
def test_kill_9_then_rerun_resumes(tmp_path):
    """A real SIGKILL mid-run, then the same command again."""
    import os
    import signal
    import subprocess
    import sys
    import time

    args = [
        sys.executable,
        "-m",
        "grok.cli",
        "make-data",
        "--p",
        "23",
        "--d-model",
        "32",
        "--n-heads",
        "2",
        "--d-head",
        "16",
        "--d-mlp",
        "64",
        "--epochs",
        "3000",
        "--checkpoint-every",
        "100",
        "--device",
        "cpu",
        "--quiet",
        "--run-dir",
        str(tmp_path / "run"),
        "--out",
        str(tmp_path / "f.npz"),
    ]
    proc = subprocess.Popen(args)
    state = tmp_path / "run" / "state.pt"
    while not (state.exists() and torch.load(state, weights_only=True)["epoch"] >= 500):
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not (tmp_path / "f.npz").exists()
    subprocess.run(args, check=True)
    assert (tmp_path / "f.npz").exists()


def test_fresh_refuses_to_delete_a_folder_that_holds_no_run(tmp_path):
    from frames.errors import GrokError

    precious = tmp_path / "thesis"
    precious.mkdir()
    (precious / "chapter1.tex").write_text("...")
    with pytest.raises(GrokError, match="refusing to delete"):
        train(tiny_config(epochs=10), precious, fresh=True, show_progress=False)
    assert (precious / "chapter1.tex").exists()


def test_eval_every_records_the_test_curve_at_its_step_and_trains_the_same(tmp_path):
    """--eval-every N skips the test split on the other epochs: the weights are the same to the bit, the test curve
    is the every-epoch curve's every N-th value, and the frames place it at epochs 0, N, 2N, ..."""
    from frames import load_frames, save_frames
    from training.checkpoints import load_run
    from training.export import export_frames

    every = train(tiny_config(epochs=47, checkpoint_every=10), tmp_path / "every", show_progress=False)
    sparse = train(tiny_config(epochs=47, checkpoint_every=10, eval_every=5), tmp_path / "sparse", show_progress=False)
    full, thin = (torch.load(run.run_file, weights_only=True) for run in (every, sparse))
    for name, weights in full["model"].items():
        assert torch.equal(thin["model"][name], weights), name
    assert thin["train_losses"] == full["train_losses"] and len(thin["test_losses"]) == 10  # epochs 0, 5, ..., 45
    assert thin["test_losses"] == full["test_losses"][::5] and thin["test_accs"] == full["test_accs"][::5]
    f = load_frames(save_frames(export_frames(load_run(sparse.run_file), show_progress=False), tmp_path / "f.npz"))
    assert f["test_loss_epochs"].tolist() == list(range(0, 47, 5)) and len(f["train_loss_epochs"]) == 47
