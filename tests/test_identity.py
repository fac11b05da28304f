"""The identity scene's 2-D Fourier split: known answers on synthetic patterns, then the real fixture
(numbers checked against the frames' own neuron_share), then a dry render."""

import math

import numpy as np
import pytest
from manim import ImageMobject, Text

from frames import load_frames
from scenes.identity import TrigIdentity, get_identity_facts
from scenes.loader import FRAMES_ENV
from scenes.wave_parts import (
    get_basis,
    get_parts,
    get_product_split,
    get_share,
    get_share_words,
    get_upsampled,
    get_wave_shares,
)

from dry_render import dry_render

P, K = 23, 4
A, B = np.meshgrid(np.arange(P), np.arange(P), indexing="ij")  # [p, p] each, indexed [a, b]
W = 2 * math.pi * K / P


@pytest.fixture
def frames(monkeypatch, grokked_frames):
    monkeypatch.setenv(FRAMES_ENV, str(grokked_frames))
    return load_frames(grokked_frames)


def test_basis_is_orthonormal_and_interpolates_exactly():
    basis = get_basis(P)
    np.testing.assert_allclose(basis @ basis.T, np.eye(P), atol=1e-12)
    values = np.random.default_rng(0).normal(size=(P, P))
    fine = get_upsampled(values, 5)
    assert fine.shape == (5 * P, 5 * P)
    np.testing.assert_allclose(fine[::5, ::5], values, atol=1e-12)  # the data at every whole (a, b)
    wave = get_upsampled(np.cos(W * (A + B)), 4)
    x = np.arange(4 * P) / 4
    np.testing.assert_allclose(wave, np.cos(W * (x[:, None] + x[None, :])), atol=1e-12)  # and the wave between


def test_parts_add_up_and_find_the_linear_terms():
    pattern = np.maximum(np.cos(W * A + 0.3) + np.cos(W * B + 0.3), 0) + 5.0  # a ReLU neuron of frequency K
    parts = get_parts(pattern, K)
    centred = pattern - pattern.mean()
    np.testing.assert_allclose(sum(parts.values()), centred, atol=1e-12)
    shares = {name: get_share(part, pattern) for name, part in parts.items()}
    assert sum(shares.values()) == pytest.approx(1.0)
    assert shares["a alone"] == pytest.approx(shares["b alone"]) and shares["a alone"] > 0.3
    assert shares["products"] > 0.1
    np.testing.assert_allclose(parts["a alone"].std(axis=1), 0, atol=1e-12)  # the same for every b: a alone
    np.testing.assert_allclose(parts["b alone"].std(axis=0), 0, atol=1e-12)


def test_a_wave_of_a_plus_b_with_a_phase_splits_into_two_checkerboards():
    psi = 1.1
    pattern = 2 * np.cos(W * (A + B) + psi) + np.cos(W * A)
    split = get_product_split(pattern, K)
    assert split.phase == pytest.approx(psi)
    np.testing.assert_allclose(split.weights, [[2, 0], [0, -2]], atol=1e-12)  # 2 cos(wa')cos(wb') - 2 sin(wa')sin(wb')
    np.testing.assert_allclose(split.sum_wave, 2 * np.cos(W * (A + B) + psi), atol=1e-12)
    np.testing.assert_allclose(split.difference_wave, 0, atol=1e-12)
    np.testing.assert_allclose(sum(split.checkerboards), split.sum_wave, atol=1e-12)  # they subtract to the wave
    assert get_share(split.sum_wave, pattern) == pytest.approx(0.8)  # 4 / (4 + 1)


def test_a_product_of_two_waves_is_half_sum_half_difference():
    phi, strength = -0.7, 1.5
    pattern = strength * np.cos(W * A + phi) * np.cos(W * B + phi)
    split = get_product_split(pattern, K)
    assert math.remainder(split.phase - 2 * phi, 2 * math.pi) == pytest.approx(0, abs=1e-12)
    np.testing.assert_allclose(split.weights, [[strength, 0], [0, 0]], atol=1e-12)
    assert get_share(split.sum_wave, pattern) == pytest.approx(0.5)
    assert get_share(split.difference_wave, pattern) == pytest.approx(0.5)
    np.testing.assert_allclose(split.sum_wave + split.difference_wave, pattern - pattern.mean(), atol=1e-12)


def test_wave_shares_tell_sums_from_differences():
    pattern = np.cos(W * (A + B)) + np.cos(2 * W * (A - B) + 0.4) + np.sin(W * B)
    sums, differences, alone = get_wave_shares(pattern, [K, 2 * K])
    assert (sums, differences, alone) == pytest.approx((1 / 3, 1 / 3, 1 / 3))


def test_share_words():
    assert get_share_words(0.19) == "19 %" and get_share_words(0.003) == "under 1 %"
    assert get_share_words(0.0002) == "under 0.1 %"


# real frames: a tiny run that groks


def test_real_neuron_split_agrees_with_the_frames(frames):
    facts = get_identity_facts(frames)
    assert facts.neuron in frames["surface_neurons"] and facts.k in frames["key_freqs"]
    assert sum(facts.shares.values()) == pytest.approx(1.0)
    frequency_share = facts.shares["a alone"] + facts.shares["b alone"] + facts.shares["products"]
    assert frequency_share == pytest.approx(
        float(frames["neuron_share"][facts.neuron]), abs=0.01
    )  # training's own number
    np.testing.assert_allclose(facts.split.sum_wave + facts.split.difference_wave, facts.parts["products"], atol=1e-9)
    assert facts.sum_share + facts.difference_share == pytest.approx(facts.shares["products"])
    logit_sum, logit_difference, logit_alone = facts.logit_shares
    assert logit_sum > 0.8 and logit_difference < 0.05 and logit_alone < 0.05  # the logit keeps the waves of a + b


def test_script_numbers_come_from_the_frames(frames):
    facts = get_identity_facts(frames)
    lines = TrigIdentity.script(frames)
    assert list(lines) == ["pattern", "split", "phase", "identity", "logit"]
    assert f"neuron {facts.neuron}" in lines["pattern"] and f"frequency is {facts.k}" in lines["pattern"]
    assert f"{round(100 * facts.sum_share)} %" in lines["identity"]
    assert f"{len(frames['neuron_freq'])} neurons" in lines["logit"]


class CheckedIdentity(TrigIdentity):
    """Records, after every animation, the mobjects that reach past the edge of the frame."""

    def play(self, *args, **kwargs):
        super().play(*args, **kwargs)
        self.outside = getattr(self, "outside", []) + get_outside(self)


def get_outside(scene) -> list:
    half_width, half_height = scene.camera.frame_width / 2, scene.camera.frame_height / 2
    return [
        m
        for top in scene.mobjects
        for m in top.get_family()
        if isinstance(m, (Text, ImageMobject))
        and (abs(m.get_center()[0]) + m.width / 2 > half_width or abs(m.get_center()[1]) + m.height / 2 > half_height)
    ]


def test_identity_scene_builds_on_real_frames_within_the_frame(frames):
    scene = dry_render(CheckedIdentity)
    assert scene.outside == []
    family = [m for top in scene.mobjects for m in top.get_family()]
    texts = " ".join(m.text for m in family if isinstance(m, Text)).replace(" ", "")  # Text drops spaces
    facts = get_identity_facts(frames)
    assert "logitofanswer" in texts and f"{round(100 * facts.logit_shares[0])}%" in texts
    images = sum(isinstance(m, ImageMobject) for m in family)
    assert images == 2 + len(
        frames["key_freqs"]
    )  # the logit map, its wave of a + b at each key frequency, the colour key
