"""Measure the feedback import: 100,000 notes from a CSV file, on SQLite.

    .venv/bin/python benchmarks/import_feedback.py [--notes 100000] [--customers 5000]
        [--repeat 3] [--batch-size 1000] [--contact-share 0.3] [--out DIR] [--keep-data]

Sets up a throw-away data folder with the production settings (like benchmarks/run.py;
SQLite, whatever DATABASE_URL says), migrates, and writes two files there: customers
(external ids, segments, plans, ARR, regions) and feedback notes whose text, kind and
date come from `pilothouse.engines.triage.sample.generate_feedback`, with sources,
customer ids (80 % of the notes), contact emails (30 % of those: `--contact-share`;
the import creates the contacts) and tags (35 %). The columns carry the names a
feedback tool exports ("ID", "Feedback", "Submitted", "Customer ID", ...), so the
mapping is found automatically.

It imports the customers once (timed), keeps a copy of that database, then imports
the feedback `--repeat` times, each into a fresh copy and in a child process of its
own, so that each run's peak memory is the import's. Each run is timed from opening
the file to the commit, as `pilothouse import feedback` does it (wall clock and CPU
time, with the load average: the machine may be shared), and counts its SQL
statements. Prints the figures and writes <out>/import-feedback-<notes>-<timestamp>.json.
Budget (issue 3): >= 10,000 notes/s.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import random
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from host import configure_sqlite_environment, host_info, peak_rss_mb, write_result

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
BUDGET_ROWS_PER_SECOND = 10_000

COMPANIES = [
    "Acme",
    "Northwind",
    "Globex",
    "Initech",
    "Umbrella",
    "Stark",
    "Wayne",
    "Hooli",
    "Vandelay",
    "Soylent",
    "Tyrell",
    "Cyberdyne",
    "Wonka",
    "Gringotts",
    "Monarch",
    "Oscorp",
    "Pied",
    "Piper",
    "Massive",
    "Dynamic",
    "Aperture",
    "Vehement",
]
SUFFIXES = ("Logistics", "Health", "Retail", "Labs", "Foods", "Freight", "Bank", "Energy")
SEGMENTS = ("Enterprise", "Mid-market", "SMB")
PLANS = ("Starter", "Team", "Business", "Enterprise")
REGIONS = ("EMEA", "NA", "APAC", "LATAM")
SOURCES = ("support", "sales", "interview", "survey", "email", "app_review", "other")
TAGS = [
    "onboarding",
    "churn-risk",
    "renewal",
    "mobile",
    "api",
    "performance",
    "reporting",
    "billing",
    "exports",
    "integrations",
    "permissions",
    "search",
    "notifications",
    "accessibility",
]
PEOPLE = ("ana", "ben", "chen", "dara", "eli", "fatima", "gus", "hana", "ivan", "jo")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notes", type=int, default=100_000)
    parser.add_argument("--customers", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument(
        "--contact-share",
        type=float,
        default=0.3,
        help="share of the notes with a customer that name a contact by email (0.3)",
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, default=HERE / "results")
    parser.add_argument("--keep-data", action="store_true")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)  # one run, in a child
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.notes < 1 or args.customers < 1:
        parser.error("--repeat, --notes and --customers: at least 1")
    return args


def write_customers(path: Path, count: int, rng: random.Random) -> list[str]:
    ids = [f"C{i:05d}" for i in range(1, count + 1)]
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["Customer ID", "Company", "Segment", "Plan", "ARR", "Region", "Since"])
        for index, external_id in enumerate(ids):
            name = f"{rng.choice(COMPANIES)} {rng.choice(SUFFIXES)} {index + 1}"
            since = dt.date(2018, 1, 1) + dt.timedelta(days=rng.randrange(2500))
            arr = round(rng.lognormvariate(10, 1.2), 2)
            writer.writerow(
                [
                    external_id,
                    name,
                    rng.choice(SEGMENTS),
                    rng.choice(PLANS),
                    f"{arr:.2f}",
                    rng.choice(REGIONS),
                    since.isoformat(),
                ]
            )
    return ids


def write_feedback(
    path: Path, count: int, customers: list[str], seed: int, contact_share: float = 0.3
) -> None:
    from pilothouse.engines.triage.sample import generate_feedback

    rng = random.Random(seed)
    sample = generate_feedback(n=count, seed=seed)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(
            [
                "ID",
                "Feedback",
                "Source",
                "Submitted",
                "Customer ID",
                "Contact email",
                "Tags",
                "Type",
            ]
        )
        for note in sample.notes:
            customer = rng.choice(customers) if rng.random() < 0.8 else ""
            email = ""
            if customer and rng.random() < contact_share:
                email = f"{rng.choice(PEOPLE)}@{customer.lower()}.example.com"
            tags = "; ".join(rng.sample(TAGS, rng.choice((1, 1, 2)))) if rng.random() < 0.35 else ""
            writer.writerow(
                [
                    f"FB-{note.id:07d}",
                    note.text,
                    rng.choice(SOURCES),
                    note.created_at.strftime("%Y-%m-%d %H:%M:%S"),
                    customer,
                    email,
                    tags,
                    note.kind,
                ]
            )


def import_once(path: Path, *, kind: str, batch_size: int, options: dict) -> dict[str, Any]:
    """Import a file as the benchmark user; the figures of the run."""
    from django.db import connection

    from pilothouse.core.models import User
    from pilothouse.customers.imports import import_file

    user = User.objects.get(username="importer")
    statements = 0

    def count(execute, sql, params, many, context):
        nonlocal statements
        statements += 1
        return execute(sql, params, many, context)

    rss_before = peak_rss_mb()
    with connection.execute_wrapper(count):
        started, cpu_started = time.perf_counter(), time.process_time()
        result = import_file(
            kind=kind, source=path, actor=user, batch_size=batch_size, options=options
        )
        seconds = time.perf_counter() - started
        cpu_seconds = time.process_time() - cpu_started
    report = result.report
    if not report.committed:
        raise SystemExit(f"the {kind} import was not saved: {report.errors[:3]} {report.fatal}")
    return {
        "rows": report.rows,
        "counts": {str(outcome): n for outcome, n in report.counts.items()},
        "failed": report.failed,
        "seconds": round(seconds, 3),
        "rows_per_second": round(report.rows / seconds),
        "cpu_seconds": round(cpu_seconds, 3),
        "rows_per_cpu_second": round(report.rows / cpu_seconds),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "queries": statements,
        "queries_per_row": round(statements / report.rows, 4),
        "peak_rss_before_mb": rss_before,
        "peak_rss_mb": peak_rss_mb(),
        "mapping": result.mapping,
    }


def child(args: argparse.Namespace) -> int:
    import django

    django.setup()
    figures = import_once(
        args.child, kind="feedback", batch_size=args.batch_size, options={"create_contacts": True}
    )
    print(json.dumps(figures))
    return 0


def run(args: argparse.Namespace, data_dir: Path) -> int:
    import django

    django.setup()
    import sqlite3

    from django.core.management import call_command
    from django.db import connection

    from pilothouse.core.accounts import user_create

    call_command("migrate", interactive=False, verbosity=0)
    user_create(actor=None, username="importer", role="product_leader", password=None)
    rng = random.Random(args.seed)
    customers_file, feedback_file = data_dir / "customers.csv", data_dir / "feedback.csv"
    started = time.perf_counter()
    ids = write_customers(customers_file, args.customers, rng)
    write_feedback(feedback_file, args.notes, ids, args.seed, args.contact_share)
    print(
        f"Wrote {args.customers:,} customers and {args.notes:,} notes "
        f"({feedback_file.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - started:.1f} s"
    )
    customers = import_once(
        customers_file, kind="customers", batch_size=args.batch_size, options={}
    )
    print(
        f"customers: {customers['rows']:,} rows in {customers['seconds']} s "
        f"({customers['rows_per_second']:,}/s, {customers['queries_per_row']} queries/row)"
    )
    database = Path(connection.settings_dict["NAME"])
    connection.close()
    template = data_dir / "template.sqlite3"
    shutil.copyfile(database, template)

    runs = []
    for number in range(1, args.repeat + 1):
        for suffix in ("-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(template, database)
        done = subprocess.run(
            [
                sys.executable,
                __file__,
                "--child",
                str(feedback_file),
                "--batch-size",
                str(args.batch_size),
            ],
            capture_output=True,
            text=True,
            env=os.environ,
        )
        if done.returncode != 0:
            print(done.stderr, file=sys.stderr)
            return 1
        figures = json.loads(done.stdout.strip().splitlines()[-1])
        runs.append(figures)
        print(
            f"run {number}: {figures['rows']:,} notes in {figures['seconds']} s = "
            f"{figures['rows_per_second']:,} notes/s, {figures['queries_per_row']} queries/row, "
            f"peak RSS {figures['peak_rss_mb']} MB"
        )
    median = statistics.median(run["rows_per_second"] for run in runs)
    result = {
        "benchmark": "import_feedback",
        "machine": host_info(django=django.get_version(), sqlite=sqlite3.sqlite_version),
        "notes": args.notes,
        "customers": args.customers,
        "batch_size": args.batch_size,
        "contact_share": args.contact_share,
        "file_mb": round(feedback_file.stat().st_size / 1e6, 1),
        "customers_import": customers,
        "runs": runs,
        "median_rows_per_second": median,
        "peak_rss_mb": max(run["peak_rss_mb"] for run in runs),
        "budget_rows_per_second": BUDGET_ROWS_PER_SECOND,
        "within_budget": median >= BUDGET_ROWS_PER_SECOND,
    }
    path = write_result(args.out, f"import-feedback-{args.notes}-", result)
    verdict = "meets" if result["within_budget"] else "falls short of"
    print(
        f"median {median:,.0f} notes/s ({verdict} the budget of {BUDGET_ROWS_PER_SECOND:,}/s); "
        f"peak RSS {result['peak_rss_mb']} MB; written to {path}"
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    sys.path.insert(0, str(REPO / "src"))
    if args.child is not None:
        return child(args)  # the parent set the environment up
    data_dir = Path(tempfile.mkdtemp(prefix="pilothouse-import-bench-"))
    configure_sqlite_environment(data_dir, secrets.token_urlsafe(50))
    try:
        return run(args, data_dir)
    finally:
        if args.keep_data:
            print(f"Data kept in {data_dir}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
