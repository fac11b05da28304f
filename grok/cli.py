"""`grok`: train, export frames, inspect files. Heavy imports (torch) happen inside commands."""

from __future__ import annotations

from pathlib import Path

import click

from frames.errors import GrokError
from frames.files import check_writable_file
from frames.operations import CHOICES, split_op_list
from frames.places import DATA, RENDERS, RUNS, reference_frames
from grok.options import (
    FRAMES_DEFAULTS,
    OneLineGroup,
    aspect_option,
    config_options,
    cut_option,
    frames_option,
    friendly_errors,
    jobs_option,
    preset_option,
    publish_quality_option,
    render_quality_option,
    scenes_option,
    script_option,
    value_list,
    voice_track_option,
)
from grok.publish.cuts import get_cut_folder
from scenes.registry import NAMES, SCENES, SWEEP_NAMES, SWEEP_SCENES
from scenes.shapes import WIDE


@click.group(cls=OneLineGroup, context_settings={"help_option_names": ["-h", "--help"]})
def main():
    """Train the grokking transformer of Nanda et al. (2023) and export frames for the scenes.

    \b
    Data flows one way: train -> checkpoints (runs/) -> frames (data/*.npz) -> scenes -> renders.
    Start with:  grok make-data --preset quick     (about a minute on a laptop CPU)
    Everything:  grok all                          (train, then publish renders/grokking_explainer.mp4)
    """


@main.command("make-data")
@preset_option("nanda", "nanda: the paper's run (25k epochs); quick: groks in about a minute on a CPU.")
@config_options()
@click.option(
    "--run-dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Where checkpoints go [default: runs/<preset>, or runs/<preset>-p<p>-<hash> with overrides].",
)
@click.option(
    "--out", type=click.Path(path_type=Path), default=None, help="Frames file to write [default: data/<run name>.npz]."
)
@click.option("--fresh", is_flag=True, help="Delete the run directory and train from scratch instead of resuming.")
@click.option(
    "--from-checkpoint",
    "from_checkpoint",
    type=click.Path(path_type=Path),
    default=None,
    help="Export frames from an existing run file (demo or paper layout) without training.",
)
@click.option("--quiet", is_flag=True, help="No progress bars.")
@friendly_errors
def make_data(preset, run_dir, out, fresh, from_checkpoint, quiet, **overrides):
    """Train (or resume) a run, then export its frames file.

    Running the same command again after an interruption carries on from the last checkpoint.
    With --from-checkpoint, no training: the run file is analysed as it is (--p and --train-frac
    are used only if the file does not record them).
    """
    from training.make_data import make_data as make
    from training.make_data import not_grokked_warning

    # None when another command calls this one (`grok all`): then the preset was not typed either
    source = click.get_current_context().get_parameter_source("preset")
    given = source is not None and source.name == "COMMANDLINE"
    made = make(
        preset,
        overrides,
        data_dir=DATA,
        runs_dir=RUNS,
        run_dir=run_dir,
        out=out,
        fresh=fresh,
        from_checkpoint=from_checkpoint,
        preset_given=given,
        show_progress=not quiet,
        say=click.echo,
    )
    click.echo(
        f"wrote {made.out} ({made.out.stat().st_size / 1e6:.1f} MB): key frequencies "
        f"{made.arrays['key_freqs'].tolist()}, final test accuracy {made.arrays['ckpt_test_acc'][-1]:.1%}"
    )
    if not made.grokked:
        click.echo(not_grokked_warning(), err=True)


