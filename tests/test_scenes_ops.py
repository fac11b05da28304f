"""Scenes read the operation from the frames: a real run of (a × b) mod 31 that groks, and the clock
of its discrete logarithms; a scene that needs what an operation lacks stops with one line."""

import math

import numpy as np
import pytest
from manim import Arrow, Dot

from frames import get_formula, load_frames, milestones
from scenes.clock import ClockAddition, EmbeddingClock, get_clock_frequency, get_clock_points, get_turn_example
from scenes.loader import FRAMES_ENV, NotShown
from scenes.operation import get_group_tokens, get_spoken, is_plain_addition, require_addition
from scenes.snake import SnakeCurve
from scenes.task import TheTask, get_table_image
from scenes.waves import NeuronRing, get_group_slots

from dry_render import all_of, dry_render


@pytest.fixture
def mul(monkeypatch, grokked_mul_frames):
    monkeypatch.setenv(FRAMES_ENV, str(grokked_mul_frames))
    return load_frames(grokked_mul_frames)


@pytest.mark.numerics
def test_a_real_multiplication_run_groks_in_discrete_log_coordinates(mul):
    m = milestones(mul)
    assert str(mul["operation"]) == "mul" and get_formula(mul) == "(a × b) mod 31"
    assert mul["grokked"] and 0 <= m["train_acc_99_epoch"] < m["test_acc_99_epoch"]
    assert int(mul["op_group_order"]) == 30 and int(mul["op_generator"]) == 3
    assert len(mul["key_freqs"]) >= 1 and m["clustered_share"] > 0.3
    assert m["gini_W_E_end"] > m["gini_W_E_start"] + 0.2
    assert 0 <= m["restricted_loss_below_1_epoch"] <= m["test_loss_below_1_epoch"]
    assert int(mul["wave_b"]) == 1 and int(mul["surface_logit_c"]) == 1  # log 1 = 0


def test_clock_of_discrete_logs_puts_each_number_at_its_log(mul):
    k, index = get_clock_frequency(mul)
    assert 2 * k < 30  # a clock, not the Nyquist line
    coords = mul["embed_clock"][-1, index, 1:].astype(np.float64)  # the numbers 1..30; 0 has no log
    radii = np.linalg.norm(coords, axis=1)
    assert radii.std() / radii.mean() < 0.3
    logs = mul["op_coord_a"][1:]
    ideal = 2 * np.pi * k * logs / 30
    angles = np.angle(coords[:, 0] + 1j * coords[:, 1])
    assert np.abs(np.angle(np.exp(1j * (angles - ideal)))).max() < 0.5
    scene = dry_render(EmbeddingClock)
    assert len([d for d in all_of(scene, Dot) if abs(d.radius - 0.055) < 1e-6]) == 30  # 0 is not on the clock


def test_multiplying_turns_the_hand_to_the_product(mul):
    k, index = get_clock_frequency(mul)
    a, b, c, u, v, w = get_turn_example(mul, k)
    assert a * b % 31 == c and (u + v) % 30 == w == mul["op_coord_c"][c]
    scene = dry_render(ClockAddition)
    hand = max(all_of(scene, Arrow), key=lambda arrow: arrow.get_length() * (arrow.get_stroke_width() > 4))
    center = hand.get_start()
    target = get_clock_points(mul["embed_clock"][-1, index, 1:].astype(np.float64), center)[c - 1]
    turn = math.atan2(*(hand.get_end() - center)[[1, 0]]) - math.atan2(*(target - center)[[1, 0]])
    assert abs(math.remainder(turn, 2 * math.pi)) < 2 * 2 * math.pi / 30


def test_waves_and_the_ring_in_log_order(mul):
    k = int(mul["neuron_freq"][mul["ring_neurons"][0]])
    values = mul["ring_pre"][-1, 0].astype(np.float64)
    slots = get_group_slots(values, k, mul)  # [30] for the numbers 1..30
    assert sorted(slots.astype(int).tolist()) == list(range(30)) if math.gcd(k, 30) == 1 else len(slots) == 30
    in_clock_order = values[1:][np.argsort(slots, kind="stable")]
    assert np.abs(np.diff(in_clock_order)).sum() < np.abs(np.diff(values[1:])).sum()  # one bump, not noise
    scene = dry_render(NeuronRing)
    assert len(all_of(scene, Dot)) == 30


def test_titles_and_lines_take_the_operation(mul):
    assert "(a × b) mod 31" in TheTask.script(mul)["question"] or "a times b, mod 31" in TheTask.script(mul)["question"]
    assert "products" not in SnakeCurve.script(mul)["stage"] and "questions mod 31" in SnakeCurve.script(mul)["stage"]
    lines = EmbeddingClock.script(mul)
    assert "log base 3" in " ".join(lines.values()) or "log₃" in " ".join(lines.values())
    image = get_table_image(31, mul["op_labels"])
    assert (image[:4, :4] == image[0, 0]).all()  # row a = 0: every answer is 0
    assert not is_plain_addition(mul) and get_group_tokens(mul, "a")[:4].tolist() == [1, 3, 9, 27]


def test_spoken_formulas():
    assert get_spoken("a + b") == "a plus b" and get_spoken("37 × 12") == "37 times 12"
    assert (
        get_spoken("a³ + a·b") == "a cubed plus a times b"
        and get_spoken("a⁹ + b¹²") == "a to the power 9 plus b to the power 12"
    )


