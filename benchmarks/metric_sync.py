"""Measure the catalog's bulk write of values (`metrics.services.metric_values_upsert`), the
write behind every sync, import and bulk API call.

    .venv/bin/python benchmarks/metric_sync.py [--rows 3288 49320] [--repeat 3]
        [--writes create unchanged update] [--seed 42] [--out DIR] [--keep-data]
        [--profile N]

Sets up a throw-away data folder with the production settings (like benchmarks/run.py;
DATABASE_URL is respected, so `scripts/with-postgres .venv/bin/python
benchmarks/metric_sync.py` measures PostgreSQL), migrates, and creates a product leader
and a product. For each row count it makes three years of daily values (1,096 days) over
as many dimensions as the count needs (3,288 rows: 3 dimensions; 49,320: 45), seeded, and
times three writes the way a sync makes them (origin "sync", replacing the window from
the first to the last day), as the product leader:

1. **create**: the rows into a new metric of the product (every value new: a first sync);
2. **unchanged**: the same rows again (every value the same: a sync with nothing new);
3. **update**: every value changed (a sync after the source restated its history).

Each kind named by `--writes` runs `--repeat` times (create on a new metric each time,
once untimed if only the others are asked for; update alternates between two sets of
values so that each run changes every value) and its median is reported, with the CPU
time, the SQL statements and the change records written. Each run checks its answer
(created, updated, unchanged counts) and the values stored, so a faster write that
writes something else fails the benchmark. `--profile N` also prints
the N costliest functions (cumulative time) of one more create, under cProfile.

Wall-clock time (time.perf_counter) and this process's CPU time (time.process_time: on a
shared machine it moves less than the wall clock; on PostgreSQL it leaves out the
server's own work), with the load average.
Prints a table and writes <out>/metric-sync-<timestamp>.json.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import os
import pstats
import random
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from host import host_info, peak_rss_mb, write_result

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DAYS = 1096  # three years of daily values
FIRST_DAY = dt.date(2023, 1, 2)
KINDS = ("create", "unchanged", "update")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[3288, 49320])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, default=HERE / "results")
    parser.add_argument("--keep-data", action="store_true")
    parser.add_argument("--profile", type=int, default=0, metavar="N")
    parser.add_argument("--writes", nargs="+", choices=KINDS, default=list(KINDS))
    args = parser.parse_args(argv)
    if args.repeat < 1 or min(args.rows) < 1:
        parser.error("--repeat and --rows: at least 1")
    return args


def configure_environment(data_dir: Path) -> None:
    """Production settings on a throw-away data folder; DATABASE_URL is respected."""
    os.environ["PILOTHOUSE_DATA_DIR"] = str(data_dir)
    os.environ["PILOTHOUSE_SECRET_KEY"] = secrets.token_urlsafe(50)
    os.environ["DJANGO_SETTINGS_MODULE"] = "pilothouse.config.settings"
    os.environ["PILOTHOUSE_DEBUG"] = "false"
    os.environ["PILOTHOUSE_LOG_LEVEL"] = "ERROR"


def value_rows(count: int, seed: int) -> list[Any]:
    """`count` rows of three years of days, dimension by dimension (`d00`, `d01`...)."""
    from pilothouse.metrics.services import ValueRow

    rng = random.Random(seed)
    dimensions = -(-count // DAYS)
    rows = []
    for index in range(count):
        dimension, day = divmod(index, DAYS)
        rows.append(
            ValueRow(
                period_start=FIRST_DAY + dt.timedelta(days=day),
                value=round(rng.uniform(100, 10_000), 2),
                dimension=f"d{dimension:0{len(str(dimensions))}d}",
            )
        )
    return rows


def restated(rows: list[Any], shift: float) -> list[Any]:
    from pilothouse.metrics.services import ValueRow

    return [ValueRow(row.period_start, row.value + shift, row.dimension) for row in rows]


def timed_upsert(*, actor, metric, rows: list[Any]) -> dict[str, Any]:
    from django.db import connection

    from pilothouse.core.models import ChangeRecord
    from pilothouse.metrics import services
    from pilothouse.metrics.models import ValueOrigin

    statements = 0

    def count(execute, sql, params, many, context):
        nonlocal statements
        statements += 1
        return execute(sql, params, many, context)

    window = (min(row.period_start for row in rows), max(row.period_start for row in rows))
    records_before = ChangeRecord.objects.count()
    with connection.execute_wrapper(count):
        started, cpu_started = time.perf_counter(), time.process_time()
        outcome = services.metric_values_upsert(
            actor=actor, metric=metric, rows=rows, origin=ValueOrigin.SYNC, replace_range=window
        )
        seconds = time.perf_counter() - started
        cpu_seconds = time.process_time() - cpu_started
    return {
        "seconds": round(seconds, 3),
        "cpu_seconds": round(cpu_seconds, 3),
        "statements": statements,
        "change_records": ChangeRecord.objects.count() - records_before,
        "outcome": outcome,
        "load_average": round(os.getloadavg()[0], 2),
    }


def stored_as(metric, rows: list[Any]) -> bool:
    """Whether the metric holds exactly these rows' values."""
    from pilothouse.metrics.models import MetricValue

    stored = {
        (dimension, day): value
        for dimension, day, value in MetricValue.objects.filter(metric=metric).values_list(
            "dimension", "period_start", "value"
        )
    }
    return stored == {(row.dimension, row.period_start): float(row.value) for row in rows}


def new_metric(product, serial: int):
    from pilothouse.metrics.models import Metric

    metric = Metric.objects.create(
        key=f"bench-{serial}", name=f"Benchmark metric {serial}", granularity="day"
    )
    metric.products.add(product)
    return metric


