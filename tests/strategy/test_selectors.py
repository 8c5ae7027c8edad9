"""Reads of objectives, key results and initiatives."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pilothouse.strategy import selectors
from tests.factories import InitiativeFactory, KeyResultFactory, ObjectiveFactory, UserFactory

pytestmark = pytest.mark.django_db


def titles(tree) -> list[tuple[str, int]]:
    return [(objective.title, depth) for objective, depth in tree]


@pytest.fixture
def cascade():
    """Two company objectives, each with children and grandchildren, in two periods."""
    growth = ObjectiveFactory(title="B growth", period="2026")
    retention = ObjectiveFactory(title="A retention", period="2026")
    ObjectiveFactory(title="Z line", period="2026-Q1", parent=growth)
    line = ObjectiveFactory(title="M line", period="2026-Q1", parent=growth)
    ObjectiveFactory(title="Product 2", period="2026-Q1", parent=line)
    ObjectiveFactory(title="Product 1", period="2026-Q1", parent=line)
    ObjectiveFactory(title="Churn", period="2026-Q2", parent=retention)
    ObjectiveFactory(title="Earlier", period="2025")
    return growth, retention, line


def test_objective_tree_order_and_depth(cascade):
    assert titles(selectors.objective_tree()) == [
        ("Earlier", 0),
        ("A retention", 0),
        ("Churn", 1),
        ("B growth", 0),
        ("M line", 1),
        ("Product 1", 2),
        ("Product 2", 2),
        ("Z line", 1),
    ]


def test_objective_tree_of_a_period_roots_orphans(cascade):
    # The parents live in 2026, so the 2026-Q1 objectives form their own tree.
    assert titles(selectors.objective_tree(period="2026-Q1")) == [
        ("M line", 0),
        ("Product 1", 1),
        ("Product 2", 1),
        ("Z line", 0),
    ]
    assert titles(selectors.objective_tree(period="2030")) == []


def test_objective_tree_ties_break_by_id():
    first = ObjectiveFactory(title="Same", period="2026")
    second = ObjectiveFactory(title="Same", period="2026")
    assert [o.pk for o, _ in selectors.objective_tree()] == [first.pk, second.pk]


def build_chain(n: int) -> None:
    owner = UserFactory()
    parent = None
    for i in range(n):
        parent = ObjectiveFactory(title=f"Level {i}", parent=parent, owner=owner)
        KeyResultFactory(objective=parent)
        KeyResultFactory(objective=parent)


def test_objective_tree_costs_two_queries_whatever_the_size():
    build_chain(3)
    with CaptureQueriesContext(connection) as small:
        tree = selectors.objective_tree()
        for objective, _ in tree:
            _ = [kr.progress for kr in objective.key_results.all()]
            _ = (objective.owner, objective.parent, objective.product, objective.product_line)
    build_chain(30)
    with CaptureQueriesContext(connection) as large:
        tree = selectors.objective_tree()
        for objective, _ in tree:
            _ = [kr.progress for kr in objective.key_results.all()]
            _ = (objective.owner, objective.parent, objective.product, objective.product_line)
    assert len(tree) == 33
    assert max(depth for _, depth in tree) == 29
    assert len(small) == len(large) == 2


def test_objective_periods_newest_first_without_duplicates(cascade):
    assert selectors.objective_periods() == ["2026-Q2", "2026-Q1", "2026", "2025"]


def test_initiative_list_prefetches_objectives():
    for _ in range(4):
        initiative = InitiativeFactory(owner=UserFactory())
        initiative.objectives.add(ObjectiveFactory(), ObjectiveFactory())
    with CaptureQueriesContext(connection) as queries:
        rows = [
            (i.owner.username, sorted(o.title for o in i.objectives.all()))
            for i in selectors.initiative_list()
        ]
    assert len(rows) == 4
    assert all(len(objectives) == 2 for _, objectives in rows)
    assert len(queries) == 2


def test_key_result_list_joins_the_objective():
    for _ in range(3):
        KeyResultFactory()
    with CaptureQueriesContext(connection) as queries:
        names = [kr.objective.title for kr in selectors.key_result_list()]
    assert len(names) == 3
    assert len(queries) == 1


def test_objective_list_joins_its_relations(cascade):
    with CaptureQueriesContext(connection) as queries:
        rows = [(o.parent and o.parent.title, o.owner) for o in selectors.objective_list()]
    assert len(rows) == 8
    assert len(queries) == 1
