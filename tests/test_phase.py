"""The phase diagram: the grid helper on summary rows (missing cells, every state, a text column), the sweep
file and its checks, the scenes built from a real tiny sweep, their narration, and the plotly figures."""

import math

import numpy as np
import pytest
from click.testing import CliRunner

from frames import FramesError
from frames.sweep import (
    DIVERGED,
    GROKKED,
    MEMORISED,
    MISSING,
    NEVER_MEMORISED,
    get_default_axes,
    get_phase_grid,
    get_rows,
    get_value_label,
    load_sweep,
    save_sweep,
)
from training.sweep import read_summary, sweep_configs, train_sweep

from conftest import GROKKING_FIELDS, tiny_config


def row(wd, frac, memorise, grok, loss=0.01, **more):
    return {
        "name": f"wd{wd}-frac{frac}-{len(more)}",
        "seed": 0,
        "split_seed": 598,
        "wd": wd,
        "train_frac": frac,
        "lr": 1e-3,
        **more,
        "memorise_epoch": memorise,
        "grok_epoch": grok,
        "final_train_loss": loss,
        "final_test_loss": 1.0,
        "final_test_acc": 0.5,
    }


def test_the_grid_has_a_cell_per_pair_and_tells_the_states_apart():
    rows = [
        row(1.0, 0.5, 40, 900),
        row(0.1, 0.5, 40, -1),
        row(1.0, 0.3, -1, -1),
        row(3.0, 0.3, 50, 400),
        row(3.0, 0.5, 30, 700, loss=math.nan),
    ]  # (0.1, 0.3) was not trained
    grid = get_phase_grid(rows)
    assert (grid.x, grid.y) == ("wd", "train_frac")
    assert grid.x_values == [0.1, 1.0, 3.0] and grid.y_values == [0.3, 0.5]
    assert grid.state.tolist() == [[MISSING, NEVER_MEMORISED, GROKKED], [MEMORISED, GROKKED, DIVERGED]]
    assert grid.grok_epoch[1, 1] == 900 and grid.grok_epoch[0, 2] == 400 and math.isnan(grid.grok_epoch[1, 0])
    assert grid.runs.tolist() == [[0, 1, 1], [1, 1, 1]] and grid.members[0][0] == []


def test_a_cell_of_several_runs_takes_their_most_common_state_and_a_tie_claims_less():
    rows = [
        row(1.0, 0.5, 40, 900, seed=0),
        row(1.0, 0.5, 40, 1100, seed=1),
        row(1.0, 0.5, 40, -1, seed=2),
        row(2.0, 0.5, 40, 800, seed=0),
        row(2.0, 0.5, 40, -1, seed=1),
    ]
    grid = get_phase_grid(rows)
    assert grid.state.tolist() == [[GROKKED, MEMORISED]]  # 2 of 3 grokked; 1 of 2 is a tie
    assert grid.grok_epoch[0, 0] == 1000 and grid.grokked.tolist() == [[2, 1]] and grid.runs.tolist() == [[3, 2]]


def test_any_two_columns_text_ones_in_the_order_listed():
    rows = [row(1.0, 0.3, 10, 100, op=op) for op in ("sub", "add")] + [row(0.3, 0.3, 10, -1, op="mul")]
    grid = get_phase_grid(rows, x="op", y="wd")
    assert grid.x_values == ["sub", "add", "mul"] and grid.y_values == [0.3, 1.0]
    assert grid.state.tolist() == [[MISSING, MISSING, MEMORISED], [GROKKED, GROKKED, MISSING]]
    assert get_default_axes(rows, ["seed", "wd", "train_frac", "op"]) == ("wd", "op")  # the varied ones
    with pytest.raises(FramesError, match="no setting column 'momentum'"):
        get_phase_grid(rows, x="momentum")
    with pytest.raises(FramesError, match="two different columns"):
        get_phase_grid(rows, x="wd", y="wd")
    assert get_value_label("train_frac", 0.3) == "30 %" and get_value_label("wd", 0.1) == "0.1"


