"""The analysis in an operation's own coordinates, on synthetic tables whose answers are known."""

import math

import numpy as np
import pytest
import torch

from frames.operations import parse_operation
from training.data import all_pairs
from training.export import embed_clock
from training.fourier import cluster_neurons, fourier_basis, frequency_shares
from training.model import loss_fn
from training.progress import (
    Coordinates,
    checkpoint_measures,
    key_frequencies_from_logits,
    logit_frequency_shares,
    restricted_and_excluded_logits,
    wave_directions,
)

KEYS = [3, 7]


def group_logits(op: str, p: int, keys: list[int], scale: float = 4.0) -> torch.Tensor:
    """[p*p, p] logits scale * sum_k cos(w_k (u(a) + v(b) - w(c))) over the group, w_k = 2 pi k / M;
    constant (-scale) for pairs and answers outside the group."""
    r = parse_operation(op).relabelling(p)
    u, v, w = (torch.from_numpy(c) for c in (r.coord_a, r.coord_b, r.coord_c))
    angle = (u[:, None, None] + v[None, :, None] - w[None, None, :]).double() * 2 * math.pi / r.order  # [p, p, p]
    logits = scale * sum(torch.cos(k * angle) for k in keys)
    outside = (u[:, None, None] < 0) | (v[None, :, None] < 0) | (w[None, None, :] < 0)
    return torch.where(outside, torch.tensor(-scale, dtype=torch.float64), logits).reshape(p * p, p)


@pytest.mark.parametrize("op, p", [("mul", 31), ("div", 31), ("sub", 29), ("pow:3,3", 23), ("pow:3,7", 23)])
def test_logits_of_the_group_give_its_key_frequencies_and_full_restricted_loss(op, p):
    coords = Coordinates.of(op, p)
    assert coords.relabelled and coords.order == (p - 1 if op in ("mul", "div") else p)
    logits = group_logits(op, p, KEYS)
    _, labels = all_pairs(p, op)
    group_logits_, group_labels = logits[coords.pairs], labels[coords.pairs]
    assert key_frequencies_from_logits(group_logits_, coords.answers, coords.order) == KEYS
    shares = logit_frequency_shares(group_logits_, coords.answers, coords.order)
    assert shares[[k - 1 for k in KEYS]].sum() == pytest.approx(1.0)
    directions = wave_directions(coords.answers, coords.order, KEYS)
    torch.testing.assert_close(directions.T @ directions, torch.eye(4, dtype=torch.float64))
    restricted, excluded = restricted_and_excluded_logits(group_logits_, directions)
    assert loss_fn(restricted, group_labels).item() == pytest.approx(
        loss_fn(group_logits_, group_labels).item(), abs=1e-9
    )
    assert loss_fn(excluded, group_labels).item() > loss_fn(group_logits_, group_labels).item() + 1.0


def test_the_same_table_in_the_wrong_coordinates_shows_no_structure():
    """The multiplication table read as if it were addition: no frequency carries its logits."""
    p = 31
    logits = group_logits("mul", p, KEYS)
    assert key_frequencies_from_logits(logits, Coordinates.of("add", p).answers, p) == []


def test_nyquist_frequency_of_an_even_group():
    """Z_30 (mul at p = 31) has frequency 15 = 30/2: (-1)^(u + v), which has no sine."""
    basis = fourier_basis(30)
    torch.testing.assert_close(basis @ basis.T, torch.eye(30, dtype=torch.float64))
    u = torch.arange(30, dtype=torch.float64)
    parity = torch.cos(math.pi * (u[:, None] + u[None, :]))[..., None]  # [30, 30, 1]
    shares = frequency_shares(parity, basis)
    assert shares.shape == (1, 15) and shares[0, 14].item() == pytest.approx(1.0)
    coords = Coordinates.of("mul", 31)
    logits = group_logits("mul", 31, [15])
    assert key_frequencies_from_logits(logits[coords.pairs], coords.answers, 30) == [15]
    assert wave_directions(coords.answers, 30, [15]).shape == (900, 1)


