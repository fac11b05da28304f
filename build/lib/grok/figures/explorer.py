"""explorer.html: one self-contained page that walks through a run checkpoint by checkpoint.

A slider and a play button move four plots together: a marker on the loss curves, the embedding
clock, the spectrum of W_E, and one neuron's (or the logit's) pattern over (a, b). plotly.js and the
data are inlined, so the page opens from file:// with no network. Arrays travel as base64 in the
dtype the frames file stores them in (float16 clocks and surfaces, float32 curves): the page shows
the frames file's values, nothing rounded further. The page's script is grok/figures/explorer.html.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np
from plotly.offline import get_plotlyjs

from frames.files import file_sha256
from grok.figures.run import get_frequency_norms
from grok.figures.style import DIVERGING, FONT, SEQUENTIAL, percent
from grok.figures.write import write_atomic
from grok.version import get_version
from scenes import palette

TEMPLATE = Path(__file__).with_name("explorer.html")


def encode(array: np.ndarray, dtype: str) -> dict:
    """A little-endian typed array for the page: {dtype: 'f2' | 'f4', shape, b64}."""
    data = np.ascontiguousarray(array, dtype=f"<{dtype}")
    return {"dtype": dtype, "shape": list(data.shape), "b64": base64.b64encode(data.tobytes()).decode("ascii")}


def get_clock_numbers(f: dict) -> list[int]:
    """The numbers the clock draws: those with a coordinate (0 has no logarithm under mul and div)."""
    inside = np.flatnonzero(f["op_coord_a"] >= 0)
    return (inside if len(inside) else np.arange(int(f["p"]))).tolist()


def get_pattern_choices(f: dict) -> list[dict]:
    """What the (a, b) panel can show: the surface neurons, then the logit of answer c."""
    choices = []
    for n in f["surface_neurons"]:
        n, k, share = int(n), int(f["neuron_freq"][n]), float(f["neuron_share"][n])
        choices.append(
            {
                "title": f"neuron {n} (frequency {k})",
                "label": f"neuron {n} (frequency {k}, share {percent(share)})",
                "signed": False,
            }
        )
    logit = f"logit of c = {int(f['surface_logit_c'])}"
    return choices + [{"title": logit, "label": logit, "signed": True}]


def get_payload(f: dict, frames_file: Path) -> dict:
    """Everything the page draws: provenance, then arrays (shapes noted as in FRAMES.md)."""
    keys = [int(k) for k in f["key_freqs"]]
    patterns = np.concatenate([f["surface_post"], f["surface_logit"][:, None]], axis=1)  # [S, 4, P, P]
    return {
        "meta": {
            "operation": str(f["op_formula"]),
            "p": int(f["p"]),
            "config": json.loads(str(f["config_json"])),
            "frames_file": Path(frames_file).name,
            "frames_sha256": file_sha256(Path(frames_file)),
            "source_sha256": str(f["source_sha256"]),
            "version": get_version(),
            "grokked": bool(f["grokked"]),
            "key_freqs": keys,
            "clock_of": str(f["op_coord_labels"][0]).format("a"),  # the clock counts u: 'log₂ a' under mul
            "on_clock": get_clock_numbers(f),
            "default_pattern": int(np.argmin(f["neuron_freq"][f["surface_neurons"]])),  # the slowest pattern to start
            "key_colors": [palette.frequency_colors(keys)[k] for k in keys],
            "phases": [
                [name, max(int(start), 1)] for name, start in zip(palette.PHASE_NAMES, f["phase_starts"]) if start >= 0
            ],
            "patterns": get_pattern_choices(f),
        },
        "palette": {
            name: getattr(palette, name)
            for name in ("BACKGROUND", "INK", "MUTED", "GRID", "TRAIN", "TEST", "RESTRICTED", "EXCLUDED", "HIGHLIGHT")
        }
        | {
            "RAINBOW": palette.rainbow(int(f["p"])),
            "PHASES": palette.PHASE_COLORS,
            "FONT": FONT,
            "UNSIGNED_SCALE": SEQUENTIAL,
            "SIGNED_SCALE": DIVERGING,
        },
        "checkpoint_epochs": f["checkpoint_epochs"].tolist(),  # [C]
        "surface_epochs": f["surface_epochs"].tolist(),  # [S]
        "train_loss_epochs": f["train_loss_epochs"].tolist(),  # [E]
        "train_loss": encode(f["train_loss"], "f4"),  # [E]
        "test_loss_epochs": f["test_loss_epochs"].tolist(),  # [T]
        "test_loss": encode(f["test_loss"], "f4"),  # [T]
        "ckpt_train_loss": encode(f["ckpt_train_loss"], "f4"),  # [C]
        "ckpt_test_loss": encode(f["ckpt_test_loss"], "f4"),  # [C]
        "restricted_loss": encode(f["progress_restricted_loss"], "f4"),  # [C]
        "excluded_loss": encode(f["progress_excluded_loss"], "f4"),  # [C]
        "clock": encode(f["embed_clock"], "f2"),  # [C, K, P, 2]
        "spectrum": encode(get_frequency_norms(f["embed_spectrum"]), "f4"),  # [C, F]
        "patterns": encode(patterns, "f2"),  # [S, 4, P, P] indexed [a, b]
    }


def write_explorer(f: dict, frames_file: Path, path: Path) -> Path:
    data = json.dumps(get_payload(f, frames_file), separators=(",", ":")).replace("</", "<\\/")
    page = TEMPLATE.read_text(encoding="utf-8")
    colors = "".join(
        f"--{name.lower()}:{getattr(palette, name)};" for name in ("BACKGROUND", "INK", "MUTED", "GRID", "HIGHLIGHT")
    )
    page = page.replace("{{css}}", f":root{{{colors}--font:{FONT};}}")
    page = page.replace("{{data}}", data).replace("{{plotly}}", get_plotlyjs())
    return write_atomic(path, page)
