"""The data set: every pair (a, b) of the operation as tokens [a, b, =] with label op(a, b) mod p."""

from __future__ import annotations

import random

import torch

from frames.operations import parse_operation


def all_pairs(p: int, op: str = "add") -> tuple[torch.Tensor, torch.Tensor]:
    """All p*p inputs in row-major order (index = a * p + b) and their labels; the label is -1 for
    a pair that is not in the operation's data set (b = 0 for div), so that using one fails loudly."""
    a = torch.arange(p).repeat_interleave(p)  # [p*p]
    b = torch.arange(p).repeat(p)  # [p*p]
    equals = torch.full_like(a, p)  # '=' is token p
    tokens = torch.stack([a, b, equals], dim=1)  # [p*p, 3]
    labels = torch.from_numpy(parse_operation(op).labels(p).reshape(-1))  # [p*p]
    return tokens, labels


def train_test_split(p: int, train_frac: float, split_seed: int, op: str = "add") -> tuple[torch.Tensor, torch.Tensor]:
    """Indices into all_pairs(p): the data set's n pairs (all p^2 but for div) in a seeded
    permutation, the first int(train_frac * n) the train set, the rest the test set (the
    TransformerLens demo's rule; for p^2 pairs the permutation is the indices themselves)."""
    pairs = torch.from_numpy(parse_operation(op).in_data(p)).nonzero()[:, 0]  # [n] ascending
    generator = torch.Generator().manual_seed(split_seed)
    permutation = pairs[torch.randperm(len(pairs), generator=generator)]
    n_train = int(train_frac * len(pairs))
    return permutation[:n_train], permutation[n_train:]


def paper_split(p: int, train_frac: float, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """The split rule of the paper's original code, for checkpoints that do not store theirs:
    the pairs in row-major order, shuffled by Python's `random` seeded with `seed`, the first
    int(train_frac * p^2) for training."""
    pairs = list(range(p * p))
    random.Random(seed).shuffle(pairs)
    n_train = int(train_frac * p * p)
    return torch.tensor(pairs[:n_train]), torch.tensor(pairs[n_train:])
