"""Every field of a torch file from outside checked (type, shape, range) before it is used.

Run files in the demo or the paper layout, the resume state of a run directory and its checkpoint
files all come through here. A problem ends in a GrokError whose one line names the file and the
field; nothing downstream (training, export, `grok info`) sees a value that has not passed.
"""

from __future__ import annotations

import math
import numbers
import pickle
import re
import warnings
from pathlib import Path

import torch

from frames.errors import GrokError
from frames.operations import parse_operation

from .config import MAX_EPOCHS, TrainConfig

N_CTX = 3  # [a, b, =]


class LensConfig:
    """Stands in for TransformerLens 3's HookedTransformerConfig, which the public demo checkpoint
    pickles: its fields load as attributes, with torch's safe (weights-only) unpickler."""


LENS_CONFIG_PATH = "transformer_lens.HookedTransformerConfig.HookedTransformerConfig"


def read_torch_file(path: Path, what: str = "checkpoint") -> object:
    """torch.load with the weights-only unpickler, every failure one line. A pickled object that is
    not a tensor, number, string, list or dict is refused: unpickling it could run code."""
    path = Path(path)
    if path.exists() and not path.is_file():
        raise GrokError(f"{path} is not a regular file (a folder, a pipe or a device); a {what} is a file")
    if not path.is_file():
        raise GrokError(f"{what} file not found: {path}")
    try:
        with warnings.catch_warnings(), torch.serialization.safe_globals([(LensConfig, LENS_CONFIG_PATH)]):
            warnings.simplefilter("ignore")
            return torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as e:
        unsafe = re.search(r"GLOBAL (\S+)", str(e))
        if unsafe:
            raise GrokError(
                f"refused {path}: it holds a pickled Python object ({unsafe.group(1)}), and loading "
                "one could run code; a checkpoint holds only tensors, numbers, strings, lists "
                "and dicts"
            ) from None
        raise GrokError(f"cannot read {path} as a {what}: damaged or not a torch file") from None
    except Exception as e:  # a truncated zip, a wrong magic number, an absurd size, ...
        first = str(e).splitlines()[0][:120] if str(e) else "no detail"
        raise GrokError(
            f"cannot read {path} as a {what}: damaged or not a torch file ({type(e).__name__}: {first})"
        ) from None


def lens_shapes(cfg: TrainConfig) -> dict[str, tuple[int, ...]]:
    """Every parameter of the model in TransformerLens layout, with its shape."""
    d, h, dh, m, p = cfg.d_model, cfg.n_heads, cfg.d_head, cfg.d_mlp, cfg.p
    return {
        "embed.W_E": (p + 1, d),
        "pos_embed.W_pos": (N_CTX, d),
        "blocks.0.attn.W_Q": (h, d, dh),
        "blocks.0.attn.W_K": (h, d, dh),
        "blocks.0.attn.W_V": (h, d, dh),
        "blocks.0.attn.W_O": (h, dh, d),
        "blocks.0.attn.b_Q": (h, dh),
        "blocks.0.attn.b_K": (h, dh),
        "blocks.0.attn.b_V": (h, dh),
        "blocks.0.attn.b_O": (d,),
        "blocks.0.mlp.W_in": (d, m),
        "blocks.0.mlp.b_in": (m,),
        "blocks.0.mlp.W_out": (m, d),
        "blocks.0.mlp.b_out": (d,),
        "unembed.W_U": (d, p),
        "unembed.b_U": (p,),
    }


def paper_shapes(cfg: TrainConfig) -> dict[str, tuple[int, ...]]:
    """The weights a paper-layout state holds, with their shapes. Its W_U carries one more column,
    the '=' token's, which the model never predicts; its MLP biases may be absent."""
    d, h, dh, m, p = cfg.d_model, cfg.n_heads, cfg.d_head, cfg.d_mlp, cfg.p
    return {
        "embed.W_E": (d, p + 1),
        "pos_embed.W_pos": (N_CTX, d),
        "blocks.0.attn.W_Q": (h, dh, d),
        "blocks.0.attn.W_K": (h, dh, d),
        "blocks.0.attn.W_V": (h, dh, d),
        "blocks.0.attn.W_O": (d, h * dh),
        "blocks.0.mlp.W_in": (m, d),
        "blocks.0.mlp.W_out": (d, m),
        "unembed.W_U": (d, p + 1),
    }


