"""Batched runs: many independent training runs in one set of tensors.

Every parameter gets a leading run axis R, and the exact fast path (training/fast.py) computes all R
losses in the same kernels. Runs never mix: each has its own initialisation seed, data split (padded
to the longest split, padding weighted 0), learning rate, weight decay and AdamW moments, so the
gradient of the summed loss with respect to run r's slice is run r's own gradient. A sweep gives the
same results as training the runs one by one with `train()`, to float rounding (tests/test_sweep.py).

A sweep folder holds
  sweep.json     the grid (every run's config, in grid order) and the shard of it this folder trains
  <run>/         each run's directory as `grok make-data` writes one: config.json, checkpoints/, run.pth
  state.pt       what resuming needs, for every run of the folder: weights, AdamW moments and curves so
                 far, stacked on the run axis; replaced at every checkpoint
  summary.csv    one row per run, at the end
  sweep.npz      the sweep file the phase diagram draws (frames/sweep.py): settings, outcomes, curves
The runs of a folder train as one batch, so they must resume from one epoch: their resume state is
one file replaced by one rename, never R files that a kill could leave at different epochs.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import itertools
import json
import math
import re
import shutil
from pathlib import Path
from typing import Callable

import numpy as np
import torch
from tqdm.auto import tqdm

from frames import ACCURACY_BAR
from frames.errors import GrokError
from frames.files import (
    LOCK_NAME,
    PARTIAL,
    atomic_write_text,
    check_writable_folder,
    describe,
    locked_folder,
    partial_files,
    read_json,
)
from frames.operations import parse_operation
from frames.sweep import SETTING, SWEEP_SCHEMA_VERSION, get_curve_epochs, save_sweep

from . import arithmetic
from .checkpoints import (
    CheckpointWriter,
    RunDir,
    atomic_save,
    check_digests,
    refuse_foreign,
    refuse_inside_managed,
    write_checkpoint,
    write_run_file,
)
from .checks import read_torch_file
from .config import MAX_EPOCHS, MAX_SEED, TrainConfig
from .data import all_pairs, train_test_split
from .fast import loss_and_metrics
from .memory import check_fits, split_sizes
from .model import Transformer
from .train import CURVES, freed_memory_kept, resolve_device

# a grid's configs are built in memory before anything is estimated: refuse absurd products first
MAX_GRID_RUNS = 100_000
SWEEPABLE = ("seed", "split_seed", "wd", "train_frac", "lr", "op")  # what may differ between the runs of a sweep
SUMMARY_COLUMNS = (
    "name",
    *SWEEPABLE,
    "memorise_epoch",
    "grok_epoch",
    "final_train_loss",
    "final_test_loss",
    "final_test_acc",
)
# What a summary.csv cell must hold: its type, low <= value < high, and whether it may be NaN or +inf (the final
# losses of a run that diverged; an accuracy is a share of answers, finite even then)
SUMMARY_CELLS = {
    "seed": (int, 0, MAX_SEED + 1, False),
    "split_seed": (int, 0, MAX_SEED + 1, False),
    "wd": (float, 0, math.inf, False),
    "train_frac": (float, 0, 1, False),
    "lr": (float, 0, math.inf, False),
    "memorise_epoch": (int, -1, MAX_EPOCHS, False),
    "grok_epoch": (int, -1, MAX_EPOCHS, False),
    "final_train_loss": (float, 0, math.inf, True),
    "final_test_loss": (float, 0, math.inf, True),
    "final_test_acc": (float, 0, 1.0 + 1e-9, False),
}
OLD_COLUMNS = tuple(column for column in SUMMARY_COLUMNS if column != "op")  # sweeps made before operations: all add


def sweep_configs(base: TrainConfig, values: dict[str, list]) -> list[TrainConfig]:
    """Every combination of the listed values, the other fields from `base`; each listed once."""
    unknown = set(values) - set(SWEEPABLE)
    if unknown:
        raise GrokError(f"cannot sweep {', '.join(sorted(unknown))} (sweepable: {', '.join(SWEEPABLE)})")
    for name, listed in values.items():
        if not listed:
            raise GrokError(f"--{name.replace('_', '-')} lists no value")
        repeated = [value for n, value in enumerate(listed) if value in listed[:n]]
        if repeated:
            raise GrokError(
                f"--{name.replace('_', '-')} lists the same value twice ({repeated[0]!r}): "
                "the sweep would train one run twice"
            )
    size = math.prod(len(listed) for listed in values.values())
    if size > MAX_GRID_RUNS:
        raise GrokError(f"the lists make a grid of {size:,} runs; at most {MAX_GRID_RUNS:,} can be listed at once")
    names = list(values)
    return [
        dataclasses.replace(base, **dict(zip(names, combo))).validate()
        for combo in itertools.product(*(values[name] for name in names))
    ]


def parse_shard(text: str) -> tuple[int, int]:
    """'3/8' -> (3, 8): the fourth of eight shards, counted from 0 (as job-array task ids usually are)."""
    index, _, count = text.partition("/")
    try:
        index, count = int(index), int(count)
    except ValueError:
        raise GrokError(f"--shard takes i/n, e.g. 0/8 (got {text!r})") from None
    if not 0 <= index < count:
        raise GrokError(f"--shard i/n needs 0 <= i < n (got {text})")
    return index, count


def shard_indices(size: int, shard: tuple[int, int]) -> range:
    """Grid positions of shard (i, n): every n-th run from the i-th, so that every shard gets a share of each
    value of every listed setting, and the shards together hold each run exactly once."""
    index, count = shard
    return range(index, size, count)


def short(x: float) -> str:
    """The shortest text that reads back as x: 0.001 -> '0.001', 1.0000001 stays itself."""
    text = f"{x:g}"
    return text if float(text) == x else repr(x)


def get_run_name(cfg: TrainConfig) -> str:
    op = "" if cfg.op == "add" else f"{parse_operation(cfg.op).slug}-"
    return op + get_settings_name(cfg.seed, cfg.split_seed, cfg.wd, cfg.train_frac, cfg.lr)


def get_settings_name(seed: int, split_seed: int, wd: float, train_frac: float, lr: float, style=short) -> str:
    """The part of a run's name that spells its settings (the first sweeps wrote them with :g, style=old_style)."""
    return f"seed{seed}-split{split_seed}-wd{style(wd)}-frac{style(train_frac)}-lr{style(lr)}"


