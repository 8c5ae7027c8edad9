"""Cycles and dependency order, checked against worked examples and the standard library.

`graphlib.TopologicalSorter` is the independent oracle for "has a cycle"; a naive
quadratic sort is the oracle for the stable order.
"""

from __future__ import annotations

import graphlib
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pilothouse.engines.roadmap import CycleError, find_cycle, topological_order
from tests.engines.roadmap.strategies import dags, graphs


def _has_cycle(nodes, edges) -> bool:
    sorter = graphlib.TopologicalSorter({node: set() for node in nodes})
    for blocker, blocked in edges:
        sorter.add(blocked, blocker)
    try:
        sorter.prepare()
    except graphlib.CycleError:
        return True
    return False


def _assert_is_cycle(cycle, edges):
    assert len(cycle) >= 2
    assert cycle[0] == cycle[-1]
    assert len(set(cycle[:-1])) == len(cycle) - 1, "a node repeats inside the cycle"
    edge_set = set(edges)
    for blocker, blocked in itertools.pairwise(cycle):
        assert (blocker, blocked) in edge_set


def _shortest_path_length(edges, source, target) -> int | None:
    """Unit-weight Bellman-Ford: slow, obvious, independent of the engine's search."""
    nodes = {n for edge in edges for n in edge} | {source, target}
    distance: dict[int, int | None] = dict.fromkeys(nodes)
    distance[source] = 0
    for _ in range(len(nodes)):
        for a, b in edges:
            if distance[a] is not None and (distance[b] is None or distance[a] + 1 < distance[b]):
                distance[b] = distance[a] + 1
    return distance[target]


# --- find_cycle: worked examples ---------------------------------------------------------


def test_the_example_from_the_brief():
    assert find_cycle(edges=[(2, 3), (3, 1)], new_edge=(1, 2)) == [1, 2, 3, 1]


def test_a_self_edge_is_a_cycle_of_length_one():
    assert find_cycle(edges=[], new_edge=(7, 7)) == [7, 7]
    assert find_cycle(edges=[(1, 2)], new_edge=(2, 2)) == [2, 2]


def test_reversing_an_edge_is_a_cycle_of_length_two():
    assert find_cycle(edges=[(2, 1)], new_edge=(1, 2)) == [1, 2, 1]


def test_a_long_chain_closed_at_its_end():
    chain = [(i, i + 1) for i in range(1, 50)]
    assert find_cycle(edges=chain, new_edge=(50, 1)) == [50, *range(1, 51)]
    # Closing it anywhere inside gives only the stretch in between.
    assert find_cycle(edges=chain, new_edge=(30, 10)) == [30, *range(10, 31)]


def test_no_cycle():
    chain = [(1, 2), (2, 3)]
    assert find_cycle(edges=chain, new_edge=(1, 3)) is None  # a shortcut, not a cycle
    assert find_cycle(edges=chain, new_edge=(4, 1)) is None  # a new node
    assert find_cycle(edges=chain, new_edge=(1, 2)) is None  # the same edge again
    assert find_cycle(edges=[], new_edge=(1, 2)) is None


def test_the_shortest_cycle_through_the_new_edge_is_given():
    # 2 reaches 1 in three steps (2 -> 3 -> 4 -> 1) or in two (2 -> 5 -> 1).
    edges = [(2, 3), (3, 4), (4, 1), (2, 5), (5, 1)]
    assert find_cycle(edges=edges, new_edge=(1, 2)) == [1, 2, 5, 1]


def test_a_cycle_already_stored_is_not_reported():
    # The stored graph should never hold one; if it does, only the new edge is judged.
    assert find_cycle(edges=[(5, 6), (6, 5)], new_edge=(1, 2)) is None
    assert find_cycle(edges=[(5, 6), (6, 5), (2, 5), (6, 1)], new_edge=(1, 2)) == [1, 2, 5, 6, 1]


def test_edges_may_be_any_iterable_of_pairs():
    generator = ((a, a + 1) for a in range(1, 4))
    assert find_cycle(edges=generator, new_edge=(4, 1)) == [4, 1, 2, 3, 4]
    assert find_cycle(edges=[[2, 1]], new_edge=(1, 2)) == [1, 2, 1]


@pytest.mark.parametrize(
    ("edges", "new_edge", "message"),
    [
        ([(1, 2)], (1, "2"), r"new_edge: must be a \(blocker, blocked\) pair of integer ids"),
        ([(1, 2)], (1,), r"new_edge: must be a \(blocker, blocked\) pair"),
        ([(1, 2)], None, r"new_edge: must be a \(blocker, blocked\) pair"),
        ([(1, 2), (True, 3)], (1, 3), r"edges\[1\]: must be a \(blocker, blocked\) pair"),
        ([(1, 2), (1, 2, 3)], (1, 3), r"edges\[1\]: must be a \(blocker, blocked\) pair"),
        ([(1, 2), 5], (1, 3), r"edges\[1\]: must be a \(blocker, blocked\) pair"),
        ("12", (1, 3), r"edges: must be an iterable of \(blocker, blocked\) pairs"),
        (None, (1, 3), r"edges: must be an iterable"),
    ],
)
def test_bad_input_names_the_field(edges, new_edge, message):
    with pytest.raises(ValueError, match=message):
        find_cycle(edges=edges, new_edge=new_edge)


