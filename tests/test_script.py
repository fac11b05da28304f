"""The editable narration (grok/publish/script.py): written from a run, edited, read back and refused where an
edit would make the film false or break a scene's timing; then published, on the tiny scenes of
tests/publish_scenes.py (160x90, 5 fps), where the captions say the edit with the run's own figures."""

import io
from pathlib import Path

import pytest
import srt
from click.testing import CliRunner
from publish_scenes import Middle
from tiny_studio import OPENING_AND_MIDDLE, make_scene_dir, tiny_options

from frames import load_frames
from frames.errors import GrokError
from grok.cli import main
from grok.publish.pipeline import EXPLAINER, publish
from grok.publish.script import get_edits, read_script, write_script
from scenes.narration import Line, joined, say
from scenes.registry import SCENES, SceneEntry

ENTRIES = (*OPENING_AND_MIDDLE, SceneEntry("absent", "first", "Absent", "not in this run", "Two"))


@pytest.fixture
def scene_dir(tmp_path):
    return make_scene_dir(tmp_path)


def written(tmp_path, frames, scene_dir, entries=ENTRIES) -> Path:
    path = tmp_path / "script.md"
    write_script(path, "tiny.npz", load_frames(frames), entries, scene_dir)
    return path


def edited(path: Path, old: str, new: str) -> Path:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))
    return path


def refusal(path, frames, scene_dir) -> str:
    with pytest.raises(GrokError) as refused:
        get_edits(path, load_frames(frames), ENTRIES, scene_dir)
    return str(refused.value)


def test_a_line_is_its_template_filled_and_remembers_only_the_fields_it_names():
    line = say("At epoch {grok_epoch}, mod {p}.", grok_epoch="1,830", p=113, unused=7)
    assert line == "At epoch 1,830, mod 113." and isinstance(line, str)
    assert line.fields == {"grok_epoch": "1,830", "p": "113"}
    both = joined(line, "Plain {words}.", say("Still mod {p}.", p=113))
    assert both == "At epoch 1,830, mod 113. Plain {words}. Still mod 113." and isinstance(both, Line)
    assert both.template.format(**both.fields) == both
    with pytest.raises(ValueError, match="'p'"):
        joined(line, say("mod {p}", p=97))


def test_the_script_lists_every_beat_with_its_fields_and_their_values(tmp_path, tiny_frames, scene_dir):
    text = written(tmp_path, tiny_frames, scene_dir).read_text()
    p = int(load_frames(tiny_frames)["p"])
    assert "## opening · One" in text and "### task\nWe add modulo {p}.\n<!-- p = " + str(p) + " -->" in text
    assert "### wait\nThen we wait." in text and "## middle · One" in text and "### keys" in text
    assert "## absent" not in text  # it narrates nothing
    assert get_edits(tmp_path / "script.md", load_frames(tiny_frames), ENTRIES, scene_dir) == {}  # unedited: no edit
    with pytest.raises(GrokError, match="exists"):
        written(tmp_path, tiny_frames, scene_dir)


def test_an_edit_is_filled_from_whichever_run_is_published(tmp_path, tiny_frames, grokked_frames, scene_dir):
    path = edited(written(tmp_path, tiny_frames, scene_dir), "We add modulo {p}.", "Our clock has {p}\nhours.")
    path = edited(path, "Then we wait.", "")
    for frames in (tiny_frames, grokked_frames):
        p = int(load_frames(frames)["p"])
        edits = get_edits(path, load_frames(frames), ENTRIES, scene_dir)
        assert edits == {f"We add modulo {p}.": f"Our clock has {p} hours.", "Then we wait.": ""}


@pytest.mark.parametrize(
    "old, new, says",
    [
        ("We add modulo {p}.", "We add modulo {q}.", "names {q}, not a field of opening (its fields: {p})"),
        ("We add modulo {p}.", "We add modulo {p.", "a lone { or }"),
        ("### wait", "### rest", "opening has no beat 'rest' for this run (its beats: task, wait)"),
        ("## middle", "## muddle", "no scene named 'muddle'"),
        ("### wait\nThen we wait.", "", "beat opening/wait is missing"),
        ("### wait", "### task", "beat opening/task is written twice"),
        ("# The explainer's narration", "Hello.", "words outside a beat"),
        (" -->\n\n### wait", "\n\n### wait", "not closed"),
    ],
)
def test_an_edit_that_would_break_the_film_is_refused_with_its_line(tmp_path, tiny_frames, scene_dir, old, new, says):
    path = written(tmp_path, tiny_frames, scene_dir)
    path = edited(path, old, new)
    message = refusal(path, tiny_frames, scene_dir)
    assert says in message and message.startswith(str(path))


def test_a_figure_typed_as_digits_is_refused_where_a_field_holds_it(tmp_path, tiny_frames, scene_dir):
    p = int(load_frames(tiny_frames)["p"])
    path = edited(written(tmp_path, tiny_frames, scene_dir), "We add modulo {p}.", f"We add\nmodulo {p}.")
    heading = path.read_text().splitlines().index("### task") + 1
    message = refusal(path, tiny_frames, scene_dir)
    assert f"{path}:{heading}: beat opening/task types {p}, which is {{p}} in this run" in message
    # a figure the scene itself writes (a constant of its words) may stay, and another number is the author's own
    keys = Middle.script(load_frames(tiny_frames))["keys"]
    path = edited(path, f"We add\nmodulo {p}.", f"We add modulo {p + 1}, not {{p}}.")
    edits = get_edits(path, load_frames(tiny_frames), ENTRIES, scene_dir)
    assert edits == {f"We add modulo {p}.": f"We add modulo {p + 1}, not {p}."} and keys not in edits


