"""The corrugated surface: its data helpers on known patterns, and, on the real fixture, that what the
scene draws has its energy at the run's own key frequency along the diagonal (not an alias of it),
checked on the faces a dry render leaves behind."""

import math

import numpy as np
import pytest
from manim import Text, tempconfig

from frames import load_frames
from scenes import style
from scenes.loader import FRAMES_ENV
from scenes.narration import count
from scenes.surface import (
    HEIGHT,
    OVERLAP,
    SIDE,
    UPSAMPLE,
    WINDOW,
    CorrugatedIron,
    HeightField,
    get_colors,
    get_crest,
    get_crest_heights,
    get_face_colors,
    get_heights,
    get_highest_sum,
    get_ridge_epoch,
    get_ridge_sum,
    get_screen,
    get_separable_share,
    get_sum_share,
    get_surface_neuron,
    get_triangles,
    get_vertex_normals,
    get_vertices,
    get_window,
    get_window_values,
)


@pytest.fixture
def frames(monkeypatch, grokked_frames):
    monkeypatch.setenv(FRAMES_ENV, str(grokked_frames))
    return load_frames(grokked_frames)


def wave(p: int, k: int, of_a: float, of_b: float, shift: float = 0.0) -> np.ndarray:
    """cos(2 pi k (of_a a + of_b b - shift) / p) on the p x p grid, indexed [a, b]."""
    a, b = np.meshgrid(np.arange(p), np.arange(p), indexing="ij")
    return np.cos(2 * np.pi * k * (of_a * a + of_b * b - shift) / p)


def get_peak_frequency(heights: np.ndarray, upsample: int = UPSAMPLE) -> tuple[float, float]:
    """The strongest wave in a height grid [n, n] (vertices 1/upsample of a sample apart), in cycles per
    sample along a and b, signs kept up to the overall sign: (f, f) is a ridge along a + b = const.
    Hann-windowed and zero-padded 8x, so the peak is read between the window's own frequency bins."""
    grid = (heights - heights.mean()) * np.outer(*[np.hanning(len(heights))] * 2)
    size = 8 * len(grid)
    power = np.abs(np.fft.fft2(grid, s=(size, size))) ** 2
    power[0, 0] = 0
    i, j = np.unravel_index(np.argmax(power), power.shape)
    fa, fb = np.fft.fftfreq(size, 1 / upsample)[[i, j]]
    return (fa, fb) if (fa, fb) >= (0, 0) else (-fa, -fb)  # a real wave: f and -f are one


# sampling


def test_window_values_are_the_samples_and_the_wave_between_them():
    p, k, start = 23, 5, 4
    values = wave(p, k, 1, 1)
    drawn = get_window_values(values[None], start)[0]  # [n, n]
    assert drawn.shape == (WINDOW * UPSAMPLE + 1,) * 2
    window = values[start : start + WINDOW + 1, start : start + WINDOW + 1]
    np.testing.assert_allclose(drawn[::UPSAMPLE, ::UPSAMPLE], window, atol=1e-12)  # every sample exactly
    mesh = start + np.arange(len(drawn)) / UPSAMPLE
    np.testing.assert_allclose(drawn, np.cos(2 * np.pi * k * np.add.outer(mesh, mesh) / p), atol=1e-12)


def test_the_drawn_mesh_has_the_true_frequency_where_decimation_aliases():
    """Frequency 41 at p = 113 is 0.363 cycles per sample, about 1/3. Upsampled the mesh shows ridges at
    0.363 along a and b; a grid of every 4th sample would show 4 x 0.363 = 1.45 cycles per step, seen
    as 0.45: 0.113 cycles per sample, a false pattern at a third of the true frequency."""
    p, k = 113, 41
    ridges = wave(p, k, 1, 1)
    fa, fb = get_peak_frequency(get_window_values(ridges[None], get_window(p, 0))[0])
    assert fa == pytest.approx(k / p, abs=0.01) and fb == pytest.approx(k / p, abs=0.01)
    da, db = get_peak_frequency(ridges[::4, ::4], upsample=1)  # cycles per 4 samples
    alias = abs(4 * k / p - round(4 * k / p)) / 4  # 0.113 cycles per sample
    assert da / 4 == pytest.approx(alias, abs=0.01) and db == pytest.approx(da, abs=1e-9)
    assert abs(alias - k / p) > 0.2


