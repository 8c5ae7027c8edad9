"""Exact sampling of weekly throughput a block of weeks at a time.

A trial's future is a sequence of weeks, each week's throughput drawn independently
and with replacement from the history. Drawing every week of every trial costs one
draw per week; this module draws the same thing with far fewer draws:

1. **Block sums.** The weeks are grouped in blocks of `size` (a power of two) weeks.
   The sum of a block of L independent weeks has the L-fold convolution of the
   history's distribution, p_L = p * ... * p (computed by repeated squaring, exactly
   up to floating-point rounding: every term is non-negative, so nothing cancels and
   an impossible sum stays exactly 0). One draw by inversion of p_B's CDF gives the
   throughput of a whole block.
2. **Bridges.** The weeks inside a block come from its sum, split in halves: given that
   L weeks sum to s, the first L/2 weeks sum to a with probability

       P(S_{L/2} = a | S_L = s) = p_{L/2}(a) p_{L/2}(s - a) / p_L(s)

   (the two halves are independent with distribution p_{L/2} each; this is Bayes'
   rule). The halves are split the same way, down to single weeks. The weeks so
   obtained have exactly the joint distribution of B independent draws: the block
   sum has their sum's distribution, and each split draws from the true conditional
   distribution of the halves given everything drawn before.

Nothing requires the whole path: the week in which a trial reaches its scope is found
by descending from the block's sum into the half that contains it, log2(B) draws
instead of B; items by a date need the sum of a block's first weeks, the same descent.

**One path per trial.** The uniform of each draw is a function of the seed, the trial,
the block and the node of the halving tree only (`BlockModel.states`), never of which
question is being answered nor of which draws came before. A node's sum depends
only on its ancestors' draws, so every descent that reaches a node sees the same sum
and the same split: each trial has one path of weeks, whichever parts of it are looked
at, and every question asked with one seed reads the same weeks.

The uniforms are outputs of SplitMix64 (Steele, Lea and Flood, 2014), a counter-based
generator that passes BigCrush: output number n of the stream keyed by k is
mix(k + (n + 1) * 0x9E3779B97F4A7C15). numpy evaluates it for just the counters needed.

**Speed.** Every draw is one inversion of a discrete CDF, thousands of them per numpy
call: the work per draw is a few array operations (`InverseCdf.sample`). The tables of
the split distributions are computed only for the node sums that draws reach
(`RowsOnDemand`), since most of a wide table is never used by a forecast, and the
tables of a distribution of weeks do not depend on the seed: the last few are kept
(`tables_for`), so every forecast from one team's history shares them.

Histories are first divided by the greatest common divisor of their weeks (5, 10, 15
becomes 1, 2, 3; a scope of R items becomes ceil(R / 5)): the same weeks, a smaller
support. When the largest reduced week is too large for small tables, the block is one
week and the draws are the history's weeks themselves (block sums of one week, no
bridge).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

import numpy as np

# Largest support of a block sum, size x largest reduced week: tables of a few 10^4
# entries, built in a fraction of a millisecond.
SUPPORT = 256
MAX_BLOCK = 256
# A draw's counter: trial << 20 | block << 9 | node of the halving tree (node 0: the
# block's sum; nodes 1 .. size - 1 below 2**9; blocks, 1,040 at most, below 2**11).
TRIAL_SHIFT = 20
BLOCK_SHIFT = 9
# Slots of the guide table of the block sums: one row, so a fine one costs little.
SUM_SLICES = 12
# Blocks expanded at a time (every week of them): arrays of some 10^4 values.
EXPAND_BLOCKS = 2048
# Distributions of weeks whose tables are kept (under 1 MB each).
TABLES_KEPT = 16
# Slots of a split table (8 bytes each in its largest arrays) up to which it gets its
# full number per row: arrays over 128 KB come from the system, a page fault per 4 KB.
TABLE_SLOTS = 8_192

GAMMA = 0x9E3779B97F4A7C15
_MASK = 2**64 - 1
_MIX_1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX_2 = np.uint64(0x94D049BB133111EB)
_SHIFTS = (np.uint64(30), np.uint64(27), np.uint64(31))
_BITS = 53  # the precision of a uniform, as in a float64
_TO_BITS = np.uint64(64 - _BITS)
# The cdf steps of row r are stored as r x (2**53 + 1) + step: one sorted array for all
# rows (fewer than 2**10 rows: about 2 x SUPPORT at most).
_ROW_STEP = (1 << _BITS) + 1


def mix(states: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """SplitMix64's output function of `states` (uint64), into `out` (which may be
    `states` itself) or a new array."""
    t = states >> _SHIFTS[0]
    z = np.bitwise_xor(states, t, out=out)
    z *= _MIX_1
    np.right_shift(z, _SHIFTS[1], out=t)
    z ^= t
    z *= _MIX_2
    np.right_shift(z, _SHIFTS[2], out=t)
    z ^= t
    return z


def splitmix64(counters: np.ndarray, key: int) -> np.ndarray:
    """Output number `counters` (from 0) of the SplitMix64 stream seeded with `key`: its
    state then is key + (counter + 1) x GAMMA."""
    states = np.multiply(np.asarray(counters, dtype=np.uint64), np.uint64(GAMMA))
    states += np.uint64((key + GAMMA) & _MASK)
    return mix(states, out=states)


class InverseCdf:
    """Rows of discrete distributions over 0 .. width - 1, sampled by inversion: with
    the uniform u = bits / 2**53 (the top 53 bits of a 64-bit draw), the outcome in row r
    is the smallest i with cdf[r, i] > u, what a binary search would find.

    The cdf is kept as integers, steps = ceil(cdf x 2**53), so that comparisons with the
    bits are exact. A guide table (Chen and Asau, 1974) cuts each row's [0, 1) into
    2**slices equal slots by the draw's top bits. A slot holds the outcome at its start,
    the step at which the outcome next changes (`threshold`) and the outcome from there
    on: a draw is the second if its bits reach the threshold, else the first, which is
    exact whenever the cdf changes at most once inside the slot (a threshold past the
    slot's end: the first throughout). The few slots in which it changes more often
    (the tails, where many unlikely outcomes share a slot) answer -1, and those draws
    are finished by a binary search over the steps of all rows.

    The rows are numbered from `first_row` (rows outside are never drawn). The outcomes
    are int32, to keep the arrays small: the memory of a new table comes from the
    system, a page fault per 4 KB."""

    def __init__(self, weights: np.ndarray, slices: int, first_row: int = 0) -> None:
        count, width = weights.shape
        self.rows, self.width, self.slices, self.first_row = count, width, slices, first_row
        per_row = 1 << slices
        self._slot_shift = np.uint64(64 - slices)
        cdf = np.cumsum(weights, axis=1)
        total = cdf[:, -1:].copy()
        empty = total[:, 0] <= 0
        if empty.any():  # a row of zeros: an impossible sum, never sampled
            cdf[empty] = total[empty] = 1.0
        cdf /= total
        # Slot b starts at bits b x 2**(53 - slices); outcome i is the first outcome of
        # the slots from ceil(cdf[i - 1] x 2**slices) to ceil(cdf[i] x 2**slices) - 1
        # (exact: the scale is a power of two, and ceil(ceil(y) / m) = ceil(y / m)).
        starts = np.ceil(cdf * float(per_row)).astype(np.intp)
        runs = np.empty_like(starts)
        runs[:, 0] = starts[:, 0]
        np.subtract(starts[:, 1:], starts[:, :-1], out=runs[:, 1:])
        first_outcome = np.repeat(np.arange(count * width), runs.reshape(-1))
        cdf *= 2.0**_BITS  # exact: a power-of-two scale
        np.ceil(cdf, out=cdf)
        steps = cdf.astype(np.int64).reshape(-1)
        # Row r's steps are kept as r x (2**53 + 1) + step: one sorted array for all rows.
        self.steps = keyed = steps + np.repeat(np.arange(count) * _ROW_STEP, width)
        self.threshold = threshold = steps.take(first_outcome)
        row_offset = np.repeat(np.arange(count) * width, per_row)
        # Slot k's outcomes are outcomes[2k] (below its threshold) and outcomes[2k + 1].
        pairs = np.empty((count * per_row, 2), dtype=np.int32)
        np.subtract(first_outcome, row_offset, out=pairs[:, 0])
        pairs[:, 1] = pairs[:, 0]
        # Slots in which the outcome changes: the outcome after the change is the next
        # one with a higher step (outcomes of weight 0 between are skipped).
        ends = np.arange(1, per_row + 1, dtype=np.int64) << (_BITS - slices)
        changes = np.flatnonzero(threshold.reshape(count, per_row) < ends)
        after = np.searchsorted(keyed, keyed.take(first_outcome.take(changes)), side="right")
        pairs[changes, 1] = after - row_offset.take(changes)
        more = changes[steps.take(after) < ends.take(changes & (per_row - 1))]
        pairs[more] = -1  # every draw of the slot: -1, to be searched
        self.searches = more.size > 0
        self.outcomes = pairs.reshape(-1)

    def _search(self, outcome: np.ndarray, bits: np.ndarray, rows: np.ndarray | None) -> None:
        """Finish the draws whose slot holds more than one change of the cdf."""
        if not self.searches:
            return
        open_draws = np.flatnonzero(outcome < 0)
        if open_draws.size == 0:
            return
        query = bits.take(open_draws)
        if rows is None:
            outcome[open_draws] = np.searchsorted(self.steps, query, side="right")
            return
        row = rows.take(open_draws).astype(np.int64) - self.first_row
        query += row * _ROW_STEP
        outcome[open_draws] = np.searchsorted(self.steps, query, side="right") - row * self.width

    def sample_single(self, draws: np.ndarray) -> np.ndarray:
        """The outcome (int32) of each 64-bit draw (uint64), for a table of one row."""
        slot = (draws >> self._slot_shift).view(np.int64)
        return self._outcome(draws, slot, None)

    def sample(self, draws: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """The outcome (int32) of each 64-bit draw (uint64) in its row."""
        slot = (draws >> self._slot_shift).view(np.int64)
        slot += (rows - self.first_row) << self.slices
        return self._outcome(draws, slot, rows)

    def _outcome(self, draws: np.ndarray, slot: np.ndarray, rows: np.ndarray | None):
        bits = (draws >> _TO_BITS).view(np.int64)
        reached = bits >= self.threshold.take(slot)
        slot <<= 1  # the slot's pair of outcomes, and the one the bits reached
        slot += reached
        outcome = self.outcomes.take(slot)
        self._search(outcome, bits, rows)
        return outcome


class RowsOnDemand:
    """Rows of distributions sampled like an InverseCdf, computed when draws first need
    them (`prepare`): the table costs what the draws use, not what the rows could be.
    The computed rows are one range, grown to cover each new demand (the node sums drawn
    cluster around their mean, so the range is about what is used); a small table is
    computed whole at once. `weights_of(start, stop)` gives the weights of rows start ..
    stop - 1, of `rows` in all."""

    def __init__(
        self, weights_of: Callable[[int, int], np.ndarray], rows: int, slices: int
    ) -> None:
        self._weights_of = weights_of
        self.rows, self.slices = rows, slices
        self.table: InverseCdf | None = None
        self._whole = rows << slices <= TABLE_SLOTS

    def prepare(self, rows: np.ndarray) -> InverseCdf:
        """A table in which the rows from the least to the greatest of `rows` are
        computed (kept for the next demand; one computed by another thread meanwhile
        may not cover these rows, so sample with the one returned)."""
        table = self.table
        if table is not None and table.rows == self.rows:
            return table
        if self._whole:
            start, stop = 0, self.rows
        elif rows.size == 0:
            return table or InverseCdf(np.ones((1, 1)), 1)
        else:
            start, stop = int(rows.min()), int(rows.max()) + 1
        if table is not None:
            if table.first_row <= start and stop <= table.first_row + table.rows:
                return table
            start = min(start, table.first_row)
            stop = max(stop, table.first_row + table.rows)
        # Fewer slots for many rows: the table's arrays stay under 128 KB while they can.
        slices = self.slices
        while slices > 4 and (stop - start) << slices > TABLE_SLOTS:
            slices -= 1
        self.table = table = InverseCdf(self._weights_of(start, stop), slices, start)
        return table


def block_size(largest: int) -> int:
    """The largest power of two B (at most MAX_BLOCK) with B x largest <= SUPPORT."""
    size = 1
    while size * 2 <= MAX_BLOCK and size * 2 * largest <= SUPPORT:
        size *= 2
    return size


def split_slices(width: int) -> int:
    """Slots per row of a split table (as a power of two): two to four times the
    outcomes for narrow rows, whose outcomes have unequal chances, at least twice for
    wide ones; few draws then fall in a slot with more than one change of the cdf."""
    bits = max(width - 1, 1).bit_length()
    return bits + (2 if width <= 64 else 1)


def sum_distributions(pmf: np.ndarray, levels: int) -> list[np.ndarray]:
    """The distributions of the sum of 1, 2, 4, ... 2**levels independent weeks of
    distribution `pmf` (over 0 .. len - 1), by repeated squaring: p_2L = p_L * p_L."""
    powers = [pmf]
    for _ in range(levels):
        powers.append(np.convolve(powers[-1], powers[-1]))
    return powers


def _windows(half: np.ndarray) -> np.ndarray:
    """windows[s][a] = half[s - a] (0 outside), s in 0 .. 2n - 2, a in 0 .. n - 1 (a view)."""
    n = half.size
    padded = np.zeros(3 * n - 2)
    padded[n - 1 : 2 * n - 1] = half[::-1]
    # window[j][a] = padded[j + a], and padded[2n - 2 - s + a] = half[s - a]: the rows
    # in reverse order, each a window of n values.
    step = padded.strides[0]
    return np.lib.stride_tricks.as_strided(
        padded[2 * n - 2 :], shape=(2 * n - 1, n), strides=(-step, step), writeable=False
    )


def split_weights(half: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """weights[s, a] = half[a] x half[s - a] (0 outside): for a node whose halves each
    have the distribution `half` (over 0 .. n - 1), the chance that the node's sum is s
    (0 .. 2n - 2) and its first half's a."""
    return np.multiply(_windows(half), half[None, :], out=out)


def split_table(half: np.ndarray) -> RowsOnDemand:
    """The split of nodes whose halves each have the distribution `half`: row s is the
    distribution of the first half's sum given the node's sum s."""
    windows = _windows(half)

    def weights_of(start: int, stop: int) -> np.ndarray:
        return windows[start:stop] * half

    return RowsOnDemand(weights_of, 2 * half.size - 1, split_slices(half.size))


class BlockTables:
    """What the draws need of one distribution of weeks (in units: divided by the
    history's greatest common divisor): the block size, the distribution of block sums
    and the split tables by depth (the block's halves first). None of it depends on the
    seed, so the last few are kept (`tables_for`): every forecast from one team's
    history, for a page or a week, shares them."""

    def __init__(self, values: np.ndarray, counts: np.ndarray) -> None:
        """`values`: the distinct weeks (ascending), `counts`: how many weeks had each."""
        weeks = int(counts.sum())
        self.mean = float(values @ counts) / weeks
        self.spread = math.sqrt(float((values - self.mean) ** 2 @ counts) / weeks)
        self.largest = largest = int(values[-1])
        self.size = block_size(largest)
        self.levels = self.size.bit_length() - 1
        # A block's sum in units: its mean and standard deviation.
        self.block_mean = self.size * self.mean
        self.block_spread = math.sqrt(self.size) * self.spread
        self.splits: list[RowsOnDemand] = []
        self.powers: list[np.ndarray] = []
        if self.size == 1:  # the history's own weeks, by their distinct values
            self.block_values: np.ndarray | None = values.astype(np.int32)
            self.block_sums = InverseCdf(counts[None, :].astype(np.float64), SUM_SLICES)
            return
        pmf = np.zeros(largest + 1)
        pmf[values] = counts / weeks
        self.powers = powers = sum_distributions(pmf, self.levels)
        self.block_values = None  # block sum s is outcome s
        self.block_sums = InverseCdf(powers[-1][None, :], SUM_SLICES)
        self.splits = [split_table(powers[level - 1]) for level in range(self.levels, 0, -1)]


@functools.lru_cache(maxsize=TABLES_KEPT)
def _tables(values: bytes, counts: bytes) -> BlockTables:
    return BlockTables(np.frombuffer(values, dtype=np.int64), np.frombuffer(counts, dtype=np.int64))


def tables_for(weeks: np.ndarray) -> BlockTables:
    """The tables of the distribution of `weeks` (in units), built once for the last
    TABLES_KEPT distributions asked for."""
    values, counts = np.unique(weeks, return_counts=True)
    return _tables(values.astype(np.int64).tobytes(), counts.astype(np.int64).tobytes())


def forget_tables() -> None:
    """Drop the kept tables: the next forecast of each history builds its own."""
    _tables.cache_clear()


class BlockModel:
    """The weeks of one history for one key (seed), drawn by blocks and halvings (see
    the module)."""

    def __init__(self, history: np.ndarray, key: int) -> None:
        self.unit = int(np.gcd.reduce(history))
        self.tables = tables = tables_for(history // self.unit)
        self.size, self.levels, self.largest = tables.size, tables.levels, tables.largest
        self.powers = tables.powers
        # The SplitMix64 state of the draw with counter c is key + (c + 1) x GAMMA.
        self._origin = np.uint64((key + GAMMA) & _MASK)
        self._per_trial = np.uint64((GAMMA << TRIAL_SHIFT) & _MASK)
        self._per_block = np.uint64((GAMMA << BLOCK_SHIFT) & _MASK)
        self._per_node = np.uint64(GAMMA)

    def states(self, trials: np.ndarray, blocks: np.ndarray | int) -> np.ndarray:
        """The generator states of the blocks' sums (node 0), broadcast over trials and
        blocks; node n of a block's tree is state + n x GAMMA."""
        by_trial = np.asarray(trials, dtype=np.uint64) * self._per_trial
        by_block = np.asarray(blocks, dtype=np.uint64) * self._per_block
        by_trial += self._origin
        return by_trial + by_block

    def block_states(self, base: np.ndarray, first: int, count: int) -> np.ndarray:
        """The states of blocks first .. first + count - 1 (rows) of the trials whose
        block 0 has the states `base` (columns)."""
        if count == 1:
            return (base + np.uint64(first * int(self._per_block) & _MASK))[None, :]
        by_block = np.arange(first, first + count, dtype=np.uint64)[:, None] * self._per_block
        return by_block + base

    def sums(self, states: np.ndarray) -> np.ndarray:
        """The blocks' sums (in units, int32) for their states (node 0)."""
        drawn = self.tables.block_sums.sample_single(mix(states.reshape(-1)))
        if self.tables.block_values is not None:
            drawn = self.tables.block_values.take(drawn)
        return drawn.reshape(states.shape)

    def split(self, depth: int, sums: np.ndarray, states: np.ndarray) -> np.ndarray:
        """The first half's sum (int32) of nodes at `depth` (0: the block) with these
        sums and generator states."""
        sums = sums.astype(np.int32, copy=False)
        return self.tables.splits[depth].prepare(sums).sample(mix(states), sums)

    def crossing_week(self, base: np.ndarray, sums: np.ndarray, need: np.ndarray) -> np.ndarray:
        """The week of each block (1 .. size) in which its running sum reaches `need`
        (1 <= need <= the block's sum), for blocks with states `base`."""
        sums = sums.astype(np.int32)
        need = need.astype(np.int32)
        node = np.ones(base.size, dtype=np.int32)  # heap numbers: the block is 1
        for splits in self.tables.splits:
            table = splits.prepare(sums)
            states = node.astype(np.uint64)
            states *= self._per_node
            states += base
            first = table.sample(mix(states, out=states), sums)
            # -1 where the need lies beyond the first half (taken: the second), else 0.
            later = first - need
            later >>= 31
            need -= first & later
            sums -= first
            sums -= first
            sums &= later
            sums += first  # the half taken: sums - first, or first
            node += node
            node -= later
        return node.astype(np.int64) - (self.size - 1)

    def first_weeks(self, base: np.ndarray, sums: np.ndarray, weeks: int) -> np.ndarray:
        """The sum of the first `weeks` weeks (0 <= weeks <= size) of the blocks."""
        total = np.zeros(base.size, dtype=np.int64)
        sums = sums.astype(np.int32)
        node, length, depth = 1, self.size, 0
        while 0 < weeks < length:
            length //= 2
            first = self.split(depth, sums, base + np.uint64(node * GAMMA & _MASK))
            depth += 1
            node *= 2
            if weeks >= length:
                total += first
                weeks -= length
                sums -= first
                node += 1
            else:
                sums = first
        if weeks:  # the whole node
            total += sums
        return total

    def expand(self, base: np.ndarray, sums: np.ndarray) -> np.ndarray:
        """Every week of the blocks: a size x blocks matrix (int32), in order of weeks."""
        weeks = np.empty((self.size, base.size), dtype=np.int32)
        for first in range(0, base.size, EXPAND_BLOCKS):  # a few blocks at a time: in cache
            part = slice(first, first + EXPAND_BLOCKS)
            weeks[:, part] = self._expand(base[part], sums[part])
        return weeks

    def _expand(self, base: np.ndarray, sums: np.ndarray) -> np.ndarray:
        nodes = sums.astype(np.int32)[None, :]
        for depth in range(self.levels):
            width = 1 << depth  # nodes per block at this depth: heap numbers width ..
            ids = np.arange(width, 2 * width, dtype=np.uint64)[:, None] * self._per_node
            states = (base[None, :] + ids).reshape(-1)
            first = self.split(depth, nodes.reshape(-1), states)
            children = np.empty((2 * width, base.size), dtype=np.int32)
            children[0::2] = first.reshape(width, base.size)
            np.subtract(nodes, children[0::2], out=children[1::2])
            nodes = children
        return nodes