@main.command()
@preset_option("quick", "Settings shared by every run (the listed values override them).")
@click.option(
    "--seed", callback=value_list(int), metavar="LIST", help="Initialisation seeds, comma-separated, e.g. 0,1,2."
)
@click.option("--split-seed", "split_seed", callback=value_list(int), metavar="LIST", help="Train/test split seeds.")
@click.option("--wd", callback=value_list(float), metavar="LIST", help="Weight decays, e.g. 0.3,1,3.")
@click.option(
    "--train-frac", "train_frac", callback=value_list(float), metavar="LIST", help="Train fractions, e.g. 0.2,0.3,0.5."
)
@click.option("--lr", callback=value_list(float), metavar="LIST", help="Learning rates.")
@click.option(
    "--op",
    callback=value_list(str, split_op_list),
    metavar="LIST",
    help=f"Operations, e.g. add,mul,pow:3,3 (pow's own comma does not separate): {CHOICES}.",
)
@config_options("p", "epochs", "checkpoint_every", "device", "reproducible", default="the preset's")
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="Sweep folder [default: runs/sweep-<preset>, with --shard runs/sweep-<preset>-shard-<i>-of-<n>].",
)
@click.option(
    "--shard",
    default=None,
    metavar="I/N",
    help="Train only shard I of N (0 <= I < N): every N-th run "
    "of the grid from the I-th. One job of a job array each; --merge joins their summaries.",
)
@click.option("--fresh", is_flag=True, help="Replace the sweep in the folder instead of resuming it.")
@click.option("--no-frames", "no_frames", is_flag=True, help="Skip each run's frames.npz (summary.csv only).")
@click.option("--quiet", is_flag=True, help="No progress bars.")
@friendly_errors
def sweep(preset, out, shard, fresh, no_frames, quiet, seed, split_seed, wd, train_frac, lr, op, **shared):
    """Train every combination of the listed values at once, in one set of tensors.

    \b
    Writes, under the sweep folder:
      <run>/run.pth, <run>/checkpoints/   each run's checkpoints, as make-data writes them
      <run>/frames.npz                    each run's frames file, for the scenes
      summary.csv                         one row per run: its settings, the epoch train accuracy
                                          reaches 99 % (memorise_epoch) and the epoch test
                                          accuracy does (grok_epoch; -1 if never)
      sweep.npz                           the same and each run's loss curves, for the phase
                                          diagram (grok figures --sweep, grok render phase)

    Run again after an interruption, it resumes from the last checkpoint.

    \b
    Example:  grok sweep --preset quick --seed 0,1 --wd 0.5,1,2 --train-frac 0.3,0.5
              grok sweep --op add,mul,pow:3,3 --seed 0,1,2
    """
    from training.sweep import export_run_frames, parse_shard, sweep_configs, train_sweep

    values = {
        name: v
        for name, v in dict(seed=seed, split_seed=split_seed, wd=wd, train_frac=train_frac, lr=lr, op=op).items()
        if v is not None
    }
    part = parse_shard(shard) if shard else (0, 1)
    from training.config import make_config

    grid = sweep_configs(make_config(preset, **shared), values)
    out = out or RUNS / (f"sweep-{preset}" + (f"-shard-{part[0]}-of-{part[1]}" if shard else ""))
    click.echo(
        f"sweep of {len(grid)} run(s){f', shard {shard}' if shard else ''}, p={grid[0].p}, "
        f"{grid[0].epochs} epochs -> {out}"
    )
    after = None if no_frames else lambda runs: export_run_frames(runs, out, lambda line: click.echo(line, err=True))
    runs = train_sweep(grid, out, shard=part, fresh=fresh, show_progress=not quiet, after=after)
    click.echo((out / "summary.csv").read_text().rstrip())
    click.echo(
        f"wrote {len(runs)} run directories with run.pth"
        + ("" if no_frames else " (frames.npz beside each that did not diverge)")
        + f", and {out / 'summary.csv'}"
    )


@main.command()
@click.argument("shards", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), required=True, help="Folder for the whole sweep's summaries.")
@friendly_errors
def merge(shards, out):
    """Join the shard folders of one sweep (grok sweep --shard i/n) into the whole sweep's summary.csv and sweep.npz.

    The rows come back in the order one unsharded sweep writes them; the runs stay in their shard folders.
    Example:  grok merge runs/sweep-quick-shard-*-of-8 --out runs/sweep-quick
    """
    from training.merge import merge_shards

    rows = merge_shards(list(shards), out)
    click.echo(f"merged {len(shards)} shards: {len(rows)} runs -> {out / 'summary.csv'}, {out / 'sweep.npz'}")


@main.command()
@click.argument("file", type=click.Path(path_type=Path))
@friendly_errors
def info(file):
    """Summarise a frames file (.npz), a run file (.pth), a sweep's summary.csv, or a run or sweep folder."""
    from grok.info import summarise

    click.echo(summarise(file))


