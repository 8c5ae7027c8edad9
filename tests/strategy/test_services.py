"""Objectives, key results and initiatives: their rules, as the services enforce them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from pilothouse.strategy import services
from pilothouse.strategy.models import (
    Direction,
    Initiative,
    KeyResult,
    Objective,
    ObjectiveScope,
)
from tests.api.helpers import unchanged
from tests.factories import (
    InitiativeFactory,
    ObjectiveFactory,
    ProductFactory,
    ProductLineFactory,
)

pytestmark = pytest.mark.django_db


# --- KeyResult.progress ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "target", "current", "progress"),
    [
        (0, 100, 0, 0.0),
        (0, 100, 25, 0.25),
        (0, 100, 100, 1.0),
        (0, 100, 150, 1.0),  # beyond the target: clamped
        (0, 100, -10, 0.0),  # below the start: clamped
        (20, 40, 30, 0.5),  # a start above zero
        (-10, 10, 0, 0.5),
        ("0.1", "0.2", "0.125", 0.25),
    ],
)
def test_progress_increasing(start, target, current, progress):
    kr = KeyResult(
        start_value=Decimal(start), target_value=Decimal(target), current_value=Decimal(current)
    )
    assert kr.progress == pytest.approx(progress)


@pytest.mark.parametrize(
    ("start", "target", "current", "progress"),
    [
        (10, 0, 10, 0.0),
        (10, 0, 4, 0.6),
        (10, 0, 0, 1.0),
        (10, 0, -3, 1.0),  # better than the target: clamped
        (10, 0, 12, 0.0),  # worse than the start: clamped
        (300, 200, 275, 0.25),
    ],
)
def test_progress_decreasing(start, target, current, progress):
    kr = KeyResult(
        start_value=start, target_value=target, current_value=current, direction=Direction.DECREASE
    )
    assert kr.progress == pytest.approx(progress)


def test_progress_without_a_span_is_zero():
    assert KeyResult(start_value=5, target_value=5, current_value=9).progress == 0.0


def test_progress_is_a_float():
    assert type(KeyResult(start_value=0, target_value=3, current_value=1).progress) is float


# --- key result rules ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "target", "direction", "ok"),
    [
        (0, 10, Direction.INCREASE, True),
        (10, 0, Direction.DECREASE, True),
        (5, 5, Direction.INCREASE, False),
        (5, 5, Direction.DECREASE, False),
        (10, 0, Direction.INCREASE, False),
        (0, 10, Direction.DECREASE, False),
    ],
)
def test_key_result_target_and_direction(leader, start, target, direction, ok):
    data = {
        "objective": ObjectiveFactory(),
        "title": "KR",
        "start_value": start,
        "target_value": target,
        "direction": direction,
    }
    if ok:
        kr = services.key_result.create(actor=leader, data=data)
        assert kr.pk
        return
    with unchanged(KeyResult), pytest.raises(ValidationError) as caught:
        services.key_result.create(actor=leader, data=data)
    assert list(caught.value.message_dict) == ["target_value"]


def test_key_result_needs_a_target(leader):
    with unchanged(KeyResult), pytest.raises(ValidationError) as caught:
        services.key_result.create(
            actor=leader, data={"objective": ObjectiveFactory(), "title": "T"}
        )
    assert "target_value" in caught.value.message_dict


# --- objective scope -------------------------------------------------------------------


@pytest.fixture
def line():
    return ProductLineFactory()


@pytest.fixture
def product(line):
    return ProductFactory(product_line=line)


@pytest.mark.parametrize(
    ("scope", "with_line", "with_product", "error_field"),
    [
        (ObjectiveScope.COMPANY, False, False, None),
        (ObjectiveScope.PRODUCT_LINE, True, False, None),
        (ObjectiveScope.PRODUCT, False, True, None),
        (ObjectiveScope.COMPANY, True, False, "scope"),
        (ObjectiveScope.COMPANY, False, True, "scope"),
        (ObjectiveScope.PRODUCT_LINE, False, False, "product_line"),
        (ObjectiveScope.PRODUCT, False, False, "product"),
        (ObjectiveScope.PRODUCT, True, True, "product_line"),
        (ObjectiveScope.PRODUCT_LINE, True, True, "product"),
    ],
)
def test_objective_scope_rules(leader, line, product, scope, with_line, with_product, error_field):
    data = {
        "title": "O",
        "period": "2026-Q1",
        "scope": scope,
        "product_line": line if with_line else None,
        "product": product if with_product else None,
    }
    if error_field is None:
        objective = services.objective.create(actor=leader, data=data)
        assert objective.scope == scope
        return
    with unchanged(Objective), pytest.raises(ValidationError) as caught:
        services.objective.create(actor=leader, data=data)
    assert error_field in caught.value.message_dict


def test_a_product_line_objective_names_no_product(leader, line):
    """Otherwise it could name a product of another line than its own."""
    elsewhere = ProductFactory()
    data = {
        "title": "O",
        "period": "2026",
        "scope": ObjectiveScope.PRODUCT_LINE,
        "product_line": line,
        "product": elsewhere,
    }
    with unchanged(Objective), pytest.raises(ValidationError) as caught:
        services.objective.create(actor=leader, data=data)
    assert list(caught.value.message_dict) == ["product"]


def test_changing_scope_is_checked_again(leader, product):
    objective = ObjectiveFactory(scope=ObjectiveScope.PRODUCT, product=product)
    with unchanged(Objective), pytest.raises(ValidationError) as caught:
        services.objective.update(
            actor=leader, instance=objective, version=1, data={"scope": ObjectiveScope.COMPANY}
        )
    assert "scope" in caught.value.message_dict
    changed = services.objective.update(
        actor=leader,
        instance=objective,
        version=1,
        data={"scope": ObjectiveScope.COMPANY, "product": None},
    )
    assert changed.version == 2


def test_an_objective_cannot_become_its_own_ancestor(leader):
    top = ObjectiveFactory()
    middle = ObjectiveFactory(parent=top)
    bottom = ObjectiveFactory(parent=middle)
    for new_parent in (top, middle, bottom):
        with unchanged(Objective), pytest.raises(ValidationError) as caught:
            services.objective.update(
                actor=leader, instance=top, version=1, data={"parent": new_parent}
            )
        assert "parent" in caught.value.message_dict
    moved = services.objective.update(
        actor=leader, instance=bottom, version=1, data={"parent": top}
    )
    assert moved.parent == top


def test_a_new_objective_may_hang_anywhere(leader):
    top = ObjectiveFactory()
    child = services.objective.create(
        actor=leader, data={"title": "Child", "period": "2026", "parent": top}
    )
    assert child.parent == top


@pytest.mark.parametrize("period", ["2026", "2026-H1", "2026-H2", "2026-Q1", "2026-Q4", "2026-01"])
def test_valid_periods(leader, period):
    assert services.objective.create(actor=leader, data={"title": "P", "period": period}).pk


@pytest.mark.parametrize("period", ["", "2026-", "2026-Q5", "2026-H0", "2026-00", "2026-1", "x"])
def test_invalid_periods(leader, period):
    with unchanged(Objective), pytest.raises(ValidationError) as caught:
        services.objective.create(actor=leader, data={"title": "P", "period": period})
    assert "period" in caught.value.message_dict


# --- initiatives -----------------------------------------------------------------------


def test_initiative_dates_must_be_in_order(leader):
    data = {"title": "I", "start_date": dt.date(2026, 5, 1), "end_date": dt.date(2026, 4, 1)}
    with unchanged(Initiative), pytest.raises(ValidationError) as caught:
        services.initiative.create(actor=leader, data=data)
    assert list(caught.value.message_dict) == ["end_date"]
    same_day = {**data, "end_date": dt.date(2026, 5, 1)}
    assert services.initiative.create(actor=leader, data=same_day).pk


def test_initiative_objectives_are_set_and_logged(leader):
    initiative = InitiativeFactory()
    objectives = [ObjectiveFactory(), ObjectiveFactory()]
    updated = services.initiative.update(
        actor=leader, instance=initiative, version=1, data={}, m2m={"objectives": objectives}
    )
    assert updated.version == 2
    assert set(initiative.objectives.all()) == set(objectives)
