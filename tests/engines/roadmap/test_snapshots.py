"""Roadmap items, their JSON form, and the diff between two snapshots."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest
from hypothesis import given

from pilothouse.engines.roadmap import (
    CHANGE_KINDS,
    TRACKED_FIELDS,
    EndChange,
    FieldChange,
    RoadmapDiff,
    RoadmapItem,
    diff,
    item_from_json,
    item_to_json,
    items_from_json,
    items_to_json,
)
from tests.engines.roadmap.strategies import roadmap_items, snapshot_pairs


def d(month: int, day: int) -> dt.date:
    return dt.date(2027, month, day)


def item(item_id: int = 1, **changes) -> RoadmapItem:
    fields = {
        "id": item_id,
        "title": f"Feature {item_id}",
        "product": "Payments",
        "release": "2027.1",
        "period": "2027-Q1",
        "horizon": "next",
        "stage": "planned",
        "start": d(1, 10),
        "end": d(3, 1),
        "owner": "Ana",
    }
    return RoadmapItem(**(fields | changes))


# --- Items -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"id": "1"}, r"^id: must be an integer id, got '1'"),
        ({"id": False}, r"^id: must be an integer id"),
        ({"title": "  "}, r"^title \(item 1\): must not be empty"),
        ({"title": None}, r"^title \(item 1\): must be a string, got NoneType"),
        ({"product": ""}, r"^product \(item 1\): must not be empty"),
        ({"release": ""}, r"^release \(item 1\): must not be empty"),
        ({"release": 3}, r"^release \(item 1\): must be a string"),
        ({"period": "Q1 2027"}, r"^period \(item 1\): must look like 2027, 2027-H1"),
        ({"period": "2027-13"}, r"^period \(item 1\)"),
        ({"period": "2027-Q5"}, r"^period \(item 1\)"),
        ({"horizon": "soon"}, r"^horizon \(item 1\): must be one of now, next, later or None"),
        ({"stage": ""}, r"^stage \(item 1\): must not be empty"),
        ({"start": "2027-01-01"}, r"^start \(item 1\): must be a date or None"),
        ({"end": dt.datetime(2027, 3, 1, tzinfo=dt.UTC)}, r"^end \(item 1\): must be a date"),
        ({"start": d(3, 2)}, r"^end \(item 1\): 2027-03-01 is before start 2027-03-02"),
        ({"owner": ""}, r"^owner \(item 1\): must not be empty"),
    ],
)
def test_a_bad_item_names_its_field(changes, message):
    with pytest.raises(ValueError, match=message):
        item(**changes)


def test_an_item_may_leave_its_plan_open():
    bare = item(release=None, period=None, horizon=None, start=None, end=None, owner=None)
    assert bare.release is None
    for period in ("2027", "2027-H2", "2027-Q4", "2027-01", "2027-12"):
        assert item(period=period).period == period
    with pytest.raises(AttributeError):
        bare.title = "x"  # type: ignore[misc]


def test_json_form_of_an_item():
    data = item_to_json(item())
    assert data == {
        "id": 1,
        "title": "Feature 1",
        "product": "Payments",
        "release": "2027.1",
        "period": "2027-Q1",
        "horizon": "next",
        "stage": "planned",
        "start": "2027-01-10",
        "end": "2027-03-01",
        "owner": "Ana",
    }
    assert item_from_json(json.loads(json.dumps(data))) == item()
    # Optional fields may be missing (a snapshot older than the field).
    assert item_from_json({"id": 2, "title": "T", "product": "P", "stage": "idea"}) == RoadmapItem(
        2, "T", "P", None, None, None, "idea", None, None, None
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"end": "2027/03/01"}, r"^end \(item 1\): must be an ISO date \(YYYY-MM-DD\) or null"),
        ({"end": "20270301"}, r"^end \(item 1\): must be an ISO date"),
        ({"start": 20270101}, r"^start \(item 1\): must be an ISO date"),
        ({"end": "2027-02-30"}, r"^end \(item 1\): '2027-02-30' is not a day of the calendar"),
        ({"id": "1"}, r"^id: must be an integer id, got '1'"),
        ({"id": 1.0}, r"^id: must be an integer id"),
        ({"title": 5}, r"^title \(item 1\): must be a string, got int"),
        ({"horizon": "NOW"}, r"^horizon \(item 1\)"),
        ({"colour": "red"}, r"^colour: unknown field"),
        ({"start": "2027-03-05"}, r"^end \(item 1\): 2027-03-01 is before start 2027-03-05"),
    ],
)
def test_bad_json_names_the_field(change, message):
    data = item_to_json(item()) | change
    with pytest.raises(ValueError, match=message):
        item_from_json(data)


def test_json_with_a_field_missing_or_not_an_object():
    data = item_to_json(item())
    del data["stage"]
    with pytest.raises(ValueError, match=r"^stage: required field missing"):
        item_from_json(data)
    with pytest.raises(ValueError, match=r"^item: must be a JSON object, got list"):
        item_from_json([1, "T"])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"^item: must be a RoadmapItem"):
        item_to_json({"id": 1})  # type: ignore[arg-type]


def test_a_whole_snapshot_round_trips_and_errors_name_the_position():
    snapshot = (item(1), item(2, end=None, start=None))
    assert items_from_json(json.loads(json.dumps(items_to_json(snapshot)))) == snapshot
    stored = items_to_json(snapshot)
    stored[1]["end"] = "soon"
    with pytest.raises(ValueError, match=r"^items\[1\]\.end \(item 2\): must be an ISO date"):
        items_from_json(stored)
    with pytest.raises(ValueError, match=r"^items\[1\]\.id: duplicate item id 1"):
        items_from_json([item_to_json(item(1)), item_to_json(item(1))])
    with pytest.raises(ValueError, match=r"^items: must be a JSON array"):
        items_from_json({"id": 1})  # type: ignore[arg-type]


@given(roadmap_items(7))
def test_any_item_round_trips_through_json(original):
    assert item_from_json(json.loads(json.dumps(item_to_json(original)))) == original


# --- diff: worked examples ---------------------------------------------------------------


def test_nothing_changed():
    result = diff(before=[item(1), item(2)], after=[item(2), item(1)])
    assert result.is_empty
    assert result == RoadmapDiff()
    assert result.counts == dict.fromkeys(CHANGE_KINDS, 0)
    assert result.changed_ids == frozenset()
    assert diff(before=[], after=[]).is_empty


def test_added_and_removed():
    result = diff(before=[item(1), item(2)], after=[item(2), item(3)])
    assert result.added == (item(3),)
    assert result.removed == (item(1),)
    assert not result.is_empty
    assert result.counts["added"] == result.counts["removed"] == 1
    assert result.changed_ids == {1, 3}


def test_moved_release_period_horizon_and_product():
    after = item(release="2027.2", period="2027-Q2", horizon="later", product="Billing")
    result = diff(before=[item()], after=[after])
    assert result.moved == (
        FieldChange(1, "Feature 1", "Billing", "product", "Payments", "Billing"),
        FieldChange(1, "Feature 1", "Billing", "release", "2027.1", "2027.2"),
        FieldChange(1, "Feature 1", "Billing", "period", "2027-Q1", "2027-Q2"),
        FieldChange(1, "Feature 1", "Billing", "horizon", "next", "later"),
    )
    taken_out = diff(before=[item()], after=[item(release=None)])
    assert taken_out.moved == (FieldChange(1, "Feature 1", "Payments", "release", "2027.1", None),)


def test_slipped_and_pulled_in():
    result = diff(before=[item(1), item(2)], after=[item(1, end=d(3, 15)), item(2, end=d(2, 26))])
    assert result.slipped == (EndChange(1, "Feature 1", "Payments", d(3, 1), d(3, 15)),)
    assert result.slipped[0].days == 14
    assert result.pulled_in == (EndChange(2, "Feature 2", "Payments", d(3, 1), d(2, 26)),)
    assert result.pulled_in[0].days == 3


def test_scheduled_and_unscheduled():
    before = [item(1, start=None, end=None), item(2)]
    after = [item(1, start=None), item(2, end=None)]
    result = diff(before=before, after=after)
    assert result.scheduled == (EndChange(1, "Feature 1", "Payments", None, d(3, 1)),)
    assert result.unscheduled == (EndChange(2, "Feature 2", "Payments", d(3, 1), None),)
    assert result.scheduled[0].days is None
    assert result.slipped == result.pulled_in == ()


def test_stage_rename_and_owner():
    after = item(stage="in_progress", title="Feature one", owner=None)
    result = diff(before=[item()], after=[after])
    assert result.stage_changed == (
        FieldChange(1, "Feature one", "Payments", "stage", "planned", "in_progress"),
    )
    assert result.renamed == (
        FieldChange(1, "Feature one", "Payments", "title", "Feature 1", "Feature one"),
    )
    assert result.owner_changed == (
        FieldChange(1, "Feature one", "Payments", "owner", "Ana", None),
    )
    # A change of case is a rename.
    assert diff(before=[item()], after=[item(title="FEATURE 1")]).renamed[0].before == "Feature 1"


def test_an_item_can_be_in_several_lists():
    result = diff(before=[item()], after=[item(release="2027.2", end=d(4, 1))])
    assert [e.field for e in result.moved] == ["release"]
    assert [e.id for e in result.slipped] == [1]
    assert result.changed_ids == {1}


def test_a_change_of_start_alone_is_not_reported():
    assert diff(before=[item()], after=[item(start=d(2, 1))]).is_empty


def test_lists_are_sorted_by_product_then_title_then_id():
    after = [
        item(5, product="payments", title="b"),
        item(4, product="Billing", title="z"),
        item(3, product="Payments", title="a"),
        item(2, product="Payments", title="A"),
        item(1, product="Payments", title="A"),
    ]
    result = diff(before=[], after=after)
    assert [i.id for i in result.added] == [4, 1, 2, 3, 5]


def test_diff_checks_its_input():
    with pytest.raises(ValueError, match=r"^after\[1\]\.id: duplicate item id 1"):
        diff(before=[], after=[item(1), item(1)])
    with pytest.raises(ValueError, match=r"^before\[0\]: must be a RoadmapItem, got dict"):
        diff(before=[{"id": 1}], after=[])
    with pytest.raises(TypeError):
        diff([item()], [item()])  # type: ignore[misc]


# --- diff: properties --------------------------------------------------------------------


def _apply(before: list[RoadmapItem], changes: RoadmapDiff) -> dict[int, dict[str, object]]:
    """Replay the recorded changes on `before`, field by field, checking each `before`."""
    state = {i.id: {name: getattr(i, name) for name in TRACKED_FIELDS} for i in before}
    for gone in changes.removed:
        del state[gone.id]
    for new in changes.added:
        assert new.id not in state
        state[new.id] = {name: getattr(new, name) for name in TRACKED_FIELDS}
    entries = [
        *(
            (e, e.field)
            for kind in ("moved", "stage_changed", "renamed", "owner_changed")
            for e in getattr(changes, kind)
        ),
        *(
            (e, "end")
            for kind in ("slipped", "pulled_in", "scheduled", "unscheduled")
            for e in getattr(changes, kind)
        ),
    ]
    for entry, name in entries:
        assert state[entry.id][name] == entry.before
        assert entry.before != entry.after
        state[entry.id][name] = entry.after
    return state


@given(snapshot_pairs())
def test_a_snapshot_diffed_with_itself_is_empty(pair):
    before, _ = pair
    assert diff(before=before, after=list(reversed(before))).is_empty


@given(snapshot_pairs())
def test_added_and_removed_are_the_symmetric_difference(pair):
    before, after = pair
    result = diff(before=before, after=after)
    old, new = {i.id for i in before}, {i.id for i in after}
    assert {i.id for i in result.added} == new - old
    assert {i.id for i in result.removed} == old - new
    assert {i.id for i in (*result.added, *result.removed)} == old ^ new


@given(snapshot_pairs())
def test_replaying_the_changes_on_before_gives_after(pair):
    before, after = pair
    result = diff(before=before, after=after)
    expected = {i.id: {name: getattr(i, name) for name in TRACKED_FIELDS} for i in after}
    assert _apply(before, result) == expected
    now = {i.id: i for i in after}
    for kind in CHANGE_KINDS[2:]:
        for entry in getattr(result, kind):
            assert (entry.title, entry.product) == (now[entry.id].title, now[entry.id].product)


@given(snapshot_pairs())
def test_each_list_is_sorted_and_the_counts_add_up(pair):
    before, after = pair
    result = diff(before=before, after=after)
    for kind in CHANGE_KINDS:
        entries = getattr(result, kind)
        keys = [
            (e.product.casefold(), e.product, e.title.casefold(), e.title, e.id) for e in entries
        ]
        assert keys == sorted(keys)
        assert result.counts[kind] == len(entries)
    for entry in (*result.slipped, *result.pulled_in):
        assert entry.days == abs((entry.after - entry.before).days) > 0
    assert result.is_empty == (sum(result.counts.values()) == 0)
    assert dataclasses.replace(result) == result
