"""Progress measures of Nanda et al. (2023), per checkpoint, and the phases they reveal, in the
coordinates of the run's operation (frames/operations.py).

Where the operation is addition after a relabelling u = u(a), v = v(b), w = w(c) into a cyclic group
Z_M (M = p, or p - 1 for mul and div), every measure is taken over the group's M x M pairs in those
coordinates: for add they are a, b and c themselves. Pairs outside the group (those holding a 0
under mul and div) take no part. Without a relabelling the measures that rest on one (key
frequencies, restricted and excluded loss, the Gini of W_E) do not apply, and the coordinates are
the tokens' own.

Choices the definitions leave open, made here once:
- Key directions: for each key frequency k, c_k(u, v) = cos(w_k (u + v)) and s_k = sin(w_k (u + v)),
  w_k = 2 pi k / M, as unit vectors over the M*M pairs (row-major, u * M + v); they are mutually
  orthogonal and orthogonal to the constant, so one matrix product projects onto their span. The
  Nyquist frequency M/2 of an even M has only its cosine, (-1)^(u + v).
- Restricted loss: logits projected onto that span along the input axis, plus the per-output
  mean of the original logits; cross-entropy on all the group's pairs (as the paper) and on those
  of the test split.
- Excluded loss: logits minus the same projection; cross-entropy on the group's pairs of the train split.
- Gini: Hurley-Rickard form over the norms of the non-constant Fourier components over Z_M (cos k and
  sin k counted separately, so N = M - 1): of W_E over its group tokens in the order of u, and of
  W_L = W_out @ W_U over its group outputs in the order of w. The constant term is left out: it
  carries no frequency.
- Sum of squared weights: over every parameter of the checkpoint (W_* and b_*). Biases are frozen
  at zero in this project's runs and add nothing; the paper's checkpoints train their MLP biases,
  which count. (Of the paper's 114-column W_U only the p number columns are kept.)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from frames.operations import parse_operation
from frames.schema import MEASURES

from .model import loss_fn

PROGRESS_KEYS = tuple(
    measure.key for measure in MEASURES
)  # declared in frames/schema.py; checkpoint_measures computes each
RELABELLED_ONLY = tuple(measure.key for measure in MEASURES if measure.relabelled_only)  # NaN without a relabelling


@dataclass(frozen=True)
class Coordinates:
    """The operation's coordinates as index tensors: where each coordinate's token sits, and which
    input pairs the analysis runs over. Without a relabelling: the tokens' own order, every data pair."""

    order: int  # M
    relabelled: bool
    tokens_a: torch.Tensor  # [M] the token whose first-input coordinate is u, for u = 0..M-1
    tokens_b: torch.Tensor  # [M] the token whose second-input coordinate is v
    tokens_c: torch.Tensor  # [M] the token whose answer coordinate is w
    pairs: torch.Tensor  # [n] index a * p + b of each analysed pair: the group's, row-major in (u, v)
    answers: torch.Tensor  # [n] each analysed pair's answer coordinate w (u + v mod M when relabelled)

    @staticmethod
    def of(op: str, p: int) -> "Coordinates":
        operation = parse_operation(op)
        relabelling = operation.relabelling(p)
        if relabelling is None:
            tokens = torch.arange(p)
            pairs = torch.from_numpy(operation.in_data(p)).nonzero()[:, 0]
            answers = torch.from_numpy(operation.labels(p).reshape(-1))[pairs]
            return Coordinates(p, False, tokens, tokens, tokens, pairs, answers)
        r = relabelling
        tokens_a, tokens_b, tokens_c = (torch.from_numpy(r.tokens(c)) for c in (r.coord_a, r.coord_b, r.coord_c))
        pairs = (tokens_a[:, None] * p + tokens_b[None, :]).reshape(-1)  # [M*M]
        u = torch.arange(r.order)
        return Coordinates(
            r.order, True, tokens_a, tokens_b, tokens_c, pairs, ((u[:, None] + u[None, :]) % r.order).reshape(-1)
        )

    def grid(self, values: torch.Tensor, p: int) -> torch.Tensor:
        """values [p*p, ...] over every input pair -> [M, M, ...] over the coordinates (u, v)."""
        return values.view(p, p, *values.shape[1:])[self.tokens_a][:, self.tokens_b]


def wave_directions(answers: torch.Tensor, order: int, keys: list[int]) -> torch.Tensor:
    """[n, D] columns cos(w_k w), sin(w_k w) over n pairs whose answer coordinate is w, for each
    frequency k in keys (w_k = 2 pi k / order), each frequency's columns orthonormalised (over the
    group's pairs they already are orthogonal). The Nyquist sine, zero, is left out."""
    angle = 2 * math.pi * answers.double() / order
    columns = []
    for k in keys:
        pair = [torch.cos(k * angle)] + ([torch.sin(k * angle)] if 2 * k < order else [])
        columns.append(torch.linalg.qr(torch.stack(pair, dim=1)).Q)
    if not columns:
        return torch.zeros(len(answers), 0, dtype=torch.float64)
    return torch.cat(columns, dim=1)


