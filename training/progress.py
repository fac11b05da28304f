"""Progress measures of Nanda et al. (2023), per checkpoint, and the phases they reveal.

Choices the definitions leave open, made here once:
- Key directions: for each key frequency k, c_k(a, b) = cos(w_k (a + b)) and s_k = sin(w_k (a + b))
  as unit vectors over the p*p inputs (row-major, a * p + b); they are mutually orthogonal and
  orthogonal to the constant, so one matrix product projects onto their span.
- Restricted loss: logits projected onto that span along the input axis, plus the per-output
  mean of the original logits; cross-entropy on all p*p pairs (as the paper) and on the test split.
- Excluded loss: logits minus the same projection; cross-entropy on the train split only.
- Gini: Hurley-Rickard form over the norms of the non-constant Fourier components (cos k and
  sin k counted separately, so N = p - 1): of W_E over its p number tokens, and of
  W_L = W_out @ W_U over its p outputs. The constant term is left out: it carries no frequency.
- Sum of squared weights: over every parameter of the checkpoint (W_* and b_*). Biases are frozen
  at zero in this project's runs and add nothing; the paper's checkpoints train their MLP biases,
  which count. (Of the paper's 114-column W_U only the p number columns are kept.)
"""
from __future__ import annotations

import math

import numpy as np
import torch

from .model import loss_fn


PROGRESS_KEYS = ("progress_restricted_loss", "progress_restricted_loss_test", "progress_excluded_loss",
                 "progress_gini_W_E", "progress_gini_W_L", "progress_sum_sq_weights")


def key_directions(p: int, keys: list[int]) -> torch.Tensor:
    """[p*p, 2K] orthonormal columns c_k, s_k for each key frequency."""
    a = torch.arange(p, dtype=torch.float64)
    total = (a[:, None] + a[None, :]).flatten()          # [p*p], a + b
    columns = []
    for k in keys:
        angle = 2 * math.pi * k * total / p
        columns += [torch.cos(angle), torch.sin(angle)]
    if not columns:
        return torch.zeros(p * p, 0, dtype=torch.float64)
    directions = torch.stack(columns, dim=1)
    return directions / directions.norm(dim=0)


def restricted_and_excluded_logits(logits: torch.Tensor, directions: torch.Tensor):
    """logits [p*p, p] -> (restricted, excluded), both [p*p, p], float64."""
    logits = logits.double()
    projection = directions @ (directions.T @ logits)    # [p*p, p]
    return projection + logits.mean(dim=0, keepdim=True), logits - projection


def logit_frequency_shares(logits: torch.Tensor, p: int) -> torch.Tensor:
    """[(p-1)/2]: share of the logits' variance over inputs (all outputs together) that lies in
    span{c_k, s_k}, for each frequency k. Shares sum to at most 1 (the rest depends on a and b
    apart, not on a + b alone)."""
    logits = logits.double()
    centred = logits - logits.mean(dim=0, keepdim=True)
    directions = key_directions(p, list(range(1, (p - 1) // 2 + 1)))      # [p*p, p-1]
    power = (directions.T @ centred).square().sum(dim=-1)                 # [p-1]
    return power.view(-1, 2).sum(dim=-1) / centred.square().sum()


LOGIT_KEY_SHARE = 0.05


def key_frequencies_from_logits(logits: torch.Tensor, p: int, min_share: float = LOGIT_KEY_SHARE) -> list[int]:
    """The frequencies carrying at least `min_share` of the logits' variance: a check on the
    neuron-based key frequencies that needs no MLP (e.g. for a bare logit table)."""
    shares = logit_frequency_shares(logits, p)
    return [k + 1 for k in range(len(shares)) if shares[k] >= min_share]


def gini(values: torch.Tensor) -> torch.Tensor:
    """Hurley-Rickard Gini over the last axis: 1 - 2 sum_i (c_(i)/|c|_1) (N - i + 1/2) / N, c ascending.
    0 for a flat vector, 1 - 1/N for a one-hot one."""
    c = values.abs().sort(dim=-1).values
    n = c.shape[-1]
    i = torch.arange(1, n + 1, dtype=c.dtype, device=c.device)
    return 1 - 2 * ((c / c.sum(dim=-1, keepdim=True)) * (n - i + 0.5) / n).sum(dim=-1)


def fourier_component_norms(matrix: torch.Tensor, basis: torch.Tensor) -> torch.Tensor:
    """matrix [p, d] (Fourier axis first) -> [p - 1] norms of its non-constant components."""
    return (basis @ matrix)[1:].norm(dim=-1)


def checkpoint_measures(state: dict, logits: torch.Tensor, labels: torch.Tensor, train_idx: torch.Tensor,
                        test_idx: torch.Tensor, directions: torch.Tensor, basis: torch.Tensor) -> dict[str, float]:
    """All progress measures of one checkpoint from its weights and its logits on every pair."""
    p = basis.shape[0]
    restricted, excluded = restricted_and_excluded_logits(logits, directions)
    W_E = state["embed.W_E"][:p].double()                                  # [p, d_model]
    W_L = (state["blocks.0.mlp.W_out"].double() @ state["unembed.W_U"].double())  # [d_mlp, p]
    return {
        "progress_restricted_loss": loss_fn(restricted, labels).item(),
        "progress_restricted_loss_test": loss_fn(restricted[test_idx], labels[test_idx]).item(),
        "progress_excluded_loss": loss_fn(excluded[train_idx], labels[train_idx]).item(),
        "progress_gini_W_E": gini(fourier_component_norms(W_E, basis)).item(),
        "progress_gini_W_L": gini(fourier_component_norms(W_L.T, basis)).item(),
        "progress_sum_sq_weights": sum(w.double().square().sum().item() for w in state.values()),
    }


def phase_starts(epochs: np.ndarray, excluded_loss: np.ndarray) -> np.ndarray:
    """[3] epochs where memorisation, circuit formation and clean-up begin (-1: not found; all -1
    for a single checkpoint, which shows no phase).

    Memorisation begins at the first checkpoint. Clean-up begins where the excluded loss (train
    loss without the key frequencies) peaks, the first checkpoint aside: the model then leans on
    the key frequencies most, and weight decay goes on to remove the memorised solution. A peak at
    the last checkpoint is no peak yet. Circuit formation begins where the excluded loss, having
    fallen with the train loss, is lowest before that peak and starts to rise."""
    starts = np.array([epochs[0] if len(epochs) > 1 else -1, -1, -1], dtype=np.int32)
    if len(excluded_loss) < 3 or not np.isfinite(excluded_loss).all():
        return starts
    high = 1 + int(np.argmax(excluded_loss[1:]))
    low = int(np.argmin(excluded_loss[:high]))
    if low > 0:
        starts[1] = epochs[low]
    if low > 0 and high < len(epochs) - 1:
        starts[2] = epochs[high]
    return starts
