"""The 1-layer transformer of Nanda et al. (2023), in plain PyTorch with TransformerLens names.

Parameters have the names and shapes of a HookedTransformer state dict (`embed.W_E`,
`blocks.0.attn.W_Q`, `blocks.0.mlp.W_in`, `unembed.W_U`, ...). The forward pass computes only the
last position, the one the loss reads, and computes keys, values and queries once per vocabulary
entry rather than once per example: in a 1-layer model they depend on the token and position alone.
Biases exist (zero, frozen during training as in the demo) so imported checkpoints with live
biases run unchanged.
"""

from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from .config import TrainConfig

N_CTX = 3  # [a, b, =]


def _weight(*shape: int, std: float) -> nn.Parameter:
    return nn.Parameter(torch.randn(*shape) * std)


def _bias(*shape: int) -> nn.Parameter:
    return nn.Parameter(torch.zeros(*shape), requires_grad=False)


class Embed(nn.Module):
    def __init__(self, d_vocab: int, d_model: int, std: float):
        super().__init__()
        self.W_E = _weight(d_vocab, d_model, std=std)  # [d_vocab, d_model]


class PosEmbed(nn.Module):
    def __init__(self, d_model: int, std: float):
        super().__init__()
        self.W_pos = _weight(N_CTX, d_model, std=std)  # [n_ctx, d_model]


class Attention(nn.Module):
    def __init__(self, d_model: int, n_heads: int, d_head: int, std: float):
        super().__init__()
        self.W_Q = _weight(n_heads, d_model, d_head, std=std)  # [n_heads, d_model, d_head]
        self.W_K = _weight(n_heads, d_model, d_head, std=std)
        self.W_V = _weight(n_heads, d_model, d_head, std=std)
        self.W_O = _weight(n_heads, d_head, d_model, std=std)  # [n_heads, d_head, d_model]
        self.b_Q = _bias(n_heads, d_head)
        self.b_K = _bias(n_heads, d_head)
        self.b_V = _bias(n_heads, d_head)
        self.b_O = _bias(d_model)


class MLP(nn.Module):
    def __init__(self, d_model: int, d_mlp: int, std: float):
        super().__init__()
        self.W_in = _weight(d_model, d_mlp, std=std)  # [d_model, d_mlp]
        self.b_in = _bias(d_mlp)
        self.W_out = _weight(d_mlp, d_model, std=std)  # [d_mlp, d_model]
        self.b_out = _bias(d_model)


class Block(nn.Module):
    def __init__(self, cfg: TrainConfig, std: float):
        super().__init__()
        self.attn = Attention(cfg.d_model, cfg.n_heads, cfg.d_head, std)
        self.mlp = MLP(cfg.d_model, cfg.d_mlp, std)


class Unembed(nn.Module):
    def __init__(self, d_model: int, d_vocab_out: int, std: float):
        super().__init__()
        self.W_U = _weight(d_model, d_vocab_out, std=std)  # [d_model, d_vocab_out]
        self.b_U = _bias(d_vocab_out)


class Transformer(nn.Module):
    def __init__(self, cfg: TrainConfig):
        super().__init__()
        std = 0.8 / math.sqrt(cfg.d_model)  # TransformerLens default initializer_range
        self.cfg = cfg
        self.embed = Embed(cfg.d_vocab, cfg.d_model, std)
        self.pos_embed = PosEmbed(cfg.d_model, std)
        self.blocks = nn.ModuleList([Block(cfg, std)])
        self.unembed = Unembed(cfg.d_model, cfg.d_vocab_out, std)

    def forward(self, tokens: torch.Tensor, cache: dict | None = None) -> torch.Tensor:
        """Logits at the last position, [batch, d_vocab_out], for tokens [batch, 3].
        Pass a dict as `cache` to receive last-position activations under TransformerLens hook names."""
        attn, mlp = self.blocks[0].attn, self.blocks[0].mlp
        batch, n_heads, d_head = tokens.shape[0], self.cfg.n_heads, self.cfg.d_head
        # Per-(position, token) tables: each row the batch can need, computed once per step.
        resid_table = self.embed.W_E[None] + self.pos_embed.W_pos[:, None]  # [pos, vocab, d_model]
        q_table = torch.einsum("vm,hmd->vhd", resid_table[-1], attn.W_Q) + attn.b_Q  # [vocab, head, d_head]
        k_table = torch.einsum("pvm,hmd->pvhd", resid_table, attn.W_K) + attn.b_K  # [pos, vocab, head, d_head]
        v_table = torch.einsum("pvm,hmd->pvhd", resid_table, attn.W_V) + attn.b_V
        rows = tokens + torch.arange(N_CTX, device=tokens.device) * self.cfg.d_vocab  # [batch, pos] into [pos*vocab]

        q = F.embedding(tokens[:, -1], q_table.flatten(1))  # [batch, head*d_head]
        k = F.embedding(rows, k_table.flatten(2).flatten(0, 1))  # [batch, pos, head*d_head]
        v = F.embedding(rows, v_table.flatten(2).flatten(0, 1))
        scores = (q[:, None] * k).view(batch, N_CTX, n_heads, d_head).sum(-1) / math.sqrt(d_head)  # [batch, pos, head]
        pattern = scores.softmax(dim=1)  # the last position attends to all three: no mask needed
        z = (pattern[..., None] * v.view(batch, N_CTX, n_heads, d_head)).sum(1)  # [batch, head, d_head]
        attn_out = torch.addmm(attn.b_O, z.flatten(1), attn.W_O.flatten(0, 1))  # [batch, d_model]

        resid_mid = F.embedding(tokens[:, -1], resid_table[-1]) + attn_out  # [batch, d_model]
        pre = torch.addmm(mlp.b_in, resid_mid, mlp.W_in)  # [batch, d_mlp]
        post = torch.relu(pre)
        resid_post = resid_mid + torch.addmm(mlp.b_out, post, mlp.W_out)  # [batch, d_model]
        logits = torch.addmm(self.unembed.b_U, resid_post, self.unembed.W_U)  # [batch, d_vocab_out]

        if cache is not None:
            cache["blocks.0.attn.hook_pattern"] = pattern.transpose(1, 2)  # [batch, head, key_pos]
            cache["blocks.0.hook_resid_mid"] = resid_mid
            cache["blocks.0.mlp.hook_pre"] = pre
            cache["blocks.0.mlp.hook_post"] = post
        return logits


def trainable_parameters(model: Transformer) -> list[nn.Parameter]:
    return [param for param in model.parameters() if param.requires_grad]


def loss_fn(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy in float64 (float32 log-softmax underflows once train loss is ~1e-7)."""
    log_probs = logits.to(torch.float64).log_softmax(dim=-1)
    return -log_probs.gather(-1, labels[:, None]).mean()


def accuracy(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    return (logits.argmax(dim=-1) == labels).float().mean()
