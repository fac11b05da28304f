"""From a run's checkpoints to the compact frames file (schema in frames/, data/FRAMES.md).

Neurons to show are chosen once, from the final checkpoint, and followed through every checkpoint:
a 7x7 grid spread over the key frequencies, a pair of one frequency a quarter-period apart (the
ring), and three neurons for the surfaces.

The Fourier analysis runs in the coordinates of the run's operation (training/progress.py,
Coordinates): over Z_M in u = u(a), v = v(b), w = w(c). Arrays over tokens stay in token order
(index a is token a); the frames carry each token's coordinates (op_coord_*) so that a reader can
put them in the group's order. Without a relabelling the measures that rest on one are NaN or
empty, and the frames list them (op_not_applicable).
"""

from __future__ import annotations

import json
import math

import numpy as np
import torch
from tqdm.auto import tqdm

import frames
from frames.errors import GrokError
from frames.operations import operation_arrays
from frames.schema import PER_CHECKPOINT

from .checkpoints import LoadedRun
from .data import all_pairs
from .fourier import CLUSTER_THRESHOLD, cluster_neurons, fourier_basis, key_frequencies
from .model import Transformer, accuracy, loss_fn
from .progress import (
    Coordinates,
    checkpoint_measures,
    logit_frequency_shares,
    phase_starts,
    wave_directions,
)

GRID_SIZE = 49
RING_CANDIDATES = 32
SURFACE_FRAMES = 26
CURVE_KEYS = {
    "train_losses": "train_loss",
    "test_losses": "test_loss",
    "train_accs": "train_acc",
    "test_accs": "test_acc",
}  # run file -> frames


def run_all_pairs(model: Transformer, state: dict, tokens: torch.Tensor) -> tuple[torch.Tensor, dict]:
    """Logits [p*p, p] and last-position cache for every input pair."""
    model.load_state_dict(state)
    cache: dict = {}
    with torch.inference_mode():
        logits = model(tokens, cache=cache)
    return logits, cache


def pick_grid_neurons(
    freqs: np.ndarray, shares: np.ndarray, keys: list[int], active: np.ndarray, n: int = GRID_SIZE
) -> np.ndarray:
    """Round-robin over key frequencies; within one, clustered neurons first, those active for about
    half of the a's at b = WAVE_B first among them (their slice is a full rectified sine, not a few
    spikes). Topped up by share; sorted by (freq, -share)."""
    clustered = shares >= CLUSTER_THRESHOLD
    order = np.lexsort((-shares, np.abs(active - 0.5), ~clustered))
    queues = [[i for i in order if freqs[i] == k] for k in keys]
    chosen: list[int] = []
    while len(chosen) < n and any(queues):
        for queue in queues:
            if queue and len(chosen) < n:
                chosen.append(queue.pop(0))
    chosen += [i for i in np.argsort(-shares, kind="stable") if i not in chosen][: n - len(chosen)]
    return np.array(sorted(chosen, key=lambda i: (freqs[i], -shares[i])), dtype=np.int32)


def pick_ring_pair(
    pre_over_a: np.ndarray, freqs: np.ndarray, shares: np.ndarray, keys: list[int], basis: np.ndarray
) -> np.ndarray:
    """Two neurons of the most populated key frequency whose waves are closest to 90 degrees apart
    (pre_over_a [M, N] in the order of u); a Nyquist key frequency, a line rather than a ring, is passed over."""
    counts = {k: int((freqs == k).sum()) for k in keys if 2 * k < len(basis)} or {int(freqs[np.argmax(shares)]): 1}
    k = max(counts, key=counts.get)
    candidates = [i for i in np.argsort(-shares) if freqs[i] == k][:RING_CANDIDATES]
    if len(candidates) < 2:
        candidates = list(np.argsort(-shares)[:2])
    sin = basis[2 * k] if 2 * k < len(basis) else np.zeros(len(basis))  # the Nyquist frequency has no sine
    phase = {i: math.atan2(sin @ pre_over_a[:, i], basis[2 * k - 1] @ pre_over_a[:, i]) for i in candidates}
    pairs = [(abs(math.sin(phase[i] - phase[j])), i, j) for n, i in enumerate(candidates) for j in candidates[n + 1 :]]
    _, i, j = max(pairs)
    return np.array([i, j], dtype=np.int32)


