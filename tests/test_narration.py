"""The narration is computed from the frames, never typed in.

Every registered scene's `script(frames)` is built from three real runs: the committed reference
run (p = 113), the tiny run that groks (p = 23) and the tiny run that does not. Where a line has the
same shape in several runs, a figure that is the same in all of them must be one of the named
constants below or a value their configs share; anything else would be a figure typed into the
code. Then the facts each run is known for must appear in its own narration."""

import importlib
import json
import re
from pathlib import Path

import numpy as np
import pytest

from frames import CLUSTER_THRESHOLD, load_frames
from scenes.narration import count, ordinal, percent, plural
from scenes.registry import SCENES
from scenes.snake import ACCURACY_BAR
from scenes.surface import WINDOW
from scenes.wave_parts import SHARE_FLOOR

pytestmark = pytest.mark.numerics  # rounding-sensitive: run again under a second kernel setting (test.sh)

REFERENCE = Path(__file__).resolve().parent.parent / "data" / "nanda.npz"
NUMBER = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?[⁻⁰¹²³⁴⁵⁶⁷⁸⁹]*")

# Figures a line may say whatever the run: the Gini's bounds, the loss bar of 1, "a + 1", "2π",
# "two-dimensional", the thresholds the measures are defined by, the WINDOW + 1 numbers a side
# of the surface's window, and the bound below which a share is said as "under 0.1 %" (each named where it lives).
CONSTANTS = {
    "0",
    "1",
    "2",
    percent(ACCURACY_BAR).split()[0],
    percent(CLUSTER_THRESHOLD).split()[0],
    str(WINDOW + 1),
    f"{100 * SHARE_FLOOR:g}",
}
# Scenes that illustrate another paper's finding and read no run data: their figures come from the
# construction in scenes/manifold.py, which tests/test_manifold.py checks; here, only that no run
# changes them.
ILLUSTRATIONS = {"helix"}


def get_scripts(f: dict) -> dict[str, str]:
    """{'scene.beat': line} for every registered scene that can narrate this run."""
    lines = {}
    for entry in SCENES:
        scene = getattr(importlib.import_module(f"scenes.{entry.module}"), entry.cls)
        try:
            script = scene.script(f)
        except SystemExit:  # a scene that cannot draw this run (no key frequency) says so and stops
            continue
        lines.update({f"{entry.name}.{beat}": line for beat, line in script.items()})
    return lines


def get_shared_config_values(runs: list[dict]) -> set[str]:
    """Numbers every run's config has under the same field (d_model, d_mlp, ...), as written."""
    configs = [json.loads(str(f["config_json"])) for f in runs]
    return {
        count(value)
        for key, value in configs[0].items()
        if isinstance(value, int) and all(c.get(key) == value for c in configs)
    }


def get_clock_neighbours(f: dict) -> set[str]:
    """For each key frequency k, the number n (n < p / 2) with n·k = ±1 mod p: the one the clock puts
    beside 0. Worked out here from the run's own p and key frequencies, by modular inverse."""
    p = int(f["p"])
    return {str(min(pow(int(k), -1, p), p - pow(int(k), -1, p))) for k in f["key_freqs"]}


def get_surface_shares(f: dict) -> set[str]:
    """For each surface neuron at the last checkpoint, the shares of its (a, b) pattern's variance that
    follow a or b alone and that follow a + b alone, worked out here by a 2-D FFT: a function of a
    alone lives on the column kb = 0, of a + b alone on the diagonal ka = kb. A ReLU of
    cos(wa + φ) + cos(wb + ψ) splits the same way at any p and w, so runs share these figures."""
    shares = set()
    for pattern in f["surface_post"][-1].astype(np.float64):  # [3, p, p]
        power = np.abs(np.fft.fft2(pattern - pattern.mean())) ** 2  # [p, p]
        total = power.sum()
        separable = (power[:, 0].sum() + power[0, :].sum()) / total
        diagonal = np.trace(power) / total
        shares |= {percent(separable).split()[0], percent(diagonal).split()[0]}
    return shares


def get_neuron_wave_shares(f: dict) -> set[str]:
    """For each surface neuron at the last checkpoint, the shares of its (a, b) pattern's variance at its own
    frequency k in waves of a alone, of b alone, and in their products, worked out here by a 2-D FFT (power at
    (±k, 0), (0, ±k) and (±k, ±k)). The linear part of a rectified wave holds a share fixed by the ReLU's shape,
    not by the run: ReLU(cos x + cos y) puts 37 % of its variance in cos x alone, and a neuron's offset moves
    that share by a few points, so runs that learnt different frequencies at different p can share it."""
    shares = set()
    for neuron, pattern in zip(f["surface_neurons"], f["surface_post"][-1].astype(np.float64)):  # [p, p]
        k = int(f["neuron_freq"][neuron])
        power = np.abs(np.fft.fft2(pattern - pattern.mean())) ** 2
        total = power.sum()
        a_alone, b_alone = (power[k, 0] + power[-k, 0]) / total, (power[0, k] + power[0, -k]) / total
        products = (power[k, k] + power[-k, -k] + power[k, -k] + power[-k, k]) / total
        shares |= {percent(share).split()[0] for share in (a_alone, b_alone, products)}
    return shares


def test_the_linear_share_of_a_rectified_wave_is_the_relus_not_the_runs():
    """The figure get_neuron_wave_shares allows, derived: ReLU(cos x + cos y) over a fine grid."""
    x = 2 * np.pi * np.arange(512) / 512
    pattern = np.maximum(np.cos(x)[:, None] + np.cos(x)[None, :], 0)
    f = {"surface_neurons": np.array([0]), "neuron_freq": np.array([1]), "surface_post": pattern[None, None]}
    assert {"37", "22"} <= get_neuron_wave_shares(f)  # cos x alone 37 %, the products 22 %