def test_the_trend_is_said_as_the_grid_shows_it():
    from scenes.phase import get_trend_said

    rows = [
        row(1.0, 0.5, 40, 900),
        row(3.0, 0.5, 40, 300),
        row(1.0, 0.7, 40, 500),
        row(3.0, 0.7, 40, 600),
        row(1.0, 0.3, 40, -1),
        row(3.0, 0.3, 40, 800),
    ]
    grid = get_phase_grid(rows)
    assert get_trend_said(grid, "x") == (
        "in 1 of the 2 rows where more than one run grokked, a larger weight decay always meant grokking sooner"
    )
    assert get_trend_said(grid, "y").startswith(
        "in 1 of the 2 columns where"
    )  # wd 1: 900 then 500; wd 3 goes up and down
    assert get_trend_said(get_phase_grid(rows[:2]), "x").startswith("in the one row where")
    assert get_trend_said(get_phase_grid(rows[:2]), "y") is None
    later = get_phase_grid([row(1.0, 0.5, 40, 300), row(1.0, 0.7, 40, 900)])
    assert get_trend_said(later, "y") == (
        "in no column where more than one run grokked did a larger train fraction always mean grokking sooner"
    )


def test_sweep_schema_and_frames_md_agree():
    from test_frames import FRAMES_MD, documented_keys

    from frames.sweep import SWEEP_SCHEMA, SWEEP_SCHEMA_VERSION

    documented = documented_keys(sweep=True)
    assert documented == {key: (dtype, tuple(shape)) for key, (dtype, shape) in SWEEP_SCHEMA.items()}
    assert f"sweep schema version {SWEEP_SCHEMA_VERSION}" in FRAMES_MD.read_text()
    assert "`setting_<column>`" in FRAMES_MD.read_text()


# a real tiny sweep


@pytest.fixture(scope="module")
def tiny_sweep(tmp_path_factory):
    """3 x 2 runs of the full-width p = 23 model: the weight decays and train fractions decide which grok."""
    base = tiny_config(**{**GROKKING_FIELDS, "epochs": 700, "checkpoint_every": 350})
    grid = sweep_configs(base, {"wd": [0.01, 1.0, 3.0], "train_frac": [0.3, 0.6]})
    out = tmp_path_factory.mktemp("phase") / "sweep"
    train_sweep(grid, out, show_progress=False)
    return out


def test_the_sweep_file_holds_the_summary(tiny_sweep):
    sweep = load_sweep(tiny_sweep)  # a folder is read as its sweep.npz
    summary = read_summary(tiny_sweep / "summary.csv")
    rows = get_rows(sweep)
    for ours, theirs in zip(rows, summary):
        for column in ("name", "wd", "train_frac", "seed", "memorise_epoch", "grok_epoch"):
            assert ours[column] == theirs[column], column
        assert ours["final_train_loss"] == pytest.approx(theirs["final_train_loss"], rel=1e-3)
    grid = get_phase_grid(rows)
    states = set(grid.state.ravel().tolist())
    assert GROKKED in states and states & {MEMORISED, NEVER_MEMORISED}  # the grid shows both outcomes
    assert np.all(np.diff(sweep["curve_epochs"]) > 0) and sweep["train_loss"].shape == (6, len(sweep["curve_epochs"]))


@pytest.mark.parametrize(
    "key, value, message",
    [
        ("grok_epoch", lambda a: a["grok_epoch"] + 10_000, "grok_epoch out of range"),
        ("train_loss", lambda a: -a["train_loss"], "train_loss is negative"),
        ("setting_wd", lambda a: a["setting_wd"][:2], "setting_wd must hold one number or text per run"),
        ("run_names", lambda a: np.array(["x"] * len(a["run_names"])), "run_names must be non-empty and distinct"),
        ("sweep_schema_version", lambda a: np.int64(9), "sweep file version 9"),
    ],
)
def test_a_damaged_sweep_file_is_refused_in_one_line(tiny_sweep, tmp_path, key, value, message):
    arrays = dict(np.load(tiny_sweep / "sweep.npz"))
    arrays[key] = value(arrays)
    np.savez(tmp_path / "bad.npz", **arrays)
    with pytest.raises(FramesError, match=message):
        load_sweep(tmp_path / "bad.npz")
    with pytest.raises(FramesError, match=message):
        save_sweep(arrays, tmp_path / "bad2.npz")
    assert not list(tmp_path.glob("bad2*"))
    with pytest.raises(FramesError, match="not a sweep file"):
        load_sweep(REFERENCE)


