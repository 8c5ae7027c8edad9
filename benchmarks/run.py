"""Measure Pilothouse's key pages and API lists on a throw-away demo organization.

    .venv/bin/python benchmarks/run.py [--scale large|small] [--repeat N] [--out DIR]

Sets up its own data folder and settings (production settings, DEBUG off), migrates,
builds the demo organization (timed), then requests each target with Django's test
client: pages logged in as the demo user, API lists with a bearer token. Before timing,
every target is requested once (untimed), so that the URL configuration, API schemas and
templates are loaded, and the garbage collector then collects and freezes what survives
(gc.freeze), keeping those objects and the demo build's out of the timed requests'
collections. Writes
<out>/<timestamp>.json and prints a table; rows over budgets.json are flagged, never
failed. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import logging
import os
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from host import host_info, peak_rss_mb, write_result

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DEFAULT_BUDGETS = HERE / "budgets.json"

# (kind, name): the name is what budgets.json and the table call the target; <KEY> and
# <id> are filled in with a product that has many features and one of its features,
# <asked> with the feature most notes are linked to, <rice> and <wsjf> with the demo's
# portfolio-wide scoring models of those frameworks, <team> with the team with the
# longest queue, <release> with the release with the most features, <scenario> with the
# demo's first scenario, <metric> and <metric_id> with the key and id of the north-star
# metric with the most values (else any metric with the most), <experiment> with a
# running experiment, <objective> with the objective with the most key results that
# follow a metric, <person> with the manager with the most private growth records.
TARGETS: tuple[tuple[str, str], ...] = (
    ("page", "/"),
    ("page", "/portfolio/"),
    ("page", "/portfolio/products/<KEY>/"),
    ("page", "/strategy/"),
    ("page", "/roadmap/features/"),
    ("page", "/roadmap/features/<id>/"),
    ("page", "/roadmap/timeline/"),
    ("page", "/roadmap/timeline/?scale=quarter&lanes=objective"),
    ("page", "/roadmap/board/"),
    ("page", "/roadmap/plan/"),
    ("page", "/prioritization/models/<rice>/"),
    ("page", "/prioritization/compare/?first=<rice>&second=<wsjf>"),
    ("page", "/people/"),
    ("page", "/people/org/"),
    ("page", "/people/<person>/"),
    ("page", "/people/ladder/"),
    ("page", "/people/readiness/"),
    ("page", "/people/coverage/"),
    ("page", "/people/hiring/"),
    ("page", "/teams/allocations/"),
    ("page", "/teams/cost/"),
    ("page", "/changes/"),
    ("page", "/customers/"),
    ("page", "/customers/inbox/"),
    ("page", "/teams/"),
    ("page", "/teams/<team>/"),
    ("page", "/roadmap/timeline/?scale=quarter&lanes=team"),
    ("page", "/roadmap/releases/<release>/"),
    ("page", "/scenarios/<scenario>/"),
    ("page", "/metrics/"),
    ("page", "/metrics/dashboard/"),
    ("page", "/metrics/<metric>/"),
    ("page", "/experiments/"),
    ("page", "/experiments/<experiment>/"),
    ("page", "/strategy/objectives/<objective>/"),
    ("api", "/api/v1/products"),
    ("api", "/api/v1/features?limit=50"),
    ("api", "/api/v1/features?limit=500"),
    ("api", "/api/v1/objectives"),
    ("api", "/api/v1/people"),
    ("api", "/api/v1/assessments?limit=50"),
    ("api", "/api/v1/allocations?limit=50"),
    ("api", "/api/v1/open-roles"),
    ("api", "/api/v1/coverage"),
    ("api", "/api/v1/team-cost"),
    ("api", "/api/v1/changes"),
    ("api", "/api/v1/customers"),
    ("api", "/api/v1/notes?limit=50"),
    ("api", "/api/v1/notes?state=new&limit=50"),
    ("api", "/api/v1/features?ordering=-demand_arr&limit=50"),
    ("api", "/api/v1/features/<asked>/evidence"),
    ("api", "/api/v1/scoring-models/<rice>/backlog?limit=50"),
    ("api", "/api/v1/roadmap-snapshots"),
    ("api", "/api/v1/teams/<team>/capacity"),
    ("api", "/api/v1/teams/<team>/forecast"),
    ("api", "/api/v1/teams/<team>/forecast?offset=300"),
    ("api", "/api/v1/releases/<release>/forecast"),
    ("api", "/api/v1/metrics"),
    ("api", "/api/v1/metric-values?metric_id=<metric_id>&limit=50"),
    ("api", "/api/v1/experiments/<experiment>/results"),
)


@dataclass
class Row:
    kind: str
    name: str
    url: str
    status: int | None = None
    queries: int | None = None
    bytes: int | None = None
    median_ms: float | None = None
    p95_ms: float | None = None
    min_ms: float | None = None
    max_ms: float | None = None
    error: str | None = None
    over_budget: list[str] = field(default_factory=list)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=("small", "large"), default="large")
    parser.add_argument("--repeat", type=int, default=20, help="timed requests per target")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, default=HERE / "results", help="results folder")
    parser.add_argument("--budgets", type=Path, default=DEFAULT_BUDGETS)
    parser.add_argument(
        "--changes",
        type=int,
        default=200,
        help="feature edits made through the services before measuring, so that the "
        "change log has a history (generated rows write none)",
    )
    parser.add_argument("--keep-data", action="store_true", help="keep the data folder")
    parser.add_argument(
        "--data-dir",
        type=Path,
        help="reuse this data folder (one kept by --keep-data) instead of a throw-away one; "
        "it is kept, and its demo organization is reused",
    )
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat: at least 1")
    return args


def configure_environment(data_dir: Path) -> None:
    """Settings for a throw-away instance; DATABASE_URL is respected if set."""
    os.environ["PILOTHOUSE_DATA_DIR"] = str(data_dir)
    os.environ["PILOTHOUSE_SECRET_KEY"] = secrets.token_urlsafe(50)
    os.environ["DJANGO_SETTINGS_MODULE"] = "pilothouse.config.settings"
    os.environ["PILOTHOUSE_ALLOWED_HOSTS"] = "testserver,localhost,127.0.0.1"
    os.environ["PILOTHOUSE_DEBUG"] = "false"
    os.environ["PILOTHOUSE_LOG_LEVEL"] = "ERROR"


def machine_info(args: argparse.Namespace) -> dict[str, Any]:
    import django
    from django.db import connection

    if connection.vendor == "sqlite":
        import sqlite3

        db_version = sqlite3.sqlite_version
    else:
        connection.ensure_connection()
        db_version = str(getattr(connection, "pg_version", "") or "")
    return {
        **host_info(),
        "scale": args.scale,
        "seed": args.seed,
        "repeat": args.repeat,
        "django": django.get_version(),
        "database": {"engine": connection.vendor, "version": db_version},
    }


def build_demo(args: argparse.Namespace, console) -> dict[str, Any]:
    """Build the demo organization with a progress bar; reuse one already in the database."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from pilothouse import demo

    if demo.demo_loaded():
        console.print("[yellow]A demo organization exists in this database; reusing it.")
        return {"reused": True, "seconds": None, "password": demo.reset_demo_password()}
    with Progress(
        TextColumn("{task.description:<10}"), BarColumn(), MofNCompleteColumn(), console=console
    ) as bar:
        tasks: dict[str, Any] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        rss_before = peak_rss_mb()
        started = time.perf_counter()
        summary = demo.build(scale=args.scale, seed=args.seed, progress=progress)
        seconds = time.perf_counter() - started
    return {
        "reused": False,
        "seconds": round(seconds, 2),
        "peak_rss_mb": peak_rss_mb(),
        "peak_rss_before_build_mb": rss_before,
        "counts": summary.counts(),
        "password": summary.demo_password,
    }


