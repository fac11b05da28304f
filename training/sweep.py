"""Batched runs: many independent training runs in one set of tensors.

Every parameter gets a leading run axis R, and the exact fast path (training/fast.py) computes all R
losses in the same kernels. Runs never mix: each has its own initialisation seed, data split (padded
to the longest split, padding weighted 0), learning rate, weight decay and AdamW moments, so the
gradient of the summed loss with respect to run r's slice is run r's own gradient. A sweep gives the
same results as training the runs one by one with `train()`, to float rounding (tests/test_sweep.py).
"""
from __future__ import annotations

import csv
import dataclasses
import io
import itertools
import json
import math
import shutil
from pathlib import Path
from typing import Callable

import torch
from tqdm.auto import tqdm

from frames.files import LOCK_NAME, atomic_write_text, check_writable_folder, describe, locked_folder
from .checkpoints import CheckpointWriter, RunDir, atomic_save, write_run_file
from .config import MAX_EPOCHS, MAX_SEED, GrokError, TrainConfig
from .data import all_pairs, train_test_split
from .fast import loss_and_metrics
from .memory import check_fits
from .model import Transformer
from frames.operations import parse_operation
from .train import CURVES, keep_freed_memory, resolve_device

SWEEPABLE = ("seed", "split_seed", "wd", "train_frac", "lr", "op")  # what may differ between the runs of a sweep
SUMMARY_COLUMNS = ("name", *SWEEPABLE, "memorise_epoch", "grok_epoch", "final_train_loss", "final_test_loss",
                   "final_test_acc")
# What a summary.csv cell must hold: its type, low <= value < high, and whether it may be non-finite
# (the final losses and accuracy of a run that diverged)
SUMMARY_CELLS = {"seed": (int, 0, MAX_SEED + 1, False), "split_seed": (int, 0, MAX_SEED + 1, False),
                 "wd": (float, 0, math.inf, False), "train_frac": (float, 0, 1, False), "lr": (float, 0, math.inf, False),
                 "memorise_epoch": (int, -1, MAX_EPOCHS, False), "grok_epoch": (int, -1, MAX_EPOCHS, False),
                 "final_train_loss": (float, 0, math.inf, True), "final_test_loss": (float, 0, math.inf, True),
                 "final_test_acc": (float, 0, 1.0 + 1e-9, True)}
OLD_COLUMNS = tuple(column for column in SUMMARY_COLUMNS if column != "op")   # sweeps made before operations: all add


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
            raise GrokError(f"--{name.replace('_', '-')} lists the same value twice ({repeated[0]!r}): "
                            "the sweep would train one run twice")
    names = list(values)
    return [dataclasses.replace(base, **dict(zip(names, combo))).validate()
            for combo in itertools.product(*(values[name] for name in names))]


def short(x: float) -> str:
    """The shortest text that reads back as x: 0.001 -> '0.001', 1.0000001 stays itself."""
    text = f"{x:g}"
    return text if float(text) == x else repr(x)


def get_run_name(cfg: TrainConfig) -> str:
    op = "" if cfg.op == "add" else f"{parse_operation(cfg.op).slug}-"
    return (f"{op}seed{cfg.seed}-split{cfg.split_seed}-wd{short(cfg.wd)}-frac{short(cfg.train_frac)}"
            f"-lr{short(cfg.lr)}")


def first_epoch_at_least(curve: torch.Tensor, level: float) -> int:
    hits = (curve >= level).nonzero()
    return int(hits[0]) if len(hits) else -1