def pick_surface_neurons(freqs: np.ndarray, shares: np.ndarray, keys: list[int]) -> np.ndarray:
    """The best neuron of each of the (up to) SURFACE_NEURONS most populated key frequencies, topped up by share."""
    by_share = list(np.argsort(-shares))
    populated = sorted(keys, key=lambda k: -(freqs == k).sum())[: frames.SURFACE_NEURONS]
    chosen = [next(i for i in by_share if freqs[i] == k) for k in populated]
    chosen += [i for i in by_share if i not in chosen][: frames.SURFACE_NEURONS - len(chosen)]
    return np.array(chosen, dtype=np.int32)


def embed_clock(
    W_E: torch.Tensor, basis: torch.Tensor, keys: list[int], tokens: torch.Tensor | None = None
) -> torch.Tensor:
    """[K, p, 2]: each token's centred embedding in frequency k's (cos, sin) plane of W_E over Z_M.

    tokens [M] lists the token at each coordinate u (default: the tokens in order, M = p); W_E is
    centred over them. The plane is spanned by u_cos, u_sin, the d_model vectors of W_E's frequency-k
    cos and sin components over u. A token's coordinates are the least-squares weights x, y of
    W_E[a] ~ x u_cos + y u_sin, scaled by sqrt(M/2): W_E's frequency-k component alone puts the token
    of coordinate u exactly at (cos 2 pi k u / M, sin 2 pi k u / M) on the unit circle; every other
    component scatters it. Tokens outside the group are projected too. The Nyquist frequency of an
    even M has no sine: its "clock" is the line (cos pi u, 0), scaled by sqrt(M)."""
    p, M = W_E.shape[0], basis.shape[0]
    group = W_E if tokens is None else W_E[tokens]  # [M, d_model] in the order of u
    mean = group.mean(dim=0)
    coeffs = basis @ (group - mean)  # [M (basis), d_model]
    planes = []
    for k in keys:
        if 2 * k < M:
            U = coeffs[[2 * k - 1, 2 * k]].T  # [d_model, 2]: u_cos, u_sin
            planes.append(torch.linalg.lstsq(U, (W_E - mean).T).solution.T * math.sqrt(M / 2))  # [p, 2]
        else:
            x = torch.linalg.lstsq(coeffs[[2 * k - 1]].T, (W_E - mean).T).solution.T * math.sqrt(M)
            planes.append(torch.cat([x, torch.zeros_like(x)], dim=1))
    return torch.stack(planes) if planes else torch.zeros(0, p, 2, dtype=W_E.dtype)


