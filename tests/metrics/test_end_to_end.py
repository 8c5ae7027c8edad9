"""A metric defined by SQL on a real database, synced by the worker, and the key result
that follows it: set up as a leader would (data source, metric, objective, binding) and
read back as anyone would (the API's progress and the objective's page).

The database is the suite's own kind: under scripts/with-postgres a PostgreSQL database
of its own on the throw-away server (see tests/metrics/sources/conftest.py), otherwise a
SQLite file, each reached through its SQLAlchemy URL."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from pilothouse.core import schedules
from pilothouse.metrics import services, source_services
from pilothouse.metrics.models import MetricSync, MetricValue, SyncStatus
from pilothouse.strategy.models import KeyResult
from tests.factories import ObjectiveFactory
from tests.metrics.sources.conftest import ROWS, sql_database  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

QUERY = (
    "SELECT day AS period_start, SUM(count) AS value FROM daily "
    "WHERE day BETWEEN :period_start AND :period_end GROUP BY day"
)


def test_a_sql_metric_syncs_through_the_worker_and_drives_its_key_result(
    sql_database,  # noqa: F811
    leader,
    admin_api,
    as_user,
    today,
):
    source = source_services.data_source.create(
        actor=leader,
        data={"name": "Warehouse", "kind": "sqlalchemy", "url": sql_database.url},
    )
    metric = services.metric.create(
        actor=leader,
        data={
            "key": "orders",
            "name": "Orders",
            "source": source,
            "query": QUERY,
            "sync_interval": "daily",
        },
    )
    objective = ObjectiveFactory(title="Sell more in January", period="2025-01")
    key_result = KeyResult.objects.create(
        objective=objective, title="2,000 orders", start_value=0, target_value=2000
    )
    services.key_result_metric.create(
        actor=leader,
        data={"key_result": key_result, "metric": metric, "reading": "period_sum"},
    )

    outcome = schedules.run_due()  # what `pilothouse worker` runs every few minutes

    assert set(outcome.values()) == {"ok"}
    run = MetricSync.objects.get(metric=metric)
    assert run.status == SyncStatus.SUCCEEDED, run.error
    by_day: dict[dt.date, int] = {}
    for day, _segment, count in ROWS:
        by_day[day] = by_day.get(day, 0) + count
    assert dict(MetricValue.objects.filter(metric=metric).values_list("period_start", "value")) == {
        day: float(total) for day, total in by_day.items()
    }
    january = sum(by_day.values())  # every row is in January 2025
    key_result.refresh_from_db()
    assert float(key_result.current_value) == january
    answer = admin_api.get(f"/key-results/{key_result.pk}").json()
    assert answer["progress"] == pytest.approx(january / 2000)
    page = as_user(leader).get(reverse("web:objective_detail", args=[objective.pk]))
    assert page.status_code == 200
    assert f"{round(100 * january / 2000)}%" in page.content.decode()
