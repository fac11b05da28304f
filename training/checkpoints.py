"""Checkpoint files: the run directory written while training, and the one-file run layouts.

A run directory holds
  config.json                     the TrainConfig (written once)
  checkpoints/epoch_0000100.pt    weights after that many epochs, each written once, never rewritten
  state.pt                        what resuming needs (weights, optimiser, RNG, curves so far),
                                  replaced at every checkpoint
  run.pth                         at the end: the whole run in the TransformerLens grokking-demo layout
Every file is written to a temporary name and renamed, so a killed run loses at most one interval.

Two one-file layouts can be read back (`load_run`): the demo layout written here, and the layout of
the paper's released checkpoints (Nanda et al. 2023), whose weights are transposed differently.
"""
from __future__ import annotations

import hashlib
import json
import os
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import torch

from .config import GrokError, TrainConfig
from .data import paper_split, train_test_split


def atomic_save(obj, path: Path) -> None:
    """torch.save to path.tmp, then rename: a reader never sees half a file."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    try:
        torch.save(obj, tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def atomic_write_text(text: str, path: Path) -> None:
    tmp = Path(path).with_name(Path(path).name + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def host_copy(obj):
    """A copy of obj (tensors inside dicts and lists) in host memory, and an event to wait on.
    On a GPU the copies are non-blocking into pinned memory, so training runs on while they land;
    the GPU stream orders them before the next optimiser step changes the weights."""
    on_gpu = []

    def copy(item):
        if isinstance(item, torch.Tensor):
            if item.device.type == "cuda":
                on_gpu.append(item)
                host = torch.empty(item.shape, dtype=item.dtype, pin_memory=True)
                return host.copy_(item.detach(), non_blocking=True)
            return item.detach().clone()
        if isinstance(item, dict):
            return {key: copy(value) for key, value in item.items()}
        if isinstance(item, (list, tuple)):
            return type(item)(copy(value) for value in item)
        return item

    host = copy(obj)
    event = None
    if on_gpu:
        event = torch.cuda.Event()
        event.record()
    return host, event


class CheckpointWriter:
    """Writes checkpoint files on a background thread from host copies (`host_copy`), in order."""

    def __init__(self):
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="checkpoint-writer")
        self._jobs: list[Future] = []

    def submit(self, write, obj) -> None:
        """Copy obj off the device now; call write(copy) on the writer thread once it has landed."""
        for job in [job for job in self._jobs if job.done()]:
            job.result()  # a failed earlier write (disk full, ...) surfaces here, not hours later
            self._jobs.remove(job)
        host, event = host_copy(obj)
        self._jobs.append(self._pool.submit(self._write, write, host, event))

    @staticmethod
    def _write(write, host, event) -> None:
        if event is not None:
            event.synchronize()
        write(host)

    def close(self) -> None:
        """Wait for every pending write (and raise the first failure)."""
        try:
            for job in self._jobs:
                job.result()
        finally:
            self._pool.shutdown()


class RunDir:
    """The files of one training run, named as in the module docstring."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.checkpoints = self.root / "checkpoints"
        self.config = self.root / "config.json"
        self.state = self.root / "state.pt"
        self.run_file = self.root / "run.pth"

    def checkpoint(self, epoch: int) -> Path:
        return self.checkpoints / f"epoch_{epoch:07d}.pt"

    def create(self, cfg: TrainConfig) -> None:
        try:
            self.checkpoints.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise GrokError(f"cannot create run directory {self.root}: {e.strerror}") from None
        if self.config.exists():
            saved = json.loads(self.config.read_text())
            mismatched = [k for k, v in cfg.to_dict().items()
                          if k not in ("epochs", "device") and saved.get(k) != v]
            if mismatched:
                raise GrokError(f"{self.root} holds a run with other settings ({', '.join(mismatched)}); "
                                "use another --run-dir or --fresh")
        atomic_write_text(json.dumps(cfg.to_dict(), indent=2), self.config)

    def checkpoint_epochs(self) -> list[int]:
        return sorted(int(path.stem.split("_")[1]) for path in self.checkpoints.glob("epoch_*.pt"))


def demo_config_dict(cfg: TrainConfig) -> dict:
    """HookedTransformerConfig field names, plus the training fields."""
    return {
        "n_layers": 1, "d_model": cfg.d_model, "d_head": cfg.d_head, "n_heads": cfg.n_heads,
        "d_mlp": cfg.d_mlp, "d_vocab": cfg.d_vocab, "d_vocab_out": cfg.d_vocab_out, "n_ctx": 3,
        "act_fn": "relu", "normalization_type": None, "attn_only": False, "seed": cfg.seed,
        "training": cfg.to_dict(),
    }


