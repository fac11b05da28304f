"""Checkpoint files: the run directory written while training, and the one-file run layouts.

A run directory holds
  config.json                     the TrainConfig (written once)
  checkpoints/epoch_0000100.pt    weights after that many epochs, written once by the run
  state.pt                        what resuming needs (weights, optimiser, RNG, curves so far),
                                  replaced at every checkpoint
  run.pth                         at the end: the whole run in the TransformerLens grokking-demo layout
  grok.lock                       held by the process working in the directory (frames/files.py)
The resume state keeps a digest of the weights in every checkpoint the run wrote (`checkpoint_digests`),
so a checkpoint file that is not the one it wrote (another run's weights copied in, a stray epoch) is
refused when the run file is written, not spliced into the run.
Every file is written to `<name>.partial` and renamed, so a killed run loses at most one interval;
a `.partial` file left by a kill is never read, and the next run in the directory removes it.

Two one-file layouts can be read back (`load_run`): the demo layout written here, and the layout of
the paper's released checkpoints (Nanda et al. 2023), whose weights are transposed differently.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import shutil
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import torch

from frames.errors import GrokError
from frames.files import (
    LOCK_NAME,
    PARTIAL,
    atomic_output,
    atomic_write_text,
    file_sha256,
    locked_folder,
    partial_files,
    read_json,
    real_path,
)

from .arithmetic import check_record
from .checks import (
    PAPER_OPTIONAL,
    LensConfig,
    check_config,
    check_curves,
    check_dims,
    check_epochs,
    check_indices,
    check_optimizer,
    check_state,
    describe_scheduler,
    lens_shapes,
    place_curves,
    read_torch_file,
)
from .config import MAX_EPOCHS, TrainConfig
from .data import paper_split, train_test_split

# What grok writes in a run directory (module docstring; frames.npz: a sweep's run); --fresh deletes these only
OWN_FILES = ("config.json", "state.pt", "run.pth", "frames.npz", LOCK_NAME)
CHECKPOINT_NAME = re.compile(r"epoch_(\d+)\.pt")


def refuse_foreign(found: list[Path], folder: Path, option: str) -> None:
    """--fresh's refusal of a folder that holds files grok did not write, naming the first few."""
    if found:
        shown = ", ".join(str(path.relative_to(folder)) for path in found[:3])
        more = f" and {len(found) - 3} more" if len(found) > 3 else ""
        raise GrokError(
            f"refusing --fresh in {folder}: it holds files grok did not write ({shown}{more}); "
            f"move them away or use another {option}"
        )


def weights_digest(weights: dict[str, torch.Tensor]) -> str:
    """sha256 of the weights' names, dtypes, shapes and values: what a checkpoint holds, whatever bytes
    torch.save chose for it."""
    digest = hashlib.sha256()
    for name in sorted(weights):
        tensor = weights[name].detach().cpu().contiguous().reshape(-1)
        digest.update(f"{name}|{tensor.dtype}|{tuple(weights[name].shape)}|".encode())
        digest.update(tensor.view(torch.uint8).numpy().tobytes())
    return digest.hexdigest()


def write_checkpoint(weights: dict[str, torch.Tensor], path: Path) -> str:
    """Write a checkpoint; its weights' digest, for the resume state. A file already there is one the resume
    state does not list (a killed process wrote it after its last state, or it is stray) and is replaced: the
    checkpoint names in a run folder are grok's own (module docstring)."""
    atomic_save(weights, path)
    return weights_digest(weights)


def check_digests(digests: object, where: str) -> dict[int, str]:
    """A resume state's checkpoint_digests: {epoch: sha256 hex}; {} for a state written before they were kept."""
    if digests is None:
        return {}
    if not isinstance(digests, dict) or not all(
        isinstance(epoch, int)
        and not isinstance(epoch, bool)
        and 0 <= epoch <= MAX_EPOCHS
        and isinstance(digest, str)
        and re.fullmatch(r"[0-9a-f]{64}", digest)
        for epoch, digest in digests.items()
    ):
        raise GrokError(f"{where}: checkpoint_digests is not a table of epochs and sha256 digests")
    return dict(digests)


