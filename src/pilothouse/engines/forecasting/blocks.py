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

Histories are first divided by the greatest common divisor of their weeks (5, 10, 15
becomes 1, 2, 3; a scope of R items becomes ceil(R / 5)): the same weeks, a smaller
support. When the largest reduced week is too large for small tables, the block is one
week and the draws are the history's weeks themselves (block sums of one week, no
bridge).
"""

from __future__ import annotations

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
# Guide slices of the split tables (2**7: one to three per outcome of the widest).
SPLIT_SLICES = 7
# Blocks expanded at a time (every week of them): arrays of some 10^4 values.
EXPAND_BLOCKS = 4096

GAMMA = 0x9E3779B97F4A7C15
_MASK = 2**64 - 1
_MIX_1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX_2 = np.uint64(0x94D049BB133111EB)
_BITS = 53  # the precision of a uniform, as in a float64
_TO_BITS = np.uint64(64 - _BITS)
# The cdf steps of row r are stored as r x (2**53 + 1) + step: one sorted array for all
# rows (fewer than 2**10 rows: about 2 x SUPPORT at most).
_ROW_STEP = (1 << _BITS) + 1


def mix(states: np.ndarray) -> np.ndarray:
    """SplitMix64's output function, on a copy of `states` (uint64)."""
    z = states >> np.uint64(30)
    z ^= states
    z *= _MIX_1
    t = z >> np.uint64(27)
    z ^= t
    z *= _MIX_2
    np.right_shift(z, np.uint64(31), out=t)
    z ^= t
    return z


def splitmix64(counters: np.ndarray, key: int) -> np.ndarray:
    """Output number `counters` (from 0) of the SplitMix64 stream seeded with `key`: its
    state then is key + (counter + 1) x GAMMA."""
    states = np.multiply(np.asarray(counters, dtype=np.uint64), np.uint64(GAMMA))
    states += np.uint64((key + GAMMA) & _MASK)
    return mix(states)


