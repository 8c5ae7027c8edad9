"""/api/v1/dependencies: cycles refused with the cycle named, conflicts flagged."""

from __future__ import annotations

import datetime as dt

import pytest

from pilothouse.roadmap.models import Dependency
from tests.api.helpers import assert_error, unchanged
from tests.factories import FeatureFactory, ReleaseFactory

pytestmark = pytest.mark.django_db


def test_a_dependency_that_closes_a_cycle_is_refused_naming_it(world, admin_api):
    a, b, c = (FeatureFactory(product=world.product, title=t) for t in ("Auth", "Billing", "Cart"))
    assert admin_api.post("/dependencies", {"blocker": a.pk, "blocked": b.pk}).status_code == 201
    assert admin_api.post("/dependencies", {"blocker": b.pk, "blocked": c.pk}).status_code == 201
    with unchanged(Dependency):
        response = admin_api.post("/dependencies", {"blocker": c.pk, "blocked": a.pk})
    body = assert_error(response, 422, "blocked")
    message = body["errors"][0]["message"]
    assert "cycle" in message
    assert f"Cart (#{c.pk}) → Auth (#{a.pk}) → Billing (#{b.pk}) → Cart (#{c.pk})" in message


def test_a_feature_cannot_block_itself(world, admin_api):
    with unchanged(Dependency):
        response = admin_api.post(
            "/dependencies", {"blocker": world.feature.pk, "blocked": world.feature.pk}
        )
    assert_error(response, 422, "blocked")


def test_the_same_pair_twice_is_refused(world, admin_api):
    other = FeatureFactory(product=world.product)
    body = {"blocker": other.pk, "blocked": world.feature.pk}
    assert admin_api.post("/dependencies", body).status_code == 201
    with unchanged(Dependency):
        assert admin_api.post("/dependencies", body).status_code == 422


def test_the_pair_of_a_dependency_cannot_be_changed(world, admin_api):
    dep = Dependency.objects.create(blocker=FeatureFactory(), blocked=world.feature)
    response = admin_api.patch(
        f"/dependencies/{dep.pk}", {"blocker": FeatureFactory().pk, "version": 1}
    )
    assert_error(response, 422, "blocker")


def test_a_dependent_scheduled_before_its_blocker_is_flagged(world, admin_api):
    early = ReleaseFactory(product=world.product, name="Early", target_date=dt.date(2026, 3, 1))
    late = ReleaseFactory(product=world.product, name="Late", target_date=dt.date(2026, 9, 1))
    blocker = FeatureFactory(product=world.product, title="Platform", target_release=late)
    blocked = FeatureFactory(product=world.product, title="Widget", target_release=early)
    fine = FeatureFactory(product=world.product, title="Later widget", target_release=late)
    unscheduled = FeatureFactory(product=world.product, title="Someday")
    for dependent in (blocked, fine):
        admin_api.post("/dependencies", {"blocker": blocker.pk, "blocked": dependent.pk})
    admin_api.post("/dependencies", {"blocker": unscheduled.pk, "blocked": fine.pk})

    flagged = admin_api.get(f"/features/{blocked.pk}").json()
    assert flagged["blocked_by"] == [blocker.pk]
    assert flagged["schedule_conflicts"] == [
        "Planned to finish (2026-03-01) before its blocker “Platform” (2026-09-01)"
    ]
    listed = {f["id"]: f for f in admin_api.get("/features", {"limit": 500}).json()["items"]}
    assert listed[blocked.pk]["schedule_conflicts"] == flagged["schedule_conflicts"]
    assert listed[fine.pk]["schedule_conflicts"] == ["Scheduled, but its blocker “Someday” is not"]
    assert listed[blocker.pk]["schedule_conflicts"] == []


def test_a_manager_adds_blockers_only_to_features_they_look_after(world, api_as, make_user):
    other_pm = make_user("product_manager", username="elsewhere")
    with unchanged(Dependency):
        response = api_as(other_pm).post(
            "/dependencies", {"blocker": FeatureFactory().pk, "blocked": world.feature.pk}
        )
    assert_error(response, 403)
    response = api_as(world.pm).post(
        "/dependencies", {"blocker": FeatureFactory().pk, "blocked": world.feature.pk}
    )
    assert response.status_code == 201
