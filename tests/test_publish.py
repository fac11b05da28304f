"""Publishing on tiny clips: four scenes of a second or two (tests/publish_scenes.py) rendered at
160x90, 5 fps from the tiny fixture's frames, one of them broken on purpose; then the assembled
video, its chapters and captions, the GIF budget, the skip rule and the failure report are checked
on the files written."""

import io
import shutil
from datetime import timedelta
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
import srt
from click.testing import CliRunner
from PIL import Image
from publish_scenes import Middle, Opening

from frames import load_frames
from frames.errors import GrokError
from grok.publish import gif, video
from grok.publish.captions import get_shifted
from grok.publish.pipeline import EXPLAINER, GALLERY, Options, get_scene_sources, publish, read_record
from grok.publish.render import CODE_ROOT
from scenes.registry import NAMES, SceneEntry

TINY_SCENES = Path(__file__).with_name("publish_scenes.py")
TINY_CLIPS = ("-r", "160,90", "--fps", "5")
ENTRIES = (
    SceneEntry("opening", "first", "Opening", "a square", "One"),
    SceneEntry("middle", "first", "Middle", "a circle", "One"),
    SceneEntry("broken", "second", "Broken", "fails", "Two"),
    SceneEntry("silent", "second", "Silent", "no words", "Three"),
    SceneEntry("absent", "second", "Absent", "not in this run", "Four"),
)


@pytest.fixture(scope="module")
def studio(tmp_path_factory, tiny_frames):
    root = tmp_path_factory.mktemp("studio")
    (root / "scenes").mkdir()
    (root / "renders").mkdir()
    for module in ("first", "second"):
        shutil.copy(TINY_SCENES, root / "scenes" / f"{module}.py")
    options = Options(
        frames=tiny_frames,
        quality="preview",
        out_dir=root / "renders",
        scenes=ENTRIES,
        scene_dir=root / "scenes",
        manim_args=TINY_CLIPS,
    )
    log = io.StringIO()
    report = publish(options, out=log)
    return options, report, log.getvalue()


def parts_of(options):
    """The clips of the assembled video, in order, as its record lists them."""
    record = read_record(options.out_dir / f"{EXPLAINER}.mp4")
    return [video.probe(options.out_dir / "parts" / name) for name in record["files"]]


def top_level_boxes(path):
    data, boxes, at = path.read_bytes(), [], 0
    while at + 8 <= len(data):
        size = int.from_bytes(data[at : at + 4], "big")
        boxes.append(data[at + 4 : at + 8].decode())
        at += size if size > 1 else len(data)
    return boxes


def test_the_video_is_its_parts_end_to_end(studio):
    options, report, _ = studio
    movie = options.out_dir / f"{EXPLAINER}.mp4"
    parts = parts_of(options)
    assert [p.path.name.split("_")[0] for p in parts] == [
        "card-title",
        "card-chapter-01",
        "opening",
        "middle",
        "card-chapter-02",
        "silent",
        "card-end",
    ]
    with av.open(str(movie)) as container:
        stream = container.streams.video[0]
        assert (stream.codec_context.name, stream.format.name) == ("h264", "yuv420p")
        decoded = sum(1 for _ in container.decode(stream))
    assert decoded == sum(p.frames for p in parts)
    assert abs(video.probe(movie).seconds - sum(p.seconds for p in parts)) < Fraction(1, 1000)
    boxes = top_level_boxes(movie)
    assert boxes.index("moov") < boxes.index("mdat")  # faststart: the index comes first


def test_cards_join_the_scenes_without_a_re_encode(studio):
    """The cards are encoded with the scenes' own x264 options (manim's, and scenes/manim.cfg's): every part of the
    film has the same H.264 headers, so the film is a remux of its parts."""
    options, _, _ = studio
    parts = parts_of(options)
    assert any(part.path.name.startswith("card-") for part in parts)
    assert len({part.headers for part in parts}) == 1


