"""The corrugated surface: its data helpers, and that what the scene draws has its energy at the true
key frequency (not an alias of it), checked on the faces a dry render leaves behind."""
import numpy as np
import pytest
from manim import tempconfig

from frames import load_frames
from scenes import style
from scenes.loader import FRAMES_ENV
from scenes.narration import count
from scenes.surface import (HEIGHT, OVERLAP, SIDE, UPSAMPLE, WINDOW, CorrugatedIron, HeightField, get_band_limited,
                            get_colors, get_crest, get_faces, get_frequencies, get_heights, get_key_share, get_mesh,
                            get_peak_frequency, get_ridge_sum, get_screen, get_separable_share, get_sum_share,
                            get_surface_neuron, get_window, get_window_values)


@pytest.fixture
def frames(monkeypatch, grokked_frames):
    monkeypatch.setenv(FRAMES_ENV, str(grokked_frames))
    return load_frames(grokked_frames)


def wave(p: int, k: int, of_a: float, of_b: float) -> np.ndarray:
    """cos(2 pi k (of_a a + of_b b) / p) on the p x p grid, indexed [a, b]."""
    a, b = np.meshgrid(np.arange(p), np.arange(p), indexing="ij")
    return np.cos(2 * np.pi * k * (of_a * a + of_b * b) / p)


# sampling

def test_band_limited_interpolation_is_exact_at_the_samples():
    values = np.random.default_rng(0).normal(size=(2, 23, 23))
    samples = np.arange(23)
    np.testing.assert_allclose(get_band_limited(values, samples, samples), values, atol=1e-12)
    assert get_frequencies(5).tolist() == [0, 1, 2, -2, -1]


def test_the_drawn_mesh_has_the_true_frequency_where_decimation_aliases():
    """Frequency 41 at p = 113 is 0.363 cycles per sample. Upsampled x3 the mesh shows ridges at 0.363
    along a and b (a ridge along a + b = const); every 4th sample would show 4 x 0.363 = 1.45 cycles
    per step, i.e. 0.45: 0.113 cycles per sample, a false pattern at a third of the true frequency."""
    p, k = 113, 41
    ridges = wave(p, k, 1, 1)
    start = get_window(p, 0)
    mesh = get_mesh(start)
    fa, fb = get_peak_frequency(get_band_limited(ridges, mesh, mesh))
    assert abs(fa - k / p) < 1 / WINDOW and abs(fb - k / p) < 1 / WINDOW
    decimated = ridges[::4, ::4]                                    # a mesh through every 4th sample
    da, db = get_peak_frequency(decimated, upsample=1)
    assert abs(da / 4 - k / p) > 0.2 and abs(da / 4 - 0.113) < 0.02   # the alias, in cycles per sample


def test_a_wave_in_a_alone_peaks_on_the_a_axis():
    p, k = 59, 15
    mesh = get_mesh(10)
    fa, fb = get_peak_frequency(get_band_limited(wave(p, k, 1, 0), mesh, mesh))
    assert abs(fa - k / p) < 1 / WINDOW and abs(fb) < 1 / WINDOW


# window, shares, heights, colours, faces

@pytest.mark.parametrize("p, c", [(113, 0), (59, 0), (23, 0), (23, 7), (113, 112), (11, 3)])
def test_window_sits_inside_the_grid_with_the_answer_on_its_diagonal(p, c):
    start = get_window(p, c)
    size = min(WINDOW, p - 1)
    assert 0 <= start and start + size <= p - 1
    ridge = get_ridge_sum(p, c, start, size)
    assert ridge % p == c and 2 * start <= ridge <= 2 * (start + size)


def test_shares_split_a_pattern_by_what_it_depends_on():
    p = 23
    on_sum, separable = wave(p, 3, 1, 1), wave(p, 3, 1, 0) + 0.5 * wave(p, 5, 0, 1)
    assert get_sum_share(on_sum) == pytest.approx(1) and get_separable_share(on_sum) == pytest.approx(0, abs=1e-12)
    assert get_sum_share(separable) == pytest.approx(0, abs=1e-12) and get_separable_share(separable) == pytest.approx(1)
    mixed = on_sum + separable
    assert get_sum_share(mixed) + get_separable_share(mixed) == pytest.approx(1)
    assert get_key_share(on_sum, [3]) == pytest.approx(1) and get_key_share(on_sum, [4]) == pytest.approx(0, abs=1e-12)


