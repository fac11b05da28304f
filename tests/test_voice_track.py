"""A person's own voice (grok/publish/voice_track.py): recordings of tiny generated tones, one per beat of the
tiny scenes (tests/publish_scenes.py), in wav, flac and mp3; each scene is timed by them and the film carries
them as its sound. Missing, extra and doubled recordings are refused in one line."""

import io
from pathlib import Path

import av
import numpy as np
import pytest
import srt
from tiny_studio import OPENING_AND_MIDDLE, make_scene_dir, tiny_options

from frames import load_frames
from frames.errors import GrokError
from grok.publish.narration import read_wav
from grok.publish.pipeline import EXPLAINER, publish
from grok.publish.script import get_said_beats
from grok.publish.voice_track import RATE, RecordedNarrator, read_recording, write_cues
from scenes.narration import LINE_GAP

ENTRIES = OPENING_AND_MIDDLE
# each beat's recording: its file and how long it speaks; one of each format, at rates that are not the track's
TONES = {
    "opening.task": ("wav", 1.6, 16_000),
    "opening.wait": ("flac", 0.8, 44_100),
    "middle.keys": ("mp3", 3.0, 48_000),
}
CODECS = {"wav": ("pcm_s16le", "s16", np.int16), "flac": ("flac", "s16", np.int16), "mp3": ("mp3", "fltp", np.float32)}


def write_tone(path: Path, seconds: float, rate: int, pitch: float = 440.0):
    codec, layout_format, dtype = CODECS[path.suffix[1:]]
    wave = 0.5 * np.sin(2 * np.pi * pitch * np.arange(round(seconds * rate)) / rate)
    samples = (wave * 32767).astype(dtype) if dtype == np.int16 else wave.astype(dtype)
    with av.open(str(path), "w") as container:
        stream = container.add_stream(codec, rate=rate, layout="mono")
        step = 1024
        for at in range(0, len(samples), step):
            frame = av.AudioFrame.from_ndarray(samples[None, at : at + step], format=layout_format, layout="mono")
            frame.sample_rate, frame.pts = rate, at
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)


@pytest.fixture
def scene_dir(tmp_path):
    return make_scene_dir(tmp_path)


@pytest.fixture
def recordings(tmp_path):
    folder = tmp_path / "voice"
    folder.mkdir()
    for beat, (suffix, seconds, rate) in TONES.items():
        write_tone(folder / f"{beat}.{suffix}", seconds, rate)
    return folder


def test_a_recording_is_read_in_any_format_at_the_tracks_rate(recordings):
    for beat, (suffix, seconds, _) in TONES.items():
        samples = read_recording(recordings / f"{beat}.{suffix}")
        assert samples.dtype == np.int16
        assert abs(len(samples) / RATE - seconds) < 0.06  # mp3 pads a frame or so
        assert np.abs(samples).max() > 8000


def test_each_scene_is_timed_by_its_recordings_and_the_film_sounds_them(tmp_path, tiny_frames, scene_dir, recordings):
    out = tmp_path / "renders"
    options = tiny_options(tiny_frames, out, scene_dir, voice_track=recordings)
    publish(options, out=io.StringIO())
    captions = list(srt.parse((out / f"{EXPLAINER}.srt").read_text()))
    said = [read_wav(path)[0] for path in sorted((out / "speech").glob("rec-*.wav"))]
    assert len(said) == 3 and len(captions) == 3
    for caption, (_, seconds, _) in zip(captions, TONES.values()):
        length = (caption.end - caption.start).total_seconds()
        assert seconds + LINE_GAP - 0.1 <= length <= seconds + LINE_GAP + 0.25  # the line holds its speech
    with av.open(str(out / f"{EXPLAINER}.mp4")) as container:
        (audio,) = container.streams.audio
        track = np.concatenate([frame.to_ndarray().reshape(-1) for frame in container.decode(audio)])
        rate = audio.rate
    for caption, (_, seconds, _) in zip(captions, TONES.values()):
        start = caption.start.total_seconds()
        inside = track[round((start + 0.1) * rate) : round((start + seconds - 0.1) * rate)]
        after = track[round((start + seconds + 0.1) * rate) : round((caption.end.total_seconds() - 0.05) * rate)]
        assert np.sqrt(np.mean(inside**2)) > 0.1 and (not len(after) or np.abs(after).max() < 0.02)


def test_a_missing_extra_or_doubled_recording_is_refused(tmp_path, tiny_frames, scene_dir, recordings):
    beats = get_said_beats(load_frames(tiny_frames), ENTRIES, scene_dir)
    narrator = RecordedNarrator(recordings, tmp_path / "cache")
    assert set(narrator.say(beats)) == set(beats.values())

    (recordings / "middle.keys.mp3").unlink()
    with pytest.raises(GrokError, match=r"no recording of beat middle\.keys \(middle\.keys\.wav, \.flac or \.mp3\)"):
        narrator.say(beats)
    write_tone(recordings / "middle.keys.wav", 1.0, 8000)
    write_tone(recordings / "middle.outro.wav", 1.0, 8000)
    with pytest.raises(GrokError, match=r"middle\.outro\.wav: no beat middle\.outro is said in this film"):
        narrator.say(beats)
    (recordings / "middle.outro.wav").unlink()
    write_tone(recordings / "middle.keys.flac", 1.0, 8000)
    with pytest.raises(GrokError, match="beat middle.keys is recorded twice"):
        narrator.say(beats)
    (recordings / "middle.keys.flac").unlink()
    # an emptied beat is silence: it takes no recording, and one made for it is refused
    with pytest.raises(GrokError, match="its beat is emptied in the script"):
        narrator.say({**beats, "opening.wait": ""})
    (recordings / "opening.wait.flac").unlink()
    assert len(narrator.say({**beats, "opening.wait": ""})) == 2
    (recordings / "middle.keys.wav").write_bytes(b"not sound")
    with pytest.raises(GrokError, match="middle.keys.wav: cannot be read as a recording"):
        narrator.say({**beats, "opening.wait": ""})
    with pytest.raises(GrokError, match="not a folder of recordings"):
        RecordedNarrator(tmp_path / "nowhere", tmp_path / "cache").say(beats)


def test_the_cue_sheet_names_each_beats_file_and_words(tmp_path, tiny_frames, scene_dir):
    beats = get_said_beats(load_frames(tiny_frames), ENTRIES, scene_dir)
    path = tmp_path / "cues.txt"
    write_cues(path, {**beats, "opening.wait": ""})
    text = path.read_text()
    p = int(load_frames(tiny_frames)["p"])
    assert f"opening.task.wav\n    We add modulo {p}.\n" in text and "middle.keys.wav" in text
    assert "opening.wait" not in text  # emptied: nothing to record
    with pytest.raises(GrokError, match="exists"):
        write_cues(path, beats)