@pytest.fixture(scope="module")
def runs(grokked_frames, tiny_frames):
    return {
        "reference": load_frames(REFERENCE),
        "grokked": load_frames(grokked_frames),
        "ungrokked": load_frames(tiny_frames),
    }


@pytest.fixture(scope="module")
def scripts(runs):
    return {name: get_scripts(f) for name, f in runs.items()}


def test_every_scene_narrates_the_runs_that_grokked(scripts):
    for name in ("reference", "grokked"):
        narrated = {key.split(".")[0] for key in scripts[name]}
        assert narrated == {entry.name for entry in SCENES}, name
        assert all(line.strip() for line in scripts[name].values())


def test_no_figure_is_typed_in(runs, scripts):
    typed_in = []
    for beat, line in scripts["reference"].items():
        if beat.split(".")[0] in ILLUSTRATIONS:
            continue
        shape = NUMBER.findall(line)
        others = [
            name
            for name in ("grokked", "ungrokked")
            if beat in scripts[name] and len(NUMBER.findall(scripts[name][beat])) == len(shape)
        ]
        if not others:
            continue
        compared = [runs["reference"], *(runs[name] for name in others)]
        # a figure every run shares by its own arithmetic (two clocks that both put 11 beside 0) is allowed
        coincident = set.intersection(
            *(get_clock_neighbours(f) | get_surface_shares(f) | get_neuron_wave_shares(f) for f in compared)
        )
        allowed = CONSTANTS | get_shared_config_values(compared) | coincident
        for i, figure in enumerate(shape):
            if all(NUMBER.findall(scripts[name][beat])[i] == figure for name in others) and figure not in allowed:
                typed_in.append(f"{beat}: {figure!r}")
    assert not typed_in, "the same figure in every run's narration: " + ", ".join(typed_in)


def test_every_figure_of_a_run_is_a_named_field(scripts):
    """Each line is written with say(): its template's own words hold no figure but 0, 1 and 2 (as in "a + 1"),
    so an edited script (grok script) gets every figure from the run it is published from; and one field name
    means one figure in every scene of a run."""
    import string

    from scenes.narration import Line

    for name, lines in scripts.items():
        values = {}
        for beat, line in lines.items():
            assert isinstance(line, Line), f"{name} {beat}: not written with say()"
            assert line.template.format(**line.fields) == line
            words = "".join(literal for literal, *_ in string.Formatter().parse(line.template))
            if beat.split(".")[0] not in ILLUSTRATIONS:
                assert set(NUMBER.findall(words)) <= {"0", "1", "2"}, f"{name} {beat}: {line.template!r}"
            for field, value in line.fields.items():
                assert values.setdefault(field, (beat, value))[1] == value, f"{name}: {field} in {beat}"


def test_an_illustration_says_the_same_whatever_the_run(scripts):
    for scene in ILLUSTRATIONS:
        lines = [
            {beat: line for beat, line in scripts[name].items() if beat.startswith(f"{scene}.")} for name in scripts
        ]
        assert lines[0] and all(other == lines[0] for other in lines[1:])


def test_each_run_is_told_its_own_facts(runs, scripts):
    from frames import milestones

    for name in ("reference", "grokked"):
        f, said = runs[name], " ".join(scripts[name].values())
        m, p = milestones(f), int(f["p"])
        assert f"mod {p}" in said
        assert f"epoch {count(m['train_acc_99_epoch'])}" in said
        keys = [int(k) for k in f["key_freqs"]]
        assert all(f"{k}" in scripts[name]["spectrum.keys"] for k in keys)
        assert f"{len(keys)} clocks" in scripts[name]["clock-add.agree"]
        share = (f["neuron_share"] >= CLUSTER_THRESHOLD).mean()
        assert percent(share) in scripts[name]["waves.share"]
        assert f"{float(f['progress_gini_W_E'][-1]):.2f}" in scripts[name]["spectrum.gini"]


def test_a_run_that_has_not_grokked_is_not_told_it_did(runs, scripts):
    said = scripts["ungrokked"]
    assert not bool(runs["ungrokked"]["grokked"])
    assert "not generalised" in said["snake.collapse"]
    assert "memorisation is undone" not in said["snake.excluded"]
    assert "no key frequencies" in said["spectrum.keys"]


@pytest.mark.parametrize("n, words", [(1, "1 whole turn"), (4, "4 whole turns"), (0, "0 whole turns")])
def test_plural(n, words):
    assert plural(n, "whole turn") == words


@pytest.mark.parametrize(
    "n, words", [(23, "23rd"), (113, "113th"), (59, "59th"), (11, "11th"), (101, "101st"), (1012, "1,012th")]
)
def test_ordinal(n, words):
    assert ordinal(n) == words


@pytest.mark.parametrize("entry", [e for e in SCENES if e.name != "helix"], ids=lambda e: e.name)
def test_every_scene_draws_a_run_that_never_grokked_or_says_why_not(tiny_frames, monkeypatch, entry):
    """The tiny run memorised and never generalised: each scene either draws it (the whole construct, dry) or stops
    with NotShown and one line of why, which grok publish turns into a chapter left out, not a failure."""
    import importlib

    from frames import load_frames
    from scenes.loader import FRAMES_ENV, NotShown

    from dry_render import dry_render

    assert not bool(load_frames(tiny_frames)["grokked"])
    monkeypatch.setenv(FRAMES_ENV, str(tiny_frames))
    try:
        dry_render(getattr(importlib.import_module(f"scenes.{entry.module}"), entry.cls), frame_rate=1)
    except NotShown as stop:
        assert str(stop) and "\n" not in str(stop)
