"""The change log: snapshots, diffs, records and the reads over them."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType

from pilothouse.core import changelog, selectors
from pilothouse.core.models import ChangeAction, ChangeRecord, User
from pilothouse.core.roles import Role
from pilothouse.portfolio import services as portfolio
from pilothouse.portfolio.models import ProductLine
from pilothouse.roadmap.models import Feature
from tests.factories import (
    FeatureFactory,
    ObjectiveFactory,
    ProductLineFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_snapshot_leaves_out_bookkeeping_and_uses_ids_and_plain_values():
    objective = ObjectiveFactory()
    feature = FeatureFactory(
        effort_low=Decimal("1.5"), effort_high=Decimal("3"), started_on=dt.date(2026, 2, 3)
    )
    feature.objectives.add(objective)
    state = changelog.snapshot(Feature.objects.get(pk=feature.pk))
    assert not set(state) & Feature.BOOKKEEPING_FIELDS
    assert state["product"] == feature.product_id
    assert state["area"] is None
    assert state["effort_low"] == "1.5"
    assert state["effort_high"] == "3.0"
    assert state["started_on"] == "2026-02-03"
    assert state["objectives"] == [objective.pk]
    json.dumps(state)  # storable as JSON


def test_snapshot_of_decimals_uses_the_column_scale():
    feature = FeatureFactory.build(effort_low=Decimal("2"), effort_high=2)
    state = changelog.snapshot(feature)
    assert state["effort_low"] == "2.0"
    assert state["effort_high"] == 2  # not yet cleaned: left as given


def test_snapshot_of_an_unsaved_object_has_no_links():
    state = changelog.snapshot(Feature(title="Draft"))
    assert "objectives" not in state
    assert state["title"] == "Draft"


def test_diff_keeps_only_what_changed():
    before = {"a": 1, "b": "same", "c": None}
    after = {"a": 2, "b": "same", "c": "set", "d": [1]}
    assert changelog.diff(before, after) == (
        {"a": 1, "c": None, "d": None},
        {"a": 2, "c": "set", "d": [1]},
    )
    assert changelog.diff(after, after) == ({}, {})


def test_record_stores_who_what_and_which_object(leader):
    line = ProductLineFactory(name="L" * 120)
    record = changelog.record(
        actor=leader, action=ChangeAction.UPDATE, instance=line, before={"a": 1}, after={"a": 2}
    )
    record.refresh_from_db()
    assert record.actor == leader
    assert record.content_type == ContentType.objects.get_for_model(ProductLine)
    assert record.object_id == line.pk
    assert record.object_repr == "L" * 120
    assert (record.before, record.after) == ({"a": 1}, {"a": 2})
    assert record.time is not None
    assert str(record) == f"Updated {'L' * 120}"


def test_record_truncates_a_long_representation():
    line = ProductLineFactory()
    line.name = "N" * 400  # as if the model's __str__ gave something long
    record = changelog.record(
        actor=None, action=ChangeAction.CREATE, instance=line, before={}, after={}
    )
    assert record.object_repr == "N" * 300


def test_record_without_a_saved_actor_is_the_system():
    line = ProductLineFactory()
    for actor in (None, User(username="unsaved"), AnonymousUser()):
        record = changelog.record(
            actor=actor, action=ChangeAction.CREATE, instance=line, before={}, after={}
        )
        assert record.actor is None


def test_record_keeps_the_id_of_a_deleted_object():
    line = ProductLineFactory()
    pk = line.pk
    line.delete()
    record = changelog.record(
        actor=None, action=ChangeAction.DELETE, instance=line, before={}, after={}, object_id=pk
    )
    assert record.object_id == pk


@pytest.mark.parametrize(
    ("ids", "runs"),
    [
        ([], []),
        ([7], [[7, 7]]),
        ([6, 4, 5, 9], [[4, 6], [9, 9]]),
        ([1, 3, 5], [[1, 1], [3, 3], [5, 5]]),
    ],
)
def test_id_ranges_are_runs_of_consecutive_ids(ids, runs):
    assert changelog.id_ranges(ids) == runs


def test_a_batch_is_one_record_and_a_lean_one_per_object(leader):
    lines = [ProductLineFactory(name=f"Line {i}") for i in range(3)]
    assert changelog.record_batch(actor=leader, objects=lines, source="import") == 4
    batch = ChangeRecord.objects.get(object_id=changelog.BATCH_OBJECT_ID)
    assert (batch.action, batch.actor, batch.before) == (ChangeAction.CREATE, leader, {})
    assert batch.after == {"count": 3, "ids": changelog.id_ranges(line.pk for line in lines)}
    assert batch.object_repr == "3 product lines (import)"
    for line in lines:
        (record,) = selectors.object_history(instance=line)
        assert (record.action, record.actor, record.time) == (
            ChangeAction.CREATE,
            leader,
            batch.time,
        )
        assert (record.object_repr, record.before) == (str(line), {})
        assert record.after == {"import": f"batch {batch.pk}: 3 product lines"}
    assert changelog.record_batch(actor=leader, objects=[], source="import") == 0


def test_changed_fields_pairs_old_and_new():
    record = ChangeRecord(before={"name": "A", "gone": 1}, after={"name": "B", "new": 2})
    assert record.changed_fields == [
        ("gone", 1, None),
        ("name", "A", "B"),
        ("new", None, 2),
    ]


def test_the_actor_is_kept_as_none_when_the_user_is_deleted(make_user):
    user = make_user(Role.PRODUCT_LEADER)
    portfolio.product_line.create(actor=user, data={"name": "Kept"})
    user.delete()
    record = ChangeRecord.objects.get()
    assert record.actor is None
    assert record.after["name"] == "Kept"


# --- reads ---------------------------------------------------------------------------------


@pytest.fixture
def history():
    alice = UserFactory(username="alice", role=Role.ADMIN)
    bob = UserFactory(username="bob", role=Role.ADMIN)
    line = portfolio.product_line.create(actor=alice, data={"name": "One"})
    portfolio.product_line.update(actor=bob, instance=line, version=1, data={"name": "Two"})
    feature = FeatureFactory()
    changelog.record(actor=bob, action=ChangeAction.DELETE, instance=feature, before={}, after={})
    return line, feature


def test_change_list_is_newest_first(history):
    actions = [r.action for r in selectors.change_list()]
    assert actions == ["delete", "update", "create"]


def test_change_list_filters(history):
    line, feature = history
    assert {r.object_id for r in selectors.change_list(model="ProductLine")} == {line.pk}
    assert [r.object_id for r in selectors.change_list(model="feature")] == [feature.pk]
    assert selectors.change_list(model="productline", object_id=line.pk).count() == 2
    assert selectors.change_list(object_id=987654).count() == 0
    assert [r.action for r in selectors.change_list(actor="alice")] == ["create"]
    assert selectors.change_list(actor="bob").count() == 2
    assert [r.actor.username for r in selectors.change_list(action="update")] == ["bob"]


def test_object_history(history):
    line, feature = history
    assert [r.action for r in selectors.object_history(instance=line)] == ["update", "create"]
    assert len(selectors.object_history(instance=line, limit=1)) == 1
    assert [r.action for r in selectors.object_history(instance=feature)] == ["delete"]
