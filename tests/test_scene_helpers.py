"""The scenes' pure helpers that decide what a viewer sees: clock order makes a neuron's comb one
bump, phase labels never overlap, clock dots stay on their stage, the addition turn is the one
labelled. Checked on synthetic input where the answer is known, and on the tiny real run."""

import math
from pathlib import Path

import numpy as np
import pytest
from manim import Arc, Arrow, Circle, ImageMobject, Text

from frames import CLUSTER_THRESHOLD, load_frames, save_frames
from scenes import style
from scenes.clock import (
    STAGE_RADIUS,
    TURN_SHOWN,
    ClockAddition,
    EmbeddingClock,
    get_addition_example,
    get_clock_frequency,
    get_clock_neighbour,
    get_clock_points,
    get_turn,
)
from scenes.loader import FRAMES_ENV, NotShown
from scenes.narration import plural
from scenes.snake import SnakeCurve, get_collapse, get_label_layout
from scenes.task import PIXELS_PER_CELL, TheTask, get_split_counts, get_table_image, get_waffle
from scenes.waves import get_clock_slots

from dry_render import all_of, dry_render

REFERENCE = Path(__file__).resolve().parent.parent / "data" / "nanda.npz"


def total_variation(values: np.ndarray) -> float:
    """Sum of |steps| along the axis, in units of the values' range: 2 for one bump from floor to floor."""
    return float(np.abs(np.diff(values)).sum() / (values.max() - values.min()))


# waves: clock order