def test_neurons_of_discrete_logs_cluster_in_log_coordinates():
    p, freqs = 31, [3, 7, 15]
    coords = Coordinates.of("mul", p)
    r = parse_operation("mul").relabelling(p)
    log = torch.from_numpy(r.coord_a).double()  # [p], -1 at 0
    angle = 2 * math.pi * log / 30
    acts = torch.stack(
        [torch.relu(torch.cos(k * angle[:, None] + 0.3) + torch.cos(k * angle[None, :] + 0.3)) for k in freqs], dim=-1
    )  # [p, p, 3] over tokens (a, b)
    found, share, clustered = cluster_neurons(coords.grid(acts.reshape(p * p, -1), p), fourier_basis(30))
    assert found.tolist() == freqs and clustered.all()
    in_token_order, _, clustered_there = cluster_neurons(acts, fourier_basis(p))
    assert not clustered_there.any()  # the tokens' own order hides it


def test_clock_of_discrete_logs():
    """W_E[a] on the frequency-k circle of log_g a: each token lands at angle 2 pi k log_g a / (p - 1)."""
    p, k = 31, 7
    r = parse_operation("mul").relabelling(p)
    log = torch.from_numpy(r.coord_a).double()
    torch.manual_seed(0)
    e1, e2 = torch.randn(2, 16, dtype=torch.float64)
    angle = 2 * math.pi * k * log / (p - 1)
    W_E = (
        torch.outer(torch.cos(angle), e1)
        + torch.outer(torch.sin(angle), e2)
        + 0.01 * torch.randn(p, 16, dtype=torch.float64)
    )
    coords = embed_clock(W_E, fourier_basis(p - 1), [k], Coordinates.of("mul", p).tokens_a)[0]  # [p, 2]
    expected = torch.stack([torch.cos(angle), torch.sin(angle)], dim=1)
    assert torch.allclose(coords[1:], expected[1:], atol=0.05)  # token 0 has no logarithm


def test_measures_without_a_relabelling_say_so():
    from training.model import Transformer

    from conftest import tiny_config

    p = 11
    cfg = tiny_config(p=p, op="sq")
    coords = Coordinates.of("sq", p)
    assert not coords.relabelled and coords.order == p and len(coords.pairs) == p * p
    torch.manual_seed(0)
    model = Transformer(cfg)
    tokens, labels = all_pairs(p, "sq")
    with torch.no_grad():
        logits = model(tokens)
    idx = torch.arange(p * p)
    m = checkpoint_measures(
        model.state_dict(),
        logits,
        labels,
        idx[::2],
        idx[1::2],
        wave_directions(coords.answers, p, []),
        fourier_basis(p),
        coords,
    )
    for key in (
        "progress_restricted_loss",
        "progress_restricted_loss_test",
        "progress_excluded_loss",
        "progress_gini_W_E",
    ):
        assert math.isnan(m[key]), key
    assert 0 <= m["progress_gini_W_L"] < 0.5 and m["progress_sum_sq_weights"] > 0
    # the logits' frequencies over the answer z still mean something: a table of cos(w_k (z - c)) shows k
    z = coords.answers.double()
    table = torch.cos(2 * math.pi * 4 * (z[:, None] - torch.arange(p)[None]) / p)
    assert key_frequencies_from_logits(table, coords.answers, p) == [4]


def test_frames_of_an_operation_without_a_relabelling_say_what_does_not_apply(tmp_path):
    """A tiny real run of (a² + b²) mod p: exported, checked, and summarised without meaningless numbers."""
    from frames import NOT_APPLICABLE, get_not_applicable, load_frames, save_frames
    from grok.info import summarise
    from training.checkpoints import load_run
    from training.export import export_frames
    from training.train import train

    from conftest import tiny_config

    run = train(tiny_config(op="sq", epochs=60, checkpoint_every=30), tmp_path / "run", show_progress=False)
    path = save_frames(export_frames(load_run(run.run_file), show_progress=False), tmp_path / "sq.npz")
    f = load_frames(path)
    assert str(f["operation"]) == "pow:2,2" and str(f["op_formula"]) == "(a² + b²) mod p"
    assert not f["op_relabelled"] and get_not_applicable(f) == set(NOT_APPLICABLE)
    assert len(f["key_freqs"]) == 0 and f["embed_clock"].shape[1] == 0
    assert np.isnan(f["progress_restricted_loss"]).all() and np.isfinite(f["progress_gini_W_L"]).all()
    assert np.isfinite(f["logit_freq_share"]).all() and 0 < float(f["op_label_evenness"]) < 1
    text = summarise(path)
    assert "not applicable" in text and "restricted loss from" not in text and "nan" not in text.lower()