def test_a_wave_in_a_alone_peaks_on_the_a_axis():
    p, k = 59, 15
    fa, fb = get_peak_frequency(get_window_values(wave(p, k, 1, 0)[None], 10)[0])
    assert fa == pytest.approx(k / p, abs=0.01) and fb == pytest.approx(0, abs=0.01)


# window, shares, crests


@pytest.mark.parametrize("p, c", [(113, 0), (59, 0), (23, 0), (23, 7), (113, 112), (17, 3)])
def test_window_sits_inside_the_grid_with_the_answer_on_its_diagonal(p, c):
    start = get_window(p, c)
    assert 0 <= start and start + WINDOW <= p - 1
    ridge = get_ridge_sum(p, c, start)
    assert ridge % p == c and 2 * start <= ridge <= 2 * (start + WINDOW)


def test_shares_split_a_pattern_by_what_it_depends_on():
    p = 23
    on_sum, separable = wave(p, 3, 1, 1), wave(p, 3, 1, 0) + 0.5 * wave(p, 5, 0, 1)
    assert get_sum_share(on_sum) == pytest.approx(1) and get_separable_share(on_sum) == pytest.approx(0, abs=1e-12)
    assert get_sum_share(separable) == pytest.approx(0, abs=1e-12) and get_separable_share(separable) == pytest.approx(
        1
    )
    mixed = on_sum + separable
    assert get_sum_share(mixed) + get_separable_share(mixed) == pytest.approx(1)


def test_crest_heights_and_the_highest_ridge():
    p, c = 23, 7
    logit = 2 * wave(p, 3, 1, 1, shift=c) + wave(p, 5, 1, 1, shift=c + 0.5)  # the second crests half a step off
    heights = get_crest_heights(logit, [3, 5], c)
    np.testing.assert_allclose(heights, [1, math.cos(2 * math.pi * 5 * 0.5 / p)], atol=1e-9)
    start = get_window(p, c)
    assert get_highest_sum(logit, start) == get_ridge_sum(p, c, start)
    assert get_highest_sum(-logit, start) != get_ridge_sum(p, c, start)


# heights, colours, faces


def test_heights_are_rescaled_per_checkpoint_and_coloured_by_value():
    values = np.stack([np.zeros((3, 3)), np.arange(9.0).reshape(3, 3), -50 * np.ones((3, 3))])
    heights = get_heights(values, 4.0)
    assert np.all(heights[0] == -1) and heights[1].max() == 1 and heights[1, 1, 1] == 0 and np.all(heights[2] == -1)
    assert np.all(get_heights(np.zeros((1, 2, 2)), 0.0) == 0)
    low, zero, high = (color.to_rgb() for color in style.SURFACE_COLORS)
    np.testing.assert_allclose(get_colors(np.array([-1.0, 0.0, 1.0, 5.0])), [low, zero, high, high])
    np.testing.assert_allclose(get_colors(np.array([0.5])), [(np.array(zero) + high) / 2])


def test_triangles_tile_the_window_and_cut_along_ridges():
    flat = np.zeros((4, 4))
    triangles = get_triangles(flat)
    assert triangles.shape == (18, 3) and np.bincount(triangles.ravel(), minlength=16).min() >= 1
    vertices = get_vertices(flat)
    assert vertices[:, :2].min() == -SIDE / 2 and vertices[:, :2].max() == SIDE / 2
    np.testing.assert_allclose(get_vertex_normals(flat), [[0, 0, 1]] * 16)
    a, b = np.meshgrid(np.arange(5), np.arange(5), indexing="ij")
    for of_b in (1, -1):  # ridges along a + b = const, then along a - b = const
        heights = np.sin(2 * np.pi * (a + of_b * b) / 5)
        z = heights.ravel()[get_triangles(heights)]  # [F, 3], the corner off the cut first
        np.testing.assert_allclose(z[:, 1], z[:, 2])  # every cut joins two equal heights


