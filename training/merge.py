"""Joining the shards of a sweep (`grok sweep --shard i/n`, one job of a job array each) into the whole
sweep's summary.csv and sweep.npz, as if it had been trained in one go.

Shard i of n trains every n-th run of the grid from the i-th (training/sweep.py, shard_indices) and records
the whole grid in its sweep.json; merging checks that the folders are the n shards of one grid, each
finished, and writes the rows back in grid order. The runs' directories stay in their shard folders.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np

from frames.errors import GrokError
from frames.files import LOCK_NAME, atomic_write_text, check_writable_folder, locked_folder, read_json, real_path
from frames.sweep import load_sweep, save_sweep

from .checkpoints import refuse_inside_managed
from .config import TrainConfig
from .sweep import get_run_name, read_plan, read_summary, shard_indices, write_summary


def read_shard(folder: Path) -> tuple[list[dict], tuple[int, int], list[dict]]:
    """A finished shard's (grid, (i, n), summary rows as written), every part checked."""
    folder = Path(folder)
    marker = folder / "sweep.json"
    plan = read_json(marker, "sweep plan") if marker.exists() or marker.is_symlink() else None  # damage: one line
    if not isinstance(plan, dict) or not isinstance(plan.get("grid"), list) or not isinstance(plan.get("shard"), list):
        raise GrokError(f"{folder} is not a shard of a sweep (no sweep.json naming its grid and shard)")
    if not (folder / "summary.csv").exists():
        raise GrokError(f"{folder} is not finished (no summary.csv): run its command again to finish it")
    read_summary(folder / "summary.csv", folder / "sweep.json")  # every cell checked; the rows are kept as written
    rows = list(csv.DictReader(io.StringIO((folder / "summary.csv").read_text())))
    shard = plan["shard"]
    if len(shard) != 2 or not all(type(x) is int for x in shard) or not 0 <= shard[0] < shard[1]:
        raise GrokError(f"{folder}/sweep.json: shard must be [i, n] with 0 <= i < n (got {shard})")
    return plan["grid"], (shard[0], shard[1]), rows


def merge_shards(folders: list[Path], out_dir: Path) -> list[dict]:
    """Write out_dir/summary.csv, sweep.npz (and sweep.json) of the whole grid from the folders of its n shards; return
    the rows, in grid order. Refused, with one line, unless the folders are exactly the n shards of one grid."""
    if not folders:
        raise GrokError("name the shard folders to merge")
    out_dir = Path(out_dir)
    refuse_inside_managed(out_dir, "--out")
    if any(real_path(folder) == real_path(out_dir) for folder in folders):
        raise GrokError(f"{out_dir} is one of the shards; merge into another folder")
    shards = {}
    grid = count = None
    for folder in folders:
        shard_grid, (index, n), rows = read_shard(folder)
        settings = [{k: v for k, v in cfg.items() if k != "device"} for cfg in shard_grid]
        if grid is None:
            grid, count = settings, n
        elif settings != grid or n != count:
            raise GrokError(f"{folder} is a shard of another sweep than {folders[0]} (other settings or shard count)")
        if index in shards:
            raise GrokError(f"{folder} and {shards[index][0]} are both shard {index}/{n}")
        shards[index] = (folder, rows)
    missing = [str(i) for i in range(count) if i not in shards]
    if missing:
        raise GrokError(
            f"shard{'s' if len(missing) > 1 else ''} {', '.join(missing)} of {count} "
            f"{'are' if len(missing) > 1 else 'is'} missing; name all {count} shard folders"
        )
    names = [get_run_name(TrainConfig(**{**cfg, "device": "auto"})) for cfg in grid]
    merged: list[dict | None] = [None] * len(grid)
    for index, (folder, rows) in shards.items():
        positions = shard_indices(len(grid), (index, count))
        if [row["name"] for row in rows] != [names[g] for g in positions]:
            raise GrokError(f"{folder}/summary.csv does not list the runs of shard {index}/{count}")
        for g, row in zip(positions, rows):
            merged[g] = row

    marker = out_dir / "sweep.json"
    if (
        out_dir.is_dir()
        and any(c.name != LOCK_NAME for c in out_dir.iterdir())
        and (not marker.is_file() or "merged_from" not in (read_plan(marker) or {}))
    ):
        raise GrokError(f"refusing to merge into {out_dir}: it is not empty and holds no merged sweep")
    check_writable_folder(out_dir, "the merged sweep")
    with locked_folder(out_dir):
        plan = {"grid": grid, "shard": None, "merged_from": [str(real_path(shards[i][0])) for i in range(count)]}
        atomic_write_text(json.dumps(plan, indent=2), marker)
        write_summary(merged, out_dir / "summary.csv")
        save_sweep(
            merge_sweep_files({index: folder for index, (folder, _) in shards.items()}, len(grid)),
            out_dir / "sweep.npz",
        )
    return merged


def merge_sweep_files(folders: dict[int, Path], size: int) -> dict[str, np.ndarray]:
    """The shards' sweep files as one, runs in grid order: per-run arrays interleaved, the rest shared."""
    count = len(folders)
    files = {index: load_sweep(Path(folder) / "sweep.npz") for index, folder in folders.items()}
    first = files[0]
    merged = {}
    for key, value in first.items():
        per_run = value.ndim >= 1 and key != "curve_epochs"
        if not per_run:
            if any(not np.array_equal(f[key], value) for f in files.values()):
                raise GrokError(f"the shards' sweep files differ in {key}")
            merged[key] = value
            continue
        if any(key not in f for f in files.values()):
            raise GrokError(f"the shards' sweep files differ in their keys ({key})")
        parts = [files[index][key] for index in range(count)]
        out = np.empty((size, *value.shape[1:]), dtype=np.result_type(*parts))
        for index, part in enumerate(parts):
            out[index::count] = part
        merged[key] = out
    return merged
