"""An installed `grok` works from any folder: its wheel carries everything read at run time, and every command
reads and writes relative to the folder it runs in (frames/places.py)."""

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from grok.cli import main

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("frames", "training", "scenes", "grok", "grok/publish", "grok/figures")
TINY = "--p 23 --d-model 32 --n-heads 2 --d-head 16 --d-mlp 64 --epochs 40 --checkpoint-every 20 --device cpu --quiet".split()


def copy_of_the_project(tmp_path: Path) -> Path:
    """The project's files (tracked, or new and not ignored), copied: building there leaves no build/ or egg-info
    in the checkout."""
    files = ["git", "ls-files", "--cached", "--others", "--exclude-standard"]
    listed = [
        name
        for name in subprocess.run(files, cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
        if (ROOT / name).is_file()
    ]
    copy = tmp_path / "project"
    for name in listed:
        (copy / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, copy / name)
    return copy


def test_the_wheel_carries_everything_read_at_run_time(tmp_path):
    build = [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation"]
    subprocess.run([*build, str(copy_of_the_project(tmp_path)), "-w", str(tmp_path)], check=True, capture_output=True)
    (wheel,) = tmp_path.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    code = {path.relative_to(ROOT).as_posix() for package in PACKAGES for path in (ROOT / package).glob("*.py")}
    assert code <= names, sorted(code - names)
    assert {"scenes/manim.cfg", "grok/figures/explorer.html"} <= names
    assert any(name.endswith("data/share/grokking-studio/nanda.npz") for name in names)


def test_every_command_works_from_another_folder(tmp_path, monkeypatch):
    """From an empty folder: outputs land there (data/, runs/, renders/), and nothing is written in the checkout."""
    before = {path for path in (ROOT / "data").iterdir()}
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    def ok(*args):
        result = runner.invoke(main, [str(a) for a in args])
        assert result.exit_code == 0, (args, result.output)
        return result.output

    ok("make-data", "--preset", "quick", *TINY)
    (frames,) = (tmp_path / "data").glob("quick-p23-*.npz")
    assert list((tmp_path / "runs").glob("quick-p23-*/run.pth"))
    assert "key frequencies" in ok("info", frames.relative_to(tmp_path))
    ok("render", "task", "--still", "--frames", frames.relative_to(tmp_path))
    assert list((tmp_path / "renders").glob("task_preview.png"))
    ok("figures", "--frames", frames.relative_to(tmp_path), "--out", "figs")
    assert (tmp_path / "figs" / "explorer.html").is_file()
    ok(
        "sweep",
        "--p",
        "11",
        "--epochs",
        "10",
        "--checkpoint-every",
        "10",
        "--seed",
        "0,1",
        "--device",
        "cpu",
        "--quiet",
        "--no-frames",
    )
    assert (tmp_path / "runs" / "sweep-quick" / "summary.csv").is_file()
    assert {path for path in (ROOT / "data").iterdir()} == before


@pytest.mark.slow
def test_an_installed_grok_runs_the_main_job_in_an_empty_folder(tmp_path):
    """`pip install .` (not editable) into a fresh venv, then `grok all` in an empty folder: several minutes."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q"]
    subprocess.run([*pip, "torch==2.13.0"], check=True)
    subprocess.run([*pip, str(copy_of_the_project(tmp_path))], check=True)
    work = tmp_path / "work"
    work.mkdir()
    subprocess.run([str(venv / "bin" / "grok"), "all"], cwd=work, check=True)
    assert (work / "data" / "quick.npz").is_file() and (work / "renders" / "grokking_explainer.mp4").is_file()
