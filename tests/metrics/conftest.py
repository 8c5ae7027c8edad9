"""Fixtures of the metric catalog's tests: a catalog over the web tests' world (tests/web/
world.py), where `pm` looks after "mine" and `other_pm` after "theirs"."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from pilothouse.metrics.models import Metric, MetricTarget, MetricValue
from tests.api.conftest import admin_api, anonymous_api, api_as, pm, world  # noqa: F401
from tests.api.test_permission_matrix import user_for  # noqa: F401
from tests.api.test_query_counts import reader  # noqa: F401
from tests.metrics.factories import MetricFactory
from tests.web.world import World

TODAY = dt.date(2026, 3, 16)  # a Monday


@dataclass
class Catalog:
    world: World
    mine: Metric  # of the product `pm` looks after
    theirs: Metric  # of the product `other_pm` looks after
    loose: Metric  # of no product, owned by nobody


def daily_values(
    metric: Metric,
    *,
    days: int,
    end: dt.date = TODAY,
    start_value=1000.0,
    step=10.0,
    dimension: str = "",
) -> None:
    MetricValue.objects.bulk_create(
        MetricValue(
            metric=metric,
            period_start=end - dt.timedelta(days=days - 1 - i),
            value=start_value + step * i,
            dimension=dimension,
        )
        for i in range(days)
    )


@pytest.fixture
def catalog(web_world) -> Catalog:
    mine = MetricFactory(key="active-users", name="Active users", unit="users", kind="north_star")
    mine.products.add(web_world.mine.product)
    theirs = MetricFactory(
        key="churn", name="Churn", unit="%", direction="lower", aggregation="mean"
    )
    theirs.products.add(web_world.theirs.product)
    loose = MetricFactory(key="uptime", name="Uptime", granularity="month", aggregation="mean")
    # Both at 1,590 on TODAY, rising 10 a day: 1,740 by 31 March. Higher is better for
    # `mine` (on track for 1,700), lower for `theirs` (off track for 1,500).
    for metric, target in ((mine, 1700), (theirs, 1500)):
        daily_values(metric, days=60)
        MetricTarget.objects.create(
            metric=metric, start=dt.date(2026, 1, 1), end=dt.date(2026, 3, 31), value=target
        )
    return Catalog(world=web_world, mine=mine, theirs=theirs, loose=loose)


@pytest.fixture
def today(monkeypatch):
    """Pin the site's today to TODAY for pages and selectors."""
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: TODAY)
    return TODAY
