"""Property: a damaged frames file or run file, whatever the damage, ends in one line and exit 1 (or,
where the damage leaves a usable file, in a normal run); never a traceback, a warning or a partial output.

Hypothesis damages the tiny fixture's files (wrong types and shapes, NaNs, truncation, flipped bytes,
missing keys, free values) and runs the CLI in-process. Damage marked `must_fail` always breaks a
rule of the file's contract; the other kinds may or may not, and only the property is asserted.
Derandomized: every run tries the same examples (about 5 s for both tests).
"""

import copy
import tempfile
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from frames.schema import SCHEMA

from test_cli import invoke

EXAMPLES = settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")  # numpy's overflow warnings reach the user
NUMERIC_DTYPES = ("float64", "float32", "float16", "int64", "int32", "bool", "<U3")


def assert_refused_or_fine(result, must_fail: bool):
    assert "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    event("usable" if result.exit_code == 0 else "refused")
    if result.exit_code == 0:
        assert not must_fail, result.output
        return
    assert result.exit_code == 1, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error")]
    assert len(errors) == 1, result.output


def damage_bytes(data: bytes, draw) -> tuple[bytes, bool]:
    if draw(st.booleans()):
        return data[: draw(st.integers(0, len(data) - 1))], True  # truncated anywhere
    at = draw(st.integers(0, len(data) - 1))
    return data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1 :], False  # one byte flipped


# ---- frames files -------------------------------------------------------------------------------


def keys_with_dim(dim: str) -> list[str]:
    return [key for key, (_, shape) in SCHEMA.items() if dim in shape]


def mutate_frames(arrays: dict[str, np.ndarray], draw) -> tuple[dict[str, np.ndarray], bool]:
    """One damage to a copy of `arrays`; whether it must be refused."""
    arrays = dict(arrays)
    kind = draw(st.sampled_from(["drop", "dtype", "shape", "nan", "value", "text", "cut_dim"]))
    event(kind)
    key = draw(st.sampled_from(sorted(SCHEMA)))
    array = arrays[key]
    if kind == "drop":
        del arrays[key]
        return arrays, True
    if kind == "dtype":
        schema_dtype = SCHEMA[key][0]
        new = draw(
            st.sampled_from(
                [d for d in NUMERIC_DTYPES if d != schema_dtype and not (schema_dtype == "str" and d.startswith("<U"))]
            )
        )
        arrays[key] = np.zeros(array.shape, new) if array.dtype.kind == "U" else array.astype(new)
        return arrays, True
    if kind == "shape":
        arrays[key] = array[None] if array.ndim == 0 or not array.shape[-1] or draw(st.booleans()) else array[..., :-1]
        return arrays, True
    if kind == "nan":
        floats = sorted(k for k, (dtype, _) in SCHEMA.items() if dtype.startswith("float") and arrays[k].size)
        key = draw(st.sampled_from(floats))
        damaged = arrays[key].copy()
        damaged.flat[draw(st.integers(0, damaged.size - 1))] = draw(st.sampled_from([np.nan, np.inf, -np.inf]))
        arrays[key] = damaged
        return arrays, True
    if kind == "value" and array.dtype.kind in "iufb" and array.size:
        damaged = array.copy()
        value = draw(
            st.floats(allow_nan=False, allow_infinity=False, width=16)
            if array.dtype.kind == "f"
            else st.integers(np.iinfo(np.int32).min, np.iinfo(np.int32).max)
        )
        damaged.flat[draw(st.integers(0, array.size - 1))] = value
        arrays[key] = damaged
        return arrays, False
    if kind == "text" and array.dtype.kind == "U":
        arrays[key] = np.array(draw(st.text(max_size=40)))
        return arrays, False
    if kind == "cut_dim":  # every key along one dim cut to n entries: shapes still agree
        dim = draw(st.sampled_from(["E", "T", "A", "B", "C", "K", "N", "S", "G"]))
        first = keys_with_dim(dim)[0]
        n = draw(st.integers(0, max(arrays[first].shape[SCHEMA[first][1].index(dim)] - 1, 0)))
        for k in keys_with_dim(dim):
            axis = SCHEMA[k][1].index(dim)
            arrays[k] = np.take(arrays[k], np.arange(n), axis=axis)
        return arrays, dim == "C" and n == 0
    del arrays[key]
    return arrays, True


@pytest.fixture(scope="module")
def frames_arrays(tiny_frames):
    with np.load(tiny_frames) as npz:
        return {key: npz[key] for key in npz.files}


@EXAMPLES
@given(data=st.data())
def test_damaged_frames_file_is_refused_in_one_line(frames_arrays, tiny_frames, data):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "frames.npz"
        if data.draw(st.integers(0, 4)) == 0:
            damaged, must_fail = damage_bytes(tiny_frames.read_bytes(), data.draw)
            path.write_bytes(damaged)
        else:
            arrays, must_fail = mutate_frames(frames_arrays, data.draw)
            np.savez(path, **arrays)
        assert_refused_or_fine(invoke("info", path), must_fail)


