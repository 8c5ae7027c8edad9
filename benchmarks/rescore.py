"""Measure re-scoring: every feature of a scoring model after a change to the model.

    .venv/bin/python benchmarks/rescore.py [--features 20000] [--repeat 5]
        [--batch-size 1000] [--seed 42] [--out DIR] [--keep-data]

(--batch-size: rows per bulk insert while setting up; the re-scoring writes in batches
of prioritization.services.RESCORE_BATCH.)

Sets up a throw-away data folder with the production settings (like benchmarks/run.py;
SQLite: DATABASE_URL is ignored, the budget is for SQLite), migrates, and creates with
bulk inserts one product line, 20 products and `--features` features, a custom scoring
model "reach * impact * confidence / effort" with those four inputs, and inputs for
every feature (seeded). Then it changes the model's formula `--repeat` times through
`prioritization.services`, as a product leader does on the model's page, alternating
between two formulas so that every score changes each time: each change re-scores
every feature in its transaction. Each run is timed from the call to its return (the
commit; wall clock and CPU time, with the load average: the machine may be shared),
counts its SQL statements and checks that every score was rewritten and that the
change wrote one change record.

Also measured, not budgeted: the ranked backlog of all the features (one query and
the ranking in Python) for the stored model, and for a custom formula reading computed
fields, whose scores are computed as they are read.

Prints the figures and writes <out>/rescore-<features>-<timestamp>.json.
Budget: the median re-score of 20,000 features within 1 s.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from host import configure_sqlite_environment, host_info, peak_rss_mb, write_result

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
BUDGET_SECONDS = 1.0
FORMULAS = ("reach * impact * confidence / effort ^ 0.8", "reach * impact * confidence / effort")
INPUTS = ("reach", "impact", "confidence", "effort")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--features", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, default=HERE / "results")
    parser.add_argument("--keep-data", action="store_true")
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.features < 1 or args.batch_size < 1:
        parser.error("--repeat, --features and --batch-size: at least 1")
    return args


def populate(features: int, seed: int, batch_size: int):
    """The organization, the model and every feature's inputs; answers (leader, model)."""
    from pilothouse.core.accounts import user_create
    from pilothouse.portfolio.models import Product, ProductLine
    from pilothouse.prioritization import services
    from pilothouse.prioritization.models import FeatureScore
    from pilothouse.roadmap.models import Feature

    rng = random.Random(seed)
    leader = user_create(actor=None, username="leader", role="product_leader", password=None)
    line = ProductLine.objects.create(name="Benchmarks")
    products = Product.objects.bulk_create(
        Product(name=f"Product {i}", key=f"B{i:03d}", product_line=line) for i in range(20)
    )
    stages = ("idea", "candidate", "planned")
    Feature.objects.bulk_create(
        (
            Feature(
                title=f"Feature {i}",
                product=products[i % len(products)],
                stage=stages[i % len(stages)],
            )
            for i in range(features)
        ),
        batch_size=batch_size,
    )
    model = services.scoring_model.create(
        actor=leader,
        data={
            "name": "Benchmark scorecard",
            "framework": "custom",
            "formula": FORMULAS[1],
            "input_fields": [{"name": name, "min": 0} for name in INPUTS],
        },
    )
    FeatureScore.objects.bulk_create(
        (
            FeatureScore(
                feature_id=feature_id,
                scoring_model=model,
                inputs={
                    "reach": rng.randint(0, 10_000),
                    "impact": rng.choice((3, 2, 1, 0.5, 0.25)),
                    "confidence": rng.choice((1.0, 0.8, 0.5)),
                    "effort": rng.choice((0.5, 1, 2, 3, 5, 8, 13)),
                },
            )
            for feature_id in Feature.objects.values_list("pk", flat=True)
        ),
        batch_size=batch_size,
    )
    return leader, model


