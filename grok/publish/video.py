"""Video through PyAV (no ffmpeg binary): encode a still as a clip, join clips into one mp4 with
chapters, a caption track (mov_text, the text subtitles mp4 holds: players list it) and a sound
track when there is narration, read frames back. Captions can also be burned into the picture
(`paint`, grok/publish/burn.py), for feeds that play muted without a caption track.

Clips are joined by remuxing (packets copied, no re-encode) when they share codec settings; cards
are encoded with manim's own settings so that they do. Otherwise every frame is decoded and
encoded again. The joined file is H.264 yuv420p with its index at the front (faststart), the
form browsers and phones play while it downloads.
"""

from __future__ import annotations

import configparser
import os
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Callable, Iterator

import av
import numpy as np
from av.subtitles.subtitle import SubtitleSet
from PIL import Image

import scenes

# What manim 0.22 encodes its mp4 movies with (manim/_config/video_encoder.py: crf 23), and the options the scenes'
# manim.cfg adds (its [video_encoder.options]): cards encoded the same way have the same H.264 headers, so they join
# the scenes without a re-encode.
CODEC = "libx264"
SCENE_CONFIG = Path(scenes.__file__).with_name("manim.cfg")


def get_codec_options() -> dict[str, str]:
    config = configparser.ConfigParser(interpolation=None)
    config.read(SCENE_CONFIG)
    return {
        "crf": "23",
        **(dict(config["video_encoder.options"]) if config.has_section("video_encoder.options") else {}),
    }


CODEC_OPTIONS = get_codec_options()
PIXEL_FORMAT = "yuv420p"
ROLL_HOLD = 1.5  # seconds a rolling card holds its top, and then its bottom
REVEAL_EDGE = 0.08  # the soft edge of a card coming in from the top, as a share of its height
MP4_OPTIONS = {"movflags": "+faststart"}
CHAPTER_TIME_BASE = Fraction(1, 1000)
AUDIO_CODEC, AUDIO_BIT_RATE = "aac", 64_000  # one voice, mono: 64 kb/s AAC-LC
AAC_FRAME = 1024  # samples per AAC frame
SUBTITLE_CODEC, SUBTITLE_TIME_BASE, SUBTITLE_LANGUAGE = "mov_text", Fraction(1, 1000), "eng"
# mov_text is encoded from ASS events: a header with one plain style, and each caption as a Dialogue's fields
ASS_HEADER = b"""[Script Info]
ScriptType: v4.00+
PlayResX: 384
PlayResY: 288

[V4+ Styles]
Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, \
Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, \
MarginV, Encoding
Style: Default,Sans,16,&Hffffff,&Hffffff,&H0,&H0,0,0,0,0,100,100,0,0,1,1,0,2,10,10,10,0

[Events]
Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text
"""  # (a backslash at a line's end joins it to the next: the Format lines are one line each)


@dataclass(frozen=True)
class Clip:
    path: Path
    width: int
    height: int
    fps: Fraction
    frames: int
    headers: tuple  # what must match for clips to be joined without re-encoding

    @property
    def seconds(self) -> Fraction:
        return self.frames / self.fps


@dataclass(frozen=True)
class Audio:
    samples: np.ndarray  # [n] float32, mono, in [-1, 1]
    rate: int  # samples per second

    @property
    def seconds(self) -> float:
        return len(self.samples) / self.rate


@dataclass(frozen=True)
class Caption:
    start: float  # seconds on the video's clock
    end: float
    text: str


@dataclass(frozen=True)
class Chapter:
    start: Fraction  # seconds
    end: Fraction
    title: str