def refuse_inside_managed(folder: Path, option: str) -> None:
    """An output folder inside a folder grok manages (a run's: config.json and checkpoints/; a sweep's: sweep.json) is
    refused: that folder's --fresh would delete it, and its own files would mingle with another command's."""
    for parent in real_path(folder).parents:
        run = (parent / "config.json").is_file() and (parent / "checkpoints").is_dir()
        if run or (parent / "sweep.json").is_file():
            kind = "run" if run else "sweep"
            raise GrokError(
                f"{option} {folder} lies inside the {kind} folder {parent}, which grok manages: choose another"
            )


def atomic_save(obj, path: Path) -> None:
    """torch.save under the partial name, then rename: a reader never sees half a file."""
    with atomic_output(path) as f:
        torch.save(obj, f)


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

    @contextmanager
    def locked(self):
        """Hold the directory (created if needed) for the block; a second process is refused.
        Partial files a killed run left are removed: nobody else can be writing them."""
        with locked_folder(self.root):
            for stale in partial_files(self.root):
                stale.unlink(missing_ok=True)
            yield self

    def create(self, cfg: TrainConfig) -> None:
        try:
            self.checkpoints.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise GrokError(f"cannot create run directory {self.root}: {e.strerror}") from None
        if self.config.exists() or self.config.is_symlink():
            try:
                saved = read_json(self.config, "run's config")
            except GrokError as e:
                raise GrokError(f"{e}; use --fresh to start over") from None
            if not isinstance(saved, dict):
                raise GrokError(f"{self.config} holds no config; use --fresh to start over")
            # runs made before these fields existed learnt addition in the default arithmetic
            saved = {"op": "add", "reproducible": False, "eval_every": 1, **saved}
            mismatched = [k for k, v in cfg.to_dict().items() if k not in ("epochs", "device") and saved.get(k) != v]
            if mismatched:
                raise GrokError(
                    f"{self.root} holds a run with other settings ({', '.join(mismatched)}); "
                    "use another --run-dir or --fresh"
                )
        atomic_write_text(json.dumps(cfg.to_dict(), indent=2), self.config)

    def foreign(self) -> list[Path]:
        """What in the directory grok did not write (OWN_FILES, checkpoints/epoch_*.pt, partial files): a
        user's notes, a source folder. --fresh refuses to delete them."""
        if not self.root.is_dir():
            return []
        found = [
            c
            for c in self.root.iterdir()
            if c.name not in OWN_FILES
            and not c.name.endswith(PARTIAL)
            and not (c.name == "checkpoints" and c.is_dir() and not c.is_symlink())
        ]
        if self.checkpoints.is_dir() and not self.checkpoints.is_symlink():
            found += [
                c
                for c in self.checkpoints.iterdir()
                if not (CHECKPOINT_NAME.fullmatch(c.name) and c.is_file()) and not c.name.endswith(PARTIAL)
            ]
        return sorted(found)

    def check_only_ours(self) -> None:
        refuse_foreign(self.foreign(), self.root, "--run-dir")

    def clear(self) -> None:
        """Delete what grok wrote in the directory, its lock aside (for --fresh); refuse if it holds anything else."""
        self.check_only_ours()
        for child in self.root.iterdir():
            if child.name != LOCK_NAME:
                shutil.rmtree(child) if child.is_dir() and not child.is_symlink() else child.unlink()

    def checkpoint_epochs(self) -> list[int]:
        names = (CHECKPOINT_NAME.fullmatch(path.name) for path in self.checkpoints.glob("epoch_*.pt"))
        epochs = sorted(int(match.group(1)) for match in names if match)
        if epochs and epochs[-1] > MAX_EPOCHS:
            raise GrokError(
                f"{self.checkpoint(epochs[-1])} is beyond any run's epochs (at most {MAX_EPOCHS:,}): "
                "a stray file; move it away"
            )
        return epochs


def demo_config_dict(cfg: TrainConfig) -> dict:
    """HookedTransformerConfig field names, plus the training fields."""
    return {
        "n_layers": 1,
        "d_model": cfg.d_model,
        "d_head": cfg.d_head,
        "n_heads": cfg.n_heads,
        "d_mlp": cfg.d_mlp,
        "d_vocab": cfg.d_vocab,
        "d_vocab_out": cfg.d_vocab_out,
        "n_ctx": 3,
        "act_fn": "relu",
        "normalization_type": None,
        "attn_only": False,
        "seed": cfg.seed,
        "training": cfg.to_dict(),
    }


