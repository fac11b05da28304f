"""How much memory and disk a run or a sweep will need, estimated from its config before anything
is allocated, and the check that refuses what does not fit.

The estimate adds up the big tensors of each stage (float32: 4 bytes, float64: 8), counted from the
code that allocates them and checked against measured peaks (figures in the module's tests):
  training  parameters, gradients and AdamW's two moments; the fast path's activations
            (training/fast.py): the train batch's forward and backward, or the train batch's saved
            activations plus the test batch's forward, whichever is larger; the curves; checkpoint
            copies on their way to disk
  analysis  after training, one run at a time: its checkpoints loaded back, and the analysis of all
            p*p pairs in training/export.py (the final activations in float64, Fourier-transformed)
plus the interpreter with torch loaded. Only one of training and analysis is alive at a time.
"""

from __future__ import annotations

import math
import shutil
from dataclasses import dataclass
from pathlib import Path

from frames.errors import GrokError
from frames.files import real_path
from frames.operations import parse_operation

from .config import TrainConfig

FLOAT32, FLOAT64 = 4, 8
TORCH_PROCESS_BYTES = 350e6  # Python with torch, numpy and click loaded (measured: 316-330 MB RSS)
CUDA_CONTEXT_BYTES = 600e6  # what a CUDA context takes on the device before any tensor
PYTHON_FLOAT_BYTES = 32  # one float in a Python list (the run file's curves): object + pointer


def size(n_bytes: float) -> str:
    """3.3e6 -> '3.3 MB', 9.47e10 -> '94.7 GB'."""
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n_bytes >= scale:
            return f"{n_bytes / scale:,.1f} {unit}"
    return f"{n_bytes:.0f} bytes"


def parameter_count(cfg: TrainConfig) -> int:
    d, h, dh, m, p = cfg.d_model, cfg.n_heads, cfg.d_head, cfg.d_mlp, cfg.p
    return (
        (p + 1) * d
        + 3 * d  # W_E, W_pos
        + 4 * h * d * dh
        + 3 * h * dh
        + d  # W_Q, W_K, W_V, W_O and their biases
        + 2 * d * m
        + m
        + d  # W_in, W_out, b_in, b_out
        + d * p
        + p
    )  # W_U, b_U


def checkpoint_count(cfg: TrainConfig) -> int:
    return cfg.epochs // cfg.checkpoint_every + 2  # epoch 0, every interval, and the last epoch


def split_sizes(cfg: TrainConfig) -> tuple[int, int]:
    """(train, test) pair counts, as training/data.py's train_test_split makes them (div has p (p - 1) pairs)."""
    pairs = int(parse_operation(cfg.op).in_data(cfg.p).sum())
    n_train = int(cfg.train_frac * pairs)
    return n_train, pairs - n_train


def training_bytes(cfgs: list[TrainConfig]) -> float:
    """Peak of the training loop for these runs trained together (one run: a list of one)."""
    cfg, runs = cfgs[0], len(cfgs)
    m, p, h = cfg.d_mlp, cfg.p, cfg.n_heads
    n_train = max(split_sizes(c)[0] for c in cfgs)  # a sweep pads every run to the largest split
    n_test = max(split_sizes(c)[1] for c in cfgs)
    # Per example, from fast.py: the embedding-bag sum [d_mlp + p], relu [d_mlp], logits [p] and their
    # float64 log-softmax, the attention pattern and bag indices [3 heads + 1]; backward doubles most.
    train_step = n_train * FLOAT32 * (6 * m + 11 * p + 21 * h + 11)
    saved = n_train * FLOAT32 * (2 * m + 4 * p + 21 * h + 11)
    test_forward = n_test * FLOAT32 * (2.5 * m + 3 * p + 20 * h)
    activations = max(train_step, saved + test_forward)
    weights = 4 * parameter_count(cfg) * FLOAT32  # parameters, gradients, two AdamW moments
    in_flight = 2 * 3 * parameter_count(cfg) * FLOAT32  # up to two checkpoint copies (weights, moments)
    curves = 4 * cfg.epochs * FLOAT32
    return runs * (activations + weights + in_flight + curves)


def analysis_bytes(cfg: TrainConfig, checkpoints: int | None = None) -> float:
    """Peak of writing the run file and exporting the frames of one run."""
    checkpoints = checkpoint_count(cfg) if checkpoints is None else checkpoints
    m, p, d = cfg.d_mlp, cfg.p, cfg.d_model
    pairs = p * p
    forward = pairs * FLOAT32 * (10 * cfg.n_heads * cfg.d_head + 6 * d + 2 * m + p)  # the plain model on all pairs
    fourier = pairs * FLOAT64 * 5 * m  # final activations in float64: as read, centred, over a, over b, squared
    measures = pairs * FLOAT64 * 3 * p  # logits, restricted and excluded logits in float64
    weights = checkpoints * parameter_count(cfg) * FLOAT32
    curves = 2 * 4 * cfg.epochs * PYTHON_FLOAT_BYTES  # the run file's curve lists, read and copied
    return weights + curves + forward + max(fourier, measures)