def test_faces_along_a_ridge_share_one_colour():
    """Heights that depend on a + b alone: the triangles between two neighbouring cuts (one pointing each
    way) get one colour, so the slopes are smooth bands, not a sawtooth (inside the window: at its border
    the slopes are one-sided)."""
    n = 10
    a, b = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    heights = np.cos(2 * np.pi * (a + b) / 7)
    triangles = get_triangles(heights)
    colors = get_face_colors(heights, triangles)
    sums = (a + b).ravel()[triangles] @ np.array([0.5, 0.25, 0.25])  # where along a + b each face sits
    border = np.isin(triangles, np.flatnonzero((a == 0) | (b == 0) | (a == n - 1) | (b == n - 1))).any(axis=1)
    for where in np.unique(sums):
        band = colors[np.isclose(sums, where) & ~border]
        np.testing.assert_allclose(band, band[:1].repeat(len(band), axis=0), atol=1e-12)
    assert len(np.unique(sums)) == 2 * (n - 1)  # one band per half step of a + b


def test_crest_runs_along_its_diagonal_at_the_surface_height():
    heights = get_window_values(wave(23, 2, 1, 1)[None], 4)[0]
    crest = get_crest(heights, 4, 20)
    a = (crest[:, 0] + SIDE / 2) / SIDE * WINDOW + 4
    b = (crest[:, 1] + SIDE / 2) / SIDE * WINDOW + 4
    np.testing.assert_allclose(a + b, 20, atol=1e-9)
    np.testing.assert_allclose(crest[:, 2], HEIGHT * np.cos(2 * np.pi * 2 * 20 / 23), atol=1e-9)
    assert get_screen(4, 4) == -SIDE / 2 and get_screen(4 + WINDOW, 4) == SIDE / 2


# the scene, on a real run


def test_script_quotes_the_run(frames):
    lines = CorrugatedIron.script(frames)
    assert list(lines) == [
        "neuron",
        "neuron_train",
        "neuron_share",
        "logit",
        "logit_train",
        "logit_share",
        "why",
        "peak",
    ]
    index = get_surface_neuron(frames)
    neuron = int(frames["surface_neurons"][index])
    assert (
        f"neuron {neuron}," in lines["neuron"]
        and f"frequency {int(frames['neuron_freq'][neuron])}" in lines["neuron_train"]
    )
    assert count(frames["surface_epochs"][-1]) in lines["neuron_train"]
    post = frames["surface_post"][-1, index].astype(np.float64)
    assert f"{round(100 * get_sum_share(post))} %" in lines["neuron_share"]
    assert f"epoch {count(get_ridge_epoch(frames))}" in lines["logit_train"]
    assert all(str(k) in lines["why"] for k in frames["key_freqs"])
    assert f"{int(frames['p'])} by {int(frames['p'])}" in lines["neuron"]
    assert "highest ridge" in lines["peak"]  # true of this run: checked by get_highest_sum


def test_a_run_without_key_frequencies_stops_with_one_line(frames):
    with pytest.raises(SystemExit, match="no key frequency"):
        CorrugatedIron.script(dict(frames, key_freqs=np.zeros(0, dtype=np.int32)))


def drawn_heights(field: HeightField) -> np.ndarray:
    """The vertex heights the faces carry [n, n], read back from their corner points."""
    points = np.concatenate([face.points[::4] for face in field.submobjects])  # polygon corners, grown
    centres = np.repeat([face.centre for face in field.submobjects], 3, axis=0)
    corners = centres + (points - centres) / OVERLAP
    n = round(math.sqrt(len(field.submobjects) / 2)) + 1
    step = SIDE / (n - 1)
    i, j = np.round((corners[:, :2] + SIDE / 2) / step).astype(int).T
    heights = np.full((n, n), np.nan)
    heights[i, j] = corners[:, 2] / HEIGHT
    return heights


def on_screen(camera, mobject, points: np.ndarray) -> np.ndarray:
    """Where the camera draws a mobject's points, in frame units from the middle of the picture."""
    return camera.transform_points_pre_display(mobject, points) - camera.frame_center


def get_box(camera, mobject) -> np.ndarray:
    """[2, 2] lower-left and upper-right corners of a mobject as drawn."""
    points = on_screen(camera, mobject, mobject.get_all_points())[:, :2]
    return np.array([points.min(axis=0), points.max(axis=0)])


