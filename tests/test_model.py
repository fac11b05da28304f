import pytest
import torch

from training.data import all_pairs
from training.model import Transformer, loss_fn, trainable_parameters

from conftest import tiny_config

LENS_SHAPES = {
    "embed.W_E": ("d_vocab", "d_model"),
    "pos_embed.W_pos": (3, "d_model"),
    "blocks.0.attn.W_Q": ("n_heads", "d_model", "d_head"),
    "blocks.0.attn.W_K": ("n_heads", "d_model", "d_head"),
    "blocks.0.attn.W_V": ("n_heads", "d_model", "d_head"),
    "blocks.0.attn.W_O": ("n_heads", "d_head", "d_model"),
    "blocks.0.attn.b_Q": ("n_heads", "d_head"),
    "blocks.0.attn.b_K": ("n_heads", "d_head"),
    "blocks.0.attn.b_V": ("n_heads", "d_head"),
    "blocks.0.attn.b_O": ("d_model",),
    "blocks.0.mlp.W_in": ("d_model", "d_mlp"),
    "blocks.0.mlp.b_in": ("d_mlp",),
    "blocks.0.mlp.W_out": ("d_mlp", "d_model"),
    "blocks.0.mlp.b_out": ("d_model",),
    "unembed.W_U": ("d_model", "d_vocab_out"),
    "unembed.b_U": ("d_vocab_out",),
}


def test_parameters_have_transformer_lens_names_and_shapes():
    cfg = tiny_config(p=113, d_model=128, n_heads=4, d_head=32, d_mlp=512)
    state = Transformer(cfg).state_dict()
    assert set(state) == set(LENS_SHAPES)
    for name, dims in LENS_SHAPES.items():
        expected = tuple(d if isinstance(d, int) else getattr(cfg, d) for d in dims)
        assert tuple(state[name].shape) == expected, name
    assert state["embed.W_E"].shape == (114, 128) and state["unembed.W_U"].shape == (128, 113)


def test_init_follows_transformer_lens_defaults():
    cfg = tiny_config(p=113, d_model=128, n_heads=4, d_head=32, d_mlp=512)
    torch.manual_seed(0)
    model = Transformer(cfg)
    std = model.blocks[0].mlp.W_in.std().item()
    assert abs(std - 0.8 / 128**0.5) < 0.003
    biases = [p for n, p in model.named_parameters() if ".b_" in n]
    assert all((b == 0).all() and not b.requires_grad for b in biases)
    assert all(".W_" in n for n, p in model.named_parameters() if p.requires_grad)
    assert len(trainable_parameters(model)) == 9


def test_forward_gives_last_position_logits_and_cache():
    cfg = tiny_config()
    tokens, labels = all_pairs(cfg.p)
    cache = {}
    logits = Transformer(cfg)(tokens, cache=cache)
    assert logits.shape == (cfg.p**2, cfg.p)
    assert cache["blocks.0.mlp.hook_post"].shape == (cfg.p**2, cfg.d_mlp)
    assert (cache["blocks.0.mlp.hook_post"] >= 0).all()
    pattern = cache["blocks.0.attn.hook_pattern"]
    assert pattern.shape == (cfg.p**2, cfg.n_heads, 3)
    assert torch.allclose(pattern.sum(-1), torch.ones(()))
    assert loss_fn(logits, labels).dtype == torch.float64


def test_loss_is_float64_cross_entropy():
    logits = torch.randn(10, 7)
    labels = torch.randint(0, 7, (10,))
    expected = torch.nn.functional.cross_entropy(logits.double(), labels)
    assert torch.allclose(loss_fn(logits, labels), expected)


@pytest.mark.parametrize("live_biases", [False, True])
def test_transformer_lens_bridge_matches_on_all_pairs(live_biases):
    """Same logits and MLP activations as a TransformerLens TransformerBridge (tolerance 1e-5)."""
    from training.lens import to_transformer_lens

    cfg = tiny_config(p=31, d_model=128, n_heads=4, d_head=32, d_mlp=512)
    torch.manual_seed(1)
    model = Transformer(cfg)
    if live_biases:  # imported paper checkpoints have live biases
        with torch.no_grad():
            for name, param in model.named_parameters():
                if ".b_" in name:
                    param.normal_(std=0.1)
    tokens, _ = all_pairs(cfg.p)
    ours = {}
    with torch.no_grad():
        logits = model(tokens, cache=ours)
        lens_logits, lens_cache = to_transformer_lens(model).run_with_cache(tokens)
    assert lens_logits.shape == (cfg.p**2, 3, cfg.p)
    torch.testing.assert_close(logits, lens_logits[:, -1], atol=1e-5, rtol=0)
    torch.testing.assert_close(
        ours["blocks.0.mlp.hook_post"], lens_cache["blocks.0.mlp.hook_post"][:, -1], atol=1e-5, rtol=0
    )
    torch.testing.assert_close(
        ours["blocks.0.attn.hook_pattern"], lens_cache["blocks.0.attn.hook_pattern"][:, :, -1], atol=1e-5, rtol=0
    )
