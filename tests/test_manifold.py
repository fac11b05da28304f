"""The helix construction (scenes/manifold.py) has the properties the paper's argument needs: checked on
the construction's numbers, not on pixels. Thresholds are set from what the argument predicts, with
room for the edges of the count range, where the fields are cut off."""

import numpy as np
import pytest

from scenes.manifold import (
    COUNT_MAX,
    FIELDS,
    HEAD_DIM,
    OFFSET,
    RAW_COSINE,
    get_best_match,
    get_construction,
    get_cosines,
    get_counts,
    get_features,
    get_field_widths_in_counts,
    get_truncated_similarity,
    get_twist,
    get_twist_power,
)


@pytest.fixture(scope="module")
def c():
    return get_construction()


def winding(c):
    """Angle [n] of each count about the helix axis, unwrapped, and its height along the axis [n]."""
    height, across, deep = (c.coords[:, :3] @ c.frame.T).T
    return np.unwrap(np.arctan2(deep, across)), height


def test_fields_tile_the_count_and_widen():
    centres, widths = get_field_widths_in_counts()
    inside = (centres >= 0) & (centres <= COUNT_MAX + 1e-9)
    assert inside.sum() == FIELDS and centres[inside][0] == 0 and np.isclose(centres[inside][-1], COUNT_MAX)
    assert np.all(np.diff(widths) > 0) and widths[inside][-1] > 1.5 * widths[inside][0]  # dilation
    activity = get_features(get_counts())  # [n, F]
    assert activity.shape == (COUNT_MAX + 1, len(centres))
    assert activity.max(axis=1).min() > 0.7  # no count falls between fields


def test_similarity_is_a_narrow_peak_that_widens(c):
    assert c.similarity.min() >= 0  # positive activations: never negative
    cosine = get_cosines(c.features, c.features)
    assert np.all(cosine.argmax(axis=1) == np.arange(COUNT_MAX + 1))
    half_width = [(cosine[i, i:] > 0.5).argmin() for i in (10, 75, 120)]
    assert half_width[0] < half_width[1] < half_width[2] < 30  # a peak, a fifth of the range at most; wider later on


def test_top_components_are_fourier_modes(c):
    """Component k changes sign k times over the count: the waves of a Fourier basis."""
    crossings = [int(np.sum(np.diff(np.sign(c.coords[:, k])) != 0)) for k in range(HEAD_DIM)]
    assert crossings == list(range(1, HEAD_DIM + 1))


def test_six_components_hold_the_variance(c):
    assert c.share[:HEAD_DIM].sum() >= 0.95  # the paper's six-dimensional subspace held 95 %
    assert c.share[:3].sum() < 0.9  # three are not the whole curve: the ripples live beyond them
    assert np.all(np.diff(c.share) <= 1e-12)


def test_helix_climbs_and_winds_monotonically(c):
    angle, height = winding(c)
    steps = np.diff(angle)
    assert np.all(steps > 0) or np.all(steps < 0)  # every count turns the same way
    assert abs(angle[-1] - angle[0]) > 2 * np.pi  # more than one full turn
    assert np.corrcoef(height, c.counts)[0, 1] > 0.95  # while it climbs the axis
    np.testing.assert_allclose(c.frame @ c.frame.T, np.eye(3), atol=1e-12)


def test_six_dimensions_ring_where_the_true_similarity_cannot(c):
    assert get_cosines(c.features, c.features).min() >= 0
    every_component = get_truncated_similarity(c.similarity, dim=c.features.shape[1])
    assert every_component.min() > -1e-6  # keeping every component: no ringing
    assert c.truncated.min() < -0.05  # keeping six: ringing
    row = c.truncated[0]  # from count 0: peak, below zero, above again, below again
    first_dip = np.flatnonzero(row < -0.05)[0]
    rebound = first_dip + np.flatnonzero(row[first_dip:] > 0.05)[0]
    assert np.any(row[rebound:] < -0.05)


def test_raw_stream_matches_count_i_with_width_i_weakly(c):
    offset, cosine = get_best_match(c.raw_cosines)
    assert np.all(offset == 0)
    np.testing.assert_allclose(cosine, RAW_COSINE, atol=1e-12)


def test_width_curve_has_the_count_curves_components(c):
    np.testing.assert_allclose(c.width_coords, c.coords, atol=1e-9)


def test_one_step_along_the_count_is_a_turn(c):
    """In the top components, i -> i + 1 is a linear map whose eigenvalues lie on the unit circle at
    angles in ratio 1 : 2 : 3: a turn of each pair of Fourier modes, as on a clock."""
    moduli = np.abs(np.linalg.eigvals(get_twist(c.coords, c.coords, offset=1)))
    np.testing.assert_allclose(moduli, 1, atol=0.01)
    assert len(c.step_turns) == HEAD_DIM // 2
    np.testing.assert_allclose(c.step_turns / c.step_turns[0], [1, 2, 3], rtol=0.05)


def test_twist_matches_count_i_with_width_i_plus_offset(c):
    n = COUNT_MAX + 1 - OFFSET  # counts whose width i + OFFSET exists
    offset, cosine = get_best_match(c.twisted_cosines)
    assert np.median(offset[:n]) == OFFSET
    assert np.all(np.abs(offset[:n] - OFFSET) <= 3)  # fields 8-17 characters wide cannot place it finer everywhere
    at_offset = c.twisted_cosines[np.arange(n), np.arange(n) + OFFSET]
    assert at_offset.min() > 0.95 and at_offset.mean() > 0.98


def test_twist_path_runs_from_identity_to_the_twist(c):
    np.testing.assert_allclose(get_twist_power(c.twist, 0.0), np.eye(HEAD_DIM), atol=1e-9)
    np.testing.assert_allclose(get_twist_power(c.twist, 1.0), c.twist, atol=1e-9)
    half = get_twist_power(c.twist, 0.5)
    np.testing.assert_allclose(half @ half, c.twist, atol=1e-9)
