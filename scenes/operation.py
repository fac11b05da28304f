"""How scenes read the run's operation from the frames: its formula, its coordinates, the words for it,
and a clear stop for a scene that needs what the operation lacks.

The frames hold each token's coordinates u (first input), v (second input) and w (answer) in a
cyclic group Z_M where the operation is addition (data/FRAMES.md, "Operations"): for add they are
the numbers themselves, for mul the discrete logarithms, for pow:3,3 the cubes.
"""
from __future__ import annotations

import numpy as np

from frames import get_formula

SPOKEN = {"+": "plus", "−": "minus", "×": "times", "÷": "divided by", "·": "times"}
SPOKEN_POWERS = {"²": "squared", "³": "cubed"}
SUPERSCRIPT_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹"


def get_group_tokens(frames: dict, which: str = "a") -> np.ndarray:
    """[M] the token at each coordinate 0..M-1 of input `which` (a, b, or c for the answer)."""
    coord = frames[f"op_coord_{which}"].astype(np.int64)
    tokens = np.full(int(frames["op_group_order"]), -1, dtype=np.int64)
    inside = np.flatnonzero(coord >= 0)
    tokens[coord[inside]] = inside
    return tokens


def get_coordinate(frames: dict, which: str, value) -> str:
    """The on-screen name of a coordinate: ('a', 'a') -> 'log₂ a' under mul, 'a' under add; value may be a number."""
    return str(frames["op_coord_labels"]["abc".index(which)]).format(value)


def is_plain_addition(frames: dict) -> bool:
    """Whether the coordinates are the numbers themselves, on all three sides (add)."""
    p = int(frames["p"])
    return all(np.array_equal(frames[f"op_coord_{which}"], np.arange(p)) for which in "abc") and bool(frames["op_relabelled"])


def get_instance(frames: dict, a: int, b: int) -> str:
    """'37 × 12' for (a × b) mod p."""
    return str(frames["op_expression"]).format(a=a, b=b)


def get_spoken(expression: str) -> str:
    """'a³ + a·b' -> 'a cubed plus a times b', to be read aloud."""
    words = []
    for token in expression.replace("·", " · ").split():
        base = token.rstrip(SUPERSCRIPT_DIGITS)
        power = token[len(base):]
        if token in SPOKEN:
            words.append(SPOKEN[token])
        elif power:
            digits = power.translate(str.maketrans(SUPERSCRIPT_DIGITS, "0123456789"))
            words.append(f"{base} {SPOKEN_POWERS.get(power, f'to the power {digits}')}")
        else:
            words.append(token)
    return " ".join(words)


def get_question_word(frames: dict) -> str:
    """What to call the questions: 'sums' for add, else 'questions'."""
    return "sums" if str(frames["operation"]) == "add" else "questions"


def require_relabelling(frames: dict, scene: str) -> None:
    """Stop a scene that draws the circuit of addition in some coordinates, when there are none."""
    if not frames["op_relabelled"]:
        raise SystemExit(f"error: the {scene} scene needs an operation that is addition in some coordinates; "
                         f"{get_formula(frames)} is not (grok info says what applies)")


def require_addition(frames: dict, scene: str) -> None:
    """Stop a scene drawn in the numbers' own order, which shows a + b only for add."""
    if not is_plain_addition(frames):
        raise SystemExit(f"error: the {scene} scene draws a + b in the numbers' own order; it is not drawn for "
                         f"{get_formula(frames)} yet")
