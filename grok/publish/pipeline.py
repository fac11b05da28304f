"""`grok publish`: every registered scene, in story order, into a finished explainer.

    renders/grokking_explainer.mp4    title card, a card per chapter, the scenes, an end card with
                                      provenance; H.264 yuv420p, faststart, chapter markers
    renders/grokking_explainer.srt    captions from the scenes' narration, on the video's clock (the mp4
                                      carries them too, as a caption track; --burn-captions also draws them)
    renders/grokking_explainer.vtt    the same for the web
    renders/grokking_explainer.png    thumbnail: the last frame of the first scene
    renders/grokking_explainer.mp4.json  what it was made from (provenance, parts, chapters)
    renders/gifs/<scene>.gif          one GIF per scene, each within GIF_BUDGET
    renders/parts/                    each scene's movie and captions, and the cards, each with a
                                      .json record of what it was made from
    renders/logs/<scene>_<q>.log      manim's own output, one file per scene
    renders/speech/                   with --voice: each line's speech (<key>.wav), timings.json; with
                                      --voice-track: each recording decoded (rec-<key>.wav), timings.json
    renders/parts/script.json         with --script: each line the script changes, as edited (the scenes read it)
    renders/parts/cut.json            with --cut short: the lines it passes over (the scenes read it)

Re-running redoes only what changed: an output whose record matches what it would be made from
now (frames contents, scene code, quality, the code that makes it) is kept. A scene that fails
is reported with its log and left out; the rest still publish (unless strict).
"""

from __future__ import annotations

import ast
import dataclasses
import hashlib
import json
import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from fractions import Fraction
from importlib import metadata
from pathlib import Path
from typing import Callable, Sequence, TextIO

from frames import load_frames
from frames.errors import GrokError
from frames.files import PARTIAL, check_writable_folder
from frames.places import RENDERS
from grok.publish import burn, cards, gif, narration, script, video, voice_track
from grok.publish.captions import get_shifted, read_captions, to_srt, to_vtt
from grok.publish.cuts import CUTS
from grok.publish.provenance import Provenance, get_provenance
from grok.publish.render import (
    CODE_ROOT,
    PUBLISH_QUALITY,
    QUALITIES,
    SCENES_DIR,
    SceneNotShown,
    get_size_args,
    output_name,
    render_scene,
)
from scenes import style
from scenes.registry import SCENES, SceneEntry
from scenes.shapes import SHAPES, WIDE

EXPLAINER = "grokking_explainer"
GIF_BUDGET = 4 * gif.MB
GALLERY_BUDGET = (
    2 * gif.MB
)  # at 1 MB the busiest scenes (waves, surface) fell to 280 px, 6 fps; at 2 MB they keep 360 px, 8 fps
GALLERY_WIDTH = 400
THUMBNAIL = "snake"  # the thumbnail is this scene's last frame (the whole loss curve), else the first scene's
GALLERY = ("snake", "spectrum", "clock", "waves", "surface", "clock-add")  # the README's gallery, in this order
TITLE_SECONDS, CHAPTER_SECONDS, END_SECONDS = 4.0, 2.5, 9.0
END_REVEAL_SECONDS = (
    6.0  # the end card comes in row by row, as it is read: a 9 s still would count as a stopped picture
)
# A first guess at one scene's render time, seconds, until a previous render says better.
FIRST_GUESS = {"preview": 20, "720p": 45, "1080p": 120, "4k": 400}
# ... scaled by the scene's render time relative to the others (the quick run at 720p, two at a time, AMD EPYC:
# task 64 s, snake 148, spectrum 100, clock 107, waves 176, ring 91, identity 106, surface 313, clock-add 38,
# helix 299), so that a first publish starts the longest first and no core waits alone at the end
RENDER_WEIGHT = {
    "task": 1,
    "snake": 2.3,
    "spectrum": 1.6,
    "clock": 1.7,
    "waves": 2.8,
    "ring": 1.4,
    "identity": 1.7,
    "surface": 4.9,
    "clock-add": 0.6,
    "helix": 4.7,
}
BAR_WIDTH = 24