def test_chapters_start_at_their_cards(studio):
    options, _, _ = studio
    parts = parts_of(options)
    starts = video.get_offsets(parts)
    with av.open(str(options.out_dir / f"{EXPLAINER}.mp4")) as container:
        chapters = [
            (c["metadata"]["title"], c["start"] * c["time_base"], c["end"] * c["time_base"])
            for c in container.chapters()
        ]
    expected = [
        ("Title", 0, starts[1]),
        ("1. One", starts[1], starts[4]),
        ("2. Three", starts[4], starts[6]),
        ("How this video was made", starts[6], starts[6] + parts[6].seconds),
    ]
    assert [title for title, _, _ in chapters] == [title for title, _, _ in expected]
    for (_, start, end), (_, want_start, want_end) in zip(chapters, expected):
        assert abs(start - want_start) <= Fraction(1, 1000) and abs(end - want_end) <= Fraction(1, 1000)


def test_captions_are_the_narration_on_the_video_clock(studio, tiny_frames):
    options, _, _ = studio
    parts = parts_of(options)
    starts = video.get_offsets(parts)
    captions = list(srt.parse((options.out_dir / f"{EXPLAINER}.srt").read_text()))
    frames = load_frames(tiny_frames)
    assert [c.content for c in captions] == [*Opening.script(frames).values(), *Middle.script(frames).values()]
    local = [
        *srt.parse(parts[2].path.with_suffix(".srt").read_text()),
        *srt.parse(parts[3].path.with_suffix(".srt").read_text()),
    ]
    scene_of = [2, 2, 3]
    for caption, own, index in zip(captions, local, scene_of):
        start = float(starts[index])
        assert abs(caption.start.total_seconds() - (start + own.start.total_seconds())) < 1e-3
        assert (
            start
            <= caption.start.total_seconds()
            < caption.end.total_seconds()
            <= start + float(parts[index].seconds) + 1e-3
        )
    assert all(a.end <= b.start for a, b in zip(captions, captions[1:]))
    vtt = (options.out_dir / f"{EXPLAINER}.vtt").read_text()
    assert vtt.startswith("WEBVTT") and vtt.count(" --> ") == len(captions)


def test_captions_are_shifted_clipped_and_never_overlap():
    def caption(start, end, text):
        return srt.Subtitle(0, timedelta(seconds=start), timedelta(seconds=end), text)

    shifted = get_shifted(
        [([caption(0, 2.1, "a"), caption(2.0, 3, "b")], 10.0, 2.5), ([caption(0.5, 1, "c")], 20.0, 1.0)]
    )
    assert [(c.index, c.start.total_seconds(), c.end.total_seconds(), c.content) for c in shifted] == [
        (1, 10.0, 12.0, "a"),
        (2, 12.0, 12.5, "b"),
        (3, 20.5, 21.0, "c"),
    ]


def test_a_failing_scene_is_reported_and_left_out(studio):
    options, report, log = studio
    assert [name for name, _ in report.failed] == ["broken"]
    assert report.not_shown == [("absent", "this run of p = 23 has no such thing to draw")]  # not a failure
    assert "left out absent: this run does not show it (this run of p = 23" in log
    log_file = options.out_dir / "logs" / "broken_preview.log"
    assert str(log_file) in report.failed[0][1] and str(log_file) in log
    assert "broken on purpose" in log_file.read_text()
    assert not list((options.out_dir / "parts").glob("broken*"))
    assert not [path for path in options.out_dir.rglob("*") if path.suffix in (".tmp", ".partial")]
    assert {p.name for p in (options.out_dir / "gifs").glob("*.gif")} == {"opening.gif", "middle.gif", "silent.gif"}


def test_gifs_and_thumbnail(studio):
    options, _, _ = studio
    for path in (options.out_dir / "gifs").glob("*.gif"):
        assert path.stat().st_size <= 4 * gif.MB
        assert Image.open(path).n_frames > 1
    thumbnail = np.asarray(Image.open(options.out_dir / f"{EXPLAINER}.png").convert("L"))
    assert thumbnail.shape == (90, 160) and thumbnail.std() > 5  # a drawn frame, not the blank first one