def rescore_once(leader, model, formula: str) -> dict[str, Any]:
    from django.db import connection

    from pilothouse.core.models import ChangeRecord
    from pilothouse.prioritization import services
    from pilothouse.prioritization.models import FeatureScore

    statements = 0

    def count(execute, sql, params, many, context):
        nonlocal statements
        statements += 1
        return execute(sql, params, many, context)

    records_before = ChangeRecord.objects.count()
    model.refresh_from_db()
    with connection.execute_wrapper(count):
        started, cpu_started = time.perf_counter(), time.process_time()
        services.scoring_model.update(
            actor=leader, instance=model, version=model.version, data={"formula": formula}
        )
        seconds = time.perf_counter() - started
        cpu_seconds = time.process_time() - cpu_started
    scores = FeatureScore.objects.filter(scoring_model=model)
    return {
        "formula": formula,
        "features": scores.count(),
        "seconds": round(seconds, 3),
        "cpu_seconds": round(cpu_seconds, 3),
        "features_per_second": round(scores.count() / seconds),
        "queries": statements,
        "change_records": ChangeRecord.objects.count() - records_before,
        "scores_missing": scores.filter(score__isnull=True).count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def backlog_seconds(model, repeat: int) -> float:
    from pilothouse.prioritization import selectors
    from pilothouse.prioritization.selectors import BacklogFilters

    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        rows = selectors.backlog(scoring_model=model, filters=BacklogFilters(stage="all"))
        runs.append(time.perf_counter() - started)
        assert rows
    return round(statistics.median(runs), 3)


def run(args: argparse.Namespace) -> int:
    import django

    django.setup()
    import sqlite3

    from django.core.management import call_command

    from pilothouse.prioritization.models import ScoringModel

    call_command("migrate", interactive=False, verbosity=0)
    started = time.perf_counter()
    leader, model = populate(args.features, args.seed, args.batch_size)
    print(
        f"Created {args.features:,} features with inputs in {time.perf_counter() - started:.1f} s"
    )

    runs = []
    for number in range(1, args.repeat + 1):
        figures = rescore_once(leader, model, FORMULAS[(number - 1) % 2])
        if figures["scores_missing"] or figures["change_records"] != 1:
            print(f"run {number} went wrong: {figures}", file=sys.stderr)
            return 1
        runs.append(figures)
        print(
            f"run {number}: {figures['features']:,} features re-scored in {figures['seconds']} s "
            f"({figures['features_per_second']:,}/s, {figures['queries']} queries, "
            f"load {figures['load_average'][0]})"
        )
    median = statistics.median(run["seconds"] for run in runs)

    model.refresh_from_db()
    stored_backlog = backlog_seconds(model, 3)
    live = ScoringModel.objects.create(
        name="Live scorecard",
        framework="custom",
        formula="reach * (1 + requests) / max(effort_high, 1)",
        input_fields=model.input_fields,
    )
    from pilothouse.prioritization.models import FeatureScore

    FeatureScore.objects.filter(scoring_model=model).update(scoring_model=live)
    live_backlog = backlog_seconds(live, 3)
    print(f"backlog of {args.features:,}: stored scores {stored_backlog} s, live {live_backlog} s")

    result = {
        "benchmark": "rescore",
        "machine": host_info(django=django.get_version(), sqlite=sqlite3.sqlite_version),
        "features": args.features,
        "batch_size": args.batch_size,
        "runs": runs,
        "median_seconds": median,
        "backlog_seconds": {"stored": stored_backlog, "live": live_backlog},
        "peak_rss_mb": peak_rss_mb(),
        "budget_seconds": BUDGET_SECONDS,
        "within_budget": median <= BUDGET_SECONDS,
    }
    path = write_result(args.out, f"rescore-{args.features}-", result)
    verdict = "meets" if result["within_budget"] else "falls short of"
    print(
        f"median {median} s for {args.features:,} features ({verdict} the budget of "
        f"{BUDGET_SECONDS} s); peak RSS {result['peak_rss_mb']} MB; written to {path}"
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    sys.path.insert(0, str(REPO / "src"))
    data_dir = Path(tempfile.mkdtemp(prefix="pilothouse-rescore-bench-"))
    configure_sqlite_environment(data_dir, secrets.token_urlsafe(50))
    try:
        return run(args)
    finally:
        if args.keep_data:
            print(f"Data kept in {data_dir}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