def make_history(count: int) -> int:
    """Edit `count` features through the services as the demo user (change-logged)."""
    from decimal import Decimal

    from pilothouse.core.models import User
    from pilothouse.roadmap import services
    from pilothouse.roadmap.models import Feature

    user = User.objects.get(username="demo")
    features = Feature.objects.exclude(effort_high=None).order_by("id")[:count]
    for feature in features:
        services.feature.update(
            actor=user,
            instance=feature,
            version=feature.version,
            data={"effort_high": feature.effort_high + Decimal("0.5")},
        )
    return len(features)


def pick_examples() -> dict[str, str]:
    """The product with the most features, one of its features in progress, the
    feature with the most linked notes, the team with the longest queue, the release
    with the most features, the first scenario, the north-star metric with the most
    values, a running experiment and the objective with the most key results bound to
    a metric, and the person with the most assessments, growth plans and one-to-ones."""
    from django.db.models import Count

    from pilothouse.delivery.models import Team
    from pilothouse.experiments.models import Experiment, ExperimentStatus
    from pilothouse.metrics.models import Metric, MetricKind
    from pilothouse.people.models import Person
    from pilothouse.portfolio.models import Product
    from pilothouse.prioritization.models import ScoringModel
    from pilothouse.roadmap.models import Feature, Release
    from pilothouse.scenarios.models import Scenario
    from pilothouse.strategy.models import Objective

    product = Product.objects.annotate(n=Count("features")).order_by("-n", "id").first()
    features = Feature.objects.filter(product=product).order_by("id")
    feature = features.filter(stage="in_progress").first() or features.first()
    asked = Feature.objects.order_by("-demand_requests", "id").first()
    models = dict(ScoringModel.objects.order_by("-id").values_list("framework", "pk"))
    team = Team.objects.annotate(n=Count("assignments")).order_by("-n", "id").first()
    release = Release.objects.annotate(n=Count("features")).order_by("-n", "id").first()
    scenario = Scenario.objects.order_by("id").first()
    metrics = Metric.objects.annotate(n=Count("values")).order_by("-n", "id")
    metric = metrics.filter(kind=MetricKind.NORTH_STAR).first() or metrics.first()
    experiment = (
        Experiment.objects.filter(status=ExperimentStatus.RUNNING).order_by("id").first()
        or Experiment.objects.order_by("id").first()
    )
    objective = (
        Objective.objects.annotate(n=Count("key_results__metric_link")).order_by("-n", "id").first()
    )
    person = (
        Person.objects.annotate(
            n=Count("assessments", distinct=True)
            + Count("growth_plans", distinct=True)
            + Count("reports", distinct=True)
        )
        .order_by("-n", "id")
        .first()
    )
    return {
        "<person>": str(person.pk),
        "<KEY>": product.key,
        "<id>": str(feature.pk),
        "<asked>": str(asked.pk),
        "<rice>": str(models["rice"]),
        "<wsjf>": str(models["wsjf"]),
        "<team>": str(team.pk),
        "<release>": str(release.pk),
        "<scenario>": str(scenario.pk),
        "<metric_id>": str(metric.pk),
        "<metric>": metric.key,
        "<experiment>": str(experiment.pk),
        "<objective>": str(objective.pk),
    }


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    position = share * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def warm_up(client, url: str, *, headers: dict[str, str]) -> None:
    """One untimed request; a failure is left for `measure` to record."""
    with contextlib.suppress(Exception):
        client.get(url, headers=headers)


