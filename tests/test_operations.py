"""Every operation's labels and relabelling, checked pair by pair on small primes."""

import math

import numpy as np
import pytest

from frames.operations import Operation, discrete_logs, parse_operation, primitive_root, split_op_list

PRIMES = (5, 7, 11)
NAMES = ("add", "sub", "mul", "div", "pow:3,3", "pow:3,5", "pow:2,3", "pow:2,2", "cubic")


def brute_force(name: str, a: int, b: int, p: int) -> int:
    """The label by the definition, one pair at a time (-1: not in the data set)."""
    if name == "div":
        return -1 if b == 0 else next(c for c in range(p) if c * b % p == a)
    if name.startswith("pow:"):
        A, B = (int(e) for e in name[4:].split(","))
        return (a**A + b**B) % p
    return {"add": a + b, "sub": a - b, "mul": a * b, "cubic": a**3 + a * b}[name] % p


@pytest.mark.parametrize("p", PRIMES)
@pytest.mark.parametrize("name", NAMES)
def test_labels_are_the_operation_for_every_pair(name, p):
    labels = parse_operation(name).labels(p)
    assert labels.shape == (p, p)
    assert labels.tolist() == [[brute_force(name, a, b, p) for b in range(p)] for a in range(p)]
    in_data = parse_operation(name).in_data(p)
    assert in_data.sum() == (p * (p - 1) if name == "div" else p * p)
    assert np.array_equal(in_data, labels.reshape(-1) >= 0)


@pytest.mark.parametrize("p", PRIMES)
def test_primitive_root_is_the_smallest_generator(p):
    g = primitive_root(p)
    assert sorted(pow(g, k, p) for k in range(p - 1)) == list(range(1, p))
    assert all(len({pow(h, k, p) for k in range(p - 1)}) < p - 1 for h in range(1, g))
    log = discrete_logs(p, g)
    assert log[0] == -1 and all(pow(g, int(log[x]), p) == x for x in range(1, p))


def test_known_primitive_roots():
    assert [primitive_root(p) for p in (3, 5, 7, 11, 13, 59, 113)] == [2, 2, 3, 2, 2, 2, 3]


@pytest.mark.parametrize("p", PRIMES)
@pytest.mark.parametrize("name", NAMES)
def test_relabelling_turns_the_operation_into_addition(name, p):
    op = parse_operation(name)
    r = op.relabelling(p)
    exponents = [int(e) for e in name[4:].split(",")] if name.startswith("pow:") else []
    if name == "cubic" or any(math.gcd(e, p - 1) != 1 for e in exponents):
        assert r is None
        return
    assert r.order == (p - 1 if name in ("mul", "div") else p)
    outside = {0} if name in ("mul", "div") else set()
    for coord in (r.coord_a, r.coord_b, r.coord_c):  # a bijection from the group's tokens onto Z_order
        assert {int(x) for x in np.flatnonzero(coord < 0)} == outside
        assert sorted(coord[coord >= 0].tolist()) == list(range(r.order))
        assert (coord[r.tokens(coord)] == np.arange(r.order)).all()
    labels = op.labels(p)
    checked = 0
    for a in range(p):
        for b in range(p):
            if labels[a, b] < 0 or r.coord_a[a] < 0 or r.coord_b[b] < 0:
                continue
            assert r.coord_c[labels[a, b]] == (r.coord_a[a] + r.coord_b[b]) % r.order, (a, b)
            checked += 1
    assert checked == r.order**2  # every pair of the group is in the data


def test_coordinates_by_name_at_p_7():
    g = 3  # the smallest primitive root of 7
    mul, div = Operation("mul").relabelling(7), Operation("div").relabelling(7)
    assert mul.generator == g and mul.coord_a.tolist() == [-1, 0, 2, 1, 4, 5, 3]  # 3^2 = 2, 3^1 = 3, ...
    assert div.coord_b.tolist() == [-1, 0, 4, 5, 2, 1, 3]  # -log b mod 6
    assert Operation("sub").relabelling(7).coord_b.tolist() == [0, 6, 5, 4, 3, 2, 1]
    cubes = parse_operation("pow:5,5").relabelling(7)
    assert cubes.coord_a.tolist() == [pow(x, 5, 7) for x in range(7)]
    assert mul.labels == ("log₃ {}",) * 3 and div.labels[1] == "−log₃ {}"
    assert cubes.labels[0].format("a") == "a⁵"


def test_names_formulas_and_canonical_spellings():
    assert parse_operation("sq").name == "pow:2,2" and parse_operation("sq").formula == "(a² + b²) mod p"
    assert parse_operation("pow:1,1") == Operation("add")
    assert parse_operation(" pow: 03, 4").name == "pow:3,4" and parse_operation("pow:3,4").slug == "pow3-4"
    assert Operation("mul").formula == "(a × b) mod p" and Operation("div").formula == "(a ÷ b) mod p"
    assert Operation("sub").formula == "(a − b) mod p" and Operation("cubic").formula == "(a³ + a·b) mod p"
    assert parse_operation("pow:9,12").expression.format(a=2, b=3) == "2⁹ + 3¹²"


@pytest.mark.parametrize(
    "text, message",
    [
        ("plus", "unknown op"),
        ("", "unknown op"),
        ("pow", "unknown op"),
        ("pow:3", "unknown op"),
        ("pow:0,2", "at least 1"),
        ("pow:2.5,2", "whole-number"),
        ("pow:-1,2", "whole-number"),
        ("pow:a,b", "whole-number"),
        ("pow:1,2,3", "whole-number"),
    ],
)
def test_bad_spellings_are_one_line(text, message):
    with pytest.raises(ValueError, match=message) as error:
        parse_operation(text)
    assert "\n" not in str(error.value)


def test_sweep_lists_keep_pow_together():
    assert split_op_list("add,pow:3,4,mul") == ["add", "pow:3,4", "mul"]
    assert split_op_list("pow:3,3,pow:5,5") == ["pow:3,3", "pow:5,5"]
    for bad in ("add,,mul", "add,", ",add"):
        with pytest.raises(ValueError, match="empty item"):
            split_op_list(bad)


@pytest.mark.parametrize("p", PRIMES)
def test_label_evenness(p):
    assert Operation("add").label_evenness(p) == pytest.approx(1.0)
    assert Operation("div").label_evenness(p) == pytest.approx(1.0)  # every answer p - 1 times
    assert Operation("mul").label_evenness(p) < 1.0  # 0 is the answer of 2p - 1 pairs
    assert parse_operation("sq").label_evenness(p) < Operation("add").label_evenness(p)
