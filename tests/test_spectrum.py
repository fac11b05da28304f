"""The spectrum scene: its data helpers on known answers, the real fixture, and a dry render."""

import numpy as np
import pytest
from manim import ImageMobject, Rectangle, Text

from frames import load_frames
from scenes import style
from scenes.loader import FRAMES_ENV
from scenes.narration import percent
from scenes.spectrum import (
    FourierSpectrum,
    get_counter_step,
    get_frequency_norms,
    get_label_rows,
    get_spikes,
    get_ticks,
    get_variance_share,
)

from dry_render import dry_render


@pytest.fixture
def frames(monkeypatch, grokked_frames):
    monkeypatch.setenv(FRAMES_ENV, str(grokked_frames))
    return load_frames(grokked_frames)


def test_frequency_norms_pair_cos_and_sin_and_drop_the_constant():
    spectrum = np.array([[9.0, 3.0, 4.0, 0.0, 2.0], [1.0, 0.0, 0.0, 6.0, 8.0]])  # const, cos 1, sin 1, cos 2, sin 2
    np.testing.assert_allclose(get_frequency_norms(spectrum), [[5, 2], [0, 10]])
    np.testing.assert_allclose(get_variance_share(spectrum, [1]), [25 / 29, 0])


def test_spikes_are_the_key_frequencies_and_any_other_tall_bar():
    final = np.array([0.1, 6.0, 0.2, 3.0, 0.3, 1.0])  # k = 1..6
    assert get_spikes(final, [2]) == [2, 4]  # 4 is half the tallest: named too
    assert get_spikes(final, [2, 6]) == [2, 4, 6]  # a short key frequency still named


def test_ticks_labels_and_counter_steps():
    np.testing.assert_allclose(get_ticks(6.65), [0, 2, 4, 6])
    np.testing.assert_allclose(get_ticks(5.52), [0, 1, 2, 3, 4, 5])
    np.testing.assert_allclose(get_ticks(0.8), [0, 0.2, 0.4, 0.6, 0.8])
    assert get_label_rows([0.0, 0.2, 1.0, 1.3], width=0.42) == [0, 1, 0, 1]
    assert get_counter_step(np.arange(0, 25_001, 100)) == 500  # 51 values, not 251
    assert get_counter_step(np.arange(0, 2_501, 25)) == 50
    assert get_counter_step(np.arange(0, 701, 50)) == 50


# real frames: a tiny run that groks


def test_real_spectrum_concentrates_on_the_key_frequencies(frames):
    norms = get_frequency_norms(frames["embed_spectrum"].astype(np.float64))
    keys = frames["key_freqs"]
    assert norms.shape == (len(frames["checkpoint_epochs"]), (int(frames["p"]) - 1) // 2)
    assert frames["progress_gini_W_E"][-1] > frames["progress_gini_W_E"][0] + 0.2
    first, last = get_variance_share(frames["embed_spectrum"][[0, -1]], keys)
    assert last > 0.6 and last > first + 0.3
    tallest = np.argsort(-norms[-1])[: len(keys)] + 1
    assert set(tallest) == set(keys.tolist())  # the spikes are the key frequencies


def test_script_numbers_come_from_the_frames(frames):
    lines = FourierSpectrum.script(frames)
    assert list(lines) == ["intro", "train", "gini", "keys"]
    gini = frames["progress_gini_W_E"]
    assert f"from {gini[0]:.2f} to {gini[-1]:.2f}" in lines["gini"]
    assert all(str(k) in lines["keys"] for k in frames["key_freqs"])


class CheckedSpectrum(FourierSpectrum):
    """Records, after every animation, the mobjects that reach past the edge of the frame."""

    def play(self, *args, **kwargs):
        super().play(*args, **kwargs)
        half_width, half_height = self.camera.frame_width / 2, self.camera.frame_height / 2
        self.outside = getattr(self, "outside", []) + [
            m
            for top in self.mobjects
            for m in top.get_family()
            if isinstance(m, (Text, ImageMobject, Rectangle))
            and (
                abs(m.get_center()[0]) + m.width / 2 > half_width or abs(m.get_center()[1]) + m.height / 2 > half_height
            )
        ]


def test_spectrum_scene_ends_on_the_final_bars(frames):
    scene = dry_render(CheckedSpectrum)
    assert scene.outside == []
    family = [m for top in scene.mobjects for m in top.get_family()]
    n_freqs = (int(frames["p"]) - 1) // 2
    bars = [m for m in family if type(m) is Rectangle and m.get_fill_opacity() > 0.9]
    assert len(bars) == n_freqs
    heights = np.array([bar.height for bar in sorted(bars, key=lambda bar: bar.get_x())])
    final = get_frequency_norms(frames["embed_spectrum"][-1].astype(np.float64))
    np.testing.assert_allclose(
        heights / heights.max(), final / final.max(), atol=1e-3
    )  # bars end on the last checkpoint
    colors = style.frequency_colors(frames["key_freqs"].tolist())
    for k, bar in enumerate(sorted(bars, key=lambda bar: bar.get_x()), start=1):
        assert bar.get_fill_color().to_hex().upper() == colors.get(k, style.MUTED).to_hex().upper()
    texts = {m.text for m in family if isinstance(m, Text)}
    assert {str(k) for k in frames["key_freqs"]} <= texts
    # the scene ends on the key frequencies' share of the embedding's variance (a Text drops its spaces)
    last = get_variance_share(frames["embed_spectrum"][-1], frames["key_freqs"])
    assert percent(last).replace(" ", "") in texts