def write_run_file(run: RunDir, cfg: TrainConfig, curves: dict[str, torch.Tensor],
                   train_indices: torch.Tensor, test_indices: torch.Tensor) -> Path:
    """The whole run in the layout of the TransformerLens grokking-demo checkpoint."""
    epochs = run.checkpoint_epochs()
    checkpoints = [torch.load(run.checkpoint(e), weights_only=True) for e in epochs]
    atomic_save({
        "config": demo_config_dict(cfg),
        "model": checkpoints[-1],
        "checkpoints": checkpoints,
        "checkpoint_epochs": epochs,
        "train_losses": curves["train_loss"].tolist(),
        "test_losses": curves["test_loss"].tolist(),
        "train_accs": curves["train_acc"].tolist(),
        "test_accs": curves["test_acc"].tolist(),
        "train_indices": train_indices,
        "test_indices": test_indices,
    }, run.run_file)
    return run.run_file


@dataclass
class LoadedRun:
    """A run read from one file, whatever its layout, with weights in TransformerLens layout."""
    cfg: TrainConfig
    checkpoints: list[dict[str, torch.Tensor]]
    checkpoint_epochs: list[int]
    train_indices: torch.Tensor
    test_indices: torch.Tensor
    train_losses: list[float] = field(default_factory=list)
    test_losses: list[float] = field(default_factory=list)
    train_accs: list[float] = field(default_factory=list)
    test_accs: list[float] = field(default_factory=list)
    layout: str = "demo"
    split_note: str = "stored in the file"
    sha256: str = ""


class LensConfig:
    """Stands in for TransformerLens 3's HookedTransformerConfig, which the public demo checkpoint
    pickles: its fields load as attributes, with torch's safe (weights-only) unpickler."""


LENS_CONFIG_PATH = "transformer_lens.HookedTransformerConfig.HookedTransformerConfig"


def _read(path: Path) -> dict:
    path = Path(path)
    if not path.is_file():
        raise GrokError(f"checkpoint file not found: {path}")
    try:
        with torch.serialization.safe_globals([(LensConfig, LENS_CONFIG_PATH)]):
            obj = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:  # truncated zip, not a torch file, pickled classes, ...
        raise GrokError(f"cannot read {path} as a checkpoint ({type(e).__name__}: "
                        f"{str(e).splitlines()[0][:120] if str(e) else 'corrupt file'})") from None
    if not isinstance(obj, dict) or "model" not in obj or not isinstance(obj["model"], dict):
        raise GrokError(f"{path} is not a run checkpoint: expected a dict with a 'model' state dict")
    return obj


def paper_to_lens(state: dict[str, torch.Tensor], p: int) -> dict[str, torch.Tensor]:
    """Paper layout -> TransformerLens layout (shapes in science.md); absent biases are filled
    with zeros later, by _lens_state."""
    W_Q = state["blocks.0.attn.W_Q"]                              # [n_heads, d_head, d_model]
    n_heads, d_head, d_model = W_Q.shape
    W_O = state["blocks.0.attn.W_O"]                              # [d_model, n_heads * d_head]
    converted = {
        "embed.W_E": state["embed.W_E"].T,                        # [d_vocab, d_model]
        "pos_embed.W_pos": state["pos_embed.W_pos"],              # [n_ctx, d_model]
        "blocks.0.attn.W_Q": W_Q.transpose(1, 2),                 # [n_heads, d_model, d_head]
        "blocks.0.attn.W_K": state["blocks.0.attn.W_K"].transpose(1, 2),
        "blocks.0.attn.W_V": state["blocks.0.attn.W_V"].transpose(1, 2),
        "blocks.0.attn.W_O": W_O.T.reshape(n_heads, d_head, d_model),
        "blocks.0.mlp.W_in": state["blocks.0.mlp.W_in"].T,        # [d_model, d_mlp]
        "blocks.0.mlp.W_out": state["blocks.0.mlp.W_out"].T,      # [d_mlp, d_model]
        "unembed.W_U": state["unembed.W_U"][:, :p],               # [d_model, p]
    }
    converted.update({k: state[k] for k in ("blocks.0.mlp.b_in", "blocks.0.mlp.b_out") if k in state})
    return converted


LENS_KEYS = ("embed.W_E", "pos_embed.W_pos", "blocks.0.attn.W_Q", "blocks.0.attn.W_K",
             "blocks.0.attn.W_V", "blocks.0.attn.W_O", "blocks.0.mlp.W_in", "blocks.0.mlp.W_out",
             "unembed.W_U")


def _lens_state(state: dict, p: int, d_mlp: int, d_model: int, n_heads: int, d_head: int) -> dict:
    """Keep the parameters our model has; fill absent biases with zeros."""
    zeros = {"blocks.0.attn.b_Q": (n_heads, d_head), "blocks.0.attn.b_K": (n_heads, d_head),
             "blocks.0.attn.b_V": (n_heads, d_head), "blocks.0.attn.b_O": (d_model,),
             "blocks.0.mlp.b_in": (d_mlp,), "blocks.0.mlp.b_out": (d_model,), "unembed.b_U": (p,)}
    out = {k: state[k].float().contiguous() for k in LENS_KEYS}
    out.update({k: state[k].float().contiguous() if k in state else torch.zeros(shape) for k, shape in zeros.items()})
    return out


