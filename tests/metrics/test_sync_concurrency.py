"""Two syncs of one metric started at the same moment: one runs, the other is told a
sync is running (on PostgreSQL with real threads and the advisory lock; on SQLite
through its IMMEDIATE write transactions). Syncs of different metrics run side by side."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from pilothouse.metrics import sync
from pilothouse.metrics.models import DataSource, MetricSync, MetricValue, SyncStatus
from tests.metrics.factories import MetricFactory

# Slow enough that the second sync starts while the first runs (about a second).
SLOW_QUERY = (
    "SELECT DATE '2026-03-16' AS period_start, count(*) AS value "
    "FROM range(50000) a, range(50000) b WHERE :period_start <= DATE '2026-03-16'"
)


def race(metrics) -> list[str]:
    start = threading.Barrier(len(metrics))
    outcomes: list[str] = []

    def attempt(metric) -> None:
        try:
            start.wait()
            run = sync.metric_sync(metric=metric, trigger="command")
            outcomes.append(run.status)
        except sync.SyncRunning:
            outcomes.append("busy")
        except Exception as exc:
            outcomes.append(repr(exc))
        finally:
            connection.close()

    workers = [threading.Thread(target=attempt, args=(metric,)) for metric in metrics]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    return sorted(outcomes)


@pytest.mark.django_db(transaction=True)
def test_two_syncs_of_one_metric_at_once_run_one():
    source = DataSource.objects.create(name="Memory", kind="duckdb", timeout_seconds=60)
    metric = MetricFactory(source=source, query=SLOW_QUERY)
    assert race([metric, metric]) == ["busy", SyncStatus.SUCCEEDED]
    assert MetricSync.objects.filter(metric=metric).count() == 1
    assert MetricValue.objects.filter(metric=metric).count() == 1


@pytest.mark.django_db(transaction=True)
def test_syncs_of_two_metrics_run_side_by_side():
    source = DataSource.objects.create(name="Memory", kind="duckdb", timeout_seconds=60)
    first = MetricFactory(source=source, query=SLOW_QUERY)
    second = MetricFactory(source=source, query=SLOW_QUERY)
    assert race([first, second]) == [SyncStatus.SUCCEEDED, SyncStatus.SUCCEEDED]
    assert MetricValue.objects.count() == 2