# ---- run files ----------------------------------------------------------------------------------


def mutate_run(obj: dict, draw) -> tuple[dict, bool]:
    """One damage to a deep copy of a demo-layout run file's dict; whether it must be refused."""
    obj = copy.deepcopy(obj)
    kind = draw(
        st.sampled_from(
            [
                "drop_weight",
                "weight_type",
                "weight_shape",
                "weight_nan",
                "curve",
                "indices",
                "epochs",
                "config",
                "drop_top",
                "top_type",
            ]
        )
    )
    event(kind)
    n = draw(st.integers(0, len(obj["checkpoints"]) - 1))
    state = obj["checkpoints"][n]
    key = draw(st.sampled_from(sorted(state)))
    if kind == "drop_weight":
        del state[key]
        return obj, ".b_" not in key  # biases are optional (zeros)
    if kind == "weight_type":
        state[key] = draw(
            st.sampled_from(
                [
                    state[key].int(),
                    state[key].bool(),
                    state[key].to(torch.complex64),
                    state[key].tolist(),
                    "weights",
                    1.0,
                    None,
                ]
            )
        )
        return obj, True
    if kind == "weight_shape":
        state[key] = state[key][None] if draw(st.booleans()) else state[key][..., :-1]
        return obj, True
    if kind == "weight_nan":
        state[key].view(-1)[draw(st.integers(0, state[key].numel() - 1))] = draw(
            st.sampled_from([float("nan"), float("inf")])
        )
        return obj, True
    if kind == "curve":
        name = draw(st.sampled_from(["train_losses", "test_losses", "train_accs", "test_accs"]))
        obj[name][draw(st.integers(0, len(obj[name]) - 1))] = draw(
            st.sampled_from([float("nan"), float("inf"), -1.0, 2.0 if "accs" in name else -0.5, "0.1", None])
        )
        return obj, True
    if kind == "indices":
        name = draw(st.sampled_from(["train_indices", "test_indices"]))
        other = obj["test_indices" if name == "train_indices" else "train_indices"]
        p2 = obj["config"]["training"]["p"] ** 2
        obj[name] = draw(
            st.sampled_from(
                [
                    torch.cat([obj[name], torch.tensor([p2])]),  # outside the p*p pairs
                    torch.cat([obj[name], torch.tensor([-1])]),
                    torch.cat([obj[name], obj[name][:1]]),  # a pair twice
                    torch.cat([obj[name], other[:1]]),  # a pair in both sets
                    obj[name].float(),
                    obj[name][None],
                    obj[name][:0],
                    "0,1,2",
                ]
            )
        )
        return obj, True
    if kind == "epochs":
        epochs = obj["checkpoint_epochs"]
        obj["checkpoint_epochs"] = draw(
            st.sampled_from(
                [
                    epochs[::-1],
                    epochs[:-1],
                    [*epochs[:-1], epochs[-2]],
                    [-1, *epochs[1:]],
                    [float(e) for e in epochs],
                    "0..300",
                ]
            )
        )
        return obj, True
    if kind == "config":
        field = draw(
            st.sampled_from(
                ["p", "train_frac", "split_seed", "seed", "lr", "wd", "beta1", "beta2", "epochs", "checkpoint_every"]
            )
        )
        obj["config"]["training"][field] = draw(
            st.one_of(
                st.none(),
                st.text(max_size=5),
                st.integers(-(2**70), 2**70),
                st.floats(),
                st.lists(st.integers(), max_size=2),
            )
        )
        return obj, False
    if kind == "drop_top":
        del obj[draw(st.sampled_from(sorted(obj)))]
        return obj, False
    obj[draw(st.sampled_from(sorted(obj)))] = draw(st.sampled_from([None, 3, "text", [1, 2], {"a": 1}, torch.zeros(2)]))
    return obj, False


@pytest.fixture(scope="module")
def run_object(tiny_run):
    return torch.load(tiny_run[1].run_file, weights_only=True)


@EXAMPLES
@given(data=st.data())
def test_damaged_run_file_is_refused_in_one_line_and_writes_nothing(run_object, tiny_run, data):
    with tempfile.TemporaryDirectory() as folder:
        path, out = Path(folder) / "run.pth", Path(folder) / "out.npz"
        if data.draw(st.integers(0, 4)) == 0:
            damaged, must_fail = damage_bytes(tiny_run[1].run_file.read_bytes(), data.draw)
            path.write_bytes(damaged)
        else:
            obj, must_fail = mutate_run(run_object, data.draw)
            torch.save(obj, path)
        result = invoke("make-data", "--from-checkpoint", path, "--out", out, "--quiet")
        assert_refused_or_fine(result, must_fail)
        assert out.exists() == (result.exit_code == 0)
        assert not list(Path(folder).glob("*.partial"))
