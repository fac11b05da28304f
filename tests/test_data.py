import torch

from training.data import all_pairs, paper_split, train_test_split


def test_all_pairs_are_every_input_once_with_correct_labels():
    tokens, labels = all_pairs(7)
    assert tokens.shape == (49, 3)
    assert len({tuple(row[:2].tolist()) for row in tokens}) == 49
    assert (tokens[:, 2] == 7).all()  # '=' is token p
    assert torch.equal(labels, (tokens[:, 0] + tokens[:, 1]) % 7)
    assert tokens[3 * 7 + 5].tolist() == [3, 5, 7]  # row-major: index = a * p + b


def test_split_is_deterministic_disjoint_and_complete():
    train, test = train_test_split(113, 0.3, 598)
    again_train, again_test = train_test_split(113, 0.3, 598)
    assert torch.equal(train, again_train) and torch.equal(test, again_test)
    assert len(train) == 3830 and len(test) == 8939  # the reference split sizes
    assert set(train.tolist()).isdisjoint(test.tolist())
    assert sorted(train.tolist() + test.tolist()) == list(range(113 * 113))


def test_split_depends_on_seed():
    assert not torch.equal(train_test_split(23, 0.3, 1)[0], train_test_split(23, 0.3, 2)[0])


def test_paper_split_matches_python_random_shuffle_of_pairs():
    import random

    pairs = [(i, j) for i in range(11) for j in range(11)]
    random.seed(0)
    random.shuffle(pairs)
    train, test = paper_split(11, 0.3, seed=0)
    assert [divmod(int(i), 11) for i in train] == pairs[: int(0.3 * 121)]
    assert len(train) + len(test) == 121


def test_division_leaves_b_zero_out_and_add_keeps_the_demo_split():
    train, test = train_test_split(11, 0.3, 5, op="div")
    both = torch.cat([train, test])
    assert len(both) == 11 * 10 and len(train) == int(0.3 * 110)
    assert (both % 11 != 0).all() and len(both.unique()) == 110  # every pair with b != 0, once
    tokens, labels = all_pairs(11, "div")
    assert (labels[both] >= 0).all() and (labels[tokens[:, 1] == 0] == -1).all()
    assert torch.equal((labels[both] * tokens[both, 1]) % 11, tokens[both, 0])  # a / b times b is a
    generator = torch.Generator().manual_seed(598)
    assert torch.equal(train_test_split(23, 0.3, 598, op="add")[0], torch.randperm(23 * 23, generator=generator)[:158])
