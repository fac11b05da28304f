"""The editable narration: `grok script` writes every scene's words as a plain file a person edits, and
`grok publish --script FILE` says the edited words, their figures filled from the run being published.

The file, markdown a person reads comfortably:

    ## snake · Memorise, then generalise          a scene (its name, then its chapter)
    ### collapse                                   a beat of that scene
    Then, from epoch {collapse_epoch}, it ...      the words; {collapse_epoch} is a figure of the run
    <!-- collapse_epoch = 1,830 · ... -->          each field's value in the run it was written from

A field is filled from whichever run is published, so an edited script stays true on another run. Typing a
figure as digits where a field holds it is refused (it would be false on the next run), as are a field the
scene does not have, a beat the scene does not say, and a beat left out (the scene needs every beat to hold its
picture); an emptied beat is silence, its picture still played. Each refusal names the file's line.
Scenes the run does not show (a clock in a run that never grokked) are skipped, whatever their words.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from frames.errors import GrokError
from frames.files import atomic_output
from grok.publish.narration import get_scene_script
from scenes.narration import Line, joined
from scenes.registry import SceneEntry

# A figure as the narration writes it: 1,830 / 0.37 / 10⁻⁷ (typed words and a field's value are compared by these)
NUMBER = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?[⁻⁰¹²³⁴⁵⁶⁷⁸⁹]*")
COMMENT = re.compile(r"<!--.*?-->", re.S)


@dataclass
class Beat:
    scene: str
    beat: str
    line_number: int  # where its heading is in the file
    words: list[str] = field(default_factory=list)  # its text lines, comments removed

    @property
    def template(self) -> str:
        return " ".join(" ".join(self.words).split())


def get_scripts(frames: dict, scenes: Sequence[SceneEntry], scene_dir: Path) -> dict[str, dict[str, Line]]:
    """{scene name: {beat: line}} for the scenes that narrate this run, in story order."""
    scripts = {}
    for entry in scenes:
        script = get_scene_script(entry, scene_dir, frames)
        if script:  # a line written without `say` names no fields: its words are its template
            scripts[entry.name] = {beat: joined(line) for beat, line in script.items()}
    return scripts


def get_fields(script: dict[str, Line]) -> dict[str, str]:
    """Every field a scene's lines name, with its value in this run."""
    return {name: value for line in script.values() for name, value in line.fields.items()}


def write_script(path: Path, frames_name: str, frames: dict, scenes: Sequence[SceneEntry], scene_dir: Path) -> int:
    """Write the narration of `frames` as an editable script; returns the number of beats."""
    if path.exists():
        raise GrokError(f"{path} exists; give another --out, or move it away first (nothing is overwritten)")
    scripts = get_scripts(frames, scenes, scene_dir)
    chapters = {entry.name: entry.chapter for entry in scenes}
    text = [
        "# The explainer's narration",
        "<!--",
        f"Written by `grok script` from {frames_name}. Edit the words under each beat; keep the ## and ### headings.",
        "A word in braces, such as {p}, is a figure of the run: it is filled from whichever run is published, so the",
        "script stays true on another run. Each field's value in this run is noted under its beat. Write the field,",
        "not its digits (digits that match a field are refused). An emptied beat is silence; its picture still plays.",
        f"Publish with:  grok publish --frames {frames_name} --script {path}",
        "-->",
    ]
    for scene, script in scripts.items():
        text += ["", f"## {scene} · {chapters[scene]}"]
        for beat, line in script.items():
            text += ["", f"### {beat}", line.template]
            if line.fields:
                text.append("<!-- " + " · ".join(f"{name} = {value}" for name, value in line.fields.items()) + " -->")
    with atomic_output(path) as file:
        file.write(("\n".join(text) + "\n").encode("utf-8"))
    return sum(len(script) for script in scripts.values())