def old_style(x: float) -> str:
    return f"{x:g}"


SETTINGS_IN_NAME = re.compile(r"seed\d+-split\d+-wd.*$")  # the settings part of a name grok gave a run


def first_epoch_at_least(curve: torch.Tensor, level: float) -> int:
    hits = (curve >= level).nonzero()
    return int(hits[0]) if len(hits) else -1


class BatchedAdamW:
    """torch.optim.AdamW's update on stacked parameters [R, ...], one lr and weight decay per run."""

    def __init__(
        self,
        params: list[torch.Tensor],
        lr: torch.Tensor,
        wd: torch.Tensor,
        betas: tuple[float, float],
        eps: float = 1e-8,
    ):
        self.params, self.betas, self.eps, self.step_count = params, betas, eps, 0
        self.lr, self.wd = lr, wd  # [R], [R]
        self.exp_avg = [torch.zeros_like(p) for p in params]
        self.exp_avg_sq = [torch.zeros_like(p) for p in params]

    @torch.no_grad()
    def step(self) -> None:
        self.step_count += 1
        beta1, beta2 = self.betas
        bias_correction1 = 1 - beta1**self.step_count
        bias_correction2_sqrt = (1 - beta2**self.step_count) ** 0.5
        for param, exp_avg, exp_avg_sq in zip(self.params, self.exp_avg, self.exp_avg_sq):
            per_run = (-1,) + (1,) * (param.dim() - 1)  # broadcast [R] over a parameter
            lr, wd = self.lr.view(per_run), self.wd.view(per_run)
            grad = param.grad
            param.mul_(1 - lr * wd)
            exp_avg.lerp_(grad, 1 - beta1)
            exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
            denom = (exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(self.eps)
            param.sub_(exp_avg / denom * (lr / bias_correction1))  # lr is a tensor: no addcdiv_
            param.grad = None


def padded_splits(cfgs: list[TrainConfig], device: torch.device, pad_to: tuple[int, int]):
    """Per run train and test examples, padded to pad_to = (n_train, n_test), the largest of the whole grid,
    so that a run's tensors have the same shapes whichever shard trains it: (a, b, labels, weights) each [R, n].
    Each run has its own operation's labels. Padding is pair (0, 0) with weight 0 and label 0 (div
    leaves that pair out; its label -1 would fail the loss's gather even at weight 0)."""
    tokens, _ = all_pairs(cfgs[0].p)
    labels = torch.stack([all_pairs(cfg.p, cfg.op)[1] for cfg in cfgs])  # [R, p*p]
    splits = [train_test_split(cfg.p, cfg.train_frac, cfg.split_seed, cfg.op) for cfg in cfgs]

    def pad(indices: list[torch.Tensor], n_max: int):
        idx = torch.stack([torch.cat([i, i.new_zeros(n_max - len(i))]) for i in indices])  # [R, n_max]
        weights = torch.stack([(torch.arange(n_max) < len(i)).double() for i in indices])  # [R, n_max]
        padded_labels = torch.where(weights > 0, labels.gather(1, idx), 0)  # [R, n_max]
        return tokens[idx, 0].to(device), tokens[idx, 1].to(device), padded_labels.to(device), weights.to(device)

    return splits, pad([s[0] for s in splits], pad_to[0]), pad([s[1] for s in splits], pad_to[1])


def init_stacked(cfgs: list[TrainConfig], device: torch.device) -> dict[str, torch.Tensor]:
    """Each run initialised exactly as `train()` initialises it alone, stacked on a run axis."""
    states = []
    for cfg in cfgs:
        torch.manual_seed(cfg.seed)
        states.append(Transformer(cfg).state_dict())
    trainable = {name for name, p in Transformer(cfgs[0]).named_parameters() if p.requires_grad}
    return {
        name: torch.stack([s[name] for s in states]).to(device).requires_grad_(name in trainable) for name in states[0]
    }


def get_plan(grid: list[TrainConfig], shard: tuple[int, int]) -> dict:
    """What sweep.json records: the whole grid and the shard of it a folder trains."""
    return {"grid": [cfg.to_dict() for cfg in grid], "shard": list(shard)}


def same_sweep(recorded: object, plan: dict) -> bool:
    """Whether a folder's sweep.json is this sweep: the same grid and shard; only epochs and device may differ
    (more epochs extend a sweep, as they extend a run)."""

    def settings(grid):
        return [{k: v for k, v in cfg.items() if k not in ("epochs", "device")} for cfg in grid]

    return (
        isinstance(recorded, dict)
        and recorded.get("shard") == plan["shard"]
        and isinstance(recorded.get("grid"), list)
        and all(isinstance(cfg, dict) for cfg in recorded["grid"])
        and settings(recorded["grid"]) == settings(plan["grid"])
    )


def read_plan(marker: Path) -> object:
    """A folder's sweep.json, or None where it cannot be read as one (a pipe or a device is never read)."""
    try:
        return read_json(marker, "sweep plan")
    except GrokError:
        return None


SWEEP_FILES = ("sweep.json", "state.pt", "summary.csv", "sweep.npz", LOCK_NAME)  # besides the run folders


def foreign_files(out_dir: Path) -> list[Path]:
    """What in a sweep folder grok did not write: anything but SWEEP_FILES, partial files, and run folders that
    hold only a run's own files (training/checkpoints.py RunDir.foreign)."""
    found = []
    for child in out_dir.iterdir():
        if child.name in SWEEP_FILES or child.name.endswith(PARTIAL):
            continue
        if child.is_dir() and not child.is_symlink() and (child / "config.json").is_file():
            found += RunDir(child).foreign()
        else:
            found.append(child)
    return sorted(found)


def train_sweep(
    grid: list[TrainConfig],
    out_dir: Path,
    *,
    shard: tuple[int, int] = (0, 1),
    fresh: bool = False,
    show_progress: bool = True,
    after: Callable[[list[RunDir]], None] | None = None,
    on_epoch: Callable[[int], None] | None = None,
) -> list[RunDir]:
    """Train the runs of `grid` that `shard` picks, all at once; write a run directory per run under out_dir,
    summary.csv and sweep.npz. Run again after an interruption, it resumes from the last checkpoint (`fresh` starts
    over). Everything that can be refused is refused before out_dir is touched; out_dir is locked while the
    sweep works in it, `after(runs)` included (the CLI exports each run's frames there). `on_epoch(epoch)` is
    called before each epoch (tests interrupt with it)."""
    first = grid[0]
    shared = [f.name for f in dataclasses.fields(TrainConfig) if f.name not in SWEEPABLE]
    differing = [name for name in shared if any(getattr(cfg, name) != getattr(first, name) for cfg in grid)]
    if differing:
        raise GrokError(f"runs of one sweep must share {', '.join(differing)}")
    names = [get_run_name(cfg) for cfg in grid]
    if len(set(names)) != len(names):
        raise GrokError(f"the sweep lists the same run twice ({next(n for n in names if names.count(n) > 1)})")
    picked = shard_indices(len(grid), shard)
    if not picked:
        raise GrokError(
            f"shard {shard[0]}/{shard[1]} holds no run: the grid has {len(grid)} run(s); use at most {len(grid)} shards"
        )
    cfgs = [grid[g] for g in picked]
    out_dir = Path(out_dir)
    refuse_inside_managed(out_dir, "--out")
    marker, plan = out_dir / "sweep.json", get_plan(grid, shard)
    if out_dir.is_dir() and not marker.exists() and any(c.name != LOCK_NAME for c in out_dir.iterdir()):
        raise GrokError(f"refusing to write a sweep into {out_dir}: it is not empty and holds no sweep.json")
    check_writable_folder(out_dir, "the sweep")
    device = resolve_device(first.device)
    if first.reproducible:
        arithmetic.pin(device)
    check_fits(cfgs, device, out_dir)
    pad_to = tuple(max(sizes) for sizes in zip(*(split_sizes(cfg) for cfg in grid)))
    if fresh and out_dir.is_dir():
        refuse_foreign(foreign_files(out_dir), out_dir, "--out")
    with locked_folder(out_dir):
        if (marker.exists() or marker.is_symlink()) and not fresh:
            try:
                recorded = read_json(marker, "sweep plan")
            except GrokError as e:
                raise GrokError(f"{e}; use --fresh to replace the sweep in {out_dir}, or another --out") from None
        if marker.exists() and not fresh and not same_sweep(recorded, plan):
            raise GrokError(
                f"{out_dir} holds another sweep (other settings or another shard); use --fresh to "
                "replace it, or another --out"
            )
        for child in list(out_dir.iterdir()) if fresh or not marker.exists() else partial_files(out_dir):
            if child.name != LOCK_NAME:  # a sweep replaced, or the partial files a killed one left
                shutil.rmtree(child) if child.is_dir() else child.unlink()
        atomic_write_text(json.dumps(plan, indent=2), marker)
        runs = [RunDir(out_dir / names[g]) for g in picked]
        for run, cfg in zip(runs, cfgs):
            run.create(cfg)
        try:
            with freed_memory_kept(device):
                curves, splits, trained, record, (digests, unrecorded_until) = _train_together(
                    cfgs, runs, device, pad_to, out_dir / "state.pt", show_progress, on_epoch
                )
        except OSError as e:
            raise GrokError(
                f"cannot write {e.filename or out_dir} ({describe(e)}); the sweep stopped: free space, "
                "then run the same command again to resume"
            ) from None
        try:
            rows = []
            for r, (run, cfg, (train_idx, test_idx)) in enumerate(zip(runs, cfgs, splits)):
                if trained or not run.run_file.exists():
                    write_run_file(
                        run,
                        cfg,
                        {name: curve[r] for name, curve in curves.items()},
                        train_idx,
                        test_idx,
                        record,
                        digests[r],
                        unrecorded_until,
                    )
                rows.append(get_summary_row(run.root.name, cfg, {name: curve[r] for name, curve in curves.items()}))
            write_summary(rows, out_dir / "summary.csv")
            save_sweep(get_sweep_arrays(grid, cfgs, rows, curves), out_dir / "sweep.npz")
        except OSError as e:
            raise GrokError(
                f"cannot write {e.filename or out_dir} ({describe(e)}); every run's checkpoints are kept "
                f"in {out_dir}/<run>/checkpoints/: run the same command again to write the run files "
                "and summaries"
            ) from None
        if after is not None:
            after(runs)
    return runs


def get_summary_row(name: str, cfg: TrainConfig, curves: dict[str, torch.Tensor]) -> dict:
    """One run's summary.csv row from its curves ([epochs] each)."""
    return {
        "name": name,
        **{k: getattr(cfg, k) for k in SWEEPABLE},
        "memorise_epoch": first_epoch_at_least(curves["train_acc"], ACCURACY_BAR),
        "grok_epoch": first_epoch_at_least(curves["test_acc"], ACCURACY_BAR),
        "final_train_loss": f"{curves['train_loss'][-1]:.4g}",
        "final_test_loss": f"{curves['test_loss'][-1]:.4g}",
        "final_test_acc": f"{curves['test_acc'][-1]:.4f}",
    }


def get_sweep_operation(grid: list[TrainConfig]) -> str:
    """The task of the whole grid (every shard says the same): its formula, or the operations it sweeps."""
    ops = list(dict.fromkeys(cfg.op for cfg in grid))
    return parse_operation(ops[0]).formula if len(ops) == 1 else "operations " + ", ".join(ops)


def get_sweep_arrays(
    grid: list[TrainConfig], cfgs: list[TrainConfig], rows: list[dict], curves: dict[str, torch.Tensor]
) -> dict[str, np.ndarray]:
    """The sweep file (frames/sweep.py) of these runs of the grid: settings, outcomes, curves [R, epochs]
    sampled at log-spaced epochs."""
    first = grid[0].to_dict()
    shared = {k: v for k, v in first.items() if k != "device" and all(cfg.to_dict()[k] == v for cfg in grid)}
    samples = torch.from_numpy(get_curve_epochs(cfgs[0].epochs)).long()
    return {
        "sweep_schema_version": np.int64(SWEEP_SCHEMA_VERSION),
        "p": np.int64(cfgs[0].p),
        "operation": np.str_(get_sweep_operation(grid)),
        "epochs": np.int64(cfgs[0].epochs),
        "shared_json": np.str_(json.dumps(shared, sort_keys=True)),
        "run_names": np.array([row["name"] for row in rows]),
        **{SETTING + k: np.array([getattr(cfg, k) for cfg in cfgs]) for k in SWEEPABLE},
        "memorise_epoch": np.array([row["memorise_epoch"] for row in rows], dtype=np.int32),
        "grok_epoch": np.array([row["grok_epoch"] for row in rows], dtype=np.int32),
        **{
            f"final_{name}": curves[name][:, -1].numpy().astype(np.float32)
            for name in ("train_loss", "test_loss", "test_acc")
        },
        "curve_epochs": samples.numpy().astype(np.int32),
        "train_loss": curves["train_loss"][:, samples].numpy().astype(np.float32),
        "test_loss": curves["test_loss"][:, samples].numpy().astype(np.float32),
    }


def check_sweep_state(
    state: object, names: list[str], params: dict[str, torch.Tensor], moments: int, epochs: int, where: str
) -> dict:
    """A sweep folder's state.pt: the epoch, the run names, every stacked parameter and AdamW moment with the
    shapes this sweep has, the curves so far. Values may be non-finite: a run of a sweep may diverge."""
    if not isinstance(state, dict) or not {"epoch", "names", "params", "exp_avg", "exp_avg_sq", "curves"} <= set(state):
        raise GrokError(
            f"{where} is not a sweep's resume state (needs epoch, names, params, exp_avg, exp_avg_sq, "
            "curves); use --fresh to start over"
        )
    epoch = state["epoch"]
    if isinstance(epoch, bool) or not isinstance(epoch, int) or epoch < 0:
        raise GrokError(f"{where}: epoch must be a whole number >= 0 (got {epoch!r}); use --fresh to start over")
    if epoch > epochs:
        raise GrokError(f"{where}: the sweep is already trained to epoch {epoch} > --epochs {epochs}")
    if state["names"] != names:
        raise GrokError(f"{where} holds other runs than this sweep's; use --fresh to start over")
    trainable = [p for p in params.values() if p.requires_grad]
    expected = [("params", name, tuple(p.shape)) for name, p in params.items()]
    expected += [(kind, n, tuple(p.shape)) for kind in ("exp_avg", "exp_avg_sq") for n, p in enumerate(trainable)]
    expected += [("curves", name, (len(names), epoch)) for name in CURVES]
    for kind, key, shape in expected:
        group = state[kind]
        value = (
            group.get(key)
            if isinstance(group, dict)
            else group[key]
            if isinstance(group, list) and key < len(group)
            else None
        )
        if not isinstance(value, torch.Tensor) or tuple(value.shape) != shape or not value.is_floating_point():
            raise GrokError(
                f"{where}: {kind} {key} is missing or not a tensor of shape {list(shape)}; use --fresh to start over"
            )
    if len(state["exp_avg"]) != moments or len(state["exp_avg_sq"]) != moments:
        raise GrokError(f"{where}: AdamW's moments do not match the parameters; use --fresh to start over")
    return state


def _train_together(
    cfgs: list[TrainConfig],
    runs: list[RunDir],
    device: torch.device,
    pad_to: tuple[int, int],
    state_path: Path,
    show_progress: bool,
    on_epoch: Callable[[int], None] | None,
):
    """The training loop of a sweep, from its resume state if it has one: (curves [R, epochs] on the host, each
    run's split, whether any epoch was trained, the arithmetic of each stretch of epochs, each run's checkpoint
    digests and the epoch up to which its checkpoints were written before digests were kept)."""
    first = cfgs[0]
    params = init_stacked(cfgs, device)
    trainable = [p for p in params.values() if p.requires_grad]
    optimizer = BatchedAdamW(
        trainable,
        lr=torch.tensor([c.lr for c in cfgs], device=device),
        wd=torch.tensor([c.wd for c in cfgs], device=device),
        betas=(first.beta1, first.beta2),
    )
    splits, train_batch, test_batch = padded_splits(cfgs, device, pad_to)
    R, epochs, p = len(cfgs), first.epochs, first.p
    curves = {name: torch.zeros(R, epochs, device=device) for name in CURVES}
    names = [run.root.name for run in runs]

    start, resumed, record = 0, state_path.exists(), []
    digests, unrecorded_until = [{} for _ in runs], -1  # per run, as in training/train.py
    if resumed:
        state = check_sweep_state(
            read_torch_file(state_path, "resume state"), names, params, len(trainable), epochs, str(state_path)
        )
        start = state["epoch"]
        if "checkpoint_digests" in state:
            saved = state["checkpoint_digests"]
            if not isinstance(saved, list) or len(saved) != R:
                raise GrokError(f"{state_path}: checkpoint_digests is not one table per run; use --fresh to start over")
            digests = [check_digests(table, str(state_path)) for table in saved]
        else:
            unrecorded_until = start
        record = arithmetic.carried_on(
            arithmetic.check_record(state.get("arithmetic", []), start, str(state_path)), start
        )
        with torch.no_grad():
            for name, param in params.items():
                param.copy_(state["params"][name])
            for ours, saved in zip(optimizer.exp_avg + optimizer.exp_avg_sq, state["exp_avg"] + state["exp_avg_sq"]):
                ours.copy_(saved)
            for name in CURVES:
                curves[name][:, :start] = state["curves"][name]
        optimizer.step_count = start
        final_saved = all(run.checkpoint(epochs).exists() for run in runs)
        if start == epochs and final_saved:
            curves = {name: curve.cpu() for name, curve in curves.items()}
            return curves, splits, False, record, (digests, unrecorded_until)
    now = arithmetic.describe(device, first.reproducible)

    def save_checkpoint(epoch: int) -> None:
        def write(state: dict) -> None:
            for r, run in enumerate(runs):
                if epoch not in digests[r] or not run.checkpoint(epoch).exists():
                    weights = {name: tensor[r].clone() for name, tensor in state["params"].items()}
                    digests[r][epoch] = write_checkpoint(weights, run.checkpoint(epoch))
            atomic_save({**state, "checkpoint_digests": [dict(table) for table in digests]}, state_path)

        writer.submit(
            write,
            {
                "epoch": epoch,
                "names": names,
                "params": params,
                "exp_avg": optimizer.exp_avg,
                "exp_avg_sq": optimizer.exp_avg_sq,
                "curves": {name: curve[:, :epoch] for name, curve in curves.items()},
                "arithmetic": arithmetic.extended(record, now, start, epoch),
            },
        )

    writer = CheckpointWriter()
    bar = tqdm(
        total=epochs,
        initial=start,
        unit="epoch",
        dynamic_ncols=True,
        disable=not show_progress,
        desc=f"{R} runs on {device.type}",
    )
    try:
        for epoch in range(start, epochs):
            if on_epoch is not None:
                on_epoch(epoch)
            if epoch % first.checkpoint_every == 0 and not (resumed and epoch == start):
                save_checkpoint(epoch)
            losses, metrics = loss_and_metrics(params, p, train_batch, test_batch)
            for name in CURVES:
                curves[name][:, epoch] = metrics[name]
            losses.sum().backward()  # runs share no parameters: each slice receives its own run's gradient
            optimizer.step()
            if (epoch + 1) % 100 == 0 or epoch + 1 == epochs:
                bar.update(epoch + 1 - bar.n)
                bar.set_postfix_str(f"{int((curves['test_acc'][:, epoch] >= ACCURACY_BAR).sum())}/{R} grokked")
        bar.close()
        save_checkpoint(epochs)
    finally:
        writer.close()  # also on an interrupt: pending checkpoint writes finish first
    return (
        {name: curve.cpu() for name, curve in curves.items()},
        splits,
        True,
        arithmetic.extended(record, now, start, epochs),
        (digests, unrecorded_until),
    )


def export_run_frames(runs: list[RunDir], out_dir: Path, warn: Callable[[str], None]) -> int:
    """Each run's frames file (frames.npz beside its run.pth), where it is missing or older than the run file;
    a run that diverged gets none, with a warning. Returns how many were written."""
    from frames import save_frames
    from frames.errors import OutputError

    from .checkpoints import load_run
    from .export import export_frames

    written = 0
    for run in runs:
        target = run.root / "frames.npz"
        if target.exists() and target.stat().st_mtime >= run.run_file.stat().st_mtime:
            continue
        try:
            arrays = export_frames(load_run(run.run_file), show_progress=False)
        except GrokError as e:  # a run that diverged: its weights are not finite, or far too large
            warn(f"warning: no frames for {run.root.name}: {e}")
            continue
        try:
            save_frames(arrays, target)
        except OutputError as e:
            raise OutputError(
                f"{e}; every run (checkpoints, run.pth) and summary.csv are kept in {out_dir}: "
                "run the same command again to export the rest"
            ) from None
        written += 1
    return written


def write_summary(rows: list[dict], path: Path) -> None:
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=SUMMARY_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    atomic_write_text(text.getvalue(), path)


def read_summary(path: Path, plan_file: Path | None = None) -> list[dict]:
    """A sweep's summary.csv with every cell checked (type and range) and the facts of each row against each other
    (and, given the sweep.json beside it, against the plan); one line naming the file, the line and the column
    otherwise."""
    path = Path(path)
    if path.exists() and not path.is_file():
        raise GrokError(f"{path} is not a regular file (a folder, a pipe or a device); a sweep summary is a file")
    try:
        reader = csv.DictReader(io.StringIO(path.read_text()))
        columns, rows = tuple(reader.fieldnames or ()), list(reader)
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise GrokError(f"cannot read {path} as a sweep summary ({type(e).__name__})") from None
    if columns not in (SUMMARY_COLUMNS, OLD_COLUMNS):
        raise GrokError(f"{path} is not a sweep summary: its columns are not {', '.join(SUMMARY_COLUMNS)}")
    checked = []
    for line, row in enumerate(rows, start=2):
        if None in row or None in row.values():
            raise GrokError(f"{path}, line {line}: {len(columns)} cells expected")
        if not row["name"]:
            raise GrokError(f"{path}, line {line}: no run name")
        try:
            cells = {"name": row["name"], "op": parse_operation(row.get("op", "add")).name}
        except ValueError as e:
            raise GrokError(f"{path}, line {line}: {e}") from None
        for column, (kind, low, high, may_diverge) in SUMMARY_CELLS.items():
            try:
                value = kind(row[column])
            except (TypeError, ValueError):
                number = "whole number" if kind is int else "number"
                raise GrokError(f"{path}, line {line}: {column} is {row[column]!r}, not a {number}") from None
            if not (low <= value < high or (may_diverge and (math.isnan(value) or value == math.inf))):
                raise GrokError(f"{path}, line {line}: {column} is {row[column]}, out of range")
            cells[column] = value
        if any(earlier["name"] == cells["name"] for earlier in checked):
            raise GrokError(f"{path}, line {line}: run {cells['name']} is listed twice")
        check_row_facts(cells, f"{path}, line {line}")
        checked.append(cells)
    if plan_file is not None:
        check_rows_against_plan(checked, plan_file, path)
    return checked


def check_row_facts(cells: dict, where: str) -> None:
    """What one row's cells must agree on: the name grok gave the run spells its settings, and the two final losses
    are of the same weights (finite both, or both not: a run that diverged)."""
    spelled = SETTINGS_IN_NAME.search(cells["name"])
    settings = [cells[key] for key in ("seed", "split_seed", "wd", "train_frac", "lr")]
    if spelled and spelled.group(0) not in (
        get_settings_name(*settings),
        get_settings_name(*settings, style=old_style),
    ):
        raise GrokError(
            f"{where}: run {cells['name']} is named for other settings than its cells hold "
            f"({get_settings_name(*settings)})"
        )
    if math.isfinite(cells["final_train_loss"]) != math.isfinite(cells["final_test_loss"]):
        raise GrokError(f"{where}: one final loss is finite and the other not, yet both are of the final weights")


def check_rows_against_plan(rows: list[dict], plan_file: Path, path: Path) -> None:
    """A summary beside its sweep.json: every row a run of the plan's grid, every epoch within the grid's epochs."""
    plan = read_json(plan_file, "sweep plan")
    try:
        grid = [TrainConfig(**cfg).validate() for cfg in plan["grid"]]
        shard = plan["shard"]
    except (TypeError, KeyError, ValueError, GrokError):
        raise GrokError(f"{plan_file} is not a sweep plan (a grid of run settings); the summary beside it is unchecked")
    if shard is not None and not (
        isinstance(shard, list) and len(shard) == 2 and all(type(x) is int for x in shard) and 0 <= shard[0] < shard[1]
    ):
        raise GrokError(f"{plan_file}: shard must be [i, n] with 0 <= i < n, or null (got {shard!r})")
    names, epochs = {get_run_name(cfg) for cfg in grid}, max(cfg.epochs for cfg in grid)
    for row in rows:
        if row["name"] not in names:
            raise GrokError(f"{path}: run {row['name']} is not one of the runs {plan_file} plans")
        for column in ("memorise_epoch", "grok_epoch"):
            if row[column] >= epochs:
                raise GrokError(
                    f"{path}: run {row['name']}: {column} {row[column]:,} is past the sweep's {epochs:,} epochs"
                )
