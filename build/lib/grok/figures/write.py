"""Writing figures: HTML pages that share one plotly.min.js written beside them (they open from file://,
offline), and PNG stills from kaleido, which drives an installed Chrome or Chromium."""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import plotly.graph_objects as go
import plotly.io as pio
from plotly.offline import get_plotlyjs

from frames import get_formula
from frames.files import atomic_write_text
from frames.sweep import get_default_axes, get_rows, get_settings
from grok.figures.run import FIGURES, get_figures
from grok.figures.sweep import phase_curves_figure, phase_figure

STILL_SIZE = (1280, 800)  # PNG width, height in px
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
INSTALL_HINT = "install Chromium (Debian/Ubuntu: apt-get install chromium) or set BROWSER_PATH to a Chrome"
HTML_CONFIG = {"displaylogo": False}


@dataclass
class Written:
    paths: list[Path]  # every file written, in order
    png_problem: str | None  # one line when the PNG stills could not be made, else None


def find_browser() -> str | None:
    """The Chrome/Chromium kaleido would drive: $BROWSER_PATH, else the first one on PATH."""
    if os.environ.get("BROWSER_PATH"):
        return os.environ["BROWSER_PATH"] if os.access(os.environ["BROWSER_PATH"], os.X_OK) else None
    return next((path for name in BROWSERS if (path := shutil.which(name))), None)


def write_atomic(path: Path, text: str) -> Path:
    """Write under a partial name, then rename: readers never see half a file."""
    atomic_write_text(text, path)
    return path


def write_html(figures: dict[str, go.Figure], out_dir: Path) -> list[Path]:
    """One page per figure; they share one plotly.min.js written beside them."""
    paths = [write_atomic(out_dir / "plotly.min.js", get_plotlyjs())]
    for name, fig in figures.items():
        html = pio.to_html(fig, include_plotlyjs="directory", full_html=True, config=HTML_CONFIG)
        paths.append(write_atomic(out_dir / f"{name}.html", html))
    return paths


def write_pngs(
    figures: dict[str, go.Figure], out_dir: Path, size: tuple[int, int] = STILL_SIZE
) -> tuple[list[Path], str | None]:
    """All stills in one kaleido batch (one browser start); ([], one line) when that cannot be done."""
    if find_browser() is None:
        return [], f"PNG stills skipped: no Chrome or Chromium found; {INSTALL_HINT}"
    targets = [out_dir / f"{name}.png" for name in figures]
    tmps = [target.with_name(f".{target.stem}.tmp.png") for target in targets]
    try:
        pio.write_images(list(figures.values()), tmps, format="png", width=size[0], height=size[1])
    except Exception as e:  # kaleido's failures (browser start, timeouts) have no common base class
        for tmp in tmps:
            tmp.unlink(missing_ok=True)
        reason = str(e).splitlines()[0] if str(e) else ""
        return [], f"PNG stills failed ({type(e).__name__}: {reason}); the HTML pages are written"
    for tmp, target in zip(tmps, targets):
        os.replace(tmp, target)
    return targets, None


def write_figures(f: dict, out_dir: Path, log=print) -> Written:
    """Every figure as an HTML page and a PNG still, into out_dir."""
    start = time.perf_counter()
    builders = get_figures(f)
    for name in set(FIGURES) - set(builders):
        log(f"{name}: not drawn, it does not apply to {get_formula(f)}")
    figures = {name: build(f) for name, build in builders.items()}
    paths = write_html(figures, out_dir)
    log(f"HTML pages in {time.perf_counter() - start:.1f} s")
    start = time.perf_counter()
    pngs, problem = write_pngs(figures, out_dir)
    if pngs:
        log(f"PNG stills in {time.perf_counter() - start:.1f} s (one browser, one batch)")
    return Written(paths + pngs, problem)


def write_sweep_figures(
    sweep: dict, out_dir: Path, x: str | None = None, y: str | None = None, curves: bool = False
) -> Written:
    """The phase diagram of columns x (across) and y (up), by default the sweep's (frames/sweep.py), and with
    `curves` the small multiples, as HTML pages and PNG stills, into out_dir."""
    default_x, default_y = get_default_axes(get_rows(sweep), list(get_settings(sweep)))
    x, y = x or (default_x if y != default_x else default_y), y or (default_y if x != default_y else default_x)
    figures = {"phase": phase_figure(sweep, x, y)}
    if curves:
        figures["phase-curves"] = phase_curves_figure(sweep, x, y)
    paths = write_html(figures, out_dir)
    pngs, problem = write_pngs(figures, out_dir)
    return Written(paths + pngs, problem)
