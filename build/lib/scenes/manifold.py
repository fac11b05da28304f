"""The helix of Gurnee et al. (2025), built from first principles: an illustration, not our model's data.

"When Models Manipulate Manifolds" (Gurnee et al. 2025) found that Claude 3.5 Haiku counts the
characters since the last newline on a curve: ten features whose receptive fields tile the count
and widen as it grows, a helix-like curve in a six-dimensional subspace (95 % of the variance), and
a "boundary" attention head whose query-key map twists that curve against a second one, the line
width, so that count i lines up with width i + epsilon. This module rebuilds the argument with
numpy alone, step by step:

1. Features. FIELDS features with Gaussian receptive fields over the count i = 0..COUNT_MAX. Their
   centres are evenly spaced in log(DILATION + i), so each field is wider than the last (Weber's
   law; 1.75x wider at 150 than at 0); EDGE_FIELDS more lie past each end so that the counts near 0
   and 150 are tiled like the rest. Feature directions are orthonormal, so the representation of
   count i is its row of activations: R [n, F], n = COUNT_MAX + 1.
2. Similarity. S = R R^T [n, n] is a narrow peak in |i - j| (narrower at small counts) and never
   negative: every activation is positive.
3. Fourier modes. A similarity that depends (nearly) on i - j alone is a Toeplitz matrix; its top
   eigenvectors are Fourier modes, waves over the count with 1, 2, 3, ... sign changes. Principal
   components (the eigenvectors of the centred similarity) are those waves, and the counts'
   coordinates on the first three trace a helix: the curve climbs along an axis (the direction in
   which the count grows) and winds about it more than a full turn. HEAD_DIM = 6 components hold
   nearly all the variance.
4. Ringing. Keeping only the top HEAD_DIM eigenvectors of S truncates a Fourier series of a narrow
   peak, and truncated Fourier series ring (Gibbs): the similarity of the low-dimensional
   representation overshoots below zero around each count and comes back, where the true
   similarity never does. The same waves put ripples on the curve.
5. The twist. Line width gets the same kind of features, written in other directions of the
   residual stream, which overlap the count's with cosine RAW_COSINE: in the raw stream, count i
   resembles width i with cosine 0.25 (the paper's figure) and nothing else more. The shift
   i -> i + 1 (nearly) commutes with a similarity that depends on i - j alone, so it maps the top
   components into themselves: in them it is a linear map, and on Fourier modes a turn of each
   pair of waves, by angles in ratio 1 : 2 : 3 (`get_step_turns`). So a linear map slides the
   curve along itself: the query map T [d, d] is fitted by least squares so that
   T c(i) = c(i + OFFSET), where c are the top-d component coordinates. The head compares queries
   T c(i) with keys c(k) (the width curve's coordinates): count i now best matches width
   i + OFFSET, with a cosine near 1. T^t (0 <= t <= 1) is the animation's path.

Everything is deterministic and cheap (a few ms); `get_construction()` computes it once.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

COUNT_MAX = 150  # characters since the last newline: counts 0..150
FIELDS = 10  # features with centres in 0..COUNT_MAX (the paper shows ten)
EDGE_FIELDS = 2  # more past each end, so counts near 0 and 150 are tiled like the rest
DILATION = 200  # a field's width grows like DILATION + count: 1.75x wider at 150 than at 0
FIELD_SIGMA = 0.7  # Gaussian sigma of a field, in units of the gap between neighbouring centres
HEAD_DIM = 6  # components kept: the paper's six-dimensional subspace
RAW_COSINE = 0.25  # cosine of count i and width i in the raw residual stream (the paper's ~0.25)
OFFSET = 10  # epsilon: after the twist, count i best matches width i + OFFSET


def get_counts() -> np.ndarray:
    return np.arange(COUNT_MAX + 1, dtype=np.float64)  # [n]


def get_warped(counts: np.ndarray) -> np.ndarray:
    """The coordinate in which the fields are evenly spaced: log(DILATION + i), 0 at i = 0, 1 at COUNT_MAX."""
    return np.log1p(counts / DILATION) / np.log1p(COUNT_MAX / DILATION)


def get_field_centres() -> np.ndarray:
    """Centres of every field in warped units, FIELDS of them in [0, 1] and EDGE_FIELDS past each end."""
    gap = 1 / (FIELDS - 1)
    return gap * np.arange(-EDGE_FIELDS, FIELDS + EDGE_FIELDS)  # [F]


def get_field_widths_in_counts() -> tuple[np.ndarray, np.ndarray]:
    """(centre, one-sigma width) of each field in characters: the widening the paper calls dilation."""
    warped = get_field_centres()
    scale = np.log1p(COUNT_MAX / DILATION)
    centres = DILATION * np.expm1(warped * scale)  # [F]
    sigma = FIELD_SIGMA / (FIELDS - 1)
    return centres, sigma * scale * (DILATION + centres)  # d count / d warped = (DILATION + i) * scale


def get_features(counts: np.ndarray) -> np.ndarray:
    """Activation of every field at every count: R [len(counts), F], Gaussian bumps, all positive."""
    sigma = FIELD_SIGMA / (FIELDS - 1)
    offsets = get_warped(counts)[:, None] - get_field_centres()[None, :]
    return np.exp(-0.5 * (offsets / sigma) ** 2)


def get_similarity(features: np.ndarray) -> np.ndarray:
    """S = R R^T [n, n]: the dot product of every pair of counts' representations."""
    return features @ features.T


def get_components(features: np.ndarray, dim: int = HEAD_DIM) -> tuple[np.ndarray, np.ndarray]:
    """Principal components of the counts' representations: (coordinates [n, dim], variance share of
    every component [F]). Signs are fixed so that each component is positive at the last count (SVD
    leaves them arbitrary)."""
    centred = features - features.mean(axis=0)
    u, s, _ = np.linalg.svd(centred, full_matrices=False)
    share = s**2 / np.sum(s**2)
    return u[:, :dim] * s[:dim] * np.sign(u[-1, :dim]), share


