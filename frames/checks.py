"""Every value of a frames file checked before anything reads it (numpy only).

First the schema version, then the keys, dtypes and shapes of SCHEMA, then what the numbers must
satisfy: ranges, finiteness, order, and agreement between keys. A file that passes can be
summarised (`grok info`) and drawn; one that does not is refused with one line that names the file
and the key. The writer runs the same checks, so a file that fails them is never written.
"""

from __future__ import annotations

import numpy as np

from frames.errors import FramesError
from frames.files import strict_json
from frames.operations import operation_arrays
from frames.schema import ACCURACY_BAR, MEASURES, NOT_APPLICABLE, PER_CHECKPOINT, SCHEMA, SCHEMA_VERSION

SHARE_SLACK = 1e-3  # shares are ratios of float32 sums: allow rounding just past 1
# a checkpoint's test accuracy against the recorded curve at its epoch: 2 % apart at most (another program's
# evaluation can round a near-tie the other way; a file edited to claim other accuracies cannot hide in that)
ACCURACY_AGREEMENT = 0.02
MAX_TEXT = 100_000  # characters in one text key: a config or a note is far shorter; a run's arithmetic, kilobytes
LOSS_AGREEMENT, LOSS_FLOOR = 0.05, 1e-6  # the same loss from the curve and from a checkpoint: 5 % apart at most
COUNT_SLACK = 0.01  # an accuracy times its pairs is a whole number, up to float32 rounding (~1e-7 of the count)
CONFIG_SIZES = ("p", "d_model", "n_heads", "d_head", "d_mlp")  # always known: the weights hold them
CONFIG_SETTINGS = ("train_frac", "split_seed", "seed", "lr", "wd", "beta1", "beta2", "epochs", "checkpoint_every")
CURVES = ("train_loss", "test_loss", "train_acc", "test_acc")
SOURCE_LAYOUTS = ("demo", "paper")
UPGRADABLE = (2, 3)  # versions `grok upgrade-frames` brings to SCHEMA_VERSION (frames/upgrade.py)
ARITHMETIC_EPOCHS = ("from_epoch", "to_epoch")


def check_version(arrays: dict[str, np.ndarray], name: str) -> None:
    version = arrays.get("schema_version")
    if version is None:
        raise FramesError(f"{name} is not a frames file (no schema_version)")
    if version.shape != () or version.dtype.kind not in "iu":
        raise FramesError(
            f"{name}: key schema_version must be one whole number, got dtype {version.dtype} shape {version.shape}"
        )
    if int(version) in UPGRADABLE:
        raise FramesError(
            f"{name} has frames schema version {int(version)}, this code reads version {SCHEMA_VERSION}: upgrade it "
            f"with `grok upgrade-frames {name}` (a run trained here) or re-export it with `grok make-data`"
        )
    if int(version) != SCHEMA_VERSION:
        raise FramesError(
            f"{name} has frames schema version {int(version)}, this code reads version "
            f"{SCHEMA_VERSION}: re-export it with `grok make-data`"
        )


def _dtype_ok(array: np.ndarray, dtype: str) -> bool:
    if dtype == "str":
        return array.dtype.kind == "U"
    return array.dtype == np.dtype(dtype)


def check_schema(arrays: dict[str, np.ndarray], name: str) -> dict[str, int]:
    """Keys, dtypes and shapes; return the resolved symbolic dims."""
    missing = sorted(set(SCHEMA) - set(arrays))
    if missing:
        raise FramesError(f"{name}: missing keys {', '.join(missing)}")
    dims: dict[str, int] = {}
    for key, (dtype, shape) in SCHEMA.items():
        array = arrays[key]
        if not _dtype_ok(array, dtype):
            raise FramesError(f"{name}: key {key} has dtype {array.dtype}, expected {dtype}")
        if array.ndim != len(shape):
            raise FramesError(f"{name}: key {key} has shape {array.shape}, expected {shape}")
        for size, dim in zip(array.shape, shape):
            expected = dims.setdefault(dim, size) if isinstance(dim, str) else dim
            if size != expected:
                raise FramesError(f"{name}: key {key} has shape {array.shape}; dim {dim} should be {expected}")
    return dims