def probe(path: Path) -> Clip:
    """Size, frame rate and exact frame count (from the packets, without decoding)."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        codec = stream.codec_context
        frames = sum(1 for packet in container.demux(stream) if packet.pts is not None)
        fps = Fraction(stream.guessed_rate or stream.average_rate)  # the nominal rate, not duration / frames
        headers = (codec.name, stream.width, stream.height, stream.format.name, fps, bytes(codec.extradata or b""))
        return Clip(Path(path), stream.width, stream.height, fps, frames, headers)


@contextmanager
def written(path: Path):
    """Yield a temporary path beside `path`; rename it into place only if the block succeeds."""
    tmp = path.with_name(path.name + ".tmp")
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def open_output(path: Path, metadata: dict[str, str] | None = None):
    container = av.open(str(path), mode="w", format="mp4", options=MP4_OPTIONS)
    container.metadata.update(metadata or {})
    return container


def add_video_stream(container, width: int, height: int, fps: Fraction):
    stream = container.add_stream(CODEC, rate=fps, options=dict(CODEC_OPTIONS))
    stream.pix_fmt, stream.width, stream.height = PIXEL_FORMAT, width, height
    return stream


def get_fade(n: int, fade: int) -> np.ndarray:
    """[n] opacity of each frame: up over `fade` frames, hold, down over the last `fade`."""
    i = np.arange(n)
    return np.clip(np.minimum((i + 1) / max(fade, 1), (n - i) / max(fade, 1)), 0.0, 1.0)


def encode_still(
    image: Image.Image,
    seconds: float,
    fps: Fraction,
    path: Path,
    background: str,
    fade_seconds: float = 0.4,
    reveal_seconds: float = 0.0,
    height: int | None = None,
) -> Clip:
    """A clip of `image` held for `seconds`, faded in from and out to the background colour. With
    `reveal_seconds`, the image comes in from the top down over that time, as credits are read. An image taller
    than the clip's `height` (credits in a square frame) rolls up instead: its top held ROLL_HOLD seconds, then
    moving steadily until its bottom is in view, held as long."""
    height = height or image.height
    card = np.asarray(image.convert("RGB"), dtype=np.float32)  # [image H, W, 3]
    ground = np.asarray(Image.new("RGB", (image.width, height), background), dtype=np.float32)  # [H, W, 3]
    opacity = get_fade(round(seconds * fps), round(fade_seconds * fps))
    rows = np.arange(height, dtype=np.float32)[:, None, None] / height  # [H, 1, 1], 0 at the top
    rolled = image.height - height  # pixels the card moves up
    reveal_seconds = 0.0 if rolled else reveal_seconds
    with written(path) as tmp, open_output(tmp) as container:
        stream = add_video_stream(container, image.width, height, fps)
        held, held_top = None, None  # the last full-opacity frame drawn, and where the card stood in it
        for index, alpha in enumerate(opacity):
            t = float(index / fps)
            shown = min(1.0, t / reveal_seconds) if reveal_seconds else 1.0  # how far down it is in
            top = round(rolled * np.clip((t - ROLL_HOLD) / max(seconds - 2 * ROLL_HOLD, 1e-6), 0, 1))
            if alpha < 1 or shown < 1 or top != held_top:
                edge = np.clip((shown * (1 + REVEAL_EDGE) - rows) / REVEAL_EDGE, 0.0, 1.0) if shown < 1 else 1.0
                pixels = (ground + alpha * edge * (card[top : top + height] - ground)).round().astype(np.uint8)
                frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
                if alpha == 1 and shown == 1:
                    held, held_top = frame, top
            else:
                frame = held
            frame.pts, frame.time_base = index, 1 / fps
            container.mux(stream.encode(frame))
        container.mux(stream.encode())
    return probe(path)


def get_offsets(clips: list[Clip]) -> list[Fraction]:
    """Start time of each clip in the joined video, seconds."""
    starts = [Fraction(0)]
    for clip in clips[:-1]:
        starts.append(starts[-1] + clip.seconds)
    return starts


def concat(
    clips: list[Clip],
    path: Path,
    chapters: list[Chapter],
    metadata: dict[str, str],
    audio: Audio | None = None,
    captions: list[Caption] = (),
    paint: Callable[[float, np.ndarray], np.ndarray] | None = None,
) -> bool:
    """Join `clips` into one mp4 at `path` with chapter markers, `captions` as its caption track and, if
    given, `audio` as its sound track (AAC, from the video's start); `paint(seconds, rgb [H, W, 3])` draws
    on every frame (which means a re-encode). True if the video was a remux."""
    remux = len({clip.headers for clip in clips}) == 1 and paint is None
    with written(path) as tmp, open_output(tmp, metadata) as output:
        if remux:
            join_packets(clips, output, chapters, audio, captions)
        else:
            join_frames(clips, output, chapters, audio, captions, paint)
    return remux


def encode_audio(output, audio: Audio) -> deque:
    """Add an AAC stream to `output` and encode all of `audio` into it: its packets, in time order,
    to be muxed between the video's (see mux_until)."""
    stream = output.add_stream(AUDIO_CODEC, rate=audio.rate, layout="mono")
    stream.bit_rate = AUDIO_BIT_RATE
    samples = np.ascontiguousarray(audio.samples, dtype=np.float32)
    packets = deque()
    for start in range(0, len(samples), AAC_FRAME):
        frame = av.AudioFrame.from_ndarray(samples[None, start : start + AAC_FRAME], format="fltp", layout="mono")
        frame.sample_rate, frame.pts, frame.time_base = audio.rate, start, Fraction(1, audio.rate)
        packets.extend(stream.encode(frame))
    packets.extend(stream.encode())
    return packets


def encode_captions(output, captions: list[Caption]) -> deque:
    """Add a mov_text stream to `output` holding `captions`: its packets, in time order (see mux_until)."""
    stream = output.add_stream(SUBTITLE_CODEC)
    stream.codec_context.subtitle_header = ASS_HEADER
    stream.time_base = SUBTITLE_TIME_BASE
    stream.metadata.update({"language": SUBTITLE_LANGUAGE, "title": "Captions"})
    packets = deque()
    for caption in sorted(captions, key=lambda c: c.start):
        start = round(caption.start / SUBTITLE_TIME_BASE)
        length = max(1, round(caption.end / SUBTITLE_TIME_BASE) - start)
        event = "0,0,Default,,0,0,0,," + caption.text.replace("\n", "\\N")  # ASS: \N breaks a line
        packet = stream.codec_context.encode_subtitle(SubtitleSet.create(event.encode(), 0, length, start))
        packet.stream, packet.time_base = stream, SUBTITLE_TIME_BASE
        packet.pts = packet.dts = start
        packet.duration = length
        packets.append(packet)
    return packets


def mux_until(output, packets: deque, seconds: Fraction | None):
    """Mux the packets (of audio or captions) that start before `seconds` (all of them if None): the streams
    are written interleaved, so that a player reads sound, words and pictures from one place in the file."""
    while packets and (seconds is None or packets[0].pts * packets[0].time_base <= seconds):
        output.mux(packets.popleft())


def set_chapters(output, chapters: list[Chapter]):
    output.set_chapters(
        [
            {
                "id": i + 1,
                "start": round(c.start / CHAPTER_TIME_BASE),
                "end": round(c.end / CHAPTER_TIME_BASE),
                "time_base": CHAPTER_TIME_BASE,
                "metadata": {"title": c.title},
            }
            for i, c in enumerate(chapters)
        ]
    )


def add_side_streams(output, chapters: list[Chapter], audio: Audio | None, captions: list[Caption]) -> list[deque]:
    """The sound and caption streams (their packets, to be muxed between the video's) and the chapters, added
    after the video stream and before the first packet: the muxer writes its header then."""
    sound = encode_audio(output, audio) if audio is not None else deque()
    words = encode_captions(output, captions) if captions else deque()
    set_chapters(output, chapters)
    return [sound, words]


def join_packets(
    clips: list[Clip], output, chapters: list[Chapter], audio: Audio | None = None, captions: list[Caption] = ()
):
    """Copy every packet, shifted by the clip's start time: no decoding, no quality loss."""
    stream, side = None, []
    for clip, start in zip(clips, get_offsets(clips)):
        with av.open(str(clip.path)) as container:
            source = container.streams.video[0]
            if stream is None:
                stream = output.add_stream_from_template(template=source)
                side = add_side_streams(output, chapters, audio, captions)
            shift = round(start / source.time_base)
            for packet in container.demux(source):
                if packet.pts is None:  # the demuxer's empty flush packet
                    continue
                packet.pts += shift
                packet.dts += shift
                packet.stream = stream
                for packets in side:
                    mux_until(output, packets, packet.dts * source.time_base)
                output.mux(packet)
    for packets in side:
        mux_until(output, packets, None)


def join_frames(
    clips: list[Clip],
    output,
    chapters: list[Chapter],
    audio: Audio | None = None,
    captions: list[Caption] = (),
    paint: Callable[[float, np.ndarray], np.ndarray] | None = None,
):
    """Decode and encode again, at the first clip's size and frame rate, `paint` drawing on each frame."""
    first = clips[0]
    stream = add_video_stream(output, first.width, first.height, first.fps)
    side = add_side_streams(output, chapters, audio, captions)
    index = 0
    for clip in clips:
        with av.open(str(clip.path)) as container:
            for frame in get_resampled(container, first.fps, clip.seconds):
                if paint is not None:
                    pixels = frame.reformat(width=first.width, height=first.height, format="rgb24").to_ndarray()
                    frame = av.VideoFrame.from_ndarray(paint(float(index / first.fps), pixels), format="rgb24")
                out = frame.reformat(width=first.width, height=first.height, format=PIXEL_FORMAT)
                out.pts, out.time_base = index, 1 / first.fps
                for packets in side:
                    mux_until(output, packets, index / first.fps)
                output.mux(stream.encode(out))
                index += 1
    output.mux(stream.encode())
    for packets in side:
        mux_until(output, packets, None)


def get_resampled(container, fps: Fraction, seconds: Fraction) -> Iterator[av.VideoFrame]:
    """The clip's frames at `fps`: at each output time, the latest frame shown by then."""
    wanted, index, previous = round(seconds * fps), 0, None
    for frame in container.decode(video=0):
        while previous is not None and index < wanted and index / fps < frame.time - 1e-6:
            yield previous
            index += 1
        previous = frame
    while previous is not None and index < wanted:
        yield previous
        index += 1


def read_frames(path: Path, fps: float, width: int) -> Iterator[Image.Image]:
    """RGB frames of a movie sampled at `fps`, scaled to `width` (height kept in proportion, even)."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        height = 2 * round(stream.height * width / stream.width / 2)
        due = 0.0
        for frame in container.decode(stream):
            if frame.time + 1e-6 >= due:
                due += 1 / fps
                yield frame.reformat(width=width, height=height, format="rgb24").to_image()


def grab_frame(path: Path, seconds: float) -> Image.Image:
    """The frame shown at `seconds` (the last frame if the movie is shorter)."""
    with av.open(str(path)) as container:
        last = None
        for frame in container.decode(video=0):
            last = frame
            if frame.time + 1e-6 >= seconds:
                break
        return last.to_image()
