"""The helix scene (an illustration of Gurnee et al. 2025): its words come from the construction and
nothing else, its layout stays on screen, and after the twist count 60 sits on width 70. A dry render
at a low frame rate, as in tests/test_scenes.py; the scene reads no frames file."""

import numpy as np
import pytest
from manim import DOWN, LEFT, RIGHT, UP, Dot, Text, config

from scenes import style
from scenes.helix import (
    AXIS_STRETCH,
    EXAMPLE_COUNT,
    EXAMPLE_WIDTH,
    HELIX_SCALE,
    HelixTwist,
    Strand,
    get_example,
    get_helix_points,
    get_turns_said,
    get_wrapped_example,
)
from scenes.manifold import OFFSET, get_construction

from dry_render import dry_render


@pytest.fixture(scope="module")
def scene():
    return dry_render(HelixTwist, frame_rate=1)


def family(scene):
    return [m for top in scene.mobjects for m in top.get_family()]


def test_script_says_what_this_is_with_computed_numbers():
    lines = HelixTwist.script({})
    assert list(lines) == ["intro", "features", "helix", "width", "twist", "clock"]
    assert all(
        phrase in lines["intro"]
        for phrase in (
            "illustrates",
            "Claude 3.5 Haiku",
            "Gurnee",
            "2025",
            "When Models Manipulate Manifolds",
            "the model we trained",
        )
    )
    example = get_example(get_construction())
    assert example["best_width"] == EXAMPLE_COUNT + OFFSET
    assert f"cosine {example['raw']:.2f}" in lines["width"] and f"cosine {example['twisted']:.3f}" in lines["twist"]
    assert f"width {EXAMPLE_COUNT + OFFSET}" in lines["twist"] and get_turns_said(get_construction()) in lines["clock"]
    assert HelixTwist.script({"p": 7, "key_freqs": np.array([3])}) == lines  # nothing comes from a run


def test_turns_are_read_aloud():
    assert get_turns_said(get_construction()) == "1.9, 3.8 and 5.9"


def test_wrapped_example_is_cut_mid_line():
    full, unfinished = get_wrapped_example()
    assert len(full) == 3 and all(len(line) <= EXAMPLE_WIDTH for line in full)
    assert 0 < len(unfinished) < EXAMPLE_WIDTH


def test_turning_the_helix_keeps_heights_and_distances_from_its_axis():
    construction = get_construction()
    centre = np.array([1.0, 2.0, 3.0])
    still, turned = (get_helix_points(construction.coords, construction.frame, angle, centre) for angle in (0.0, 1.0))
    np.testing.assert_allclose(still[:, 2], turned[:, 2])
    np.testing.assert_allclose(
        np.linalg.norm((still - centre)[:, :2], axis=1), np.linalg.norm((turned - centre)[:, :2], axis=1)
    )
    height = construction.coords[:, :3] @ construction.frame[0]  # [n] along the helix axis
    np.testing.assert_allclose(still[:, 2] - centre[2], HELIX_SCALE * AXIS_STRETCH * height)


def test_after_the_twist_count_60_sits_on_width_70(scene):
    strands = [m for m in scene.mobjects if isinstance(m, Strand)]
    assert len(strands) == 2
    marks = [
        m
        for m in family(scene)
        if isinstance(m, Dot) and m.get_color().to_hex().upper() == style.HIGHLIGHT.to_hex().upper()
    ]
    assert len(marks) == 2  # count 60 and width 70
    assert np.linalg.norm(marks[0].get_center() - marks[1].get_center()) < 0.15
    count_strand, width_strand = strands
    assert np.linalg.norm(count_strand.get_center() - width_strand.get_center()) < 0.3  # the helices met


def test_every_label_ever_shown_is_on_screen(scene):
    camera = scene.renderer.camera
    flat = {
        m for top in camera.fixed_in_frame_mobjects for m in top.get_family() if isinstance(m, Text)
    }  # every 2-D label, shown or gone
    following = [m for m in family(scene) if isinstance(m, Text) and m not in flat]  # tags on the helices at the end
    assert len(flat) > 25 and len(following) == 2
    for text in flat:
        assert abs(text.get_x()) + text.width / 2 <= config.frame_width / 2, text.text
        assert abs(text.get_y()) + text.height / 2 <= config.frame_height / 2, text.text
    for text in following:  # drawn where the camera projects them
        centre = camera.project_point(text.get_center())
        assert (
            abs(centre[0]) + text.width / 2 <= config.frame_width / 2
            and abs(centre[1]) + text.height / 2 <= config.frame_height / 2
        )


def test_final_labels_do_not_overlap_and_name_the_source(scene):
    camera = scene.renderer.camera
    texts = [m for m in family(scene) if isinstance(m, Text)]
    boxes = [
        (text.text, text.get_corner(DOWN + LEFT), text.get_corner(UP + RIGHT))
        for text in texts
        if text in camera.fixed_in_frame_mobjects
        or any(text in top.get_family() for top in camera.fixed_in_frame_mobjects)
    ]
    # title, source, the twist's name and finding (3), the clock's words, its count and its 3 clocks
    assert len(boxes) == 10
    for index, (name, low, high) in enumerate(boxes):
        for other, other_low, other_high in boxes[index + 1 :]:
            assert np.any(high[:2] < other_low[:2]) or np.any(other_high[:2] < low[:2]), (name, other)
    words = " ".join(text.text for text in texts)  # Text drops spaces
    assert "Gurneeetal.2025" in words and "Claude3.5Haiku" in words and "illustration" in words