def check_values(arrays: dict[str, np.ndarray], dims: dict[str, int], name: str) -> None:
    def refuse(key: str, problem: str):
        raise FramesError(f"{name}: key {key} {problem}")

    def within(key: str, low: float, high: float) -> None:
        values = arrays[key].astype(np.float64)
        if not np.isfinite(values).all():
            refuse(key, "holds NaN or infinite values")
        if values.size and (values.min() < low or values.max() > high):
            refuse(key, f"holds values outside [{low:g}, {high:g}] ({values.min():g}..{values.max():g})")

    def ascending(key: str) -> None:
        if np.any(np.diff(arrays[key].astype(np.int64)) <= 0):
            refuse(key, "is not strictly ascending")

    for key, (dtype, _) in SCHEMA.items():  # text a reader or a terminal is shown: printable, of a sane length
        if dtype == "str" and key in arrays:
            for text in np.atleast_1d(arrays[key]).tolist():
                if len(text) > MAX_TEXT or any(ord(c) < 32 and c not in "\n\t" for c in text):
                    refuse(key, f"holds text no grok file has ({len(text):,} characters, or control characters)")
    if not (
        len(str(arrays["source_sha256"])) in (0, 64)
        and all(c in "0123456789abcdef" for c in str(arrays["source_sha256"]))
    ):
        refuse("source_sha256", "is not a sha256 (64 hexadecimal digits)")
    p = int(arrays["p"])
    if p < 3 or p % 2 == 0 or dims.get("P", p) != p:
        refuse("p", f"is {p}: need an odd prime >= 3 that matches the arrays (P = {dims.get('P')})")
    n_freqs, n_neurons = (p - 1) // 2, dims.get("N", 0)
    not_applicable = check_operation(arrays, dims, refuse)
    if dims.get("F", n_freqs) != n_freqs:
        refuse("logit_freq_share", f"has {dims['F']} frequencies; p = {p} has {n_freqs}")
    try:
        config = strict_json(str(arrays["config_json"]))
    except (ValueError, RecursionError) as e:  # nested past Python's recursion limit: no config, only a trap
        refuse("config_json", f"is not JSON ({str(e).split(':')[0][:80] or 'nested too deeply'})")
    if not isinstance(config, dict):
        refuse("config_json", "is not a JSON object")

    def is_number(value) -> bool:
        return not isinstance(value, bool) and isinstance(value, (int, float)) and np.isfinite(value)

    for field in CONFIG_SIZES:
        if not is_number(config.get(field)):
            refuse("config_json", f"needs a number for {field} (got {config.get(field)!r})")
    for field in CONFIG_SETTINGS:
        value = config.get(field)
        numbers = value if isinstance(value, list) and value else [value]
        if value is not None and not all(is_number(v) for v in numbers):
            refuse("config_json", f"needs a number, a list of numbers or null for {field} (got {value!r})")
    if not isinstance(config.get("scheduler"), (str, type(None))):
        refuse("config_json", f"needs a description or null for scheduler (got {config.get('scheduler')!r})")
    if config["p"] != p:
        refuse("config_json", f"says p = {config['p']} but the file is for p = {p}")
    if config.get("op") not in (None, str(arrays["operation"])):  # null: not recorded, analysed as add
        refuse("config_json", f"says op {config.get('op')!r} but the file's operation is {str(arrays['operation'])!r}")
    check_arithmetic(
        str(arrays["arithmetic_json"]),
        int(arrays["checkpoint_epochs"].max(initial=0)),
        lambda problem: refuse("arithmetic_json", problem),
    )
    if str(arrays["source_layout"]) not in SOURCE_LAYOUTS:
        refuse("source_layout", f"is {str(arrays['source_layout'])!r}, not one of {', '.join(SOURCE_LAYOUTS)}")
    n_pairs = int((arrays["op_labels"] >= 0).sum())  # p², less the pairs the operation leaves out (div: b = 0)
    if not 0 < int(arrays["train_pairs"]) < n_pairs:
        refuse(
            "train_pairs", f"is {int(arrays['train_pairs'])}: need between 1 and {n_pairs - 1} of the {n_pairs} pairs"
        )

    for curve in CURVES:
        within(f"{curve}_epochs", 0, np.inf)
        ascending(f"{curve}_epochs")
        within(curve, 0, 1 if curve.endswith("acc") else np.inf)

    epochs = arrays["checkpoint_epochs"]
    if dims["C"] == 0:
        refuse("checkpoint_epochs", "is empty: a frames file needs at least one checkpoint")
    if epochs.min() < 0:
        refuse("checkpoint_epochs", "holds a negative epoch")
    ascending("checkpoint_epochs")
    for key in PER_CHECKPOINT:
        if key in not_applicable:
            if not np.isnan(arrays[key]).all():
                refuse(key, "does not apply to this operation (op_not_applicable) but holds numbers, not NaN")
        else:
            within(key, -np.inf, np.inf)
    for key, pairs in (
        ("ckpt_train_acc", int(arrays["train_pairs"])),
        ("ckpt_test_acc", n_pairs - int(arrays["train_pairs"])),
    ):
        within(key, 0, 1)
        counts = arrays[key].astype(np.float64) * pairs  # an accuracy is a count of right answers over the pairs
        if (np.abs(counts - np.round(counts)) > COUNT_SLACK).any():
            refuse(key, f"holds accuracies that are no count of right answers out of {pairs:,} pairs (train_pairs)")
    final = float(arrays["ckpt_test_acc"][-1])
    if bool(arrays["grokked"]) != (final >= ACCURACY_BAR) and abs(final - ACCURACY_BAR) > 1e-6:
        refuse(
            "grokked",
            f"says {bool(arrays['grokked'])} but the final test accuracy is {final:.1%} "
            f"(grokked: at least {ACCURACY_BAR:.0%})",
        )
    if bool(arrays["split_recorded"]) and len(arrays["test_acc"]):
        # the curve's value at a checkpoint epoch and the accuracy of that checkpoint's weights are one measurement
        # (on the recorded split), so they agree but for how another program rounds near-ties
        curve_epochs, checkpoint = arrays["test_acc_epochs"], np.isin(epochs, arrays["test_acc_epochs"])
        curve = arrays["test_acc"][np.searchsorted(curve_epochs, epochs[checkpoint])]
        apart = np.abs(curve.astype(np.float64) - arrays["ckpt_test_acc"][checkpoint])
        if len(apart) and apart.max() > ACCURACY_AGREEMENT:
            at = int(epochs[checkpoint][np.argmax(apart)])
            refuse("ckpt_test_acc", f"disagrees with the test accuracy curve at epoch {at:,} by {apart.max():.1%}")
    for key in ("ckpt_train_loss", "ckpt_test_loss"):
        within(key, 0, np.inf)
        curve = key.removeprefix("ckpt_")
        if bool(arrays["split_recorded"]) and len(arrays[curve]):  # one measurement twice, as for the accuracy
            at = np.isin(epochs, arrays[f"{curve}_epochs"])
            recorded = arrays[curve][np.searchsorted(arrays[f"{curve}_epochs"], epochs[at])].astype(np.float64)
            computed = arrays[key][at].astype(np.float64)
            apart = np.abs(recorded - computed) > LOSS_AGREEMENT * np.maximum(computed, LOSS_FLOOR)
            if apart.any():
                refuse(curve, f"disagrees with the loss of the checkpoint at epoch {int(epochs[at][apart][0]):,}")
    for measure in MEASURES:
        if measure.key not in not_applicable:
            within(measure.key, measure.low, np.inf)

    within("key_freqs", 1, n_freqs)
    ascending("key_freqs")
    within("neuron_freq", 1, n_freqs)
    within("neuron_share", 0, 1 + SHARE_SLACK)
    within("logit_freq_share", 0, 1 + SHARE_SLACK)
    for key in ("wave_b", "surface_logit_c"):
        within(key, 0, p - 1)
    for key in ("wave_neurons", "ring_neurons", "surface_neurons"):
        within(key, 0, n_neurons - 1)
    if not np.isin(arrays["surface_epochs"], epochs).all():
        refuse("surface_epochs", "holds epochs that are not checkpoint epochs")
    ascending("surface_epochs")
    starts = arrays["phase_starts"]
    if not np.all((starts == -1) | np.isin(starts, epochs)):
        refuse("phase_starts", "holds epochs that are neither -1 nor checkpoint epochs")
    found = starts[starts >= 0]
    if (np.diff(found) <= 0).any() or (starts[2] >= 0 and starts[1] < 0):
        refuse("phase_starts", f"is {starts.tolist()}: the phases found must begin in order (-1: not found)")
    if "phase_starts" in not_applicable and (starts[1:] != -1).any():
        refuse("phase_starts", "does not apply to this operation (op_not_applicable) but marks phases after the first")
    if "key_freqs" in not_applicable and dims["K"]:
        refuse("key_freqs", "does not apply to this operation (op_not_applicable) but is not empty")


