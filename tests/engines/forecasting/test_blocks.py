"""The pieces of the block sampler: the counter-based generator, the distributions of
block sums, inverse-CDF sampling, and the halving of a block along its conditional
distribution. Statistical checks use fixed seeds and the 0.1 % level (deterministic)."""

from __future__ import annotations

import itertools
from collections import Counter

import numpy as np
import pytest
from scipy import stats

from pilothouse.engines.forecasting.blocks import (
    GAMMA,
    BlockModel,
    InverseCdf,
    block_size,
    mix,
    split_weights,
    splitmix64,
    sum_distributions,
)

LEVEL = 0.001


def reference_splitmix64(key: int, count: int) -> list[int]:
    """SplitMix64 as published (Steele, Lea and Flood), in Python integers."""
    state, out = key, []
    for _ in range(count):
        state = (state + GAMMA) % 2**64
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) % 2**64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) % 2**64
        out.append(z ^ (z >> 31))
    return out


def test_splitmix64_is_the_published_generator():
    assert reference_splitmix64(1234567, 1) == [6457827717110365317]
    for key in (0, 1234567, 2**64 - 1):
        drawn = splitmix64(np.arange(50, dtype=np.uint64), key)
        assert drawn.tolist() == reference_splitmix64(key, 50)
    # Any counter, not only consecutive ones: output n is the n-th of the stream.
    assert splitmix64(np.array([49], dtype=np.uint64), 7).tolist() == [
        reference_splitmix64(7, 50)[-1]
    ]


def uniforms_as_drawn(model: BlockModel, trials: int, blocks: int) -> np.ndarray:
    """The uniforms of the block sums and the nodes of the halving trees, in the order
    of their counters (trial, block, node)."""
    states = model.states(np.arange(trials)[:, None, None], np.arange(blocks)[None, :, None])
    states = states + np.arange(model.size, dtype=np.uint64)[None, None, :] * np.uint64(GAMMA)
    return (mix(states.ravel()) >> np.uint64(11)).astype(np.float64) / 2.0**53


def test_the_counter_based_uniforms_are_uniform_and_independent():
    model = BlockModel(np.array([3, 0, 7, 5, 2, 9]), key=20260302)
    u = uniforms_as_drawn(model, trials=400, blocks=20)  # 400 x 20 x 16 counters
    assert u.size == 128_000
    assert 0 <= u.min() <= u.max() < 1
    assert stats.kstest(u, "uniform").pvalue > LEVEL
    counts = np.bincount((u * 100).astype(int), minlength=100)
    assert stats.chisquare(counts).pvalue > LEVEL
    # Neighbouring counters (next node, next block, next trial) are independent.
    grid = u.reshape(400, 20, 16)
    for first, second in (
        (grid[:, :, :-1], grid[:, :, 1:]),
        (grid[:, :-1], grid[:, 1:]),
        (grid[:-1], grid[1:]),
    ):
        pairs = (first.ravel() * 10).astype(int) * 10 + (second.ravel() * 10).astype(int)
        assert stats.chisquare(np.bincount(pairs, minlength=100)).pvalue > LEVEL
    # The low bits too: they resolve the draws that the guide table leaves open.
    low = (u * 2**20 % 1 * 16).astype(int)
    assert stats.chisquare(np.bincount(low, minlength=16)).pvalue > LEVEL


@pytest.mark.parametrize("history", [[0, 1, 1, 3], [2, 0, 5], [4], [0, 0, 0, 1, 2]])
def test_block_sum_distributions_match_brute_force_enumeration(history):
    pmf = np.bincount(history) / len(history)
    powers = sum_distributions(pmf, 3)  # 1, 2, 4 and 8 weeks
    for level, weeks in enumerate((1, 2, 4)):
        counts = Counter(sum(path) for path in itertools.product(history, repeat=weeks))
        exact = np.zeros(powers[level].size)
        for total, n in counts.items():
            exact[total] = n / len(history) ** weeks
        np.testing.assert_allclose(powers[level], exact, rtol=1e-12, atol=0)
    # Eight weeks: through the four-week distribution, enumerated (fewer paths).
    four = Counter(sum(path) for path in itertools.product(history, repeat=4))
    eight = Counter()
    for (a, n), (b, m) in itertools.product(four.items(), repeat=2):
        eight[a + b] += n * m
    exact = np.zeros(powers[3].size)
    for total, n in eight.items():
        exact[total] = n / len(history) ** 8
    np.testing.assert_allclose(powers[3], exact, rtol=1e-12, atol=0)
    assert powers[3].size == 8 * max(history) + 1
    # An impossible sum stays exactly impossible (no rounding noise).
    assert np.all((powers[3] == 0) == (exact == 0))


