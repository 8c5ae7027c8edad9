"""Ranking items by score, and comparing the rankings two scoring models give.

`rank(scores)` orders {key: score} best first with competition ranks (1, 2, 2, 4: tied
scores share a rank, the next rank skips), keys without a score (None) last and
unranked. Ties keep the order the keys were given in, so a caller that passes its
items in a stable order gets a stable ranking.

`compare(first, second)` says how far two rankings agree, over the keys both score:
Spearman's rho (Pearson's correlation of the average ranks, ties averaged) and Kendall's
tau-b (ties in either ranking accounted for, as in scipy.stats.kendalltau; computed in
O(n log n) with Knight's algorithm, counting the discordant pairs with a Fenwick tree,
so 20,000 features compare in a fraction of a second), each None when undefined (fewer
than two common keys, or one ranking all tied); how many of the first ranking's top N
are also in the second's; and, per key, its rank in each and the move between them.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, NamedTuple, TypeVar

K = TypeVar("K", bound=Hashable)

DEFAULT_TOP_N = 10


class Ranked(NamedTuple):
    """One ranked key (a named tuple: ranking 20,000 features builds 20,000 of them)."""

    key: Hashable
    score: float | None
    rank: int | None  # None: no score, not ranked


def _checked(score: float | None, key: object) -> float | None:
    if score is not None and not math.isfinite(score):
        raise ValueError(f"the score of {key!r} is not a finite number: {score!r}")
    return score


def rank(scores: Mapping[K, float | None]) -> list[Ranked]:
    """Every key of `scores`, best (highest) first, with competition ranks; keys with
    no score last, in their given order, with rank None."""
    scored = [(key, _checked(score, key)) for key, score in scores.items() if score is not None]
    scored.sort(key=lambda item: -item[1])  # stable: tied scores keep the given order
    ranked: list[Ranked] = []
    previous: float | None = None
    current = 0
    for position, (key, score) in enumerate(scored, start=1):
        if score != previous:
            current, previous = position, score
        ranked.append(Ranked(key, score, current))
    ranked.extend(Ranked(key, None, None) for key, score in scores.items() if score is None)
    return ranked


def ranks(scores: Mapping[K, float | None]) -> dict[K, int | None]:
    """{key: competition rank, or None for keys without a score}: `rank` without the
    ordering, so cheaper (a tied key's rank does not depend on the order of the ties)."""
    best_first = sorted(
        (_checked(score, key) for key, score in scores.items() if score is not None),
        reverse=True,
    )
    first_place: dict[float, int] = {}
    for position, score in enumerate(best_first, start=1):
        first_place.setdefault(score, position)
    return {key: None if score is None else first_place[score] for key, score in scores.items()}


# --- correlation ---------------------------------------------------------------------------


def average_ranks(values: Sequence[float]) -> list[float]:
    """1-based ranks of `values` in ascending order, tied values getting the mean of the
    ranks they span (as scipy.stats.rankdata's "average")."""
    order = sorted(range(len(values)), key=values.__getitem__)
    result = [0.0] * len(values)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
            end += 1
        mean_rank = (start + end) / 2 + 1
        for index in order[start : end + 1]:
            result[index] = mean_rank
        start = end + 1
    return result


def _pearson(x: Sequence[float], y: Sequence[float]) -> float | None:
    n = len(x)
    mean_x, mean_y = math.fsum(x) / n, math.fsum(y) / n
    dx = [v - mean_x for v in x]
    dy = [v - mean_y for v in y]
    sxx = math.fsum(d * d for d in dx)
    syy = math.fsum(d * d for d in dy)
    if sxx == 0 or syy == 0:
        return None
    r = math.fsum(a * b for a, b in zip(dx, dy, strict=True)) / math.sqrt(sxx * syy)
    return max(-1.0, min(1.0, r))


def spearman(x: Sequence[float], y: Sequence[float]) -> float | None:
    """Spearman's rank correlation of paired samples; None if fewer than two pairs or
    either sample is constant."""
    if len(x) != len(y):
        raise ValueError("spearman: the samples must have the same length")
    if len(x) < 2:
        return None
    return _pearson(average_ranks(x), average_ranks(y))


def _tied_pairs(sorted_values: Sequence[object]) -> int:
    """The number of pairs of equal values in a sorted sequence."""
    pairs = 0
    run = 1
    for index in range(1, len(sorted_values) + 1):
        if index < len(sorted_values) and sorted_values[index] == sorted_values[index - 1]:
            run += 1
        else:
            pairs += run * (run - 1) // 2
            run = 1
    return pairs


def _inversions(values: Sequence[float]) -> int:
    """Pairs i < j with values[i] > values[j] (strictly), with a Fenwick tree."""
    levels = {value: level for level, value in enumerate(sorted(set(values)), start=1)}
    size = len(levels)
    tree = [0] * (size + 1)
    inversions = 0
    for seen, value in enumerate(values):
        level = levels[value]
        at_most = 0
        i = level
        while i > 0:
            at_most += tree[i]
            i -= i & -i
        inversions += seen - at_most
        i = level
        while i <= size:
            tree[i] += 1
            i += i & -i
    return inversions


def kendall_tau(x: Sequence[float], y: Sequence[float]) -> float | None:
    """Kendall's tau-b of paired samples (Knight's O(n log n) algorithm); None if fewer
    than two pairs or either sample is constant."""
    if len(x) != len(y):
        raise ValueError("kendall_tau: the samples must have the same length")
    n = len(x)
    if n < 2:
        return None
    pairs = sorted(zip(x, y, strict=True))
    all_pairs = n * (n - 1) // 2
    tied_x = _tied_pairs([a for a, _ in pairs])
    tied_both = _tied_pairs(pairs)
    tied_y = _tied_pairs(sorted(y))
    if tied_x == all_pairs or tied_y == all_pairs:
        return None
    # Sorted by x, then y: a strict inversion of y is a discordant pair.
    discordant = _inversions([b for _, b in pairs])
    difference = all_pairs - tied_x - tied_y + tied_both - 2 * discordant
    tau = difference / math.sqrt((all_pairs - tied_x) * (all_pairs - tied_y))
    return max(-1.0, min(1.0, tau))


# --- comparing two rankings ------------------------------------------------------------------


@dataclass(frozen=True)
class Move(Generic[K]):
    """One key in both rankings. `move` is rank - other_rank: positive when the key
    climbs in the second ranking, None unless both rank it."""

    key: K
    rank: int | None
    other_rank: int | None
    score: float | None
    other_score: float | None

    @property
    def move(self) -> int | None:
        if self.rank is None or self.other_rank is None:
            return None
        return self.rank - self.other_rank


@dataclass(frozen=True)
class Comparison(Generic[K]):
    common: int  # keys both rankings score
    spearman: float | None
    kendall_tau: float | None
    top_n: int
    top_first: tuple[K, ...]  # the first N of each ranking, in order
    top_second: tuple[K, ...]
    moves: tuple[Move[K], ...]  # every key of either, in the first ranking's order

    @property
    def top_overlap(self) -> int:
        return len(set(self.top_first) & set(self.top_second))


def compare(
    first: Mapping[K, float | None],
    second: Mapping[K, float | None],
    *,
    top_n: int = DEFAULT_TOP_N,
) -> Comparison[K]:
    """How the rankings of two score mappings agree (see the module's docstring). The
    top N are the first N keys of each ranking (ties in the given order)."""
    if top_n < 1:
        raise ValueError("top_n: at least 1")
    ranked_first = rank(first)
    ranked_second = rank(second)
    other = {item.key: item for item in ranked_second}
    common = [
        (item.score, other[item.key].score)
        for item in ranked_first
        if item.score is not None and item.key in other and other[item.key].score is not None
    ]
    xs = [a for a, _ in common]
    ys = [b for _, b in common]
    moves = []
    for item in ranked_first:
        match = other.get(item.key)
        moves.append(
            Move(
                item.key,
                item.rank,
                match.rank if match else None,
                item.score,
                match.score if match else None,
            )
        )
    placed = set(first)
    moves.extend(
        Move(item.key, None, item.rank, None, item.score)
        for item in ranked_second
        if item.key not in placed
    )
    # The first ranking's order; keys it does not rank by their rank in the second.
    order = {id(move): index for index, move in enumerate(moves)}
    moves.sort(
        key=lambda m: (
            m.rank is None,
            m.rank or 0,
            m.other_rank is None,
            m.other_rank or 0,
            order[id(m)],
        )
    )
    return Comparison(
        common=len(common),
        spearman=spearman(xs, ys),
        kendall_tau=kendall_tau(xs, ys),
        top_n=top_n,
        top_first=tuple(item.key for item in ranked_first if item.rank is not None)[:top_n],
        top_second=tuple(item.key for item in ranked_second if item.rank is not None)[:top_n],
        moves=tuple(moves),
    )
