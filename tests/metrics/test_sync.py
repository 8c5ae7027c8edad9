"""Syncing metric values from a query (metrics.sync): the window, the run log, values
written all or nothing, one metric's failure not stopping the others, the schedule,
syncs on demand through the worker's task, and two syncs of one metric never at once."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from pilothouse.core import schedules
from pilothouse.core.roles import Role
from pilothouse.metrics import services, sync, tasks
from pilothouse.metrics.models import (
    DataSource,
    Metric,
    MetricSync,
    MetricValue,
    SyncStatus,
    SyncTrigger,
)
from tests.metrics.conftest import TODAY
from tests.metrics.factories import MetricFactory, MetricValueFactory

pytestmark = pytest.mark.django_db

FIRST = TODAY - dt.timedelta(days=20)  # the CSV's first day


def write_csv(folder, rows) -> str:
    path = folder / "daily.csv"
    path.write_text(
        "day,segment,n\n"
        + "".join(f"{day.isoformat()},{segment},{n}\n" for day, segment, n in rows)
    )
    return str(path)


@pytest.fixture
def csv_rows():
    return [
        (FIRST + dt.timedelta(days=i), segment, i + (100 if segment == "ios" else 0))
        for i in range(21)
        for segment in ("web", "ios")
    ]


@pytest.fixture
def source(tmp_path, csv_rows) -> DataSource:
    write_csv(tmp_path, csv_rows)
    return DataSource.objects.create(name="Exports", kind="duckdb", files_folder=str(tmp_path))


def query_of(source: DataSource, *, by_segment: bool = False) -> str:
    csv = f"{source.files_folder}/daily.csv"
    if by_segment:
        return (
            f"SELECT day AS period_start, n AS value, segment AS dimension FROM read_csv('{csv}') "
            "WHERE day BETWEEN :period_start AND :period_end"
        )
    return (
        f"SELECT day AS period_start, sum(n) AS value FROM read_csv('{csv}') "
        "WHERE day BETWEEN :period_start AND :period_end GROUP BY day"
    )


@pytest.fixture
def metric(source) -> Metric:
    return MetricFactory(
        key="signups", source=source, query=query_of(source), sync_interval="daily"
    )


def values_of(metric: Metric) -> dict[tuple[dt.date, str], float]:
    return {
        (v.period_start, v.dimension): v.value for v in MetricValue.objects.filter(metric=metric)
    }


# --- the window --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("granularity", "last_value", "start"),
    [
        ("day", None, dt.date(2023, 3, 16)),
        ("week", None, dt.date(2023, 3, 13)),  # the Monday of that week
        ("month", None, dt.date(2023, 3, 1)),
        ("day", dt.date(2026, 3, 10), dt.date(2026, 3, 8)),  # 11 March less 3 days
        ("week", dt.date(2026, 3, 2), dt.date(2026, 2, 9)),  # its week less 3 weeks
        ("month", dt.date(2026, 2, 1), dt.date(2025, 11, 1)),  # its month less 3 months
        ("day", dt.date(2026, 6, 1), TODAY),  # a value in the future: no later than today
    ],
)
def test_the_window(granularity, last_value, start):
    assert sync.sync_window(granularity=granularity, last_value=last_value, today=TODAY) == (
        start,
        TODAY,
    )


def test_three_years_back_from_a_leap_day():
    first, _ = sync.sync_window(granularity="day", last_value=None, today=dt.date(2024, 2, 29))
    assert first == dt.date(2021, 2, 28)


# --- a sync and its run log --------------------------------------------------------------------


def test_a_first_sync_writes_every_value_and_logs_the_run(today, metric, csv_rows):
    run = sync.metric_sync(metric=metric, trigger=SyncTrigger.COMMAND)
    assert run.status == SyncStatus.SUCCEEDED, run.error
    assert (run.period_start, run.period_end) == (dt.date(2023, 3, 16), TODAY)
    assert run.rows == 21
    assert run.values_written == 21
    assert run.error == ""
    assert run.duration_ms is not None
    assert run.finished_at is not None
    assert run.source_id == metric.source_id
    assert run.trigger == SyncTrigger.COMMAND
    stored = values_of(metric)
    assert stored[(FIRST, "")] == 0 + 100
    assert stored[(TODAY, "")] == 20 + 120
    assert set(MetricValue.objects.filter(metric=metric).values_list("origin", flat=True)) == {
        "sync"
    }
    metric.refresh_from_db()
    assert metric.last_synced_at == run.finished_at
    assert metric.version == 1  # bookkeeping: no new version of the metric


def test_a_sync_with_dimensions(today, source):
    metric = MetricFactory(source=source, query=query_of(source, by_segment=True))
    run = sync.metric_sync(metric=metric, trigger=SyncTrigger.MANUAL)
    assert run.status == SyncStatus.SUCCEEDED, run.error
    stored = values_of(metric)
    assert len(stored) == 42
    assert stored[(FIRST, "ios")] == 100
    assert stored[(FIRST, "web")] == 0


def test_a_later_sync_rereads_its_window_and_replaces_it(today, metric, source, csv_rows):
    sync.metric_sync(metric=metric, trigger=SyncTrigger.COMMAND)
    # The export is corrected: yesterday's web count changes, the day before vanishes.
    yesterday, before = TODAY - dt.timedelta(days=1), TODAY - dt.timedelta(days=2)
    changed = [
        (day, seg, 999 if (day, seg) == (yesterday, "web") else n)
        for day, seg, n in csv_rows
        if day != before
    ]
    write_csv(Path(source.files_folder), changed)
    run = sync.metric_sync(metric=metric, trigger=SyncTrigger.COMMAND)
    assert run.status == SyncStatus.SUCCEEDED, run.error
    # the window: from the day after the last value (today), less three days
    assert run.period_start == TODAY - dt.timedelta(days=2)
    stored = values_of(metric)
    assert stored[(yesterday, "")] == 999 + 119
    assert (before, "") not in stored
    assert run.rows == 2
    assert run.values_written == 1  # yesterday changed; today was the same


def test_an_explicit_period(today, metric):
    run = sync.metric_sync(
        metric=metric,
        trigger=SyncTrigger.COMMAND,
        period_start=TODAY - dt.timedelta(days=4),
        period_end=TODAY - dt.timedelta(days=3),
    )
    assert run.status == SyncStatus.SUCCEEDED
    assert sorted(day for day, _ in values_of(metric)) == [
        TODAY - dt.timedelta(days=4),
        TODAY - dt.timedelta(days=3),
    ]
    with pytest.raises(ValidationError, match="ends before it starts"):
        sync.metric_sync(
            metric=metric,
            trigger=SyncTrigger.COMMAND,
            period_start=TODAY,
            period_end=TODAY - dt.timedelta(days=1),
        )


def test_a_week_metric_aligns_the_period_asked_for(today, source):
    metric = MetricFactory(
        granularity="week",
        source=source,
        query=(
            f"SELECT date_trunc('week', day)::DATE AS period_start, sum(n) AS value "
            f"FROM read_csv('{source.files_folder}/daily.csv') "
            "WHERE day BETWEEN :period_start AND :period_end GROUP BY ALL"
        ),
    )
    run = sync.metric_sync(
        metric=metric, trigger=SyncTrigger.COMMAND, period_start=dt.date(2026, 3, 4)
    )
    assert run.period_start == dt.date(2026, 3, 2)  # the Monday
    assert run.status == SyncStatus.SUCCEEDED, run.error
    assert sorted(values_of(metric)) == [
        (dt.date(2026, 3, 2), ""),
        (dt.date(2026, 3, 9), ""),
        (dt.date(2026, 3, 16), ""),
    ]


# --- failures: a clear message, nothing stored half-way ---------------------------------------


def test_a_bad_row_stores_nothing_and_names_the_row(today, source):
    metric = MetricFactory(
        source=source,
        query=(
            "SELECT * FROM (VALUES (DATE '2026-03-10', 1.0), (DATE '2026-03-11', NULL)) "
            "AS t(period_start, value) WHERE period_start >= :period_start"
        ),
    )
    MetricValueFactory(metric=metric, period_start=dt.date(2026, 3, 10), value=5.0)
    run = sync.metric_sync(metric=metric, trigger=SyncTrigger.COMMAND)
    assert run.status == SyncStatus.FAILED
    assert run.error == "row 2, column value: is empty (NULL)"
    assert run.rows == 2
    assert run.values_written == 0
    assert values_of(metric) == {(dt.date(2026, 3, 10), ""): 5.0}
    metric.refresh_from_db()
    assert metric.last_synced_at is None


def test_rows_the_catalog_refuses_store_nothing_and_name_the_query_row(today, source):
    metric = MetricFactory(
        granularity="week",
        source=source,
        query=(
            "SELECT * FROM (VALUES (DATE '2026-03-09', 1.0), (DATE '2026-03-11', 2.0)) "
            "AS t(period_start, value) WHERE period_start >= :period_start"
        ),
    )
    run = sync.metric_sync(metric=metric, trigger=SyncTrigger.COMMAND)
    assert run.status == SyncStatus.FAILED
    assert run.error.startswith("row 2, column period_start:")
    assert not MetricValue.objects.filter(metric=metric).exists()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("SELECT nope", "The query failed:"),
        ("DELETE FROM t", "Only a SELECT query"),
        ("SELECT 1 AS a, 2 AS b", "must return the columns period_start, value"),
        (
            "SELECT DATE '2026-03-10' AS period_start, count(*) AS value "
            "FROM range(100000000) a, range(100000000) b",
            "longer than the source's time-out of 1 s",
        ),
    ],
)
def test_a_failing_query_is_in_the_run_log(today, source, query, message):
    source.timeout_seconds = 1
    source.save()
    metric = MetricFactory(source=source, query=query)
    run = sync.metric_sync(metric=metric, trigger=SyncTrigger.COMMAND)
    assert run.status == SyncStatus.FAILED
    assert message in run.error
    stored = MetricSync.objects.get(pk=run.pk)
    assert (stored.status, stored.error) == (SyncStatus.FAILED, run.error)
    assert stored.finished_at is not None
    assert stored.duration_ms is not None


def test_a_metric_without_a_query_does_not_sync(today):
    metric = MetricFactory()
    with pytest.raises(ValidationError, match="has no data source and query"):
        sync.metric_sync(metric=metric, trigger=SyncTrigger.COMMAND)
    assert not MetricSync.objects.exists()


def test_a_large_result_is_written_in_parts_all_or_nothing(today, metric, monkeypatch):
    monkeypatch.setattr(services, "MAX_VALUES", 5)
    run = sync.metric_sync(metric=metric, trigger=SyncTrigger.COMMAND)
    assert run.status == SyncStatus.SUCCEEDED, run.error
    assert run.values_written == 21
    assert len(values_of(metric)) == 21
    # a re-sync whose last part is refused leaves every part as it was
    MetricValue.objects.filter(metric=metric).update(value=-1)
    real = services.metric_values_upsert
    calls = []

    def refuse_the_third(**kwargs):
        calls.append(kwargs["replace_range"])
        if len(calls) == 3:
            raise ValidationError({"value": "refused for the test"})
        return real(**kwargs)

    monkeypatch.setattr(services, "metric_values_upsert", refuse_the_third)
    run = sync.metric_sync(
        metric=metric, trigger=SyncTrigger.COMMAND, period_start=FIRST, period_end=TODAY
    )
    assert run.status == SyncStatus.FAILED
    assert "refused for the test" in run.error
    assert set(values_of(metric).values()) == {-1}
    # the parts tile the window without overlapping
    assert calls[0][0] == FIRST
    assert calls[1][0] == calls[0][1] + dt.timedelta(days=1)


def test_the_actor_needs_to_be_allowed_to_change_the_metric(today, metric, make_user):
    run = sync.metric_sync(
        metric=metric, trigger=SyncTrigger.MANUAL, actor=make_user(Role.PRODUCT_MANAGER)
    )
    assert run.status == SyncStatus.FAILED
    assert "You may not change the values of this metric" in run.error
    assert not MetricValue.objects.exists()


# --- the schedule ------------------------------------------------------------------------------


def test_the_scheduled_job_is_registered():
    assert "pilothouse.metrics.sync.metrics_sync_due" in settings.SCHEDULED_JOBS


@pytest.mark.parametrize(
    ("interval", "since_success", "since_attempt", "due"),
    [
        ("off", None, None, False),
        ("daily", None, None, True),
        ("daily", dt.timedelta(hours=23), dt.timedelta(hours=23), False),
        ("daily", dt.timedelta(hours=25), dt.timedelta(hours=25), True),
        ("hourly", dt.timedelta(minutes=59), dt.timedelta(minutes=59), False),
        ("hourly", dt.timedelta(minutes=61), dt.timedelta(minutes=61), True),
        ("weekly", dt.timedelta(days=6), dt.timedelta(days=6), False),
        ("weekly", dt.timedelta(days=8), dt.timedelta(days=8), True),
        # a failed attempt is tried again after an hour at most
        ("daily", dt.timedelta(days=2), dt.timedelta(minutes=30), False),
        ("daily", dt.timedelta(days=2), dt.timedelta(minutes=61), True),
        ("weekly", None, dt.timedelta(minutes=61), True),
    ],
)
def test_when_a_sync_is_due(interval, since_success, since_attempt, due):
    now = timezone.now()
    assert (
        sync._is_due(
            interval=interval,
            last_synced_at=now - since_success if since_success else None,
            last_attempt_at=now - since_attempt if since_attempt else None,
            now=now,
        )
        is due
    )


def test_one_metric_failing_does_not_stop_the_others(today, source):
    good = MetricFactory(key="good", source=source, query=query_of(source), sync_interval="hourly")
    bad = MetricFactory(key="bad", source=source, query="SELECT nope", sync_interval="daily")
    also = MetricFactory(key="also", source=source, query=query_of(source), sync_interval="weekly")
    MetricFactory(key="off", source=source, query=query_of(source), sync_interval="off")
    MetricFactory(key="manual")
    runs = sync.metrics_sync_due()
    assert {run.metric.key: run.status for run in runs} == {
        "good": SyncStatus.SUCCEEDED,
        "bad": SyncStatus.FAILED,
        "also": SyncStatus.SUCCEEDED,
    }
    assert all(run.trigger == SyncTrigger.SCHEDULE for run in runs)
    assert MetricValue.objects.filter(metric=good).count() == 21
    assert MetricValue.objects.filter(metric=also).count() == 21
    # nothing is due right after, not even the failed one (it waits up to an hour)
    assert sync.metrics_sync_due() == []
    later = timezone.now() + dt.timedelta(minutes=61)
    assert {m.key for m in sync.metrics_due(now=later)} == {"good", "bad"}
    assert bad.syncs.count() == 1


def test_the_worker_runs_the_job(today, metric):
    outcome = schedules.run_due()
    assert outcome["pilothouse.metrics.sync.metrics_sync_due"] == "ok"
    assert metric.syncs.get().status == SyncStatus.SUCCEEDED


def test_a_job_that_cannot_start_one_metric_goes_on(today, source, monkeypatch):
    first = MetricFactory(key="a", source=source, query=query_of(source), sync_interval="daily")
    second = MetricFactory(key="b", source=source, query=query_of(source), sync_interval="daily")
    real_claim = sync._claim

    def claim(**kwargs):
        if kwargs["metric"].pk == first.pk:
            raise RuntimeError("the database hiccuped")
        return real_claim(**kwargs)

    monkeypatch.setattr(sync, "_claim", claim)
    runs = sync.metrics_sync_due()
    assert [run.metric_id for run in runs] == [second.pk]


# --- two syncs of one metric never at once ----------------------------------------------------


def test_a_running_sync_blocks_another(today, metric):
    running = MetricSync.objects.create(
        metric=metric,
        source=metric.source,
        trigger=SyncTrigger.SCHEDULE,
        period_start=TODAY,
        period_end=TODAY,
        started_at=timezone.now(),
    )
    with pytest.raises(sync.SyncRunning) as busy:
        sync.metric_sync(metric=metric, trigger=SyncTrigger.COMMAND)
    assert busy.value.run == running
    assert "running already" in str(busy.value)
    assert sync.metrics_sync_due() == []


def test_a_lost_run_no_longer_blocks(today, metric):
    lost = MetricSync.objects.create(
        metric=metric,
        source=metric.source,
        trigger=SyncTrigger.SCHEDULE,
        period_start=TODAY,
        period_end=TODAY,
        started_at=timezone.now() - dt.timedelta(hours=1),
    )
    run = sync.metric_sync(metric=metric, trigger=SyncTrigger.COMMAND)
    assert run.status == SyncStatus.SUCCEEDED
    lost.refresh_from_db()
    assert lost.status == SyncStatus.FAILED
    assert lost.error == sync.LOST_MESSAGE


# --- on demand, through the worker's task -----------------------------------------------------


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed():` runs the block's on-commit callbacks, as a commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def deferred_tasks(settings):
    """A task backend that keeps what is queued instead of running it."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    from django_tasks import task_backends

    return task_backends["default"]


