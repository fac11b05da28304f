"""Shared fixtures: one tiny real training run, reused by the tests that need a trained model, and a
run file in the paper's layout made from a real run's weights."""

import math
import os

import numpy as np
import pytest
import torch

from training.config import make_config

# Two threads unless told otherwise: the suite must pass at any count (docs/machines.md),
# and OMP_NUM_THREADS is how a run under another count is asked for.
if "OMP_NUM_THREADS" not in os.environ:
    torch.set_num_threads(2)


def tiny_config(**overrides):
    """Small p and a narrow model: a few hundred full-batch epochs take a second or two."""
    fields = dict(
        p=23,
        d_model=32,
        n_heads=2,
        d_head=16,
        d_mlp=64,
        lr=3e-3,
        wd=1.0,
        train_frac=0.5,
        epochs=300,
        checkpoint_every=50,
        device="cpu",
    )
    fields.update(overrides)
    return make_config("nanda", **fields)


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory):
    from training.train import train

    cfg = tiny_config()
    return cfg, train(cfg, tmp_path_factory.mktemp("runs") / "tiny", show_progress=False)


@pytest.fixture(scope="session")
def tiny_frames(tiny_run, tmp_path_factory):
    from frames import save_frames
    from training.checkpoints import load_run
    from training.export import export_frames

    _, run = tiny_run
    path = tmp_path_factory.mktemp("frames") / "tiny.npz"
    return save_frames(export_frames(load_run(run.run_file), show_progress=False), path)


# The grokking fixtures must grok, with their phases in order, under any machine's rounding: each run is trained
# well past its grokking under six kernel settings (`python bench/kernel_spread.py --fixture grokked`,
# docs/machines.md), so that a test of what grokking shows never hangs on when it happens.
GROKKING_FIELDS = dict(
    p=23,
    d_model=128,
    n_heads=4,
    d_head=32,
    d_mlp=512,
    lr=3e-3,
    wd=1.0,
    train_frac=0.6,
    epochs=1200,
    checkpoint_every=100,
    device="cpu",
)


@pytest.fixture(scope="session")
def grokked_run(tmp_path_factory):
    """A real run that groks: p = 23, full-width model, ~10 s on 2 cores (train accuracy 99 % at epoch 36, test
    accuracy 99 % at 535-552 and clean-up from 500-900 under six kernel settings: grokked with 650 epochs to spare)."""
    from training.train import train

    return train(
        make_config("nanda", **GROKKING_FIELDS), tmp_path_factory.mktemp("grokked") / "run", show_progress=False
    )


@pytest.fixture(scope="session")
def grokked_frames(grokked_run, tmp_path_factory):
    """The grokking run, exported to frames."""
    from frames import save_frames
    from training.checkpoints import load_run
    from training.export import export_frames

    path = tmp_path_factory.mktemp("grokked") / "grokked.npz"
    return save_frames(export_frames(load_run(grokked_run.run_file), show_progress=False), path)


def to_paper_layout(state, p):
    """TransformerLens layout -> the paper's released layout (science.md), written independently."""
    W_O = state["blocks.0.attn.W_O"]  # [h, d_head, d_model]
    W_U = state["unembed.W_U"]
    return {
        "embed.W_E": state["embed.W_E"].T.clone(),  # [d_model, d_vocab]
        "pos_embed.W_pos": state["pos_embed.W_pos"].clone(),
        "blocks.0.attn.W_Q": state["blocks.0.attn.W_Q"].transpose(1, 2).clone(),  # [h, d_head, d_model]
        "blocks.0.attn.W_K": state["blocks.0.attn.W_K"].transpose(1, 2).clone(),
        "blocks.0.attn.W_V": state["blocks.0.attn.W_V"].transpose(1, 2).clone(),
        "blocks.0.attn.W_O": W_O.permute(2, 0, 1).reshape(W_O.shape[2], -1).clone(),  # [d_model, h*d_head]
        "blocks.0.attn.mask": torch.tril(torch.ones(3, 3)),
        "blocks.0.mlp.W_in": state["blocks.0.mlp.W_in"].T.clone(),  # [d_mlp, d_model]
        "blocks.0.mlp.b_in": state["blocks.0.mlp.b_in"].clone(),
        "blocks.0.mlp.W_out": state["blocks.0.mlp.W_out"].T.clone(),  # [d_model, d_mlp]
        "blocks.0.mlp.b_out": state["blocks.0.mlp.b_out"].clone(),
        "unembed.W_U": torch.cat([W_U, torch.randn(W_U.shape[0], 1)], dim=1),  # p + 1 outputs
    }


