"""The arithmetic a run is trained with: what decides its rounding, recorded, and a mode that pins it.

A run's numbers are exact on one machine (the same command gives the same bits) but not across machines:
torch picks its CPU kernels by the instructions the CPU has (AVX2 or AVX-512), MKL picks its matrix
kernels the same way, and the thread count changes how sums are split. A 1e-10 change in a gradient can
decide which key frequencies win (docs/measured.md, docs/machines.md), so every run records what its numbers came from
(`describe`), and `pin` trades some speed for the same bits on every x86-64 machine with AVX2:
  - ATen's kernels dispatched as on an AVX2 CPU (ATEN_CPU_CAPABILITY=avx2),
  - MKL in its conditional numerical reproducibility mode for AVX2 (MKL_CBWR=AVX2),
  - a fixed number of threads (REPRODUCIBLE_THREADS, whatever the machine has),
  - torch's deterministic algorithms.
MKL reads MKL_CBWR at its first call, so `pin` must run before any matrix is multiplied in the process;
`pin` finds out (from ATen and MKL themselves) whether it did, and refuses otherwise.
"""

from __future__ import annotations

import ctypes
import json
import os
import platform
from pathlib import Path

import torch

from frames.checks import check_arithmetic
from frames.errors import GrokError

REPRODUCIBLE_THREADS = 2  # what the reproducible mode computes with, on any machine
PINNED_ENVIRONMENT = {"ATEN_CPU_CAPABILITY": "avx2", "MKL_CBWR": "AVX2"}
MKL_BRANCH, MKL_BRANCH_OFF = 1, 1  # mkl_cbwr_get(MKL_CBWR_BRANCH) answers MKL_CBWR_BRANCH_OFF when no mode is set


def _mkl_branch() -> int | None:
    """MKL's reproducibility branch as MKL reports it (None where torch carries no MKL). torch links MKL
    statically and exports its service function mkl_serv_cbwr_get, not the public mkl_cbwr_get: its answer
    for "no mode set" (1) was read off this build, with and without MKL_CBWR, before and after MKL's first call."""
    try:
        lib = ctypes.CDLL(str(Path(torch.__file__).parent / "lib" / "libtorch_cpu.so"))
        get = lib.mkl_serv_cbwr_get
    except (OSError, AttributeError):
        return None
    get.restype, get.argtypes = ctypes.c_int, [ctypes.c_int]
    return int(get(MKL_BRANCH))


def cpu_name() -> str:
    """The CPU's model name (/proc/cpuinfo), else what the platform says."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def blas_library() -> str:
    """'MKL 2024.2' or what torch's build says of its BLAS."""
    config = torch.__config__.show()
    for line in config.splitlines():
        if "Math Kernel Library Version" in line:
            return "MKL " + line.split("Version", 1)[1].split("-", 1)[0].strip()
    for part in config.replace(",", "\n").splitlines():
        if "BLAS_INFO=" in part:
            return part.split("=", 1)[1].strip()
    return "unknown"


def describe(device: torch.device, reproducible: bool = False) -> dict:
    """What decides this process's rounding on `device`, as a flat dict of strings, numbers and booleans."""
    facts = {
        "torch": str(torch.__version__),
        "device": device.type,
        "cpu": cpu_name(),
        "cpu_capability": torch.backends.cpu.get_cpu_capability(),
        "blas": blas_library(),
        "blas_mode": os.environ.get("MKL_CBWR") or "unset",  # MKL_CBWR: MKL's reproducibility mode
        "threads": torch.get_num_threads(),
        "deterministic_algorithms": torch.are_deterministic_algorithms_enabled(),
        "reproducible": reproducible,
    }
    if device.type == "cuda":
        facts |= {
            "gpu": str(torch.cuda.get_device_name(device)),
            "cuda": str(torch.version.cuda),
            "tf32_matmul": torch.backends.cuda.matmul.allow_tf32,
        }
    return facts


def pin(device: torch.device) -> None:
    """Pin the reproducible arithmetic (module docstring), or refuse in one line and leave the process as it was.
    Must run before any tensor math: ATen and MKL choose their kernels once, at their first use."""
    if device.type != "cpu":
        raise GrokError(
            "--reproducible pins the CPU's arithmetic; on a GPU use --device cpu, or drop it "
            "(a GPU run is exact on that GPU, not across GPUs)"
        )
    before = {name: os.environ.get(name) for name in PINNED_ENVIRONMENT}
    os.environ.update(PINNED_ENVIRONMENT)
    capability, branch = torch.backends.cpu.get_cpu_capability(), _mkl_branch()
    problem = None
    if before["MKL_CBWR"] not in (None, PINNED_ENVIRONMENT["MKL_CBWR"]):
        problem = f"MKL_CBWR is set to {before['MKL_CBWR']} in the environment; unset it"
    elif capability != "AVX2":
        problem = (
            f"torch dispatches to {capability} kernels, not AVX2 (it chose them before the pin, or this CPU lacks AVX2)"
        )
    elif branch is None:
        problem = "torch carries no MKL, whose reproducibility mode the pin relies on"
    elif branch == MKL_BRANCH_OFF:
        problem = "MKL started before its reproducibility mode could be set"
    if problem:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        raise GrokError(f"cannot train reproducibly: {problem}; run a fresh `grok make-data --reproducible`")
    torch.set_num_threads(REPRODUCIBLE_THREADS)
    torch.use_deterministic_algorithms(True)


# The record: a run's stretches of epochs, each with the arithmetic it was trained in (frames: arithmetic_json)

NOT_RECORDED = {"recorded": False}  # a stretch trained before runs recorded their arithmetic


def check_record(record: object, last_epoch: int, where: str) -> list[dict]:
    """A record read from a run's file: a list of stretches (frames/checks.py says what one is)."""
    try:
        text = json.dumps(record)
    except (TypeError, ValueError, RecursionError):
        raise GrokError(f"{where}: arithmetic is not a list of flat records") from None

    def refuse(problem: str):
        raise GrokError(f"{where}: arithmetic {problem}")

    return check_arithmetic(text, last_epoch, refuse) or []


def carried_on(record: list[dict], start: int) -> list[dict]:
    """The stretches before `start`, where a resumed run carries on (a record cut at the state's epoch)."""
    if start == 0:
        return []
    kept = [stretch for stretch in record if stretch["to_epoch"] <= start]
    covered = kept[-1]["to_epoch"] if kept else 0
    return kept + ([{"from_epoch": covered, "to_epoch": start, **NOT_RECORDED}] if covered < start else [])


def extended(record: list[dict], now: dict, start: int, epoch: int) -> list[dict]:
    """`record` (up to `start`) and the stretch start..epoch trained now in the arithmetic `now`."""
    return record + ([{"from_epoch": start, "to_epoch": epoch, **now}] if epoch > start else [])