def test_a_sync_on_demand_is_queued_for_the_worker(
    today, metric, leader, committed, deferred_tasks
):
    with committed():
        asked = sync.metric_sync_queue(metric=metric, actor=leader)
    run = asked.run
    assert not asked.already_pending
    run.refresh_from_db()
    assert run.status == SyncStatus.QUEUED
    assert run.queued_at == run.started_at
    (queued,) = deferred_tasks.results
    assert queued.task.name == "metric_sync_run"
    assert queued.kwargs == {"sync_id": run.pk}
    assert not MetricValue.objects.exists()
    # the worker runs it
    summary = tasks.metric_sync_run.call(**queued.kwargs)
    assert summary["status"] == SyncStatus.SUCCEEDED
    assert summary["values_written"] == 21
    run.refresh_from_db()
    assert run.status == SyncStatus.SUCCEEDED
    assert run.started_at >= run.queued_at


def test_a_queued_sync_waits_for_the_commit_then_runs_and_succeeds(
    today, metric, leader, django_capture_on_commit_callbacks, monkeypatch
):
    seen = []
    real_query = sync.sources.run_query

    def watched(**kwargs):
        seen.append(MetricSync.objects.get().status)  # as the query runs
        return real_query(**kwargs)

    monkeypatch.setattr(sync.sources, "run_query", watched)
    with django_capture_on_commit_callbacks() as callbacks:
        run = sync.metric_sync_queue(metric=metric, actor=leader).run
    run.refresh_from_db()
    assert (run.status, run.finished_at, seen) == (SyncStatus.QUEUED, None, [])
    (enqueue,) = callbacks
    enqueue()  # the commit hands it to the task, which the tests run at once
    run.refresh_from_db()
    assert seen == [SyncStatus.RUNNING]
    assert run.status == SyncStatus.SUCCEEDED, run.error
    assert (run.rows, run.values_written) == (21, 21)
    assert run.finished_at is not None
    # a queued run that the task finds ended is left as it is
    assert tasks.metric_sync_run.call(sync_id=run.pk)["status"] == SyncStatus.SUCCEEDED
    assert seen == [SyncStatus.RUNNING]


