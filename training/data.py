"""The modular-addition data set: every pair (a, b) as tokens [a, b, =] with label (a + b) mod p."""
from __future__ import annotations

import random

import torch

OPERATION = "(a + b) mod p"


def all_pairs(p: int) -> tuple[torch.Tensor, torch.Tensor]:
    """All p*p inputs in row-major order (index = a * p + b) and their labels."""
    a = torch.arange(p).repeat_interleave(p)             # [p*p]
    b = torch.arange(p).repeat(p)                        # [p*p]
    equals = torch.full_like(a, p)                       # '=' is token p
    tokens = torch.stack([a, b, equals], dim=1)          # [p*p, 3]
    labels = (a + b) % p                                 # [p*p]
    return tokens, labels


def train_test_split(p: int, train_frac: float, split_seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Indices into all_pairs(p): the first int(train_frac * p^2) of a seeded permutation
    are the train set, the rest the test set (the TransformerLens demo's rule)."""
    generator = torch.Generator().manual_seed(split_seed)
    permutation = torch.randperm(p * p, generator=generator)
    n_train = int(train_frac * p * p)
    return permutation[:n_train], permutation[n_train:]


def paper_split(p: int, train_frac: float, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """The split rule of the paper's original code, for checkpoints that do not store theirs:
    the pairs in row-major order, shuffled by Python's `random` seeded with `seed`, the first
    int(train_frac * p^2) for training."""
    pairs = list(range(p * p))
    random.Random(seed).shuffle(pairs)
    n_train = int(train_frac * p * p)
    return torch.tensor(pairs[:n_train]), torch.tensor(pairs[n_train:])