def key_directions(order: int, keys: list[int]) -> torch.Tensor:
    """[M*M, D] orthonormal columns c_k, s_k for each key frequency, over Z_M's pairs (u, v) row-major."""
    u = torch.arange(order)
    return wave_directions(((u[:, None] + u[None, :]) % order).reshape(-1), order, keys)


def restricted_and_excluded_logits(logits: torch.Tensor, directions: torch.Tensor):
    """logits [n, p] -> (restricted, excluded), both [n, p], float64."""
    logits = logits.double()
    projection = directions @ (directions.T @ logits)  # [n, p]
    return projection + logits.mean(dim=0, keepdim=True), logits - projection


def logit_frequency_shares(logits: torch.Tensor, answers: torch.Tensor, order: int) -> torch.Tensor:
    """[order // 2]: share of the logits' variance over inputs (all outputs together) that lies in
    span{cos w_k w, sin w_k w} of the answer's coordinate w, for each frequency k; logits [n, p] on
    n pairs with answer coordinates `answers` [n]. Over a group's pairs the shares sum to at most 1
    (the rest depends on u and v apart, not on u + v alone); without a relabelling the spans of two
    frequencies need not be orthogonal (z need not be spread evenly)."""
    logits = logits.double()
    centred = logits - logits.mean(dim=0, keepdim=True)
    total = centred.square().sum()
    return torch.stack(
        [(wave_directions(answers, order, [k]).T @ centred).square().sum() / total for k in range(1, order // 2 + 1)]
    )


LOGIT_KEY_SHARE = 0.05


def key_frequencies_from_logits(
    logits: torch.Tensor, answers: torch.Tensor, order: int, min_share: float = LOGIT_KEY_SHARE
) -> list[int]:
    """The frequencies carrying at least `min_share` of the logits' variance: a check on the
    neuron-based key frequencies that needs no MLP (e.g. for a bare logit table)."""
    shares = logit_frequency_shares(logits, answers, order)
    return [k + 1 for k in range(len(shares)) if shares[k] >= min_share]


def gini(values: torch.Tensor) -> torch.Tensor:
    """Hurley-Rickard Gini over the last axis: 1 - 2 sum_i (c_(i)/|c|_1) (N - i + 1/2) / N, c ascending.
    0 for a flat vector, 1 - 1/N for a one-hot one."""
    c = values.abs().sort(dim=-1).values
    n = c.shape[-1]
    i = torch.arange(1, n + 1, dtype=c.dtype, device=c.device)
    return 1 - 2 * ((c / c.sum(dim=-1, keepdim=True)) * (n - i + 0.5) / n).sum(dim=-1)


def fourier_component_norms(matrix: torch.Tensor, basis: torch.Tensor) -> torch.Tensor:
    """matrix [M, d] (Fourier axis first) -> [M - 1] norms of its non-constant components."""
    return (basis @ matrix)[1:].norm(dim=-1)


def checkpoint_measures(
    state: dict,
    logits: torch.Tensor,
    labels: torch.Tensor,
    train_idx: torch.Tensor,
    test_idx: torch.Tensor,
    directions: torch.Tensor,
    basis: torch.Tensor,
    coords: Coordinates,
) -> dict[str, float]:
    """All progress measures of one checkpoint from its weights and its logits [p*p, p] on every pair,
    in the coordinates `coords` (directions [n, D] over coords.pairs, basis over Z_M)."""
    p = logits.shape[-1]
    measures = {
        "progress_gini_W_L": gini(
            fourier_component_norms(
                (state["blocks.0.mlp.W_out"].double() @ state["unembed.W_U"].double())[:, coords.tokens_c].T, basis
            )
        ).item(),
        "progress_sum_sq_weights": sum(w.double().square().sum().item() for w in state.values()),
    }
    if not coords.relabelled:
        return {**measures, **dict.fromkeys(RELABELLED_ONLY, math.nan)}
    restricted, excluded = restricted_and_excluded_logits(logits[coords.pairs], directions)
    group_labels = labels[coords.pairs]

    def split_mask(idx):
        mask = torch.zeros(p * p, dtype=torch.bool)
        mask[idx] = True
        return mask[coords.pairs]  # [n] the group's pairs in the split

    test, train = split_mask(test_idx), split_mask(train_idx)
    W_E = state["embed.W_E"][coords.tokens_a].double()  # [M, d_model], in the order of u
    return {
        "progress_restricted_loss": loss_fn(restricted, group_labels).item(),
        "progress_restricted_loss_test": loss_fn(restricted[test], group_labels[test]).item(),
        "progress_excluded_loss": loss_fn(excluded[train], group_labels[train]).item(),
        "progress_gini_W_E": gini(fourier_component_norms(W_E, basis)).item(),
        **measures,
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