def test_a_failing_queued_sync_ends_failed(
    today, metric, leader, django_capture_on_commit_callbacks
):
    Metric.objects.filter(pk=metric.pk).update(query="SELECT nonsense FROM nowhere")
    with django_capture_on_commit_callbacks(execute=True):
        run = sync.metric_sync_queue(metric=metric, actor=leader).run
    run.refresh_from_db()
    assert run.status == SyncStatus.FAILED
    assert "nowhere" in run.error


def test_a_sync_on_demand_runs_as_a_task(today, metric, leader, committed):
    with committed():
        run = sync.metric_sync_queue(metric=metric, actor=leader).run
    run.refresh_from_db()  # the tests run tasks where they are queued
    assert run.status == SyncStatus.SUCCEEDED, run.error
    assert run.trigger == SyncTrigger.MANUAL
    assert run.triggered_by == leader
    assert MetricValue.objects.filter(metric=metric).count() == 21


def test_a_queued_sync_is_not_queued_twice(today, metric, leader, committed, deferred_tasks):
    with committed():
        first = sync.metric_sync_queue(metric=metric, actor=leader)
        again = sync.metric_sync_queue(metric=metric, actor=leader)
    assert again.run == first.run
    assert again.already_pending
    assert not first.already_pending
    assert again.message.startswith("A sync of this metric is queued already (asked for ")
    assert MetricSync.objects.count() == 1
    assert len(deferred_tasks.results) == 1
    # once it ran, another may be queued
    tasks.metric_sync_run.call(sync_id=first.run.pk)
    with committed():
        later = sync.metric_sync_queue(metric=metric, actor=leader)
    assert not later.already_pending
    assert later.run != first.run
    assert len(deferred_tasks.results) == 2


