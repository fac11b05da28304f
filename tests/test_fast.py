"""The exact fast path against the plain model: same logits and gradients (tolerance 1e-5)."""

import pytest
import torch

from training.data import all_pairs, train_test_split
from training.fast import fast_logits, get_tables, per_run_accuracy, per_run_loss, stacked
from training.model import Transformer, accuracy, loss_fn, trainable_parameters

from conftest import tiny_config

pytestmark = pytest.mark.numerics  # rounding-sensitive: run again under a second kernel setting (test.sh)


def get_model(seed: int, live_biases: bool, cfg=None) -> Transformer:
    cfg = cfg or tiny_config(p=31, d_model=128, n_heads=4, d_head=32, d_mlp=512)
    torch.manual_seed(seed)
    model = Transformer(cfg)
    with torch.no_grad():
        for name, param in model.named_parameters():
            if ".b_" in name and live_biases:
                param.normal_(std=0.1)
            elif ".W_" in name:
                param.mul_(2.0)  # sharper attention and larger logits than at init: a harder test
    return model


@pytest.mark.parametrize("live_biases", [False, True])
def test_fast_path_matches_plain_model_logits_and_gradients(live_biases):
    model = get_model(0, live_biases)
    p = model.cfg.p
    tokens, labels = all_pairs(p)
    train_idx, _ = train_test_split(p, 0.3, 598)
    x, y = tokens[train_idx], labels[train_idx]
    params = trainable_parameters(model)

    plain_cache = {}
    plain_logits = model(x, cache=plain_cache)
    plain_grads = torch.autograd.grad(loss_fn(plain_logits, y), params)
    fast_cache = {}
    logits = fast_logits(get_tables(stacked(model.named_parameters()), p), x[:, 0], x[:, 1], p, cache=fast_cache)
    loss = per_run_loss(logits, y)[0]
    fast_grads = torch.autograd.grad(loss, params)

    assert plain_logits.abs().max() > 1.0
    torch.testing.assert_close(logits[0], plain_logits, atol=1e-5, rtol=0)
    torch.testing.assert_close(loss, loss_fn(plain_logits, y), atol=0, rtol=1e-6)
    for name, fast, plain in zip([n for n, q in model.named_parameters() if q.requires_grad], fast_grads, plain_grads):
        assert plain.abs().max() > 0, name
        torch.testing.assert_close(fast, plain, atol=1e-5, rtol=1e-5, msg=name)
    for hook in ("blocks.0.mlp.hook_post", "blocks.0.attn.hook_pattern"):
        torch.testing.assert_close(fast_cache[hook][0], plain_cache[hook], atol=1e-5, rtol=0)
    assert per_run_accuracy(logits, y)[0] == accuracy(plain_logits, y)


def test_stacked_runs_compute_each_run_on_its_own_examples():
    models = [get_model(seed, live_biases=True) for seed in range(3)]
    p = models[0].cfg.p
    tokens, _ = all_pairs(p)
    params = {
        name: torch.stack([dict(m.named_parameters())[name] for m in models])
        for name, _ in models[0].named_parameters()
    }
    picks = torch.stack([torch.randperm(p * p, generator=torch.Generator().manual_seed(r))[:200] for r in range(3)])
    a, b = tokens[picks, 0], tokens[picks, 1]  # [3, 200] a different batch per run
    together = fast_logits(get_tables(params, p), a, b, p)
    for r, model in enumerate(models):
        with torch.no_grad():
            torch.testing.assert_close(together[r], model(tokens[picks[r]]), atol=1e-5, rtol=0)


def test_padding_weights_leave_loss_and_accuracy_of_real_examples():
    logits = torch.randn(2, 5, 7)
    labels = torch.randint(0, 7, (2, 5))
    weights = torch.tensor([[1.0, 1, 1, 0, 0], [1, 1, 1, 1, 1]], dtype=torch.float64)
    loss = per_run_loss(logits, labels, weights)
    torch.testing.assert_close(loss[0], loss_fn(logits[0, :3], labels[0, :3]))
    torch.testing.assert_close(loss[1], loss_fn(logits[1], labels[1]))
    assert per_run_accuracy(logits, labels, weights)[0] == pytest.approx(accuracy(logits[0, :3], labels[0, :3]).item())


def test_fast_path_gradients_are_deterministic():
    """Bit-identical gradients on every call: a rounding-level difference per step is enough to
    change which key frequencies a nanda run ends with (README, Speed)."""
    model = get_model(0, live_biases=False, cfg=tiny_config(p=113, d_model=128, n_heads=4, d_head=32, d_mlp=512))
    p = model.cfg.p
    tokens, labels = all_pairs(p)  # the nanda size: smaller batches can hide a racy accumulation
    params = trainable_parameters(model)

    def gradients():
        logits = fast_logits(get_tables(stacked(model.named_parameters()), p), tokens[:, 0], tokens[:, 1], p)
        return torch.autograd.grad(per_run_loss(logits, labels)[0], params)

    first = gradients()
    for _ in range(3):
        assert all(torch.equal(a, b) for a, b in zip(gradients(), first))