def check_operation(arrays: dict[str, np.ndarray], dims: dict[str, int], refuse) -> set[str]:
    """The op_* keys agree with each other, with p and with the arrays; return the keys that do not apply.
    The labels' relabelling is checked pair by pair: w(z) = u(a) + v(b) mod M wherever all three exist."""
    p, order = int(arrays["p"]), int(arrays["op_group_order"])
    relabelled = bool(arrays["op_relabelled"])
    if not str(arrays["operation"]):
        refuse("operation", "is empty")
    if order not in (p, p - 1) or (not relabelled and order != p) or dims["M"] != order:
        refuse(
            "op_group_order",
            f"is {order}: need p or p - 1 ({p} or {p - 1}; p without a relabelling), "
            f"matching embed_spectrum's {dims['M']} components",
        )
    expected = "" if relabelled else ",".join(NOT_APPLICABLE)
    if str(arrays["op_not_applicable"]) != expected:
        refuse(
            "op_not_applicable",
            f"is {str(arrays['op_not_applicable'])!r}; with op_relabelled {relabelled} it must be {expected!r}",
        )
    coords = [arrays[f"op_coord_{name}"].astype(np.int64) for name in "abc"]
    for name, coord in zip("abc", coords):
        if relabelled and not np.array_equal(np.sort(coord[coord >= 0]), np.arange(order)):
            refuse(f"op_coord_{name}", f"is not a bijection onto 0..{order - 1} (-1 aside)")
        if not relabelled and not np.array_equal(coord, np.arange(p)):
            refuse(f"op_coord_{name}", "must be the tokens themselves (0..p-1) without a relabelling")
        if coord.min() < -1:
            refuse(f"op_coord_{name}", "holds values below -1")
    labels = arrays["op_labels"].astype(np.int64)
    if labels.min() < -1 or labels.max() > p - 1:
        refuse("op_labels", f"holds values outside -1..{p - 1}")
    if relabelled:
        u, v = coords[0][:, None], coords[1][None, :]
        inside = (labels >= 0) & (u >= 0) & (v >= 0)
        if not np.array_equal(coords[2][labels[inside]], ((u + v) % order)[inside]):
            refuse("op_labels", "do not become addition in the coordinates op_coord_a, op_coord_b, op_coord_c")
    evenness = float(arrays["op_label_evenness"])
    if not 0 <= evenness <= 1 + SHARE_SLACK:
        refuse("op_label_evenness", f"is {evenness}, not in [0, 1]")
    if int(arrays["op_generator"]) < 0 or int(arrays["op_generator"]) >= p:
        refuse("op_generator", f"is {int(arrays['op_generator'])}, not in 0..{p - 1}")
    try:
        own = operation_arrays(str(arrays["operation"]), p)
    except ValueError:
        refuse("operation", f"is {str(arrays['operation'])!r}, not an operation this studio knows")
    # Text the scenes fill in (op_expression, op_coord_labels are format templates) and every other op_* key the
    # operation decides is the operation's own, never the file's say
    for key, value in own.items():
        if key == "op_label_evenness":
            continue
        if arrays[key].shape != value.shape or not np.array_equal(arrays[key], value):
            refuse(key, f"is not what operation {str(arrays['operation'])} at p = {p} gives")
    return set(NOT_APPLICABLE) if not relabelled else set()


