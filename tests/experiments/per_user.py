"""Per-user rows of an experiment in a CSV file, the DuckDB data source that reads it, the
statistics queries over it, and the same sums computed in Python from the same rows (what
the stored statistics must equal)."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path

from pilothouse.experiments.models import Experiment, ExperimentMetric, Variant
from pilothouse.metrics.models import DataSource
from tests.experiments import builders

START = dt.date(2026, 3, 1)
TODAY = dt.date(2026, 3, 20)
# Users from a few days before the start to a few days after today: the query's window
# (:start_date to :end_date) must leave those out.
FIRST_DAY = dt.date(2026, 2, 25)
LAST_DAY = dt.date(2026, 3, 24)
COLUMNS = ("user_id", "variant", "day", "converted", "revenue", "sessions", "pre_revenue")


@dataclass(frozen=True)
class User:
    user_id: int
    variant: str  # as the warehouse writes it: "control" or "b" (the variants: Control, B)
    day: dt.date
    converted: int
    revenue: float
    sessions: int
    pre_revenue: float


def users(seed: int = 7, per_variant: int = 80) -> list[User]:
    rng = random.Random(seed)
    span = (LAST_DAY - FIRST_DAY).days
    rows = []
    for variant, lift in (("control", 0.0), ("b", 0.1)):
        for _ in range(per_variant):
            revenue = round(rng.uniform(0, 10) * (rng.random() < 0.7), 2)
            rows.append(
                User(
                    user_id=len(rows) + 1,
                    variant=variant,
                    day=FIRST_DAY + dt.timedelta(days=rng.randint(0, span)),
                    converted=int(rng.random() < 0.3 + lift),
                    revenue=revenue,
                    sessions=rng.randint(1, 6),
                    pre_revenue=round(revenue * 0.6 + rng.uniform(0, 3), 2),
                )
            )
    return rows


def write_csv(path: Path, rows: list[User]) -> Path:
    lines = [",".join(COLUMNS)]
    lines += [
        f"{u.user_id},{u.variant},{u.day.isoformat()},{u.converted},{u.revenue},"
        f"{u.sessions},{u.pre_revenue}"
        for u in rows
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


WINDOW = "WHERE day BETWEEN :start_date AND :end_date GROUP BY variant"
MEAN = (
    "SELECT variant, count(*) AS n, sum(revenue) AS sum, sum(revenue * revenue) AS sum_squares "
    "FROM '{csv}' " + WINDOW
)
PROPORTION = "SELECT variant, count(*) AS n, sum(converted) AS sum FROM '{csv}' " + WINDOW
RATIO = (
    "SELECT variant, count(*) AS n, sum(revenue) AS sum, sum(revenue * revenue) AS sum_squares, "
    "sum(sessions) AS denominator_sum, sum(sessions * sessions) AS denominator_sum_squares, "
    "sum(revenue * sessions) AS cross_sum FROM '{csv}' " + WINDOW
)
CUPED = (
    "SELECT variant, count(*) AS n, sum(revenue) AS sum, sum(revenue * revenue) AS sum_squares, "
    "sum(pre_revenue) AS covariate_sum, sum(pre_revenue * pre_revenue) AS covariate_sum_squares, "
    "sum(revenue * pre_revenue) AS covariate_cross_sum FROM '{csv}' " + WINDOW
)


def expected(rows: list[User], kind: str, *, first=START, last=TODAY) -> dict[str, dict]:
    """The sums a query of `kind` must give, per variant name (Control, B), from the rows
    of the window, computed here."""
    found: dict[str, dict] = {}
    for u in rows:
        if not first <= u.day <= last:
            continue
        name = "Control" if u.variant == "control" else "B"
        sums = found.setdefault(name, {"n": 0})
        sums["n"] += 1
        value = float(u.converted) if kind == "proportion" else u.revenue
        terms = {"sum": value}
        if kind != "proportion":
            terms["sum_squares"] = value * value
        if kind == "ratio":
            terms |= {
                "denominator_sum": u.sessions,
                "denominator_sum_squares": u.sessions * u.sessions,
                "cross_sum": value * u.sessions,
            }
        if kind == "cuped":
            terms |= {
                "covariate_sum": u.pre_revenue,
                "covariate_sum_squares": u.pre_revenue * u.pre_revenue,
                "covariate_cross_sum": value * u.pre_revenue,
            }
        for name_, term in terms.items():
            sums[name_] = sums.get(name_, 0.0) + term
    return found


@dataclass
class QueryWorld:
    experiment: Experiment
    control: Variant
    b: Variant
    source: DataSource
    csv: Path
    rows: list[User]
    mean: ExperimentMetric  # revenue per user (primary)
    proportion: ExperimentMetric  # conversion

    def sql(self, template: str) -> str:
        return template.format(csv=self.csv)

    def add(self, kind: str, sql: str | None = None, **fields) -> ExperimentMetric:
        """Another metric with its query: kind is mean, proportion, ratio or cuped."""
        metric_type = "mean" if kind == "cuped" else kind
        return builders.measure(
            self.experiment,
            builders.metric(name=f"{kind.title()} metric"),
            metric_type=metric_type,
            cuped=kind == "cuped",
            data_source=self.source,
            statistics_query=sql or self.sql({"ratio": RATIO, "cuped": CUPED}.get(kind, MEAN)),
            **fields,
        )


def build(product, folder: Path) -> QueryWorld:
    rows = users()
    csv = write_csv(folder / "users.csv", rows)
    source = DataSource.objects.create(
        name=f"Exports {folder.name}", kind="duckdb", files_folder=str(folder)
    )
    experiment = builders.experiment(product, name="Query test", status="running", start_date=START)
    control, b = builders.variants(experiment)
    mean = builders.measure(
        experiment,
        builders.metric(name="Revenue per user"),
        role="primary",
        data_source=source,
        statistics_query=MEAN.format(csv=csv),
    )
    proportion = builders.measure(
        experiment,
        builders.metric(name="Conversion"),
        metric_type="proportion",
        data_source=source,
        statistics_query=PROPORTION.format(csv=csv),
    )
    return QueryWorld(
        experiment=experiment,
        control=control,
        b=b,
        source=source,
        csv=csv,
        rows=rows,
        mean=mean,
        proportion=proportion,
    )
