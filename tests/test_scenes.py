"""Scenes build their mobjects from a real frames file (a tiny run that groks), checked on properties
(counts, positions, colours), not pixels. Rendering is a dry run at a low frame rate."""

import math

import numpy as np
import pytest
from click.testing import CliRunner
from manim import Arrow, Axes, Dot, LogBase, VMobject

from frames import load_frames
from scenes import style
from scenes.clock import (
    CLOCK_RADIUS,
    DOT_RADIUS,
    STAGE_RADIUS,
    ClockAddition,
    EmbeddingClock,
    get_addition_example,
    get_clock_frequency,
    get_clock_points,
    get_turn,
)
from scenes.loader import FRAMES_ENV, frames_path, get_frames
from scenes.snake import SnakeCurve, get_curve, get_decade_range, get_log_envelope, get_phase_spans
from scenes.waves import NeuronRing, NeuronWaves, get_centred_unit, get_epoch_at, get_interpolated, get_unit_height

from dry_render import all_of, dry_render


@pytest.fixture
def frames(monkeypatch, grokked_frames):
    monkeypatch.setenv(FRAMES_ENV, str(grokked_frames))
    return load_frames(grokked_frames)


# pure helpers


def test_log_envelope_covers_the_run_evenly_in_log_space():
    epochs = np.arange(25_000)
    xs, ys = get_log_envelope(epochs, np.linspace(10, 1, len(epochs)), 400)
    assert xs[0] == 1 and xs[-1] == 24_999 and len(xs) <= 800
    assert np.all(np.diff(xs) > 0)
    assert np.diff(np.log(xs[xs > 1000])).max() <= 2 * np.log(25_000) / 400  # no gap wider than two buckets
    np.testing.assert_allclose(ys, np.linspace(10, 1, len(epochs))[xs])  # the values at their own epochs


def test_decades_and_labels():
    assert get_decade_range(np.array([3e-7, 0.5, 33.5, np.nan])) == (-7, 2)
    assert style.power_label(-6) == "10⁻⁶" and style.power_label(2) == "10²"


def test_phase_spans_skip_phases_not_found():
    assert get_phase_spans(np.array([0, 1400, 9400]), 24_999) == [
        ("memorisation", 1, 1400),
        ("circuit formation", 1400, 9400),
        ("clean-up", 9400, 24_999),
    ]
    assert get_phase_spans(np.array([0, 1400, -1]), 24_999) == [
        ("memorisation", 1, 1400),
        ("circuit formation", 1400, 24_999),
    ]


def test_curve_points_sit_on_the_log_axes():
    axes = Axes(
        x_range=[0, 3, 1],
        y_range=[-4, 1, 1],
        x_length=6,
        y_length=4,
        x_axis_config={"scaling": LogBase(custom_labels=False)},
        y_axis_config={"scaling": LogBase(custom_labels=False)},
    )
    curve = get_curve(axes, np.array([1, 10, 100]), np.array([1.0, 1e-2, 1e-9]), style.TRAIN, floor=1e-4)
    ends = curve.get_anchors()
    np.testing.assert_allclose(ends[0], axes.c2p(1, 1.0), atol=1e-6)
    np.testing.assert_allclose(ends[-1], axes.c2p(100, 1e-4), atol=1e-6)  # clipped at the floor


def test_interpolation_and_scaling():
    series = np.array([[[0.0, 2.0]], [[4.0, 6.0]]])
    np.testing.assert_allclose(get_interpolated(series, 0.25), [[1.0, 3.0]])
    np.testing.assert_allclose(get_interpolated(series, 7.0), [[4.0, 6.0]])
    assert get_epoch_at(np.array([0, 100, 200]), 1.5) == 150
    np.testing.assert_allclose(get_unit_height(np.array([[0.0, 2.0, 4.0], [0, 0, 0]])), [[0, 0.5, 1], [0, 0, 0]])
    centred = get_centred_unit(np.array([[1.0, 3.0, 5.0]]))
    np.testing.assert_allclose(centred, [[-1, 0, 1]])


def test_clock_projection_and_example():
    center = np.array([1.0, -1.0, 0.0])
    points = get_clock_points(np.array([[1.0, 0.0], [0.0, -1.0]]), center)
    np.testing.assert_allclose(points[0], center + [CLOCK_RADIUS, 0, 0])
    np.testing.assert_allclose(points[1], center + [0, -CLOCK_RADIUS, 0])
    far = get_clock_points(np.array([[1.0, 0.0], [0.0, -3.0]]), center)  # a scattered cloud zooms the view out
    np.testing.assert_allclose(np.linalg.norm(far[1] - center), STAGE_RADIUS - DOT_RADIUS)
    np.testing.assert_allclose(np.linalg.norm(far[0] - center), (STAGE_RADIUS - DOT_RADIUS) / 3)  # same scale for all
    assert get_addition_example(113, 41) == (37, 78, 2)
    a, b, total = get_addition_example(59, 21)
    assert (a + b) % 59 == total