@dataclass
class Report:
    """What a publish run wrote and how long each stage took."""

    written: list[tuple[Path, str]] = field(default_factory=list)  # (file, note)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (scene, message with its log)
    not_shown: list[tuple[str, str]] = field(default_factory=list)  # (scene, why this run does not show its idea)
    stages: dict[str, float] = field(default_factory=dict)  # stage -> seconds
    rendered: int = 0
    unchanged: int = 0


@dataclass(frozen=True)
class Part:
    entry: SceneEntry
    clip: video.Clip
    captions: Path | None
    recipe: dict


@dataclass(frozen=True)
class Voice:
    """The narration as spoken: each line's speech, and the file the scenes read their timing from."""

    speech: dict[str, narration.Speech]
    lines: dict[str, list[str]]  # scene name -> the lines it says
    timings: Path


# what each output was made from


def get_digest(paths: Sequence[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def get_scene_sources(module_file: Path) -> list[Path]:
    """The scene's file and every scenes/ module it imports, transitively, plus manim.cfg: the code
    a render depends on."""
    seen, todo = {}, [module_file]
    while todo:
        path = todo.pop()
        if path in seen or not path.is_file():
            continue
        seen[path] = True
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "scenes":
                names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names if alias.name.split(".")[0] == "scenes"]
            todo += [CODE_ROOT / f"{name.replace('.', '/')}.py" for name in names]
    return sorted(seen) + [SCENES_DIR / "manim.cfg", SCENES_DIR / "__init__.py"]


def get_code_digest(*modules) -> str:
    """Digest of the publishing modules that make an output: changing them remakes it."""
    return get_digest([Path(module.__file__) for module in modules])[:16]


def record_path(output: Path) -> Path:
    return output.with_name(output.name + ".json")


def read_record(output: Path) -> dict:
    try:
        return json.loads(record_path(output).read_text())
    except (OSError, ValueError):
        return {}


def is_fresh(output: Path, recipe: dict) -> bool:
    """True if `output` exists and its record says it was made from `recipe` (compared as JSON)."""
    return output.is_file() and read_record(output).get("recipe") == json.loads(json.dumps(recipe))


def write_text(path: Path, text: str) -> Path:
    with video.written(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return path


def write_record(output: Path, recipe: dict, **facts) -> None:
    write_text(record_path(output), json.dumps({"recipe": recipe, **facts}, indent=1, default=str))


# progress on the terminal


def format_seconds(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)  # round first: 419.6 s is 7 min 00 s, not 6 min 60 s
    return f"{minutes} min {rest:02d} s"


def get_bar(fraction: float) -> str:
    filled = round(BAR_WIDTH * min(max(fraction, 0.0), 1.0))
    return "#" * filled + "-" * (BAR_WIDTH - filled)


def with_progress(label: str, estimate: float, work: Callable, out: TextIO):
    """Run `work()`; on a terminal, redraw `label |bar| elapsed / ~estimate` twice a second."""
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=1) as pool:
        future = pool.submit(work)
        while out.isatty() and not future.done():
            elapsed = time.perf_counter() - start
            out.write(
                f"\r{label} |{get_bar(min(elapsed / estimate, 0.99))}| {format_seconds(elapsed)} / ~{format_seconds(estimate)}  "
            )
            out.flush()
            wait([future], timeout=0.5)
        return future.result(), time.perf_counter() - start


# the pipeline


@dataclass(frozen=True)
class Options:
    frames: Path
    quality: str = PUBLISH_QUALITY
    out_dir: Path = RENDERS
    scenes: Sequence[SceneEntry] = SCENES
    strict: bool = False
    scene_dir: Path = SCENES_DIR
    manim_args: Sequence[str] = ()  # extra manim flags (tests render tiny clips with them)
    voice: bool = False  # speak the narration (grok/publish/narration.py) and time the scenes by it
    burn_captions: bool = False  # draw the captions into the picture too (grok/publish/burn.py)
    jobs: int = 0  # scenes rendered at once, each by its own manim process; 0: one per core (get_cores)
    script: Path | None = None  # an edited narration (`grok script`) said in place of the scenes' own words
    voice_track: Path | None = None  # a folder of recordings, one per beat, said instead of the offline voice
    cut: str = "full"  # CUTS: every beat, or each scene's essential beats (scenes with none left out)
    shape: str = WIDE  # scenes/shapes.py SHAPES: the frame's shape, each scene laid out for it
    short_side: int | None = None  # the frame's shorter side in pixels; None: the quality's (tests: tiny clips)

    @property
    def render_args(self) -> list[str]:
        """Every flag a scene's manim gets beyond the quality: the frame's size, then manim_args."""
        return get_size_args(self.quality, self.shape, self.short_side) + list(self.manim_args)


def publish(options: Options, out: TextIO = sys.stdout) -> Report:
    """Render, assemble and write the published set; see the module docstring."""
    if options.quality not in QUALITIES:
        raise GrokError(f"unknown quality {options.quality!r}; choose from {', '.join(QUALITIES)}")
    if options.voice:
        narration.check_voice_installed()
    provenance = get_provenance(options.frames)
    if options.cut not in CUTS:
        raise GrokError(f"unknown cut {options.cut!r}; choose from {', '.join(CUTS)}")
    whole = options.scenes  # the script and the recordings are the whole film's, whatever the cut
    if options.cut == "short":
        options = dataclasses.replace(options, scenes=get_short_scenes(options))
    check_shape(options)
    edits = (
        script.get_edits(options.script, load_frames(options.frames), whole, options.scene_dir)
        if options.script
        else {}
    )
    passed = get_passed_over(options) if options.cut == "short" else set()
    spoken = options.voice or options.voice_track is not None
    folders = prepare_folders(options.out_dir, spoken)
    report = Report()
    folders["edits"] = write_edits(folders["parts"] / "script.json", edits) if options.script else None
    folders["cut"] = write_text(folders["parts"] / "cut.json", json.dumps(sorted(passed))) if passed else None

    voice = stage(report, "speech", lambda: speak(options, folders, out, edits, passed, whole)) if spoken else None
    parts = stage(
        report,
        "render scenes",
        lambda: render_parts(
            options,
            provenance,
            folders,
            report,
            out,
            voice,
            edits,
            passed,
            then=lambda part: write_gif(part, folders["gifs"] / f"{part.entry.name}.gif", GIF_BUDGET),
        ),
    )
    if not parts:
        raise GrokError(
            "no scene could be rendered: "
            + "; ".join([message for _, message in report.failed] + [f"{n}: {r}" for n, r in report.not_shown])
        )

    clips, chapters, placed = stage(report, "cards", lambda: make_cards(options, provenance, parts, folders))
    movie = options.out_dir / f"{EXPLAINER}.mp4"
    if voice:
        length = float(sum((clip.seconds for clip in clips), Fraction(0)))
        audio = stage(report, "sound track", lambda: narration.get_track(placed, voice.speech, length))
    else:
        audio = None
    captions = stage(report, "captions", lambda: write_captions(movie, placed, report))
    stage(
        report,
        "assemble",
        lambda: assemble(movie, clips, chapters, provenance, report, audio, captions, options.burn_captions),
    )
    stage(report, "thumbnail", lambda: write_thumbnail(movie.with_suffix(".png"), get_thumbnail_part(parts), report))
    stage(
        report,
        "gifs",
        lambda: write_gifs(parts, folders["gifs"], GIF_BUDGET, report, options.jobs),
    )
    print_summary(report, options, out)
    return report


def stage(report: Report, name: str, work: Callable):
    start = time.perf_counter()
    result = work()
    report.stages[name] = report.stages.get(name, 0.0) + time.perf_counter() - start
    return result


def prepare_folders(out_dir: Path, voice: bool = False) -> dict[str, Path]:
    """The output folders (made if missing), with any half-written file a killed run left behind removed."""
    check_writable_folder(out_dir, f"the published set to {out_dir}")  # a real write: root passes os.access
    out_dir.mkdir(parents=True, exist_ok=True)
    folders = {
        "root": out_dir,
        "parts": out_dir / "parts",
        "logs": out_dir / "logs",
        "gifs": out_dir / "gifs",
        **({"speech": out_dir / "speech"} if voice else {}),
    }
    for folder in folders.values():
        folder.mkdir(exist_ok=True)
        for stale in [*folder.glob("*.tmp"), *folder.glob(f"*{PARTIAL}")]:  # renders move in under PARTIAL
            stale.unlink()
    return folders


def write_edits(path: Path, edits: dict[str, str]) -> Path:
    """The file the scenes read ($GROK_SCRIPT): {a scene's own line: the words said instead}."""
    return write_text(path, json.dumps(edits, indent=1, ensure_ascii=False))


def get_short_scenes(options: Options) -> list[SceneEntry]:
    """The scenes of a short cut: those that declare essential beats."""
    kept = [
        entry for entry in options.scenes if getattr(narration.load_scene(entry, options.scene_dir), "essential", ())
    ]
    if not kept:
        raise GrokError("--cut short: none of these scenes declares an essential beat to keep")
    return kept


def check_shape(options: Options) -> None:
    """Refuse, in one line, a shape one of the chosen scenes is not laid out for (rather than a squeezed picture)."""
    if options.shape not in SHAPES:
        raise GrokError(f"unknown shape {options.shape!r}; choose from {', '.join(SHAPES)}")
    unshaped = [
        entry.name
        for entry in options.scenes
        if options.shape not in getattr(narration.load_scene(entry, options.scene_dir), "shapes", (WIDE,))
    ]
    if unshaped:
        raise GrokError(
            f"--aspect {options.shape}: {', '.join(unshaped)} {'is' if len(unshaped) == 1 else 'are'} laid out for "
            f"{WIDE} only (--cut short keeps the scenes laid out for every shape, or choose them with --scenes)"
        )


def get_passed_over(options: Options) -> set[str]:
    """The lines a short cut passes over: every beat a scene does not declare essential."""
    frames = load_frames(options.frames)
    return {
        line
        for entry in options.scenes
        for beat, line in narration.get_scene_script(entry, options.scene_dir, frames).items()
        if beat not in narration.load_scene(entry, options.scene_dir).essential
    }


def speak(
    options: Options, folders: dict, out: TextIO, edits: dict[str, str], passed: set[str], whole: Sequence[SceneEntry]
) -> Voice:
    """Every scene's lines spoken (or found in the cache), and the timings file the scenes read: the edited
    words where a script changes them (an emptied line says nothing, nor does one the cut passes over); said by
    the recordings of options.voice_track where given (recorded for the `whole` film), else by the offline voice."""
    frames = load_frames(options.frames)
    in_cut = {entry.name for entry in options.scenes}
    said = {  # None: a beat of the whole film that this cut does not say
        beat: None if line in passed or beat.split(".")[0] not in in_cut else edits.get(line, line)
        for beat, line in script.get_said_beats(frames, whole, options.scene_dir).items()
    }
    lines = {entry.name: [] for entry in options.scenes}  # in story order: the speech is made and listed so
    for beat, words in said.items():
        if words:
            lines[beat.split(".")[0]].append(words)
    if options.voice_track is not None:
        recorded = voice_track.RecordedNarrator(options.voice_track, folders["speech"])
        speech = recorded.say(said)
        out.write(f"speech: {len(speech)} recordings from {options.voice_track}\n")
    else:
        narrator = narration.PiperNarrator(folders["speech"])
        every = list(dict.fromkeys(line for scene_lines in lines.values() for line in scene_lines))
        cached = sum(narrator.get_path(line).is_file() for line in every)
        out.write(f"speech: {len(every)} lines, {len(every) - cached} to synthesise, {cached} cached\n")
        speech = narrator.say(every)
    timings = narration.write_timings(folders["speech"] / "timings.json", speech)
    return Voice(speech, lines, timings)


def get_cores() -> int:
    """The cores this process may run on (a container or taskset may allow fewer than the machine has)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def render_parts(
    options: Options,
    provenance: Provenance,
    folders: dict,
    report: Report,
    out: TextIO,
    voice: Voice | None = None,
    edits: dict[str, str] | None = None,
    passed: set[str] | None = None,
    then: Callable[[Part], object] | None = None,
) -> list[Part]:
    """Every scene's movie: rendered, or kept if nothing it is made from changed. Scenes are independent,
    so the ones to render go to options.jobs manim processes at once (each draws on one core). With a
    voice, each scene is timed by its lines' speech, and its record names that speech; with an edited
    script, its record names the scene's edited words. The longest go first (RENDER_WEIGHT, or the last
    render's time); `then` is done with each new movie in its worker (its GIF), filling the cores as they free."""
    quality, n = options.quality, len(options.scenes)
    frames = load_frames(options.frames) if edits or passed else None
    kept, to_render = {}, []  # index -> Part; [(index, entry, movie, recipe, sources)]
    for index, entry in enumerate(options.scenes):
        movie = folders["parts"] / output_name(entry.name, quality, ".mp4", options.shape)
        sources = get_scene_sources(options.scene_dir / f"{entry.module}.py")
        recipe = {
            "scene": f"{entry.module}.{entry.cls}",
            "frames": provenance.frames_sha256,
            "quality": options.quality,
            "manim_args": options.render_args,
            "manim": metadata.version("manim"),
            "code": get_digest(sources)[:16],
        }
        if voice:
            recipe["speech"] = [voice.speech[line].key for line in voice.lines[entry.name]]
        if edits or passed:
            own = narration.get_scene_lines(entry, options.scene_dir, frames)
            recipe["script"] = [edits[line] for line in own if line in (edits or {})]
            recipe["passed over"] = [line for line in own if line in (passed or set())]
        if is_fresh(movie, recipe):
            captions = movie.with_suffix(".srt") if read_record(movie).get("captions") else None
            kept[index] = Part(entry, video.probe(movie), captions, recipe)
            report.unchanged += 1
            out.write(f"[{index + 1}/{n}] {entry.name:<10} unchanged, kept {movie.relative_to(options.out_dir)}\n")
        else:
            to_render.append((index, entry, movie, recipe, sources))
    if not to_render:
        return [kept[i] for i in sorted(kept)]

    def render_one(index: int, entry: SceneEntry, movie: Path, recipe: dict, sources: list[Path]):
        record_path(movie).unlink(missing_ok=True)  # it no longer describes what will be there
        start = time.perf_counter()
        rendered = render_scene(
            entry,
            quality,
            "mp4",
            False,
            options.frames,
            folders["parts"],
            folders["logs"] / f"{movie.stem}.log",
            scene_dir=options.scene_dir,
            manim_args=options.render_args,
            timings=voice.timings if voice else None,
            edits=folders.get("edits"),
            cut=folders.get("cut"),
            shape=options.shape,
        )
        return rendered, time.perf_counter() - start

    jobs = max(1, min(options.jobs or get_cores(), len(to_render)))
    guesses = {
        index: read_record(movie).get("seconds") or FIRST_GUESS[quality] * RENDER_WEIGHT.get(entry.name, 1)
        for index, entry, movie, _, _ in to_render
    }
    to_render.sort(key=lambda work: -guesses[work[0]])  # the longest first: the last to finish is a short one
    out.write(f"rendering {len(to_render)} scene(s), {jobs} at a time\n")
    done, lock = [0], threading.Lock()

    def render_and_report(work):
        index, entry, movie, recipe, sources = work
        label = f"[{index + 1}/{n}] {entry.name:<10}"
        try:
            rendered, seconds = render_one(*work)
        except SceneNotShown as missing:  # the run does not show this idea: the film follows the run
            with lock:
                report.not_shown.append((entry.name, missing.reason))
                out.write(f"\r{label} left out: {missing.reason}\n")
            return None
        except GrokError as error:
            with lock:
                report.failed.append((entry.name, f"{entry.name}: {error}"))
                out.write(f"\r{label} FAILED, log: {folders['logs'] / f'{movie.stem}.log'}\n")
            if options.strict:
                raise GrokError(f"scene {entry.name}: {error} (--strict: stopped there)") from None
            return None
        if rendered.captions is None:
            movie.with_suffix(".srt").unlink(missing_ok=True)  # an earlier render's narration
        write_record(
            movie,
            recipe,
            seconds=round(seconds, 1),
            captions=rendered.captions is not None,
            sources=[str(p.relative_to(CODE_ROOT)) if p.is_relative_to(CODE_ROOT) else str(p) for p in sources],
        )
        with lock:
            report.rendered += 1
            done[0] += 1
            out.write(
                f"\r{label} {format_seconds(seconds)}, rendered {movie.relative_to(options.out_dir)} "
                f"({done[0]}/{len(to_render)})\n"
            )
        part = Part(entry, video.probe(movie), rendered.captions, recipe)
        if then is not None:  # what is made from the movie (its GIF) is made while other scenes render
            then(part)
        return part

    def render_all():
        with ThreadPoolExecutor(max_workers=jobs) as pool:  # threads wait; each manim runs in its own process
            return list(pool.map(render_and_report, to_render))

    rendered, _ = with_progress("rendering", sum(guesses.values()) / jobs, render_all, out)
    for (index, *_), part in zip(to_render, rendered):
        if part is not None:
            kept[index] = part
    return [kept[i] for i in sorted(kept)]


def make_cards(options: Options, provenance: Provenance, parts: list[Part], folders: dict):
    """The video's clips in order (title card, per chapter a card and its scenes, end card), its
    chapters, and where each scene's captions go: (captions, start, length) per scene."""
    first = parts[0].clip
    size, fps = (first.width, first.height), first.fps
    undated = dataclasses.replace(provenance, date="")  # the date alone does not remake a card

    def card(name: str, image: Callable, lines, seconds: float, reveal_seconds: float = 0.0) -> video.Clip:
        path = folders["parts"] / output_name(f"card-{name}", options.quality, ".mp4", options.shape)
        recipe = {
            "card": name,
            "lines": lines,
            "size": list(size),
            "fps": str(fps),
            "seconds": seconds,
            "reveal_seconds": reveal_seconds,
            "code": get_code_digest(cards, video, style),
        }
        if not is_fresh(path, recipe):
            background = style.BACKGROUND.to_hex()
            video.encode_still(image(), seconds, fps, path, background, reveal_seconds=reveal_seconds, height=size[1])
            write_record(path, recipe)
        return video.probe(path)

    groups = []  # [(chapter title, [parts])], neighbours merged
    for part in parts:
        if groups and groups[-1][0] == part.entry.chapter:
            groups[-1][1].append(part)
        else:
            groups.append((part.entry.chapter, [part]))
    clips = [card("title", lambda: cards.title_card(provenance, size), cards.get_title_lines(undated), TITLE_SECONDS)]
    chapters = [video.Chapter(Fraction(0), clips[0].seconds, "Title")]
    placed, clock = [], clips[0].seconds  # clock: where the next clip starts, seconds
    for number, (title, members) in enumerate(groups, 1):
        start = clock
        clips.append(
            card(
                f"chapter-{number:02d}",
                lambda: cards.chapter_card(number, title, size),
                [number, title],
                CHAPTER_SECONDS,
            )
        )
        clock += clips[-1].seconds
        for part in members:
            placed.append((read_captions(part.captions), float(clock), float(part.clip.seconds)))
            clips.append(part.clip)
            clock += part.clip.seconds
        chapters.append(video.Chapter(start, clock, f"{number}. {title}"))
    cited = [part.entry.source for part in parts if part.entry.source]
    clips.append(
        card(
            "end",
            lambda: cards.end_card(provenance, options.quality, size, cited),
            cards.get_end_lines(undated, options.quality, cited),
            END_SECONDS,
            END_REVEAL_SECONDS,
        )
    )
    chapters.append(video.Chapter(clock, clock + clips[-1].seconds, "How this video was made"))
    return clips, chapters, placed


def assemble(
    movie: Path,
    clips: list[video.Clip],
    chapters: list[video.Chapter],
    provenance: Provenance,
    report: Report,
    audio: video.Audio | None = None,
    captions: list[video.Caption] = (),
    burn_captions: bool = False,
):
    recipe = {
        "parts": [read_record(clip.path).get("recipe") for clip in clips],
        "chapters": [[str(c.start), c.title] for c in chapters],
        "captions": [[c.start, c.end, c.text] for c in captions],
        "burned": burn_captions,
        "code": get_code_digest(video, burn),
    }
    if audio is not None:
        recipe["sound"] = hashlib.sha256(audio.samples.tobytes()).hexdigest()[:16]
    length = float(sum((clip.seconds for clip in clips), Fraction(0)))
    tracks = f", {len(captions)} captions" + (" (also burned in)" if burn_captions else "")
    tracks += ", spoken narration (AAC mono)" if audio is not None else ", no sound (publish with --voice)"
    if is_fresh(movie, recipe):
        report.written.append((movie, f"{format_seconds(length)}, {len(chapters)} chapters{tracks}, unchanged"))
        return
    title = f"Grokking: how a small transformer learned {cards.get_task(provenance)}"
    tags = {
        "title": title,
        "date": provenance.date,
        "comment": f"grokking-studio {provenance.version}; frames {provenance.frames_file} sha256 {provenance.frames_sha256}",
    }
    paint = burn.CaptionPainter(captions, (clips[0].width, clips[0].height)) if burn_captions else None
    remux = video.concat(clips, movie, chapters, tags, audio, captions, paint)
    write_record(
        movie,
        recipe,
        provenance=provenance.as_dict(),
        seconds=round(length, 3),
        remuxed=remux,
        chapters=[{"start": float(c.start), "end": float(c.end), "title": c.title} for c in chapters],
        files=[clip.path.name for clip in clips],
    )
    how = (
        "joined without re-encoding"
        if remux
        else "re-encoded to burn the captions in"
        if burn_captions
        else "re-encoded (the parts' codec settings differ)"
    )
    report.written.append((movie, f"{format_seconds(length)}, {len(chapters)} chapters{tracks}, {how}"))


def write_captions(movie: Path, placed: list, report: Report) -> list[video.Caption]:
    """The .srt and .vtt beside the movie; the same captions for its caption track."""
    captions = get_shifted(placed)
    srt_file = write_text(movie.with_suffix(".srt"), to_srt(captions))
    write_text(movie.with_suffix(".vtt"), to_vtt(captions))
    narrated = sum(1 for scene_captions, _, _ in placed if scene_captions)
    report.written.append((srt_file, f"{len(captions)} captions from {narrated} narrated scene(s), and .vtt"))
    return [video.Caption(c.start.total_seconds(), c.end.total_seconds(), c.content) for c in captions]


def get_thumbnail_part(parts: list[Part]) -> Part:
    return next((part for part in parts if part.entry.name == THUMBNAIL), parts[0])


def write_thumbnail(path: Path, part: Part, report: Report):
    if not is_fresh(path, part.recipe):
        with video.written(path) as tmp:
            video.grab_frame(part.clip.path, float(part.clip.seconds)).save(tmp, format="PNG")
        write_record(path, part.recipe)
    report.written.append((path, f"thumbnail: the last frame of {part.entry.name}"))


def write_gifs(parts: list[Part], folder: Path, budget: int, report: Report, jobs: int, max_width: int = 10_000):
    """One GIF per part, `jobs` at once (decoding, scaling and quantising let other threads run), reported in
    story order."""
    with ThreadPoolExecutor(max_workers=max(1, jobs or get_cores())) as pool:
        made = list(pool.map(lambda part: write_gif(part, folder / f"{part.entry.name}.gif", budget, max_width), parts))
    for part, (path, said, error) in zip(parts, made):
        if error:  # nothing on the ladder fits: report it, publish the rest
            report.failed.append((part.entry.name, f"{part.entry.name}: {error}"))
        else:
            report.written.append((path, said))


def write_gif(part: Part, path: Path, budget: int, max_width: int = 10_000) -> tuple[Path, str, str | None]:
    """(the GIF, what it is, None), or (the GIF, "", why none fits the budget)."""
    recipe = {
        "movie": part.recipe,
        "budget": budget,
        "max_width": max_width,
        "ladder": gif.LADDER,
        "code": get_code_digest(gif, video),
    }
    if is_fresh(path, recipe):
        record = read_record(path)
    else:
        try:
            made = gif.make_gif(part.clip.path, budget, part.clip.width, float(part.clip.fps), max_width)
        except ValueError as error:
            return path, "", str(error)
        with video.written(path) as tmp:
            tmp.write_bytes(made.data)
        record = {"width": made.width, "fps": made.fps, "colors": made.colors, "frames": made.frames}
        write_record(path, recipe, **record)
    return path, f"{record['width']} px, {record['fps']} fps, {record['colors']} colours", None


def publish_gallery(options: Options, out: TextIO = sys.stdout) -> Report:
    """Small GIFs of the GALLERY scenes for the README (renders/gallery/), nothing else."""
    names = {entry.name: entry for entry in options.scenes}
    options = dataclasses.replace(options, scenes=[names[name] for name in GALLERY if name in names])
    provenance = get_provenance(options.frames)
    folders = prepare_folders(options.out_dir)
    gallery = options.out_dir / "gallery"
    gallery.mkdir(exist_ok=True)
    report = Report()
    parts = stage(report, "render scenes", lambda: render_parts(options, provenance, folders, report, out))
    stage(
        report,
        "gifs",
        lambda: write_gifs(parts, gallery, GALLERY_BUDGET, report, options.jobs, GALLERY_WIDTH),
    )
    print_summary(report, options, out)
    return report


def print_summary(report: Report, options: Options, out: TextIO):
    total = sum(report.stages.values())
    out.write(
        f"\npublished {report.rendered + report.unchanged} of {len(options.scenes)} scene(s) at {options.quality} "
        f"({report.rendered} rendered, {report.unchanged} unchanged) in {format_seconds(total)}\n"
    )
    for path, note in report.written:
        shown = path.relative_to(options.out_dir.parent) if path.is_relative_to(options.out_dir.parent) else path
        out.write(f"  {str(shown):<40} {path.stat().st_size / gif.MB:6.2f} MB  {note}\n")
    out.write(
        "  time: " + ", ".join(f"{name} {format_seconds(seconds)}" for name, seconds in report.stages.items()) + "\n"
    )
    for name, reason in report.not_shown:
        out.write(f"  left out {name}: this run does not show it ({reason})\n")
    for name, message in report.failed:
        out.write(f"  FAILED {message}\n")
