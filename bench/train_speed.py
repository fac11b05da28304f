"""Training speed on this machine, measured in one run: prints the figures for the README.

    python bench/train_speed.py            # per-epoch speed, FLOPs, batched runs, quick preset to grok
    python bench/train_speed.py --nanda    # also the full nanda preset (25,000 epochs)

An epoch is what `grok make-data` does per step: forward + backward on the full train split, an AdamW
step, and a forward on the test split (the test curve is recorded every epoch). FLOPs are the matmul
FLOPs torch's FlopCounterMode counts for one epoch; the machine's matmul throughput is measured here
on a large square fp32 matmul, so "fraction" says how close an epoch comes to pure matmul speed.
"""

from __future__ import annotations

import argparse
import platform
import tempfile
import time

import torch
from torch.utils.flop_counter import FlopCounterMode

from training.config import make_config
from training.data import all_pairs, train_test_split
from training.fast import loss_and_metrics, stacked
from training.lens import to_transformer_lens
from training.memory import split_sizes
from training.model import Transformer, loss_fn
from training.sweep import BatchedAdamW, init_stacked, padded_splits
from training.train import freed_memory_kept, resolve_device, train


def synchronize(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def seconds_per_call(step, device: torch.device, repeats: int, warmup: int = 3) -> float:
    for _ in range(warmup):
        step()
    synchronize(device)
    start = time.perf_counter()
    for _ in range(repeats):
        step()
    synchronize(device)
    return (time.perf_counter() - start) / repeats


def matmul_throughput(device: torch.device) -> float:
    """FLOP/s of a 2048^3 fp32 matmul."""
    a, b = torch.randn(2048, 2048, device=device), torch.randn(2048, 2048, device=device)
    return 2 * 2048**3 / seconds_per_call(lambda: a @ b, device, repeats=20)


def flops(step) -> int:
    counter = FlopCounterMode(display=False)
    with counter:
        step()
    return counter.get_total_flops()


def plain_epoch(forward, params, cfg, device):
    """One epoch through a model's full forward (ours or TransformerLens), plain autograd."""
    tokens, labels = all_pairs(cfg.p)
    train_idx, test_idx = train_test_split(cfg.p, cfg.train_frac, cfg.split_seed)
    x, y = tokens[train_idx].to(device), labels[train_idx].to(device)
    xt, yt = tokens[test_idx].to(device), labels[test_idx].to(device)
    optimizer = torch.optim.AdamW(params, lr=cfg.lr, weight_decay=cfg.wd, betas=(cfg.beta1, cfg.beta2), fused=True)

    def epoch():
        loss = loss_fn(forward(x), y)
        with torch.no_grad():
            loss_fn(forward(xt), yt)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)

    return epoch


def fast_epoch(model, cfg, device, eval_every: int = 1):
    """One epoch exactly as train() runs it; with eval_every N, the test split every N-th call only."""
    tokens, labels = all_pairs(cfg.p)
    train_idx, test_idx = train_test_split(cfg.p, cfg.train_frac, cfg.split_seed)
    batches = [(*(t.to(device) for t in (tokens[i, 0], tokens[i, 1], labels[i])), None) for i in (train_idx, test_idx)]
    params = [q for q in model.parameters() if q.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=cfg.lr, weight_decay=cfg.wd, betas=(cfg.beta1, cfg.beta2), fused=True)

    calls = [0]

    def epoch():
        test = batches[1] if calls[0] % eval_every == 0 else None
        calls[0] += 1
        losses, _ = loss_and_metrics(stacked(model.named_parameters()), cfg.p, batches[0], test)
        losses[0].backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)

    return epoch


def batched_epoch(cfg, runs: int, device):
    """One epoch of `runs` runs at once, exactly as train_sweep() runs it (seeds differ)."""
    cfgs = [make_config("nanda", **{**cfg.to_dict(), "seed": seed, "device": device.type}) for seed in range(runs)]
    params = init_stacked(cfgs, device)
    optimizer = BatchedAdamW(
        [q for q in params.values() if q.requires_grad],
        lr=torch.full((runs,), cfg.lr, device=device),
        wd=torch.full((runs,), cfg.wd, device=device),
        betas=(cfg.beta1, cfg.beta2),
    )
    _, train_batch, test_batch = padded_splits(cfgs, device, split_sizes(cfgs[0]))  # one split size: no padding

    def epoch():
        losses, _ = loss_and_metrics(params, cfg.p, train_batch, test_batch)
        losses.sum().backward()
        optimizer.step()

    return epoch


