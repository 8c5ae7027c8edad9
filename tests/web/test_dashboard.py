"""The home dashboard: the portfolio at a glance."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from pilothouse.portfolio import services as portfolio_services
from pilothouse.roadmap.models import ReleaseStatus
from pilothouse.strategy.models import ObjectiveStatus
from pilothouse.strategy.selectors import periods_containing
from tests.factories import (
    FeatureFactory,
    KeyResultFactory,
    ObjectiveFactory,
    ProductFactory,
    ReleaseFactory,
)
from tests.web.helpers import assert_same_queries

HOME = reverse("web:home")


def test_products_and_features_are_counted_by_stage(as_user, viewer):
    ProductFactory.create_batch(2, stage="growth")
    product = ProductFactory(stage="sunset")
    FeatureFactory.create_batch(3, product=product, stage="planned")
    response = as_user(viewer).get(HOME)
    assert dict(response.context["products_by_stage"])["Growth"] == 2
    assert dict(response.context["products_by_stage"])["Sunset"] == 1
    assert dict(response.context["features_by_stage"])["Planned"] == 3
    assert response.context["feature_total"] == 3


def test_the_objectives_of_the_current_period_with_their_progress(as_user, viewer):
    today = timezone.localdate()
    quarter = periods_containing(today)[2]
    current = ObjectiveFactory(title="Now", period=quarter, status=ObjectiveStatus.ACTIVE)
    KeyResultFactory(objective=current, start_value=0, target_value=4, current_value=1)
    ObjectiveFactory(title="Long ago", period="2001-Q1")
    response = as_user(viewer).get(HOME)
    assert [(o.title, p) for o, p in response.context["objectives"]] == [("Now", 0.25)]
    assert "25%" in response.content.decode()


def test_releases_due_in_the_next_60_days(as_user, viewer):
    today = timezone.localdate()

    def due(days, **kwargs):
        return ReleaseFactory(target_date=today + datetime.timedelta(days=days), **kwargs)

    soon, later = due(3, name="Soon"), due(60, name="Later")
    due(61, name="Too late")
    due(-1, name="Overdue past")
    due(5, name="Shipped", status=ReleaseStatus.RELEASED)
    response = as_user(viewer).get(HOME)
    assert list(response.context["releases"]) == [soon, later]


def test_the_latest_changes_link_to_their_objects(as_user, leader):
    line = portfolio_services.product_line.create(actor=leader, data={"name": "Payments"})
    response = as_user(leader).get(HOME)
    (record,) = response.context["changes"]
    assert record.object_url == reverse("web:portfolio") + f"#line-{line.pk}"
    assert "Payments" in response.content.decode()


def _grow(n: int) -> None:
    quarter = periods_containing(timezone.localdate())[2]
    for _ in range(n):
        product = ProductFactory()
        FeatureFactory(product=product)
        ReleaseFactory(product=product, target_date=timezone.localdate())
        KeyResultFactory(objective=ObjectiveFactory(period=quarter))


def test_the_dashboard_costs_the_same_queries_for_5_and_50_objects(as_user, viewer):
    _grow(5)
    client = as_user(viewer)
    assert_same_queries(lambda: client.get(HOME), lambda: _grow(45))
