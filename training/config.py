"""Run configuration: one dataclass, two presets, and the checks that turn bad input into one line."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import numbers
from dataclasses import dataclass

import numpy as np

from frames.errors import GrokError
from frames.operations import parse_operation
from frames.schema import SURFACE_NEURONS

DEVICES = ("auto", "cpu", "cuda")
MAX_P = 10_000  # keeps the primality test instant; training/memory.py decides what fits below it
MAX_EPOCHS = 2**31 - 1  # frames store epochs as int32
MIN_LR, MAX_LR = 1e-9, 1.0  # an Adam step moves a weight by about lr: under 1e-9 a float32 weight near 0.1 stays put
MAX_SEED = 2**63 - 1  # frames store the seed as int64 (torch would take up to 2**64 - 1)


@dataclass(frozen=True)
class TrainConfig:
    # task: z = op(a, b) mod p on tokens [a, b, =] (frames/operations.py)
    p: int = 113  # modulus; must be prime (the Fourier analysis assumes a field)
    op: str = "add"  # the operation: add, sub, mul, div (b = 0 left out), pow:A,B (a^A + b^B), sq, cubic (a³ + a·b)
    train_frac: float = 0.3  # share of the p*p pairs used for training; the rest is the test set
    split_seed: int = 598  # seed of the train/test permutation (TransformerLens demo: 598)
    # model: 1-layer attention + ReLU MLP, no LayerNorm (TransformerLens names and shapes)
    d_model: int = 128  # width of the residual stream
    n_heads: int = 4  # attention heads
    d_head: int = 32  # width of each head
    d_mlp: int = 512  # MLP neurons
    seed: int = 999  # seed of the weight initialisation (demo: 999)
    # optimisation: full-batch AdamW, float64 cross-entropy on the last position
    lr: float = 1e-3  # AdamW learning rate (constant, no warm-up)
    wd: float = 1.0  # AdamW decoupled weight decay; grokking needs it large
    beta1: float = 0.9  # AdamW beta1
    beta2: float = 0.98  # AdamW beta2 (paper: 0.98, not the default 0.999)
    epochs: int = 25_000  # optimiser steps (one full batch each)
    checkpoint_every: int = 100  # save weights every this many epochs (and at epoch 0)
    eval_every: int = 1  # record the test curve every this many epochs (from 0); training is the same
    device: str = "auto"  # where to train: auto picks a CUDA GPU when there is one
    reproducible: bool = False  # the same bits on any x86-64 CPU with AVX2 (pinned kernels, 2 threads; slower)

    @property
    def d_vocab(self) -> int:
        return self.p + 1  # the numbers 0..p-1 and '='

    @property
    def d_vocab_out(self) -> int:
        return self.p

    def validate(self) -> "TrainConfig":
        """Check every field (type, finiteness, range); return the config with numbers normalised
        (an int where a float belongs becomes a float). Configs read from files pass through here too."""
        values = {}
        for field in dataclasses.fields(self):
            value, kind = getattr(self, field.name), type(field.default)
            if kind is bool:
                if not isinstance(value, (bool, np.bool_)):
                    raise GrokError(f"{field.name} must be true or false (got {value!r})")
                value = bool(value)
            elif kind is int:
                if isinstance(value, bool) or not isinstance(value, numbers.Integral):
                    raise GrokError(f"{field.name} must be a whole number (got {value!r})")
                value = int(value)
            elif kind is float:
                if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
                    raise GrokError(f"{field.name} must be a finite number (got {value!r})")
                value = float(value) + 0.0  # -0.0 is 0.0: equal settings, one run folder and one hash
            values[field.name] = value
        cfg = dataclasses.replace(self, **values)
        if not 3 <= cfg.p <= MAX_P or not is_prime(cfg.p):
            raise GrokError(f"p must be a prime between 3 and {MAX_P:,} (got {cfg.p})")
        try:
            op = parse_operation(cfg.op)
        except ValueError as e:
            raise GrokError(str(e)) from None
        cfg = dataclasses.replace(cfg, op=op.name)  # one spelling per task: sq -> pow:2,2, pow:1,1 -> add
        if not 0.0 < cfg.train_frac < 1.0:
            raise GrokError(f"train fraction must lie strictly between 0 and 1 (got {cfg.train_frac})")
        n_pairs = int(op.in_data(cfg.p).sum())
        n_train = int(cfg.train_frac * n_pairs)
        if n_train < 1 or n_train >= n_pairs:
            raise GrokError(f"train fraction {cfg.train_frac} leaves an empty train or test set at p={cfg.p}")
        for name in ("d_model", "n_heads", "d_head", "d_mlp", "epochs", "checkpoint_every", "eval_every"):
            if getattr(cfg, name) < 1:
                raise GrokError(f"{name} must be a positive integer (got {getattr(cfg, name)})")
        if cfg.d_mlp < SURFACE_NEURONS:
            raise GrokError(
                f"--d-mlp must be at least {SURFACE_NEURONS}: the frames show {SURFACE_NEURONS} neurons' "
                f"patterns over (a, b) (got {cfg.d_mlp})"
            )
        if cfg.epochs > MAX_EPOCHS:
            raise GrokError(f"epochs must be at most {MAX_EPOCHS:,} (frames store epochs as int32; got {cfg.epochs:,})")
        for name in ("seed", "split_seed"):
            if not 0 <= getattr(cfg, name) <= MAX_SEED:
                raise GrokError(f"{name} must lie between 0 and 2^63 - 1 (got {getattr(cfg, name)})")
        if cfg.lr <= 0 or cfg.wd < 0:
            raise GrokError(f"need lr > 0 and wd >= 0 (got lr={cfg.lr}, wd={cfg.wd})")
        if not MIN_LR <= cfg.lr <= MAX_LR:
            raise GrokError(
                f"lr must lie between {MIN_LR:g} and {MAX_LR:g} (got {cfg.lr:g}): below, a float32 weight does not "
                "move; above, AdamW's steps are as large as the weights"
            )
        if cfg.lr * cfg.wd >= 1:
            raise GrokError(
                f"lr × wd must be below 1: AdamW multiplies the weights by 1 - lr × wd at every step "
                f"(got lr={cfg.lr}, wd={cfg.wd})"
            )
        if not (0 <= cfg.beta1 < 1 and 0 <= cfg.beta2 < 1):
            raise GrokError(f"betas must lie in [0, 1) (got {cfg.beta1}, {cfg.beta2})")
        if cfg.device not in DEVICES:
            raise GrokError(f"device must be auto, cpu or cuda (got {cfg.device!r})")
        return cfg

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    def trajectory_hash(self) -> str:
        """Hash of every field that changes the training trajectory (not epochs, device or eval_every),
        so that re-running a command, or extending its epochs, finds the same run. op and reproducible
        join the hash only away from their defaults: runs made before they existed keep their hash and
        directory."""
        fields = {
            k: v
            for k, v in self.to_dict().items()
            if k not in ("epochs", "device", "eval_every")
            and not (k == "op" and v == "add")
            and not (k == "reproducible" and not v)
        }
        return hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()[:8]


PRESETS: dict[str, TrainConfig] = {
    # Nanda et al. (2023) as in the TransformerLens grokking demo.
    "nanda": TrainConfig(),
    # Chosen by measurement (README, "Presets"): groks on a 2-core CPU in about a minute,
    # test accuracy reaching 99 % some 30x later than train accuracy does.
    "quick": TrainConfig(p=59, lr=3e-3, wd=2.0, epochs=2_500, checkpoint_every=25),
}


def is_prime(n: int) -> bool:
    return n >= 2 and all(n % d for d in range(2, int(n**0.5) + 1))


def make_config(preset: str = "nanda", **overrides) -> TrainConfig:
    if preset not in PRESETS:
        raise GrokError(f"unknown preset {preset!r} (choose from {', '.join(PRESETS)})")
    overrides = {k: v for k, v in overrides.items() if v is not None}
    unknown = set(overrides) - {f.name for f in dataclasses.fields(TrainConfig)}
    if unknown:
        raise GrokError(f"unknown config field(s): {', '.join(sorted(unknown))}")
    return dataclasses.replace(PRESETS[preset], **overrides).validate()


def field_help() -> dict[str, str]:
    """Each TrainConfig field's trailing comment, for --help (the comments are the documentation)."""
    import inspect
    import re

    source = inspect.getsource(TrainConfig)
    return dict(re.findall(r"^\s+(\w+): [\w\[\], ]+ = [^#\n]+#\s*(.+)$", source, flags=re.M))