def time_to_grok(preset: str, device: str) -> tuple[float, float, int, int]:
    """(seconds to test accuracy >= 99 %, seconds for the whole preset, that epoch, train-99 % epoch)."""
    cfg = make_config(preset, device=device)
    stamps = []
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        run = train(cfg, f"{tmp}/run", show_progress=False, on_epoch=lambda e: stamps.append(time.perf_counter()))
        total = time.perf_counter() - start
        obj = torch.load(run.run_file, weights_only=True)
    test_acc, train_acc = torch.tensor(obj["test_accs"]), torch.tensor(obj["train_accs"])
    grok = int((test_acc >= 0.99).nonzero()[0]) if (test_acc >= 0.99).any() else -1
    memorised = int((train_acc >= 0.99).nonzero()[0]) if (train_acc >= 0.99).any() else -1
    return (stamps[grok] - start if grok >= 0 else float("nan")), total, grok, memorised


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--nanda", action="store_true", help="also time the full nanda preset")
    parser.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    parser.add_argument("--epochs", type=int, default=30, help="epochs timed per measurement")
    args = parser.parse_args()
    device = resolve_device(args.device)
    with freed_memory_kept(device):  # as train() and train_sweep() do
        measure(args, device)


def measure(args, device):
    name = (
        torch.cuda.get_device_name()
        if device.type == "cuda"
        else f"{platform.processor() or platform.machine()}, {torch.get_num_threads()} threads"
    )
    peak = matmul_throughput(device)
    print(f"machine: {device.type} ({name}), torch {torch.__version__}; fp32 matmul {peak / 1e9:.0f} GFLOP/s")

    cfg = make_config("nanda", device=device.type)
    torch.manual_seed(cfg.seed)
    model = Transformer(cfg).to(device)
    plain = plain_epoch(model, [q for q in model.parameters() if q.requires_grad], cfg, device)
    fast = fast_epoch(model, cfg, device)
    bridge = to_transformer_lens(model, device=str(device))
    lens = plain_epoch(
        lambda t: bridge(t)[:, -1], [q for n, q in bridge.named_parameters() if n.endswith("weight")], cfg, device
    )  # biases frozen, as ours
    print("nanda config, one epoch (train fwd+bwd on 3,830 pairs + test fwd on 8,939 + AdamW):")
    seconds = {}
    for label, step, repeats in (
        ("plain model", plain, args.epochs),
        ("fast path", fast, args.epochs),
        ("TransformerLens", lens, max(3, args.epochs // 5)),
    ):
        seconds[label] = seconds_per_call(step, device, repeats)
        work = flops(step)
        print(
            f"  {label:16s} {seconds[label] * 1e3:8.1f} ms/epoch  {work / 1e9:5.2f} GFLOP  "
            f"{work / seconds[label] / peak:5.1%} of matmul throughput  -> 25,000 epochs in "
            f"{seconds[label] * 25000 / 60:.1f} min"
        )
    sparse = seconds_per_call(fast_epoch(model, cfg, device, eval_every=10), device, 10 * max(1, args.epochs // 10))
    print(
        f"  fast path, --eval-every 10  {sparse * 1e3:6.1f} ms/epoch ({seconds['fast path'] / sparse:.2f}x faster than "
        f"testing every epoch) -> 25,000 epochs in {sparse * 25000 / 60:.1f} min"
    )
    threads = torch.get_num_threads()
    if device.type == "cpu" and threads > 1:
        torch.set_num_threads(1)
        one_thread = seconds_per_call(fast, device, args.epochs)
        torch.set_num_threads(threads)
        print(f"  fast path, 1 thread {one_thread * 1e3:6.1f} ms/epoch (vs {threads} threads, torch's default here)")
    print(
        f"  fast path vs plain model {seconds['plain model'] / seconds['fast path']:.1f}x, "
        f"vs TransformerLens {seconds['TransformerLens'] / seconds['fast path']:.1f}x"
    )

    print("batched runs (nanda config, seeds differ), one epoch of every run:")
    single = None
    for runs in (1, 8, 32):
        s = seconds_per_call(batched_epoch(cfg, runs, device), device, repeats=max(2, args.epochs // runs), warmup=1)
        single = single or s
        print(
            f"  {runs:3d} runs  {s * 1e3:8.1f} ms/epoch  {runs / s:7.1f} run-epochs/s  "
            f"{s / single:5.1f}x the time of one  -> 25,000 epochs in {s * 25000 / 60:.1f} min"
        )

    for preset in ["quick", "nanda"] if args.nanda else ["quick"]:
        to_grok, total, grok, memorised = time_to_grok(preset, device.type)
        print(
            f"preset {preset}: test acc >= 99 % at epoch {grok} ({to_grok:.0f} s); train acc >= 99 % at epoch "
            f"{memorised}; plateau ratio {grok / max(memorised, 1):.0f}x; whole preset {total:.0f} s"
        )


if __name__ == "__main__":
    main()