def measure_size(count: int, args: argparse.Namespace, leader, product, serial) -> dict:
    rows = value_rows(count, args.seed + count)
    runs: dict[str, list[dict[str, Any]]] = {kind: [] for kind in args.writes}
    metric = None
    for _ in range(args.repeat if "create" in runs else 1):
        metric = new_metric(product, next(serial))
        figures = timed_upsert(actor=leader, metric=metric, rows=rows)
        check(figures, created=count, records=1 + count)
        runs.get("create", []).append(figures)
    if metric is None or not stored_as(metric, rows):
        raise SystemExit("create: the values stored differ from the rows")
    for _ in range(args.repeat if "unchanged" in runs else 0):
        figures = timed_upsert(actor=leader, metric=metric, rows=rows)
        check(figures, unchanged=count, records=0)
        runs["unchanged"].append(figures)
    current = rows
    for number in range(args.repeat if "update" in runs else 0):
        current = restated(rows, 1.0 if number % 2 == 0 else 0.0)
        figures = timed_upsert(actor=leader, metric=metric, rows=current)
        check(figures, updated=count, records=count)
        runs["update"].append(figures)
    if not stored_as(metric, current):
        raise SystemExit("update: the values stored differ from the rows")
    result: dict[str, Any] = {"rows": count, "dimensions": -(-count // DAYS)}
    for kind, done in runs.items():
        seconds = [run["seconds"] for run in done]
        result[kind] = {
            "median_seconds": round(statistics.median(seconds), 3),
            "min_seconds": min(seconds),
            "rows_per_second": round(count / statistics.median(seconds)),
            "median_cpu_seconds": round(statistics.median(r["cpu_seconds"] for r in done), 3),
            "statements": done[0]["statements"],
            "change_records": done[0]["change_records"],
            "runs": [{k: v for k, v in r.items() if k != "outcome"} for r in done],
        }
    return result


def check(figures: dict[str, Any], *, created=0, updated=0, unchanged=0, records: int) -> None:
    outcome = figures["outcome"]
    got = (outcome.created, outcome.updated, outcome.unchanged, outcome.deleted)
    if got != (created, updated, unchanged, 0) or figures["change_records"] != records:
        raise SystemExit(
            f"wrong answer: created/updated/unchanged/deleted {got}, expected "
            f"{(created, updated, unchanged, 0)}; {figures['change_records']} change records, "
            f"expected {records}"
        )


def profile(count: int, args: argparse.Namespace, leader, product, serial) -> str:
    from pilothouse.metrics import services
    from pilothouse.metrics.models import ValueOrigin

    rows = value_rows(count, args.seed + count)
    metric = new_metric(product, next(serial))
    window = (min(row.period_start for row in rows), max(row.period_start for row in rows))
    profiler = cProfile.Profile()
    profiler.enable()
    services.metric_values_upsert(
        actor=leader, metric=metric, rows=rows, origin=ValueOrigin.SYNC, replace_range=window
    )
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(args.profile)
    return out.getvalue()


def machine() -> dict[str, Any]:
    import django
    from django.db import connection

    if connection.vendor == "sqlite":
        import sqlite3

        version = sqlite3.sqlite_version
    else:
        connection.ensure_connection()
        version = str(getattr(connection, "pg_version", "") or "")
    return host_info(django=django.get_version(), database=f"{connection.vendor} {version}")


def run(args: argparse.Namespace) -> int:
    import itertools

    import django

    django.setup()
    from django.core.management import call_command
    from rich.console import Console
    from rich.table import Table

    from pilothouse.core.accounts import user_create
    from pilothouse.portfolio.models import Product, ProductLine

    console = Console()
    call_command("migrate", interactive=False, verbosity=0)
    leader = user_create(actor=None, username="leader", role="product_leader", password=None)
    line = ProductLine.objects.create(name="Benchmarks")
    product = Product.objects.create(name="Benchmark product", key="BENCH", product_line=line)
    serial = itertools.count(1)
    sizes = [measure_size(count, args, leader, product, serial) for count in args.rows]
    result = {
        "benchmark": "metric-sync",
        "machine": machine(),
        "repeat": args.repeat,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "sizes": sizes,
        "peak_rss_mb": peak_rss_mb(),
    }
    path = write_result(args.out, "metric-sync-", result)
    table = Table(title=f"metric_values_upsert on {result['machine']['database']}")
    for column in ("rows", "write", "median s", "min s", "rows/s", "CPU s", "statements"):
        table.add_column(column, justify="left" if column == "write" else "right")
    for size in sizes:
        for kind in args.writes:
            figures = size[kind]
            table.add_row(
                f"{size['rows']:,}",
                kind,
                f"{figures['median_seconds']:.3f}",
                f"{figures['min_seconds']:.3f}",
                f"{figures['rows_per_second']:,}",
                f"{figures['median_cpu_seconds']:.3f}",
                str(figures["statements"]),
            )
    console.print(table)
    console.print(
        f"load {os.getloadavg()[0]:.2f}; peak RSS {result['peak_rss_mb']} MB; written to {path}"
    )
    if args.profile:
        console.print(profile(max(args.rows), args, leader, product, serial))
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    sys.path.insert(0, str(REPO / "src"))
    data_dir = Path(tempfile.mkdtemp(prefix="pilothouse-metric-sync-bench-"))
    configure_environment(data_dir)
    try:
        return run(args)
    finally:
        if args.keep_data:
            print(f"Data kept in {data_dir}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