def export_frames(run: LoadedRun, show_progress: bool = True) -> dict[str, np.ndarray]:
    cfg, p = run.cfg, run.cfg.p
    tokens, labels = all_pairs(p, cfg.op)
    coords = Coordinates.of(cfg.op, p)
    M = coords.order
    basis = fourier_basis(M)  # [M, M] float64
    model = Transformer(cfg)
    wave_b = int(coords.tokens_b[0])  # b whose coordinate is 0: a's waves are u's own
    surface_c = int(coords.tokens_c[0])  # the answer whose coordinate is 0

    # Step 1: Fourier structure of the final checkpoint, in the operation's coordinates, chooses what to show.
    final_logits, cache = run_all_pairs(model, run.checkpoints[-1], tokens)
    post_final = coords.grid(
        cache["blocks.0.mlp.hook_post"], p
    )  # [M, M, d_mlp] over (u, v); analysed in float64, a few neurons at a time
    freqs_t, shares_t, clustered = cluster_neurons(post_final, basis)
    keys = key_frequencies(freqs_t, clustered, cfg.d_mlp) if coords.relabelled else []
    freqs, shares = freqs_t.numpy(), shares_t.float().numpy()
    pre_final = coords.grid(cache["blocks.0.mlp.hook_pre"], p)[:, 0].double().numpy()  # [M, d_mlp] over u at v = 0
    active = (post_final[:, 0] > 0).double().mean(dim=0).numpy()  # [d_mlp] share of a's firing
    del cache, post_final  # the final activations (~60 MB at p = 113): what follows needs only the choices made
    grid = pick_grid_neurons(freqs, shares, keys, active)
    ring = pick_ring_pair(pre_final, freqs, shares, keys, basis.numpy())
    surface = pick_surface_neurons(freqs, shares, keys)
    directions = wave_directions(coords.answers, M, keys)  # [M*M, 2K] over the group's pairs
    n_ckpt = len(run.checkpoints)
    surface_idx = np.unique(np.linspace(0, n_ckpt - 1, min(n_ckpt, SURFACE_FRAMES)).round().astype(int))

    # Step 2: follow those through every checkpoint.
    per_ckpt: dict[str, list] = {name: [] for name in PER_CHECKPOINT}
    for n, state in enumerate(
        tqdm(run.checkpoints, desc="analysing checkpoints", unit="ckpt", disable=not show_progress)
    ):
        logits, cache = run_all_pairs(model, state, tokens)
        for split, idx in (("train", run.train_indices), ("test", run.test_indices)):
            per_ckpt[f"ckpt_{split}_loss"].append(loss_fn(logits[idx], labels[idx]).item())
            per_ckpt[f"ckpt_{split}_acc"].append(accuracy(logits[idx], labels[idx]).item())
        for name, value in checkpoint_measures(
            state, logits, labels, run.train_indices, run.test_indices, directions, basis, coords
        ).items():
            per_ckpt[name].append(value)
        pre = cache["blocks.0.mlp.hook_pre"].view(p, p, -1)  # [a, b, d_mlp]
        post = cache["blocks.0.mlp.hook_post"].view(p, p, -1)
        W_E = state["embed.W_E"][:p].double()  # [p, d_model], numbers only
        per_ckpt["embed_clock"].append(embed_clock(W_E, basis, keys, coords.tokens_a).numpy())
        spectrum = (basis @ W_E[coords.tokens_a]).norm(dim=1)  # [M] in the order of u
        per_ckpt["embed_spectrum"].append(spectrum.numpy() if coords.relabelled else np.full(M, np.nan))
        per_ckpt["waves"].append(post[:, wave_b, grid].T.numpy())
        per_ckpt["ring_pre"].append(pre[:, wave_b, ring].T.numpy())
        per_ckpt["ring_post"].append(post[:, wave_b, ring].T.numpy())
        if n in surface_idx:
            per_ckpt["surface_post"].append(post[:, :, surface].permute(2, 0, 1).numpy())
            per_ckpt["surface_logit"].append(logits.view(p, p, p)[:, :, surface_c].numpy())

    # Step 3: curves as recorded during training, each at its own epochs (empty where not recorded);
    # settings as the file records them (null where it does not)
    ckpt_epochs = np.array(run.checkpoint_epochs, dtype=np.int32)
    arrays = {
        "schema_version": np.int64(frames.SCHEMA_VERSION),
        "p": np.int64(p),
        **operation_arrays(cfg.op, p),
        "config_json": np.str_(json.dumps(run.recorded, sort_keys=True)),
        "source_sha256": np.str_(run.sha256),
        "source_layout": np.str_(run.layout),
        "split_note": np.str_(run.split_note),
        "split_recorded": np.bool_(run.split_recorded),
        "train_pairs": np.int64(len(run.train_indices)),
        "curves_note": np.str_(run.curves_note),
        "arithmetic_json": np.str_(json.dumps(run.arithmetic)),
        "grokked": np.bool_(per_ckpt["ckpt_test_acc"][-1] >= frames.ACCURACY_BAR),
    }
    for source, key in CURVE_KEYS.items():
        arrays[f"{key}_epochs"] = np.array(run.curve_epochs.get(source, []), dtype=np.int32)
        arrays[key] = np.array(run.curves.get(source, []), dtype=np.float32)
    arrays |= {
        "checkpoint_epochs": ckpt_epochs,
        "key_freqs": np.array(keys, dtype=np.int32),
        "neuron_freq": freqs.astype(np.int32),
        "neuron_share": shares.astype(np.float32),
        "logit_freq_share": logit_frequency_shares(final_logits[coords.pairs], coords.answers, M)
        .numpy()
        .astype(np.float32),
        "wave_b": np.int64(wave_b),
        "wave_neurons": grid,
        "ring_neurons": ring,
        "surface_epochs": ckpt_epochs[surface_idx],
        "surface_neurons": surface,
        "surface_logit_c": np.int64(surface_c),
    }
    with np.errstate(over="ignore"):  # a value past float16's range becomes inf, refused below in one line
        for name, values in per_ckpt.items():
            arrays[name] = np.asarray(values).astype(frames.SCHEMA[name][0])
    not_applicable = set() if coords.relabelled else set(frames.NOT_APPLICABLE)  # NaN by design
    unfit = [
        name
        for name in (*per_ckpt, "neuron_share", "logit_freq_share")
        if name not in not_applicable and not np.isfinite(arrays[name]).all()
    ]
    if unfit:
        largest = max(float(w.abs().max()) for state in run.checkpoints for w in state.values() if w.numel())
        raise GrokError(
            f"cannot export frames: {unfit[0]} is not finite in {frames.SCHEMA[unfit[0]][0]}; the "
            f"largest weight is {largest:.3g}, far beyond a trained model's"
        )
    arrays["phase_starts"] = phase_starts(ckpt_epochs, arrays["progress_excluded_loss"])
    return arrays