def test_only_what_changed_is_made_again(studio):
    options, _, _ = studio
    options = Options(**{**vars(options), "scenes": [e for e in ENTRIES if e.name != "broken"]})
    parts, movie = options.out_dir / "parts", options.out_dir / f"{EXPLAINER}.mp4"
    before = {path.name: path.stat().st_mtime_ns for path in [*parts.glob("*.mp4"), movie]}
    report = publish(options, out=io.StringIO())
    assert (report.rendered, report.unchanged) == (0, 3)
    assert {path.name: path.stat().st_mtime_ns for path in [*parts.glob("*.mp4"), movie]} == before

    with open(options.scene_dir / "second.py", "a") as scene_code:  # Silent's file changes
        scene_code.write("\n# edited\n")
    report = publish(options, out=io.StringIO())
    assert (report.rendered, report.unchanged) == (1, 2)
    after = {path.name: path.stat().st_mtime_ns for path in [*parts.glob("*.mp4"), movie]}
    changed = {name for name in before if after[name] != before[name]}
    assert changed == {"silent_preview.mp4", f"{EXPLAINER}.mp4"}


def test_strict_stops_at_the_failing_scene_and_keeps_what_was_written(studio):
    options, _, _ = studio
    movie = options.out_dir / f"{EXPLAINER}.mp4"
    written = movie.stat().st_mtime_ns
    with pytest.raises(GrokError, match=r"broken.*logs/broken_preview\.log"):
        publish(Options(**{**vars(options), "strict": True}), out=io.StringIO())
    assert movie.stat().st_mtime_ns == written and video.probe(movie).frames > 0
    assert not [path for path in options.out_dir.rglob("*") if path.suffix in (".tmp", ".partial")]


def test_gif_budget_steps_down_until_it_fits(tmp_path):
    # 2 s of moving noise: hard to compress, so the best settings are far over a small budget
    rng = np.random.default_rng(0)
    path = tmp_path / "noise.mp4"
    with av.open(str(path), "w") as container:
        stream = video.add_video_stream(container, 320, 180, Fraction(15))
        for index in range(30):
            pixels = np.zeros((180, 320, 3), np.uint8)
            pixels[:, 8 * index : 8 * index + 80] = rng.integers(0, 255, (180, 80, 3), dtype=np.uint8)
            frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
            frame.pts, frame.time_base = index, Fraction(1, 15)
            container.mux(stream.encode(frame))
        container.mux(stream.encode())
    best = gif.make_gif(path, 100 * gif.MB, 320, 15)
    assert (best.width, best.fps) == (320, 15)
    budget = len(best.data) // 4
    fitted = gif.make_gif(path, budget, 320, 15)
    assert len(fitted.data) <= budget < len(best.data)
    image = Image.open(io.BytesIO(fitted.data))
    assert image.size[0] == fitted.width and image.n_frames == fitted.frames == 2 * fitted.fps
    with pytest.raises(ValueError, match="no GIF"):
        gif.make_gif(path, 100, 320, 15)


def test_scene_code_includes_what_it_imports():
    sources = {path.relative_to(CODE_ROOT).as_posix() for path in get_scene_sources(CODE_ROOT / "scenes" / "clock.py")}
    assert {
        "scenes/clock.py",
        "scenes/helpers.py",
        "scenes/style.py",
        "scenes/loader.py",
        "scenes/manim.cfg",
    } <= sources


def test_gallery_scenes_are_registered():
    assert set(GALLERY) <= set(NAMES)


def test_publish_refuses_a_missing_frames_file(tmp_path):
    from grok.cli import main

    result = CliRunner().invoke(main, ["publish", "--frames", str(tmp_path / "none.npz"), "--out-dir", str(tmp_path)])
    assert result.exit_code == 1 and "frames file not found" in result.output and "Traceback" not in result.output
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("seconds, words", [(59.4, "59.4 s"), (419.6, "7 min 00 s"), (3725, "62 min 05 s")])
def test_durations_read_right(seconds, words):
    from grok.publish.pipeline import format_seconds

    assert format_seconds(seconds) == words


