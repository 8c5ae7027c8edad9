"""/api/v1/roadmap-snapshots: the diff lists exactly the changes made between two."""

from __future__ import annotations

import datetime as dt
from contextlib import nullcontext

import pytest
from django.utils import timezone

from pilothouse.roadmap import services, snapshots
from pilothouse.roadmap.models import RoadmapSnapshot, SnapshotKind
from tests.api.helpers import assert_error, unchanged
from tests.factories import FeatureFactory, ReleaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def roadmap(world):
    spring = ReleaseFactory(product=world.product, name="Spring", target_date=dt.date(2027, 3, 31))
    summer = ReleaseFactory(product=world.product, name="Summer", target_date=dt.date(2027, 6, 30))
    return {
        "spring": spring,
        "summer": summer,
        "stay": FeatureFactory(product=world.product, title="Stays", horizon="later"),
        "move": FeatureFactory(product=world.product, title="Moves", horizon="next"),
        "slip": FeatureFactory(product=world.product, title="Slips", target_release=spring),
        "drop": FeatureFactory(product=world.product, title="Dropped", horizon="later"),
        "stage": FeatureFactory(product=world.product, title="Starts", horizon="now"),
        "backlog": FeatureFactory(product=world.product, title="Backlog idea"),
    }


def test_the_diff_between_two_snapshots_lists_exactly_the_changes_made(roadmap, admin_api):
    first = admin_api.post("/roadmap-snapshots", {"name": "Before"})
    assert first.status_code == 201
    assert first.json()["item_count"] == 6  # the backlog idea is not on the roadmap

    services.feature_move(actor=None, instance=roadmap["move"], version=None, horizon="now")
    services.feature.update(
        actor=None,
        instance=roadmap["slip"],
        version=None,
        data={"target_release": roadmap["summer"]},
    )
    services.feature.update(
        actor=None, instance=roadmap["drop"], version=None, data={"horizon": ""}
    )
    services.feature.update(
        actor=None, instance=roadmap["stage"], version=None, data={"stage": "candidate"}
    )
    services.feature.update(
        actor=None, instance=roadmap["backlog"], version=None, data={"horizon": "later"}
    )
    second = admin_api.post("/roadmap-snapshots", {"name": "After"}).json()

    answer = admin_api.get(
        f"/roadmap-snapshots/{first.json()['id']}/diff", {"against": second["id"]}
    ).json()
    changes = answer["changes"]
    assert [e["id"] for e in changes["added"]] == [roadmap["backlog"].pk]
    assert [e["id"] for e in changes["removed"]] == [roadmap["drop"].pk]
    moved = {(e["id"], e["field"], e["before"], e["after"]) for e in changes["moved"]}
    assert moved == {
        (roadmap["move"].pk, "horizon", "next", "now"),
        (roadmap["slip"].pk, "release", "Spring", "Summer"),
        (roadmap["slip"].pk, "period", "2027-Q1", "2027-Q2"),
    }
    assert [(e["id"], e["days"]) for e in changes["slipped"]] == [(roadmap["slip"].pk, 91)]
    assert [(e["id"], e["before"], e["after"]) for e in changes["stage_changed"]] == [
        (roadmap["stage"].pk, "idea", "candidate")
    ]
    untouched = {"pulled_in", "scheduled", "unscheduled", "renamed", "owner_changed"}
    assert all(not changes[kind] for kind in untouched)
    assert roadmap["stay"].pk not in {e["id"] for kind in changes.values() for e in kind}


def test_the_diff_against_the_live_roadmap_and_as_markdown(roadmap, admin_api):
    snap = admin_api.post("/roadmap-snapshots", {}).json()
    services.feature_move(actor=None, instance=roadmap["move"], version=None, horizon="now")
    live = admin_api.get(f"/roadmap-snapshots/{snap['id']}/diff").json()
    assert live["after"] is None
    assert live["counts"]["moved"] == 1
    response = admin_api.get(f"/roadmap-snapshots/{snap['id']}/diff", {"format": "markdown"})
    assert response["Content-Type"].startswith("text/markdown")
    text = response.content.decode()
    assert "Moves" in text
    assert "next" in text
    assert "now" in text


def test_changes_since_a_date_use_the_latest_snapshot_taken_by_then(roadmap, admin_api):
    old = snapshots.snapshot_take(actor=None, now=timezone.now() - dt.timedelta(days=40))
    services.feature.update(
        actor=None, instance=roadmap["stay"], version=None, data={"title": "Stays, renamed"}
    )
    day = (timezone.localtime(old.taken_at) + dt.timedelta(days=1)).date()
    answer = admin_api.get("/roadmap-snapshots/since", {"date": day.isoformat()}).json()
    assert answer["before"] == old.pk
    assert [e["id"] for e in answer["changes"]["renamed"]] == [roadmap["stay"].pk]
    too_early = admin_api.get("/roadmap-snapshots/since", {"date": "2001-01-01"})
    assert_error(too_early, 422, "since")


def test_monthly_snapshots_are_taken_once_a_month(roadmap):
    now = timezone.now()
    first = snapshots.monthly_snapshot_take(now=now)
    assert first is not None
    assert first.kind == SnapshotKind.MONTHLY
    assert first.created_by is None
    assert snapshots.monthly_snapshot_take(now=now) is None
    assert RoadmapSnapshot.objects.filter(kind=SnapshotKind.MONTHLY).count() == 1
    next_month = now + dt.timedelta(days=32)
    assert snapshots.monthly_snapshot_take(now=next_month) is not None


def test_the_worker_schedule_takes_the_monthly_snapshot(roadmap):
    from pilothouse.core import schedules

    outcome = schedules.run_due()
    assert outcome["pilothouse.roadmap.snapshots.monthly_snapshot_take"] == "ok"
    assert set(outcome.values()) == {"ok"}  # every other scheduled job ran too
    assert RoadmapSnapshot.objects.filter(kind=SnapshotKind.MONTHLY).count() == 1


@pytest.mark.parametrize(
    ("role", "may"),
    [
        ("admin", True),
        ("product_leader", True),
        ("product_manager", True),
        ("contributor", False),
        ("viewer", False),
    ],
)
def test_who_may_take_and_read_snapshots(role, may, roadmap, make_user, api_as):
    api = api_as(make_user(role, username=f"u-{role}"))
    with nullcontext() if may else unchanged(RoadmapSnapshot):
        response = api.post("/roadmap-snapshots", {"name": "Mine"})
    assert response.status_code == (201 if may else 403)
    assert api.get("/roadmap-snapshots").status_code == 200