PAPER_OPTIONAL = {"blocks.0.mlp.b_in", "blocks.0.mlp.b_out"}


def check_tensor(value: object, where: str, shape: tuple[int, ...] | None = None, finite: bool = True) -> torch.Tensor:
    """A dense, real floating-point tensor (of `shape`, when given; finite unless told otherwise)."""
    if not isinstance(value, torch.Tensor):
        raise GrokError(f"{where} is a {type(value).__name__}, not a tensor")
    if value.layout != torch.strided or not value.is_floating_point():
        raise GrokError(f"{where} has dtype {value.dtype} ({value.layout}); expected dense floating-point weights")
    if value.is_meta:
        raise GrokError(f"{where} is a meta tensor: a shape without values, no weights to analyse")
    if shape is not None and tuple(value.shape) != shape:
        raise GrokError(f"{where} has shape {tuple(value.shape)}, expected {shape}")
    if finite and not torch.isfinite(value).all():
        raise GrokError(f"{where} holds NaN or infinite values")
    return value


def check_state(
    state: object, cfg: TrainConfig, where: str, paper: bool = False, finite: bool = True
) -> dict[str, torch.Tensor]:
    """A state dict holding every weight of the model with the shapes cfg implies. Returns the
    weights, in the file's layout; absent optional biases stay absent (filled with zeros later)."""
    if not isinstance(state, dict):
        raise GrokError(f"{where} is a {type(state).__name__}, not a state dict")
    shapes = paper_shapes(cfg) if paper else lens_shapes(cfg)
    if paper:
        shapes.update({key: lens_shapes(cfg)[key] for key in PAPER_OPTIONAL})
        W_U = state.get("unembed.W_U")
        if isinstance(W_U, torch.Tensor) and tuple(W_U.shape) == (cfg.d_model, cfg.p):
            shapes["unembed.W_U"] = (cfg.d_model, cfg.p)  # saved without the '=' column
    optional = PAPER_OPTIONAL if paper else {key for key in shapes if ".b_" in key}
    layers = sorted(
        {int(match.group(1)) for key in state if isinstance(key, str) and (match := re.match(r"blocks\.(\d+)\.", key))}
    )
    if layers and layers != [0]:
        raise GrokError(
            f"{where} holds a model of {layers[-1] + 1} layers (blocks {layers[0]}..{layers[-1]}); "
            "this studio trains and analyses the one-layer model of Nanda et al."
        )
    checked = {}
    for key, shape in shapes.items():
        if key in state:
            checked[key] = check_tensor(state[key], f"{where}: {key}", shape, finite)
        elif key not in optional:
            raise GrokError(f"{where} lacks {key}")
    return checked


def check_dims(state: dict, where: str) -> tuple[bool, dict[str, int]]:
    """(paper layout?, the model's sizes) from the ranks and shapes of the state dict's weights."""
    needed = ("embed.W_E", "pos_embed.W_pos", "blocks.0.attn.W_Q", "blocks.0.mlp.W_in")
    ranks = {"embed.W_E": 2, "pos_embed.W_pos": 2, "blocks.0.attn.W_Q": 3, "blocks.0.mlp.W_in": 2}
    for key in needed:
        if key not in state:
            raise GrokError(f"{where}: unknown state-dict layout (no {key})")
        value = state[key]
        if not isinstance(value, torch.Tensor) or value.dim() != ranks[key]:
            kind = f"shape {tuple(value.shape)}" if isinstance(value, torch.Tensor) else type(value).__name__
            raise GrokError(f"{where}: {key} should be a {ranks[key]}-d tensor, got {kind}")
    W_E, W_pos, W_Q, W_in = (state[key] for key in needed)
    # TransformerLens layout: W_E [d_vocab, d_model], W_Q [n_heads, d_model, d_head];
    # paper layout:          W_E [d_model, d_vocab], W_Q [n_heads, d_head, d_model].
    # W_pos is [n_ctx, d_model] in both, so it names d_model.
    d_model = W_pos.shape[1]
    paper = W_Q.shape[2] == d_model != W_Q.shape[1]
    if paper:
        dims = dict(
            n_heads=W_Q.shape[0], d_head=W_Q.shape[1], d_model=d_model, d_vocab=W_E.shape[1], d_mlp=W_in.shape[0]
        )
    else:
        dims = dict(
            n_heads=W_Q.shape[0], d_head=W_Q.shape[2], d_model=d_model, d_vocab=W_E.shape[0], d_mlp=W_in.shape[1]
        )
    return paper, dims


