"""The frames file: the compact .npz that scenes animate. numpy only, so both halves import it.

SCHEMA lists every key with its dtype and shape (symbolic dims resolved per file); data/FRAMES.md
documents the same keys and a test keeps the two in step. Bump SCHEMA_VERSION on any change.
frames/checks.py checks a file against it, frames/store.py reads and writes files.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SCHEMA_VERSION = 4
CLUSTER_THRESHOLD = 0.85  # a neuron is clustered when its frequency's share of its variance is >= this
SURFACE_NEURONS = 3  # neurons whose (a, b) surfaces a frames file holds: a model needs at least this many
ACCURACY_BAR = 0.99  # "gets the pairs right": accuracy at or above this
NOT_RECORDED = "not recorded"


@dataclass(frozen=True)
class Measure:
    """A progress measure, one value per checkpoint, declared once: the schema, the checks, data/FRAMES.md's table
    (a test compares it) and `grok info` read this; training/progress.py computes it under `key`."""

    key: str  # the frames key
    name: str  # as a reader says it
    low: float  # the least value it can take; a file holding less is refused
    relabelled_only: bool  # means nothing without a relabelling to addition: NaN there (op_not_applicable)
    doc: str  # its row's meaning in data/FRAMES.md


MEASURES = (
    Measure(
        key="progress_restricted_loss",
        name="restricted loss",
        low=0.0,
        relabelled_only=True,
        doc="restricted loss (key-frequency part of the logits only) on all the group's M*M pairs; NaN where not "
        "applicable",
    ),
    Measure(
        key="progress_restricted_loss_test",
        name="restricted loss on the test split",
        low=0.0,
        relabelled_only=True,
        doc="the same on the group's pairs of the test split",
    ),
    Measure(
        key="progress_excluded_loss",
        name="excluded loss",
        low=0.0,
        relabelled_only=True,
        doc="excluded loss (logits without the key-frequency part) on the group's pairs of the train split",
    ),
    Measure(
        key="progress_gini_W_E",
        name="Gini of W_E",
        low=-np.inf,
        relabelled_only=True,
        doc="Gini of the norms of W_E's non-constant Fourier components over Z_M (the group's number tokens, in the "
        "order of u); NaN where not applicable",
    ),
    Measure(
        key="progress_gini_W_L",
        name="Gini of W_L",
        low=-np.inf,
        relabelled_only=False,
        doc="Gini of the norms of W_L = W_out @ W_U's non-constant Fourier components over Z_M (the group's outputs, "
        "in the order of w)",
    ),
    Measure(
        key="progress_sum_sq_weights",
        name="sum of squared weights",
        low=0.0,
        relabelled_only=False,
        doc="sum of w^2 over every parameter (not its square root; frozen zero biases add nothing)",
    ),
)

# Symbolic dims: E, T, A, B the recorded points of the train loss, test loss, train accuracy and test
# accuracy (each curve at its own epochs; 0 where not recorded), C checkpoints, K key frequencies, P = p, N = d_mlp,
# S checkpoints sampled for the surfaces, G = 49 grid neurons, F = (p-1)/2 frequencies,
# M = the order of the operation's cyclic group (p, or p - 1 for mul and div; F = M // 2 either way).
SCHEMA: dict[str, tuple[str, tuple]] = {
    # metadata
    "schema_version": ("int64", ()),
    "p": ("int64", ()),
    "operation": ("str", ()),  # the operation's canonical name (schema 2: the formula)
    "config_json": ("str", ()),  # settings as the source records them, null where it does not
    "source_sha256": ("str", ()),
    "source_layout": ("str", ()),
    "split_note": ("str", ()),
    "split_recorded": ("bool", ()),
    "train_pairs": ("int64", ()),
    "curves_note": ("str", ()),
    "grokked": ("bool", ()),
    # curves as recorded during training, each at its own epochs (empty where not recorded)
    "train_loss_epochs": ("int32", ("E",)),
    "train_loss": ("float32", ("E",)),
    "test_loss_epochs": ("int32", ("T",)),
    "test_loss": ("float32", ("T",)),
    "train_acc_epochs": ("int32", ("A",)),
    "train_acc": ("float32", ("A",)),
    "test_acc_epochs": ("int32", ("B",)),
    "test_acc": ("float32", ("B",)),
    # per checkpoint, recomputed from the weights
    "checkpoint_epochs": ("int32", ("C",)),
    "ckpt_train_loss": ("float32", ("C",)),
    "ckpt_test_loss": ("float32", ("C",)),
    "ckpt_train_acc": ("float32", ("C",)),
    "ckpt_test_acc": ("float32", ("C",)),
    # Fourier structure of the final checkpoint
    "key_freqs": ("int32", ("K",)),
    "neuron_freq": ("int32", ("N",)),
    "neuron_share": ("float32", ("N",)),
    "logit_freq_share": ("float32", ("F",)),
    # the clock: embeddings in each key frequency's (cos, sin) plane
    "embed_clock": ("float16", ("C", "K", "P", 2)),
    "embed_spectrum": ("float32", ("C", "M")),
    # neuron waves over a at b = wave_b
    "wave_b": ("int64", ()),
    "wave_neurons": ("int32", ("G",)),
    "waves": ("float16", ("C", "G", "P")),
    "ring_neurons": ("int32", (2,)),
    "ring_pre": ("float16", ("C", 2, "P")),
    "ring_post": ("float16", ("C", 2, "P")),
    # surfaces over the whole (a, b) grid, at a subset of checkpoints
    "surface_epochs": ("int32", ("S",)),
    "surface_neurons": ("int32", (SURFACE_NEURONS,)),
    "surface_post": ("float16", ("S", SURFACE_NEURONS, "P", "P")),
    "surface_logit_c": ("int64", ()),
    "surface_logit": ("float16", ("S", "P", "P")),
    # progress measures per checkpoint (training/progress.py) and the phases they mark
    **{measure.key: ("float32", ("C",)) for measure in MEASURES},
    "phase_starts": ("int32", (3,)),
    # schema 3: the operation and its coordinates (frames/operations.py)
    "op_formula": ("str", ()),
    "op_expression": ("str", ()),
    "op_relabelled": ("bool", ()),
    "op_group_order": ("int64", ()),
    "op_generator": ("int64", ()),
    "op_coord_labels": ("str", (3,)),
    "op_coord_a": ("int32", ("P",)),
    "op_coord_b": ("int32", ("P",)),
    "op_coord_c": ("int32", ("P",)),
    "op_labels": ("int32", ("P", "P")),
    "op_label_evenness": ("float32", ()),
    "op_not_applicable": ("str", ()),
    # schema 4: what decided the run's rounding (training/arithmetic.py), per stretch of epochs trained
    "arithmetic_json": ("str", ()),
}

# The keys computed anew from the weights of every checkpoint (the surfaces: of a sample of them); finite where they apply
PER_CHECKPOINT = (
    "ckpt_train_loss",
    "ckpt_test_loss",
    "ckpt_train_acc",
    "ckpt_test_acc",
    "embed_clock",
    "embed_spectrum",
    "waves",
    "ring_pre",
    "ring_post",
    "surface_post",
    "surface_logit",
    *(measure.key for measure in MEASURES),
)

# What means nothing for an operation with no relabelling to addition: these keys then hold NaN, or
# nothing (K = 0), or -1 past the first phase, and op_not_applicable lists them.
NOT_APPLICABLE = (
    "key_freqs",
    "embed_clock",
    "embed_spectrum",
    *(measure.key for measure in MEASURES if measure.relabelled_only),
    "phase_starts",
)


def get_formula(f: dict[str, np.ndarray]) -> str:
    """The task with its modulus: '(a × b) mod 59'."""
    return str(f["op_formula"]).replace("mod p", f"mod {int(f['p'])}")


def get_not_applicable(f: dict[str, np.ndarray]) -> set[str]:
    return {key for key in str(f["op_not_applicable"]).split(",") if key}


def describe_arithmetic(stretches: list[dict] | None, brief: bool = False) -> list[str]:
    """What decided a run's rounding (arithmetic_json, checked), one line per stretch of epochs ('epochs 0..2,500:
    torch 2.13.0+cpu on the CPU (AMD EPYC), AVX512 kernels, MKL 2024.2 with MKL_CBWR unset, 2 threads'); [] where
    not recorded. `brief`: without the span of a run trained in one stretch, and without what the mode implies."""
    stretches = stretches or []
    lines = []
    for s in stretches:
        span = "" if brief and len(stretches) == 1 else f"epochs {s['from_epoch']:,}..{s['to_epoch']:,}: "
        if s.get("recorded") is False:
            lines.append(f"{span}{NOT_RECORDED}")
            continue
        where = (
            f"the GPU ({s.get('gpu')}, CUDA {s.get('cuda')})"
            if s.get("device") == "cuda"
            else f"the CPU ({s.get('cpu')})"
        )
        mode = "reproducible mode, " if s.get("reproducible") else ""
        deterministic = s.get("deterministic_algorithms") and not (brief and s.get("reproducible"))
        lines.append(
            f"{span}{mode}torch {s.get('torch')} on {where}, {s.get('cpu_capability')} kernels, "
            f"{s.get('blas')} with MKL_CBWR {s.get('blas_mode')}, {s.get('threads')} threads"
            + (", deterministic algorithms" if deterministic else "")
        )
    return lines


def first_epoch_below(epochs: np.ndarray, values: np.ndarray, threshold: float) -> int:
    """First epoch at which values < threshold and stay so at every later entry; -1 if never."""
    above = np.nonzero(~(values < threshold))[0]
    start = 0 if len(above) == 0 else above[-1] + 1
    return int(epochs[start]) if start < len(epochs) else -1


def shown(value, spec: str = "") -> str:
    """A setting or figure as text; NOT_RECORDED where the file does not hold it (None)."""
    return NOT_RECORDED if value is None else format(value, spec)


def milestones(f: dict[str, np.ndarray]) -> dict[str, float | None]:
    """The figures a reader checks against the paper, from one frames file. None where the file
    lacks what a figure needs (the curve, or a checkpoint series: one checkpoint shows no change);
    -1 where the data is there and the event never happens."""
    epochs = f["checkpoint_epochs"]
    series = len(epochs) > 1

    def reached(name: str) -> int | None:
        if not len(f[name]):
            return None
        hits = np.nonzero(f[name] >= ACCURACY_BAR)[0]
        return int(f[f"{name}_epochs"][hits[0]]) if len(hits) else -1

    def over_series(value):
        return value if series else None

    peak = int(np.argmax(f["test_loss"])) if len(f["test_loss"]) else None
    return {
        "train_acc_99_epoch": reached("train_acc"),
        "test_acc_99_epoch": reached("test_acc"),
        "test_loss_peak": None if peak is None else float(f["test_loss"][peak]),
        "test_loss_peak_epoch": None if peak is None else int(f["test_loss_epochs"][peak]),
        "test_loss_below_1_epoch": over_series(first_epoch_below(epochs, f["ckpt_test_loss"], 1.0)),
        "restricted_loss_below_1_epoch": over_series(first_epoch_below(epochs, f["progress_restricted_loss"], 1.0)),
        "excluded_loss_peak_epoch": over_series(int(epochs[np.argmax(f["progress_excluded_loss"])])),
        "sum_sq_weights_peak_epoch": over_series(int(epochs[np.argmax(f["progress_sum_sq_weights"])])),
        "gini_W_E_start": over_series(float(f["progress_gini_W_E"][0])),
        "gini_W_E_end": float(f["progress_gini_W_E"][-1]),
        "gini_W_L_start": over_series(float(f["progress_gini_W_L"][0])),
        "gini_W_L_end": float(f["progress_gini_W_L"][-1]),
        "clustered_share": float((f["neuron_share"] >= CLUSTER_THRESHOLD).mean()),
    }