# the scenes


@pytest.fixture
def sweep_env(monkeypatch, tiny_sweep):
    from scenes.loader import SWEEP_ENV

    monkeypatch.setenv(SWEEP_ENV, str(tiny_sweep))
    return load_sweep(tiny_sweep)


def test_the_phase_scene_draws_a_cell_per_pair_coloured_by_state(sweep_env):
    from manim import Square

    from scenes import style
    from scenes.phase import PhaseDiagram, get_cell_size, get_diagram, get_grok_color, get_grok_shade

    from dry_render import all_of, dry_render

    scene = dry_render(PhaseDiagram)
    _, grid = get_diagram(sweep_env)
    size = get_cell_size(*reversed(grid.state.shape))
    filled = [
        m
        for m in all_of(scene, Square)  # the cells, not the legend's swatches
        if m.get_fill_opacity() > 0.5 and m.width == pytest.approx(size)
    ]
    assert len(filled) == grid.state.size - int((grid.state == MISSING).sum())
    colors = sorted(m.get_fill_color().to_hex().upper() for m in filled)
    shade = get_grok_shade(grid)
    expected = sorted(
        [get_grok_color(shade[j, i]).to_hex().upper() for j, i in zip(*np.nonzero(grid.state == GROKKED))]
        + [
            {MEMORISED: style.NEVER_GENERALISED, NEVER_MEMORISED: style.NEVER_MEMORISED, DIVERGED: style.DIVERGED}[s]
            .to_hex()
            .upper()
            for s in grid.state.ravel()
            if s not in (GROKKED, MISSING)
        ]
    )
    assert colors == expected
    texts = {m.text for m in all_of(scene, type(style.text("x")))}
    assert {f"{e:,.0f}" for e in grid.grok_epoch[grid.state == GROKKED]} <= texts


def test_the_curves_scene_draws_two_curves_per_run(sweep_env):
    from manim import VMobject

    from scenes import style
    from scenes.phase import PhaseCurves

    from dry_render import all_of, dry_render

    scene = dry_render(PhaseCurves)
    curves = [m for m in all_of(scene, VMobject) if type(m) is VMobject and m.get_num_points() > 20]
    colors = [m.get_stroke_color().to_hex().upper() for m in curves]
    runs = len(sweep_env["run_names"])
    assert colors.count(style.TRAIN.to_hex().upper()) == runs and colors.count(style.TEST.to_hex().upper()) == runs


def test_the_narration_is_the_sweeps_own(sweep_env):
    from scenes.narration import count
    from scenes.phase import PhaseCurves, PhaseDiagram, get_diagram

    lines = PhaseDiagram.script(sweep_env)
    rows, grid = get_diagram(sweep_env)
    grokked = [r["grok_epoch"] for r in rows if r["grok_epoch"] >= 0]
    assert f"{count(len(rows))} copies" in lines["stage"] and "mod p, with p = 23" in lines["stage"]
    assert f"epoch {count(min(grokked))}" in lines["grok"] and f"{count(len(grokked))} went on" in lines["grok"]
    never_grokked_wd = [v for i, v in enumerate(grid.x_values) if not (grid.state[:, i] == GROKKED).any()]
    if never_grokked_wd:
        assert f"weight decay {get_value_label('wd', never_grokked_wd[0])}" in lines["stuck"]
    curves = PhaseCurves.script(sweep_env)
    ratios = [r["grok_epoch"] / r["memorise_epoch"] for r in rows if r["grok_epoch"] >= 0]
    assert f"{min(ratios):.0f}" in curves["snake"]