def test_arguments_are_keyword_only():
    with pytest.raises(TypeError):
        find_cycle([(1, 2)], (2, 1))  # type: ignore[misc]
    with pytest.raises(TypeError):
        topological_order([1], [])  # type: ignore[misc]


# --- find_cycle: properties --------------------------------------------------------------


@given(dags(), st.data())
def test_find_cycle_agrees_with_graphlib(graph, data):
    nodes, edges = graph
    new_edge = (data.draw(st.sampled_from(nodes)), data.draw(st.sampled_from(nodes)))
    cycle = find_cycle(edges=edges, new_edge=new_edge)
    assert (cycle is not None) == _has_cycle(nodes, [*edges, new_edge])
    if cycle is not None:
        blocker, blocked = new_edge
        assert cycle[:2] == [blocker, blocked]
        assert cycle[-1] == blocker
        _assert_is_cycle(cycle, [*edges, new_edge])
        # Shortest: one more than the shortest path from blocked back to blocker.
        if blocker != blocked:
            assert len(cycle) - 2 == _shortest_path_length(edges, blocked, blocker)


@given(graphs(), st.data())
def test_a_cycle_found_in_any_graph_is_real(graph, data):
    nodes, edges = graph
    new_edge = (data.draw(st.sampled_from(nodes)), data.draw(st.sampled_from(nodes)))
    cycle = find_cycle(edges=edges, new_edge=new_edge)
    reachable = _shortest_path_length(edges, new_edge[1], new_edge[0]) is not None
    assert (cycle is not None) == (new_edge[0] == new_edge[1] or reachable)
    if cycle is not None:
        assert cycle[:2] == list(new_edge)
        _assert_is_cycle(cycle, [*edges, new_edge])


# --- topological_order -------------------------------------------------------------------


def _naive_order(nodes, edges) -> list[int]:
    """Repeatedly take the smallest item whose blockers are all placed."""
    pending = set(nodes) | {n for edge in edges for n in edge}
    placed: list[int] = []
    while pending:
        free = [n for n in pending if all(a in placed for a, b in edges if b == n)]
        node = min(free)
        placed.append(node)
        pending.remove(node)
    return placed


def test_order_worked_example():
    edges = [(5, 1), (5, 2), (2, 1), (9, 3)]
    # Free at first: 4, 5, 9 -> 4; then 5, 9 -> 5; then 2, 9 -> 2; then 1, 9 -> 1; ...
    assert topological_order(nodes=[1, 2, 3, 4, 5], edges=edges) == [4, 5, 2, 1, 9, 3]


def test_order_without_edges_is_by_id():
    assert topological_order(nodes=[3, 1, 2, 1], edges=[]) == [1, 2, 3]
    assert topological_order(nodes=[], edges=[]) == []


def test_order_takes_nodes_from_edges_too():
    assert topological_order(nodes=[], edges=[(2, 1)]) == [2, 1]


@pytest.mark.parametrize(
    ("edges", "cycle"),
    [
        ([(4, 4)], [4, 4]),
        ([(1, 2), (2, 1)], [1, 2, 1]),
        ([(3, 1), (1, 2), (2, 3), (0, 1), (2, 9)], [1, 2, 3, 1]),
        ([(i, i + 1) for i in range(1, 100)] + [(100, 1)], [*range(1, 101), 1]),
    ],
)
def test_a_cycle_raises_cycle_error_carrying_it(edges, cycle):
    with pytest.raises(CycleError) as caught:
        topological_order(nodes=[], edges=edges)
    assert caught.value.cycle == cycle
    assert isinstance(caught.value, ValueError)
    assert str(caught.value) == "edges: dependency cycle " + " -> ".join(map(str, cycle))


def test_bad_nodes_are_named():
    with pytest.raises(ValueError, match=r"nodes\[1\]: must be an integer id, got 'b'"):
        topological_order(nodes=[1, "b"], edges=[])
    with pytest.raises(ValueError, match=r"nodes: must be an iterable of integer ids"):
        topological_order(nodes="12", edges=[])
    with pytest.raises(ValueError, match=r"edges\[0\]"):
        topological_order(nodes=[1], edges=[(1, None)])


@given(dags())
def test_order_matches_the_naive_stable_sort(graph):
    nodes, edges = graph
    order = topological_order(nodes=nodes, edges=edges)
    assert order == _naive_order(nodes, edges)
    position = {node: i for i, node in enumerate(order)}
    assert all(position[a] < position[b] for a, b in edges)


@given(graphs())
def test_order_raises_exactly_when_graphlib_finds_a_cycle(graph):
    nodes, edges = graph
    if _has_cycle(nodes, edges):
        with pytest.raises(CycleError) as caught:
            topological_order(nodes=nodes, edges=edges)
        cycle = caught.value.cycle
        _assert_is_cycle(cycle, edges)
        assert cycle[0] == min(cycle)
    else:
        assert topological_order(nodes=nodes, edges=edges) == _naive_order(nodes, edges)