def check_config(fields: dict, where: str) -> TrainConfig:
    try:
        return TrainConfig(**fields).validate()
    except GrokError as e:
        raise GrokError(f"{where}: config: {e}") from None


def check_epochs(values: object, count: int, where: str) -> list[int]:
    """Checkpoint epochs: `count` whole numbers >= 0, strictly ascending."""
    if isinstance(values, torch.Tensor):
        values = values.tolist() if values.dim() == 1 and not values.is_floating_point() else [values]
    if not isinstance(values, (list, tuple)) or any(
        isinstance(v, bool) or not isinstance(v, numbers.Integral) for v in values
    ):
        raise GrokError(f"{where}: checkpoint_epochs must be a list of whole numbers")
    epochs = [int(v) for v in values]
    if len(epochs) != count:
        raise GrokError(f"{where}: {count} checkpoints but {len(epochs)} checkpoint epochs")
    if epochs and (epochs[0] < 0 or any(b <= a for a, b in zip(epochs, epochs[1:]))):
        raise GrokError(f"{where}: checkpoint_epochs must be >= 0 and strictly ascending")
    if epochs and epochs[-1] > MAX_EPOCHS:
        raise GrokError(f"{where}: checkpoint epoch {epochs[-1]:,} is beyond any run's epochs (at most {MAX_EPOCHS:,})")
    return epochs


def check_indices(
    train: object, test: object, p: int, where: str, op: str = "add"
) -> tuple[torch.Tensor, torch.Tensor]:
    """Train and test indices into the p*p pairs: whole numbers in range, pairs of the operation's
    data set, none repeated, none in both."""
    in_data = torch.from_numpy(parse_operation(op).in_data(p))
    checked = []
    for name, value in (("train_indices", train), ("test_indices", test)):
        try:
            tensor = torch.as_tensor(value)
        except (TypeError, ValueError, RuntimeError):
            raise GrokError(f"{where}: {name} is not a list of whole numbers") from None
        if tensor.dim() != 1 or tensor.is_floating_point() or tensor.is_complex() or tensor.dtype == torch.bool:
            raise GrokError(
                f"{where}: {name} must be a 1-d list of whole numbers (got {tensor.dtype}, shape {tuple(tensor.shape)})"
            )
        tensor = tensor.long()
        if len(tensor) == 0:
            raise GrokError(f"{where}: {name} is empty")
        if tensor.min() < 0 or tensor.max() >= p * p:
            raise GrokError(
                f"{where}: {name} points outside the {p * p:,} pairs of p = {p} "
                f"({int(tensor.min())}..{int(tensor.max())})"
            )
        if not in_data[tensor].all():
            a, b = divmod(int(tensor[~in_data[tensor]][0]), p)
            raise GrokError(f"{where}: {name} holds the pair ({a}, {b}), which {op} leaves out of its data set")
        if len(tensor.unique()) != len(tensor):
            raise GrokError(f"{where}: {name} lists a pair twice")
        checked.append(tensor)
    if len(set(checked[0].tolist()) & set(checked[1].tolist())):
        raise GrokError(f"{where}: a pair is both in train_indices and in test_indices")
    return checked[0], checked[1]


CURVE_RANGES = {
    "train_losses": (0.0, float("inf")),
    "test_losses": (0.0, float("inf")),
    "train_accs": (0.0, 1.0),
    "test_accs": (0.0, 1.0),
}
CURVE_NAMES = {
    "train_losses": "train loss",
    "test_losses": "test loss",
    "train_accs": "train accuracy",
    "test_accs": "test accuracy",
}


