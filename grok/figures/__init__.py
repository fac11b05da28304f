"""`grok figures`: plotly figures of one frames file or one sweep, as interactive HTML and PNG stills, and the
offline explorer page. Importable from a notebook without the CLI; reads frames only (numpy and plotly), never
training or torch.

  style.py     the look every figure shares
  run.py       one run's figures (surface, losses, spectrum, neurons)
  sweep.py     a sweep's phase diagram and small multiples
  write.py     HTML pages and PNG stills
  explorer.py  the explorer page (explorer.html with the run's data inlined)
"""

from __future__ import annotations

from pathlib import Path

from grok.figures.explorer import write_explorer
from grok.figures.write import Written, write_figures, write_sweep_figures


def make_figures(
    frames_file: Path | None,
    sweep_file: Path | None,
    out_dir: Path,
    x: str | None = None,
    y: str | None = None,
    curves: bool = False,
    log=print,
) -> Written:
    """`grok figures`: a run's figures and explorer.html from `frames_file` (the loader's default where None),
    or with `sweep_file` the sweep's phase diagram; into out_dir, made if missing."""
    from frames import load_frames
    from frames.errors import GrokError
    from frames.files import check_writable_folder
    from frames.sweep import load_sweep
    from scenes.loader import frames_path

    frames = Path(frames_file) if frames_file else frames_path()
    f = load_frames(frames) if sweep_file is None else load_sweep(sweep_file)
    check_writable_folder(out_dir, f"figures to {out_dir}")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise GrokError(f"cannot write figures to {out_dir}: {e.strerror}") from None
    if sweep_file is not None:
        return write_sweep_figures(f, out_dir, x, y, curves)
    written = write_figures(f, out_dir, log=log)
    return Written([*written.paths, write_explorer(f, frames, out_dir / "explorer.html")], written.png_problem)
