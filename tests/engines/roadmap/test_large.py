"""20,000 items, the size of the demo's large organization: no recursion, no blow-up.

Nothing here asserts a time; a quadratic or recursive slip would show as a hang or a
RecursionError.
"""

from __future__ import annotations

import datetime as dt
import random

import pytest

from pilothouse.engines.roadmap import (
    CycleError,
    RoadmapItem,
    Window,
    diff,
    find_cycle,
    propagate_dates,
    schedule_conflicts,
    to_markdown,
    topological_order,
)

N = 20_000
DAY0 = dt.date(2027, 1, 1)


@pytest.fixture(scope="module")
def chain() -> list[tuple[int, int]]:
    return [(i, i + 1) for i in range(1, N)]


@pytest.fixture(scope="module")
def wide() -> list[tuple[int, int]]:
    """A random DAG: three edges per item, each from a smaller id to a larger one."""
    rng = random.Random(7)
    edges = set()
    for blocked in range(2, N + 1):
        for _ in range(3):
            edges.add((rng.randrange(1, blocked), blocked))
    return sorted(edges)


def test_a_cycle_through_twenty_thousand_items(chain):
    cycle = find_cycle(edges=chain, new_edge=(N, 1))
    assert cycle == [N, *range(1, N + 1)]
    assert find_cycle(edges=chain, new_edge=(1, N)) is None


def test_ordering_a_long_chain_and_a_wide_graph(chain, wide):
    reversed_chain = [(b, a) for a, b in chain]  # N blocks N-1 ... blocks 1
    assert topological_order(nodes=range(1, N + 1), edges=reversed_chain) == list(range(N, 0, -1))
    order = topological_order(nodes=[], edges=wide)
    position = {node: i for i, node in enumerate(order)}
    assert len(order) == N
    assert all(position[a] < position[b] for a, b in wide)


def test_a_cycle_in_a_large_graph_is_reported(chain, wide):
    with pytest.raises(CycleError) as caught:
        topological_order(nodes=[], edges=[*chain, (N, 1)])
    assert caught.value.cycle == [*range(1, N + 1), 1]
    assert find_cycle(edges=wide, new_edge=(N, 1)) is not None
    assert find_cycle(edges=wide, new_edge=(1, N)) is None


def test_a_delay_cascades_down_twenty_thousand_items(chain, wide):
    # Each item planned for one day, all on the same day: each must wait for the last.
    plan = {i: Window(DAY0, DAY0 + dt.timedelta(days=1)) for i in range(1, N + 1)}
    shifts = propagate_dates(edges=chain, schedule=plan)
    assert len(shifts) == N - 1
    assert shifts[N].end == DAY0 + dt.timedelta(days=N)
    assert len(schedule_conflicts(edges=chain, schedule=plan)) == N - 1
    assert propagate_dates(edges=wide, schedule=plan, durations={1: 3})


def test_diffing_twenty_thousand_items():
    before = [
        RoadmapItem(
            i,
            f"Feature {i}",
            f"Product {i % 30}",
            None,
            None,
            "next",
            "planned",
            None,
            DAY0 + dt.timedelta(days=i % 365),
            None,
        )
        for i in range(1, N + 1)
    ]
    after = [
        RoadmapItem(
            i,
            f"Feature {i}",
            f"Product {i % 30}",
            None,
            None,
            "next",
            "planned",
            None,
            DAY0 + dt.timedelta(days=i % 365 + (i % 3)),
            None,
        )
        for i in range(2, N + 2)
    ]
    changes = diff(before=before, after=after)
    assert changes.counts["added"] == changes.counts["removed"] == 1
    assert changes.counts["slipped"] == sum(1 for i in range(2, N + 1) if i % 3)
    assert "## Slipped" in to_markdown(changes, title="Large")