def measure(client, row: Row, *, repeat: int, headers: dict[str, str]) -> Row:
    """One warm-up, one request counting queries, then `repeat` timed requests."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    try:
        client.get(row.url, headers=headers)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(row.url, headers=headers)
        row.status = response.status_code
        row.queries = len(queries.captured_queries)
        row.bytes = len(response.content)
        if getattr(response, "exc_info", None):
            row.error = repr(response.exc_info[1])[:300]
        timings = []
        for _ in range(repeat):
            started = time.perf_counter()
            client.get(row.url, headers=headers)
            timings.append((time.perf_counter() - started) * 1000)
    except Exception as exc:  # a broken page must not stop the run
        row.error = repr(exc)[:300]
        return row
    row.median_ms = round(statistics.median(timings), 2)
    row.p95_ms = round(percentile(timings, 0.95), 2)
    row.min_ms = round(min(timings), 2)
    row.max_ms = round(max(timings), 2)
    return row


def load_budgets(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def check_budgets(rows: list[Row], budgets: dict[str, Any]) -> None:
    """Mark each row with what it exceeds: p95_ms, queries, status, equal_queries."""
    defaults = budgets.get("defaults", {})
    targets = budgets.get("targets", {})
    for row in rows:
        budget = {**defaults.get(row.kind, {}), **targets.get(row.name, {})}
        if row.status is None or row.status >= 400:
            row.over_budget.append("status")
            continue
        for key in ("p95_ms", "queries"):
            limit = budget.get(key)
            value = getattr(row, key)
            if limit is not None and value is not None and value > limit:
                row.over_budget.append(key)
    by_name = {row.name: row for row in rows}
    for group in budgets.get("equal_queries", []):
        members = [by_name[name] for name in group if name in by_name]
        if len({row.queries for row in members}) > 1:
            for row in members:
                row.over_budget.append("equal_queries")


def print_table(console, rows: list[Row], meta: dict[str, Any], build: dict[str, Any]) -> None:
    from rich.table import Table

    database = meta["database"]
    title = (
        f"Pilothouse benchmarks, {meta['scale']} scale, {database['engine']} "
        f"{database['version']}, {meta['cpu_count']} CPUs, Python {meta['python']}, "
        f"Django {meta['django']}"
    )
    table = Table(title=title, title_justify="left")
    for column, justify in (
        ("kind", "left"),
        ("target", "left"),
        ("status", "right"),
        ("queries", "right"),
        ("KB", "right"),
        ("median ms", "right"),
        ("p95 ms", "right"),
        ("budget", "left"),
    ):
        table.add_column(column, justify=justify)
    for row in rows:

        def show(value: Any) -> str:
            return "-" if value is None else str(value)

        verdict = "ok" if not row.over_budget else "OVER: " + ", ".join(row.over_budget)
        style = "red" if row.over_budget else None
        table.add_row(
            row.kind,
            row.url,
            show(row.status),
            show(row.queries),
            show(None if row.bytes is None else round(row.bytes / 1024, 1)),
            show(row.median_ms),
            show(row.p95_ms),
            verdict,
            style=style,
        )
    console.print(table)
    if build.get("seconds") is not None:
        console.print(
            f"Demo build: {build['seconds']} s, peak RSS {build['peak_rss_mb']} MB, "
            f"{build['counts']['features']} features, {build['counts']['people']} people, "
            f"{build['counts'].get('customers', 0)} customers, "
            f"{build['counts'].get('notes', 0)} notes."
        )
    for row in rows:
        if row.error:
            console.print(f"[yellow]{row.url}: {row.error}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.data_dir is not None:
        args.keep_data = True
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="pilothouse-bench-"))
    configure_environment(data_dir)
    try:
        return run(args, data_dir)
    finally:
        if args.keep_data:
            print(f"Data kept in {data_dir}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)


def run(args: argparse.Namespace, data_dir: Path) -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from rich.console import Console

    from pilothouse.core.models import User
    from pilothouse.core.tokens import token_create

    console = Console()
    if not console.is_terminal:  # a pipe or a file: room for the whole table
        console.width = 150
    console.print(f"Data folder: {data_dir}")
    call_command("migrate", interactive=False, verbosity=0)
    # Production settings keep static files in a manifest; pages need it to render.
    call_command("collectstatic", interactive=False, verbosity=0)
    meta = machine_info(args)
    build = build_demo(args, console)
    password = build.pop("password")
    history = make_history(args.changes)

    pages = Client(raise_request_exception=False)
    if not pages.login(username="demo", password=password):
        console.print("[red]The demo user could not log in.")
        return 1
    api = Client(raise_request_exception=False)
    _, secret = token_create(user=User.objects.get(username="demo"), name="benchmarks")
    examples = pick_examples()

    logging.getLogger("django.request").setLevel(logging.CRITICAL)  # 404s of missing pages
    targets = []
    for kind, name in TARGETS:
        url = name
        for placeholder, value in examples.items():
            url = url.replace(placeholder, value)
        client, headers = (
            (pages, {}) if kind == "page" else (api, {"Authorization": f"Bearer {secret}"})
        )
        targets.append((Row(kind=kind, name=name, url=url), client, headers))
    # A server process has loaded its URL configuration, API schemas and templates before
    # the requests that matter, and starts without the demo build's objects: one untimed
    # request per target loads them, then the garbage is collected and the survivors
    # frozen, out of later collections, so that neither the build's heap nor what the
    # first requests load lengthens the collector's pauses inside the timed requests.
    console.print("warming up: one request per target", style="dim")
    for row, client, headers in targets:
        warm_up(client, row.url, headers=headers)
    gc.collect()
    gc.freeze()
    rows = []
    for row, client, headers in targets:
        console.print(f"measuring {row.url}", style="dim")
        rows.append(measure(client, row, repeat=args.repeat, headers=headers))

    budgets = load_budgets(args.budgets)
    check_budgets(rows, budgets)
    if budgets.get("scale") and budgets["scale"] != args.scale:
        console.print(f"[dim]The budgets are set for the {budgets['scale']} scale.")
    print_table(console, rows, meta, build)

    result = {
        "meta": meta,
        "build": build,
        "history_edits": history,
        "examples": examples,
        "budgets": str(args.budgets),
        "results": [asdict(row) for row in rows],
    }
    out = write_result(args.out, "", result)
    console.print(f"Results written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