def write_run_file(
    run: RunDir,
    cfg: TrainConfig,
    curves: dict[str, torch.Tensor],
    train_indices: torch.Tensor,
    test_indices: torch.Tensor,
    arithmetic: list[dict],
    digests: dict[int, str],
    unrecorded_until: int = -1,
) -> Path:
    """The whole run in the layout of the TransformerLens grokking-demo checkpoint, with the arithmetic
    each stretch of its epochs was trained in (training/arithmetic.py). Every checkpoint must hold the weights
    whose digest the run recorded (`digests`); those up to `unrecorded_until` are taken as they are (written
    before grok kept digests)."""
    epochs = run.checkpoint_epochs()
    checkpoints = []
    for epoch in epochs:
        path = run.checkpoint(epoch)
        weights = check_state(read_torch_file(path), cfg, str(path), finite=False)  # a diverged sweep run keeps
        # its non-finite weights; load_run refuses them
        if epoch in digests and weights_digest(weights) != digests[epoch]:
            raise GrokError(
                f"{path} holds other weights than this run wrote at epoch {epoch} (copied from another run?); "
                "move it away and run the same command again"
            )
        if epoch not in digests and epoch > unrecorded_until:
            raise GrokError(f"{path} was not written by this run; move it away and run the same command again")
        checkpoints.append(weights)
    atomic_save(
        {
            "config": demo_config_dict(cfg),
            "model": checkpoints[-1],
            "checkpoints": checkpoints,
            "checkpoint_epochs": epochs,
            "train_losses": curves["train_loss"].tolist(),
            "test_losses": curves["test_loss"][:: cfg.eval_every].tolist(),  # recorded at epochs 0, N, 2N, ...
            "train_accs": curves["train_acc"].tolist(),
            "test_accs": curves["test_acc"][:: cfg.eval_every].tolist(),
            "train_indices": train_indices,
            "test_indices": test_indices,
            "arithmetic": arithmetic,
        },
        run.run_file,
    )
    return run.run_file


PAPER_TRAIN_FRAC = 0.3  # Nanda et al.'s train fraction: what a split is rebuilt with when no file or option says
MODEL_SIZES = ("d_model", "n_heads", "d_head", "d_mlp")
RECORDED = (*(f.name for f in dataclasses.fields(TrainConfig)), "scheduler")


@dataclass
class LoadedRun:
    """A run read from one file, whatever its layout, with weights in TransformerLens layout.

    `cfg` is what the analysis needs (the model's sizes, p, the split's settings); its other fields
    may be defaults. `recorded` is what the file itself says: every TrainConfig field and the
    scheduler, None where the file does not record it."""

    cfg: TrainConfig
    checkpoints: list[dict[str, torch.Tensor]]
    checkpoint_epochs: list[int]
    train_indices: torch.Tensor
    test_indices: torch.Tensor
    recorded: dict = field(default_factory=dict)
    curves: dict[str, list[float]] = field(default_factory=dict)  # train_losses, test_losses, train_accs, test_accs
    curve_epochs: dict[str, list[int]] = field(default_factory=dict)  # the epoch of each value, per curve
    curves_note: str = "no curves recorded"
    layout: str = "demo"
    split_note: str = "stored in the file"
    split_recorded: bool = True
    sha256: str = ""
    arithmetic: list[dict] | None = None  # what decided its rounding, per stretch of epochs; None: not recorded


def paper_to_lens(state: dict[str, torch.Tensor], p: int) -> dict[str, torch.Tensor]:
    """Paper layout (shapes checked by check_state) -> TransformerLens layout (shapes in science.md);
    absent biases are filled with zeros later, by _lens_state."""
    W_Q = state["blocks.0.attn.W_Q"]  # [n_heads, d_head, d_model]
    n_heads, d_head, d_model = W_Q.shape
    W_O = state["blocks.0.attn.W_O"]  # [d_model, n_heads * d_head]
    converted = {
        "embed.W_E": state["embed.W_E"].T,  # [d_vocab, d_model]
        "pos_embed.W_pos": state["pos_embed.W_pos"],  # [n_ctx, d_model]
        "blocks.0.attn.W_Q": W_Q.transpose(1, 2),  # [n_heads, d_model, d_head]
        "blocks.0.attn.W_K": state["blocks.0.attn.W_K"].transpose(1, 2),
        "blocks.0.attn.W_V": state["blocks.0.attn.W_V"].transpose(1, 2),
        "blocks.0.attn.W_O": W_O.T.reshape(n_heads, d_head, d_model),
        "blocks.0.mlp.W_in": state["blocks.0.mlp.W_in"].T,  # [d_model, d_mlp]
        "blocks.0.mlp.W_out": state["blocks.0.mlp.W_out"].T,  # [d_mlp, d_model]
        "unembed.W_U": state["unembed.W_U"][:, :p],  # [d_model, p]
    }
    converted.update({k: state[k] for k in PAPER_OPTIONAL if k in state})
    return converted