def test_the_mp4_carries_the_captions_as_a_track(studio):
    """Players list the caption track (mov_text); it holds the .srt's words at the .srt's times."""
    options, _, _ = studio
    captions = list(srt.parse((options.out_dir / f"{EXPLAINER}.srt").read_text()))
    with av.open(str(options.out_dir / f"{EXPLAINER}.mp4")) as container:
        (track,) = container.streams.subtitles
        assert track.codec_context.name == "mov_text" and track.language == "eng"
        cues = []
        for packet in container.demux(track):
            for cue in packet.decode() if packet.size else []:
                start = packet.pts * packet.time_base
                cues.append((float(start), float(start + packet.duration * packet.time_base), cue.dialogue.decode()))
    assert [text for _, _, text in cues] == [c.content.replace("\n", "\\N") for c in captions]
    for (start, end, _), caption in zip(cues, captions):
        assert abs(start - caption.start.total_seconds()) < 2e-3 and abs(end - caption.end.total_seconds()) < 2e-3


def test_burned_captions_are_drawn_over_the_picture_while_they_last(studio, tmp_path):
    from grok.publish.burn import CaptionPainter

    options, _, _ = studio
    parts = parts_of(options)
    captions = [
        video.Caption(c.start.total_seconds(), c.end.total_seconds(), c.content)
        for c in srt.parse((options.out_dir / f"{EXPLAINER}.srt").read_text())
    ]
    painter = CaptionPainter(captions, (parts[0].width, parts[0].height))
    burned = tmp_path / "burned.mp4"
    assert video.concat(parts, burned, [], {}, captions=captions, paint=painter) is False  # drawn: re-encoded
    plain = options.out_dir / f"{EXPLAINER}.mp4"
    during = (captions[0].start + captions[0].end) / 2
    before = captions[0].start / 2  # the title card: no caption yet
    difference = [
        np.abs(
            np.asarray(video.grab_frame(burned, t), dtype=float) - np.asarray(video.grab_frame(plain, t), dtype=float)
        )
        for t in (during, before)
    ]
    height = parts[0].height
    changed = [(d.max(axis=2) > 60).sum(axis=1) for d in difference]  # pixels changed outright, per row
    assert changed[0][height // 2 :].sum() > 30 and changed[1].sum() < 5  # the caption's words, only while it lasts
    assert changed[0][: height // 4].sum() == 0  # the top of the picture untouched (up to re-encoding)
    frame = np.zeros((height, parts[0].width, 3), np.uint8)
    assert painter(before, frame) is frame and (painter(during, frame) != frame).any()


def test_a_long_burned_caption_comes_two_lines_at_a_time_over_its_own_time():
    from grok.publish.burn import MAX_LINES, CaptionPainter

    words = " ".join(f"word{i}" for i in range(60))
    painter = CaptionPainter([video.Caption(2.0, 14.0, words), video.Caption(15.0, 16.0, "Short.")], (720, 1280))
    pieces = painter.captions[:-1]
    assert len(pieces) >= 3 and all(len(piece.text.split("\n")) <= MAX_LINES for piece in pieces)
    assert " ".join(piece.text.replace("\n", " ") for piece in pieces) == words  # every word, in order
    assert pieces[0].start == 2.0 and pieces[-1].end == pytest.approx(14.0)
    assert all(a.end == pytest.approx(b.start) for a, b in zip(pieces, pieces[1:]))  # in turn, no gap
    assert painter.captions[-1] == video.Caption(15.0, 16.0, "Short.")
    tops = [painter.draw(index)[0] for index in range(len(pieces))]
    assert min(tops) > 0.8 * 1280  # two lines stay in the bottom fifth of a tall frame


def test_the_end_card_names_no_machine_path_and_cites_every_source(tiny_frames, tmp_path):
    from grok.publish.cards import get_end_lines
    from grok.publish.provenance import NAMED_BY, PAPER, get_provenance
    from scenes.registry import GURNEE, SCENES

    far = tmp_path / "deep" / "inside"
    far.mkdir(parents=True)
    shutil.copy(tiny_frames, far / "mine.npz")
    cited = [entry.source for entry in SCENES if entry.source]
    lines = dict(get_end_lines(get_provenance(far / "mine.npz"), "720p", cited))
    assert str(tmp_path) not in " ".join(lines.values())
    assert lines["reproduce"] == "grok publish --frames mine.npz"  # the default quality goes unsaid
    assert lines["frames"].startswith("mine.npz, sha256 ")
    assert dict(get_end_lines(get_provenance(far / "mine.npz"), "preview"))["reproduce"].endswith("--quality preview")
    assert (lines["paper"], lines["grokking"], lines["rebuilt from"]) == (PAPER, f"named by {NAMED_BY}", GURNEE)


def test_the_still_share_counts_holds_of_five_seconds_or_more(tmp_path):
    from grok.publish.stillness import get_changes, get_stillness

    stillness = get_stillness(np.array([9.0, 0.1, 0.1, 0.1, 0.1, 0.1, 3.0, 0.2, 0.2, 0.2, 0.2, 0.0, 0.0]))
    assert stillness.stretches == [(1, 5), (7, 6)] and stillness.seconds == 14  # four still seconds are a pause
    assert get_stillness(np.array([0.1, 0.1, 0.1, 0.1])).stretches == []
    assert stillness.share == 11 / 14

    # On a real clip: an image held 8 s, then 6 s of noise
    fps = Fraction(5)
    still = video.encode_still(Image.new("RGB", (64, 48), "#336699"), 8, fps, tmp_path / "still.mp4", "#000000", 0)
    noise = tmp_path / "noise.mp4"
    with video.written(noise) as tmp, video.open_output(tmp) as container:
        stream = video.add_video_stream(container, 64, 48, fps)
        for index in range(30):
            frame = av.VideoFrame.from_ndarray(np.random.default_rng(index).integers(0, 255, (48, 64, 3), np.uint8))
            frame.pts, frame.time_base = index, 1 / fps
            container.mux(stream.encode(frame))
        container.mux(stream.encode())
    video.concat([still, video.probe(noise)], tmp_path / "film.mp4", [], {})
    measured = get_stillness(get_changes(tmp_path / "film.mp4"))
    assert measured.stretches == [(0, 7)] and measured.seconds == 14


def test_a_card_taller_than_its_frame_rolls_up_from_top_to_bottom(tmp_path):
    """Credits too long for a square frame: a 64x144 card in a 64x48 clip shows its top (white), then its bottom
    (grey), moving between."""
    fps, image = Fraction(5), Image.new("RGB", (64, 144), "#ffffff")
    image.paste(Image.new("RGB", (64, 48), "#808080"), (0, 96))
    card = video.encode_still(image, 9, fps, tmp_path / "card.mp4", "#000000", 0, height=48)
    assert (card.width, card.height) == (64, 48)
    frames = [np.asarray(frame, dtype=np.float32).mean() for frame in video.read_frames(card.path, fps=5, width=64)]
    assert frames[2] > 240 and 120 < frames[-1] < 136  # the top held first, the bottom at the end
    assert len({round(value) for value in frames[8:37]}) > 5  # in between, it moves


def test_a_revealed_card_comes_in_from_the_top_and_does_not_stand_still(tmp_path):
    from grok.publish.stillness import get_changes, get_stillness

    fps, image = Fraction(5), Image.new("RGB", (64, 48), "#ffffff")
    card = video.encode_still(image, 9, fps, tmp_path / "card.mp4", "#000000", 0, reveal_seconds=6)
    frames = [np.asarray(frame, dtype=np.float32) for frame in video.read_frames(card.path, fps=1, width=64)]
    top, bottom = frames[2][:8].mean(), frames[2][-8:].mean()  # 2 s in: the top is in, the bottom not yet
    assert top > 200 and bottom < 30
    assert frames[-1].mean() > 240  # all of it at the end
    assert get_stillness(get_changes(card.path)).stretches == []  # 6 s coming in, then a 3 s hold: no stopped picture