def test_heights_are_rescaled_per_checkpoint_and_coloured_by_value():
    values = np.stack([np.zeros((3, 3)), np.arange(9.0).reshape(3, 3), -50 * np.ones((3, 3))])
    heights = get_heights(values, 4.0)
    assert np.all(heights[0] == -1) and heights[1].max() == 1 and heights[1, 1, 1] == 0 and np.all(heights[2] == -1)
    assert np.all(get_heights(np.zeros((1, 2, 2)), 0.0) == 0)
    low, zero, high = (color.to_rgb() for color in style.SURFACE_COLORS)
    np.testing.assert_allclose(get_colors(np.array([-1.0, 0.0, 1.0, 5.0])), [low, zero, high, high])
    np.testing.assert_allclose(get_colors(np.array([0.5])), [(np.array(zero) + high) / 2])


def test_faces_tile_the_window_face_up_and_cut_along_ridges():
    corners, centres, normals = get_faces(np.zeros((4, 4)))
    assert corners.shape == (18, 3, 3) and centres.shape == (18, 3)
    np.testing.assert_allclose(normals, [[0, 0, 1]] * 18)
    assert corners[:, :, :2].min() == -SIDE / 2 and corners[:, :, :2].max() == SIDE / 2
    for of_b in (1, -1):                           # ridges along a + b = const, then along a - b = const
        a, b = np.meshgrid(np.arange(5), np.arange(5), indexing="ij")
        corners, _, normals = get_faces(np.sin(2 * np.pi * (a + of_b * b) / 5))
        assert np.all(normals[:, 2] > 0)
        cell = corners.reshape(4, 4, 2, 3, 3)[1, 1, 0]                # first triangle of cell (1, 1)
        shared = cell[1:] if of_b == 1 else cell[[0, 2]]
        assert np.isclose(shared[0, 2], shared[1, 2])                 # its cut joins two equal heights


def test_crest_runs_along_its_diagonal_at_the_surface_height():
    heights = get_window_values(wave(23, 2, 1, 1)[None], 4)[0]
    assert heights.shape == (WINDOW * UPSAMPLE + 1,) * 2
    crest = get_crest(heights, 4, 20)
    a = (crest[:, 0] + SIDE / 2) / SIDE * WINDOW + 4
    b = (crest[:, 1] + SIDE / 2) / SIDE * WINDOW + 4
    np.testing.assert_allclose(a + b, 20, atol=1e-9)
    np.testing.assert_allclose(crest[:, 2], HEIGHT * np.cos(2 * np.pi * 2 * 20 / 23), atol=1e-9)
    assert get_screen(4, 4) == -SIDE / 2 and get_screen(4 + WINDOW, 4) == SIDE / 2


# the scene, on a real run

def test_script_quotes_the_run(frames):
    lines = CorrugatedIron.script(frames)
    neuron = int(frames["surface_neurons"][get_surface_neuron(frames)])
    assert f"neuron {neuron}" in lines["neuron"] and f"frequency {int(frames['neuron_freq'][neuron])}" in lines["neuron_train"]
    assert count(frames["surface_epochs"][-1]) in lines["neuron_train"]
    assert all(str(k) in lines["why"] for k in frames["key_freqs"])
    assert f"{int(frames['p'])} by {int(frames['p'])}" in lines["neuron"]


def drawn_heights(field: HeightField) -> np.ndarray:
    """The vertex heights the faces carry (each cell's first triangle's first corner, undoing the
    overlap): [n-1, n-1]."""
    corner = np.array([face.centre + (face.points[0] - face.centre) / OVERLAP for face in field.submobjects[::2]])
    side = round(len(corner) ** 0.5)
    return corner[:, 2].reshape(side, side) / HEIGHT


def test_scene_draws_diagonal_ridges_at_a_key_frequency(frames):
    """A render with animations skipped ends on the final logit: what the faces carry has its peak at
    (k/p, k/p) for a key frequency k, a ridge along a + b = const at the true frequency."""
    with tempconfig({"dry_run": True, "quality": "low_quality", "disable_caching": True}):
        scene = CorrugatedIron(skip_animations=True)           # every play jumps to its end, as -s does
        scene.render()
    field = next(m for m in scene.mobjects if isinstance(m, HeightField))
    assert len(field.submobjects) == 2 * (WINDOW * UPSAMPLE) ** 2
    heights = drawn_heights(field)
    fa, fb = get_peak_frequency(heights)
    p = int(frames["p"])
    k = min(frames["key_freqs"], key=lambda key: abs(key / p - fa))
    assert abs(fa - k / p) < 1 / (2 * WINDOW) and abs(fb - fa) < 1e-9
    np.testing.assert_allclose(heights, get_heights(get_window_values(frames["surface_logit"][-1:], get_window(p, 0)),
                                                    frames["surface_logit"][-1].astype(np.float64).mean())[0, :-1, :-1],
                               atol=1e-9)
