"""Where the studio reads and writes by default, declared once.

Outputs go under the folder a command runs in (data/, runs/, renders/), so that an installed `grok` works
from any folder, as it does from a checkout. The reference run's frames ship with the project: a checkout
has them in data/, an installed copy in <prefix>/share/grokking-studio/ (pyproject.toml, data-files).
"""

from __future__ import annotations

import sys
from pathlib import Path

DATA = Path("data")  # frames files
RUNS = Path("runs")  # run and sweep folders
RENDERS = Path("renders")  # scenes, the published set, figures
REFERENCE = "nanda.npz"  # the reference run's frames (preset nanda), committed and shipped
SHARE = Path("share") / "grokking-studio"


def reference_frames() -> Path:
    """The reference run's frames: data/nanda.npz here, else the copy that came with the project."""
    candidates = (
        DATA / REFERENCE,
        Path(__file__).resolve().parent.parent / "data" / REFERENCE,  # a checkout (editable install)
        Path(sys.prefix) / SHARE / REFERENCE,  # an installed wheel
    )
    return next((path for path in candidates if path.is_file()), candidates[0])
