"""`grok make-data`'s workflow: train (or resume) a run, or read a run file, then export its frames file.

The CLI parses and prints; this decides: which run folder and frames file a config gets (the naming rule),
which options cannot apply to an import, and what to keep and say when the export cannot be written.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from frames import ACCURACY_BAR, save_frames
from frames.errors import GrokError, OutputError
from frames.files import check_writable_file, real_path
from frames.operations import parse_operation
from frames.places import REFERENCE
from frames.store import refuse_replacing_another_kind

from .checkpoints import load_run, refuse_inside_managed
from .config import PRESETS, TrainConfig, make_config
from .export import export_frames

IMPORT_OPTIONS = ("p", "train_frac")  # what --from-checkpoint takes, where the file does not record it


def run_name(preset: str, cfg: TrainConfig) -> str:
    """The preset's name, or <preset>-p<p>-<hash> with overrides (<preset>-<op>-p<p>-<hash> for an
    operation other than add)."""
    if cfg.trajectory_hash() == PRESETS[preset].trajectory_hash():
        return preset
    op = "" if cfg.op == "add" else f"-{parse_operation(cfg.op).slug}"
    return f"{preset}{op}-p{cfg.p}-{cfg.trajectory_hash()}"


def refuse_overwriting_input(out: Path, source: Path) -> None:
    """An output that is the command's input, or lies inside its input folder, is refused: writing it would
    destroy what the command reads or writes."""
    target, source = real_path(out), real_path(source)
    if target == source:
        raise GrokError(
            f"--out {out} is the file being read; writing the frames there would destroy it: choose another --out"
        )
    if source in target.parents:
        raise GrokError(f"--out {out} lies inside the run folder {source}, which grok manages: choose another --out")


def default_frames_file(data_dir: Path, name: str) -> Path:
    """Where a trained run's frames go unless --out says: <data>/<run name>.npz, but the nanda preset's own run goes to
    nanda-trained.npz: nanda.npz is the reference (imported from the paper's demo run, committed and shipped), which
    a run of ours, on a GPU say, never replaces."""
    return data_dir / (f"{name}-trained.npz" if f"{name}.npz" == REFERENCE else f"{name}.npz")


def main_job_frames(data_dir: Path, preset: str, op: str | None, from_checkpoint: Path | None) -> Path:
    """The frames file `grok all` makes and publishes: an imported file's stem, or the run's name (never the
    committed reference, data/nanda.npz: default_frames_file)."""
    if from_checkpoint is not None:
        return data_dir / f"{imported_stem(from_checkpoint)}.npz"
    return default_frames_file(data_dir, run_name(preset, make_config(preset, **({"op": op} if op else {}))))


def check_frames_output(out: Path) -> Path:
    """Before any work: --out can be written, and anything already there is a frames file (grok's to replace)."""
    out = check_writable_file(out, "frames file")
    refuse_replacing_another_kind(out, "schema_version", "frames file")
    return out


def imported_stem(run_file: Path) -> str:
    """The frames name of an imported file: its stem, or its run folder's name for runs/<name>/run.pth."""
    stem = Path(run_file).stem
    return real_path(run_file).parent.name if stem == "run" else stem


@dataclass
class Made:
    out: Path  # the frames file written
    arrays: dict[str, np.ndarray]  # its contents

    @property
    def grokked(self) -> bool:
        return bool(self.arrays["grokked"])


def make_data(
    preset: str,
    overrides: dict,
    *,
    data_dir: Path,
    runs_dir: Path,
    run_dir: Path | None = None,
    out: Path | None = None,
    fresh: bool = False,
    from_checkpoint: Path | None = None,
    preset_given: bool = False,
    show_progress: bool = True,
    say: Callable[[str], None] = print,
) -> Made:
    """Train `preset` with `overrides` (None values ignored) into run_dir (default runs_dir/<run name>) and write
    its frames to out (default data_dir/<run name>.npz); or, with from_checkpoint, export that file as it is.
    Every output is checked writable before any training."""
    overrides = {name: value for name, value in overrides.items() if value is not None}
    run_dir_used = None
    if from_checkpoint is not None:
        ignored = [name for name in overrides if name not in IMPORT_OPTIONS]
        ignored += [name for name, value in (("run_dir", run_dir), ("fresh", fresh), ("preset", preset_given)) if value]
        if ignored:
            flags = ", ".join("--" + name.replace("_", "-") for name in ignored)
            raise GrokError(
                f"{flags} cannot apply with --from-checkpoint (it exports the file as it is, without "
                "training); leave them out"
            )
        out = out or data_dir / f"{imported_stem(from_checkpoint)}.npz"
        refuse_overwriting_input(out, from_checkpoint)
        out = check_frames_output(out)
        run = load_run(from_checkpoint, p=overrides.get("p"), train_frac=overrides.get("train_frac"))
        say(
            f"read {from_checkpoint}: {run.layout} layout, p={run.cfg.p}, "
            f"{len(run.checkpoints)} checkpoint(s); split {run.split_note}"
        )
    else:
        from .train import train

        cfg = make_config(preset, **overrides)
        name = run_name(preset, cfg)
        run_dir_used = run_dir or runs_dir / name
        out = out or default_frames_file(data_dir, name)
        refuse_overwriting_input(out, run_dir_used)
        if (Path(run_dir_used) / "sweep.json").exists():
            raise GrokError(f"--run-dir {run_dir_used} is a sweep's folder, which grok sweep manages: choose another")
        refuse_inside_managed(run_dir_used, "--run-dir")
        out = check_frames_output(out)
        say(
            f"run {name}: {parse_operation(cfg.op).formula}, p={cfg.p} train_frac={cfg.train_frac} lr={cfg.lr} "
            f"wd={cfg.wd} epochs={cfg.epochs} -> {run_dir_used}"
        )
        run = load_run(train(cfg, run_dir_used, fresh=fresh, show_progress=show_progress).run_file)

    arrays = export_frames(run, show_progress=show_progress)
    try:
        save_frames(arrays, out)
    except OutputError as e:
        if run_dir_used is None:
            raise
        raise OutputError(
            f"{e}; the trained run is kept in {run_dir_used}: run the same command again to export it without training"
        ) from None
    return Made(out, arrays)


def not_grokked_warning() -> str:
    return (
        f"warning: this run has not grokked (final test accuracy < {ACCURACY_BAR:.0%}); "
        "train longer (--epochs) before using it as a reference."
    )
