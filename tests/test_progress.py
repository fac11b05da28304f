"""Progress measures on inputs whose answers are known."""

import math

import numpy as np
import pytest
import torch

from training.data import all_pairs
from training.fourier import cluster_neurons, fourier_basis, key_frequencies
from training.model import loss_fn
from training.progress import (
    PROGRESS_KEYS,
    Coordinates,
    checkpoint_measures,
    gini,
    key_directions,
    key_frequencies_from_logits,
    logit_frequency_shares,
    phase_starts,
    restricted_and_excluded_logits,
)

P = 31
KEYS = [4, 9, 13]


def cosine_logits(p, keys, scale=1.0):
    """logits[a*p + b, c] = scale * sum_k cos(w_k (a + b - c))."""
    tokens, _ = all_pairs(p)
    s = (tokens[:, 0] + tokens[:, 1]).double()[:, None] - torch.arange(p, dtype=torch.float64)[None]
    return scale * sum(torch.cos(2 * math.pi * k * s / p) for k in keys)


def test_key_directions_are_orthonormal():
    d = key_directions(P, KEYS)
    assert d.shape == (P * P, 6)
    torch.testing.assert_close(d.T @ d, torch.eye(6, dtype=torch.float64))
    assert torch.allclose(d.sum(dim=0), torch.zeros(6, dtype=torch.float64), atol=1e-9)  # orthogonal to const


def test_cosine_logit_table_gives_its_frequencies_and_losses():
    logits = cosine_logits(P, KEYS, scale=3.0)
    _, labels = all_pairs(P)
    sums = Coordinates.of("add", P).answers
    assert key_frequencies_from_logits(logits, sums, P) == KEYS
    shares = logit_frequency_shares(logits, sums, P)
    torch.testing.assert_close(shares[[k - 1 for k in KEYS]], torch.full((3,), 1 / 3, dtype=torch.float64))
    restricted, excluded = restricted_and_excluded_logits(logits, key_directions(P, KEYS))
    assert loss_fn(restricted, labels).item() == __import__("pytest").approx(loss_fn(logits, labels).item(), abs=1e-9)
    assert loss_fn(excluded, labels).item() == __import__("pytest").approx(math.log(P), abs=1e-9)
    # dropping one key frequency from the projection hurts the restricted loss
    partial, _ = restricted_and_excluded_logits(logits, key_directions(P, KEYS[:2]))
    assert loss_fn(partial, labels) > loss_fn(logits, labels) + 0.1


def test_restricted_loss_keeps_the_per_output_mean():
    logits = cosine_logits(P, KEYS) + torch.linspace(0, 1, P, dtype=torch.float64)[None]
    restricted, _ = restricted_and_excluded_logits(logits, key_directions(P, KEYS))
    torch.testing.assert_close(restricted, logits)


def test_gini_extremes():
    n = 112
    one_hot = torch.zeros(n, dtype=torch.float64)
    one_hot[17] = 3.0
    assert gini(one_hot).item() == __import__("pytest").approx(1 - 1 / n)
    assert gini(torch.full((n,), 0.7, dtype=torch.float64)).item() == __import__("pytest").approx(0.0, abs=1e-12)
    batch = torch.stack([one_hot, torch.ones(n, dtype=torch.float64)])
    torch.testing.assert_close(gini(batch), torch.tensor([1 - 1 / n, 0.0], dtype=torch.float64))


def test_measures_of_a_random_checkpoint_are_unstructured():
    from training.model import Transformer

    from conftest import tiny_config

    cfg = tiny_config(p=P, d_model=128, n_heads=4, d_head=32, d_mlp=512)
    torch.manual_seed(0)
    model = Transformer(cfg)
    tokens, labels = all_pairs(P)
    with torch.no_grad():
        logits = model(tokens)
    idx = torch.arange(P * P)
    m = checkpoint_measures(
        model.state_dict(),
        logits,
        labels,
        idx[::3],
        idx[1::3],
        key_directions(P, KEYS),
        fourier_basis(P),
        Coordinates.of("add", P),
    )
    assert set(m) == set(PROGRESS_KEYS)  # every declared measure, no other
    assert m["progress_gini_W_E"] < 0.3 and m["progress_gini_W_L"] < 0.3  # not sparse at init
    expected_sq = sum(p.double().square().sum().item() for n, p in model.named_parameters() if p.requires_grad)
    assert m["progress_sum_sq_weights"] == __import__("pytest").approx(expected_sq)
    assert (
        abs(m["progress_excluded_loss"] - math.log(P)) < 0.5 and abs(m["progress_restricted_loss"] - math.log(P)) < 0.5
    )
    assert not key_frequencies(
        *cluster_neurons(torch.relu(torch.randn(P, P, 512, dtype=torch.float64)), fourier_basis(P))[::2], d_mlp=512
    )


def test_phase_starts_follow_the_excluded_loss():
    epochs = np.arange(0, 1000, 100)
    excluded = np.array([5, 3, 1, 2, 4, 6, 5, 3, 1, 0.5])
    assert phase_starts(epochs, excluded).tolist() == [0, 200, 500]
    still_rising = np.array([5, 3, 1, 2, 3, 4, 5, 6, 7, 8])
    assert phase_starts(epochs, still_rising).tolist() == [0, 200, -1]


@pytest.mark.numerics
def test_a_real_run_that_groks_shows_the_papers_ordering(grokked_frames):
    """On a small real run: the restricted loss falls below 1 no later than the test loss, the
    circuit's frequencies get sparse, and the phases come in order."""
    from frames import load_frames, milestones

    f = load_frames(grokked_frames)
    m = milestones(f)
    assert f["grokked"] and len(f["key_freqs"]) >= 1
    assert m["clustered_share"] > 0.3
    assert 0 <= m["restricted_loss_below_1_epoch"] <= m["test_loss_below_1_epoch"]
    assert m["gini_W_E_end"] > m["gini_W_E_start"] + 0.2 and m["gini_W_L_end"] > m["gini_W_L_start"] + 0.2
    assert m["gini_W_E_start"] < 0.3  # no sparsity at init (constant term left out)
    starts = f["phase_starts"]
    assert starts[0] == 0 and 0 < starts[1] < starts[2]
    assert m["train_acc_99_epoch"] < m["test_acc_99_epoch"]
