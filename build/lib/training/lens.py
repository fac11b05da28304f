"""Hand our weights to TransformerLens, for `run_with_cache` with the usual hook names.

transformer-lens 4 replaced HookedTransformer with TransformerBridge; a native bridge for this
architecture builds offline. Its state dict is nn.Linear-style, so weights are re-laid out here.
"""

from __future__ import annotations

import torch

from .config import TrainConfig
from .model import N_CTX


def lens_config(cfg: TrainConfig):
    from transformer_lens.config import TransformerBridgeConfig

    return TransformerBridgeConfig(
        n_layers=1,
        d_model=cfg.d_model,
        d_head=cfg.d_head,
        n_heads=cfg.n_heads,
        d_mlp=cfg.d_mlp,
        d_vocab=cfg.d_vocab,
        d_vocab_out=cfg.d_vocab_out,
        n_ctx=N_CTX,
        act_fn="relu",
        normalization_type=None,
        seed=cfg.seed,
    )


def to_bridge_state_dict(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Our TransformerLens-layout state dict -> the native bridge's nn.Linear layout."""

    def heads_in(W):  # [n_heads, d_model, d_head] -> [n_heads*d_head, d_model]
        return W.permute(0, 2, 1).reshape(-1, W.shape[1])

    W_O = state["blocks.0.attn.W_O"]  # [n_heads, d_head, d_model]
    return {
        "embed.weight": state["embed.W_E"],
        "pos_embed.weight": state["pos_embed.W_pos"],
        "blocks.0.attn.q.weight": heads_in(state["blocks.0.attn.W_Q"]),
        "blocks.0.attn.q.bias": state["blocks.0.attn.b_Q"].reshape(-1),
        "blocks.0.attn.k.weight": heads_in(state["blocks.0.attn.W_K"]),
        "blocks.0.attn.k.bias": state["blocks.0.attn.b_K"].reshape(-1),
        "blocks.0.attn.v.weight": heads_in(state["blocks.0.attn.W_V"]),
        "blocks.0.attn.v.bias": state["blocks.0.attn.b_V"].reshape(-1),
        "blocks.0.attn.o.weight": W_O.reshape(-1, W_O.shape[-1]).T,
        "blocks.0.attn.o.bias": state["blocks.0.attn.b_O"],
        "blocks.0.mlp.in.weight": state["blocks.0.mlp.W_in"].T,
        "blocks.0.mlp.in.bias": state["blocks.0.mlp.b_in"],
        "blocks.0.mlp.out.weight": state["blocks.0.mlp.W_out"].T,
        "blocks.0.mlp.out.bias": state["blocks.0.mlp.b_out"],
        "unembed.weight": state["unembed.W_U"].T,
        "unembed.bias": state["unembed.b_U"],
    }


def to_transformer_lens(model: torch.nn.Module, device: str = "cpu"):
    """A TransformerBridge with the same weights as `model` (a training.model.Transformer).
    Use it as usual: `logits, cache = bridge.run_with_cache(tokens)`; `cache["blocks.0.mlp.hook_post"]`."""
    from transformer_lens.model_bridge import TransformerBridge

    bridge = TransformerBridge.boot_native(lens_config(model.cfg), device=device)
    state = {name: tensor.detach().to(device) for name, tensor in model.state_dict().items()}
    bridge.load_state_dict(to_bridge_state_dict(state), strict=True)
    return bridge.eval()