@main.command("upgrade-frames")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), default=None, help="Where to write [default: over FILE].")
@friendly_errors
def upgrade_frames(file, out):
    """Bring a frames file of schema version 2 or 3 to the current version, without its run.

    Version 3 files upgrade exactly (version 4 adds what decided the run's rounding: not recorded before).
    Version 2: for frames of runs trained here (`grok make-data`), whose files record their whole config.
    Frames imported with --from-checkpoint from a paper-layout file are refused: version 2 filled
    the settings that file does not record from the preset, so export them again from the file.
    """
    from frames import SCHEMA_VERSION, save_frames
    from frames.store import read_arrays
    from frames.upgrade import upgrade

    out = check_writable_file(out or file, "frames file")
    save_frames(upgrade(read_arrays(file), str(file)), out)
    click.echo(f"wrote {out} (frames schema version {SCHEMA_VERSION})")


RENDER_HELP = (
    "Render scenes from a frames file into renders/ (NAMES: a scene, several, or all).\n\n"
    "Scenes, in the explainer's order (`grok render all`):\n\n\b\n"
    + "\n".join(f"{entry.name:<12} {entry.idea}" for entry in SCENES)
    + "\n\nScenes of a sweep, drawn from its sweep file (--sweep), not from --frames:\n\n\b\n"
    + "\n".join(f"{entry.name:<12} {entry.idea}" for entry in SWEEP_SCENES)
)
SWEEP_HELP = (
    "A sweep folder, or its sweep.npz (grok sweep and grok merge write one) [default: $GROK_SWEEP, "
    "else data/sweep.npz, else runs/sweep-quick/sweep.npz]."
)


@main.command(help=RENDER_HELP)
@click.argument("names", nargs=-1, required=True, type=click.Choice([*NAMES, *SWEEP_NAMES, "all"]))
@render_quality_option
@click.option("--format", "fmt", type=click.Choice(["mp4", "gif"]), default="mp4", show_default=True)
@click.option("--still", is_flag=True, help="Only the last frame, as a PNG.")
@frames_option()
@click.option("--sweep", "sweep_file", type=click.Path(path_type=Path), default=None, help=SWEEP_HELP)
@click.option("--out-dir", type=click.Path(path_type=Path), default=RENDERS, show_default=True)
@aspect_option
@friendly_errors
def render(names, quality, fmt, still, frames_file, sweep_file, out_dir, shape):
    from grok.publish.render import render_named

    for path in render_named(names, quality, fmt, still, frames_file, sweep_file, out_dir, shape):
        click.echo(f"wrote {path}")


@main.command()
@frames_option()
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    default=RENDERS / "figures",
    show_default=True,
    help="Folder for the pages, the stills and explorer.html (made if missing).",
)
@click.option("--strict", is_flag=True, help="Exit non-zero when the PNG stills cannot be made.")
@click.option(
    "--sweep",
    "sweep_file",
    type=click.Path(path_type=Path),
    default=None,
    help="Draw this sweep's phase diagram instead (a sweep folder, or its sweep.npz).",
)
@click.option("--x", "x", default=None, help="With --sweep: the summary column across [wd, if it varies].")
@click.option("--y", "y", default=None, help="With --sweep: the column up [train_frac, if it varies].")
@click.option("--curves", is_flag=True, help="With --sweep: also each run's loss curves, as small multiples.")
@friendly_errors
def figures(frames_file, out_dir, strict, sweep_file, x, y, curves):
    """Plotly figures (HTML and PNG stills) and explorer.html, a page that opens offline from a file.

    \b
    surface   the logit of one answer over every input (a, b): diagonal ridges
    losses    loss curves with the progress measures, log epoch axis
    spectrum  the Fourier spectrum of the embedding W_E over training
    neurons   MLP neurons clustered by frequency
    explorer  a checkpoint slider that moves the losses, the clock, the spectrum and a neuron together
    With --sweep, instead: phase (the grid of two settings coloured by grok epoch), phase-curves (--curves).
    PNG stills need Chrome or Chromium (apt-get install chromium); without one the HTML is still written.
    """
    from grok.figures import make_figures

    without = [flag for flag, given in (("--x", x), ("--y", y), ("--curves", curves)) if given]
    if without and sweep_file is None:
        raise GrokError(f"{', '.join(without)} draw a sweep's phase diagram: give --sweep too (or leave them out)")
    if frames_file is not None and sweep_file is not None:
        raise GrokError("--frames and --sweep draw different figures: give one of them")
    written = make_figures(frames_file, sweep_file, out_dir, x, y, curves, log=click.echo)
    for path in written.paths:
        click.echo(f"wrote {path} ({path.stat().st_size / 1e6:.2f} MB)")
    if written.png_problem:
        if strict:
            raise GrokError(written.png_problem)
        click.echo(written.png_problem, err=True)