def get_helix_frame(coords: np.ndarray) -> np.ndarray:
    """An orthonormal frame [3, 3] of the top three components, rows (axis, across, deep): the axis is
    the direction in which the count grows (least squares of the count on the coordinates), so the
    curve climbs along it and winds about it. A rotation of the same 3-D picture, chosen to show it."""
    top = coords[:, :3] - coords[:, :3].mean(axis=0)  # [n, 3]
    axis, *_ = np.linalg.lstsq(top, np.arange(len(top)) - (len(top) - 1) / 2, rcond=None)
    axis /= np.linalg.norm(axis)
    across = np.cross(axis, [0.0, 0.0, 1.0])
    across /= np.linalg.norm(across)
    return np.stack([axis, across, np.cross(axis, across)])


def get_truncated_similarity(similarity: np.ndarray, dim: int = HEAD_DIM) -> np.ndarray:
    """Cosine similarity [n, n] of the counts embedded with only the top `dim` eigenvectors of S
    (each scaled by sqrt of its eigenvalue): the best rank-`dim` version of S, where ringing shows."""
    values, vectors = np.linalg.eigh(similarity)  # ascending
    embedded = vectors[:, -dim:] * np.sqrt(np.maximum(values[-dim:], 0))  # [n, dim]
    return get_cosines(embedded, embedded)


def get_cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Cosine of every row of a [n, d] with every row of b [m, d]: [n, m]."""
    a = a / np.linalg.norm(a, axis=1, keepdims=True)
    b = b / np.linalg.norm(b, axis=1, keepdims=True)
    return a @ b.T


def get_residual_streams(features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(count vectors [n, 2F], width vectors [n, 2F]). Count field f writes along axis f; width
    field f along RAW_COSINE * axis f + sqrt(1 - RAW_COSINE^2) * axis F + f, so the two families
    overlap by RAW_COSINE and count i and width i have exactly that cosine."""
    zeros = np.zeros_like(features)
    count = np.concatenate([features, zeros], axis=1)
    width = np.concatenate([RAW_COSINE * features, np.sqrt(1 - RAW_COSINE**2) * features], axis=1)
    return count, width


def get_twist(queries: np.ndarray, keys: np.ndarray, offset: int = OFFSET) -> np.ndarray:
    """T [d, d], least squares over i = 0..n-1-offset: T queries[i] ~ keys[i + offset]."""
    n = len(queries) - offset
    solution, *_ = np.linalg.lstsq(queries[:n], keys[offset : offset + n], rcond=None)  # [d, d], rows act on the right
    return solution.T


def get_step_turns(coords: np.ndarray) -> np.ndarray:
    """The map that moves every count one step on, T_1 c(i) ~ c(i + 1), is a turn: its eigenvalues come
    in conjugate pairs on (nearly) the unit circle. Their angles [d // 2], in degrees, smallest first:
    in ratio 1 : 2 : 3, as a shift does to Fourier modes of frequency 1, 2, 3."""
    angles = np.degrees(np.angle(np.linalg.eigvals(get_twist(coords, coords, offset=1))))
    return np.sort(angles[angles > 0])


def get_twist_power(twist: np.ndarray, t: float) -> np.ndarray:
    """T^t [d, d] through T's eigendecomposition (principal branch): identity at t = 0, T at t = 1,
    a smooth turn in between. Complex eigenvalues come in conjugate pairs, so the result is real."""
    values, vectors = np.linalg.eig(twist)
    power = vectors @ np.diag(values.astype(complex) ** t) @ np.linalg.inv(vectors)
    return power.real


def get_best_match(cosines: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each row i of cosines [n, m]: (offset k - i of the best-matching column, that cosine)."""
    best = cosines.argmax(axis=1)
    return best - np.arange(len(cosines)), cosines.max(axis=1)


@dataclass(frozen=True)
class Construction:
    counts: np.ndarray  # [n] 0..COUNT_MAX
    features: np.ndarray  # [n, F] field activations per count
    similarity: np.ndarray  # [n, n] R R^T
    truncated: np.ndarray  # [n, n] cosine similarity of the rank-HEAD_DIM embedding
    coords: np.ndarray  # [n, HEAD_DIM] principal-component coordinates of the count curve
    width_coords: np.ndarray  # [n, HEAD_DIM] the same for the width curve (equal: same fields, other directions)
    share: np.ndarray  # [F] variance share of every component
    frame: np.ndarray  # [3, 3] rows (axis, across, deep) of the helix in the top three components
    raw_cosines: np.ndarray  # [n, n] count i against width k in the raw residual stream
    step_turns: np.ndarray  # [HEAD_DIM // 2] degrees the one-count shift turns each pair of components
    twist: np.ndarray  # [HEAD_DIM, HEAD_DIM] the query map T
    twisted_cosines: np.ndarray  # [n, n] query T c(i) against key c(k)


@lru_cache(maxsize=1)
def get_construction() -> Construction:
    counts = get_counts()
    features = get_features(counts)
    similarity = get_similarity(features)
    coords, share = get_components(features)
    count_stream, width_stream = get_residual_streams(features)
    width_coords, _ = get_components(width_stream)  # the keys
    twist = get_twist(coords, width_coords)
    return Construction(
        counts,
        features,
        similarity,
        get_truncated_similarity(similarity),
        coords,
        width_coords,
        share,
        get_helix_frame(coords),
        get_cosines(count_stream, width_stream),
        get_step_turns(coords),
        twist,
        get_cosines(coords @ twist.T, width_coords),
    )
