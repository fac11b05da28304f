import math
import re
from pathlib import Path

import numpy as np
import pytest
import torch

from frames import NOT_APPLICABLE, SCHEMA, SCHEMA_VERSION, FramesError, load_frames
from frames.schema import MEASURES
from training.export import embed_clock, pick_grid_neurons
from training.fourier import fourier_basis

FRAMES_MD = Path(__file__).resolve().parent.parent / "data" / "FRAMES.md"
SWEEP_SECTION = "## The sweep file"


def documented_keys(sweep: bool = False):
    """{key: (dtype, shape string)} from the frames file's table in data/FRAMES.md (the sweep file's with `sweep`)."""
    frames_part, _, sweep_part = FRAMES_MD.read_text().partition(SWEEP_SECTION)
    rows = re.findall(r"^\| `(\w+)` \| (\w+) \| \(([^)]*)\) \|", sweep_part if sweep else frames_part, flags=re.M)
    return {key: (dtype, tuple(d.strip() for d in shape.split(",") if d.strip())) for key, dtype, shape in rows}


def test_schema_and_frames_md_agree():
    documented = documented_keys()
    assert set(documented) == set(SCHEMA)
    for key, (dtype, shape) in SCHEMA.items():
        assert documented[key] == (dtype, tuple(str(d) for d in shape)), key
    assert f"schema version {SCHEMA_VERSION}" in FRAMES_MD.read_text()


def test_each_measure_is_documented_as_declared():
    """A progress measure is declared once (frames/schema.py MEASURES); its row in FRAMES.md says what the
    declaration says."""
    frames_part = FRAMES_MD.read_text().partition(SWEEP_SECTION)[0]
    meanings = dict(re.findall(r"^\| `(\w+)` \| \w+ \| \([^)]*\) \| (.+) \|$", frames_part, flags=re.M))
    for measure in MEASURES:
        assert meanings[measure.key] == measure.doc, measure.key
        assert SCHEMA[measure.key] == ("float32", ("C",))
        assert (measure.key in NOT_APPLICABLE) == measure.relabelled_only


def test_exported_file_matches_frames_md(tiny_run, tiny_frames):
    cfg, _ = tiny_run
    f = load_frames(tiny_frames)
    documented = documented_keys()
    assert set(f) == set(documented)
    dims = {
        "E": cfg.epochs,
        "T": cfg.epochs,
        "A": cfg.epochs,
        "B": cfg.epochs,  # a run trained here records every epoch
        "C": cfg.epochs // cfg.checkpoint_every + 1,
        "K": len(f["key_freqs"]),
        "P": cfg.p,
        "N": cfg.d_mlp,
        "G": 49,
        "S": cfg.epochs // cfg.checkpoint_every + 1,
        "F": (cfg.p - 1) // 2,
        "M": cfg.p,
    }
    for key, (dtype, shape) in documented.items():
        expected = tuple(dims[d] if d in dims else int(d) for d in shape)
        assert f[key].shape == expected, key
        assert f[key].dtype.kind == "U" if dtype == "str" else f[key].dtype == np.dtype(dtype), key
    assert int(f["p"]) == cfg.p and int(f["schema_version"]) == SCHEMA_VERSION
    assert np.all(np.diff(f["checkpoint_epochs"]) > 0)
    assert np.isfinite(f["train_loss"]).all() and f["train_loss"][-1] < f["train_loss"][0]
    # recomputed checkpoint losses agree with the recorded curves
    assert np.array_equal(f["train_loss_epochs"], np.arange(cfg.epochs))
    recorded = f["train_loss"][f["checkpoint_epochs"][:-1]]
    np.testing.assert_allclose(f["ckpt_train_loss"][:-1], recorded, rtol=1e-3)
    assert len(set(f["wave_neurons"].tolist())) == 49 and f["ring_neurons"][0] != f["ring_neurons"][1]


def test_nanda_frames_fit_the_budget():
    """Uncompressed size of a nanda-preset frames file (25k epochs, 251 checkpoints, up to 10 key
    frequencies) must stay under 25 MB."""
    dims = {
        "E": 25_000,
        "T": 25_000,
        "A": 25_000,
        "B": 25_000,
        "C": 251,
        "K": 10,
        "P": 113,
        "N": 512,
        "G": 49,
        "S": 26,
        "F": 56,
        "M": 113,
    }
    itemsize = {"str": 512, "bool": 1}
    total = sum(
        math.prod(dims.get(d, d) for d in shape)
        * itemsize.get(dtype, np.dtype(dtype).itemsize if dtype in np.sctypeDict else 0)
        for dtype, shape in SCHEMA.values()
    )
    assert total < 25e6