def grokking_losses(n_epochs: int, p: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """[n_epochs] train and test losses shaped like a grokking run's (train falls at once; test climbs
    above ln p, holds, collapses at 40 % of the run), with the noise and the spikes of long runs."""
    rng = np.random.default_rng(seed)
    t = np.arange(n_epochs) / n_epochs
    train = np.exp(np.interp(t, [0, 0.01, 1], [math.log(math.log(p)), math.log(1e-6), math.log(1e-7)]))
    test = np.exp(
        np.interp(
            t,
            [0, 0.01, 0.4, 0.45, 1],
            [math.log(math.log(p)), math.log(30), math.log(25), math.log(1e-6), math.log(1e-7)],
        )
    )
    noise = np.exp(rng.normal(scale=0.1, size=(2, n_epochs)))
    spikes = np.ones(n_epochs)
    spikes[rng.choice(n_epochs, 5, replace=False)] = 1e4  # single-epoch loss spikes
    return train * noise[0] * spikes, test * noise[1]


def write_paper_file(path, state, p, n_epochs, test_every=10, wd=0.0):
    """A run file in the layout of Nanda et al.'s released runs, with their quirks: final weights only
    (no checkpoint series), no config, no accuracy curve, test loss every `test_every` epochs, and
    the optimizer's and scheduler's states (AdamW, weight decay `wd`, a warm-up LambdaLR)."""
    optimizer = torch.optim.AdamW([torch.nn.Parameter(torch.zeros(1))], lr=1e-3, weight_decay=wd, betas=(0.9, 0.98))
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: min(step / 10, 1))
    for _ in range(3):
        optimizer.step()
        scheduler.step()
    train, test = grokking_losses(n_epochs, p)
    torch.save(
        {
            "model": to_paper_layout(state, p),
            "optimizer": optimizer.state_dict(),
            "scheduler": scheduler.state_dict(),
            "train_losses": train.tolist(),
            "test_losses": test[::test_every].tolist(),
            "epoch": n_epochs,
        },
        path,
    )
    return path


@pytest.fixture(scope="session")
def paper_file(grokked_run, tmp_path_factory):
    """The grokking run's final weights in the paper's layout, 5,000 epochs of curves."""
    state = torch.load(grokked_run.run_file, weights_only=True)["model"]
    return write_paper_file(
        tmp_path_factory.mktemp("paper") / "mod_addition_no_wd.pth", state, GROKKING_FIELDS["p"], 5_000
    )


@pytest.fixture(scope="session")
def paper_frames(paper_file, tmp_path_factory):
    from frames import save_frames
    from training.checkpoints import load_run
    from training.export import export_frames

    path = tmp_path_factory.mktemp("paper") / "paper.npz"
    return save_frames(export_frames(load_run(paper_file), show_progress=False), path)


MUL_GROKKING_FIELDS = dict(GROKKING_FIELDS, op="mul", p=31, epochs=1500)


@pytest.fixture(scope="session")
def grokked_mul_frames(tmp_path_factory):
    """A real run of (a × b) mod 31 that groks: full-width model, ~15 s on 2 idle cores (train accuracy 99 % at
    epoch 59-60, test accuracy 99 % at 826-869 under six kernel settings, 100 % at the end), exported to frames in
    discrete-log coordinates."""
    from frames import save_frames
    from training.checkpoints import load_run
    from training.export import export_frames
    from training.train import train

    root = tmp_path_factory.mktemp("grokked-mul")
    run = train(make_config("nanda", **MUL_GROKKING_FIELDS), root / "run", show_progress=False)
    return save_frames(export_frames(load_run(run.run_file), show_progress=False), root / "mul.npz")