def test_a_sync_on_demand_while_one_runs_answers_the_running_one(today, metric, leader):
    running = MetricSync.objects.create(
        metric=metric,
        source=metric.source,
        trigger=SyncTrigger.SCHEDULE,
        period_start=TODAY,
        period_end=TODAY,
        started_at=timezone.now(),
    )
    asked = sync.metric_sync_queue(metric=metric, actor=leader)
    assert (asked.run, asked.already_pending) == (running, True)
    assert "running already" in asked.message
    assert MetricSync.objects.count() == 1


def _queued_run(metric, *, at: dt.datetime) -> MetricSync:
    return MetricSync.objects.create(
        metric=metric,
        source=metric.source,
        trigger=SyncTrigger.MANUAL,
        period_start=TODAY,
        period_end=TODAY,
        status=SyncStatus.QUEUED,
        queued_at=at,
        started_at=at,
    )


def test_a_queued_run_no_worker_took_no_longer_blocks(today, metric, leader, deferred_tasks):
    forgotten = _queued_run(metric, at=timezone.now() - sync.QUEUE_LOST_AFTER)
    asked = sync.metric_sync_queue(metric=metric, actor=leader)
    assert not asked.already_pending
    assert asked.run.status == SyncStatus.QUEUED
    forgotten.refresh_from_db()
    assert (forgotten.status, forgotten.error) == (SyncStatus.FAILED, sync.QUEUE_LOST_MESSAGE)
    # if its task runs after all, it does nothing
    assert sync.metric_sync_queued(sync_id=forgotten.pk).status == SyncStatus.FAILED
    assert not MetricValue.objects.exists()


