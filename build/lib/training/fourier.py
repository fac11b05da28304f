"""The real orthonormal Fourier basis over a cyclic group Z_n and the frequency analysis built on it.

Basis rows over x = 0..n-1: the constant 1/sqrt(n), then for k = 1..(n-1)/2 the pair
cos(2 pi k x / n), sin(2 pi k x / n), each scaled to unit norm. Row 2k-1 is cos k, row 2k is sin k.
n is p for addition; for multiplication it is p - 1 (the group of non-zero residues, discrete logs),
which is even: its last row is the Nyquist frequency n/2, cos(pi x) = (-1)^x, whose sin is zero
and has no row. Either way there are n rows and n // 2 frequencies.
"""

from __future__ import annotations

import math

import torch

from frames import CLUSTER_THRESHOLD  # the frames contract owns it: readers need it without torch


def fourier_basis(n: int, dtype=torch.float64) -> torch.Tensor:
    """[n, n]: row i is the i-th basis vector (const, cos 1, sin 1, cos 2, ..., and cos n/2 for even n)."""
    if n < 2:
        raise ValueError(f"the Fourier basis needs a group of at least 2 elements (got {n})")
    x = torch.arange(n, dtype=dtype)
    rows = [torch.ones(n, dtype=dtype)]
    for k in range(1, n // 2 + 1):
        rows.append(torch.cos(2 * math.pi * k * x / n))
        if 2 * k < n:
            rows.append(torch.sin(2 * math.pi * k * x / n))
    basis = torch.stack(rows)
    return basis / basis.norm(dim=1, keepdim=True)


def basis_names(n: int) -> list[str]:
    return ["const"] + [
        f"{trig} {k}" for k in range(1, n // 2 + 1) for trig in ("cos", "sin") if trig == "cos" or 2 * k < n
    ]


def fourier_1d(x: torch.Tensor, basis: torch.Tensor, dim: int = 0) -> torch.Tensor:
    """Coefficients of x along one axis of length n."""
    return torch.movedim(torch.tensordot(basis, torch.movedim(x, dim, 0), dims=1), 0, dim)


def fourier_2d(x: torch.Tensor, basis: torch.Tensor) -> torch.Tensor:
    """[..., n, n, N] -> coefficients on both input axes, same shape (the first two axes after
    any leading batch axes are u and v). One axis at a time: a single three-operand einsum
    contracts the two bases first, into a [p, p, p, p] tensor (1.3 GB at p = 113, 16 GB at 211)."""
    over_a = torch.einsum("ia,...abn->...ibn", basis, x)
    return torch.einsum("jb,...ibn->...ijn", basis, over_a)


def frequency_blocks(n: int) -> torch.Tensor:
    """[n // 2, 3]: basis indices {const, cos k, sin k} for k = 1..n//2. The Nyquist frequency of an
    even n has no sin row: its third index is n, one past the basis, where callers put a zero."""
    k = torch.arange(1, n // 2 + 1)
    sin = torch.where(2 * k < n, 2 * k, n)
    return torch.stack([torch.zeros_like(k), 2 * k - 1, sin], dim=1)


SHARE_CHUNK = 64  # neurons transformed at a time: all 512 at once in float64 took ~250 MB at p = 113


def frequency_shares(acts: torch.Tensor, basis: torch.Tensor) -> torch.Tensor:
    """Share of each neuron's variance in each frequency's 2-D block, computed in float64.

    acts: [..., n, n, N] activations over the group's (u, v), any leading batch axes (e.g. checkpoints).
    Returns [..., N, n // 2]: for frequency k, the sum of squared 2-D coefficients in
    {const, cos k, sin k} x {const, cos k, sin k} minus the const-const term, over the total
    squared norm of the centred activations. Shares sum to at most 1: terms pairing two different
    frequencies (cos j u * cos k v, j != k) belong to no block. Neurons are independent, so they
    are transformed SHARE_CHUNK at a time.
    """
    neurons = acts.shape[-1]
    return torch.cat(
        [_frequency_shares(acts[..., i : i + SHARE_CHUNK].double(), basis) for i in range(0, neurons, SHARE_CHUNK)],
        dim=-2,
    )


def _frequency_shares(acts: torch.Tensor, basis: torch.Tensor) -> torch.Tensor:
    centred = acts - acts.mean(dim=(-3, -2), keepdim=True)
    power = fourier_2d(centred, basis).square()  # [..., n, n, N]
    padded = torch.nn.functional.pad(power, (0, 0, 0, 1, 0, 1))  # [..., n+1, n+1, N]: a zero row and column at n
    blocks = frequency_blocks(basis.shape[0]).to(acts.device)  # [n_freqs, 3]
    block_power = padded[..., blocks[:, :, None], blocks[:, None, :], :].sum(dim=(-3, -2))  # [..., n_freqs, N]
    block_power = block_power - power[..., :1, :1, :].sum(dim=(-3, -2)).unsqueeze(-2)
    total = power.sum(dim=(-3, -2)).clamp_min(1e-30)  # [..., N]
    return (block_power / total.unsqueeze(-2)).transpose(-1, -2)  # [..., N, n_freqs]


def cluster_neurons(acts: torch.Tensor, basis: torch.Tensor, threshold: float = CLUSTER_THRESHOLD):
    """Each neuron's frequency (argmax share, k >= 1), its share, and whether it is clustered."""
    shares = frequency_shares(acts, basis)  # [..., n, n_freqs]
    share, index = shares.max(dim=-1)
    return index + 1, share, share >= threshold


def key_frequencies(freqs: torch.Tensor, clustered: torch.Tensor, d_mlp: int) -> list[int]:
    """Frequencies picked by clustered neurons, dropping those picked by only a handful:
    a key frequency needs at least max(2, 1 % of d_mlp) clustered neurons."""
    min_neurons = max(2, math.ceil(0.01 * d_mlp))
    counts = torch.bincount(freqs[clustered], minlength=int(freqs.max()) + 1)
    return [k for k in range(1, len(counts)) if counts[k] >= min_neurons]