def disk_bytes(cfgs: list[TrainConfig]) -> float:
    """Files a run leaves: every checkpoint twice (checkpoints/ and run.pth), resume state, frames."""
    cfg = cfgs[0]
    per_run = (2 * checkpoint_count(cfg) + 3) * parameter_count(cfg) * FLOAT32 + 8 * cfg.epochs * FLOAT32
    return len(cfgs) * per_run


def available_memory() -> float | None:
    """Bytes this process can still allocate: MemAvailable, lowered by a cgroup limit; None if unknown."""
    try:
        meminfo = dict(line.split(":", 1) for line in Path("/proc/meminfo").read_text().splitlines())
        available = float(meminfo["MemAvailable"].split()[0]) * 1024
    except (OSError, KeyError, ValueError):
        return None
    try:
        limit = Path("/sys/fs/cgroup/memory.max").read_text().strip()
        if limit != "max":
            used = float(Path("/sys/fs/cgroup/memory.current").read_text())
            available = min(available, float(limit) - used)
    except (OSError, ValueError):
        pass
    return available


def available_device_memory(device) -> float | None:
    import torch

    if device.type != "cuda":
        return None
    free, _ = torch.cuda.mem_get_info(device)
    return float(free)


def available_disk(path: Path) -> float:
    path = real_path(path)
    while not path.exists():
        path = path.parent
    return float(shutil.disk_usage(path).free)


def already_written(root: Path) -> float:
    """Bytes a resumed run has already written (they need no new space)."""
    root = Path(root)
    return float(sum(f.stat().st_size for f in root.rglob("*") if f.is_file())) if root.is_dir() else 0.0


@dataclass(frozen=True)
class Estimate:
    training: float  # on the device (the host when it is the CPU)
    analysis: float  # on the host, after training
    disk: float

    def host(self, on_gpu: bool) -> float:
        return TORCH_PROCESS_BYTES + (self.analysis if on_gpu else max(self.training, self.analysis))


def estimate(cfgs: list[TrainConfig]) -> Estimate:
    return Estimate(training_bytes(cfgs), analysis_bytes(cfgs[0]), disk_bytes(cfgs))


def shard_advice(cfgs: list[TrainConfig], training: float, room: float) -> str:
    """For a sweep whose training does not fit in `room` bytes: how many shards would make each fit."""
    per_run = training / len(cfgs)
    at_once = int(room // per_run) if room > 0 else 0
    if len(cfgs) == 1 or at_once < 1:
        return "fewer runs, " if len(cfgs) > 1 else ""
    shards = math.ceil(len(cfgs) / at_once)
    return f"--shard i/{shards} (or more shards: {at_once:,} run{'s' if at_once > 1 else ''} at a time), fewer runs, "


def check_fits(cfgs: list[TrainConfig], device, out_dir: Path) -> Estimate:
    """Refuse, with the figures, a run or sweep that would not fit in memory or on disk."""
    need = estimate(cfgs)
    what = "this run" if len(cfgs) == 1 else f"this sweep of {len(cfgs):,} runs"
    advice = "a smaller p or d_mlp, fewer epochs or a larger --checkpoint-every"
    on_gpu = device.type == "cuda"
    host, free = need.host(on_gpu), available_memory()
    if free is not None and host > free:
        room = 0.0 if on_gpu or TORCH_PROCESS_BYTES + need.analysis > free else free - TORCH_PROCESS_BYTES
        raise GrokError(
            f"{what} needs about {size(host)} of memory ({size(need.training)} to train, "
            f"{size(need.analysis)} to analyse, {size(TORCH_PROCESS_BYTES)} for torch) "
            f"but {size(free)} is available; use {shard_advice(cfgs, need.training, room)}{advice}"
        )
    if on_gpu:
        device_need, device_free = need.training + CUDA_CONTEXT_BYTES, available_device_memory(device)
        if device_free is not None and device_need > device_free:
            room = device_free - CUDA_CONTEXT_BYTES
            raise GrokError(
                f"{what} needs about {size(device_need)} of GPU memory but {size(device_free)} "
                f"is free on {device}; use {shard_advice(cfgs, need.training, room)}{advice}"
            )
    disk_need, disk_free = need.disk - already_written(out_dir), available_disk(out_dir)
    if disk_need > disk_free:
        raise GrokError(
            f"{what} writes about {size(disk_need)} under {out_dir} but {size(disk_free)} "
            f"is free there; use {'fewer runs, ' if len(cfgs) > 1 else ''}{advice}"
        )
    return need
