"""The helix scene (an illustration of Gurnee et al. 2025): its words come from the construction and the
run's frames, its layout stays on screen, and after the twist count 60 sits on width 70. A dry render at
a low frame rate, as in tests/test_scenes.py."""
import numpy as np
import pytest
from manim import DOWN, LEFT, RIGHT, UP, Dot, Text, config, tempconfig

from frames import load_frames
from scenes import style
from scenes.helix import (EXAMPLE_COUNT, EXAMPLE_WIDTH, HelixTwist, Strand, get_example, get_key_list,
                          get_ringing_count, get_wrapped_example, on_screen)
from scenes.loader import FRAMES_ENV
from scenes.manifold import OFFSET, get_construction


@pytest.fixture(scope="module")
def frames(grokked_frames):
    return load_frames(grokked_frames)


@pytest.fixture(scope="module")
def scene(grokked_frames):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(FRAMES_ENV, str(grokked_frames))
        with tempconfig({"dry_run": True, "quality": "low_quality", "frame_rate": 1, "disable_caching": True}):
            rendered = HelixTwist()
            rendered.render()
    return rendered


def family(scene):
    return [m for top in scene.mobjects for m in top.get_family()]


def test_script_says_what_this_is_with_computed_numbers(frames):
    lines = HelixTwist.script(frames)
    assert list(lines) == ["intro", "features", "helix", "ringing", "width", "twist", "clock"]
    assert all(phrase in lines["intro"] for phrase in ("illustrat", "production model", "Claude 3.5 Haiku",
                                                       "Gurnee", "When Models Manipulate Manifolds", "2025"))
    example = get_example(get_construction())
    assert example["best_width"] == EXAMPLE_COUNT + OFFSET
    assert f"cosine {example['raw']:.2f}" in lines["width"] and f"cosine {example['twisted']:.3f}" in lines["twist"]
    assert f"width {EXAMPLE_COUNT + OFFSET}" in lines["twist"]
    assert "Fourier" in lines["clock"] and get_key_list(frames) in lines["clock"]


def test_clock_words_follow_the_run():
    assert get_key_list({"key_freqs": np.array([8, 19, 41, 54])}) == "8, 19, 41 and 54"
    assert get_key_list({"key_freqs": np.array([7])}) == "7"
    no_clock = HelixTwist.script({"key_freqs": np.array([], dtype=np.int32)})["clock"]
    assert "frequencies" not in no_clock and "clock" in no_clock


def test_wrapped_example_is_cut_mid_line():
    full, unfinished = get_wrapped_example()
    assert len(full) == 3 and all(len(line) <= EXAMPLE_WIDTH for line in full)
    assert 0 < len(unfinished) < EXAMPLE_WIDTH


def test_ringing_row_dips_below_zero():
    construction = get_construction()
    assert construction.truncated[get_ringing_count(construction)].min() < -0.05


def test_on_screen_pulls_text_back_into_the_frame():
    label = style.text("a long line of words that runs on").move_to([config.frame_width / 2, 0, 0])
    on_screen(label)
    assert label.get_right()[0] <= config.frame_width / 2 - 0.2 and label.get_left()[0] >= -config.frame_width / 2


def test_after_the_twist_count_60_sits_on_width_70(scene):
    strands = [m for m in scene.mobjects if isinstance(m, Strand)]
    assert len(strands) == 2
    marks = [m for m in family(scene) if isinstance(m, Dot) and m.get_color().to_hex().upper() == style.HIGHLIGHT.to_hex().upper()]
    assert len(marks) == 2                                        # count 60 and width 70
    assert np.linalg.norm(marks[0].get_center() - marks[1].get_center()) < 0.15
    count_strand, width_strand = strands
    assert np.linalg.norm(count_strand.get_center() - width_strand.get_center()) < 0.3   # the helices merged


def test_every_label_on_screen_and_the_source_named(scene):
    camera = scene.renderer.camera
    texts = [m for m in family(scene) if isinstance(m, Text)]
    assert len(texts) > 15
    for text in texts:
        # screen position: as drawn for labels fixed in the frame, projected for tags that follow the helices
        centre = text.get_center() if text in camera.fixed_in_frame_mobjects else camera.project_point(text.get_center())
        assert abs(centre[0]) + text.width / 2 <= config.frame_width / 2, text.text
        assert abs(centre[1]) + text.height / 2 <= config.frame_height / 2, text.text
    boxes = [(text.text, text.get_corner(DOWN + LEFT), text.get_corner(UP + RIGHT)) for text in texts
             if text in camera.fixed_in_frame_mobjects]
    for index, (name, low, high) in enumerate(boxes):                 # no two labels on the screen overlap
        for other, other_low, other_high in boxes[index + 1:]:
            assert np.any(high[:2] < other_low[:2]) or np.any(other_high[:2] < low[:2]), (name, other)
    words = " ".join(text.text for text in texts)                 # Text drops spaces
    assert "Gurneeetal.2025" in words and "Claude3.5Haiku" in words and "illustration" in words
