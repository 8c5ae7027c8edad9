"""`pilothouse metrics`: sync metric values from their data sources.

    pilothouse metrics sync [METRIC] [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--json]
        run the query of METRIC (its key or id), or of every metric that has a data
        source and a query, now; without --from, each metric's usual window (see
        docs/data-sources.md). One line per metric, then a summary.

Runs as the system, each metric on its own: one metric's failure does not stop the
others. The exit code is 0 when every sync succeeded, 1 otherwise, with one line per
failure on stderr. For cron without a worker: `pilothouse metrics sync`.
"""

from __future__ import annotations

import argparse
import json

from pilothouse.cli.base import CliError, Commands, console, django_setup, errors, iso_date


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _metrics(ident: str | None):
    from pilothouse.metrics import source_selectors
    from pilothouse.metrics.models import Metric

    if ident is None:
        return list(source_selectors.metrics_with_query())
    lookup = {"pk": int(ident)} if ident.isdigit() else {"key": ident}
    metric = Metric.objects.select_related("source").filter(**lookup).first()
    if metric is None:
        raise CliError(f"no metric with the key or id {ident!r}")
    if metric.source_id is None or not metric.query.strip():
        raise CliError(f"the metric {metric.key!r} has no data source and query to sync from")
    return [metric]


def cmd_sync(args: argparse.Namespace) -> int:
    django_setup()
    from django.core.exceptions import ValidationError

    from pilothouse.cli.base import validation_message
    from pilothouse.metrics import sync
    from pilothouse.metrics.models import SyncStatus, SyncTrigger

    metrics = _metrics(args.metric)
    if not metrics and not args.json:
        console.print("No metric syncs from a data source; nothing to do.")
    runs, failures = [], []
    for metric in metrics:
        try:
            run = sync.metric_sync(
                metric=metric,
                trigger=SyncTrigger.COMMAND,
                period_start=args.start,
                period_end=args.end,
            )
        except (sync.SyncRunning, ValidationError) as exc:
            reason = validation_message(exc) if isinstance(exc, ValidationError) else str(exc)
            failures.append((metric.key, reason))
            if not args.json:
                console.print(f"✗ {metric.key}: {_one_line(reason)}", markup=False)
            continue
        runs.append(run)
        if run.status != SyncStatus.SUCCEEDED:
            failures.append((metric.key, run.error))
        if not args.json:
            console.print(_progress_line(metric.key, run), markup=False)
    if args.json:
        body = {"runs": [sync.run_summary(run) for run in runs], "failed": len(failures)}
        print(json.dumps(body))
    elif metrics:
        done = len(metrics) - len(failures)
        console.print(
            f"Synced {len(metrics)} metric{'s' if len(metrics) != 1 else ''}: "
            f"{done} succeeded, {len(failures)} failed.",
            markup=False,
        )
    for key, reason in failures:
        errors.print(f"pilothouse: sync of {key} failed: {_one_line(reason)}", markup=False)
    return 1 if failures else 0


def _progress_line(key: str, run) -> str:
    days = f"{run.period_start.isoformat()} to {run.period_end.isoformat()}"
    if run.status == "succeeded":
        return (
            f"✓ {key}: {run.rows:,} rows, {run.values_written:,} values written "
            f"({days}, {run.duration_ms or 0:,} ms)"
        )
    return f"✗ {key}: {_one_line(run.error)} ({days})"


def register(commands: Commands) -> None:
    group = commands.group("metrics", "metric values from data sources")
    sync = group.add("sync", cmd_sync, "sync metric values from their data sources now")
    sync.add_argument("metric", nargs="?", help="a metric's key or id (default: every one)")
    sync.add_argument("--from", dest="start", type=iso_date, help="first day (YYYY-MM-DD)")
    sync.add_argument("--to", dest="end", type=iso_date, help="last day (default: today)")
    sync.add_argument("--json", action="store_true", help="the runs as one JSON object")
