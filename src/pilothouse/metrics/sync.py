"""Syncing a metric's values from its query on its data source.

A sync asks the query for a window of days, checks every row it returns, and writes
them through the catalog's one bulk write (`services.metric_values_upsert`, origin
"sync"), replacing the window: all of a metric's values or none. Each sync has a row in
the run log (MetricSync: running, then succeeded or failed, with the rows the query
returned, the values written, the duration and the error), written even when no value
is.

- The window: from the period of the day after the metric's last value, less
  LOOK_BACK_PERIODS periods (late data changes recent periods), or FIRST_SYNC_YEARS
  back when it has none, up to today; aligned to the start of a period.
- The schedule: `metrics_sync_due`, a scheduled job (core.schedules), syncs each metric
  whose `sync_interval` says it is due; a failed sync is tried again after at most
  RETRY_AFTER. One metric's failure never stops the others.
- On demand: `metric_sync_queue` records the run as queued and queues it for
  `pilothouse worker` (metrics.tasks); the task moves it to running, then to succeeded
  or failed. A metric with a sync queued or running is not queued again: the answer is
  that run. `metric_sync` runs a sync at once (the command line).
- Two syncs of one metric never overlap: a sync claims the metric under core.locks and
  refuses while another's run is fresh (SyncRunning); a queued run whose turn comes
  while another runs ends failed, saying so; writes are serialized as well. A run left
  running or queued too long was lost (its process stopped, no worker took it) and is
  marked failed by the next claim.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from pilothouse.core import locks, permissions
from pilothouse.core.models import User
from pilothouse.core.writes import RefusedRows
from pilothouse.engines import metrics as engine
from pilothouse.metrics import services, sources
from pilothouse.metrics.models import (
    Metric,
    MetricSync,
    MetricValue,
    SyncInterval,
    SyncStatus,
    SyncTrigger,
    ValueOrigin,
)
from pilothouse.metrics.source_services import source_spec
from pilothouse.metrics.sources.results import summary

logger = logging.getLogger(__name__)

LOOK_BACK_PERIODS = 3
FIRST_SYNC_YEARS = 3
INTERVALS = {
    SyncInterval.HOURLY: dt.timedelta(hours=1),
    SyncInterval.DAILY: dt.timedelta(days=1),
    SyncInterval.WEEKLY: dt.timedelta(days=7),
}
RETRY_AFTER = dt.timedelta(hours=1)
# A run still "running" this long after its source's time-out was lost (its process
# stopped, or no worker took it): it no longer blocks a new sync.
LOST_AFTER = dt.timedelta(minutes=15)
LOST_MESSAGE = "The sync did not finish: the process running it stopped, or no worker ran it."
# A run still "queued" this long after it was asked for was lost: no worker took it (none
# runs, or its task was dropped). It no longer keeps the metric from being queued again.
QUEUE_LOST_AFTER = dt.timedelta(hours=1)
QUEUE_LOST_MESSAGE = (
    "No worker took this sync within an hour of the request; is `pilothouse worker` running?"
)
MAX_ERROR_LENGTH = 10_000


class SyncPending(Exception):
    """Another sync of the metric is queued or running; `run` is its run log row."""

    def __init__(self, run: MetricSync, message: str) -> None:
        self.run = run
        super().__init__(message)


class SyncRunning(SyncPending):
    """Another sync of the metric is running."""

    def __init__(self, run: MetricSync) -> None:
        super().__init__(
            run,
            f"A sync of this metric is running already (started "
            f"{timezone.localtime(run.started_at):%Y-%m-%d %H:%M}).",
        )


class SyncQueued(SyncPending):
    """A sync of the metric is queued for the worker already."""

    def __init__(self, run: MetricSync) -> None:
        super().__init__(
            run,
            f"A sync of this metric is queued already (asked for "
            f"{timezone.localtime(run.queued_at or run.started_at):%Y-%m-%d %H:%M}); "
            "it runs when a worker takes it.",
        )


class _Failed(Exception):
    def __init__(self, message: str, *, rows: int | None = None) -> None:
        self.rows = rows
        super().__init__(message)


# --- the window -----------------------------------------------------------------------------


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def sync_window(
    *, granularity: str, last_value: dt.date | None, today: dt.date
) -> tuple[dt.date, dt.date]:
    """The first and last day a sync asks for (see the module's docstring)."""
    if last_value is None:
        start = engine.period_start(_years_before(today, FIRST_SYNC_YEARS), granularity)
    else:
        start = engine.period_start(last_value + dt.timedelta(days=1), granularity)
        for _ in range(LOOK_BACK_PERIODS):
            start = engine.period_start(start - dt.timedelta(days=1), granularity)
    return min(start, engine.period_start(today, granularity)), today


def _window(
    metric: Metric, period_start: dt.date | None, period_end: dt.date | None
) -> tuple[dt.date, dt.date]:
    today = timezone.localdate()
    if period_start is None:
        last = MetricValue.objects.filter(metric=metric).aggregate(last=Max("period_start"))
        start, end = sync_window(
            granularity=metric.granularity, last_value=last["last"], today=today
        )
    else:
        start = engine.period_start(period_start, metric.granularity)
        end = today
    end = period_end or end
    if end < start:
        raise ValidationError({"period_end": "The period ends before it starts."})
    return start, end


# --- claiming a run ---------------------------------------------------------------------------


def _require_query(metric: Metric) -> None:
    if metric.source_id is None or not metric.query.strip():
        raise ValidationError({"source": f"The metric “{metric}” has no data source and query."})


def _is_due(
    *,
    interval: str,
    last_synced_at: dt.datetime | None,
    last_attempt_at: dt.datetime | None,
    now: dt.datetime,
) -> bool:
    every = INTERVALS.get(interval)
    if every is None:
        return False
    if last_synced_at is not None and now - last_synced_at < every:
        return False
    return last_attempt_at is None or now - last_attempt_at >= min(every, RETRY_AFTER)


def _end_lost(runs, *, now: dt.datetime, timeout_seconds: int) -> None:
    """Mark failed the runs of `runs` (one metric's) that were lost: running long past
    their source's time-out, or queued and never taken by a worker."""
    lost_after = dt.timedelta(seconds=timeout_seconds) + LOST_AFTER
    runs.filter(status=SyncStatus.RUNNING, started_at__lte=now - lost_after).update(
        status=SyncStatus.FAILED, finished_at=now, error=LOST_MESSAGE
    )
    runs.filter(status=SyncStatus.QUEUED, started_at__lte=now - QUEUE_LOST_AFTER).update(
        status=SyncStatus.FAILED, finished_at=now, error=QUEUE_LOST_MESSAGE
    )


def _claim(
    *,
    metric: Metric,
    trigger: str,
    actor: User | None,
    window: tuple[dt.date, dt.date] | None,
    period_start: dt.date | None = None,
    period_end: dt.date | None = None,
    only_if_due: bool = False,
    queue: bool = False,
) -> MetricSync | None:
    """The new run log row of a sync of `metric` (running; queued with `queue`), or
    SyncRunning; with `queue`, SyncQueued when a run of the metric is queued already;
    with `only_if_due`, None when another process synced the metric meanwhile. Lost
    runs are marked failed in any case."""
    with transaction.atomic():
        locks.serialize(f"metrics.sync.{metric.pk}")
        now = timezone.now()
        current = Metric.objects.select_related("source").get(pk=metric.pk)
        _require_query(current)
        runs = MetricSync.objects.filter(metric=current)
        _end_lost(runs, now=now, timeout_seconds=current.source.timeout_seconds)
        latest = runs.order_by("-started_at", "-id")
        running = latest.filter(status=SyncStatus.RUNNING).first()
        waiting = latest.filter(status=SyncStatus.QUEUED).first() if queue else None
        # Refused after the transaction, so that the lost runs stay marked.
        pending = SyncRunning(running) if running else SyncQueued(waiting) if waiting else None
        if pending is None:
            if only_if_due:
                last_attempt = runs.aggregate(last=Max("started_at"))["last"]
                if not _is_due(
                    interval=current.sync_interval,
                    last_synced_at=current.last_synced_at,
                    last_attempt_at=last_attempt,
                    now=now,
                ):
                    return None
            first, last = window or _window(current, period_start, period_end)
            return MetricSync.objects.create(
                metric=current,
                source=current.source,
                trigger=trigger,
                triggered_by=actor if actor is not None and actor.pk else None,
                period_start=first,
                period_end=last,
                status=SyncStatus.QUEUED if queue else SyncStatus.RUNNING,
                queued_at=now if queue else None,
                started_at=now,
            )
    raise pending


def _start_queued(sync_id: int) -> MetricSync | None:
    """Move a queued run to running, under the metric's lock; if another run of the
    metric is running by then, this one ends failed, saying so. Answers the run as it
    is now (None if it is gone; left alone if it is no longer queued)."""
    with transaction.atomic():
        run = MetricSync.objects.filter(pk=sync_id).only("metric_id").first()
        if run is None:
            return None
        locks.serialize(f"metrics.sync.{run.metric_id}")
        run = (
            MetricSync.objects.select_for_update(of=("self",))
            .select_related("triggered_by", "metric__source")
            .get(pk=sync_id)
        )
        if run.status != SyncStatus.QUEUED:
            return run
        now = timezone.now()
        others = MetricSync.objects.filter(metric_id=run.metric_id).exclude(pk=run.pk)
        if run.metric.source is not None:
            _end_lost(others, now=now, timeout_seconds=run.metric.source.timeout_seconds)
        running = others.filter(status=SyncStatus.RUNNING).order_by("-started_at").first()
        if running is not None:
            run.status = SyncStatus.FAILED
            run.finished_at = now
            run.error = (
                "Another sync of this metric was running when this one's turn came "
                f"(started {timezone.localtime(running.started_at):%Y-%m-%d %H:%M}); "
                "this one was not run."
            )
            run.save(update_fields=["status", "finished_at", "error"])
            return run
        run.status = SyncStatus.RUNNING
        run.started_at = now
        run.save(update_fields=["status", "started_at"])
        return run


# --- running it -------------------------------------------------------------------------------


def _chunks(
    rows: Sequence[sources.ResultRow], window: tuple[dt.date, dt.date]
) -> Iterator[tuple[list[services.ValueRow], list[int], tuple[dt.date, dt.date]]]:
    """The rows in writes of at most services.MAX_VALUES, each replacing its own part of
    the window (a period's rows stay together); with each row, its number in the result."""
    order = sorted(range(len(rows)), key=lambda index: rows[index].period_start)
    groups: list[list[int]] = [[]]
    for index in order:
        group = groups[-1]
        starts_period = not group or rows[group[-1]].period_start != rows[index].period_start
        if len(group) >= services.MAX_VALUES and starts_period:
            groups.append([])
        groups[-1].append(index)
    first = window[0]
    for number, group in enumerate(groups):
        last = (
            window[1]
            if number == len(groups) - 1
            else rows[groups[number + 1][0]].period_start - dt.timedelta(days=1)
        )
        values = [
            services.ValueRow(
                period_start=rows[i].period_start, value=rows[i].value, dimension=rows[i].dimension
            )
            for i in group
        ]
        yield values, [i + 1 for i in group], (first, last)
        first = last + dt.timedelta(days=1)


def _refused(exc: RefusedRows, numbers: Sequence[int]) -> str:
    problems: list[str] = []
    for index, error in exc.errors.items():
        where = f"row {numbers[index]}" if index < len(numbers) else f"row {index + 1}"
        if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
            for field, messages in error.message_dict.items():
                column = "" if field == NON_FIELD_ERRORS else f", column {field}"
                problems += [f"{where}{column}: {message}" for message in messages]
        else:
            problems.append(f"{where}: {error}")
    return summary(problems)


def _store(
    *,
    run: MetricSync,
    metric: Metric,
    actor: User | None,
    result: sources.QueryResult,
    started: float,
) -> None:
    """Write the values and finish the run, in one transaction: all values or none."""
    window = (run.period_start, run.period_end)
    written = 0
    with transaction.atomic():
        locks.serialize(f"metrics.sync.{metric.pk}")
        for rows, numbers, part in _chunks(result.rows, window):
            try:
                outcome = services.metric_values_upsert(
                    actor=actor,
                    metric=metric,
                    rows=rows,
                    origin=ValueOrigin.SYNC,
                    replace_range=part,
                )
            except RefusedRows as exc:
                raise _Failed(_refused(exc, numbers), rows=result.row_count) from exc
            written += outcome.created + outcome.updated
        now = timezone.now()
        run.status = SyncStatus.SUCCEEDED
        run.rows = result.row_count
        run.values_written = written
        run.finished_at = now
        run.error = ""
        run.duration_ms = round((time.perf_counter() - started) * 1000)
        run.save(
            update_fields=[
                "status",
                "rows",
                "values_written",
                "finished_at",
                "error",
                "duration_ms",
            ]
        )
        # Bookkeeping, not an edit: no new version, so no open edit form goes stale.
        Metric.objects.filter(pk=metric.pk).update(last_synced_at=now)


def _message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            return "; ".join(
                f"{field}: {' '.join(messages)}"
                if field != NON_FIELD_ERRORS
                else " ".join(messages)
                for field, messages in exc.message_dict.items()
            )
        return " ".join(exc.messages)
    return str(exc) or type(exc).__name__


def _perform(run: MetricSync, *, actor: User | None) -> MetricSync:
    """Run the query of the run's metric and store its values; the run ends succeeded
    or failed, whatever happens."""
    started = time.perf_counter()
    rows: int | None = None
    try:
        metric = Metric.objects.select_related("source").get(pk=run.metric_id)
        _require_query(metric)
        result = sources.run_query(
            source=source_spec(metric.source),
            sql=metric.query,
            period_start=run.period_start,
            period_end=run.period_end,
            max_dimension_length=services.DIMENSION_MAX,
        )
        rows = result.row_count
        _store(run=run, metric=metric, actor=actor, result=result, started=started)
    except (sources.QueryError, _Failed) as exc:
        _fail(run, str(exc), rows=exc.rows if exc.rows is not None else rows, started=started)
    except (ValidationError, PermissionDenied, Metric.DoesNotExist) as exc:
        _fail(run, _message(exc), rows=rows, started=started)
    except Exception as exc:  # the run log must end whatever fails
        logger.exception("Sync %s of metric %s failed", run.pk, run.metric_id)
        _fail(run, f"Unexpected error: {type(exc).__name__}: {exc}", rows=rows, started=started)
    return run


def _fail(run: MetricSync, message: str, *, rows: int | None, started: float) -> None:
    run.status = SyncStatus.FAILED
    run.error = message[:MAX_ERROR_LENGTH]
    run.rows = rows or 0
    run.values_written = 0
    run.finished_at = timezone.now()
    run.duration_ms = round((time.perf_counter() - started) * 1000)
    run.save(
        update_fields=["status", "error", "rows", "values_written", "finished_at", "duration_ms"]
    )


# --- entry points ------------------------------------------------------------------------------


def metric_sync(
    *,
    metric: Metric,
    trigger: str,
    actor: User | None = None,
    period_start: dt.date | None = None,
    period_end: dt.date | None = None,
) -> MetricSync:
    """Sync `metric` now and answer its run log row (succeeded or failed). Without a
    period, the window of the module's docstring. SyncRunning if a sync of the metric
    is running; ValidationError if it has no query or the period is wrong."""
    run = _claim(
        metric=metric,
        trigger=trigger,
        actor=actor,
        window=None,
        period_start=period_start,
        period_end=period_end,
    )
    return _perform(run, actor=actor)


def may_sync(user: User | None, metric: Metric) -> bool:
    """Who may change a metric may sync it on demand."""
    return permissions.can_change(user, metric)


@dataclass(frozen=True)
class SyncRequest:
    """The answer to a sync asked for on demand: the run, and whether it was pending
    already (a sync of the metric was queued or running: no other was queued)."""

    run: MetricSync
    already_pending: bool = False
    message: str = ""


def metric_sync_queue(
    *,
    metric: Metric,
    actor: User,
    period_start: dt.date | None = None,
    period_end: dt.date | None = None,
) -> SyncRequest:
    """Record a sync of `metric` as queued and queue it for the worker (at once where
    tasks run immediately), once the transaction commits. A metric whose sync is queued
    or running already is not queued again: the answer is that run, saying so."""
    permissions.require(may_sync(actor, metric), "You may not sync this metric.")
    try:
        run = _claim(
            metric=metric,
            trigger=SyncTrigger.MANUAL,
            actor=actor,
            window=None,
            period_start=period_start,
            period_end=period_end,
            queue=True,
        )
    except SyncPending as pending:
        return SyncRequest(run=pending.run, already_pending=True, message=str(pending))
    from pilothouse.metrics import tasks  # tasks import this module

    transaction.on_commit(lambda: tasks.metric_sync_run.enqueue(sync_id=run.pk))
    return SyncRequest(run=run)


def metric_sync_queued(*, sync_id: int) -> MetricSync | None:
    """Run a queued sync (the task's body): queued, then running, then succeeded or
    failed. None if it is gone; left as it is if it is no longer queued (it ended as
    lost, say)."""
    run = _start_queued(sync_id)
    if run is None or run.status != SyncStatus.RUNNING:
        return run
    return _perform(run, actor=run.triggered_by)


def metrics_due(*, now: dt.datetime | None = None) -> list[Metric]:
    """The metrics whose schedule says a sync is due (two queries)."""
    now = now or timezone.now()
    candidates = (
        Metric.objects.filter(source__isnull=False, sync_interval__in=list(INTERVALS))
        .exclude(query="")
        .annotate(last_attempt_at=Max("syncs__started_at"))
        .order_by("pk")
    )
    return [
        metric
        for metric in candidates
        if _is_due(
            interval=metric.sync_interval,
            last_synced_at=metric.last_synced_at,
            last_attempt_at=metric.last_attempt_at,
            now=now,
        )
    ]


def metrics_sync_due(*, now: dt.datetime | None = None) -> list[MetricSync]:
    """The scheduled job: sync every metric that is due, as the system. A metric's
    failure is in its run log and never stops the others. Answers the runs made."""
    runs: list[MetricSync] = []
    for metric in metrics_due(now=now):
        try:
            run = _claim(
                metric=metric,
                trigger=SyncTrigger.SCHEDULE,
                actor=None,
                window=None,
                only_if_due=True,
            )
            if run is not None:
                runs.append(_perform(run, actor=None))
        except SyncRunning:
            continue
        except Exception:  # one metric's trouble must not stop the others
            logger.exception("Scheduled sync of metric %s could not start", metric.pk)
    return runs


def run_summary(run: MetricSync) -> dict[str, object]:
    """A run as plain data (task results, the command line's --json)."""
    return {
        "id": run.pk,
        "metric_id": run.metric_id,
        "status": run.status,
        "period_start": run.period_start.isoformat(),
        "period_end": run.period_end.isoformat(),
        "rows": run.rows,
        "values_written": run.values_written,
        "duration_ms": run.duration_ms,
        "error": run.error,
    }
