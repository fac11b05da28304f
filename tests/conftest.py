"""Shared fixtures: one tiny real training run, reused by the tests that need a trained model."""
import pytest
import torch

from training.config import make_config

torch.set_num_threads(2)


def tiny_config(**overrides):
    """Small p and a narrow model: a few hundred full-batch epochs take a second or two."""
    fields = dict(p=23, d_model=32, n_heads=2, d_head=16, d_mlp=64, lr=3e-3, wd=1.0,
                  train_frac=0.5, epochs=300, checkpoint_every=50, device="cpu")
    fields.update(overrides)
    return make_config("nanda", **fields)


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory):
    from training.train import train

    cfg = tiny_config()
    return cfg, train(cfg, tmp_path_factory.mktemp("runs") / "tiny", show_progress=False)


@pytest.fixture(scope="session")
def tiny_frames(tiny_run, tmp_path_factory):
    from training.checkpoints import load_run
    from training.export import export_frames
    from frames import save_frames

    _, run = tiny_run
    path = tmp_path_factory.mktemp("frames") / "tiny.npz"
    return save_frames(export_frames(load_run(run.run_file), show_progress=False), path)


GROKKING_FIELDS = dict(p=23, d_model=128, n_heads=4, d_head=32, d_mlp=512, lr=3e-3, wd=1.0, train_frac=0.6,
                       epochs=700, checkpoint_every=50, device="cpu")


@pytest.fixture(scope="session")
def grokked_frames(tmp_path_factory):
    """A real run that groks: p = 23, full-width model, ~15 s on 2 cores (test accuracy 99 % near
    epoch 500, train accuracy near 40), exported to frames."""
    from training.checkpoints import load_run
    from training.export import export_frames
    from frames import save_frames
    from training.train import train

    root = tmp_path_factory.mktemp("grokked")
    run = train(make_config("nanda", **GROKKING_FIELDS), root / "run", show_progress=False)
    return save_frames(export_frames(load_run(run.run_file), show_progress=False), root / "grokked.npz")


MUL_GROKKING_FIELDS = dict(GROKKING_FIELDS, op="mul", p=31, epochs=900)


@pytest.fixture(scope="session")
def grokked_mul_frames(tmp_path_factory):
    """A real run of (a × b) mod 31 that groks: full-width model, ~15 s on 2 cores (train accuracy 99 %
    near epoch 60, test accuracy 99 % near epoch 750), exported to frames in discrete-log coordinates."""
    from training.checkpoints import load_run
    from training.export import export_frames
    from frames import save_frames
    from training.train import train

    root = tmp_path_factory.mktemp("grokked-mul")
    run = train(make_config("nanda", **MUL_GROKKING_FIELDS), root / "run", show_progress=False)
    return save_frames(export_frames(load_run(run.run_file), show_progress=False), root / "mul.npz")
