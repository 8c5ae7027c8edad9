"""The vectorized simulation: sampled weeks of throughput, and when a scope is reached.

Each trial replays the future as a sequence of weeks, each week's throughput drawn with
replacement from the history (weeks with zero throughput included). The weeks are not
drawn one by one: `blocks.BlockModel` draws the throughput of blocks of B weeks at once
from the exact distribution of a sum of B weeks, and the weeks inside a block only where
they are needed, by halving the block's sum along its exact conditional distribution
(see `blocks` for why this draws exactly the same thing as B separate weeks).

- `weeks_to_reach`: the blocks' cumulative sums say in which block each trial reaches its
  scope; the week within that block is found by log2(B) halvings.
- `weeks_to_thresholds` (a queue): every week of the blocks up to the last threshold,
  then how many of a trial's states (0 items done, then the end of each week) lie below
  each threshold.
- `items_within`: the whole blocks before the date, plus the first weeks of the next.

Every draw's uniform is a function of the seed, the trial, the block and the node of
the halving tree only. So a trial's weeks never depend on the scope, on the question or
on other trials, and the same seed gives the same weeks to every question asked of it:
a larger scope is never done sooner, trial by trial; queue position k agrees exactly
with a completion forecast for the cumulative size; and "items by date" agrees with
"probability by date".

The scope draws (range, split, risks) and the throughput come from independent streams
of one `numpy.random.SeedSequence`, for the same reason.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from pilothouse.engines.forecasting.blocks import BlockModel
from pilothouse.engines.forecasting.checks import HORIZON_WEEKS
from pilothouse.engines.forecasting.results import Risk

NOT_DONE = HORIZON_WEEKS + 1  # the week count of a trial not done within the horizon
# A product of floats like 10 * 1.1 lands a hair above 11; rounding up must not make 12.
ROUNDING_SLACK = 1e-9
# Trials are simulated this many at a time: bounded memory for a million trials, and
# arrays of one value per trial (8 bytes) under 128 KB, which the C allocator serves
# from memory it already has. The draws do not depend on it.
BLOCK_TRIALS = 15_000
# Trials of a queue at a time: their weekly states stay within the processor's caches.
QUEUE_TRIALS = 2048
# A queue's threshold lookup table is used up to this many items (else a search).
LOOKUP_ITEMS = 1 << 22

_SCOPE_STREAM = 0
_THROUGHPUT_STREAM = 1


class Draws:
    """The sampled future weeks of `trials` trials for one seed (None: fresh entropy)."""

    def __init__(self, *, history: np.ndarray, trials: int, seed: int | None) -> None:
        self.history = history
        self.trials = trials
        self.entropy = np.random.SeedSequence(seed).entropy
        self._model: BlockModel | None = None

    def generator(self, stream: int) -> np.random.Generator:
        sequence = np.random.SeedSequence(self.entropy, spawn_key=(stream,))
        return np.random.default_rng(sequence)

    def scope_generator(self) -> np.random.Generator:
        return self.generator(_SCOPE_STREAM)

    @property
    def model(self) -> BlockModel:
        if self._model is None:
            sequence = np.random.SeedSequence(self.entropy, spawn_key=(_THROUGHPUT_STREAM,))
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
    factors = rng.uniform(*(split or (1.0, 1.0)), size=trials)
    if split is not None:
        scopes = np.ceil(scopes * factors - ROUNDING_SLACK).astype(np.int64)
    for risk in risks:
        fires = rng.random(trials) < risk.probability
        extra = rng.integers(risk.extra_low, risk.extra_high, size=trials, endpoint=True)
        scopes += np.where(fires, extra, 0)
    return scopes


def _crossings(draws: Draws, trials: np.ndarray, need: np.ndarray, *, keep: bool = False):
    """For trials needing `need` (> 0) units: the block in which each reaches it, that
    block's sum and what it still needed at its start (units). Trials that do not reach
    it within the horizon get block -1. With `keep`, also every block drawn (up to the
    crossing one), as lists of trial, block, sum and sum before it.

    One block at a time for the trials still going: arrays of one value per trial stay
    small (see BLOCK_TRIALS), and no block is drawn past a trial's crossing."""
    model = draws.model
    size = trials.size
    block = np.full(size, -1, dtype=np.int64)
    block_sum = np.zeros(size, dtype=np.int64)
    short = np.zeros(size, dtype=np.int64)
    kept: list[list[np.ndarray]] = [[], [], [], []]
    active = np.arange(size)
    ids, goal = trials, need
    done = np.zeros(size, dtype=np.int64)
    # Blocks before this one cannot reach the smallest goal (each adds at most
    # size x largest units): no need to look.
    first_possible = (int(need.min()) - 1) // (model.size * model.largest)
    for number in range(draws.horizon_blocks):
        if active.size == 0:
            break
        sums = model.sums(model.states(ids, number))
        if keep:
            for part, values in zip(
                kept, (ids, np.full(ids.size, number), sums, done), strict=True
            ):
                part.append(values)
        done = done + sums
        if number < first_possible:
            continue
        hit = done >= goal
        if not hit.any():
            continue
        at = np.flatnonzero(hit)
        reached = active[at]
        block[reached] = number
        crossing = sums[at]
        block_sum[reached] = crossing
        short[reached] = goal[at] - done[at] + crossing
        going = np.flatnonzero(~hit)
        active, ids, goal, done = active[going], ids[going], goal[going], done[going]
    return block, block_sum, short, [np.concatenate(part) for part in kept] if keep else None


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


