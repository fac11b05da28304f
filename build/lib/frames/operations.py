"""Every operation a run can learn: its name, its formula, its labels, and its relabelling to addition.

A run learns z = op(a, b) mod p on tokens [a, b, =]. The operations, by their CLI spelling:

    add       (a + b) mod p             the default, Nanda et al.'s task
    sub       (a − b) mod p
    mul       (a × b) mod p
    div       (a ÷ b) mod p = a × b⁻¹   pairs with b = 0 are left out of the data set (p(p − 1) pairs)
    pow:A,B   (a^A + b^B) mod p         seed 004's exponentiated addition; A, B whole numbers >= 1
    sq        (a² + b²) mod p           another spelling of pow:2,2 (its canonical name)
    cubic     (a³ + a·b) mod p

pow:1,1 is add, and is called so: one task, one name, one run directory.

Several of them are addition after a relabelling of the inputs: there are maps u, v, w into a cyclic
group Z_M with w(z) = u(a) + v(b) mod M for every pair (a, b) where all three are defined.

    add       u = a, v = b, w = c, M = p
    sub       u = a, v = −b, w = c, M = p
    mul       u = log_g a, v = log_g b, w = log_g c, M = p − 1: discrete logarithms base g, the
              smallest primitive root mod p, in the cyclic group of the p − 1 non-zero residues
              (Chughtai et al. 2023). 0 is aside: it has no logarithm, and pairs holding a 0 (answer 0)
              are in the data set but outside the group.
    div       as mul with v = −log_g b
    pow:A,B   u = a^A, v = b^B, w = c, M = p: a relabelling exactly when x -> x^A and x -> x^B are
              bijections of Z_p, that is when gcd(A, p − 1) = gcd(B, p − 1) = 1
    sq, cubic none (x -> x² is two-to-one; a³ + a·b does not split into a part of a and a part of b)

numpy only, in the frames package both halves share: the config validates names here without
importing torch, and a frames file's op_* keys (operation_arrays) come from here whoever writes them.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from frames.schema import NOT_APPLICABLE

KINDS = ("add", "sub", "mul", "div", "pow", "cubic")
ALIASES = {"sq": "pow:2,2"}
SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
CHOICES = "add, sub, mul, div, pow:A,B (a^A + b^B), sq (a² + b²) or cubic (a³ + a·b)"


@dataclass(frozen=True)
class Relabelling:
    """Coordinates in Z_order that turn the operation into addition: coord_c[z(a, b)] =
    (coord_a[a] + coord_b[b]) mod order wherever the three are >= 0 (-1: outside the group)."""

    order: int  # M, the order of the cyclic group
    coord_a: np.ndarray  # [p] u of each token as the first input, -1 outside the group
    coord_b: np.ndarray  # [p] v of each token as the second input
    coord_c: np.ndarray  # [p] w of each token as the answer
    labels: tuple[str, str, str]  # on-screen names of u, v, w as templates for the token: "log₂ {}"
    generator: int = 0  # g of the discrete logarithms (mul, div); 0 where there are none

    def tokens(self, coord: np.ndarray) -> np.ndarray:
        """[order]: the token at each coordinate 0..order-1."""
        return coordinate_tokens(coord, self.order)


def coordinate_tokens(coord: np.ndarray, order: int) -> np.ndarray:
    """[order]: the inverse of a coordinate map coord [p] (-1 outside the group): the token at each coordinate."""
    coord = np.asarray(coord, dtype=np.int64)
    inverse = np.full(order, -1, dtype=np.int64)
    inside = np.flatnonzero(coord >= 0)
    inverse[coord[inside]] = inside
    return inverse


@dataclass(frozen=True)
class Operation:
    kind: str  # one of KINDS
    exponents: tuple[int, int] = (1, 1)  # A, B of pow

    @property
    def name(self) -> str:
        """The canonical CLI spelling: add, sub, mul, div, pow:A,B, cubic."""
        return f"pow:{self.exponents[0]},{self.exponents[1]}" if self.kind == "pow" else self.kind

    @property
    def slug(self) -> str:
        """The name as it goes into a folder name: pow:3,4 -> pow3-4."""
        return self.name.replace(":", "").replace(",", "-")

    @property
    def expression(self) -> str:
        """A template for one instance, e.g. '{a} × {b}': .format(a=37, b=12) -> '37 × 12'."""
        A, B = (str(e).translate(SUPERSCRIPTS) for e in self.exponents)
        return {
            "add": "{a} + {b}",
            "sub": "{a} − {b}",
            "mul": "{a} × {b}",
            "div": "{a} ÷ {b}",
            "pow": f"{{a}}{A} + {{b}}{B}",
            "cubic": "{a}³ + {a}·{b}",
        }[self.kind]

    @property
    def formula(self) -> str:
        """The on-screen formula with the letter p: '(a × b) mod p' (Unicode, no LaTeX)."""
        return f"({self.expression.format(a='a', b='b')}) mod p"

    def apply(self, a: np.ndarray, b: np.ndarray, p: int) -> np.ndarray:
        """z = op(a, b) mod p elementwise (int64); -1 where the pair is not in the data set (b = 0 for div)."""
        a, b = np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64)
        if self.kind == "add":
            return (a + b) % p
        if self.kind == "sub":
            return (a - b) % p
        if self.kind == "mul":
            return a * b % p
        if self.kind == "div":
            inverse = np.array([0] + [pow(x, -1, p) for x in range(1, p)], dtype=np.int64)
            return np.where(b % p == 0, -1, a * inverse[b % p] % p)
        if self.kind == "pow":
            powers = [np.array([pow(x, e, p) for x in range(p)], dtype=np.int64) for e in self.exponents]
            return (powers[0][a % p] + powers[1][b % p]) % p
        return (a * a % p * a + a * b) % p  # cubic

    def labels(self, p: int) -> np.ndarray:
        """[p, p] z for every pair (a, b), indexed [a, b]; -1 where the pair is not in the data set."""
        return self.apply(np.arange(p)[:, None], np.arange(p)[None, :], p)

    def in_data(self, p: int) -> np.ndarray:
        """[p * p] bool in row-major order (index a * p + b): the pairs of the data set."""
        return self.labels(p).reshape(-1) >= 0

    def relabelling(self, p: int) -> Relabelling | None:
        """The coordinates that make this operation addition, or None where there are none."""
        x = np.arange(p, dtype=np.int64)
        if self.kind in ("add", "sub"):
            return Relabelling(
                p, x, x if self.kind == "add" else -x % p, x, ("{}", "{}" if self.kind == "add" else "−{}", "{}")
            )
        if self.kind in ("mul", "div"):
            g = primitive_root(p)
            log = discrete_logs(p, g)
            name = f"log{str(g).translate(SUBSCRIPTS)} {{}}"
            if self.kind == "mul":
                return Relabelling(p - 1, log, log, log, (name, name, name), g)
            minus = np.where(log >= 0, -log % (p - 1), -1)
            return Relabelling(p - 1, log, minus, log, (name, "−" + name, name), g)
        if self.kind == "pow" and all(math.gcd(e, p - 1) == 1 for e in self.exponents):
            A, B = self.exponents
            u = np.array([pow(int(t), A, p) for t in x], dtype=np.int64)
            v = np.array([pow(int(t), B, p) for t in x], dtype=np.int64)
            return Relabelling(
                p, u, v, x, ("{}" + str(A).translate(SUPERSCRIPTS), "{}" + str(B).translate(SUPERSCRIPTS), "{}")
            )
        return None

    def label_evenness(self, p: int) -> float:
        """Entropy of z over the data set's pairs, over log p: 1 when every answer is equally common
        (addition), lower when answers bunch up (seed 004's predictor of grokking)."""
        z = self.labels(p).reshape(-1)
        counts = np.bincount(z[z >= 0], minlength=p)
        share = counts[counts > 0] / counts.sum()
        return float(-(share * np.log(share)).sum() / math.log(p))


def parse_operation(text: str) -> Operation:
    """An operation from its CLI spelling; ValueError (one line) for anything else."""
    if not isinstance(text, str):
        raise ValueError(f"op must be a name (got {text!r}); choose {CHOICES}")
    spelled = ALIASES.get(text.strip(), text.strip())
    if spelled in KINDS and spelled != "pow":
        return Operation(spelled)
    match = re.fullmatch(r"pow:(.*),(.*)", spelled)
    if match is None:
        raise ValueError(f"unknown op {text!r}; choose {CHOICES}")
    if not all(re.fullmatch(r"\s*\d+\s*", e) for e in match.groups()):
        raise ValueError(f"op {text!r}: pow needs two whole-number exponents, as in pow:3,4")
    exponents = tuple(int(e) for e in match.groups())
    if min(exponents) < 1:
        raise ValueError(f"op {text!r}: pow's exponents must be at least 1")
    return Operation("add") if exponents == (1, 1) else Operation("pow", exponents)


def split_op_list(text: str) -> list[str]:
    """'add,pow:3,4,mul' -> ['add', 'pow:3,4', 'mul']: a sweep's comma-separated list of operations,
    where pow's own comma does not separate."""
    items = re.findall(r"pow:[^,]*,[^,]*|[^,]+", text)
    if ",".join(items) != text or not all(item.strip() for item in items):
        raise ValueError(f"expected comma-separated operations, got {text!r} (an empty item)")
    return [item.strip() for item in items]


def primitive_root(p: int) -> int:
    """The smallest g whose powers run through all p − 1 non-zero residues mod the prime p."""
    order = p - 1
    factors = {q for q in range(2, order + 1) if order % q == 0 and all(q % d for d in range(2, int(q**0.5) + 1))}
    return next(g for g in range(1, p) if all(pow(g, order // q, p) != 1 for q in factors))


def discrete_logs(p: int, g: int) -> np.ndarray:
    """[p] log_g x mod (p − 1) for x = 1..p−1; -1 for x = 0, which has none."""
    log = np.full(p, -1, dtype=np.int64)
    x = 1
    for k in range(p - 1):
        log[x] = k
        x = x * g % p
    return log


def operation_arrays(op: str, p: int) -> dict[str, np.ndarray]:
    """The frames' op_* keys: what the operation is, and its coordinates (FRAMES.md, "Operations")."""
    operation = parse_operation(op)
    relabelling = operation.relabelling(p)
    x = np.arange(p)
    coords = [x, x, x] if relabelling is None else [relabelling.coord_a, relabelling.coord_b, relabelling.coord_c]
    return {
        "operation": np.str_(operation.name),
        "op_formula": np.str_(operation.formula),
        "op_expression": np.str_(operation.expression),
        "op_relabelled": np.bool_(relabelling is not None),
        "op_group_order": np.int64(p if relabelling is None else relabelling.order),
        "op_generator": np.int64(0 if relabelling is None else relabelling.generator),
        "op_coord_labels": np.array(("{}", "{}", "{}") if relabelling is None else relabelling.labels),
        **{f"op_coord_{name}": coord.astype(np.int32) for name, coord in zip("abc", coords)},
        "op_labels": operation.labels(p).astype(np.int32),
        "op_label_evenness": np.float32(operation.label_evenness(p)),
        "op_not_applicable": np.str_("" if relabelling is not None else ",".join(NOT_APPLICABLE)),
    }