def check_arithmetic(text: str, last_epoch: int, refuse) -> list | None:
    """arithmetic_json: null (not recorded), or the stretches of epochs a run was trained in, in order, each a
    flat object of strings, numbers and booleans with whole from_epoch < to_epoch <= the last checkpoint."""
    try:
        stretches = strict_json(text)
    except (ValueError, RecursionError):
        refuse("is not JSON")
    if stretches is None:
        return None
    if not isinstance(stretches, list) or not stretches:
        refuse("is neither null nor a list of the stretches of epochs trained")
    previous = 0
    for stretch in stretches:
        if not isinstance(stretch, dict) or not all(isinstance(v, (str, int, float, bool)) for v in stretch.values()):
            refuse("holds a stretch that is not a flat object of strings, numbers and booleans")
        start, end = (stretch.get(key) for key in ARITHMETIC_EPOCHS)
        if not all(isinstance(v, (str, bool)) or np.isfinite(v) for v in stretch.values()):
            refuse("holds a stretch with a number that is not finite")
        if (
            not all(isinstance(e, int) and not isinstance(e, bool) for e in (start, end))
            or not previous == start < end <= last_epoch
        ):
            refuse(
                f"holds a stretch of epochs {start!r}..{end!r} that does not follow the one before (from epoch "
                f"{previous}) or passes the last checkpoint ({last_epoch})"
            )
        previous = end
    return stretches


def validate(arrays: dict[str, np.ndarray], name: str = "frames") -> dict[str, int]:
    """Check everything above; return the resolved symbolic dims."""
    check_version(arrays, name)
    dims = check_schema(arrays, name)
    check_values(arrays, dims, name)
    return dims