# the figures and the CLI


def test_the_figures_show_every_cell_in_its_place(sweep_env):
    from grok.figures.sweep import phase_curves_figure, phase_figure

    fig = phase_figure(sweep_env, "wd", "train_frac")
    grid = get_phase_grid(get_rows(sweep_env))
    marks = {(a.x, a.y): a.text for a in fig.layout.annotations}
    assert len(marks) == grid.state.size
    for (i, j), text in marks.items():  # at the cell's own position: a label such as "1" is not read as one
        assert text == (f"{grid.grok_epoch[j, i]:,.0f}" if grid.state[j, i] == GROKKED else "—")
    assert list(fig.layout.xaxis.ticktext) == ["0.01", "1", "3"] and list(fig.layout.yaxis.ticktext) == ["30 %", "60 %"]
    curves = phase_curves_figure(sweep_env, "train_frac", "wd")
    assert sum(1 for trace in curves.data if trace.x is not None and len(trace.x) > 1) == 12  # two per run

    dropped = {key: value[1:] if value.ndim and key != "curve_epochs" else value for key, value in sweep_env.items()}
    curves = phase_curves_figure(dropped, "wd", "train_frac")  # the first run's cell, bottom left, was not trained
    [note] = [a for a in curves.layout.annotations if a.text == "not trained"]
    assert note.x == pytest.approx(np.mean(curves.layout.xaxis4.domain))  # row 2 of 2, column 1 of 3: subplot 4
    assert note.y == pytest.approx(np.mean(curves.layout.yaxis4.domain))


def test_render_and_figures_find_the_sweep(tiny_sweep, tmp_path):
    from grok.cli import main

    result = CliRunner().invoke(
        main, ["render", "phase", "--sweep", str(tmp_path / "none"), "--out-dir", str(tmp_path)]
    )
    assert result.exit_code == 1 and "sweep file not found" in result.output and "Traceback" not in result.output
    result = CliRunner().invoke(main, ["render", "phase", "--sweep", str(REFERENCE), "--out-dir", str(tmp_path)])
    assert result.exit_code == 1 and "not a sweep file" in result.output
    assert "--sweep" in CliRunner().invoke(main, ["render", "--help"]).output
    result = CliRunner().invoke(
        main, ["figures", "--sweep", str(tiny_sweep), "--x", "train_frac", "--out", str(tmp_path / "f")]
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "f" / "phase.html").is_file() and not (tmp_path / "f" / "phase-curves.html").exists()
    result = CliRunner().invoke(main, ["info", str(tiny_sweep / "sweep.npz")])
    assert result.exit_code == 0 and "runs             6, varying wd (3), train_frac (2)" in result.output


REFERENCE = __import__("pathlib").Path(__file__).resolve().parent.parent / "data" / "nanda.npz"


@pytest.mark.parametrize("low, high", [(84, 2052), (5, 90), (1, 100_000), (950, 1000)])
def test_colour_bar_keeps_its_ends_and_no_two_labels_crowd(low, high):
    from grok.figures.sweep import TICK_GAP, get_epoch_ticks

    ticks = get_epoch_ticks(low, high)
    assert ticks[0] == low and ticks[-1] == high
    logs = np.log10(ticks)
    span = max(np.log10(high) - np.log10(low), 1e-9)
    assert len(ticks) == 2 or (np.diff(logs) >= TICK_GAP * span - 1e-12).all()


@pytest.mark.parametrize("name", ["PhaseDiagram", "PhaseCurves"])
def test_the_sweep_scenes_show_no_text_below_the_minimum_size(name, sweep_env, monkeypatch):
    from scenes import phase, style

    from dry_render import smallest_text

    size, words = smallest_text(getattr(phase, name), monkeypatch)
    assert size >= style.MIN_TEXT_SIZE - 0.01, f"{words!r} at font size {size}"