def weeks_to_thresholds(draws: Draws, thresholds: np.ndarray) -> np.ndarray:
    """Per threshold (non-decreasing) and trial, the weeks until the cumulative
    throughput reaches it: a thresholds x trials matrix, NOT_DONE beyond the horizon.

    Threshold k's weeks are the number of a trial's states (0 items done, then the end
    of each week up to the horizon) below it: every week of the blocks up to the last
    threshold is drawn, each state is mapped to how many thresholds it has reached, and
    one bincount per chunk of trials counts, per threshold, the states that had reached
    it or fewer. A threshold not reached within the horizon counts all HORIZON_WEEKS + 1
    states: NOT_DONE."""
    positions = thresholds.size
    weeks = np.zeros((positions, draws.trials), dtype=np.int64)
    units = draws.reduced(thresholds.astype(np.int64))
    total = int(units[-1])
    if total == 0:
        return weeks
    model = draws.model
    at_start = int(np.searchsorted(units, 0, side="right"))  # thresholds of 0 items
    if total <= LOOKUP_ITEMS:
        lookup = np.searchsorted(units, np.arange(total + 1), side="right")

        def reached(states: np.ndarray) -> np.ndarray:
            return lookup[np.minimum(states, total)]

    else:

        def reached(states: np.ndarray) -> np.ndarray:
            return np.searchsorted(units, states, side="right")

    step = max(1, min(QUEUE_TRIALS, (1 << 22) // (positions + 1)))
    for first in range(0, draws.trials, step):
        trials = np.arange(first, min(first + step, draws.trials), dtype=np.int64)
        size = trials.size
        _, _, _, kept = _crossings(draws, trials, np.full(size, total, dtype=np.int64), keep=True)
        owner, block, sums, before = kept
        states = model.expand(model.states(owner, block), sums).astype(np.int64)
        for week in range(1, model.size):  # running sums over the weeks (rows)
            states[week] += states[week - 1]
        states += before
        keys = reached(states)
        keys *= size
        keys += owner - first
        if (block.max() + 1) * model.size > HORIZON_WEEKS:
            weeks_of = block * model.size + np.arange(1, model.size + 1)[:, None]
            keys = keys[weeks_of <= HORIZON_WEEKS]
        counts = np.bincount(keys.ravel(), minlength=(positions + 1) * size)
        counts = counts.reshape(positions + 1, size)
        counts[at_start] += 1  # the start, 0 items done
        weeks[:, first : first + size] = counts[:positions]
    for position in range(1, positions):  # row by row: numpy's cumsum over rows is slow
        weeks[position] += weeks[position - 1]
    return weeks


def items_within(draws: Draws, weeks: int) -> np.ndarray:
    """Per trial, the items completed in its first `weeks` sampled weeks."""
    items = np.zeros(draws.trials, dtype=np.int64)
    if weeks == 0:
        return items
    model = draws.model
    whole, part = divmod(weeks, model.size)
    for trials in draws.chunks():
        total = np.zeros(trials.size, dtype=np.int64)
        numbers = np.arange(whole + (part > 0), dtype=np.int64)
        sums = model.sums(model.states(trials[None, :], numbers[:, None]))
        total += sums[:whole].sum(axis=0)
        if part:
            total += model.first_weeks(model.states(trials, whole), sums[whole], part)
        items[trials] = total * model.unit
    return items