def test_clock_order_turns_a_rectified_cosine_comb_into_one_centred_bump():
    p, k = 113, 41
    a = np.arange(p)
    for phase in (0.0, 1.3, 3.0, -2.2):
        wave = np.maximum(np.cos(2 * np.pi * k * a / p + phase), 0)  # [p] 41 crests over a: a comb
        slots = get_clock_slots(wave, k)
        assert sorted(slots) == list(range(p))  # a re-ordering, nothing dropped
        ordered = wave[np.argsort(slots)]
        assert total_variation(wave) > 30
        assert total_variation(ordered) < 2.01  # up once, down once
        assert abs(int(np.argmax(ordered)) - p // 2) <= 1  # crest mid-axis, not split at the ends


@pytest.fixture
def fixture_frames(grokked_frames):
    return load_frames(grokked_frames)


def get_variations(f: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(frequency, total variation in a's order, in clock order) of each clustered grid neuron, final checkpoint."""
    rows = []
    for i, neuron in enumerate(f["wave_neurons"]):
        if f["neuron_share"][neuron] >= CLUSTER_THRESHOLD:
            k, values = int(f["neuron_freq"][neuron]), f["waves"][-1, i].astype(np.float64)
            rows.append((k, total_variation(values), total_variation(values[np.argsort(get_clock_slots(values, k))])))
    return tuple(np.array(column) for column in zip(*rows))


def test_clock_order_folds_the_fixtures_neurons_into_one_bump(fixture_frames):
    freqs, natural, clock = get_variations(fixture_frames)
    assert len(freqs) >= 20
    assert np.median(clock) < 2.6  # typically one bump (2), a little noise
    combs = freqs >= 3  # k crests over a: a comb to fold
    assert combs.any() and np.all(clock[combs] < 0.75 * natural[combs])
    assert np.median(clock[combs] / natural[combs]) < 0.45


@pytest.mark.skipif(not REFERENCE.exists(), reason="no reference frames")
def test_clock_order_folds_the_reference_runs_combs():
    freqs, natural, clock = get_variations(load_frames(REFERENCE))  # p = 113, key frequencies 8..54
    assert len(freqs) == 49
    assert np.median(natural) > 30 and np.median(clock) < 5
    assert np.all(clock < 0.5 * natural)


# snake: phase labels


def test_phase_labels_never_overlap_or_leave_the_axes():
    cases = [
        ([(0, 6.7), (6.7, 10.6), (10.6, 11.0)], [1.5, 2.2, 1.1]),  # the quick preset: clean-up 0.4 wide
        ([(0, 10.9), (10.9, 10.95), (10.95, 11.0)], [1.5, 2.2, 1.1]),  # two slivers at the end
        ([(0, 0.1), (0.1, 0.2), (0.2, 11.0)], [1.5, 2.2, 1.1]),  # two slivers at the start
    ]
    rng = np.random.default_rng(0)
    for _ in range(200):
        cuts = np.sort(rng.uniform(0, 11, 2))
        cases.append(([(0, cuts[0]), (cuts[0], cuts[1]), (cuts[1], 11)], list(rng.uniform(0.8, 2.5, 3))))
    for spans, widths in cases:
        layout = get_label_layout(spans, widths, 0.0, 11.0, gap=0.15)
        boxes = [(x - w / 2, x + w / 2, row) for (x, row), w in zip(layout, widths)]
        assert all(0 <= left and right <= 11.0 for left, right, _ in boxes)
        for i, (l1, r1, row1) in enumerate(boxes):
            for l2, r2, row2 in boxes[i + 1 :]:
                assert row1 != row2 or r1 + 0.15 <= l2 + 1e-9 or r2 + 0.15 <= l1 + 1e-9
    wide_enough = get_label_layout([(0, 4), (4, 8), (8, 11)], [1, 1, 1], 0, 11)
    assert [row for _, row in wide_enough] == [0, 0, 0] and [x for x, _ in wide_enough] == [2, 6, 9.5]


def test_snake_phase_labels_are_apart_on_a_run_with_a_narrow_last_phase(monkeypatch, tmp_path, fixture_frames):
    frames = dict(fixture_frames)
    stored = frames["checkpoint_epochs"]  # phases start at stored checkpoints (FRAMES.md)
    frames["phase_starts"] = np.array([0, stored[len(stored) // 3], stored[-2]], dtype=np.int32)
    monkeypatch.setenv(FRAMES_ENV, str(save_frames(frames, tmp_path / "narrow.npz")))
    scene = dry_render(SnakeCurve)
    labels = [
        m for m in all_of(scene, Text) if m.text.replace(" ", "") in {n.replace(" ", "") for n in style.PHASE_NAMES}
    ]
    assert len(labels) == 3
    for i, first in enumerate(labels):
        for second in labels[i + 1 :]:
            apart_x = first.get_right()[0] < second.get_left()[0] or second.get_right()[0] < first.get_left()[0]
            apart_y = first.get_bottom()[1] > second.get_top()[1] or second.get_bottom()[1] > first.get_top()[1]
            assert apart_x or apart_y


def test_collapse_is_measured_from_chance_level_to_the_final_decade():
    p = 113
    test = np.concatenate([np.full(100, 20.0), np.geomspace(20.0, 1e-6, 50), np.full(50, 1e-6)])
    start, end, orders = get_collapse(np.arange(len(test)), test, p)
    assert test[start] >= math.log(p) > test[start + 1]
    assert test[end] < 1e-5 and test[end - 1] >= 1e-5
    assert orders == round(math.log10(math.log(p) / test[end]))
    assert get_collapse(np.arange(50), np.full(50, 20.0), p) is None  # never came down: not grokked
    every_10 = np.arange(0, 10 * len(test), 10)  # a curve recorded every 10 epochs
    assert get_collapse(every_10, test, p) == (10 * start, 10 * end, orders)


# clock: stage and neighbours


def test_clock_dots_stay_on_the_stage_for_any_cloud(fixture_frames):
    center = np.array([2.9, -0.5, 0.0])
    rng = np.random.default_rng(1)
    clouds = [rng.normal(scale=s, size=(113, 2)) for s in (0.1, 1.0, 3.0, 50.0)]
    clouds += [
        c.astype(np.float64)
        for c in fixture_frames["embed_clock"].reshape(-1, *fixture_frames["embed_clock"].shape[2:])
    ]
    for coords in clouds:
        radii = np.linalg.norm(get_clock_points(coords, center) - center, axis=1)
        assert radii.max() <= STAGE_RADIUS + 1e-9


def test_clock_stage_sits_below_the_title(monkeypatch, grokked_frames):
    monkeypatch.setenv(FRAMES_ENV, str(grokked_frames))
    scene = dry_render(EmbeddingClock)
    subtitle = next(m for m in all_of(scene, Text) if "plane" in m.text)
    rim = next(m for m in all_of(scene, Circle) if not m.get_fill_opacity())
    assert rim.get_center()[1] + STAGE_RADIUS < subtitle.get_bottom()[1]
    assert rim.get_center()[1] - STAGE_RADIUS > -4.0  # and above the bottom of the frame


@pytest.mark.parametrize("p", [23, 59, 101, 113])
def test_the_number_beside_zero_is_one_step_of_the_clock_away(p):
    for k in range(1, (p - 1) // 2 + 1):
        n, turns, sign = get_clock_neighbour(k, p)
        assert n * k == turns * p + sign and sign in (1, -1) and 1 <= n <= p // 2
    assert get_clock_neighbour(41, 113) == (11, 4, -1)  # 11 x 41 = 451 = 4 x 113 - 1


# clock-add: the turn


@pytest.mark.parametrize("p, k", [(113, 41), (113, 8), (59, 21), (23, 7)])
def test_addition_example_turns_the_hand_a_visible_amount(p, k):
    a, b, total = get_addition_example(p, k)
    whole, steps = get_turn(k, b, p)
    assert whole * p + steps == k * b and total == (a + b) % p
    assert abs(steps / p - TURN_SHOWN) <= 1 / p


def test_clock_addition_hand_sweeps_through_the_labelled_angle(monkeypatch, grokked_frames, fixture_frames):
    monkeypatch.setenv(FRAMES_ENV, str(grokked_frames))
    from dry_render import seen_on_stage

    p = int(fixture_frames["p"])
    k, _ = get_clock_frequency(fixture_frames)
    a, b, total = get_addition_example(p, k)
    whole, steps = get_turn(k, b, p)
    arrows = seen_on_stage(ClockAddition, monkeypatch, Arrow)
    big = [arrow for arrow in arrows if arrow.get_stroke_width() > 4 or arrow.get_length() > 2]
    ghost, hand = sorted(big, key=lambda arrow: arrow.get_stroke_width())[-2:]  # start (thin), end (thick)
    angle = lambda arrow: math.atan2(*(arrow.get_end() - arrow.get_start())[[1, 0]])  # noqa: E731
    assert math.remainder(angle(hand) - angle(ghost) - 2 * math.pi * steps / p, 2 * math.pi) == pytest.approx(
        0, abs=1e-3
    )
    sweep = next(m for m in seen_on_stage(ClockAddition, monkeypatch, Arc) if type(m) is Arc and abs(m.angle) > 1e-3)
    assert sweep.angle == pytest.approx(2 * math.pi * steps / p, abs=1e-6)
    texts = " ".join(m.text for m in seen_on_stage(ClockAddition, monkeypatch, Text))
    assert f"{steps}/{p}" in texts and plural(whole, "whole turn").replace(" ", "") in texts  # Text drops spaces


# task: the table and the split


def test_task_table_and_split_counts():
    assert get_split_counts(load_frames(REFERENCE)) == (3830, 8939)  # science.md: 3,830 train / 8,939 test
    image = get_table_image(7)
    cell = image.shape[0] // 7
    palette = [np.round(np.array(c.to_rgb()) * 255) for c in style.rainbow(7)]
    for a, b in [(0, 0), (3, 5), (6, 6)]:
        np.testing.assert_array_equal(image[a * cell, b * cell], palette[(a + b) % 7])
    lit = [sq for sq in get_waffle(0.3) if sq.get_fill_color().to_hex().upper() == style.TRAIN.to_hex().upper()]
    assert len(lit) == 30


def test_task_scene_draws_the_table_and_quotes_the_split(monkeypatch, grokked_frames, fixture_frames):
    monkeypatch.setenv(FRAMES_ENV, str(grokked_frames))
    from dry_render import seen_on_stage

    p = int(fixture_frames["p"])
    images = seen_on_stage(TheTask, monkeypatch, ImageMobject)  # the table, then one answer's cells lit
    assert len(images) == 2 and all(
        i.pixel_array.shape[:2] == (p * PIXELS_PER_CELL, p * PIXELS_PER_CELL) for i in images
    )
    n_train, n_test = get_split_counts(fixture_frames)
    texts = " ".join(m.text for m in seen_on_stage(TheTask, monkeypatch, Text))
    assert f"{n_train:,}" in texts and f"{n_test:,}" in texts


# narration: the run's own numbers, and no claim the data does not make


def test_narration_quotes_the_runs_own_numbers(fixture_frames):
    from frames import milestones
    from scenes.narration import count, percent
    from scenes.waves import NeuronWaves

    f, m = fixture_frames, milestones(fixture_frames)
    snake = " ".join(SnakeCurve.script(f).values())
    assert f"epoch {count(m['train_acc_99_epoch'])}" in snake and f"{m['test_loss_peak']:.0f}" in snake
    assert count(m["test_loss_below_1_epoch"] - m["restricted_loss_below_1_epoch"]) in snake
    assert f"{percent((f['neuron_share'] >= CLUSTER_THRESHOLD).mean())}" in NeuronWaves.script(f)["share"]
    k, _ = get_clock_frequency(f)
    n, turns, _ = get_clock_neighbour(k, int(f["p"]))
    assert f"beside 0 is {n}" in EmbeddingClock.script(f)["shuffled"]


def test_narration_of_a_run_that_has_not_grokked(tiny_frames):
    from scenes.waves import NeuronRing, NeuronWaves

    f = load_frames(tiny_frames)
    assert not bool(f["grokked"])
    lines = SnakeCurve.script(f)
    assert "not" in lines["collapse"] and "collapses" not in lines["collapse"]
    assert "no circuit formed underneath" in lines["restricted"] and "Remove none" in lines["excluded"]
    assert all(TheTask.script(f).values())
    for scene, words in (
        (NeuronWaves, "no comb forms"),
        (NeuronRing, "no pair traces a ring"),
    ):  # their story is not this run's
        with pytest.raises(NotShown, match=words):
            scene.script(f)


def test_a_redrawn_drawing_follows_its_data_and_keeps_its_parts():
    """redrawn remakes the drawing every update; while its shape holds, its parts stay the same objects (a play
    draws the parts it listed when it began), each taking on the new drawing's points and colours."""
    from manim import RED, Dot, ValueTracker, VGroup

    from scenes.helpers import redrawn

    x = ValueTracker(0.0)
    drawing = redrawn(lambda: VGroup(Dot([x.get_value(), 0, 0]), Dot([0, x.get_value(), 0], color=RED)))
    parts = drawing.get_family()
    x.set_value(2.0)
    drawing.update()
    assert drawing.get_family() == parts  # the same objects
    assert np.allclose(drawing[0].get_center(), [2, 0, 0]) and np.allclose(drawing[1].get_center(), [0, 2, 0])
    assert drawing[1].get_fill_color().to_hex() == RED.to_hex()
    assert drawing.updaters and not drawing[0].updaters  # its updating kept, not the new drawing's

    count = ValueTracker(2)
    dots = redrawn(lambda: VGroup(*[Dot([i, 0, 0]) for i in range(int(count.get_value()))]))
    count.set_value(3)
    dots.update()  # another shape: made over whole
    assert len(dots) == 3 and np.allclose(dots[2].get_center(), [2, 0, 0])
