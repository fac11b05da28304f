import math

import pytest
import torch

from frames.errors import GrokError
from training.checkpoints import load_run
from training.data import all_pairs
from training.model import Transformer

from conftest import to_paper_layout


def paper_forward(s, tokens, d_head):
    """The paper model's computation on its own layout, all positions, causal mask; last-position logits."""
    x = s["embed.W_E"][:, tokens].permute(1, 2, 0) + s["pos_embed.W_pos"]  # [b, pos, d_model]
    q = torch.einsum("ihd,bpd->biph", s["blocks.0.attn.W_Q"], x)
    k = torch.einsum("ihd,bpd->biph", s["blocks.0.attn.W_K"], x)
    v = torch.einsum("ihd,bpd->biph", s["blocks.0.attn.W_V"], x)
    scores = torch.einsum("biph,biqh->biqp", k, q).masked_fill(s["blocks.0.attn.mask"] == 0, -1e10)
    attn = (scores / math.sqrt(d_head)).softmax(dim=-1)
    z = torch.einsum("biph,biqp->biqh", v, attn)  # [b, head, q, d_head]
    z_flat = z.permute(0, 2, 1, 3).reshape(z.shape[0], z.shape[2], -1)
    x = x + torch.einsum("df,bqf->bqd", s["blocks.0.attn.W_O"], z_flat)
    post = torch.relu(torch.einsum("md,bpd->bpm", s["blocks.0.mlp.W_in"], x) + s["blocks.0.mlp.b_in"])
    x = x + torch.einsum("dm,bpm->bpd", s["blocks.0.mlp.W_out"], post) + s["blocks.0.mlp.b_out"]
    return (x @ s["unembed.W_U"])[:, -1]


def test_demo_layout_round_trip(tiny_run):
    cfg, run = tiny_run
    loaded = load_run(run.run_file)
    obj = torch.load(run.run_file, weights_only=True)
    assert loaded.layout == "demo" and loaded.cfg == cfg
    assert loaded.checkpoint_epochs == obj["checkpoint_epochs"]
    assert torch.equal(loaded.train_indices, obj["train_indices"])
    for name, tensor in obj["model"].items():
        assert torch.equal(loaded.checkpoints[-1][name], tensor)
    assert len(loaded.sha256) == 64


def test_paper_layout_import_gives_the_paper_models_logits(tmp_path):
    from conftest import tiny_config

    cfg = tiny_config(p=23, d_model=32, n_heads=2, d_head=16, d_mlp=64)
    torch.manual_seed(3)
    model = Transformer(cfg)
    with torch.no_grad():  # live MLP biases, as in the paper's checkpoints
        model.blocks[0].mlp.b_in.normal_(std=0.1)
        model.blocks[0].mlp.b_out.normal_(std=0.1)
    paper = to_paper_layout(model.state_dict(), cfg.p)
    path = tmp_path / "paper.pth"
    torch.save({"model": paper, "train_losses": [1.0, 0.5], "test_losses": [2.0, 1.5], "epoch": 2}, path)

    loaded = load_run(path, train_frac=0.3)
    assert loaded.layout == "paper" and loaded.cfg.p == 23 and loaded.checkpoint_epochs == [2]
    assert "paper" in loaded.split_note and len(loaded.train_indices) == int(0.3 * 23 * 23)
    imported = Transformer(loaded.cfg)
    imported.load_state_dict(loaded.checkpoints[0])
    tokens, _ = all_pairs(cfg.p)
    with torch.no_grad():
        expected = paper_forward(paper, tokens, cfg.d_head)
        torch.testing.assert_close(imported(tokens), expected[:, : cfg.p], atol=1e-5, rtol=0)


@pytest.mark.parametrize(
    "content, message",
    [
        (b"not a checkpoint at all", "cannot read"),
        (None, "not a run checkpoint"),
    ],
)
def test_bad_files_raise_one_line_errors(tmp_path, content, message):
    path = tmp_path / "bad.pth"
    if content is None:
        torch.save({"weights": torch.zeros(3)}, path)
    else:
        path.write_bytes(content)
    with pytest.raises(GrokError, match=message) as info:
        load_run(path)
    assert "\n" not in str(info.value)


def test_truncated_run_file_is_refused(tiny_run, tmp_path):
    _, run = tiny_run
    data = run.run_file.read_bytes()
    cut = tmp_path / "cut.pth"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(GrokError, match="cannot read"):
        load_run(cut)


def test_demo_file_with_a_pickled_lens_config_imports(tiny_run, tmp_path, monkeypatch):
    """The public grokking-demo checkpoint pickles a TransformerLens 3 HookedTransformerConfig object;
    it must load without TransformerLens 3 and without unsafe unpickling."""
    import dataclasses
    import sys
    import types

    @dataclasses.dataclass
    class HookedTransformerConfig:
        n_layers: int = 1
        d_model: int = 32
        d_vocab: int = 24
        dtype: torch.dtype = torch.float32
        act_fn: str = "relu"

    module = types.ModuleType("transformer_lens.HookedTransformerConfig")
    HookedTransformerConfig.__module__ = module.__name__
    HookedTransformerConfig.__qualname__ = "HookedTransformerConfig"
    module.HookedTransformerConfig = HookedTransformerConfig
    monkeypatch.setitem(sys.modules, module.__name__, module)

    obj = torch.load(tiny_run[1].run_file, weights_only=True)
    obj["config"] = HookedTransformerConfig()
    for state in [obj["model"], *obj["checkpoints"]]:  # HookedTransformer state dicts carry these buffers
        state["blocks.0.attn.mask"] = torch.tril(torch.ones(3, 3)).bool()
        state["blocks.0.attn.IGNORE"] = torch.tensor(-1e5)
    path = tmp_path / "grokking_demo.pth"
    torch.save(obj, path)
    monkeypatch.delitem(sys.modules, module.__name__)

    loaded = load_run(path)
    assert loaded.cfg.p == 23 and loaded.cfg.d_model == 32 and len(loaded.checkpoints) == len(obj["checkpoints"])