class InverseCdf:
    """Rows of discrete distributions over 0 .. width - 1, sampled by inversion: with
    the uniform u = bits / 2**53 (the top 53 bits of a 64-bit draw), the outcome in row r
    is the smallest i with cdf[r, i] > u, what a binary search would find.

    The cdf is kept as integers, ceil(cdf x 2**53), so that comparisons with the bits
    are exact. A guide table (Chen and Asau, 1974) cuts [0, 1) into 2**slices equal
    slices by the draw's top bits and gives each slice's first outcome; a slice that may
    hold more than one outcome (one with a step of the cdf inside or at its end) is
    stored as ~i = -1 - i, and its draws are finished by comparing with the steps."""

    def __init__(self, weights: np.ndarray, slices: int, numbers: np.ndarray | None = None) -> None:
        rows, width = weights.shape
        self.rows, self.width, self.slices = rows, width, slices
        self._slice_shift = np.uint64(64 - slices)
        self._stride = stride = (1 << slices) + 1  # one more entry per row: see below
        cdf = np.cumsum(weights, axis=1)
        total = cdf[:, -1:].copy()
        empty = total[:, 0] <= 0
        if empty.any():  # a row of zeros: an impossible sum, never sampled
            cdf[empty] = total[empty] = 1.0
        cdf /= total
        # starts[i] = ceil(cdf[i] x 2**slices): the slices that begin below cdf[i], so
        # slice b's first outcome i has starts[i - 1] <= b < starts[i]. The extra entry
        # at the end of each row is the last outcome.
        starts = np.ceil(cdf * float(1 << slices)).astype(np.int32)
        runs = np.empty_like(starts)
        runs[:, 0] = starts[:, 0]
        np.subtract(starts[:, 1:], starts[:, :-1], out=runs[:, 1:])
        runs[:, -1] += 1
        outcomes = np.broadcast_to(np.arange(width, dtype=np.int32), (rows, width))
        guide = np.repeat(outcomes.reshape(-1), runs.reshape(-1))
        # The slice in which each step of the cdf falls (or ends) may hold two outcomes;
        # in the tails many steps fall in one slice: each slice once.
        starts -= 1
        np.maximum(starts, 0, out=starts)
        starts += (np.arange(rows, dtype=np.int32) * stride)[:, None]
        first = np.empty(starts.shape, dtype=bool)
        first[:, 0] = True
        np.not_equal(starts[:, 1:], starts[:, :-1], out=first[:, 1:])
        unsure = starts[first]
        guide[unsure] = ~guide[unsure]
        self.guide = guide
        cdf *= 2.0**_BITS  # exact: a power-of-two scale
        np.ceil(cdf, out=cdf)
        steps = cdf.astype(np.int64)
        # Row r's steps are kept as r x (2**53 + 1) + step: one sorted array for all.
        if numbers is None:  # the rows' numbers, for the keys of their steps
            numbers = np.arange(rows, dtype=np.int64)
        steps += (numbers.astype(np.int64) * _ROW_STEP)[:, None]
        self.steps = steps.reshape(-1)

    def _finish(self, outcome: np.ndarray, draws: np.ndarray, where: np.ndarray, rows) -> None:
        """Complete the draws whose slice holds a step of the cdf (stored negative). The
        outcome lies between the slice's first outcome and the next slice's: one
        comparison settles it when they are neighbours; a binary search when they are
        not (the slices at the ends of the cdf, where many unlikely outcomes meet)."""
        unsure = np.flatnonzero(outcome < 0)
        if unsure.size == 0:
            return
        query = (draws[unsure] >> _TO_BITS).view(np.int64)
        low = ~outcome[unsure].astype(np.intp)  # ~x = -1 - x
        high = self.guide[where[unsure] + 1]
        high ^= high >> 31  # the next slice's first outcome, sure (x >= 0) or not (~x)
        if rows is not None:  # positions and keys in the flattened rows
            row = rows[unsure].astype(np.intp)
            query += row * _ROW_STEP
            offset = row * self.width
            low += offset
            high = high + offset
        answer = low + (self.steps[low] <= query)
        wide = np.flatnonzero(high - low > 1)
        if wide.size:
            answer[wide] = np.searchsorted(self.steps, query[wide], side="right")
        if rows is not None:
            answer -= offset
        outcome[unsure] = answer

    def sample_single(self, draws: np.ndarray) -> np.ndarray:
        """The outcome of each 64-bit draw (uint64), for a table of one row."""
        where = (draws >> self._slice_shift).astype(np.intp)
        outcome = self.guide[where]
        self._finish(outcome, draws, where, None)
        return outcome

    def sample(self, draws: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """The outcome of each 64-bit draw (uint64) in its row (int32)."""
        where = rows * self._stride
        where += (draws >> self._slice_shift).astype(np.int32)
        outcome = self.guide[where]
        self._finish(outcome, draws, where, rows)
        return outcome


class RowsOnDemand(InverseCdf):
    """An InverseCdf whose rows are computed when draws first need them (`prepare`):
    the table costs what the draws use, not what the rows could be. `weights_of` gives
    the weights of rows by their numbers."""

    def __init__(
        self, weights_of: Callable[[np.ndarray], np.ndarray], shape: tuple[int, int], slices: int
    ) -> None:
        rows, width = shape
        self.rows, self.width, self.slices = rows, width, slices
        self._slice_shift = np.uint64(64 - slices)
        self._stride = (1 << slices) + 1
        self._weights_of = weights_of
        self._ready = np.zeros(rows, dtype=bool)
        # Rows not computed yet hold their key alone: the steps stay sorted throughout.
        self.steps = np.repeat(np.arange(rows, dtype=np.int64) * _ROW_STEP, width)
        self.guide = np.empty(rows * self._stride, dtype=np.int32)

    def prepare(self, rows: np.ndarray) -> None:
        """Compute the rows among `rows` not computed yet."""
        wanted = np.zeros(self.rows, dtype=bool)
        wanted[rows] = True
        wanted &= ~self._ready
        new = np.flatnonzero(wanted)
        if new.size:
            part = InverseCdf(self._weights_of(new), self.slices, new)
            self.steps.reshape(self.rows, self.width)[new] = part.steps.reshape(new.size, -1)
            self.guide.reshape(self.rows, self._stride)[new] = part.guide.reshape(new.size, -1)
            self._ready[new] = True


def block_size(largest: int) -> int:
    """The largest power of two B (at most MAX_BLOCK) with B x largest <= SUPPORT."""
    size = 1
    while size * 2 <= MAX_BLOCK and size * 2 * largest <= SUPPORT:
        size *= 2
    return size


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
    padded = np.concatenate([np.zeros(n - 1), half[::-1], np.zeros(n - 1)])
    # window[j][a] = padded[j + a], and padded[2n - 2 - s + a] = half[s - a].
    return np.lib.stride_tricks.sliding_window_view(padded, n)[::-1]


def split_weights(half: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """weights[s, a] = half[a] x half[s - a] (0 outside): for a node whose halves each
    have the distribution `half` (over 0 .. n - 1), the chance that the node's sum is s
    (0 .. 2n - 2) and its first half's a."""
    return np.multiply(_windows(half), half[None, :], out=out)


class BlockModel:
    """The weeks of one history, drawn by blocks and halvings (see the module)."""

    def __init__(self, history: np.ndarray, key: int) -> None:
        self.unit = int(np.gcd.reduce(history))
        weeks = history // self.unit
        self.mean = float(weeks.mean())
        self.spread = float(weeks.std())
        largest = int(weeks.max())
        self.largest = largest
        self.size = block_size(largest)
        self.levels = self.size.bit_length() - 1
        # The SplitMix64 state of the draw with counter c is key + (c + 1) x GAMMA.
        self._origin = (key + GAMMA) & _MASK
        self._per_trial = np.uint64((GAMMA << TRIAL_SHIFT) & _MASK)
        self._per_block = np.uint64((GAMMA << BLOCK_SHIFT) & _MASK)
        self._per_node = np.uint64(GAMMA)
        self.splits: list[InverseCdf] = []  # the block's halves, then all deeper nodes
        if self.size == 1:  # the history's own weeks, by their distinct values
            values, counts = np.unique(weeks, return_counts=True)
            self.block_values: np.ndarray | None = values.astype(np.int64)
            self.block_sums = InverseCdf(counts[None, :].astype(np.float64), 12)
            return
        pmf = np.bincount(weeks, minlength=largest + 1) / weeks.size
        self.powers = powers = sum_distributions(pmf, self.levels)
        self.block_values = None  # block sum s is outcome s
        self.block_sums = InverseCdf(powers[-1][None, :], 12)
        # The halves of the block in one table, its rows (block sums) computed as draws
        # need them; the deeper nodes' in another, their rows (node sums) one depth after
        # the other: few tables, none wider than needed.
        halves = [powers[level - 1] for level in range(self.levels, 0, -1)]
        top = halves[0]
        windows = _windows(top)
        shape = (2 * top.size - 1, top.size)
        self.top = RowsOnDemand(lambda rows: windows[rows] * top, shape, SPLIT_SLICES)
        self.splits.append(self.top)
        self.first_row = [0]
        if self.levels > 1:
            width = halves[1].size
            weights = np.zeros((sum(2 * half.size - 1 for half in halves[1:]), width))
            row = 0
            for half in halves[1:]:
                self.first_row.append(row)
                split_weights(half, out=weights[row : row + 2 * half.size - 1, : half.size])
                row += 2 * half.size - 1
            self.splits.append(InverseCdf(weights, SPLIT_SLICES))

    def states(self, trials: np.ndarray, blocks: np.ndarray | int) -> np.ndarray:
        """The generator states of the blocks' sums (node 0), broadcast over trials and
        blocks; node n of a block's tree is state + n x GAMMA."""
        by_trial = np.asarray(trials, dtype=np.uint64) * self._per_trial
        by_block = np.asarray(blocks, dtype=np.uint64) * self._per_block
        by_trial += np.uint64(self._origin)
        return by_trial + by_block

    def sums(self, states: np.ndarray) -> np.ndarray:
        """The blocks' sums (in units, int32) for their states (node 0)."""
        drawn = self.block_sums.sample_single(mix(states.ravel())).reshape(states.shape)
        if self.block_values is not None:
            return self.block_values[drawn]
        return drawn

    def split(self, depth: int, sums: np.ndarray, states: np.ndarray) -> np.ndarray:
        """The first half's sum (int32) of nodes at `depth` (0: the block) with these
        sums (int32) and generator states."""
        if depth == 0:
            self.top.prepare(sums)
            return self.top.sample(mix(states), sums)
        return self.splits[1].sample(mix(states), sums + self.first_row[depth])

    def crossing_week(self, base: np.ndarray, sums: np.ndarray, need: np.ndarray) -> np.ndarray:
        """The week of each block (1 .. size) in which its running sum reaches `need`
        (1 <= need <= the block's sum), for blocks with states `base`."""
        sums = sums.astype(np.int32)
        need = need.astype(np.int32)
        node = np.ones(base.size, dtype=np.uint64)  # heap numbers: the block is 1
        for depth in range(self.levels):
            first = self.split(depth, sums, base + node * self._per_node)
            later = need > first
            node += node
            node += later
            taken = first * later  # the first half, passed over when the need is later
            need -= taken
            sums = np.where(later, sums - first, first)
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
                sums = sums - first
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
            first = self.split(depth, nodes.ravel(), (base[None, :] + ids).ravel())
            children = np.empty((2 * width, base.size), dtype=np.int32)
            children[0::2] = first.reshape(width, base.size)
            children[1::2] = nodes - children[0::2]
            nodes = children
        return nodes
