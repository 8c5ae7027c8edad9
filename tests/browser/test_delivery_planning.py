"""A product leader checks a team's capacity and queue, reads the delivery forecast of a
release, asks the auto-planner for a plan, opens the proposed scenario next to the live
plan and applies it. The live roadmap changes only then, and the change log says who
did it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from pilothouse.core.models import ChangeRecord
from pilothouse.core.roles import Role
from pilothouse.delivery import services as delivery_services
from pilothouse.delivery import workdays
from pilothouse.delivery.models import FeatureAssignment, Team, WorkItem
from pilothouse.roadmap.models import Feature
from pilothouse.scenarios.models import Scenario
from tests.factories import FeatureFactory, ProductFactory, ReleaseFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _quarters(first: dt.date, count: int) -> list[dt.date]:
    starts = [first]
    for _ in range(count - 1):
        starts.append(workdays.period_containing(starts[-1], workdays.QUARTER)[1] + dt.timedelta(1))
    return starts


def test_capacity_forecast_auto_plan_and_apply(page, log_in):
    leader = UserFactory(username="lena", role=Role.PRODUCT_LEADER, first_name="Lena")
    today = timezone.localdate()
    this_quarter = workdays.period_containing(today, workdays.QUARTER)[0]
    quarters = _quarters(this_quarter, 5)
    product = ProductFactory(name="Ledger", key="LDG", owner=leader)
    release = ReleaseFactory(
        product=product, name="Ledger 3.0", target_date=quarters[2] - dt.timedelta(days=1)
    )
    team = Team.objects.create(name="Payments")
    for start in quarters:
        delivery_services.capacity_period.create(
            actor=None,
            data={"team": team, "granularity": "quarter", "start": start, "person_weeks": 12},
        )
    titles = ["Multi-currency ledger", "Bank feeds", "Audit trail"]
    for rank, title in enumerate(titles):
        feature = FeatureFactory(
            product=product,
            title=title,
            stage="planned",
            effort_low=4,
            effort_high=6,
            target_release=release if rank < 2 else None,
        )
        FeatureAssignment.objects.create(feature=feature, team=team, queue_rank=rank)
    monday = today - dt.timedelta(days=today.weekday())
    WorkItem.objects.bulk_create(
        WorkItem(team=team, title=f"story {week}", completed_on=monday - dt.timedelta(weeks=week))
        for week in range(1, 27)
        for _ in range(week % 3)  # 0, 1 or 2 a week: some weeks finish nothing
    )

    log_in("lena")
    page.goto("/teams/")
    page.get_by_role("link", name="Payments").click()
    page.get_by_role("heading", name="Capacity and demand").wait_for()
    queue = page.locator("section", has=page.get_by_role("heading", name="Queue"))
    assert [title for title in titles if queue.get_by_text(title).count()] == titles

    page.goto(f"/roadmap/releases/{release.pk}/")
    panel = page.locator("section", has=page.get_by_role("heading", name="Delivery forecast"))
    panel.get_by_text("P85").wait_for()
    assert "2 features not done" in panel.inner_text()

    page.goto("/scenarios/")
    page.get_by_role("link", name="Auto-plan").click()
    page.get_by_label("Time limit (seconds)").fill("3")
    page.get_by_role("button", name="Plan").click()
    page.get_by_role("heading", name="Auto-plan run").wait_for()
    assert "Optimal" in page.locator(".run-status").inner_text()
    before = {f.pk: (f.horizon, f.target_release_id, f.version) for f in Feature.objects.all()}

    page.get_by_role("link", name="See the proposed scenario").click()
    page.get_by_role("heading", name="Live plan and scenario").wait_for()
    page.get_by_role("heading", name="Demand against capacity").wait_for()
    after_compare = {
        f.pk: (f.horizon, f.target_release_id, f.version) for f in Feature.objects.all()
    }
    assert after_compare == before  # comparing writes nothing

    scenario = Scenario.objects.get()
    assert scenario.changes.exists()
    page.get_by_role("link", name="Apply to the roadmap…").click()
    page.get_by_role("button", name="Apply").click()
    page.get_by_text("Applied").first.wait_for()
    scenario.refresh_from_db()
    assert scenario.status == "applied"
    assert scenario.applied_by == leader
    changed = [
        f for f in Feature.objects.all() if (f.horizon, f.target_release_id) != before[f.pk][:2]
    ]
    assert changed
    logged = ChangeRecord.objects.filter(object_id__in=[f.pk for f in changed], actor=leader)
    assert logged.count() >= len(changed)
