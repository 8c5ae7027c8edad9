"""The arithmetic of the reporting tree, on trees built by hand."""

from __future__ import annotations

import random

import pytest

from pilothouse.people import org_chart
from pilothouse.people.org_chart import (
    NARROW_SPAN,
    WIDE_SPAN,
    build_tree,
    chain,
    chart,
    depths,
    drawing_order,
    layers,
    organization_of,
    reattach,
    span_warnings,
    spans,
    subtree_sizes,
    with_chains,
)

#        1
#      /   \
#     2     3
#    / \     \
#   4   5     6
#             |
#             7
TREE = [(1, None), (2, 1), (3, 1), (4, 2), (5, 2), (6, 3), (7, 6)]


def test_spans_count_direct_reports_only():
    assert spans(build_tree(TREE)) == {1: 2, 2: 2, 3: 1, 4: 0, 5: 0, 6: 1, 7: 0}


def test_depth_is_the_number_of_managers_above():
    assert depths(build_tree(TREE)) == {1: 0, 2: 1, 3: 1, 4: 2, 5: 2, 6: 2, 7: 3}
    assert layers(build_tree(TREE)) == 4
    assert layers(build_tree([])) == 0
    assert layers(build_tree([(9, None)])) == 1


def test_subtree_sizes_count_everyone_below():
    assert subtree_sizes(build_tree(TREE)) == {1: 6, 2: 2, 3: 2, 4: 0, 5: 0, 6: 1, 7: 0}


def test_chains_and_organizations():
    tree = build_tree(TREE)
    assert chain(tree, 7) == [6, 3, 1]
    assert chain(tree, 1) == []
    assert organization_of(tree, [3]) == {3, 6, 7}
    assert organization_of(tree, [2, 6, 99]) == {2, 4, 5, 6, 7}
    assert with_chains(tree, [5, 7]) == {5, 2, 1, 7, 6, 3}


def test_a_missing_manager_makes_a_root_and_siblings_keep_their_order():
    tree = build_tree([(10, 99), (11, 10), (12, None), (13, 10)])
    assert tree.roots == [10, 12]
    assert tree.reports[10] == [11, 13]


def test_a_cycle_is_broken_at_its_first_person_so_the_tree_still_draws():
    tree = build_tree([(1, 3), (2, 1), (3, 2), (4, 4)])
    assert tree.roots == [1, 4]
    assert depths(tree) == {1: 0, 2: 1, 3: 2, 4: 0}
    assert [step.person_id for step in drawing_order(tree)] == [1, 2, 3, 4]


def test_warnings_flag_too_wide_and_single_report_spans():
    wide = [(1, None)] + [(100 + i, 1) for i in range(WIDE_SPAN + 1)]
    at_limit = [(2, None)] + [(200 + i, 2) for i in range(WIDE_SPAN)]
    single = [(3, None), (300, 3)]
    pair = [(4, None), (400, 4), (401, 4)]
    warnings = span_warnings(build_tree(wide + at_limit + single + pair))
    assert [(w.person_id, w.span, w.too_many) for w in warnings] == [
        (1, WIDE_SPAN + 1, True),
        (3, NARROW_SPAN, False),
    ]
    assert f"more than {WIDE_SPAN}" in warnings[0].message
    assert "a layer for one person" in warnings[1].message


def test_the_thresholds_are_those_of_the_brief():
    assert (WIDE_SPAN, NARROW_SPAN) == (8, 1)


def test_reattach_hands_a_hidden_managers_reports_to_the_nearest_shown_manager():
    links = reattach(TREE, shown={1, 4, 5, 6, 7})
    assert links == [(1, None), (4, 1), (5, 1), (6, 1), (7, 6)]
    assert reattach(TREE, shown={4, 7}) == [(4, None), (7, None)]


def _nested(steps: list[org_chart.Step]) -> list:
    """Rebuild the nesting from the drawing order, as the template's loop does."""
    root: list = []
    stack = [root]
    for step in steps:
        node: list = [step.person_id]
        stack[-1].append(node)
        if step.opens:
            children: list = []
            node.append(children)
            stack.append(children)
        for _ in range(step.closes):
            stack.pop()
    assert stack == [root], "every list opened is closed"
    return root


def test_the_drawing_order_opens_and_closes_each_list_once():
    steps = drawing_order(build_tree([*TREE, (8, None)]))
    assert [s.depth for s in steps] == [0, 1, 2, 2, 1, 2, 3, 0]
    assert _nested(steps) == [[1, [[2, [[4], [5]]], [3, [[6, [[7]]]]]]], [8]]


def test_the_drawing_order_closes_lists_on_random_trees():
    rng = random.Random(7)
    for _ in range(50):
        size = rng.randint(1, 60)
        links = [(1, None)] + [(i, rng.randint(1, i - 1)) for i in range(2, size + 1)]
        steps = drawing_order(build_tree(links))
        assert sorted(s.person_id for s in steps) == list(range(1, size + 1))
        _nested(steps)


def test_a_pruned_drawing_keeps_only_the_included_people():
    tree = build_tree(TREE)
    steps = drawing_order(tree, include=with_chains(tree, [7]))
    assert _nested(steps) == [[1, [[3, [[6, [[7]]]]]]]]


def test_the_chart_searches_every_word_and_shows_the_chain_as_context():
    text = {1: "Ada Boss CPO", 2: "Ben VP", 3: "Cy VP", 4: "Dee PM", 5: "Eve PM", 6: "Flo GPM"}
    text[7] = "Gil Analyst"
    found = chart(TREE, search_text=text, search="  pm  ")
    assert found.matches == 3
    assert {n.person_id for n in found.nodes if n.match} == {4, 5, 6}
    assert {n.person_id for n in found.nodes if n.context} == {1, 2, 3}
    # Spans stay those of the whole tree.
    assert {n.person_id: n.span for n in found.nodes}[1] == 2
    assert chart(TREE, search_text=text, search="dee pm").matches == 1
    assert chart(TREE, search_text=text, search="nobody").nodes == []


def test_the_chart_of_some_members_shows_their_organizations_with_the_chain_above():
    found = chart(TREE, search_text={}, members={3})
    assert [n.person_id for n in found.nodes] == [1, 3, 6, 7]
    assert [n.person_id for n in found.nodes if n.context] == [1]
    assert found.shown == 3
    assert all(n.is_open for n in found.nodes if n.opens)
    assert [w.person_id for w in found.warnings] == [3, 6]  # both have a single report


def test_the_whole_chart_opens_the_top_layers_only():
    found = chart(TREE, search_text={})
    assert found.total == 7
    assert found.managers == 4
    assert found.layers == 4
    opened = {n.person_id for n in found.nodes if n.opens and n.is_open}
    assert opened == {n.person_id for n in found.nodes if n.opens and n.depth < 2}


@pytest.mark.parametrize("size", [400])
def test_a_large_tree_is_drawn_whole(size):
    links = [(1, None)] + [(i, (i - 2) // 6 + 1) for i in range(2, size + 1)]
    found = chart(links, search_text={})
    assert len(found.nodes) == size
    assert sum(n.span for n in found.nodes) == size - 1