def test_lost_runs_are_marked_failed_even_when_another_sync_is_refused(today, metric, leader):
    forgotten = _queued_run(metric, at=timezone.now() - sync.QUEUE_LOST_AFTER)
    running = MetricSync.objects.create(
        metric=metric,
        source=metric.source,
        trigger=SyncTrigger.SCHEDULE,
        period_start=TODAY,
        period_end=TODAY,
        started_at=timezone.now(),
    )
    assert sync.metric_sync_queue(metric=metric, actor=leader).run == running
    forgotten.refresh_from_db()
    assert forgotten.status == SyncStatus.FAILED


def test_a_queued_run_does_not_block_the_command_line_nor_is_run_beside_it(today, metric):
    waiting = _queued_run(metric, at=timezone.now())
    run = sync.metric_sync(metric=metric, trigger=SyncTrigger.COMMAND)
    assert run.status == SyncStatus.SUCCEEDED, run.error
    # its turn comes afterwards: it runs
    assert sync.metric_sync_queued(sync_id=waiting.pk).status == SyncStatus.SUCCEEDED


def test_a_queued_run_whose_turn_comes_while_another_runs_ends_failed(today, metric):
    waiting = _queued_run(metric, at=timezone.now())
    MetricSync.objects.create(
        metric=metric,
        source=metric.source,
        trigger=SyncTrigger.COMMAND,
        period_start=TODAY,
        period_end=TODAY,
        started_at=timezone.now(),
    )
    run = sync.metric_sync_queued(sync_id=waiting.pk)
    assert run.status == SyncStatus.FAILED
    assert run.error.startswith("Another sync of this metric was running when this one's turn")
    assert run.finished_at is not None
    assert not MetricValue.objects.exists()


