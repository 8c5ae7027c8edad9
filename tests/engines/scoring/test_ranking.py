"""Ranking and comparing rankings, with scipy as the oracle for the correlations."""

from __future__ import annotations

import random
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from pilothouse.engines.scoring import compare, kendall_tau, rank, ranks, spearman
from pilothouse.engines.scoring.ranking import average_ranks

# --- rank ------------------------------------------------------------------------------------


def test_best_first_ties_share_a_rank_and_unscored_come_last():
    ranked = rank({"a": 5.0, "b": None, "c": 9.0, "d": 5.0, "e": 1.0, "f": None})
    assert [(r.key, r.rank) for r in ranked] == [
        ("c", 1),
        ("a", 2),
        ("d", 2),
        ("e", 4),
        ("b", None),
        ("f", None),
    ]


def test_ties_keep_the_given_order():
    assert [r.key for r in rank({3: 1.0, 1: 1.0, 2: 1.0})] == [3, 1, 2]


def test_ranks_as_a_mapping():
    assert ranks({"x": 0.0, "y": -1.0, "z": None}) == {"x": 1, "y": 2, "z": None}


def test_empty_and_all_unscored():
    assert rank({}) == []
    assert ranks({"a": None}) == {"a": None}


def test_non_finite_scores_are_refused():
    with pytest.raises(ValueError, match="not a finite number"):
        rank({"a": float("nan")})


@given(st.dictionaries(st.integers(), st.one_of(st.none(), st.integers(-5, 5).map(float))))
def test_rank_is_the_number_of_strictly_better_scores_plus_one(scores):
    found = ranks(scores)
    for key, score in scores.items():
        if score is None:
            assert found[key] is None
        else:
            better = sum(1 for s in scores.values() if s is not None and s > score)
            assert found[key] == better + 1


# --- correlations against scipy ----------------------------------------------------------------

samples = st.integers(min_value=2, max_value=60).flatmap(
    lambda n: st.tuples(
        st.lists(st.integers(0, 8).map(float), min_size=n, max_size=n),
        st.lists(st.integers(0, 8).map(float), min_size=n, max_size=n),
    )
)


@settings(max_examples=300, deadline=None)
@given(samples)
def test_spearman_matches_scipy(pair):
    x, y = pair
    got = spearman(x, y)
    if len(set(x)) == 1 or len(set(y)) == 1:
        assert got is None  # scipy answers nan, with a warning
    else:
        assert got == pytest.approx(stats.spearmanr(x, y).statistic, abs=1e-12)


@settings(max_examples=300, deadline=None)
@given(samples)
def test_kendall_tau_b_matches_scipy(pair):
    x, y = pair
    got = kendall_tau(x, y)
    if len(set(x)) == 1 or len(set(y)) == 1:
        assert got is None
    else:  # scipy's default is tau-b
        assert got == pytest.approx(stats.kendalltau(x, y).statistic, abs=1e-12)


@given(st.lists(st.integers(-3, 3).map(float), max_size=40))
def test_average_ranks_match_scipy(values):
    assert average_ranks(values) == pytest.approx(list(stats.rankdata(values)))


def test_perfect_agreement_and_reversal():
    x = [1.0, 2.0, 3.0, 4.0]
    assert spearman(x, x) == 1.0
    assert kendall_tau(x, x) == 1.0
    assert spearman(x, x[::-1]) == -1.0
    assert kendall_tau(x, x[::-1]) == -1.0


def test_undefined_correlations_are_none():
    assert spearman([1.0], [2.0]) is None
    assert kendall_tau([], []) is None
    assert spearman([1.0, 1.0], [1.0, 2.0]) is None
    assert kendall_tau([1.0, 2.0], [3.0, 3.0]) is None
    with pytest.raises(ValueError, match="same length"):
        spearman([1.0], [1.0, 2.0])


def test_kendall_tau_on_twenty_thousand_items_is_fast_and_right():
    rng = random.Random(5)
    x = [float(rng.randint(0, 500)) for _ in range(20_000)]
    y = [v + rng.gauss(0, 100) for v in x]
    start = time.perf_counter()
    tau = kendall_tau(x, y)
    rho = spearman(x, y)
    elapsed = time.perf_counter() - start
    assert tau == pytest.approx(stats.kendalltau(x, y).statistic, abs=1e-10)
    assert rho == pytest.approx(stats.spearmanr(x, y).statistic, abs=1e-10)
    assert elapsed < 2.0


# --- compare -----------------------------------------------------------------------------------


def test_compare_two_rankings():
    first = {"a": 10.0, "b": 8.0, "c": 6.0, "d": 4.0, "e": None}
    second = {"a": 1.0, "b": 9.0, "c": 7.0, "d": None, "f": 3.0}
    result = compare(first, second, top_n=2)
    assert result.common == 3  # a, b, c
    assert result.top_first == ("a", "b")
    assert result.top_second == ("b", "c")
    assert result.top_overlap == 1
    moves = {m.key: (m.rank, m.other_rank, m.move) for m in result.moves}
    assert moves == {
        "a": (1, 4, -3),
        "b": (2, 1, 1),
        "c": (3, 2, 1),
        "d": (4, None, None),
        "f": (None, 3, None),
        "e": (None, None, None),
    }
    # The first ranking's order, then the keys only the second ranks.
    assert [m.key for m in result.moves] == ["a", "b", "c", "d", "f", "e"]
    assert result.spearman == pytest.approx(stats.spearmanr([10, 8, 6], [1, 9, 7]).statistic)
    assert result.kendall_tau == pytest.approx(stats.kendalltau([10, 8, 6], [1, 9, 7]).statistic)


def test_identical_rankings_agree_fully():
    scores = {i: float(i % 7) for i in range(30)}
    result = compare(scores, dict(scores))
    assert result.spearman == pytest.approx(1.0)
    assert result.kendall_tau == pytest.approx(1.0)
    assert result.top_overlap == 10
    assert all(m.move == 0 for m in result.moves)


def test_compare_with_nothing_in_common():
    result = compare({"a": 1.0}, {"b": 2.0})
    assert result.common == 0
    assert result.spearman is None
    assert result.kendall_tau is None
    assert result.top_overlap == 0


def test_top_n_must_be_positive():
    with pytest.raises(ValueError, match="top_n"):
        compare({}, {}, top_n=0)


@settings(max_examples=100, deadline=None)
@given(
    st.dictionaries(st.integers(0, 30), st.one_of(st.none(), st.integers(0, 9).map(float))),
    st.dictionaries(st.integers(0, 30), st.one_of(st.none(), st.integers(0, 9).map(float))),
)
def test_compare_covers_every_key_once_and_agrees_with_rank(first, second):
    result = compare(first, second, top_n=5)
    assert sorted(m.key for m in result.moves) == sorted(set(first) | set(second))
    first_ranks, second_ranks = ranks(first), ranks(second)
    for move in result.moves:
        assert move.rank == first_ranks.get(move.key)
        assert move.other_rank == second_ranks.get(move.key)
    both = [k for k in first if first[k] is not None and second.get(k) is not None]
    assert result.common == len(both)
    assert len(result.top_first) <= 5