def test_every_film_scene_writes_its_words_as_a_template_with_named_figures(tmp_path, grokked_frames):
    from grok.publish.render import SCENES_DIR

    path = tmp_path / "film.md"
    n = write_script(path, "grokked.npz", load_frames(grokked_frames), SCENES, SCENES_DIR)
    text = path.read_text()
    assert n == text.count("\n### ") and all(f"## {entry.name} · " in text for entry in SCENES)
    assert "{collapse_epoch}" in text or "{grok_epoch}" in text
    assert get_edits(path, load_frames(grokked_frames), SCENES, SCENES_DIR) == {}
    assert len(read_script(path)) == n


def test_publish_says_the_edited_words_in_its_captions(tmp_path, tiny_frames, scene_dir):
    path = edited(written(tmp_path, tiny_frames, scene_dir), "We add modulo {p}.", "Sums wrap round at {p}.")
    path = edited(path, "Then we wait.", "")
    out = tmp_path / "renders"
    options = tiny_options(tiny_frames, out, scene_dir, script=path)
    publish(options, out=io.StringIO())
    frames = load_frames(tiny_frames)
    captions = [c.content for c in srt.parse((out / f"{EXPLAINER}.srt").read_text())]
    assert captions == [f"Sums wrap round at {int(frames['p'])}.", *Middle.script(frames).values()]
    # a second edit re-renders only the scene it changes
    edited(path, "Sums wrap round at {p}.", "Sums wrap at {p}.")
    report = publish(options, out=io.StringIO())
    assert (report.rendered, report.unchanged) == (1, 1)


def test_a_short_cut_keeps_the_essential_beats_and_fast_forwards_the_rest(tmp_path, tiny_frames, scene_dir):
    """Opening declares one essential beat, Middle none: the short cut is Opening alone, saying only its essential
    line, and shorter than the full cut by more than the passed-over line's words."""
    from grok.publish.video import probe

    lengths = {}
    for cut in ("full", "short"):
        out = tmp_path / cut
        options = tiny_options(tiny_frames, out, scene_dir, cut=cut)
        publish(options, out=io.StringIO())
        captions = [c.content for c in srt.parse((out / f"{EXPLAINER}.srt").read_text())]
        lengths[cut] = float(probe(out / "parts" / "opening_preview.mp4").seconds)
        if cut == "short":
            p = int(load_frames(tiny_frames)["p"])
            assert captions == [f"We add modulo {p}."]
            assert not (out / "parts" / "middle_preview.mp4").exists()
    assert lengths["full"] - lengths["short"] > 1.0  # "Then we wait." takes 1.2 s said, 0.3 s passed over


def test_every_essential_beat_is_one_the_scene_says(runs):
    from grok.publish.narration import load_scene
    from grok.publish.render import SCENES_DIR

    for entry in SCENES:
        scene = load_scene(entry, SCENES_DIR)
        for frames in runs.values():
            assert set(scene.essential) <= set(scene.script(frames)), entry.name


@pytest.fixture(scope="module")
def runs(grokked_frames):
    from frames.places import reference_frames

    return {"reference": load_frames(reference_frames()), "grokked": load_frames(grokked_frames)}


def test_grok_script_writes_from_any_folder_and_never_overwrites(tmp_path, tiny_frames, monkeypatch):
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    first = runner.invoke(main, ["script", "--frames", str(tiny_frames), "--out", "mine.md"])
    assert first.exit_code == 0, first.output
    assert "## task · The task" in (tmp_path / "mine.md").read_text()
    again = runner.invoke(main, ["script", "--frames", str(tiny_frames), "--out", "mine.md"])
    assert again.exit_code != 0 and "exists" in again.output and again.output.count("\n") == 1
    bad = runner.invoke(main, ["publish", "--frames", str(tiny_frames), "--script", "missing.md", "--no-voice"])
    assert bad.exit_code != 0 and "cannot read the script missing.md" in bad.output and "Traceback" not in bad.output
    both = runner.invoke(main, ["publish", "--frames", str(tiny_frames), "--voice", "--voice-track", "."])
    assert both.exit_code != 0 and "choose one" in both.output
    lines = (tmp_path / "mine.md").read_text().splitlines()
    lines[lines.index("### grokking") + 1] = ""  # the beat emptied: silence, nothing to record
    (tmp_path / "mine.md").write_text("\n".join(lines))
    cues = runner.invoke(main, ["script", "--frames", str(tiny_frames), "--cues", "cues.txt", "--script", "mine.md"])
    assert cues.exit_code == 0, cues.output
    sheet = (tmp_path / "cues.txt").read_text()
    assert "task.question.wav" in sheet and "task.grokking.wav" not in sheet and "{" not in sheet
