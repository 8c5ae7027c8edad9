"""The vectorized simulation: sampled weeks of throughput, and when a scope is reached.

Each trial replays the future as a sequence of weeks, each week's throughput drawn with
replacement from the history (weeks with zero throughput included). The weeks are not
drawn one by one: `blocks.BlockModel` draws the throughput of blocks of B weeks at once
from the exact distribution of a sum of B weeks, and the weeks inside a block only where
they are needed, by halving the block's sum along its exact conditional distribution
(see `blocks` for why this draws exactly the same thing as B separate weeks).

- `weeks_to_reach`: the blocks' cumulative sums say in which block each trial reaches its
  scope; the week within that block is found by log2(B) halvings.
- `done_within_by_threshold` (a queue): every week of the blocks up to the last
  threshold; per week, how many trials have reached how many thresholds.
- `items_within`: the whole blocks before the date, plus the first weeks of the next.

Every draw's uniform is a function of the seed, the trial, the block and the node of
the halving tree only. So a trial's weeks never depend on the scope, on the question or
on other trials, and the same seed gives the same weeks to every question asked of it:
a larger scope is never done sooner, trial by trial; queue position k agrees exactly
with a completion forecast for the cumulative size; and "items by date" agrees with
"probability by date".

The scope draws (range, split, risks) and the throughput come from independent streams
of one `numpy.random.SeedSequence`, for the same reason.

Arrays of one value per trial or per draw are kept under 128 KB (`ROUND_DRAWS`,
`BLOCK_TRIALS`, `QUEUE_TRIALS`): the C allocator serves larger ones with fresh memory
from the system, a page fault per 4 KB, which costs more than the arithmetic on them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from pilothouse.engines.forecasting.blocks import BlockModel
from pilothouse.engines.forecasting.checks import HORIZON_WEEKS
from pilothouse.engines.forecasting.results import Risk

NOT_DONE = HORIZON_WEEKS + 1  # the week count of a trial not done within the horizon
# A product of floats like 10 * 1.1 lands a hair above 11; rounding up must not make 12.
ROUNDING_SLACK = 1e-9
# Trials simulated at a time: bounded memory for a million trials, and arrays of one
# value per trial (8 bytes) under 128 KB. The draws do not depend on it.
BLOCK_TRIALS = 15_000
# Block sums drawn in one round at most (blocks x trials, 8 bytes each: under 128 KB).
ROUND_DRAWS = 15_000
# How far past its expected crossing a round draws, in standard deviations of the sum.
ROUND_MARGIN = 4.0
# Trials of a queue at a time: every week of a block of them (32-bit) under 128 KB.
QUEUE_TRIALS = 1_900
# A queue's threshold lookup table (4 bytes an item, under 128 KB) is used up to this
# many items (else a search).
LOOKUP_ITEMS = 30_000

_SCOPE_STREAM = 0
_THROUGHPUT_STREAM = 1


class Draws:
    """The sampled future weeks of `trials` trials for one seed (None: fresh entropy).

    `lane` numbers teams simulated side by side from one seed (`for_lane`): lane 0 draws
    what a single forecast draws, each other lane its own independent streams."""

    def __init__(
        self, *, history: np.ndarray, trials: int, seed: int | None, lane: int = 0
    ) -> None:
        self.history = history
        self.trials = trials
        self.entropy = np.random.SeedSequence(seed).entropy
        self.lane = lane
        self._model: BlockModel | None = None

    def for_lane(self, *, history: np.ndarray, lane: int) -> Draws:
        """Another team's draws from the same seed (or the same fresh entropy)."""
        # A SeedSequence of an entropy has that entropy: every lane shares it.
        return Draws(history=history, trials=self.trials, seed=self.entropy, lane=lane)

    def _sequence(self, stream: int) -> np.random.SeedSequence:
        key = (stream,) if self.lane == 0 else (stream, self.lane)
        return np.random.SeedSequence(self.entropy, spawn_key=key)

    def generator(self, stream: int) -> np.random.Generator:
        return np.random.default_rng(self._sequence(stream))

    def scope_generator(self) -> np.random.Generator:
        return self.generator(_SCOPE_STREAM)

    @property
    def model(self) -> BlockModel:
        if self._model is None:
            sequence = self._sequence(_THROUGHPUT_STREAM)
            key = int(sequence.generate_state(1, np.uint64)[0])
            self._model = BlockModel(self.history, key)
        return self._model

    @property
    def horizon_blocks(self) -> int:
        return -(-HORIZON_WEEKS // self.model.size)

    def chunks(self) -> list[np.ndarray]:
        """The trials' numbers, BLOCK_TRIALS at a time."""
        return [
            np.arange(first, min(first + BLOCK_TRIALS, self.trials), dtype=np.int64)
            for first in range(0, self.trials, BLOCK_TRIALS)
        ]

    def reduced(self, items: np.ndarray) -> np.ndarray:
        """Items in the model's unit (the history's greatest common divisor), rounded
        up: a sum of weeks, a multiple of the unit, reaches n items exactly when it
        reaches ceil(n / unit) units."""
        return -(-items // self.model.unit)


def draw_scopes(
    *,
    draws: Draws,
    low: int,
    high: int,
    split: tuple[float, float] | None,
    risks: Sequence[Risk],
) -> np.ndarray:
    """Each trial's scope: uniform over the integers [low, high], times a split factor
    uniform over [split low, split high] rounded up, plus each risk that fires.

    Every draw is made whatever its parameters (a range of one value, a probability of
    0), so changing one parameter leaves the others' draws as they were."""
    rng = draws.scope_generator()
    trials = draws.trials
    scopes = rng.integers(low, high, size=trials, endpoint=True, dtype=np.int64)
    if split is None:  # the factors' draws skipped, not made (one 64-bit output each)
        rng.bit_generator.advance(trials)
    else:
        factors = rng.uniform(*split, size=trials)
        scopes = np.ceil(scopes * factors - ROUNDING_SLACK).astype(np.int64)
    for risk in risks:
        fires = rng.random(trials) < risk.probability
        extra = rng.integers(risk.extra_low, risk.extra_high, size=trials, endpoint=True)
        scopes += np.where(fires, extra, 0)
    return scopes


def blocks_to_cover(model: BlockModel, units: int) -> int:
    """How many blocks reach `units` in all but about one trial in 30,000: the smallest K
    with K x mean - ROUND_MARGIN x sd x sqrt(K) >= units (the normal approximation of a
    sum of K blocks). Only how many blocks a round draws depends on it, not what is drawn."""
    tables = model.tables
    margin = ROUND_MARGIN * tables.block_spread
    root = (margin + math.sqrt(margin * margin + 4 * tables.block_mean * units)) / (
        2 * tables.block_mean
    )
    return max(1, math.ceil(root * root))


def _crossings(draws: Draws, trials: np.ndarray, need: np.ndarray, *, keep: bool = False):
    """For trials needing `need` (> 0) units: the block in which each reaches it, that
    block's sum and what it still needed at its start (units). Trials that do not reach
    it within the horizon get block -1. With `keep`, also every block drawn up to the
    crossing one, ordered by block: trial, block, sum and units still needed at its
    start.

    In rounds over the trials still going: a round draws one block each, or, for fewer
    trials, as many blocks as should see nearly all of them reach their need
    (`blocks_to_cover`), within ROUND_DRAWS block sums."""
    model = draws.model
    size = trials.size
    block = np.full(size, -1, dtype=np.int64)
    block_sum = np.zeros(size, dtype=np.int64)
    short = np.zeros(size, dtype=np.int64)
    kept: list[list[np.ndarray]] = [[], [], [], []]
    active = np.arange(size)
    left = need.astype(np.int64)  # units still needed
    base = model.states(trials, 0)
    # Before this block no trial can reach its need (a block adds size x largest at most).
    quiet = (int(left.min()) - 1) // (model.size * model.largest)
    first, horizon = 0, draws.horizon_blocks
    while active.size and first < horizon:
        count = min(horizon - first, max(1, ROUND_DRAWS // active.size))
        if count > 1:
            count = min(count, blocks_to_cover(model, int(left.max())))
        sums = model.sums(model.block_states(base, first, count))  # blocks x trials
        # What each still needs after each block of the round, row by row (numpy's
        # accumulations over the rows of a short matrix are slow).
        after = np.empty(sums.shape, dtype=np.int64)
        np.subtract(left, sums[0], out=after[0])
        for row in range(1, count):
            np.subtract(after[row - 1], sums[row], out=after[row])
        if keep:
            _keep(kept, trials.take(active), first, sums, after)
        first += count
        left = after[-1]
        if first <= quiet:
            continue
        at = np.flatnonzero(left <= 0)
        if at.size == 0:
            continue
        passed = np.zeros(at.size, dtype=np.int64)  # blocks of the round before the crossing
        for row in range(count - 1):
            passed += after[row].take(at) > 0
        where = passed * active.size + at  # in the flattened blocks x trials
        crossing = sums.reshape(-1).take(where)
        reached = active.take(at)
        block[reached] = first - count + passed
        block_sum[reached] = crossing
        short[reached] = after.reshape(-1).take(where) + crossing
        going = np.flatnonzero(left > 0)
        active, base, left = active.take(going), base.take(going), left.take(going)
    return block, block_sum, short, [np.concatenate(part) for part in kept] if keep else None


def _keep(kept: list[list[np.ndarray]], ids, first: int, sums, after) -> None:
    """Add the blocks of a round up to each trial's crossing to `kept`: trial, block,
    sum and units still needed at the block's start."""
    count = sums.shape[0]
    drawn = np.ones(sums.shape, dtype=bool)
    if count > 1:  # a block is drawn while the one before left something to do
        np.greater(after[:-1], 0, out=drawn[1:])
        for row in range(2, count):
            drawn[row] &= drawn[row - 1]
    kept[0].append(np.broadcast_to(ids, sums.shape)[drawn])
    kept[1].append(np.broadcast_to(np.arange(first, first + count)[:, None], sums.shape)[drawn])
    kept[2].append(sums[drawn])
    kept[3].append((after + sums)[drawn])


def weeks_to_reach(draws: Draws, scopes: np.ndarray) -> np.ndarray:
    """Per trial, the weeks until its cumulative throughput reaches its scope (0 for a
    scope of 0; NOT_DONE when not within the horizon)."""
    weeks = np.zeros(draws.trials, dtype=np.int64)
    if not scopes.any():
        return weeks
    model = draws.model
    need_all = draws.reduced(scopes)
    for trials in draws.chunks():
        need = need_all[trials]
        going = np.flatnonzero(need > 0)
        if going.size == 0:  # nothing left in this chunk's trials: 0 weeks
            continue
        ids = trials[going]
        block, block_sum, short, _ = _crossings(draws, ids, need[going])
        result = np.full(ids.size, NOT_DONE, dtype=np.int64)
        hit = np.flatnonzero(block >= 0)
        inside = model.crossing_week(model.states(ids[hit], block[hit]), block_sum[hit], short[hit])
        result[hit] = block[hit] * model.size + inside
        result[result > HORIZON_WEEKS] = NOT_DONE
        weeks[ids] = result
    return weeks


def done_within_by_threshold(draws: Draws, thresholds: np.ndarray) -> np.ndarray:
    """For thresholds (items, non-decreasing): done[w, k], how many trials' cumulative
    throughput reaches threshold k within w weeks, for w = 0 .. W (every trial reaches
    the last threshold within W weeks, or W is the horizon).

    Every week of the blocks up to the last threshold is drawn, a block number at a
    time; each week's running total is mapped to how many thresholds it has reached,
    and one bincount per block counts, per week, the trials that reached each number.
    A trial whose blocks end has reached every threshold for the weeks after."""
    positions = thresholds.size
    units = draws.reduced(thresholds.astype(np.int64))
    total = int(units[-1])
    trials = draws.trials
    at_start = int(np.searchsorted(units, 0, side="right"))  # thresholds of 0 items
    start = np.where(np.arange(positions) < at_start, trials, 0)[None, :]
    if total == 0:
        return start
    model = draws.model
    size = model.size
    if total <= LOOKUP_ITEMS:
        lookup = np.searchsorted(units, np.arange(total + 1), side="right").astype(np.int32)

        def reached(running: np.ndarray) -> np.ndarray:
            return lookup.take(np.minimum(running, total))

    else:

        def reached(running: np.ndarray) -> np.ndarray:
            return np.searchsorted(units, running, side="right")

    by_block: list[np.ndarray] = []  # per block: weeks x (thresholds reached 0 .. positions)
    ended = np.zeros(draws.horizon_blocks + 1, dtype=np.int64)  # trials done after block b
    rows = (np.arange(size, dtype=np.int64) * (positions + 1))[:, None]
    for first in range(0, trials, QUEUE_TRIALS):
        ids = np.arange(first, min(first + QUEUE_TRIALS, trials), dtype=np.int64)
        need = np.full(ids.size, total, dtype=np.int64)
        _, _, _, kept = _crossings(draws, ids, need, keep=True)
        owner, block, sums, left = kept
        bounds = np.searchsorted(block, np.arange(int(block[-1]) + 2))
        for number in range(int(block[-1]) + 1):
            part = slice(bounds[number], bounds[number + 1])
            running = model.expand(model.states(owner[part], number), sums[part])
            running[0] += (total - left[part]).astype(np.int32)
            for week in range(1, size):  # row by row: numpy's cumsum over rows is slow
                running[week] += running[week - 1]
            counts = np.zeros(size * (positions + 1), dtype=np.int64)
            step = max(1, ROUND_DRAWS // running.shape[1])  # weeks per bincount: under 128 KB
            for week in range(0, size, step):
                keys = reached(running[week : week + step]) + rows[week : week + step]
                counts += np.bincount(keys.reshape(-1), minlength=counts.size)
            if number == len(by_block):
                by_block.append(counts)
            else:
                by_block[number] += counts
            ended[number] += (bounds[number + 1] - bounds[number]) - (
                bounds[number + 2] - bounds[number + 1] if number + 2 < bounds.size else 0
            )
    weeks = min(len(by_block) * size, HORIZON_WEEKS)
    reached_by = np.concatenate(by_block).reshape(-1, positions + 1)[:weeks]
    # done[w, k] = trials with more than k thresholds reached at week w, plus those done
    # in earlier blocks.
    beyond = np.cumsum(reached_by[:, :0:-1], axis=1)[:, ::-1]
    beyond += np.repeat(np.cumsum(ended)[: len(by_block)] - ended[: len(by_block)], size)[
        :weeks, None
    ]
    return np.concatenate([start, beyond])


def items_within(draws: Draws, weeks: int) -> np.ndarray:
    """Per trial, the items completed in its first `weeks` sampled weeks."""
    items = np.zeros(draws.trials, dtype=np.int64)
    if weeks == 0:
        return items
    model = draws.model
    whole, part = divmod(weeks, model.size)
    for trials in draws.chunks():
        total = np.zeros(trials.size, dtype=np.int64)
        base = model.states(trials, 0)
        for number in range(whole):
            total += model.sums(model.block_states(base, number, 1))[0]
        if part:
            states = model.block_states(base, whole, 1)[0]
            total += model.first_weeks(states, model.sums(states), part)
        items[trials] = total * model.unit
    return items
