"""The options several `grok` commands share, each written once: the error handler every command wears,
the training settings (one option per TrainConfig field), comma-separated lists, the preset, the
quality and the frames file."""

from __future__ import annotations

import dataclasses
import functools
import sys
from pathlib import Path

import click

from frames.errors import GrokError
from frames.files import describe
from grok.publish.cuts import CUTS
from grok.publish.render import PUBLISH_QUALITY, QUALITIES, QUALITY_HELP, RENDER_QUALITY
from scenes.registry import NAMES
from scenes.shapes import SHAPE_HELP, SHAPES, WIDE
from training.config import PRESETS, TrainConfig, field_help

FRAMES_DEFAULTS = "$GROK_FRAMES, else data/nanda.npz, else data/quick.npz, else the reference run's (scenes/loader.py)"
FRAMES_HELP = f"Frames file to draw [default: {FRAMES_DEFAULTS}]."


def one_line_text(message: str) -> str:
    """A message on one line whatever it quotes: a path holding a newline or a terminal's control codes is shown
    escaped, as Python writes it, not obeyed."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in message)


def friendly_errors(command):
    """Bad input ends in one line and a non-zero exit, never a traceback."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except GrokError as e:  # FramesError and OutputError are kinds of it
            raise click.ClickException(one_line_text(str(e))) from None
        except OSError as e:  # a write that failed late, where no caller said what was kept
            where = e.filename or "writing the output"
            raise click.ClickException(one_line_text(f"{where}: {describe(e)}")) from None
        except KeyboardInterrupt:
            click.echo("\nInterrupted. Run the same command again to resume from the last checkpoint.", err=True)
            sys.exit(130)

    return wrapper


def config_options(*names: str, default: str = "nanda: {}"):
    """One --option per TrainConfig field (or per field named), its help taken from the field's comment and
    ending in `default` ('nanda: 113'; a sweep's say 'the preset's')."""
    helps = field_help()
    fields = [field for field in dataclasses.fields(TrainConfig) if not names or field.name in names]

    def decorate(command):
        for field in reversed(fields):
            flag, help_text = "--" + field.name.replace("_", "-"), helps.get(field.name, "")
            if type(field.default) is bool:
                command = click.option(flag, field.name, is_flag=True, default=None, help=help_text)(command)
                continue
            kind = (
                click.Choice(["auto", "cpu", "cuda"])
                if field.name == "device"
                else {int: int, float: float, str: str}[type(field.default)]
            )
            command = click.option(
                flag, field.name, type=kind, default=None, help=f"{help_text} [{default.format(field.default)}]"
            )(command)
        return command

    return decorate


def value_list(kind, split=lambda text: [item.strip() for item in text.split(",")]):
    """A click callback: '0.3,0.5' -> [0.3, 0.5]; `split` cuts the text into items where a comma alone
    does not (operations: 'add,pow:3,4' -> ['add', 'pow:3,4'], each checked when the configs are made)."""

    def parse(ctx, param, text):
        if text is None:
            return None
        try:
            items = split(text)
        except ValueError as e:
            raise click.BadParameter(str(e)) from None
        if not all(items):
            raise click.BadParameter(f"expected comma-separated {kind.__name__}s, got {text!r} (an empty item)")
        try:
            return [kind(item) for item in items]
        except ValueError:
            raise click.BadParameter(f"expected comma-separated {kind.__name__}s, got {text!r}") from None

    return parse


def preset_option(default: str | None, help_text: str):
    return click.option(
        "--preset",
        type=click.Choice(sorted(PRESETS)),
        default=default,
        show_default=default is not None,
        help=help_text,
    )


def quality_option(default: str):
    return click.option(
        "--quality", type=click.Choice(list(QUALITIES)), default=default, show_default=True, help=QUALITY_HELP
    )


jobs_option = click.option(
    "--jobs",
    type=click.IntRange(min=0),
    default=0,
    help="Scenes rendered at once, each by its own manim process [default: 0, one per core].",
)

script_option = click.option(
    "--script",
    "script_file",
    type=click.Path(path_type=Path),
    default=None,
    help="Say these words instead of the scenes' own: a narration written by `grok script` and edited, its "
    "{fields} filled from the frames being published.",
)

voice_track_option = click.option(
    "--voice-track",
    "voice_track",
    type=click.Path(path_type=Path),
    default=None,
    help="Say the narration in your own voice: a folder of recordings, one per beat, named by beat "
    "(snake.collapse.wav; wav, flac or mp3); each scene is timed by them. `grok script --cues` lists the beats.",
)

cut_option = click.option(
    "--cut",
    type=click.Choice(CUTS),
    default="full",
    show_default=True,
    help="full: every beat of every scene. short: each scene's essential beats (3 to 5 minutes), the beats between "
    "fast-forwarded without words; scenes with none left out; written under <out-dir>/short/.",
)
aspect_option = click.option(
    "--aspect",
    "shape",
    type=click.Choice(list(SHAPES)),
    default=WIDE,
    show_default=True,
    help=f"The frame's shape, each scene laid out for it: {SHAPE_HELP} The short cut's scenes are laid out for "
    "every shape. A published cut not 16:9 goes to its own folder by default (renders/9x16/, renders/short-9x16/).",
)
scenes_option = click.option(
    "--scenes",
    "scene_names",
    callback=value_list(str),
    default=None,
    help=f"Only these scenes, in story order, comma-separated (from: {', '.join(NAMES)}) [default: all].",
)


render_quality_option = quality_option(RENDER_QUALITY)
publish_quality_option = quality_option(PUBLISH_QUALITY)


def frames_option(help_text: str = FRAMES_HELP):
    return click.option("--frames", "frames_file", type=click.Path(path_type=Path), default=None, help=help_text)


def one_line(error: click.UsageError) -> click.UsageError:
    """A usage error as one line, like every other refusal: `Error: <what> (see grok <command> --help)`, without
    click's usage block."""
    where = error.ctx.command_path if error.ctx is not None else "grok"
    short = click.UsageError(f"{error.format_message()} (see {where} --help)")
    short.exit_code = error.exit_code
    return short


class OneLineGroup(click.Group):
    """The CLI's group: a mistyped option, value or command is refused in one line (one_line)."""

    def make_context(self, *args, **kwargs):
        try:
            return super().make_context(*args, **kwargs)
        except click.UsageError as error:
            raise one_line(error) from None

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except click.UsageError as error:
            raise one_line(error) from None
