import math

import torch

from training.fourier import (
    basis_names,
    cluster_neurons,
    fourier_1d,
    fourier_2d,
    fourier_basis,
    frequency_shares,
    key_frequencies,
)


def test_basis_is_orthonormal_and_ordered():
    for p in (3, 7, 113):
        basis = fourier_basis(p)
        assert basis.shape == (p, p)
        torch.testing.assert_close(basis @ basis.T, torch.eye(p, dtype=torch.float64))
    basis = fourier_basis(11)
    x = torch.arange(11, dtype=torch.float64)
    assert torch.allclose(basis[0], torch.full((11,), 11**-0.5, dtype=torch.float64))
    assert torch.allclose(basis[5] / basis[5].norm(), torch.cos(2 * math.pi * 3 * x / 11) / math.sqrt(11 / 2))
    assert basis_names(11)[5] == "cos 3" and basis_names(11)[6] == "sin 3"


def test_transforms_invert():
    basis = fourier_basis(13)
    x = torch.randn(13, 13, 4, dtype=torch.float64)
    torch.testing.assert_close(torch.einsum("ia,jb,ijn->abn", basis, basis, fourier_2d(x, basis)), x)
    torch.testing.assert_close(basis.T @ fourier_1d(x[:, 0, 0], basis), x[:, 0, 0])


def rectified_cosines(p, freqs, phases):
    """[p, p, n] neurons ReLU(cos(w_k a + phase) + cos(w_k b + phase)): the shape of a trained
    model's neurons, whose pre-activation sums a term from a and one from b."""
    a = torch.arange(p, dtype=torch.float64)
    return torch.stack(
        [
            torch.relu(
                torch.cos(2 * math.pi * k * a[:, None] / p + ph) + torch.cos(2 * math.pi * k * a[None, :] / p + ph)
            )
            for k, ph in zip(freqs, phases)
        ],
        dim=-1,
    )


def test_pure_rectified_cosines_cluster_at_their_frequency():
    p = 31
    freqs = [3, 3, 7, 12, 15]
    acts = rectified_cosines(p, freqs, [0.0, 1.0, 2.0, 0.5, 3.0])
    found, share, clustered = cluster_neurons(acts, fourier_basis(p))
    assert found.tolist() == freqs
    assert clustered.all() and (share > 0.95).all()


def test_pure_cosine_of_a_plus_b_has_share_one_and_its_rectification_less():
    p, k = 31, 5
    a = torch.arange(p, dtype=torch.float64)
    wave = torch.cos(2 * math.pi * k * (a[:, None] + a[None, :]) / p)
    shares = frequency_shares(torch.stack([wave, torch.relu(wave)], dim=-1), fourier_basis(p))
    assert shares[0, k - 1] > 1 - 1e-9
    # ReLU(cos) keeps (1/8) / (1/4 - 1/pi^2) of its variance in the fundamental; the rest is harmonics
    assert abs(shares[1, k - 1] - (1 / 8) / (1 / 4 - 1 / math.pi**2)) < 0.01


def test_random_neurons_do_not_cluster():
    p = 31
    torch.manual_seed(0)
    acts = torch.relu(torch.randn(p, p, 200, dtype=torch.float64))
    shares = frequency_shares(acts, fourier_basis(p))
    assert (shares.sum(-1) <= 1 + 1e-9).all()  # cross-frequency terms belong to no block
    _, _, clustered = cluster_neurons(acts, fourier_basis(p))
    assert clustered.sum() == 0


def test_key_frequencies_drop_handfuls():
    freqs = torch.tensor([4] * 10 + [9] * 8 + [2] * 1 + [5] * 30)
    clustered = torch.tensor([True] * 19 + [False] * 30)
    assert key_frequencies(freqs, clustered, d_mlp=49) == [4, 9]
    assert key_frequencies(freqs, clustered, d_mlp=1000) == [4]  # needs >= 10 neurons of 1000