def test_frames_path_rule(monkeypatch, tmp_path):
    monkeypatch.setenv(FRAMES_ENV, str(tmp_path / "mine.npz"))
    assert frames_path() == tmp_path / "mine.npz"
    with pytest.raises(SystemExit):
        get_frames()
    monkeypatch.delenv(FRAMES_ENV)
    assert frames_path().name in ("nanda.npz", "quick.npz") and frames_path().parent.name == "data"


# scenes built from real frames


def test_snake_draws_every_curve_and_phase(frames):
    scene = dry_render(SnakeCurve)
    curves = [m for m in all_of(scene, VMobject) if type(m) is VMobject and m.get_num_points() > 20]
    colors = {c.get_stroke_color().to_hex().upper() for c in curves}
    assert {
        style.TRAIN.to_hex().upper(),
        style.TEST.to_hex().upper(),
        style.RESTRICTED.to_hex().upper(),
        style.EXCLUDED.to_hex().upper(),
    } <= colors
    names = {m.text.replace(" ", "") for m in all_of(scene, type(style.text("x")))}  # Text drops spaces
    found = [name.replace(" ", "") for name, start in zip(style.PHASE_NAMES, frames["phase_starts"]) if start >= 0]
    assert found and set(found) <= names


def test_waves_grid_has_49_neurons_coloured_by_frequency(frames):
    scene = dry_render(NeuronWaves)
    waves = [m for m in all_of(scene, VMobject) if type(m) is VMobject and len(m.get_anchors()) >= int(frames["p"])]
    assert len(waves) == 49
    colors = style.frequency_colors(frames["key_freqs"].tolist())
    expected = [colors.get(int(k), style.MUTED).to_hex().upper() for k in frames["neuron_freq"][frames["wave_neurons"]]]
    assert [w.get_stroke_color().to_hex().upper() for w in waves] == expected


def test_ring_has_one_dot_per_token(frames):
    scene = dry_render(NeuronRing)
    assert len(all_of(scene, Dot)) == int(frames["p"])


def test_clock_ends_on_the_final_embedding(frames):
    scene = dry_render(EmbeddingClock)
    dots = all_of(scene, Dot)
    p = int(frames["p"])
    assert len(dots) >= p
    k, index = get_clock_frequency(frames)
    coords = frames["embed_clock"][-1, index].astype(np.float64)
    radii = np.linalg.norm(coords, axis=1)
    assert radii.std() / radii.mean() < 0.25  # a circle, on real data
    angles = np.angle(coords[:, 0] + 1j * coords[:, 1])
    ideal = 2 * np.pi * k * np.arange(p) / p
    assert np.abs(np.angle(np.exp(1j * (angles - ideal)))).max() < 0.5  # token a at angle 2 pi k a / p


def test_clock_addition_hand_lands_on_the_sum(frames):
    scene = dry_render(ClockAddition)
    p = int(frames["p"])
    k, index = get_clock_frequency(frames)
    a, b, total = get_addition_example(p, k)
    hand = max(
        all_of(scene, Arrow), key=lambda arrow: arrow.get_length() * (arrow.get_stroke_width() > 4)
    )  # the big hand
    center = hand.get_start()
    target = get_clock_points(frames["embed_clock"][-1, index].astype(np.float64), center)[total]
    hand_angle = math.atan2(*(hand.get_end() - center)[[1, 0]])
    target_angle = math.atan2(*(target - center)[[1, 0]])
    assert abs(math.remainder(hand_angle - target_angle, 2 * math.pi)) < 2 * math.pi / p * 2
    assert get_turn(k, b, p)[1] > 0


# the CLI


def test_render_refuses_unknown_scenes_and_bad_frames(tmp_path):
    from grok.cli import main

    result = CliRunner().invoke(main, ["render", "helix9"])
    assert result.exit_code == 2 and "Invalid value" in result.output
    result = CliRunner().invoke(
        main, ["render", "snake", "--frames", str(tmp_path / "none.npz"), "--out-dir", str(tmp_path)]
    )
    assert result.exit_code == 1 and "frames file not found" in result.output and "Traceback" not in result.output
    assert not list(tmp_path.iterdir())


@pytest.mark.slow
def test_render_writes_a_still(tmp_path, grokked_frames):
    from grok.cli import main

    result = CliRunner().invoke(
        main, ["render", "clock", "--still", "--frames", str(grokked_frames), "--out-dir", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "clock_preview.png").stat().st_size > 10_000
