"""Training speed on this machine, measured in one run: prints figures for the README.

    python bench/train_speed.py            # per-epoch speed (ours vs TransformerLens) + quick preset to grok
    python bench/train_speed.py --nanda    # also the full nanda preset (25,000 epochs; ~35 min on 2 CPU cores)

An epoch is what `grok make-data` does per step: forward + backward on the full train split,
an AdamW step, and a forward on the test split (test loss every epoch).
"""
from __future__ import annotations

import argparse
import platform
import tempfile
import time

import torch

from training.config import make_config
from training.data import all_pairs, train_test_split
from training.lens import to_transformer_lens
from training.model import Transformer, loss_fn
from training.train import resolve_device, train


def seconds_per_epoch(forward, params, cfg, device, epochs: int) -> float:
    tokens, labels = all_pairs(cfg.p)
    train_idx, test_idx = train_test_split(cfg.p, cfg.train_frac, cfg.split_seed)
    x, y = tokens[train_idx].to(device), labels[train_idx].to(device)
    xt, yt = tokens[test_idx].to(device), labels[test_idx].to(device)
    optimizer = torch.optim.AdamW(params, lr=cfg.lr, weight_decay=cfg.wd, betas=(cfg.beta1, cfg.beta2))

    def epoch():
        loss = loss_fn(forward(x), y)
        with torch.no_grad():
            loss_fn(forward(xt), yt)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)

    for _ in range(3):  # warm-up
        epoch()
    if device.type == "cuda":
        torch.cuda.synchronize()
    start = time.perf_counter()
    for _ in range(epochs):
        epoch()
    if device.type == "cuda":
        torch.cuda.synchronize()
    return (time.perf_counter() - start) / epochs


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
    parser.add_argument("--epochs", type=int, default=30, help="epochs timed per model")
    args = parser.parse_args()
    device = resolve_device(args.device)
    name = torch.cuda.get_device_name() if device.type == "cuda" else f"{platform.processor() or platform.machine()}, {torch.get_num_threads()} threads"
    print(f"machine: {device.type} ({name}), torch {torch.__version__}")

    cfg = make_config("nanda", device=device.type)
    torch.manual_seed(cfg.seed)
    ours = Transformer(cfg).to(device)
    ours_s = seconds_per_epoch(ours, [q for q in ours.parameters() if q.requires_grad], cfg, device, args.epochs)
    bridge = to_transformer_lens(ours, device=str(device))
    lens_params = [q for n, q in bridge.named_parameters() if n.endswith("weight")]  # biases frozen, as ours
    lens_s = seconds_per_epoch(lambda t: bridge(t)[:, -1], lens_params, cfg, device, max(3, args.epochs // 5))
    print("nanda config, one epoch (train fwd+bwd on 3,830 pairs + test fwd on 8,939):")
    print(f"  ours              {ours_s * 1e3:8.1f} ms/epoch  -> 25,000 epochs in {ours_s * 25000 / 60:.1f} min")
    print(f"  TransformerLens   {lens_s * 1e3:8.1f} ms/epoch  -> 25,000 epochs in {lens_s * 25000 / 60:.1f} min")
    print(f"  speed-up          {lens_s / ours_s:8.1f}x")

    presets = ["quick", "nanda"] if args.nanda else ["quick"]
    for preset in presets:
        to_grok, total, grok, memorised = time_to_grok(preset, device.type)
        print(f"preset {preset}: test acc >= 99 % at epoch {grok} ({to_grok:.0f} s); train acc >= 99 % at epoch "
              f"{memorised}; plateau ratio {grok / max(memorised, 1):.0f}x; whole preset {total:.0f} s")


if __name__ == "__main__":
    main()