@main.command()
@publish_quality_option
@frames_option(f"Frames file to draw [default: {FRAMES_DEFAULTS}; with --gallery: the reference run's].")
@click.option(
    "--out-dir",
    type=click.Path(path_type=Path),
    default=None,
    help=f"Where the published set goes [default: {RENDERS}; a short cut: {RENDERS}/short; a 9:16 one: "
    f"{RENDERS}/short-9x16].",
)
@click.option("--strict", is_flag=True, help="Stop at the first scene that fails, publishing nothing.")
@click.option("--gallery", is_flag=True, help="Only the README's gallery: small GIFs in <out-dir>/gallery/.")
@click.option(
    "--voice/--no-voice",
    default=None,
    help="Speak the narration with an offline voice and time the scenes by it: the video gets a sound track "
    "[default: speak when the voice extra is installed (./setup.sh installs it; pip install '.[voice]')].",
)
@click.option(
    "--burn-captions",
    is_flag=True,
    help="Draw the captions into the picture as well, for feeds that autoplay muted without showing a caption "
    "track (the mp4 always carries the captions as a track).",
)
@jobs_option
@script_option
@voice_track_option
@cut_option
@aspect_option
@scenes_option
@friendly_errors
def publish(
    quality,
    frames_file,
    out_dir,
    strict,
    gallery,
    voice,
    burn_captions,
    jobs,
    script_file,
    voice_track,
    cut,
    shape,
    scene_names,
):
    """Render every registered scene in story order and publish the explainer.

    \b
    Writes, under renders/:
      grokking_explainer.mp4   title card, chapter cards, the scenes, an end card with provenance;
                               H.264, faststart, chapter markers
      grokking_explainer.srt   captions from the scenes' narration (and .vtt), also a caption track in
                               the mp4; with the voice they start with the speech, and the mp4 has
                               the voice (AAC, mono)
      grokking_explainer.png   thumbnail
      gifs/<scene>.gif         one GIF per scene, at most 4 MB each
      parts/, logs/            each scene's movie with a record of what it was made from; manim's logs
      speech/                  with --voice: each line's speech, cached (said once, kept for re-runs)
    Re-running redoes only what changed. A scene that fails is reported with its log and left out
    (exit code 1 at the end); --strict stops at it instead.
    """
    from grok.publish.narration import choose_voice
    from grok.publish.pipeline import Options, publish_gallery
    from grok.publish.pipeline import publish as publish_all
    from scenes.loader import frames_path

    frames = Path(frames_file) if frames_file else reference_frames() if gallery else frames_path()
    if gallery and (voice or burn_captions or script_file or voice_track):
        raise GrokError(
            "--gallery makes GIFs only: they have no sound and no captions "
            "(leave out --voice/--burn-captions/--script/--voice-track)"
        )
    if voice and voice_track:
        raise GrokError("--voice speaks with the offline voice, --voice-track with yours: choose one")
    if gallery and (cut != "full" or scene_names or shape != WIDE):
        raise GrokError(
            "--gallery makes the README's GIFs, always the same scenes: leave out --cut, --scenes and --aspect"
        )
    unknown = [name for name in scene_names or () if name not in NAMES]
    if unknown:
        raise GrokError(f"no scene named {unknown[0]!r} in the film; its scenes: {', '.join(NAMES)}")
    chosen = [entry for entry in SCENES if not scene_names or entry.name in scene_names]  # in story order
    if out_dir is None:
        folder = get_cut_folder(cut, shape)
        out_dir = RENDERS / folder if folder else RENDERS
    voice, note = choose_voice(voice) if not (gallery or voice_track) else (False, None)
    if note:
        click.echo(note)
    options = Options(
        frames=frames,
        quality=quality,
        out_dir=out_dir,
        strict=strict,
        voice=voice,
        burn_captions=burn_captions,
        jobs=jobs,
        script=script_file,
        voice_track=voice_track,
        cut=cut,
        shape=shape,
        scenes=chosen,
    )
    report = (publish_gallery if gallery else publish_all)(options)
    if report.failed:
        raise GrokError(
            f"{len(report.failed)} scene(s) left out: " + "; ".join(message for _, message in report.failed)
        )