class RecordedSurface(CorrugatedIron):
    """After every play: the text boxes on screen and the surface's outline as drawn."""

    def play(self, *args, **kwargs):
        super().play(*args, **kwargs)
        camera = self.renderer.camera
        camera.reset_rotation_matrix()  # what drawing a frame would do first
        field = next(m for m in self.mobjects if isinstance(m, HeightField))
        corners = np.concatenate([face.points[::4] for face in field.submobjects])
        texts = [m for top in self.mobjects for m in top.get_family() if isinstance(m, Text)]
        self.states = getattr(self, "states", []) + [
            ([(m.text, get_box(camera, m)) for m in texts], on_screen(camera, field.submobjects[0], corners)[:, :2])
        ]


@pytest.fixture(scope="module")
def rendered(grokked_frames):
    """The scene rendered with every play jumping to its end (as -s does), so it ends on the final
    logit. Frames are not drawn (a 3-D frame takes a quarter of a second): the tests read mobjects."""
    with (
        pytest.MonkeyPatch.context() as patch,
        tempconfig({"dry_run": True, "quality": "low_quality", "disable_caching": True}),
    ):
        patch.setenv(FRAMES_ENV, str(grokked_frames))
        scene = RecordedSurface(skip_animations=True)
        patch.setattr(scene.renderer, "update_frame", lambda *args, **kwargs: None)
        scene.render()
    return scene


def test_scene_draws_diagonal_ridges_at_the_runs_key_frequency(rendered, frames):
    """The faces carry the band-limited final logit, and the strongest wave in them is the run's
    strongest key frequency, along a + b."""
    field = next(m for m in rendered.mobjects if isinstance(m, HeightField))
    assert len(field.submobjects) == 2 * (WINDOW * UPSAMPLE) ** 2
    heights = drawn_heights(field)
    p, c = int(frames["p"]), int(frames["surface_logit_c"])
    logit = frames["surface_logit"][-1].astype(np.float64)
    expected = get_heights(get_window_values(logit[None], get_window(p, c)), logit.mean())[0]
    np.testing.assert_allclose(heights, expected, atol=1e-9)
    spectrum = np.abs(np.fft.fft2(logit))
    strongest = max(frames["key_freqs"], key=lambda k: spectrum[k, k])  # found from the frames, not typed in
    fa, fb = get_peak_frequency(heights)
    assert fa == pytest.approx(strongest / p, abs=0.01) and fb == pytest.approx(fa, abs=1e-9)
    camera = rendered.renderer.camera
    camera.capture_mobjects(rendered.mobjects)  # and it draws
    drawn = np.any(camera.pixel_array[:, :, :3] != camera.pixel_array[0, 0, :3], axis=-1)  # [height, width]
    assert drawn[:, drawn.shape[1] // 2 :].mean() > 0.1


def test_text_stays_in_frame_and_clear_of_the_surface(rendered, frames):
    """After every play: each text lies inside the frame and no corner of the surface falls inside a
    text's box; the surface stays inside the frame."""
    camera = rendered.renderer.camera
    half = np.array([camera.frame_width, camera.frame_height]) / 2
    assert len(rendered.states) > 2 * len(frames["surface_epochs"])  # every morph step checked
    for texts, surface in rendered.states:
        assert np.all(np.abs(surface) < half)
        for text, (low, high) in texts:
            assert np.all(np.abs([low, high]) < half), text
            inside = np.all((surface > low) & (surface < high), axis=1)
            assert not inside.any(), f"the surface covers {text!r}"


def test_the_surface_camera_draws_what_manims_camera_draws():
    """SurfaceCamera draws runs of faces in one go; the picture must be manim's own, pixel for pixel."""
    from manim import Circle, ThreeDCamera

    from scenes.surface import SurfaceCamera

    rng = np.random.default_rng(0)
    field = HeightField(6).show(np.tanh(rng.normal(size=(6, 6))))
    field.scale(2).rotate(0.4)
    ring = Circle(radius=1.5, color=style.HIGHLIGHT)  # not a face: drawn by manim's own method, in its place
    pictures = []
    with tempconfig({"pixel_width": 320, "pixel_height": 180}):
        for camera_class in (ThreeDCamera, SurfaceCamera):
            camera = camera_class()
            camera.should_apply_shading = False
            camera.set_phi(1.0)
            camera.set_theta(-1.2)
            camera.capture_mobjects([field, ring])
            pictures.append(camera.pixel_array.astype(int))
    assert pictures[0].std() > 10  # something was drawn
    assert np.abs(pictures[0] - pictures[1]).max() == 0