def test_split_weights_are_the_joint_chances_of_the_halves():
    half = np.array([0.2, 0.5, 0.3])
    weights = split_weights(half)
    for s, a in itertools.product(range(5), range(3)):
        expected = half[a] * half[s - a] if 0 <= s - a <= 2 else 0.0
        assert weights[s, a] == expected


@pytest.mark.parametrize("slices", [1, 3, 8, 12])
def test_inverse_cdf_draws_exactly_what_a_binary_search_finds(slices):
    rng = np.random.default_rng(slices)
    weights = rng.random((6, 40)) * (rng.random((6, 40)) < 0.7)  # zeros among them
    weights[2] = 0.0  # an impossible row, never sampled
    weights[3] = 0.0
    weights[3, 17] = 1.0  # a certain outcome
    weights[4, :30] *= 1e-18  # a long tail of unlikely outcomes
    table = InverseCdf(weights, slices)
    draws = rng.integers(0, 2**64, size=100_000, dtype=np.uint64, endpoint=False)
    draws[:4] = [0, 2**64 - 1, 2**63, 2**11 - 1]  # the ends of [0, 1)
    rows = rng.choice([0, 1, 3, 4, 5], size=draws.size).astype(np.int32)
    got = table.sample(draws, rows)
    cdf = np.cumsum(weights, axis=1)
    with np.errstate(invalid="ignore"):
        cdf = cdf / cdf[:, -1:]
    u = (draws >> np.uint64(11)).astype(np.float64) / 2.0**53
    expected = np.array(
        [np.searchsorted(cdf[r], x, side="right") for r, x in zip(rows, u, strict=True)]
    )
    np.testing.assert_array_equal(got, expected)
    assert np.all(weights[rows, got] > 0)  # never an outcome of weight 0
    assert np.all(got[rows == 3] == 17)
    single = InverseCdf(weights[:1], slices)
    np.testing.assert_array_equal(single.sample_single(draws), table.sample(draws, 0 * rows))


def test_block_size_keeps_the_tables_small():
    assert block_size(12) == 16
    assert block_size(1) == 256
    assert block_size(16) == 16
    assert block_size(17) == 8
    assert block_size(129) == 1
    assert block_size(10**9) == 1


MODEL = BlockModel(np.array([0, 1, 1, 2, 3, 3, 5]), key=42)  # blocks of 32 weeks


