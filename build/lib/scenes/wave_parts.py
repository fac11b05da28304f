"""A pattern over (a, b) taken apart in the 2-D Fourier basis (numpy only): waves in a alone, in b alone, their
products, and the rest; the products split by the identity cos·cos - sin·sin = cos(a + b) into a wave of a + b and
one of a - b. The identity scene shows the split; the surface scene quotes its shares."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from scenes.narration import percent

PARTS = ("a alone", "b alone", "products", "rest")


# Shares too small to say as a whole percent are said as bounds, never as "0 %": below SHARE_FLOOR "under 0.1 %",
# below half a percent "under 1 %"
SHARE_FLOOR = 0.001


def get_basis(p: int, upsample: int = 1) -> np.ndarray:
    """[p, p * upsample]: the real orthonormal Fourier basis over x = 0..p-1 (rows const, cos 1, sin 1,
    cos 2, ...), evaluated at x = i / upsample: the rows of get_basis(p) drawn between whole numbers."""
    x = np.arange(p * upsample) / upsample
    rows = [np.full(len(x), 1 / math.sqrt(p))]
    for k in range(1, (p - 1) // 2 + 1):
        rows += [np.cos(2 * math.pi * k * x / p) / math.sqrt(p / 2), np.sin(2 * math.pi * k * x / p) / math.sqrt(p / 2)]
    return np.array(rows)


def get_coefficients(pattern: np.ndarray) -> np.ndarray:
    """[p, p] values over (a, b) -> [p, p] 2-D Fourier coefficients of the centred pattern, [a's basis, b's basis]."""
    basis = get_basis(len(pattern))
    return basis @ (pattern - pattern.mean()) @ basis.T


def get_from_coefficients(coefficients: np.ndarray, upsample: int = 1) -> np.ndarray:
    """[p, p] coefficients -> [p * upsample, p * upsample] values; at upsample > 1 the band-limited
    interpolant, equal to the pattern at every whole (a, b) and smooth between them."""
    basis = get_basis(len(coefficients), upsample)
    return basis.T @ coefficients @ basis


def get_upsampled(values: np.ndarray, upsample: int) -> np.ndarray:
    """[p, p] -> [p * upsample, p * upsample] by Fourier interpolation (mean kept)."""
    basis = get_basis(len(values))
    return get_from_coefficients(basis @ values @ basis.T, upsample)


def get_parts(pattern: np.ndarray, k: int) -> dict[str, np.ndarray]:
    """The centred pattern [p, p] as four parts that add up to it exactly: frequency k's waves in a
    alone, in b alone, its products (cos or sin of wa times cos or sin of wb), and the rest."""
    coefficients = get_coefficients(pattern.astype(np.float64))
    trig = [2 * k - 1, 2 * k]  # basis rows cos k, sin k
    masks = {name: np.zeros(coefficients.shape, dtype=bool) for name in PARTS}
    masks["a alone"][trig, 0] = True
    masks["b alone"][0, trig] = True
    masks["products"][np.ix_(trig, trig)] = True
    masks["rest"] = ~(masks["a alone"] | masks["b alone"] | masks["products"])
    return {name: get_from_coefficients(np.where(mask, coefficients, 0.0)) for name, mask in masks.items()}


def get_share(part: np.ndarray, pattern: np.ndarray) -> float:
    """The share of the centred pattern's variance in `part` (parts from get_parts are orthogonal)."""
    total = np.square(pattern - pattern.mean()).sum()
    return float(np.square(part).sum() / total) if total > 0 else 0.0


@dataclass(frozen=True)
class ProductSplit:
    phase: float  # psi: the wave of a + b is cos(w(a + b) + psi); a' = a + psi / 2w
    weights: np.ndarray  # [2, 2] activation per unit of cos(wa')cos(wb'), cos sin, sin cos, sin sin
    checkerboards: tuple  # [p, p] each: weights[0, 0] cos(wa')cos(wb'), weights[1, 1] sin(wa')sin(wb')
    sum_wave: np.ndarray  # [p, p] the products' wave of a + b
    difference_wave: np.ndarray  # [p, p] the rest of the products: waves of a - b


def get_product_split(pattern: np.ndarray, k: int) -> ProductSplit:
    """Frequency k's products [[cc, cs], [sc, ss]] split into a wave of a + b (the traceless
    symmetric part, A cos(w(a + b) + psi)) and a wave of a - b (the rest), and written in the basis
    shifted by psi / 2 on both axes, where the wave of a + b is A (cos cos - sin sin) exactly."""
    p = len(pattern)
    coefficients = get_coefficients(pattern.astype(np.float64))
    trig = [2 * k - 1, 2 * k]
    block = coefficients[np.ix_(trig, trig)]  # [2, 2]
    x, y = (block[0, 0] - block[1, 1]) / 2, (block[0, 1] + block[1, 0]) / 2
    phase = math.atan2(-y, x)
    sum_block = np.array([[x, y], [y, -x]])
    half = phase / 2
    rotation = np.array([[math.cos(half), -math.sin(half)], [math.sin(half), math.cos(half)]])
    weights = rotation @ block @ rotation.T * (2 / p)  # coefficient of trig(wa') trig(wb')

    def from_block(sub_block):
        full = np.zeros_like(coefficients)
        full[np.ix_(trig, trig)] = sub_block
        return get_from_coefficients(full)

    shifted = 2 * math.pi * k * np.arange(p) / p + half  # wa' over a = 0..p-1
    checkerboards = (
        weights[0, 0] * np.outer(np.cos(shifted), np.cos(shifted)),
        weights[1, 1] * np.outer(np.sin(shifted), np.sin(shifted)),
    )
    return ProductSplit(phase, weights, checkerboards, from_block(sum_block), from_block(block - sum_block))


def get_wave_shares(pattern: np.ndarray, freqs) -> tuple[float, float, float]:
    """Over frequencies `freqs`: the shares of the pattern's variance in waves of a + b, waves of
    a - b, and waves of a alone or b alone."""
    sums = differences = alone = 0.0
    for k in freqs:
        parts, split = get_parts(pattern, int(k)), get_product_split(pattern, int(k))
        sums += get_share(split.sum_wave, pattern)
        differences += get_share(split.difference_wave, pattern)
        alone += get_share(parts["a alone"], pattern) + get_share(parts["b alone"], pattern)
    return sums, differences, alone


def get_share_words(share: float) -> str:
    """A share as read aloud; tiny ones as a bound rather than '0 %' (SHARE_FLOOR)."""
    if share < SHARE_FLOOR:
        return f"under {100 * SHARE_FLOOR:g} %"
    return "under 1 %" if share < 0.005 else percent(share)