@pytest.mark.parametrize(
    "damage, message",
    [
        ("missing", "not found"),
        ("garbage", "cannot read"),
        ("truncated", "cannot read"),
        ("version", "schema version 99"),
        ("key", "missing keys"),
    ],
)
def test_unusable_frames_files_are_refused(tiny_frames, tmp_path, damage, message):
    path = tmp_path / "frames.npz"
    if damage == "garbage":
        path.write_bytes(b"\x00" * 100)
    elif damage == "truncated":
        path.write_bytes(tiny_frames.read_bytes()[:2000])
    elif damage in ("version", "key"):
        arrays = dict(np.load(tiny_frames))
        if damage == "version":
            arrays["schema_version"] = np.int64(99)
        else:
            del arrays["waves"]
        np.savez(path, **arrays)
    with pytest.raises(FramesError, match=message):
        load_frames(path)


def test_clock_puts_tokens_at_angle_2_pi_k_a_over_p():
    p, k, d_model = 31, 7, 16
    a = torch.arange(p, dtype=torch.float64)
    torch.manual_seed(0)
    u, v = torch.randn(2, d_model, dtype=torch.float64)
    W_E = torch.outer(torch.cos(2 * math.pi * k * a / p), u) + torch.outer(torch.sin(2 * math.pi * k * a / p), v)
    W_E += 0.01 * torch.randn(p, d_model, dtype=torch.float64)
    coords = embed_clock(W_E, fourier_basis(p), [k])[0]  # [p, 2]
    expected = torch.stack([torch.cos(2 * math.pi * k * a / p), torch.sin(2 * math.pi * k * a / p)], dim=1)
    assert torch.allclose(coords, expected, atol=0.05)


def test_clock_of_random_embeddings_is_no_circle():
    torch.manual_seed(0)
    coords = embed_clock(torch.randn(31, 16, dtype=torch.float64), fourier_basis(31), [7])[0]
    radii = coords.norm(dim=1)
    assert radii.std() / radii.mean() > 0.3


def test_grid_neurons_spread_over_key_frequencies():
    freqs = np.array([3] * 40 + [5] * 40 + [9] * 20)
    shares = np.linspace(1, 0.5, 100)
    active = np.full(100, 0.5)
    active[:5] = 0.05  # neurons 0-4 fire for a few a's only
    grid = pick_grid_neurons(freqs, shares, [3, 5, 9], active)
    assert len(grid) == 49 and len(set(grid.tolist())) == 49
    assert not set(range(5)) & set(grid.tolist())  # passed over for full waves
    counts = {k: int((freqs[grid] == k).sum()) for k in (3, 5, 9)}
    assert counts == {3: 17, 5: 16, 9: 16}
    assert list(freqs[grid]) == sorted(freqs[grid])


@pytest.mark.parametrize(
    "key, value, message",
    [
        ("op_group_order", np.int64(22), "op_group_order"),
        ("op_coord_b", None, "op_coord_b"),
        ("op_labels", None, "do not become addition"),
        ("op_not_applicable", np.str_("key_freqs"), "op_not_applicable"),
        ("progress_gini_W_E", None, "progress_gini_W_E"),
    ],
)
def test_operation_keys_must_agree(tiny_frames, tmp_path, key, value, message):
    arrays = dict(np.load(tiny_frames))
    if value is not None:
        arrays[key] = value
    elif key == "op_coord_b":
        arrays[key] = np.roll(arrays[key], 1)  # no longer the tokens themselves
    elif key == "op_labels":
        arrays[key] = arrays[key].copy()
        arrays[key][3, 4] = (arrays[key][3, 4] + 1) % int(arrays["p"])
    else:
        arrays[key] = np.full_like(arrays[key], np.nan)  # NaN where the measure applies
    path = tmp_path / "damaged.npz"
    np.savez(path, **arrays)
    with pytest.raises(FramesError, match=message):
        load_frames(path)