def read_script(path: Path) -> list[Beat]:
    """The beats of a script file, with the line each starts on; one clear line for a file that is not one."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise GrokError(f"cannot read the script {path}: {e}") from None
    # comments may span lines: blank them out, keeping the line breaks so line numbers stay true
    for match in COMMENT.finditer(text + "-->"):  # a comment opened and never closed meets the next one's end
        if "<!--" in match.group()[4:] or match.end() > len(text):
            number = text[: match.start()].count("\n") + 1
            raise GrokError(f"{path}:{number}: a comment opened with <!-- is not closed with -->")
    text = COMMENT.sub(lambda m: "\n" * m.group().count("\n"), text)
    beats, scene = [], None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if line.startswith("### "):
            if scene is None:
                raise GrokError(f"{path}:{number}: a beat heading (###) before any scene heading (## scene)")
            beats.append(Beat(scene, line[4:].strip(), number))
        elif line.startswith("## "):
            scene = line[3:].split("·")[0].strip()
        elif line.startswith("# ") or not line:
            continue
        elif not beats or beats[-1].scene != scene:
            raise GrokError(f"{path}:{number}: words outside a beat; put them under a ### heading")
        else:
            beats[-1].words.append(line)
    if not beats:
        raise GrokError(f"{path}: no beats (### headings) found; write one with `grok script`")
    return beats


def get_edits(path: Path, frames: dict, scenes: Sequence[SceneEntry], scene_dir: Path) -> dict[str, str]:
    """{a scene's own line: the edited words, filled from `frames`} for every beat the script changes; refuses,
    with the line it is on, anything that would make the film false or break a scene's timing."""
    scripts = get_scripts(frames, scenes, scene_dir)
    known = {entry.name for entry in scenes}
    edits, seen = {}, set()
    for beat in read_script(path):
        where = f"{path}:{beat.line_number}"
        if beat.scene not in known:
            raise GrokError(f"{where}: no scene named {beat.scene!r} (scenes: {', '.join(sorted(known))})")
        if beat.scene not in scripts:
            continue  # the run does not show this scene: it is left out of the film whatever its words
        script = scripts[beat.scene]
        if beat.beat not in script:
            raise GrokError(
                f"{where}: {beat.scene} has no beat {beat.beat!r} for this run (its beats: {', '.join(script)})"
            )
        if (beat.scene, beat.beat) in seen:
            raise GrokError(f"{where}: beat {beat.scene}/{beat.beat} is written twice")
        seen.add((beat.scene, beat.beat))
        edited = fill(beat, script[beat.beat], get_fields(script), where)
        if edited != script[beat.beat]:
            edits[str(script[beat.beat])] = edited
    missing = [f"{scene}/{name}" for scene, script in scripts.items() for name in script if (scene, name) not in seen]
    if missing:
        raise GrokError(
            f"{path}: beat {missing[0]} is missing{f' (and {len(missing) - 1} more)' if len(missing) > 1 else ''}: "
            "its scene needs every beat to hold its pictures; empty a beat's words for silence"
        )
    return edits


def beat_id(scene: str, beat: str) -> str:
    """How a beat is named outside its scene (a recording's file name, a cue): snake.collapse."""
    return f"{scene}.{beat}"


def get_said_beats(
    frames: dict, scenes: Sequence[SceneEntry], scene_dir: Path, edits: dict[str, str] | None = None
) -> dict[str, str]:
    """{beat id: the words said} for the film of `frames`, in story order: as edited (get_edits), else the
    scenes' own; an emptied beat says ""."""
    edits = edits or {}
    return {
        beat_id(scene, beat): edits.get(line, line)
        for scene, script in get_scripts(frames, scenes, scene_dir).items()
        for beat, line in script.items()
    }


def fill(beat: Beat, own: Line, fields: dict[str, str], where: str) -> str:
    """The beat's edited words with its fields filled; refuses an unknown field, a stray brace and a figure
    typed as digits where a field holds it."""
    template = beat.template
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError:
        raise GrokError(
            f"{where}: a lone {{ or }} in beat {beat.scene}/{beat.beat}; fields are written {{name}}"
        ) from None
    own_figures = set(NUMBER.findall(own.template))  # figures the scene itself types are constants
    for literal, name, spec, conversion in parts:
        if name is not None and (name not in fields or spec or conversion):
            raise GrokError(
                f"{where}: beat {beat.scene}/{beat.beat} names {{{name}}}, not a field of {beat.scene} "
                f"(its fields: {', '.join('{' + f + '}' for f in fields) or 'none'})"
            )
        for figure in NUMBER.findall(literal):
            held = [n for n, value in fields.items() if figure not in own_figures and figure in NUMBER.findall(value)]
            if held:
                raise GrokError(
                    f"{where}: beat {beat.scene}/{beat.beat} types {figure}, which is {{{held[0]}}} in this run: "
                    "write the field so the words stay true on another run (or spell the number out)"
                )
    return template.format_map(fields)
