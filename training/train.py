"""The training loop: full-batch AdamW on the train split, test metrics every epoch, resumable.

Epoch convention: `train_loss[e]` and `test_loss[e]` are measured on the weights after e
optimiser steps, which are also the weights of the checkpoint saved at epoch e (when e is a
multiple of checkpoint_every). The last checkpoint, at epoch == cfg.epochs, has no curve entry.
"""

from __future__ import annotations

import ctypes
import subprocess
from contextlib import contextmanager
from pathlib import Path
from typing import Callable

import torch
from tqdm.auto import tqdm

from frames.errors import GrokError
from frames.files import check_writable_folder, describe

from . import arithmetic
from .checkpoints import CheckpointWriter, RunDir, atomic_save, check_digests, write_checkpoint, write_run_file
from .checks import check_resume_state, read_torch_file
from .config import TrainConfig
from .data import all_pairs, train_test_split
from .fast import loss_and_metrics, stacked
from .memory import check_fits
from .model import Transformer, trainable_parameters

CURVES = ("train_loss", "test_loss", "train_acc", "test_acc")


def gpu_available() -> bool:
    return torch.cuda.is_available()


def gpu_visible() -> bool:
    """Whether the machine shows an NVIDIA GPU (nvidia-smi lists one), whether or not this torch can use it."""
    try:
        listed = subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return False
    return listed.returncode == 0 and "GPU" in listed.stdout


def unusable_gpu_note() -> str | None:
    """A line for the user when nvidia-smi lists a GPU this torch cannot use (a CPU build?); None otherwise."""
    if gpu_visible() and not gpu_available():
        return (
            "note: a GPU is visible (nvidia-smi) but this torch cannot use it (a CPU build?), so training runs on the "
            "CPU; ./setup.sh installs the CUDA build where nvidia-smi answers"
        )
    return None


def resolve_device(name: str) -> torch.device:
    if name == "cuda" and not torch.cuda.is_available():
        raise GrokError("--device cuda was asked for, but no CUDA GPU is available (use --device cpu or auto)")
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    return torch.device(name)


M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
GLIBC_THRESHOLD = 128 * 1024  # glibc's default for both


@contextmanager
def freed_memory_kept(device: torch.device):
    """On the CPU with glibc, keep large freed blocks in the heap while training. By default each epoch's
    big tensors (hundreds of MB in batched runs) are mapped fresh from the OS and page-faulted in again;
    keeping them made an 8-run batched epoch ~1.3-1.5x faster on the 2-core CPU. Afterwards the kept
    memory goes back to the OS and glibc's defaults return: the analysis that follows allocates other
    sizes, and on top of a kept heap it had raised a run's peak by the whole of training's. A no-op
    elsewhere."""
    libc = None
    if device.type == "cpu":
        try:
            libc = ctypes.CDLL("libc.so.6")
        except OSError:
            pass
    if libc is not None:
        libc.mallopt(M_MMAP_THRESHOLD, 1 << 30)  # serve blocks below 1 GiB from the heap
        libc.mallopt(M_TRIM_THRESHOLD, 2**31 - 1)  # do not hand freed heap back to the OS
    try:
        yield
    finally:
        if libc is not None:
            libc.mallopt(M_MMAP_THRESHOLD, GLIBC_THRESHOLD)
            libc.mallopt(M_TRIM_THRESHOLD, GLIBC_THRESHOLD)
            libc.malloc_trim(0)


def train(
    cfg: TrainConfig,
    run_dir: Path,
    *,
    fresh: bool = False,
    show_progress: bool = True,
    on_epoch: Callable[[int], None] | None = None,
) -> RunDir:
    """Train (or resume) the run in `run_dir` up to cfg.epochs; return its RunDir.
    `on_epoch(epoch)` is called before each epoch (the CLI does not use it; tests interrupt with it).
    Everything that can be refused is refused before the directory is touched; the directory is
    locked while training, so a second process on it is refused."""
    device = resolve_device(cfg.device)
    if cfg.reproducible:
        arithmetic.pin(device)
    run = RunDir(run_dir)
    if fresh and run.root.exists() and not run.config.exists():
        raise GrokError(f"refusing to delete {run.root} for --fresh: it holds no run (no config.json)")
    if fresh:
        run.check_only_ours()  # --fresh deletes what grok wrote, never a user's files
    check_writable_folder(run.root, "the run")
    check_fits([cfg], device, run.root)
    with run.locked(), freed_memory_kept(device):
        if fresh:
            run.clear()
        run.create(cfg)
        return _train(cfg, run, device, show_progress, on_epoch)


