"""How scenes read the run's operation from the frames: its formula, its coordinates, the words for it,
and a clear stop for a scene that needs what the operation lacks.

The frames hold each token's coordinates u (first input), v (second input) and w (answer) in a
cyclic group Z_M where the operation is addition (data/FRAMES.md, "Operations"): for add they are
the numbers themselves, for mul the discrete logarithms, for pow:3,3 the cubes.
"""

from __future__ import annotations

import numpy as np

from frames import get_formula
from frames.operations import coordinate_tokens
from scenes.loader import not_shown

SPOKEN = {"+": "plus", "−": "minus", "×": "times", "÷": "divided by", "·": "times"}
SPOKEN_POWERS = {"²": "squared", "³": "cubed"}
SUPERSCRIPT_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
SUBSCRIPT_DIGITS = "₀₁₂₃₄₅₆₇₈₉"


def get_group_tokens(frames: dict, which: str = "a") -> np.ndarray:
    """[M] the token at each coordinate 0..M-1 of input `which` (a, b, or c for the answer)."""
    return coordinate_tokens(frames[f"op_coord_{which}"], int(frames["op_group_order"]))


def get_coordinate(frames: dict, which: str, value) -> str:
    """The on-screen name of a coordinate: ('a', 'a') -> 'log₂ a' under mul, 'a' under add; value may be a number."""
    return str(frames["op_coord_labels"]["abc".index(which)]).format(value)


def get_coordinate_fact(frames: dict, which: str, token: int) -> str:
    """The coordinate of a token, to be read aloud: 'log base 2 of 55 is 31' (mul), '11 cubed is 33, mod 59'
    (pow), 'minus 12 is 47, mod 59' (sub's second input); discrete logarithms are taken mod p - 1, said once."""
    value = int(frames[f"op_coord_{which}"][token])
    modulus = "" if int(frames["op_generator"]) else f", mod {int(frames['p'])}"
    return f"{get_spoken(get_coordinate(frames, which, token))} is {value}{modulus}"


def is_own_order(frames: dict, which: str = "a") -> bool:
    """Whether the coordinate of input `which` is the number itself (u = a under add and sub), so that a
    picture over that input alone (the clock, the waves, the spectrum) is addition's."""
    return bool(frames["op_relabelled"]) and np.array_equal(frames[f"op_coord_{which}"], np.arange(int(frames["p"])))


def is_plain_addition(frames: dict) -> bool:
    """Whether the coordinates are the numbers themselves, on all three sides (add)."""
    return all(is_own_order(frames, which) for which in "abc")


def get_instance(frames: dict, a: int, b: int) -> str:
    """'37 × 12' for (a × b) mod p."""
    return str(frames["op_expression"]).format(a=a, b=b)


def get_spoken(expression: str) -> str:
    """'a³ + a·b' -> 'a cubed plus a times b', '−log₂ b' -> 'minus log base 2 of b', to be read aloud."""
    to_digits = str.maketrans(SUPERSCRIPT_DIGITS + SUBSCRIPT_DIGITS, "0123456789" * 2)
    words = []
    for token in expression.replace("·", " · ").split():
        if token in SPOKEN:
            words.append(SPOKEN[token])
            continue
        if token.startswith("−"):
            words.append("minus")
            token = token[1:]
        base = token.rstrip(SUPERSCRIPT_DIGITS)
        power = token[len(base) :]
        if base.startswith("log") and base[3:] and not base[3:].strip(SUBSCRIPT_DIGITS):
            words.append(f"log base {base[3:].translate(to_digits)} of")
        elif power:
            words.append(f"{base} {SPOKEN_POWERS.get(power, f'to the power {power.translate(to_digits)}')}")
        else:
            words.append(token)
    return " ".join(words)


def get_question_word(frames: dict) -> str:
    """What to call the questions: 'sums' for add, else 'questions'."""
    return "sums" if str(frames["operation"]) == "add" else "questions"


def require_relabelling(frames: dict, scene: str) -> None:
    """Stop a scene that draws the circuit of addition in some coordinates, when there are none."""
    if not frames["op_relabelled"]:
        not_shown(
            f"the {scene} scene needs an operation that is addition in some coordinates; "
            f"{get_formula(frames)} is not (grok info says what applies)"
        )


def require_addition(frames: dict, scene: str) -> None:
    """Stop a scene drawn in the numbers' own order, which shows a + b only for add."""
    if not is_plain_addition(frames):
        not_shown(
            f"the {scene} scene draws a + b in the numbers' own order; it is not drawn for {get_formula(frames)} yet"
        )
