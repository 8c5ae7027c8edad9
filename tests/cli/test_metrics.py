"""`pilothouse metrics sync [METRIC]`: in process against the test database, one line
per metric and a summary; exit code 1 with one line per failure."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import pytest

from pilothouse.cli import main
from pilothouse.metrics.models import DataSource, MetricSync, MetricValue, SyncTrigger
from tests.metrics.factories import MetricFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 3, 16)

QUERY = (
    "SELECT DATE '2026-03-16' - CAST(i AS INTEGER) AS period_start, i * 1.5 AS value "
    "FROM range(3) t(i) WHERE DATE '2026-03-16' - CAST(i AS INTEGER) "
    "BETWEEN :period_start AND :period_end"
)


@pytest.fixture
def today(monkeypatch):
    """The site's today, pinned (the query's dates are fixed)."""
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: TODAY)
    return TODAY


@pytest.fixture
def source(db):
    return DataSource.objects.create(name="Memory", kind="duckdb")


@pytest.fixture
def signups(source):
    return MetricFactory(key="signups", name="Signups", source=source, query=QUERY)


def run(capsys, *args):
    code = main(["metrics", "sync", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_one_metric_by_key(capsys, today, signups):
    code, out, err = run(capsys, "signups")
    assert code == 0, err
    lines = out.strip().splitlines()
    assert lines[0].startswith("✓ signups: 3 rows, 3 values written (2023-03-16 to 2026-03-16, ")
    assert lines[1] == "Synced 1 metric: 1 succeeded, 0 failed."
    assert err == ""
    run_row = MetricSync.objects.get()
    assert run_row.trigger == SyncTrigger.COMMAND
    assert run_row.triggered_by is None
    assert MetricValue.objects.filter(metric=signups).count() == 3


def test_one_metric_by_id_and_a_period(capsys, today, signups):
    code, out, _err = run(capsys, str(signups.pk), "--from", "2026-03-15", "--to", "2026-03-15")
    assert code == 0
    assert "1 rows, 1 values written (2026-03-15 to 2026-03-15" in out
    assert list(MetricValue.objects.values_list("value", flat=True)) == [1.5]


def test_every_metric_with_a_query_and_a_failure(capsys, today, source, signups):
    MetricFactory(key="broken", source=source, query="SELECT nope")
    MetricFactory(key="manual")
    code, out, err = run(capsys)
    assert code == 1
    assert "✓ signups: 3 rows" in out
    assert "✗ broken: The query failed:" in out
    assert out.strip().splitlines()[-1] == "Synced 2 metrics: 1 succeeded, 1 failed."
    failures = err.strip().splitlines()
    assert len(failures) == 1
    assert failures[0].startswith("pilothouse: sync of broken failed: The query failed:")
    assert MetricValue.objects.filter(metric=signups).count() == 3  # the other one still ran


def test_json(capsys, today, signups):
    code, out, _err = run(capsys, "signups", "--json")
    assert code == 0
    body = json.loads(out)
    assert body["failed"] == 0
    (summary,) = body["runs"]
    assert summary["metric_id"] == signups.pk
    assert summary["status"] == "succeeded"
    assert (summary["rows"], summary["values_written"]) == (3, 3)


def test_nothing_to_sync(capsys, db):
    code, out, _err = run(capsys)
    assert code == 0
    assert out.strip() == "No metric syncs from a data source; nothing to do."


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nosuch"], "no metric with the key or id 'nosuch'"),
        (["999999"], "no metric with the key or id '999999'"),
        (["manual"], "the metric 'manual' has no data source and query to sync from"),
    ],
)
def test_bad_input_fails_with_one_line(capsys, db, args, message):
    MetricFactory(key="manual")
    code, out, err = run(capsys, *args)
    assert code == 1
    assert out == ""
    assert err.strip() == f"pilothouse: error: {message}"


def test_a_sync_already_running_is_a_failure(capsys, today, signups):
    from django.utils import timezone

    MetricSync.objects.create(
        metric=signups,
        source=signups.source,
        trigger=SyncTrigger.SCHEDULE,
        period_start=signups.created_at.date(),
        period_end=signups.created_at.date(),
        started_at=timezone.now(),
    )
    code, out, err = run(capsys, "signups")
    assert code == 1
    assert "✗ signups: A sync of this metric is running already" in out
    assert err.startswith("pilothouse: sync of signups failed: A sync of this metric is running")


def test_the_command_is_registered():
    result = subprocess.run(
        [sys.executable, "-m", "pilothouse.cli", "metrics", "sync", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "a metric's key or id" in result.stdout
    assert "--from" in result.stdout
    assert "--json" in result.stdout