def test_scenes_stop_with_one_line_where_they_do_not_apply(mul):
    with pytest.raises(SystemExit, match="a \\+ b in the numbers' own order.*\\(a × b\\) mod 31"):
        require_addition(mul, "surface")
    no_relabelling = {**mul, "op_relabelled": np.bool_(False), "op_formula": np.str_("(a² + b²) mod p")}
    with pytest.raises(
        SystemExit, match="needs an operation that is addition in some coordinates; \\(a² \\+ b²\\) mod 31"
    ):
        get_clock_frequency(no_relabelling)


# every operation, on a tiny real run: each scene's lines take the operation, or the scene stops with one line

OPS = ("add", "sub", "mul", "div", "pow:3,3", "pow:2,3", "sq", "cubic")
TINY_OP_FIELDS = dict(
    p=11,
    d_model=32,
    n_heads=2,
    d_head=16,
    d_mlp=64,
    lr=3e-3,
    wd=1.0,
    train_frac=0.5,
    epochs=100,
    checkpoint_every=50,
    device="cpu",
)


@pytest.fixture(scope="module")
def tiny_op_frames(tmp_path_factory):
    """{op: frames} of a 100-epoch run of every operation at p = 11 (a second or so each; none groks)."""
    from training.checkpoints import load_run
    from training.config import make_config
    from training.export import export_frames
    from training.train import train

    root = tmp_path_factory.mktemp("ops")
    runs = {
        op: train(make_config("nanda", **TINY_OP_FIELDS, op=op), root / op.replace(":", "-"), show_progress=False)
        for op in OPS
    }
    return {op: export_frames(load_run(run.run_file), show_progress=False) for op, run in runs.items()}


@pytest.mark.parametrize("op", OPS)
def test_every_scene_speaks_of_the_runs_own_operation_or_stops_in_one_line(tiny_op_frames, op):
    import importlib

    from scenes.registry import NOT_SHOWN, SCENES

    f = tiny_op_frames[op]
    spoken = get_spoken(str(f["op_expression"]).format(a="a", b="b"))
    for entry in SCENES:
        scene = getattr(importlib.import_module(f"scenes.{entry.module}"), entry.cls)
        if entry.name == "helix":  # an illustration from a paper, not our run's data
            continue
        try:
            lines = scene.script(f)
        except NotShown as stop:
            message = str(stop)
            assert stop.code == NOT_SHOWN and "\n" not in message, (entry.name, message)
            if not f["op_relabelled"] and entry.name in ("spectrum", "clock", "waves", "ring", "clock-add"):
                assert "addition in some coordinates" in message and get_formula(f) in message
            continue
        text = " ".join(lines.values())
        assert all(isinstance(line, str) and line for line in lines.values()), entry.name
        assert op == "add" or "sums" not in text, (entry.name, text)
        if entry.name == "task":
            assert spoken in lines["question"], lines["question"]
        if entry.name == "snake" and not f["op_relabelled"]:
            assert "phases" not in lines and "not" in lines["weights"] and get_formula(f) in lines["weights"]


def test_div_leaves_b_zero_out_of_the_table_and_the_split(tiny_op_frames):
    f = tiny_op_frames["div"]
    assert (f["op_labels"][:, 0] == -1).all() and (f["op_labels"][:, 1:] >= 0).all()
    lines = TheTask.script(f)
    assert "less the 11 that would divide by 0" in lines["table"]
    assert (
        f"{int(f['train_pairs'])} of them" in lines["split"]
        and f"other {110 - int(f['train_pairs'])}" in lines["split"]
    )


def test_figures_take_the_operations_coordinates_and_drop_what_does_not_apply(mul, tiny_op_frames):
    from grok.figures.run import get_figures, get_sum_share, get_surface_grid, losses_figure, surface_figure

    grid, u, v, total = get_surface_grid(mul)
    assert grid.shape == (30, 30) and (u, v) == ("log₃ a", "log₃ b") and total == "(log₃ a + log₃ b) mod 30"
    in_logs, in_a_b = get_sum_share(grid), get_sum_share(mul["surface_logit"][-1])  # ridges in logs, not in a + b
    assert in_logs > 0.8 and in_logs > 10 * in_a_b, (in_logs, in_a_b)  # 0.90 and 0.03 at this fixture
    assert "function of (log₃ a + log₃ b) mod 30" in surface_figure(mul).layout.title.text
    sq = tiny_op_frames["sq"]
    assert "spectrum" not in get_figures(sq) and "spectrum" in get_figures(mul)
    names = [trace.name for trace in losses_figure(sq).data]
    assert not any("restricted" in n or "excluded" in n or "W_E" in n for n in names) and "train loss" in names
    assert "do not apply" in losses_figure(sq).layout.title.text
    assert "no ridges are expected" in surface_figure(sq).layout.title.text


def test_explorer_clock_leaves_out_the_numbers_with_no_place_on_it(mul, tiny_op_frames):
    from grok.figures.explorer import get_clock_numbers

    assert get_clock_numbers(mul) == list(range(1, 31))  # 0 has no logarithm
    assert get_clock_numbers(tiny_op_frames["sub"]) == list(range(11))
