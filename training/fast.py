"""The exact fast path: the training loss of the 1-layer model from per-token tables.

Only the last position ('=') feeds the loss, and in a 1-layer model every key, value and score it
reads depends on one (position, token) pair alone. So the attention of a whole batch reduces to
2p + 1 table rows per head, and because nothing nonlinear sits between attention and the MLP's
input (no LayerNorm), the rows can be pushed through W_in and W_U once per step instead of once
per example:

    resid_mid(a, b)      = x_eq + sum_h [w0 VO(0, a) + w1 VO(1, b) + w2 VO(2, =)]_h
    [pre | direct](a, b) = resid_mid(a, b) @ [W_in | W_U]              (a weighted sum of table rows)
    logits(a, b)         = direct + relu(pre) @ (W_out @ W_U) + b_out @ W_U

The weighted sum is one `embedding_bag` with per-sample weights (the attention pattern, plus a
weight-1 row for everything constant), so the only per-example matmul left is relu(pre) @ W_OU,
[n, d_mlp] x [d_mlp, p]: 2.9 GFLOP per nanda epoch instead of the plain model's 6.7. Everything
is ordinary autograd: logits and gradients equal the plain model's up to float rounding
(tests/test_fast.py).

Every tensor carries a leading run axis R, so one call trains R independent runs (training/sweep.py);
a single run is R = 1. On the CPU a run's numbers do not depend, to the last bit, on which other runs share
its batch: the shards of a sweep give the whole sweep's results exactly (tests/test_sweep.py).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import torch
import torch.nn.functional as F


@dataclass
class Tables:
    """Everything per step that does not depend on the example, for R runs."""

    scores: torch.Tensor  # [R, 2p+1, n_heads]   attention score of '=' for each source row
    rows: torch.Tensor  # [R*(2p+1)*n_heads + R, d_mlp + p]   VO rows through [W_in | W_U], then one bias row per run
    W_OU: torch.Tensor  # [R, d_mlp, p]    W_out @ W_U
    d_mlp: int

    def detach(self) -> "Tables":
        return Tables(self.scores.detach(), self.rows.detach(), self.W_OU.detach(), self.d_mlp)


def get_tables(w: dict[str, torch.Tensor], p: int) -> Tables:
    """`w` maps TransformerLens parameter names to tensors with a leading run axis R."""
    W_E, W_pos = w["embed.W_E"], w["pos_embed.W_pos"]  # [R, p+1, d_model], [R, 3, d_model]
    W_Q, W_K, W_V, W_O = (
        w[f"blocks.0.attn.W_{n}"] for n in "QKVO"
    )  # [R, heads, d_model, d_head], W_O [R, heads, d_head, d_model]
    b_Q, b_K, b_V, b_O = (w[f"blocks.0.attn.b_{n}"] for n in "QKVO")
    W_in, b_in, W_out, b_out = (w[f"blocks.0.mlp.{n}"] for n in ("W_in", "b_in", "W_out", "b_out"))
    W_U, b_U = w["unembed.W_U"], w["unembed.b_U"]
    d_head, d_mlp = W_Q.shape[-1], W_in.shape[-1]

    x_eq = W_E[:, p] + W_pos[:, 2]  # [R, d_model] residual of '='
    sources = torch.cat(
        [W_E[:, :p] + W_pos[:, :1], W_E[:, :p] + W_pos[:, 1:2], x_eq[:, None]], dim=1
    )  # [R, 2p+1, d_model]
    q = torch.einsum("rm,rhmd->rhd", x_eq, W_Q) + b_Q  # [R, heads, d_head]
    k = torch.einsum("rsm,rhmd->rshd", sources, W_K) + b_K[:, None]  # [R, 2p+1, heads, d_head]
    v = torch.einsum("rsm,rhmd->rshd", sources, W_V) + b_V[:, None]
    scores = torch.einsum("rshd,rhd->rsh", k, q) / math.sqrt(d_head)  # [R, 2p+1, heads]
    vo = torch.einsum("rshd,rhdm->rshm", v, W_O)  # [R, 2p+1, heads, d_model]

    W_read = torch.cat([W_in, W_U], dim=-1)  # [R, d_model, d_mlp + p]
    # What every example adds regardless of its pattern: the '=' residual and b_O, read in the same matmul
    # as the VO rows (a matmul of one row per run would take another kernel, whose rounding depends on R)
    read = torch.cat([vo.flatten(1, 2), (x_eq + b_O)[:, None]], dim=1) @ W_read  # [R, (2p+1)*heads + 1, d_mlp + p]
    rows = read[:, :-1].flatten(0, 1)  # [R*(2p+1)*heads, d_mlp + p]
    bias = read[:, -1] + torch.cat([b_in, b_U + (b_out[:, None] @ W_U)[:, 0]], dim=-1)  # + b_in, b_U, b_out
    return Tables(scores, torch.cat([rows, bias]), W_OU=W_out @ W_U, d_mlp=d_mlp)


class _BagSum(torch.autograd.Function):
    """summed[i] = sum_j weights[i, j] rows[bag[i, j]] (embedding_bag), with both gradients computed here.

    torch's own gradients on the CPU are slow for the weights (a loop, ~6x the forward, measured here) and,
    for the rows, summed in an order that depends on the size of the whole batch (an unstable sort of every
    index), so one run's gradient would differ in its last bits between a sweep of 8 runs and one of 3.
    The same numbers: d weights[i, j] = <grad[i], rows[bag[i, j]]>, one sampled matmul; d rows = M^T grad,
    M [n, rows] holding the weights, with each row's entries in example order (a stable sort), so that a
    run's gradient is the same whatever other runs share the batch. On a GPU torch's own gradients are used.
    """

    @staticmethod
    def forward(ctx, rows, weights, bag):
        ctx.save_for_backward(rows, weights, bag)
        return F.embedding_bag(bag, rows, mode="sum", per_sample_weights=weights)

    @staticmethod
    def backward(ctx, grad):
        rows, weights, bag = ctx.saved_tensors
        n, per_bag = bag.shape
        flat = bag.flatten()  # [n * per_bag]
        crow = torch.arange(0, n * per_bag + 1, per_bag, device=bag.device)
        order = torch.sort(flat, stable=True).indices  # entries grouped by row, examples in order
        row_crow = torch.cat([flat.new_zeros(1), torch.bincount(flat, minlength=rows.shape[0]).cumsum(0)])
        with warnings.catch_warnings():  # "Sparse CSR tensor support is in beta state"
            warnings.simplefilter("ignore", UserWarning)
            mask = torch.sparse_csr_tensor(
                crow, flat, torch.zeros_like(weights).flatten(), size=(n, rows.shape[0]), check_invariants=False
            )
            by_row = torch.sparse_csr_tensor(
                row_crow, order // per_bag, weights.flatten()[order], size=(rows.shape[0], n), check_invariants=False
            )
        grad_weights = torch.sparse.sampled_addmm(mask, grad, rows.T, beta=0).values().view(n, per_bag)
        return by_row @ grad, grad_weights, None


def source_rows(a: torch.Tensor, b: torch.Tensor, p: int) -> torch.Tensor:
    """Rows of the score table that example (a, b) reads: [..., 3] for inputs a, b of shape [...]."""
    return torch.stack([a, p + b, torch.full_like(a, 2 * p)], dim=-1)


def fast_logits(t: Tables, a: torch.Tensor, b: torch.Tensor, p: int, cache: dict | None = None) -> torch.Tensor:
    """Logits [R, n, p] of the inputs [a, b, =] for a, b of shape [R, n] (a run's own examples)
    or [n] (the same examples for every run). `cache` receives hook_pattern and the MLP activations."""
    R, n_sources, n_heads = t.scores.shape
    if a.dim() == 1:
        a, b = a.expand(R, -1), b.expand(R, -1)
    n = a.shape[1]
    src = source_rows(a, b, p)  # [R, n, 3]
    run_offset = torch.arange(R, device=a.device)[:, None, None] * n_sources
    # F.embedding, not indexing: its CPU backward is deterministic; index_put_ accumulation is not
    scores = F.embedding(src + run_offset, t.scores.flatten(0, 1))  # [R, n, 3, heads]
    pattern = scores.softmax(dim=2)  # [R, n, 3, heads]
    heads = torch.arange(n_heads, device=a.device)
    bias_row = (R * n_sources * n_heads + torch.arange(R, device=a.device))[:, None, None].expand(R, n, 1)
    bag = torch.cat(
        [((src + run_offset)[..., None] * n_heads + heads).flatten(2), bias_row], dim=2
    )  # [R, n, 3*heads + 1] rows of t.rows
    weights = torch.cat([pattern.flatten(2), torch.ones_like(pattern[:, :, :1, 0])], dim=2)  # [R, n, 3*heads + 1]
    bag, weights = bag.flatten(0, 1), weights.flatten(0, 1)
    if t.rows.device.type == "cpu":
        summed = _BagSum.apply(t.rows, weights, bag)
    else:
        summed = F.embedding_bag(bag, t.rows, mode="sum", per_sample_weights=weights)
    summed = summed.view(R, n, -1)  # [R, n, d_mlp + p]
    pre, direct = summed[..., : t.d_mlp], summed[..., t.d_mlp :]  # [R, n, d_mlp], [R, n, p]
    post = torch.relu(pre)
    logits = torch.baddbmm(direct, post, t.W_OU)  # [R, n, p]
    if cache is not None:
        cache["blocks.0.attn.hook_pattern"] = pattern.transpose(2, 3)  # [R, n, heads, key_pos]
        cache["blocks.0.mlp.hook_pre"] = pre
        cache["blocks.0.mlp.hook_post"] = post
    return logits


def stacked(named_params) -> dict[str, torch.Tensor]:
    """Views with a run axis of length 1 of one model's parameters (gradients reach the model)."""
    return {name: param.unsqueeze(0) for name, param in named_params}


def per_run_loss(logits: torch.Tensor, labels: torch.Tensor, weights: torch.Tensor | None = None) -> torch.Tensor:
    """Mean cross-entropy per run, [R], in float64 (float32 underflows once train loss is ~1e-7).
    `weights` [R, n] (1 for a real example, 0 for padding) lets runs have different set sizes."""
    log_probs = logits.to(torch.float64).log_softmax(dim=-1)
    if labels.dim() == 1:
        labels = labels.expand(logits.shape[0], -1)
    nll = -log_probs.gather(-1, labels[..., None])[..., 0]  # [R, n]
    if weights is None:
        return nll.mean(dim=1)
    return (nll * weights).sum(dim=1) / weights.sum(dim=1)


def per_run_accuracy(logits: torch.Tensor, labels: torch.Tensor, weights: torch.Tensor | None = None) -> torch.Tensor:
    correct = (logits.argmax(dim=-1) == labels).to(logits.dtype)  # [R, n]
    if weights is None:
        return correct.mean(dim=1)
    return (correct * weights).sum(dim=1) / weights.sum(dim=1)


def loss_and_metrics(
    w: dict[str, torch.Tensor], p: int, train: tuple, test: tuple | None
) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """One epoch's forward pass for R runs: the train losses [R] (to backpropagate) and the curves'
    values [R] (train loss and accuracy, and with `test` the test loss and accuracy; no gradient).
    `train` and `test` are (a, b, labels, weights or None) with a, b, labels of shape [R, n] or [n]; without
    `test` the test split is not run at all (an epoch whose test curve is not recorded)."""
    tables = get_tables(w, p)
    a, b, labels, weights = train
    logits = fast_logits(tables, a, b, p)  # [R, n_train, p]
    losses = per_run_loss(logits, labels, weights)  # [R]
    with torch.no_grad():
        metrics = {"train_loss": losses.detach(), "train_acc": per_run_accuracy(logits, labels, weights)}
        if test is not None:
            a_test, b_test, labels_test, weights_test = test
            test_logits = fast_logits(tables.detach(), a_test, b_test, p)  # [R, n_test, p]
            metrics["test_loss"] = per_run_loss(test_logits, labels_test, weights_test)
            metrics["test_acc"] = per_run_accuracy(test_logits, labels_test, weights_test)
    return losses, metrics