@main.command()
@frames_option()
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=Path("script.md"),
    show_default=True,
    help="Where to write the script (an existing file is never overwritten).",
)
@click.option(
    "--cues",
    type=click.Path(path_type=Path),
    default=None,
    help="Write the sheet to read from while recording your voice (each beat's file name and its words, filled "
    "for this run) instead of the script.",
)
@script_option
@friendly_errors
def script(frames_file, out, cues, script_file):
    """Write the explainer's narration as a script to edit, one section per scene and one entry per beat.

    \b
    Each figure of the run is a field in braces, {collapse_epoch}, with its value in this run noted
    under its beat; `grok publish --script FILE` says the edited words with the fields filled from the
    frames being published, so an edited script stays true on another run. Empty a beat for silence.
    """
    from frames import load_frames
    from grok.publish.render import SCENES_DIR
    from grok.publish.script import write_script
    from grok.publish.voice_track import write_cue_sheet
    from scenes.loader import frames_path

    frames = Path(frames_file) if frames_file else frames_path()
    if cues is not None:
        said = write_cue_sheet(cues, frames, script_file)
        click.echo(f"wrote {cues}: {said} beats to record; then: grok publish --frames {frames} --voice-track FOLDER")
        return
    if script_file is not None:
        raise GrokError("--script is read for --cues (the words to record); to write a new script, leave it out")
    n = write_script(out, str(frames), load_frames(frames), SCENES, SCENES_DIR)
    click.echo(f"wrote {out}: {n} beats; edit the words, then: grok publish --frames {frames} --script {out}")


@main.command("all")
@preset_option(None, "Run to train [default: nanda, the paper's run, where a GPU is present; else quick].")
@publish_quality_option
@click.option("--strict", is_flag=True, help="Stop at the first scene that fails.")
@click.option(
    "--voice/--no-voice", default=None, help="As for grok publish [default: speak when the voice is installed]."
)
@click.option("--burn-captions", is_flag=True, help="As for grok publish: the captions drawn into the picture too.")
@click.option("--op", default=None, help=f"The operation to learn, as for grok make-data [add]: {CHOICES}.")
@click.option(
    "--from-checkpoint",
    "from_checkpoint",
    type=click.Path(path_type=Path),
    default=None,
    help="Publish someone else's run file (the paper's, the TransformerLens demo's) instead of training one.",
)
@jobs_option
@script_option
@voice_track_option
@cut_option
@aspect_option
@scenes_option
@click.pass_context
@friendly_errors
def all_stages(
    ctx,
    preset,
    quality,
    strict,
    voice,
    burn_captions,
    op,
    from_checkpoint,
    jobs,
    script_file,
    voice_track,
    cut,
    shape,
    scene_names,
):
    """From nothing to the published set: make-data, figures, publish.

    Each stage skips what is already done (a finished run is not trained again; unchanged scenes
    are not rendered again), so running it twice is cheap. With --from-checkpoint nothing is trained:
    the file is imported as it is and the film says what it records and what it does not.
    """
    import functools
    import time

    from training.make_data import main_job_frames
    from training.train import gpu_available, unusable_gpu_note

    if from_checkpoint is not None and (preset or op):
        raise GrokError("--from-checkpoint publishes the file as it is: leave out --preset and --op")
    note = unusable_gpu_note()
    if note:
        click.echo(note)
    preset = preset or ("nanda" if gpu_available() else "quick")
    frames = main_job_frames(DATA, preset, op, from_checkpoint)
    if from_checkpoint is not None:
        made = functools.partial(ctx.invoke, make_data, from_checkpoint=from_checkpoint, out=frames)
    else:
        made = functools.partial(ctx.invoke, make_data, preset=preset, out=frames, op=op)
    stages = [
        ("make-data", made),
        ("figures", lambda: ctx.invoke(figures, frames_file=frames)),
        (
            "publish",
            lambda: ctx.invoke(
                publish,
                quality=quality,
                frames_file=frames,
                strict=strict,
                voice=voice,
                burn_captions=burn_captions,
                jobs=jobs,
                script_file=script_file,
                voice_track=voice_track,
                cut=cut,
                shape=shape,
                scene_names=scene_names,
            ),
        ),
    ]
    times = []
    for name, run in stages:
        click.echo(f"==> {name}")
        start = time.perf_counter()
        run()
        times.append(f"{name} {time.perf_counter() - start:.1f} s")
    click.echo("grok all: " + ", ".join(times))


if __name__ == "__main__":
    main()