def test_a_split_follows_the_conditional_distribution_of_the_halves():
    # P(first half = a | node = s) = p_h(a) p_h(s - a) / p_L(s), against direct sampling
    # of whole blocks of independent weeks, kept when they sum to s.
    rng = np.random.default_rng(3)
    size = MODEL.size
    weeks = rng.choice(np.array([0, 1, 1, 2, 3, 3, 5]), size=(400_000, size))
    totals = weeks.sum(axis=1)
    s = int(np.bincount(totals).argmax())
    direct = weeks[totals == s, : size // 2].sum(axis=1)
    drawn = MODEL.split(0, np.full(40_000, s, np.int32), np.arange(40_000, dtype=np.uint64))
    support = np.arange(s + 1)
    table = np.array(
        [[np.sum(direct == a) for a in support], [np.sum(drawn == a) for a in support]]
    )
    table = table[:, table.sum(axis=0) > 0]
    assert stats.chi2_contingency(table).pvalue > LEVEL
    # The control: the same comparison notices the split of a node of sum s + 2.
    other = MODEL.split(0, np.full(40_000, s + 2, np.int32), np.arange(40_000, dtype=np.uint64))
    control = np.array([np.bincount(direct, minlength=s + 3), np.bincount(other, minlength=s + 3)])
    control = control[:, control.sum(axis=0) > 0]
    assert stats.chi2_contingency(control).pvalue < LEVEL
    # And against the exact conditional probabilities.
    half = MODEL.powers[-2]
    exact = np.array([half[a] * half[s - a] if s - a < half.size else 0 for a in support])
    exact /= exact.sum()
    seen = np.bincount(drawn, minlength=s + 1)
    keep = exact * drawn.size >= 5
    expected = exact[keep] * drawn.size
    observed = seen[keep]
    expected *= observed.sum() / expected.sum()
    assert stats.chisquare(observed, expected).pvalue > LEVEL
    assert np.all(seen[exact == 0] == 0)


def expanded(model: BlockModel, trials: int, block: int = 0) -> tuple[np.ndarray, np.ndarray]:
    ids = np.arange(trials)
    base = model.states(ids, block)
    sums = model.sums(base)
    return model.expand(base, sums), sums


def test_the_weeks_of_a_block_are_independent_draws_from_the_history():
    weeks, sums = expanded(MODEL, 20_000)
    assert weeks.shape == (MODEL.size, 20_000)
    np.testing.assert_array_equal(weeks.sum(axis=0), sums)
    pmf = np.bincount([0, 1, 1, 2, 3, 3, 5], minlength=6) / 7
    for week in (0, 1, MODEL.size // 2, MODEL.size - 1):
        seen = np.bincount(weeks[week], minlength=6)
        assert stats.chisquare(seen[pmf > 0], pmf[pmf > 0] * 20_000).pvalue > LEVEL
        assert np.all(seen[pmf == 0] == 0)
    # Two weeks in the same half and in different halves: independent.
    for first, second in ((0, 1), (3, MODEL.size - 1)):
        pairs = np.bincount(weeks[first] * 6 + weeks[second], minlength=36).reshape(6, 6)
        pairs = pairs[pmf > 0][:, pmf > 0]
        assert stats.chi2_contingency(pairs).pvalue > LEVEL


def test_the_crossing_week_and_the_first_weeks_read_the_same_path():
    trials = 5_000
    weeks, sums = expanded(MODEL, trials, block=7)
    base = MODEL.states(np.arange(trials), 7)
    running = np.cumsum(weeks, axis=0)
    rng = np.random.default_rng(9)
    positive = sums > 0
    need = np.where(positive, 1 + (rng.random(trials) * np.maximum(sums, 1)).astype(int), 0)
    crossing = MODEL.crossing_week(base[positive], sums[positive], need[positive])
    expected = (running[:, positive] < need[positive]).sum(axis=0) + 1
    np.testing.assert_array_equal(crossing, expected)
    for count in (0, 1, 5, MODEL.size // 2, MODEL.size - 1, MODEL.size):
        within = MODEL.first_weeks(base, sums, count)
        np.testing.assert_array_equal(within, weeks[:count].sum(axis=0))


def test_the_crossing_week_agrees_with_direct_sampling():
    # The week in which a block's running sum reaches `need`, given the block's sum,
    # against blocks of independent weeks sampled directly and kept when they sum to s.
    rng = np.random.default_rng(11)
    size = MODEL.size
    weeks = rng.choice(np.array([0, 1, 1, 2, 3, 3, 5]), size=(400_000, size))
    totals = weeks.sum(axis=1)
    s = int(np.bincount(totals).argmax())
    need = s // 3
    kept = weeks[totals == s]
    direct = (np.cumsum(kept, axis=1) < need).sum(axis=1) + 1
    n = 30_000
    drawn = MODEL.crossing_week(MODEL.states(np.arange(n), 0), np.full(n, s), np.full(n, need))
    table = np.array(
        [np.bincount(direct, minlength=size + 1), np.bincount(drawn, minlength=size + 1)]
    )
    table = table[:, table.sum(axis=0) > 0]
    assert stats.chi2_contingency(table).pvalue > LEVEL