def _train(
    cfg: TrainConfig, run: RunDir, device: torch.device, show_progress: bool, on_epoch: Callable[[int], None] | None
) -> RunDir:
    tokens, labels = all_pairs(cfg.p, cfg.op)
    train_idx, test_idx = train_test_split(cfg.p, cfg.train_frac, cfg.split_seed, cfg.op)
    # (a, b, label), each [n], and no padding weights: one run
    train_batch = (*(x.to(device) for x in (tokens[train_idx, 0], tokens[train_idx, 1], labels[train_idx])), None)
    test_batch = (*(x.to(device) for x in (tokens[test_idx, 0], tokens[test_idx, 1], labels[test_idx])), None)

    torch.manual_seed(cfg.seed)
    model = Transformer(cfg).to(device)
    optimizer = torch.optim.AdamW(
        trainable_parameters(model), lr=cfg.lr, weight_decay=cfg.wd, betas=(cfg.beta1, cfg.beta2), fused=True
    )
    curves = {name: torch.zeros(cfg.epochs, device=device) for name in CURVES}

    start, resumed, record = 0, run.state.exists(), []
    digests, unrecorded_until = {}, -1  # the weights' digest of each checkpoint written (checkpoints.py)
    if resumed:
        try:
            state = check_resume_state(read_torch_file(run.state, "resume state"), cfg, str(run.state))
        except GrokError as e:
            raise GrokError(f"{e}; use --fresh to start over") from None
        start = state["epoch"]
        if start > cfg.epochs:
            raise GrokError(f"{run.root} is already trained to epoch {start} > --epochs {cfg.epochs}")
        try:
            model.load_state_dict(state["model"])
            optimizer.load_state_dict(state["optimizer"])
            torch.set_rng_state(state["rng"])
        except (KeyError, ValueError, RuntimeError, TypeError) as e:
            raise GrokError(
                f"{run.state} cannot be resumed from ({type(e).__name__}); use --fresh to start over"
            ) from None
        if start == cfg.epochs and run.run_file.exists():
            return run  # finished: nothing to train or rewrite
        for name in CURVES:
            kept = state["curves"][name][:start]
            curves[name][: len(kept)] = kept.to(device)
        record = arithmetic.carried_on(
            arithmetic.check_record(state.get("arithmetic", []), start, str(run.state)), start
        )
        digests = check_digests(state.get("checkpoint_digests"), str(run.state))
        if "checkpoint_digests" not in state:
            unrecorded_until = start  # a state from before digests were kept: its checkpoints are taken as they are
    now = arithmetic.describe(device, cfg.reproducible)

    writer = CheckpointWriter()
    saved_epoch = start if resumed else None  # the last epoch whose resume state is on disk

    def save_checkpoint(epoch: int) -> None:
        def write(state: dict) -> None:
            nonlocal saved_epoch
            if epoch not in digests or not run.checkpoint(epoch).exists():
                digests[epoch] = write_checkpoint(state["model"], run.checkpoint(epoch))
            atomic_save({**state, "checkpoint_digests": dict(digests)}, run.state)
            saved_epoch = epoch

        writer.submit(
            write,
            {
                "epoch": epoch,
                "model": model.state_dict(),
                "optimizer": optimizer.state_dict(),
                "rng": torch.get_rng_state(),
                "curves": {name: curve[:epoch] for name, curve in curves.items()},
                "arithmetic": arithmetic.extended(record, now, start, epoch),
                "trajectory": cfg.trajectory_hash(),  # the settings it is trained with (checks.check_resume_state)
            },
        )

    def kept() -> str:
        if saved_epoch is None:
            return f"nothing was kept in {run.root} yet"
        return f"{run.root} keeps the run up to epoch {saved_epoch}"

    report_every = max(1, min(100, cfg.checkpoint_every))
    bar = tqdm(
        total=cfg.epochs,
        initial=min(start, cfg.epochs),
        unit="epoch",
        dynamic_ncols=True,
        disable=not show_progress,
        desc=f"training on {device.type}",
    )
    try:
        try:
            for epoch in range(start, cfg.epochs):
                if on_epoch is not None:
                    on_epoch(epoch)
                if epoch % cfg.checkpoint_every == 0 and not (resumed and epoch == start):
                    save_checkpoint(epoch)

                # The exact fast path (training/fast.py), as a batch of one run; the test split only on the
                # epochs whose test curve is recorded (--eval-every)
                evaluated = epoch % cfg.eval_every == 0
                params = stacked(model.named_parameters())
                losses, metrics = loss_and_metrics(params, cfg.p, train_batch, test_batch if evaluated else None)
                for name, values in metrics.items():
                    curves[name][epoch] = values[0]
                losses[0].backward()
                optimizer.step()
                optimizer.zero_grad(set_to_none=True)

                if (epoch + 1) % report_every == 0 or epoch + 1 == cfg.epochs:
                    if not torch.isfinite(curves["train_loss"][epoch]):
                        raise Diverged(epoch)
                    bar.update(epoch + 1 - bar.n)
                    tested = epoch - epoch % cfg.eval_every  # the last epoch the test curve was recorded at
                    bar.set_postfix_str(
                        f"loss {curves['train_loss'][epoch]:.2e} / {curves['test_loss'][tested]:.2e}  "
                        f"acc {curves['train_acc'][epoch]:.1%} / {curves['test_acc'][tested]:.1%} (train / test)"
                    )
            bar.close()
            if start < cfg.epochs or not run.checkpoint(cfg.epochs).exists():
                save_checkpoint(cfg.epochs)
        finally:
            writer.close()  # also on an interrupt: pending checkpoint writes finish first
    except Diverged as e:
        bar.close()
        raise GrokError(
            f"training diverged: the train loss is {curves['train_loss'][e.epoch]:.3g} at epoch {e.epoch}; "
            f"lower --lr (or --wd); {kept()}"
        ) from None
    except OSError as e:
        raise GrokError(
            f"cannot write {e.filename or run.root} ({describe(e)}); {kept()}: run the same command again to resume"
        ) from None

    try:
        write_run_file(
            run,
            cfg,
            {name: curve.cpu() for name, curve in curves.items()},
            train_idx,
            test_idx,
            arithmetic.extended(record, now, start, cfg.epochs),
            digests,
            unrecorded_until,
        )
    except OSError as e:
        raise GrokError(
            f"cannot write {run.run_file} ({describe(e)}); every checkpoint is kept in {run.root}: "
            "run the same command again to write it"
        ) from None
    return run


class Diverged(Exception):
    def __init__(self, epoch: int):
        super().__init__(epoch)
        self.epoch = epoch