def _lens_state(state: dict[str, torch.Tensor], cfg: TrainConfig) -> dict[str, torch.Tensor]:
    """Every parameter of our model, float32; absent biases filled with zeros."""
    return {
        key: state[key].float().contiguous() if key in state else torch.zeros(shape)
        for key, shape in lens_shapes(cfg).items()
    }


def even_step(epochs: list[int]) -> int | None:
    """The spacing of evenly spaced epochs (at least two), else None."""
    steps = {b - a for a, b in zip(epochs, epochs[1:])}
    return steps.pop() if len(steps) == 1 else None


def recorded_settings(obj: dict, told: dict, ours: bool, epochs: list[int], n_epochs: int, where: str) -> dict:
    """Every TrainConfig field and the scheduler as the file records them (None where it does not):
    what its config told, then an optimizer's param groups, a scheduler's state, its epoch count
    (else the number of epochs its curves cover) and the spacing of its checkpoints."""
    recorded = {key: None for key in RECORDED} | told
    if obj.get("optimizer") is not None:
        settings = check_optimizer(obj["optimizer"], where)
        recorded |= {key: value for key, value in settings.items() if recorded[key] is None}
    if ours:
        recorded["scheduler"] = "none"  # this project's trainer: a constant learning rate
    elif obj.get("scheduler") is not None:
        recorded["scheduler"] = describe_scheduler(obj["scheduler"], where)
    if recorded["epochs"] is None:
        recorded["epochs"] = check_epochs([obj["epoch"]], 1, where)[0] if "epoch" in obj else n_epochs or None
    if recorded["checkpoint_every"] is None:
        recorded["checkpoint_every"] = even_step(epochs)
    return recorded


