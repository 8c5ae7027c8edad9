"""The demand stored on features follows every write that changes it, once the
transaction commits; feature lists sort and filter by it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction

from pilothouse.core.models import ChangeRecord
from pilothouse.customers import services
from pilothouse.roadmap import services as roadmap_services
from pilothouse.roadmap.models import Feature
from pilothouse.roadmap.services import FeatureDemand
from tests.api.helpers import changes_of
from tests.factories import CustomerFactory, FeatureFactory, NoteFactory, NoteLinkFactory

pytestmark = pytest.mark.django_db

DAY = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)


def stored(feature: Feature) -> FeatureDemand:
    row = Feature.objects.values_list(*Feature.DEMAND_FIELDS).get(pk=feature.pk)
    return FeatureDemand(*row)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed():` runs the on-commit callbacks of the block, as a commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def feature():
    return FeatureFactory()


@pytest.fixture
def acme():
    return CustomerFactory(name="Acme", arr=1000)


def test_linking_a_note_updates_the_feature(leader, feature, acme, committed):
    note = NoteFactory(customer=acme)
    with committed():
        services.note_link.create(
            actor=leader, data={"note": note, "feature": feature, "importance": 3}
        )
    assert stored(feature) == FeatureDemand(3, Decimal(1000), 1, 1)


def test_nothing_is_stored_before_the_commit(
    leader, feature, acme, django_capture_on_commit_callbacks
):
    note = NoteFactory(customer=acme)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.note_link.create(actor=leader, data={"note": note, "feature": feature})
    assert stored(feature) == FeatureDemand()
    assert len(callbacks) == 1
    callbacks[0]()
    assert stored(feature) == FeatureDemand(1, Decimal(1000), 1, 1)


def test_a_rolled_back_link_changes_nothing(leader, feature, acme, committed):
    note = NoteFactory(customer=acme)
    with committed() as callbacks, transaction.atomic():
        services.note_link.create(actor=leader, data={"note": note, "feature": feature})
        transaction.set_rollback(True)
    assert callbacks == []
    assert stored(feature) == FeatureDemand()


def test_changing_and_moving_and_removing_a_link(leader, feature, acme, committed):
    other = FeatureFactory()
    with committed():
        made = services.note_link.create(
            actor=leader, data={"note": NoteFactory(customer=acme), "feature": feature}
        )
    with committed():
        made = services.note_link.update(
            actor=leader, instance=made, version=1, data={"importance": 2}
        )
    assert stored(feature).importance == 2
    with committed():
        made = services.note_link.update(
            actor=leader, instance=made, version=2, data={"feature": other}
        )
    assert stored(feature) == FeatureDemand()
    assert stored(other) == FeatureDemand(2, Decimal(1000), 1, 1)
    with committed():
        services.note_link.delete(actor=leader, instance=made)
    assert stored(other) == FeatureDemand()


def test_a_note_changing_customer_or_date(leader, feature, acme, committed):
    globex = CustomerFactory(arr=500)
    early = NoteFactory(customer=acme, submitted_at=DAY)
    late = NoteFactory(customer=acme, submitted_at=DAY + dt.timedelta(days=3))
    NoteLinkFactory(note=early, feature=feature, importance=3)
    NoteLinkFactory(note=late, feature=feature, importance=1)
    services.demand_recompute([feature.pk])
    assert stored(feature) == FeatureDemand(1, Decimal(1000), 2, 1)
    # The early note becomes the latest: critical counts.
    with committed():
        services.note.update(
            actor=leader,
            instance=early,
            version=1,
            data={"submitted_at": DAY + dt.timedelta(days=9)},
        )
    assert stored(feature).importance == 3
    # It moves to another customer: two customers now.
    with committed():
        early = services.note.update(
            actor=leader, instance=early, version=2, data={"customer": globex}
        )
    assert stored(feature) == FeatureDemand(3 + 1, Decimal(1500), 2, 2)
    # Without a customer it counts on its own.
    with committed():
        services.note.update(actor=leader, instance=early, version=3, data={"customer": None})
    assert stored(feature) == FeatureDemand(3 + 1, Decimal(1000), 2, 1)


def test_deleting_a_note(leader, feature, acme, committed):
    note = NoteFactory(customer=acme)
    NoteLinkFactory(note=note, feature=feature, importance=2)
    services.demand_recompute([feature.pk])
    with committed():
        services.note.delete(actor=leader, instance=note)
    assert stored(feature) == FeatureDemand()


def test_a_customers_arr(leader, feature, acme, committed):
    NoteLinkFactory(note=NoteFactory(customer=acme), feature=feature)
    services.demand_recompute([feature.pk])
    with committed():
        services.customer.update(
            actor=leader, instance=acme, version=1, data={"arr": Decimal("2500.50")}
        )
    assert stored(feature).arr == Decimal("2500.50")
    # Other fields of the customer do not touch demand: no recomputation at all.
    with committed() as callbacks:
        services.customer.update(actor=leader, instance=acme, version=2, data={"plan": "Pro"})
    assert callbacks == []


def test_deleting_a_customer_leaves_its_notes_counting_alone(leader, feature, acme, committed):
    for importance in (3, 2):
        NoteLinkFactory(note=NoteFactory(customer=acme), feature=feature, importance=importance)
    services.demand_recompute([feature.pk])
    assert stored(feature).importance in {2, 3}
    with committed():
        services.customer.delete(actor=leader, instance=acme)
    assert stored(feature) == FeatureDemand(3 + 2, Decimal(0), 2, 0)


def test_recompute_all_repairs_every_feature(feature, acme):
    NoteLinkFactory(note=NoteFactory(customer=acme), feature=feature, importance=2)
    untouched = FeatureFactory()
    roadmap_services.feature_demand_set(demand={untouched.pk: FeatureDemand(9, Decimal(9), 9, 9)})
    assert services.demand_recompute_all() == 2
    assert stored(feature) == FeatureDemand(2, Decimal(1000), 1, 1)
    assert stored(untouched) == FeatureDemand()
    assert services.demand_recompute_all() == 0  # nothing left to change


def test_storing_demand_is_no_edit(feature):
    before = Feature.objects.get(pk=feature.pk)
    records = ChangeRecord.objects.count()
    roadmap_services.feature_demand_set(
        demand={feature.pk: FeatureDemand(5, Decimal("10.5"), 2, 1), 987654: FeatureDemand()}
    )
    after = Feature.objects.get(pk=feature.pk)
    assert (after.version, after.updated_at) == (before.version, before.updated_at)
    assert ChangeRecord.objects.count() == records
    assert stored(feature) == FeatureDemand(5, Decimal("10.5"), 2, 1)


def test_editing_a_feature_keeps_its_demand_and_logs_none_of_it(leader, feature):
    from pilothouse.roadmap import services as roadmap

    roadmap_services.feature_demand_set(demand={feature.pk: FeatureDemand(5, Decimal(7), 2, 1)})
    roadmap.feature.update(actor=leader, instance=feature, version=1, data={"title": "Renamed"})
    assert stored(feature) == FeatureDemand(5, Decimal(7), 2, 1)
    record = changes_of(Feature, feature.pk).get()
    assert set(record.after) == {"title"}


# --- the feature list API ------------------------------------------------------------


@pytest.fixture
def ranked():
    rows = [("low", 1, 100, 1), ("high", 9, 50, 3), ("rich", 4, 90_000, 2), ("none", 0, 0, 0)]
    made = {}
    for title, importance, arr, requests in rows:
        made[title] = FeatureFactory(title=title)
        roadmap_services.feature_demand_set(
            demand={made[title].pk: FeatureDemand(importance, Decimal(arr), requests, 1)}
        )
    return made


def titles(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["title"] for item in response.json()["items"]]


def test_features_sort_by_demand(admin_api, ranked):
    assert titles(admin_api.get("/features", {"ordering": "-demand_importance"})) == [
        "high",
        "rich",
        "low",
        "none",
    ]
    assert titles(admin_api.get("/features", {"ordering": "-demand_arr"}))[0] == "rich"
    assert titles(admin_api.get("/features", {"ordering": "demand_requests"}))[0] == "none"


def test_features_filter_by_demand(admin_api, ranked):
    assert set(titles(admin_api.get("/features", {"min_importance": 4}))) == {"high", "rich"}
    assert titles(admin_api.get("/features", {"min_arr_demand": "1000"})) == ["rich"]
    assert set(titles(admin_api.get("/features", {"min_requests": 2}))) == {"high", "rich"}
    response = admin_api.get("/features", {"min_arr_demand": "lots"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "min_arr_demand"


def test_the_demand_of_a_feature_is_read_only(admin_api, ranked):
    feature = ranked["rich"]
    body = admin_api.get(f"/features/{feature.pk}").json()
    assert (body["demand_importance"], body["demand_arr"], body["demand_requests"]) == (
        4,
        "90000.00",
        2,
    )
    response = admin_api.patch(
        f"/features/{feature.pk}", {"demand_arr": "1", "demand_importance": 0, "version": 1}
    )
    assert response.status_code == 200
    assert response.json()["version"] == 1  # nothing the client may set changed
    assert stored(feature).arr == Decimal(90_000)