def check_curves(obj: dict, where: str) -> dict[str, list[float]]:
    """The recorded curves: lists of finite numbers in range, each of any length (empty: not recorded)."""
    curves = {}
    for name, (low, high) in CURVE_RANGES.items():
        values = obj.get(name, [])
        if isinstance(values, torch.Tensor):
            values = values.tolist() if values.dim() == 1 else values
        if not isinstance(values, (list, tuple)) or any(
            isinstance(v, bool) or not isinstance(v, numbers.Real) for v in values
        ):
            raise GrokError(f"{where}: {name} must be a list of numbers")
        values = [float(v) for v in values]
        bad = next((e for e, v in enumerate(values) if not low <= v <= high), None)  # NaN fails both
        if bad is not None:
            raise GrokError(f"{where}: {name} holds {values[bad]} at entry {bad} (expected {low:g}..{high:g})")
        curves[name] = values
    return curves


def curve_cadence(n_values: int, n_epochs: int) -> int | None:
    """Every how many epochs a curve of n_values was recorded over n_epochs, if from epoch 0 at a
    fixed step k (epochs 0, k, 2k, ... < n_epochs: ceil(n_epochs / k) values); the smallest such k,
    or None if no step fits."""
    for k in range(max(1, n_epochs // n_values), n_epochs + 1):
        fitted = -(-n_epochs // k)
        if fitted == n_values:
            return k
        if fitted < n_values:
            return None
    return None


def place_curves(
    curves: dict[str, list[float]], where: str, steps: dict[str, int] | None = None
) -> tuple[dict[str, list[int]], str]:
    """The epoch of every recorded value, and a note saying how they were found. Files record values,
    not epochs: the longest curve has one value per epoch from 0, and a shorter one is placed every k
    epochs from 0 (Nanda et al.'s runs record test loss every 10 epochs), k the step the file records
    (`steps`: this project's --eval-every) or else found by count. A length that fits no step is refused."""
    n_epochs = max(len(values) for values in curves.values())
    epochs, placed = {}, []
    for name, values in curves.items():
        recorded = (steps or {}).get(name)
        step = recorded or (curve_cadence(len(values), n_epochs) if values else 1)
        if step is None or (values and -(-n_epochs // step) != len(values)):
            raise GrokError(
                f"{where}: cannot tell at which epochs its {len(values):,} {name} values were recorded "
                f"(the run has {n_epochs:,} epochs, and no fixed step from epoch 0 gives that many)"
            )
        epochs[name] = list(range(0, n_epochs, step)) if values else []
        if values and step > 1:
            how = "as the file records" if recorded else "placed by count (the file records values, not their epochs)"
            placed.append(f"{CURVE_NAMES[name]} every {step} epochs from 0, {how}")
    if not n_epochs:
        return epochs, "no curves recorded"
    note = f"one value per epoch, 0..{n_epochs - 1:,}"
    return epochs, "; ".join([note, *placed])


SCHEDULERS = (
    ("lr_lambdas", "LambdaLR"),
    ("step_size", "StepLR"),
    ("milestones", "MultiStepLR"),
    ("T_max", "CosineAnnealingLR"),
    ("gamma", "ExponentialLR"),
)  # a key its state holds, its kind


def check_optimizer(state: object, where: str) -> dict[str, float | list[float]]:
    """lr, betas and weight decay from an Adam-style optimizer state's param groups: one number where
    every group agrees, the per-group list where they differ. lr is the group's initial_lr when a
    scheduler set one (the base it scales), else its lr."""
    groups = state.get("param_groups") if isinstance(state, dict) else None
    if not isinstance(groups, (list, tuple)) or not groups or not all(isinstance(g, dict) for g in groups):
        raise GrokError(f"{where}: optimizer has no param_groups list")
    fields = {"lr": [], "beta1": [], "beta2": [], "wd": []}
    for n, group in enumerate(groups):
        betas = group.get("betas")
        values = {
            "lr": group.get("initial_lr", group.get("lr")),
            "wd": group.get("weight_decay"),
            "beta1": betas[0] if isinstance(betas, (list, tuple)) and len(betas) == 2 else None,
            "beta2": betas[1] if isinstance(betas, (list, tuple)) and len(betas) == 2 else None,
        }
        for name, value in values.items():
            if value is None:
                continue
            if isinstance(value, torch.Tensor) and value.numel() == 1:
                value = value.item()
            if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value) or value < 0:
                raise GrokError(f"{where}: optimizer param group {n} has {name} {value!r}; expected a number >= 0")
            fields[name].append(float(value))
    return {
        name: values[0] if len(set(values)) == 1 else values
        for name, values in fields.items()
        if len(values) == len(groups)
    }


def describe_scheduler(state: object, where: str) -> str:
    """A learning-rate scheduler's kind, told by the keys of its state dict, and the steps it took."""
    if not isinstance(state, dict):
        raise GrokError(f"{where}: scheduler is a {type(state).__name__}, not a scheduler's state dict")
    kind = next((name for key, name in SCHEDULERS if key in state), "of an unrecognised kind")
    steps = state.get("last_epoch")
    taken = f" after {steps:,} steps" if isinstance(steps, numbers.Integral) and not isinstance(steps, bool) else ""
    unknown = " (its function is not recorded)" if kind == "LambdaLR" else ""
    return f"{kind}{taken}{unknown}"


def check_resume_state(state: object, cfg: TrainConfig, where: str) -> dict:
    """A run directory's state.pt: the epoch, the weights, AdamW's state, torch's RNG, the curves."""
    if not isinstance(state, dict) or not {"epoch", "model", "optimizer", "rng", "curves"} <= set(state):
        raise GrokError(f"{where} is not a resume state (needs epoch, model, optimizer, rng, curves)")
    epoch = state["epoch"]
    if isinstance(epoch, bool) or not isinstance(epoch, numbers.Integral) or epoch < 0:
        raise GrokError(f"{where}: epoch must be a whole number >= 0 (got {epoch!r})")
    check_state(state["model"], cfg, f"{where}: model")
    rng = state["rng"]
    if not isinstance(rng, torch.Tensor) or rng.dtype != torch.uint8 or rng.dim() != 1:
        raise GrokError(f"{where}: rng is not torch's RNG state")
    curves = state["curves"]
    if not isinstance(curves, dict):
        raise GrokError(f"{where}: curves is not a dict")
    for name in ("train_loss", "test_loss", "train_acc", "test_acc"):
        curve = curves.get(name)
        if not isinstance(curve, torch.Tensor) or curve.dim() != 1 or len(curve) < epoch:
            raise GrokError(f"{where}: curves.{name} is missing or shorter than epoch {epoch}")
        if not curve.is_floating_point():
            raise GrokError(f"{where}: curves.{name} holds {curve.dtype}, not the float values training records")
    if state.get("trajectory", cfg.trajectory_hash()) != cfg.trajectory_hash():  # states before 0.1 record none
        raise GrokError(f"{where} was trained with other settings than config.json holds now (config.json edited?)")
    optimizer = state["optimizer"]
    groups = optimizer.get("param_groups") if isinstance(optimizer, dict) else None
    if not isinstance(groups, list) or not all(isinstance(group, dict) for group in groups):
        raise GrokError(f"{where}: optimizer is not AdamW's state dict")
    settings = {"lr": cfg.lr, "weight_decay": cfg.wd, "betas": (cfg.beta1, cfg.beta2)}
    for group in groups:  # the run's settings live in config.json; a state that trains with others is not this run's
        for key, value in settings.items():
            saved = (
                tuple(group.get(key))
                if key == "betas" and isinstance(group.get(key), (list, tuple))
                else group.get(key)
            )
            if saved != value:
                raise GrokError(f"{where}: its optimizer trains with {key} {saved!r}, the run's config says {value!r}")
    moments = [t for entry in optimizer.get("state", {}).values() if isinstance(entry, dict) for t in entry.values()]
    if any(isinstance(t, torch.Tensor) and t.is_floating_point() and not torch.isfinite(t).all() for t in moments):
        raise GrokError(f"{where}: its optimizer state holds NaN or infinite values (a damaged file)")
    return state
