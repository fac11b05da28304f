"""Helpers several scenes share: the frame's shape, a drawing remade every frame (redrawn), reading a series of
checkpoints at a fractional position or a logged curve at an epoch, listing frequencies in words, and the clock every
clock scene draws (which key frequency, which example turn)."""

from __future__ import annotations

import math
from typing import Callable

import numpy as np
from manim import Mobject, config

from scenes.loader import not_shown
from scenes.operation import get_group_tokens, require_relabelling

TURN_SHOWN = 0.3  # the addition example turns the hand by about this much of a circle (net of whole turns)


def is_tall() -> bool:
    """A 9:16 frame (8 units wide, 14.2 tall): parts that sit side by side in 16:9 stack."""
    return config.frame_height > config.frame_width


def is_narrow() -> bool:
    """A 9:16 or 1:1 frame: 8 units wide (scenes/shapes.py SHORT_SIDE), where a 16:9 frame is 14.2."""
    return config.frame_width < 1.5 * config.frame_height


EDGE = 0.3  # the margin a narrow frame's layout keeps at the frame's edge


def wrapped(*parts: str) -> str:
    """A label's parts on one line, or each on a line of its own in a narrow frame, where the one would not fit."""
    return ("\n" if is_narrow() else " ").join(parts)


OWN_STATE = ("submobjects", "updaters", "updating_suspended")  # what a redrawn part keeps of itself


def redrawn(build: Callable[[], Mobject]) -> Mobject:
    """manim's always_redraw (a drawing remade by `build` every frame), made over faster: when the new drawing
    has the old one's shape (the same parts, nested the same way), each old part takes on its new part's state
    in place, instead of `become` aligning every point of the two (a third of a busy scene's render time).
    The parts stay the same objects, which matters: a play draws the parts it listed when it began."""
    drawing = build()

    def remake(mobject: Mobject) -> None:
        new = build()
        old_parts, new_parts = mobject.get_family(), new.get_family()
        if [len(part.submobjects) for part in old_parts] != [len(part.submobjects) for part in new_parts] or any(
            type(old) is not type(part) for old, part in zip(old_parts, new_parts)
        ):
            mobject.become(new)
            return
        for old, part in zip(old_parts, new_parts):
            kept = {name: old.__dict__[name] for name in OWN_STATE}
            old.__dict__.update(part.__dict__)
            old.__dict__.update(kept)

    return drawing.add_updater(remake)


def get_interpolated(series: np.ndarray, position: float) -> np.ndarray:
    """series[C, ...] at a fractional checkpoint index, linearly between neighbours."""
    position = float(np.clip(position, 0, len(series) - 1))
    lower = int(np.floor(position))
    upper = min(lower + 1, len(series) - 1)
    weight = position - lower
    return (1 - weight) * series[lower].astype(np.float64) + weight * series[upper].astype(np.float64)


def get_epoch_at(epochs: np.ndarray, position: float) -> int:
    return int(round(np.interp(position, np.arange(len(epochs)), epochs)))


def get_logged_at(epochs: np.ndarray, values: np.ndarray, epoch: float) -> float:
    """A logged curve's value at `epoch`: the last value logged at or before it (the first before any)."""
    return float(values[max(0, int(np.searchsorted(epochs, epoch, side="right")) - 1)])


def get_key_list(keys: list[int], last: str = "and") -> str:
    """[8, 19, 41, 54] -> '8, 19, 41 and 54'."""
    words = [str(k) for k in keys]
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} {last} {words[-1]}"


def get_clock_frequency(frames: dict) -> tuple[int, int]:
    """(k, index into key_freqs) of the key frequency whose final clock is roundest (smallest
    spread of radii): every key frequency makes a clock; this one shows it most clearly. In a group
    of even order M (mul, div) a k sharing a factor with M puts several numbers on each place, and the
    Nyquist frequency M/2 is a line: a k coprime to M is taken where there is one."""
    require_relabelling(frames, "clock")
    keys, M = frames["key_freqs"], int(frames["op_group_order"])
    if len(keys) == 0:
        not_shown("this run found no key frequency (it has not grokked): no clock to draw")
    group = frames["op_coord_a"] >= 0
    radii = np.linalg.norm(frames["embed_clock"][-1][:, group].astype(np.float64), axis=-1)  # [K, M]
    roundness = radii.std(axis=1) / radii.mean(axis=1)
    rings = [j for j, k in enumerate(keys) if 2 * k < M]
    if not rings:
        not_shown(f"this run's only key frequency is {M // 2} = M/2, a line rather than a clock")
    coprime = [j for j in rings if math.gcd(int(keys[j]), M) == 1] or rings
    index = min(coprime, key=lambda j: roundness[j])
    return int(keys[index]), index


def get_turn_example(frames: dict, k: int) -> tuple[int, int, int, int, int, int]:
    """(a, b, c, u, v, w): tokens and their coordinates, u about a third of the way round, v chosen so
    that on the frequency-k clock it turns the hand by about TURN_SHOWN of a circle; c = op(a, b), w = u + v.
    For add it is get_addition_example."""
    M = int(frames["op_group_order"])
    u, target = round(0.33 * M), round(TURN_SHOWN * M)
    v = target * pow(k, -1, M) % M if math.gcd(k, M) == 1 else min(range(1, M), key=lambda v: abs(k * v % M - target))
    a, b = int(get_group_tokens(frames, "a")[u]), int(get_group_tokens(frames, "b")[v])
    return a, b, int(frames["op_labels"][a, b]), u, v, (u + v) % M