class BatchedAdamW:
    """torch.optim.AdamW's update on stacked parameters [R, ...], one lr and weight decay per run."""

    def __init__(self, params: list[torch.Tensor], lr: torch.Tensor, wd: torch.Tensor,
                 betas: tuple[float, float], eps: float = 1e-8):
        self.params, self.betas, self.eps, self.step_count = params, betas, eps, 0
        self.lr, self.wd = lr, wd                                           # [R], [R]
        self.exp_avg = [torch.zeros_like(p) for p in params]
        self.exp_avg_sq = [torch.zeros_like(p) for p in params]

    @torch.no_grad()
    def step(self) -> None:
        self.step_count += 1
        beta1, beta2 = self.betas
        bias_correction1 = 1 - beta1 ** self.step_count
        bias_correction2_sqrt = (1 - beta2 ** self.step_count) ** 0.5
        for param, exp_avg, exp_avg_sq in zip(self.params, self.exp_avg, self.exp_avg_sq):
            per_run = (-1,) + (1,) * (param.dim() - 1)                      # broadcast [R] over a parameter
            lr, wd = self.lr.view(per_run), self.wd.view(per_run)
            grad = param.grad
            param.mul_(1 - lr * wd)
            exp_avg.lerp_(grad, 1 - beta1)
            exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
            denom = (exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(self.eps)
            param.sub_(exp_avg / denom * (lr / bias_correction1))  # lr is a tensor: no addcdiv_
            param.grad = None


def padded_splits(cfgs: list[TrainConfig], device: torch.device):
    """Per run train and test examples, padded to the longest: (a, b, labels, weights) each [R, n_max].
    Each run has its own operation's labels. Padding is pair (0, 0) with weight 0 and label 0 (div
    leaves that pair out; its label -1 would fail the loss's gather even at weight 0)."""
    tokens, _ = all_pairs(cfgs[0].p)
    labels = torch.stack([all_pairs(cfg.p, cfg.op)[1] for cfg in cfgs])                       # [R, p*p]
    splits = [train_test_split(cfg.p, cfg.train_frac, cfg.split_seed, cfg.op) for cfg in cfgs]

    def pad(indices: list[torch.Tensor]):
        n_max = max(len(i) for i in indices)
        idx = torch.stack([torch.cat([i, i.new_zeros(n_max - len(i))]) for i in indices])    # [R, n_max]
        weights = torch.stack([(torch.arange(n_max) < len(i)).double() for i in indices])    # [R, n_max]
        padded_labels = torch.where(weights > 0, labels.gather(1, idx), 0)                   # [R, n_max]
        return tokens[idx, 0].to(device), tokens[idx, 1].to(device), padded_labels.to(device), weights.to(device)

    return splits, pad([s[0] for s in splits]), pad([s[1] for s in splits])


def init_stacked(cfgs: list[TrainConfig], device: torch.device) -> dict[str, torch.Tensor]:
    """Each run initialised exactly as `train()` initialises it alone, stacked on a run axis."""
    states = []
    for cfg in cfgs:
        torch.manual_seed(cfg.seed)
        states.append(Transformer(cfg).state_dict())
    trainable = {name for name, p in Transformer(cfgs[0]).named_parameters() if p.requires_grad}
    return {name: torch.stack([s[name] for s in states]).to(device).requires_grad_(name in trainable)
            for name in states[0]}


def train_sweep(cfgs: list[TrainConfig], out_dir: Path, *, show_progress: bool = True,
                after: Callable[[list[RunDir]], None] | None = None) -> list[RunDir]:
    """Train every config at once; write a run directory per run under out_dir, and summary.csv.
    Everything that can be refused is refused before out_dir is touched; out_dir is locked while
    the sweep works in it, `after(runs)` included (the CLI exports each run's frames there)."""
    first = cfgs[0]
    shared = [f.name for f in dataclasses.fields(TrainConfig) if f.name not in SWEEPABLE]
    differing = [name for name in shared if any(getattr(cfg, name) != getattr(first, name) for cfg in cfgs)]
    if differing:
        raise GrokError(f"runs of one sweep must share {', '.join(differing)}")
    names = [get_run_name(cfg) for cfg in cfgs]
    if len(set(names)) != len(names):
        raise GrokError(f"the sweep lists the same run twice ({next(n for n in names if names.count(n) > 1)})")
    out_dir = Path(out_dir)
    marker = out_dir / "sweep.json"
    if out_dir.is_dir() and not marker.exists() and any(c.name != LOCK_NAME for c in out_dir.iterdir()):
        raise GrokError(f"refusing to write a sweep into {out_dir}: it is not empty and holds no sweep.json")
    check_writable_folder(out_dir, "the sweep")
    device = resolve_device(first.device)
    check_fits(cfgs, device, out_dir)
    if device.type == "cpu":
        keep_freed_memory()
    with locked_folder(out_dir):
        for child in out_dir.iterdir():  # a previous sweep: sweeps start over rather than resume
            if child.name != LOCK_NAME:
                shutil.rmtree(child) if child.is_dir() else child.unlink()
        atomic_write_text(json.dumps([cfg.to_dict() for cfg in cfgs], indent=2), marker)
        runs = [RunDir(out_dir / name) for name in names]
        for run, cfg in zip(runs, cfgs):
            run.create(cfg)
        try:
            curves, splits = _train_together(cfgs, runs, device, show_progress)
        except OSError as e:
            raise GrokError(f"cannot write {e.filename or out_dir} ({describe(e)}); the sweep stopped, and sweeps "
                            "do not resume: free space, then run it again") from None
        try:
            rows = []
            for r, (run, cfg, (train_idx, test_idx)) in enumerate(zip(runs, cfgs, splits)):
                write_run_file(run, cfg, {name: curve[r] for name, curve in curves.items()}, train_idx, test_idx)
                rows.append({"name": run.root.name, **{k: getattr(cfg, k) for k in SWEEPABLE},
                             "memorise_epoch": first_epoch_at_least(curves["train_acc"][r], 0.99),
                             "grok_epoch": first_epoch_at_least(curves["test_acc"][r], 0.99),
                             "final_train_loss": f"{curves['train_loss'][r, -1]:.4g}",
                             "final_test_loss": f"{curves['test_loss'][r, -1]:.4g}",
                             "final_test_acc": f"{curves['test_acc'][r, -1]:.4f}"})
            write_summary(rows, out_dir / "summary.csv")
        except OSError as e:
            raise GrokError(f"cannot write {e.filename or out_dir} ({describe(e)}); every run's checkpoints are kept "
                            f"in {out_dir}/<run>/checkpoints/, but the sweep's run files or summary.csv are not "
                            "complete") from None
        if after is not None:
            after(runs)
    return runs


def _train_together(cfgs: list[TrainConfig], runs: list[RunDir], device: torch.device, show_progress: bool):
    """The training loop of a sweep: (curves [R, epochs] on the host, each run's split)."""
    first = cfgs[0]
    params = init_stacked(cfgs, device)
    trainable = [p for p in params.values() if p.requires_grad]
    optimizer = BatchedAdamW(trainable, lr=torch.tensor([c.lr for c in cfgs], device=device),
                             wd=torch.tensor([c.wd for c in cfgs], device=device), betas=(first.beta1, first.beta2))
    splits, train_batch, test_batch = padded_splits(cfgs, device)
    R, epochs, p = len(cfgs), first.epochs, first.p
    curves = {name: torch.zeros(R, epochs, device=device) for name in CURVES}

    def write_checkpoints(weights: dict[str, torch.Tensor], epoch: int) -> None:
        for r, run in enumerate(runs):
            atomic_save({name: tensor[r].clone() for name, tensor in weights.items()}, run.checkpoint(epoch))

    writer = CheckpointWriter()
    bar = tqdm(total=epochs, unit="epoch", dynamic_ncols=True, disable=not show_progress,
               desc=f"{R} runs on {device.type}")
    try:
        for epoch in range(epochs):
            if epoch % first.checkpoint_every == 0:
                writer.submit(lambda weights, epoch=epoch: write_checkpoints(weights, epoch), params)
            losses, metrics = loss_and_metrics(params, p, train_batch, test_batch)
            for name in CURVES:
                curves[name][:, epoch] = metrics[name]
            losses.sum().backward()  # runs share no parameters: each slice receives its own run's gradient
            optimizer.step()
            if (epoch + 1) % 100 == 0 or epoch + 1 == epochs:
                bar.update(epoch + 1 - bar.n)
                bar.set_postfix_str(f"{int((curves['test_acc'][:, epoch] >= 0.99).sum())}/{R} grokked")
        bar.close()
        writer.submit(lambda weights: write_checkpoints(weights, epochs), params)
    finally:
        writer.close()
    return {name: curve.cpu() for name, curve in curves.items()}, splits


def write_summary(rows: list[dict], path: Path) -> None:
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=SUMMARY_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    atomic_write_text(text.getvalue(), path)


def read_summary(path: Path) -> list[dict]:
    """A sweep's summary.csv with every cell checked (type and range); one line naming the file,
    the line and the column otherwise."""
    path = Path(path)
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
            if not (low <= value < high or (may_diverge and not math.isfinite(value))):
                raise GrokError(f"{path}, line {line}: {column} is {row[column]}, out of range")
            cells[column] = value
        checked.append(cells)
    return checked