def load_run(path: Path, p: int | None = None, train_frac: float | None = None) -> LoadedRun:
    """Read a run file of the demo layout or the paper's original layout; every field is checked
    (training/checks.py) before it is used. `p` and `train_frac` are used only when the file does
    not say them. Settings are taken from what the file records (this project's config, a
    TransformerLens config, an optimizer's param groups, a scheduler's state), never from a preset."""
    path = Path(path)
    obj = read_torch_file(path)
    if not isinstance(obj, dict) or not isinstance(obj.get("model"), dict):
        raise GrokError(f"{path} is not a run checkpoint: expected a dict with a 'model' state dict")
    paper_layout, dims = check_dims(obj["model"], str(path))
    raw_cfg = obj.get("config")
    raw_cfg = {} if raw_cfg is None else vars(raw_cfg) if isinstance(raw_cfg, LensConfig) else raw_cfg
    training = raw_cfg.get("training", {}) if isinstance(raw_cfg, dict) else None
    if not isinstance(training, dict):
        raise GrokError(f"{path}: config must be a dict (with a 'training' dict, if any)")
    said = [(key, raw_cfg.get(key)) for key in (*MODEL_SIZES, "d_vocab")] + [
        (key, training.get(key)) for key in MODEL_SIZES
    ]
    for key, value in said:  # the weights decide the model's sizes; a config that says otherwise is not this model's
        if value is not None and value != dims[key]:
            raise GrokError(f"{path}: its config says {key} = {value!r}, but its weights have {key} = {dims[key]}")
    told = {
        key: value
        for key, value in (
            ("p", raw_cfg.get("p")),
            ("train_frac", raw_cfg.get("frac_train")),
            ("seed", raw_cfg.get("seed")),
            *training.items(),
        )
        if key in RECORDED and key != "scheduler" and value is not None
    }  # what the file says
    cfg = check_config(
        {
            "p": p or dims["d_vocab"] - 1,
            "train_frac": train_frac or PAPER_TRAIN_FRAC,
            **told,
            **{key: dims[key] for key in MODEL_SIZES},
        },
        str(path),
    )

    curves = check_curves(obj, str(path))
    # this project's runs record the test curve's step (--eval-every): place it by that, not by count
    every = told["eval_every"] if isinstance(told.get("eval_every"), int) else 1
    if "training" in raw_cfg and isinstance(told.get("epochs"), int):  # ours: every curve as long as it was written
        epochs_run = told["epochs"]
        lengths = {"train_losses": epochs_run, "train_accs": epochs_run}
        lengths |= {"test_losses": -(-epochs_run // every), "test_accs": -(-epochs_run // every)}
        for name, values in curves.items():
            if name in lengths and len(values) != lengths[name]:
                raise GrokError(
                    f"{path}: {name} holds {len(values):,} values; a run of {epochs_run:,} epochs that records it "
                    f"every {every} epoch(s) has {lengths[name]:,}"
                )
    steps = {"test_losses": every, "test_accs": every} if every > 1 else {}
    curve_epochs, curves_note = place_curves(curves, str(path), steps)
    n_epochs = max(len(values) for values in curves.values())  # the longest curve has one value per epoch
    raw_checkpoints = obj.get("checkpoints")
    if raw_checkpoints is None or (isinstance(raw_checkpoints, (list, tuple)) and not raw_checkpoints):
        # only the final weights: their epoch is the run's last
        final_epoch = obj.get("epoch", n_epochs)
        raw_checkpoints, epochs = [obj["model"]], check_epochs([final_epoch], 1, str(path))
    elif isinstance(raw_checkpoints, (list, tuple)):
        epochs = check_epochs(obj.get("checkpoint_epochs"), len(raw_checkpoints), str(path))
    else:
        raise GrokError(f"{path}: checkpoints must be a list of state dicts")
    convert = (lambda s: paper_to_lens(s, cfg.p)) if paper_layout else (lambda s: s)
    checkpoints = [
        _lens_state(
            convert(check_state(state, cfg, f"{path}: checkpoint {n} (epoch {epoch})", paper=paper_layout)), cfg
        )
        for n, (state, epoch) in enumerate(zip(raw_checkpoints, epochs))
    ]

    if "training" in raw_cfg and isinstance(raw_checkpoints, (list, tuple)) and len(raw_checkpoints) > 1:
        final = _lens_state(convert(check_state(obj["model"], cfg, f"{path}: model", paper=paper_layout)), cfg)
        if any(not torch.equal(final[key], checkpoints[-1][key]) for key in final):  # ours: model is the last one
            raise GrokError(f"{path}: its final weights (model) are not its last checkpoint's, as grok writes them")
    recorded = recorded_settings(
        obj,
        {key: getattr(cfg, key) for key in (*told, "p", *MODEL_SIZES)},
        "training" in raw_cfg,
        epochs,
        n_epochs,
        str(path),
    )
    frac = (
        "recorded"
        if "train_frac" in told
        else "given with --train-frac"
        if train_frac
        else "the paper's, assumed: not recorded"
    )
    if "train_indices" in obj and "test_indices" in obj:
        train_idx, test_idx = check_indices(obj["train_indices"], obj["test_indices"], cfg.p, str(path), cfg.op)
        note, split_recorded = "stored in the file", True
    elif paper_layout:
        train_idx, test_idx = paper_split(cfg.p, cfg.train_frac, seed=0)
        note = f"not stored; rebuilt with the paper code's rule (Python random, seed 0), train fraction {cfg.train_frac} ({frac})"
        split_recorded = False
    else:
        train_idx, test_idx = train_test_split(cfg.p, cfg.train_frac, cfg.split_seed, cfg.op)
        split_recorded = "split_seed" in told and "train_frac" in told
        note = (
            f"not stored; rebuilt with torch.randperm, seed {cfg.split_seed} "
            f"({'recorded' if 'split_seed' in told else 'assumed: not recorded'}), train fraction {cfg.train_frac} ({frac})"
        )
    return LoadedRun(
        cfg=cfg,
        checkpoints=checkpoints,
        checkpoint_epochs=epochs,
        train_indices=train_idx,
        test_indices=test_idx,
        recorded=recorded,
        curves=curves,
        curve_epochs=curve_epochs,
        curves_note=curves_note,
        layout="paper" if paper_layout else "demo",
        split_note=note,
        split_recorded=split_recorded,
        sha256=file_sha256(path),
        arithmetic=check_record(obj["arithmetic"], epochs[-1], str(path)) or None if "arithmetic" in obj else None,
    )