def load_run(path: Path, p: int | None = None, train_frac: float | None = None) -> LoadedRun:
    """Read a run file of the demo layout or the paper's original layout.
    `p` and `train_frac` are needed only when the file does not say them."""
    path = Path(path)
    obj = _read(path)
    state = obj["model"]
    if "embed.W_E" not in state or "blocks.0.attn.W_Q" not in state:
        raise GrokError(f"{path}: unknown state-dict layout (no embed.W_E / blocks.0.attn.W_Q)")
    W_E, W_Q = state["embed.W_E"], state["blocks.0.attn.W_Q"]
    # TransformerLens layout: W_E [d_vocab, d_model], W_Q [n_heads, d_model, d_head];
    # paper layout:          W_E [d_model, d_vocab], W_Q [n_heads, d_head, d_model].
    # W_pos is [n_ctx, d_model] in both, so it names d_model.
    if "pos_embed.W_pos" not in state:
        raise GrokError(f"{path}: unknown state-dict layout (no pos_embed.W_pos)")
    paper_layout = W_Q.shape[2] == state["pos_embed.W_pos"].shape[1] != W_Q.shape[1]
    raw_cfg = obj.get("config")
    raw_cfg = vars(raw_cfg) if isinstance(raw_cfg, LensConfig) else raw_cfg if isinstance(raw_cfg, dict) else {}
    training = raw_cfg.get("training", {}) if isinstance(raw_cfg.get("training"), dict) else {}

    if paper_layout:
        n_heads, d_head, d_model = W_Q.shape
        d_vocab = W_E.shape[1]
    else:
        d_vocab, d_model = W_E.shape
        n_heads, _, d_head = W_Q.shape
    p = p or raw_cfg.get("p") or training.get("p") or d_vocab - 1
    d_mlp = state["blocks.0.mlp.W_in"].shape[0 if paper_layout else 1]
    frac = train_frac or training.get("train_frac") or raw_cfg.get("frac_train") or 0.3
    try:
        cfg = TrainConfig(
            p=int(p), train_frac=float(frac), d_model=d_model, n_heads=n_heads, d_head=d_head,
            d_mlp=d_mlp, **{k: v for k, v in training.items()
                            if k in ("split_seed", "seed", "lr", "wd", "beta1", "beta2",
                                     "epochs", "checkpoint_every")},
        ).validate()
    except TypeError as e:
        raise GrokError(f"{path}: unreadable config ({e})") from None

    epochs = list(obj.get("checkpoint_epochs") or [])
    raw_checkpoints = obj.get("checkpoints") or [state]
    if not obj.get("checkpoints"):  # only the final weights: their epoch is the run's last
        epochs = [int(obj.get("epoch", epochs[-1] if epochs else len(obj.get("train_losses", []))))]
    if len(epochs) != len(raw_checkpoints):
        raise GrokError(f"{path}: {len(raw_checkpoints)} checkpoints but {len(epochs)} checkpoint epochs")

    try:
        convert = (lambda s: paper_to_lens(s, cfg.p)) if paper_layout else (lambda s: s)
        checkpoints = [_lens_state(convert(s), cfg.p, d_mlp, d_model, n_heads, d_head) for s in raw_checkpoints]
    except (KeyError, RuntimeError, ValueError) as e:
        raise GrokError(f"{path}: checkpoint weights are incomplete or misshapen ({type(e).__name__}: {e})") from None

    if "train_indices" in obj and "test_indices" in obj:
        train_idx = torch.as_tensor(obj["train_indices"]).long()
        test_idx = torch.as_tensor(obj["test_indices"]).long()
        note = "stored in the file"
    elif paper_layout:
        train_idx, test_idx = paper_split(cfg.p, cfg.train_frac, seed=0)
        note = "not stored; rebuilt with the paper code's rule (Python random, seed 0)"
    else:
        train_idx, test_idx = train_test_split(cfg.p, cfg.train_frac, cfg.split_seed)
        note = f"not stored; rebuilt with torch.randperm (seed {cfg.split_seed})"
    return LoadedRun(
        cfg=cfg, checkpoints=checkpoints, checkpoint_epochs=[int(e) for e in epochs],
        train_indices=train_idx, test_indices=test_idx,
        train_losses=[float(x) for x in obj.get("train_losses", [])],
        test_losses=[float(x) for x in obj.get("test_losses", [])],
        train_accs=[float(x) for x in obj.get("train_accs", [])],
        test_accs=[float(x) for x in obj.get("test_accs", [])],
        layout="paper" if paper_layout else "demo", split_note=note, sha256=file_sha256(path),
    )
