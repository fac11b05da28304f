"""A person's own voice: `grok publish --voice-track DIR` takes one recording per beat and times each scene
by it, exactly as the offline voice's speech does (grok/publish/narration.py).

    DIR/<scene>.<beat>.wav|flac|mp3   the words of that beat, as recorded (any rate, mono or stereo)
    renders/speech/rec-<digest>.wav   each recording decoded once to mono 16-bit at RATE (kept for re-runs)

`grok script --cues FILE` writes the sheet to read from: each beat's file name and its words, filled for the run.
A beat the film says with no recording, a recording no beat of the film says, and two recordings of one beat are
refused in one line; an emptied beat (grok script) is silence and takes no recording.
"""

from __future__ import annotations

import hashlib
import wave
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

from frames import load_frames
from frames.errors import GrokError
from frames.files import atomic_output
from grok.publish.narration import Speech, wav_seconds
from grok.publish.render import SCENES_DIR
from grok.publish.script import get_edits, get_said_beats
from scenes.registry import SCENES

FORMATS = (".wav", ".flac", ".mp3")
RATE = 22_050  # samples per second of the sound track: the offline voice's own rate


@dataclass(frozen=True)
class RecordedNarrator:
    """Lines said by the recordings in `folder`, one per beat; decoded copies cached in `cache`."""

    folder: Path
    cache: Path

    def get_recordings(self) -> dict[str, Path]:
        """{beat id: its recording}; two recordings of one beat are refused."""
        if not self.folder.is_dir():
            raise GrokError(
                f"--voice-track {self.folder}: not a folder of recordings (one {'/'.join(FORMATS)} per beat)"
            )
        found = {}
        for path in sorted(self.folder.iterdir()):
            if path.suffix.lower() not in FORMATS or not path.is_file():
                continue
            if path.stem in found:
                raise GrokError(f"{path}: beat {path.stem} is recorded twice (also {found[path.stem].name}); keep one")
            found[path.stem] = path
        return found

    def say(self, beats: dict[str, str | None]) -> dict[str, Speech]:
        """{beat id: the words said} -> {words: their recording}: every beat said is recorded, and every recording
        is of a beat of the film (one a cut leaves out, words None, is kept for the full film; an emptied one
        is refused)."""
        recordings = self.get_recordings()
        missing = [beat for beat, words in beats.items() if words and beat not in recordings]
        if missing:
            raise GrokError(
                f"--voice-track {self.folder}: no recording of beat {missing[0]} ({missing[0]}.wav, .flac or .mp3)"
                + (f" and {len(missing) - 1} more" if len(missing) > 1 else "")
                + "; `grok script --cues` lists every beat with its words"
            )
        extra = [beat for beat in recordings if beat not in beats or beats[beat] == ""]
        if extra:
            raise GrokError(
                f"{recordings[extra[0]]}: no beat {extra[0]} is said in this film"
                + (" (its beat is emptied in the script)" if extra[0] in beats else "")
                + "; `grok script --cues` lists the beats"
            )
        return {words: self.decode(recordings[beat]) for beat, words in beats.items() if words}

    def decode(self, recording: Path) -> Speech:
        """The recording as a mono 16-bit WAV at RATE, decoded once (cached by the file's own bytes)."""
        key = "rec-" + hashlib.sha256(recording.read_bytes() + str(RATE).encode()).hexdigest()[:16]
        path = self.cache / f"{key}.wav"
        if not path.is_file():
            self.cache.mkdir(parents=True, exist_ok=True)
            samples = read_recording(recording)
            with atomic_output(path) as file, wave.open(file, "wb") as wav:
                wav.setnchannels(1)
                wav.setsampwidth(2)
                wav.setframerate(RATE)
                wav.writeframes(samples.tobytes())
        return Speech(key, path, wav_seconds(path))


def read_recording(path: Path) -> np.ndarray:
    """[n] int16 mono samples at RATE, from any file PyAV decodes; one line for one it cannot."""
    try:
        with av.open(str(path)) as container:
            if not container.streams.audio:
                raise GrokError(f"{path}: no sound in it")
            resampler = av.AudioResampler(format="s16", layout="mono", rate=RATE)
            chunks = [
                out.to_ndarray().reshape(-1) for frame in container.decode(audio=0) for out in resampler.resample(frame)
            ]
            chunks += [out.to_ndarray().reshape(-1) for out in resampler.resample(None)]  # what it still holds
    except av.FFmpegError as e:
        raise GrokError(f"{path}: cannot be read as a recording ({e})") from None
    if not chunks or not sum(len(chunk) for chunk in chunks):
        raise GrokError(f"{path}: the recording is empty")
    return np.concatenate(chunks).astype("<i2")


def write_cue_sheet(path: Path, frames_path: Path, script_path: Path | None = None) -> int:
    """`grok script --cues`: the film's cue sheet for the run in `frames_path` (its words as edited in `script_path`,
    if given); returns the number of beats to record."""
    frames = load_frames(frames_path)
    edits = get_edits(script_path, frames, SCENES, SCENES_DIR) if script_path is not None else {}
    beats = get_said_beats(frames, SCENES, SCENES_DIR, edits)
    write_cues(path, beats)
    return sum(bool(words) for words in beats.values())


def write_cues(path: Path, beats: dict[str, str]) -> None:
    """The sheet to read from while recording: each beat's file name, then its words; emptied beats left out."""
    if path.exists():
        raise GrokError(f"{path} exists; give another --cues, or move it away first (nothing is overwritten)")
    text = [
        "Record each beat to its own file (wav, flac or mp3), named as below, then:",
        "    grok publish --voice-track FOLDER",
        "",
    ]
    for beat, words in beats.items():
        if words:
            text += [f"{beat}.wav", f"    {words}", ""]
    with atomic_output(path) as file:
        file.write("\n".join(text).encode("utf-8"))