@pytest.mark.parametrize("role", [Role.CONTRIBUTOR, Role.VIEWER, Role.PRODUCT_MANAGER])
def test_who_may_not_sync_on_demand(today, metric, make_user, role):
    with pytest.raises(PermissionDenied):
        sync.metric_sync_queue(metric=metric, actor=make_user(role))
    assert not MetricSync.objects.exists()


def test_the_steward_of_a_metric_may_sync_it(today, metric, make_user, committed):
    owner = make_user(Role.PRODUCT_MANAGER)
    Metric.objects.filter(pk=metric.pk).update(owner=owner)
    metric.refresh_from_db()
    with committed():
        run = sync.metric_sync_queue(metric=metric, actor=owner).run
    run.refresh_from_db()
    assert run.status == SyncStatus.SUCCEEDED, run.error


def test_a_queued_run_that_ended_meanwhile_is_left_alone(today, metric):
    done = MetricSync.objects.create(
        metric=metric,
        source=metric.source,
        trigger=SyncTrigger.MANUAL,
        period_start=TODAY,
        period_end=TODAY,
        started_at=timezone.now(),
        status=SyncStatus.FAILED,
        error="lost",
    )
    assert sync.metric_sync_queued(sync_id=done.pk).error == "lost"
    assert sync.metric_sync_queued(sync_id=done.pk + 1000) is None
    assert not MetricValue.objects.exists()
