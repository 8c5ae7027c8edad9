"""The demo's metric catalog: about forty metrics of the company and of its products
(the same ones at every scale), with three years of values up to yesterday, targets
per quarter, and the demo's key results that measure the same thing bound to them.

Values follow a believable shape: steady growth (or decline, for what should fall), a
weekly rhythm (business software is busier on weekdays), a yearly season (a summer
lull, a year-end push), a step on the day each release of the metric's product shipped
(launches lift what should rise and lower what should fall), a few incidents (a short
dip, or a spike in what should fall) and some noise. Several metrics are broken down by
platform (web, iOS, Android) or by segment. The targets of the current quarter are set
against each metric's own trend so that the catalog shows every status: some on track,
some at risk, some off track, a few with no target at all.

It runs after every other stage and draws from its own random stream, so adding it
changed nothing else the generator makes, except the key results it binds: their start,
target and current values are re-read from the metric they now follow. Rows are
inserted in bulk; being generated, they write no change records.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from pilothouse.demo.clock import Clock, quarter_of
from pilothouse.demo.people import Org
from pilothouse.demo.portfolio import Portfolio
from pilothouse.demo.rows import Rows
from pilothouse.engines import metrics as engine
from pilothouse.metrics.models import (
    KeyResultMetric,
    KeyResultReading,
    Metric,
    MetricTarget,
    MetricValue,
    ValueOrigin,
)
from pilothouse.roadmap.models import Release, ReleaseStatus
from pilothouse.strategy.models import Direction, KeyResult, ObjectiveScope, ObjectiveStatus

HISTORY_DAYS = 3 * 365 + 1
# Objectives whose key results may follow a metric (achieved or cancelled ones are settled).
OPEN = frozenset({ObjectiveStatus.ACTIVE, ObjectiveStatus.DRAFT})
PLATFORMS = (("web", 0.55), ("ios", 0.27), ("android", 0.18))
SEGMENTS = (("SMB", 0.52), ("Mid-market", 0.33), ("Enterprise", 0.15))
# How the current quarter's target sits against the metric's own projection, by turn:
# reachable, just out of reach (within tolerance), well out of reach.
TARGET_STANCES = (0.97, 1.025, 1.12, 0.95, 1.03)
VALUE_FIELDS = (
    "metric_id",
    "period_start",
    "dimension",
    "value",
    "origin",
    "version",
    "created_at",
    "updated_at",
)


@dataclass(frozen=True)
class MetricSpec:
    key: str
    name: str
    unit: str
    kind: str  # north_star, input, guardrail, health
    granularity: str
    aggregation: str
    base: float  # the level three years ago
    growth: float  # per year: 0.3 is +30 %, -0.2 is -20 %
    lower: bool = False  # lower is better
    weekly: float = 0.0  # weekday against weekend swing (daily metrics)
    yearly: float = 0.0  # the amplitude of the yearly season
    noise: float = 0.02
    lift: float = 0.02  # the step of a release, as a share (a fall when lower is better)
    ceiling: float | None = None  # e.g. 100 for a percentage
    digits: int = 0  # decimals kept
    product: str | None = None  # the product key; None: the whole portfolio
    breakdown: str = ""  # "platform" or "segment"
    # Titles of the demo's key results measured by this metric, and how they read it.
    follows: tuple[str, ...] = ()
    reading: str = KeyResultReading.LATEST
    target: bool = True  # has targets per quarter
    tolerance: float = 5.0  # percent of the target still counted as at risk
    definition: str = ""


M = MetricSpec


def _product_metrics(key: str, name: str, size: float, growth: float) -> list[MetricSpec]:
    """The four metrics every product in its growth or maturity measures."""
    return [
        M(
            f"wau-{key.lower()}",
            f"Weekly active accounts in {name}",
            "accounts",
            "input",
            "day",
            "mean",
            size,
            growth,
            weekly=0.06,
            yearly=0.05,
            noise=0.01,
            lift=0.02,
            product=key,
            breakdown="platform" if key in {"STORE", "PAY"} else "",
            follows=(f"Weekly active accounts in {name}",),
            definition="Accounts with at least one signed-in user in the seven days up to the day.",
        ),
        M(
            f"p95-load-{key.lower()}",
            f"p95 page load in {name}",
            "ms",
            "guardrail",
            "day",
            "mean",
            1900,
            -0.12,
            lower=True,
            weekly=0.05,
            noise=0.05,
            lift=0.04,
            product=key,
            follows=(f"p95 page load in {name}",),
            definition="The 95th percentile of full page loads measured in the browser.",
        ),
        M(
            f"trial-conversion-{key.lower()}",
            f"Trial-to-paid conversion in {name}",
            "%",
            "input",
            "week",
            "mean",
            9.5,
            0.12,
            yearly=0.06,
            noise=0.04,
            lift=0.03,
            ceiling=100,
            digits=1,
            product=key,
            follows=("Trial-to-paid conversion",),
            definition="Trials started in the week that became paid within 30 days.",
        ),
        M(
            f"tickets-{key.lower()}",
            f"Support tickets about {name}",
            "tickets",
            "guardrail",
            "week",
            "sum",
            95,
            -0.08,
            lower=True,
            yearly=0.1,
            noise=0.08,
            lift=0.03,
            product=key,
            follows=(f"Support tickets about {name} per week",),
        ),
    ]


CATALOG: tuple[MetricSpec, ...] = (
    M("active-accounts", "Daily active accounts", "accounts", "north_star", "day", "mean",
      5200, 0.35, weekly=0.22, yearly=0.07, noise=0.012, lift=0.004, breakdown="platform",
      definition="Accounts with at least one signed-in user that day, over every product."),
    M("net-revenue-retention", "Net revenue retention", "%", "north_star", "month", "mean",
      103.5, 0.015, noise=0.006, lift=0.0, digits=1, follows=("Net revenue retention",),
      tolerance=2, definition="ARR of the accounts a year ago, today, over their ARR then."),
    M("new-arr", "New ARR booked", "USD", "input", "day", "sum", 9_000, 0.3, weekly=0.6,
      yearly=0.2, noise=0.35, lift=0.0, follows=("New ARR booked",),
      reading=KeyResultReading.PERIOD_SUM),
    M("logo-churn", "Logo churn", "%", "guardrail", "month", "mean", 3.1, -0.12, lower=True,
      noise=0.06, lift=0.0, digits=2, follows=("Logo churn per quarter",)),
    M("platform-availability", "Platform availability", "%", "health", "day", "mean", 99.82,
      0.0004, noise=0.0004, lift=0.0, ceiling=100, digits=3,
      follows=("Platform availability",), tolerance=0.05),
    M("infra-cost-per-account", "Infrastructure cost per active account", "USD", "guardrail",
      "month", "mean", 19.5, -0.09, lower=True, noise=0.02, lift=0.0, digits=2,
      follows=("Infrastructure cost per active account",)),
    M("nps", "Net promoter score", "points", "health", "month", "mean", 27, 0.08, noise=0.05,
      lift=0.0, digits=1, breakdown="segment", follows=("Net promoter score",)),
    M("multi-product-accounts", "Accounts using three or more products", "%", "input", "week",
      "last", 19, 0.12, noise=0.01, lift=0.0, ceiling=100, digits=1,
      follows=("Accounts using three or more products",)),
    M("gross-margin", "Gross margin", "%", "health", "month", "mean", 72.5, 0.01, noise=0.005,
      lift=0.0, ceiling=100, digits=1, follows=("Gross margin",), tolerance=2),
    M("p1-resolution-hours", "Median hours to resolve a P1 incident", "hours", "guardrail",
      "week", "mean", 8, -0.15, lower=True, noise=0.15, lift=0.0, digits=1,
      follows=("Median hours to resolve a P1 incident",)),
    M("paying-accounts-europe", "Paying accounts in Europe", "accounts", "input", "week", "last",
      320, 0.22, noise=0.005, lift=0.0, follows=("Paying accounts in Europe",)),
    M("support-tickets", "Support tickets", "tickets", "guardrail", "day", "sum", 160, 0.05,
      lower=True, weekly=0.55, yearly=0.08, noise=0.08, lift=0.002, breakdown="segment",
      target=False),
    M("signups", "Sign-ups", "accounts", "input", "day", "sum", 40, 0.28, weekly=0.5,
      yearly=0.15, noise=0.12, lift=0.006, breakdown="platform"),
    M("trial-starts", "Trials started", "accounts", "input", "day", "sum", 26, 0.25, weekly=0.5,
      yearly=0.15, noise=0.14, lift=0.004),
    M("api-error-rate", "API error rate", "%", "health", "day", "mean", 0.42, -0.2, lower=True,
      weekly=0.1, noise=0.1, lift=0.0, digits=3, target=False),
    M("time-to-live", "Customers live within 30 days of signing", "%", "input", "month", "mean",
      48, 0.1, noise=0.03, lift=0.0, ceiling=100, digits=1,
      follows=("Customers live within 30 days of signing",)),
    *_product_metrics("STORE", "Storefront", 2400, 0.3),
    *_product_metrics("ORDER", "Order Hub", 1700, 0.08),
    *_product_metrics("INVC", "Invoicing", 2900, 0.06),
    *_product_metrics("PAY", "Payments", 1300, 0.4),
    M("checkout-conversion-store", "Checkout conversion in Storefront", "%", "input", "day",
      "mean", 3.1, 0.1, weekly=0.05, yearly=0.08, noise=0.05, lift=0.03, ceiling=100, digits=2,
      product="STORE", breakdown="platform"),
    M("paying-accounts-quote", "Paying accounts on Quote Desk", "accounts", "north_star",
      "week", "last", 4, 1.2, noise=0.01, lift=0.1, product="QUOTE",
      follows=("Paying accounts on Quote Desk",)),
    M("activation-rate-quote", "Activation rate of new accounts on Quote Desk", "%", "input",
      "week", "mean", 22, 0.25, noise=0.06, lift=0.05, ceiling=100, digits=1, product="QUOTE",
      follows=("Activation rate of new accounts",)),
    M("critical-bugs-quote", "Critical bugs open in Quote Desk", "bugs", "guardrail", "day",
      "last", 16, -0.4, lower=True, noise=0.08, lift=0.12, product="QUOTE",
      follows=("Critical bugs open",), target=False),
    M("incidents-ident", "Incidents caused by Identity", "incidents", "guardrail", "week", "sum",
      1.6, -0.3, lower=True, noise=0.35, lift=0.05, product="IDENT",
      follows=("Incidents caused by Identity",), reading=KeyResultReading.PERIOD_SUM),
    M("login-success-ident", "Sign-in success rate", "%", "health", "day", "mean", 97.8, 0.004,
      weekly=0.002, noise=0.002, lift=0.001, ceiling=100, digits=2, product="IDENT", tolerance=0.5),
    M("integration-days-integ", "Median days to integrate with Integration Hub", "days",
      "input", "week", "mean", 17, -0.25, lower=True, noise=0.1, lift=0.06, digits=1,
      product="INTEG", follows=("Median days to integrate with Integration Hub",)),
    M("manual-credits-backoff", "Manual credits issued", "credits", "guardrail", "month", "sum",
      75, -0.3, lower=True, noise=0.12, lift=0.0, product="BACKOFF",
      follows=("Manual credits issued per month",)),
)  # fmt: skip


@dataclass(frozen=True)
class MetricsSummary:
    metrics: int
    metric_values: int
    metric_targets: int
    key_result_links: int


Series = list[tuple[dt.date, float]]


def create_metrics(
    *, portfolio: Portfolio, org: Org, clock: Clock, seed: int, batch_size: int
) -> MetricsSummary:
    rng = random.Random(f"metrics-{seed}")
    products = {demo.spec.key: demo for demo in portfolio.products}
    specs = [spec for spec in CATALOG if spec.product is None or spec.product in products]
    launches = _launches(list(products.values()))
    metrics = _save_metrics(specs, products=products, org=org, clock=clock)
    series: dict[str, dict[str, Series]] = {}
    rows = Rows(MetricValue, VALUE_FIELDS, own_ids=False)
    # The same thousand-odd dates and stamps repeat over tens of thousands of rows:
    # each is turned into its database form once.
    rows.adapt = [(index, functools.cache(adapt)) for index, adapt in rows.adapt]
    batch: list[tuple] = []
    for spec in specs:
        metric = metrics[spec.key]
        days = launches.get(spec.product) if spec.product else launches.get(None)
        overall = _series(spec, clock=clock, launches=days or [], rng=rng)
        by_dimension = {"": overall, **_breakdown(spec, overall, rng=rng)}
        series[spec.key] = by_dimension
        # A value is stamped the morning after its period ended, as a nightly load would.
        stamps = [
            dt.datetime.combine(
                engine.next_period_start(day, spec.granularity), dt.time(6, 0), tzinfo=dt.UTC
            )
            for day, _value in overall
        ]
        for dimension, pairs in by_dimension.items():
            batch += [
                (metric.pk, day, dimension, value, ValueOrigin.IMPORT, 1, stamp, stamp)
                for (day, value), stamp in zip(pairs, stamps, strict=True)
            ]
            if len(batch) >= batch_size * 5:
                rows.insert(batch)
                batch = []
    rows.insert(batch)
    targets = _targets(specs, metrics=metrics, series=series, clock=clock)
    links = _bind_key_results(specs, metrics=metrics, series=series, clock=clock, rng=rng)
    return MetricsSummary(
        metrics=len(metrics),
        metric_values=rows.count,
        metric_targets=targets,
        key_result_links=links,
    )


def _launches(demos) -> dict[str | None, list[tuple[dt.date, float]]]:
    """Release days per product key (None: every product's, for the company's metrics,
    each weighing a fifth as much)."""
    found: dict[str | None, list[tuple[dt.date, float]]] = defaultdict(list)
    by_id = {demo.product.pk: demo.spec.key for demo in demos}
    shipped = Release.objects.filter(
        product_id__in=list(by_id), status=ReleaseStatus.RELEASED, target_date__isnull=False
    ).values_list("product_id", "target_date")
    for product_id, day in shipped.order_by("target_date", "product_id"):
        found[by_id[product_id]].append((day, 1.0))
        found[None].append((day, 0.2))
    return found


def _save_metrics(specs, *, products, org: Org, clock: Clock) -> dict[str, Metric]:
    created = clock.moment(clock.days_ago(HISTORY_DAYS))
    made = []
    for spec in specs:
        owner = products[spec.product].lead.user if spec.product else org.cpo.user
        made.append(
            Metric(
                key=spec.key,
                name=spec.name,
                description=_description(spec, products),
                definition=spec.definition,
                unit=spec.unit,
                direction="lower" if spec.lower else "higher",
                kind=spec.kind,
                owner=owner,
                aggregation=spec.aggregation,
                granularity=spec.granularity,
                tolerance_percent=Decimal(str(spec.tolerance)),
                created_by=owner,
                updated_by=owner,
                created_at=created,
                updated_at=created,
            )
        )
    saved = Metric.objects.bulk_create(made)
    through = Metric.products.through
    through.objects.bulk_create(
        through(metric_id=metric.pk, product_id=products[spec.product].product.pk)
        for spec, metric in zip(specs, saved, strict=True)
        if spec.product
    )
    return {metric.key: metric for metric in saved}


def _description(spec: MetricSpec, products) -> str:
    where = f"of {products[spec.product].spec.name}" if spec.product else "of the whole company"
    better = "Lower is better." if spec.lower else "Higher is better."
    return f"A {spec.kind.replace('_', ' ')} metric {where}, by {spec.granularity}. {better}"


def _periods(spec: MetricSpec, clock: Clock) -> list[dt.date]:
    """The starts of the whole periods of the last three years, up to yesterday."""
    yesterday = clock.days_ago(1)
    first = engine.period_start(clock.days_ago(HISTORY_DAYS), spec.granularity)
    starts = []
    day = engine.next_period_start(first, spec.granularity)
    while engine.period_end(day, spec.granularity) <= yesterday:
        starts.append(day)
        day = engine.next_period_start(day, spec.granularity)
    return starts


def _series(spec: MetricSpec, *, clock: Clock, launches, rng: random.Random) -> Series:
    starts = _periods(spec, clock)
    origin = starts[0]
    phase = rng.uniform(0, 2 * math.pi)
    direction = -1.0 if spec.lower else 1.0
    steps = sorted(
        (day, direction * spec.lift * weight * rng.uniform(0.4, 1.6)) for day, weight in launches
    )
    incidents = _incidents(spec, starts, rng)
    weekday = [1.0, 1.03, 1.04, 1.02, 0.98, 0.62, 0.55]  # Monday to Sunday, business software
    level_of_steps = 1.0
    step_index = 0
    pairs: Series = []
    for day in starts:
        while step_index < len(steps) and steps[step_index][0] <= day:
            level_of_steps *= 1 + steps[step_index][1]
            step_index += 1
        years = (day - origin).days / 365.25
        value = spec.base * (1 + spec.growth) ** years * level_of_steps
        if spec.granularity == "day" and spec.weekly:
            value *= 1 + spec.weekly * (weekday[day.weekday()] - 0.89) / 0.45
        if spec.yearly:
            season = math.sin(2 * math.pi * day.timetuple().tm_yday / 365.25 + phase)
            value *= 1 + spec.yearly * season
        value *= incidents.get(day, 1.0)
        value *= 1 + rng.gauss(0, spec.noise)
        pairs.append((day, _kept(spec, value)))
    return pairs


def _incidents(spec: MetricSpec, starts: Sequence[dt.date], rng: random.Random) -> dict:
    """A few short dips (spikes when lower is better) of daily metrics."""
    if spec.granularity != "day":
        return {}
    found = {}
    for _ in range(rng.randint(2, 4)):
        first = rng.randrange(30, len(starts) - 5)
        size = rng.uniform(0.15, 0.4)
        for offset in range(rng.randint(1, 3)):
            found[starts[first + offset]] = 1 + size if spec.lower else 1 - size
    return found


def _kept(spec: MetricSpec, value: float) -> float:
    value = max(value, 0.0)
    if spec.ceiling is not None:
        value = min(value, spec.ceiling)
    return round(value, spec.digits)


def _breakdown(spec: MetricSpec, overall: Series, *, rng: random.Random) -> dict[str, Series]:
    """Values per platform or segment: shares of the total for sums and counts, levels
    around the overall one for means and rates; the shares drift over the years."""
    parts = {"platform": PLATFORMS, "segment": SEGMENTS}.get(spec.breakdown)
    if not parts:
        return {}
    found: dict[str, Series] = {}
    count = len(overall)
    additive = spec.aggregation in {"sum"} or spec.unit in {"accounts", "tickets"}
    for index, (name, share) in enumerate(parts):
        drift = rng.uniform(-0.25, 0.25) if index else 0.0
        tilt = rng.uniform(0.9, 1.1)
        values = []
        for position, (day, value) in enumerate(overall):
            progress = position / max(count - 1, 1)
            factor = (
                share * (1 + drift * progress) if additive else tilt * (1 + drift * progress / 5)
            )
            values.append((day, _kept(spec, value * factor * (1 + rng.gauss(0, spec.noise)))))
        found[name] = values
    return found


def _projection(spec: MetricSpec, pairs: Series, day: dt.date, today: dt.date) -> float:
    window = engine.recent(pairs, granularity=spec.granularity, today=today)
    trend = engine.fit_trend(window)
    return trend.value_at(day) if trend else pairs[-1][1]


def _round3(value: float) -> float:
    """Three significant figures: targets are round numbers."""
    if value == 0:
        return 0.0
    return round(value, 2 - math.floor(math.log10(abs(value))))


def _targets(specs, *, metrics, series, clock: Clock) -> int:
    """Targets for the last three quarters (about what was reached), the current one
    (against the trend, by turn reachable or not) and the next."""
    made = []
    current = quarter_of(clock.today)
    for index, spec in enumerate(s for s in specs if s.target):
        pairs = series[spec.key][""]
        if spec.reading == KeyResultReading.PERIOD_SUM:
            continue  # its target is a quarter's total: the key result that reads it holds it
        metric = metrics[spec.key]
        for offset in (-3, -2, -1, 0, 1):
            quarter = quarter_of(clock.today, offset)
            if offset < 0:
                reached = [value for day, value in pairs if quarter.start <= day <= quarter.end]
                if not reached:
                    continue
                value = reached[-1] * (1.04 if spec.lower else 0.96)
            else:
                stance = TARGET_STANCES[index % len(TARGET_STANCES)]
                if offset == 1:
                    stance += 0.05
                projected = _projection(spec, pairs, quarter.end, clock.today)
                value = projected / stance if spec.lower else projected * stance
            if spec.ceiling is not None and value >= spec.ceiling:
                # Not the ceiling itself: part of the way from where it stands to it.
                value = pairs[-1][1] + (spec.ceiling - pairs[-1][1]) * 0.6
            made.append(
                MetricTarget(
                    metric=metric,
                    start=quarter.start,
                    end=quarter.end,
                    value=round(value, spec.digits) if spec.ceiling else _round3(value),
                    note="Quarterly target" if offset != 0 else f"{current.label} target",
                    created_by=metric.owner,
                    updated_by=metric.owner,
                )
            )
    MetricTarget.objects.bulk_create(made)
    return len(made)


def _bind_key_results(specs, *, metrics, series, clock: Clock, rng: random.Random) -> int:
    """Bind the demo's key results that measure what a metric measures (the same title,
    and the metric's product or, for company metrics, a company objective) and re-read
    their figures from it: the start is the value as the objective's period began, the
    target keeps the step the key result asked for, the current value is the reading."""
    wanted = {}
    for spec in specs:
        for title in spec.follows:
            wanted[(title, spec.product)] = spec
    results = KeyResult.objects.select_related("objective__product").order_by("pk")
    links, changed = [], []
    for result in results:
        objective = result.objective
        product = objective.product.key if objective.scope == ObjectiveScope.PRODUCT else None
        if objective.scope == ObjectiveScope.PRODUCT_LINE or objective.status not in OPEN:
            continue  # a settled objective keeps the figures it was settled on
        spec = wanted.get((result.title, product))
        if spec is None:
            continue
        start, end = engine.label_span(objective.period)
        pairs = series[spec.key][""]
        if not _refigure(result, spec, pairs, start=start, end=end, today=clock.today, rng=rng):
            continue
        changed.append(result)
        metric = metrics[spec.key]
        links.append(
            KeyResultMetric(
                key_result=result,
                metric=metric,
                reading=spec.reading,
                created_by=objective.owner,
                updated_by=objective.owner,
            )
        )
    KeyResult.objects.bulk_update(changed, ["start_value", "target_value", "current_value"])
    KeyResultMetric.objects.bulk_create(links)
    return len(links)


def _refigure(
    result: KeyResult, spec: MetricSpec, pairs: Series, *, start, end, today, rng
) -> bool:
    """Set the key result's start, target and current value from the metric; False if
    the metric cannot give them."""
    current = engine.key_result_reading(values=pairs, reading=spec.reading, start=start, end=end)
    if spec.reading == KeyResultReading.PERIOD_SUM:
        elapsed = max(1, (min(today, end) - start).days) / ((end - start).days + 1)
        expected = (current or 0.0) / elapsed if start <= today else _quarter_total(pairs, start)
        begin, target = 0.0, _round3(expected * rng.uniform(0.9, 1.2))
        current = current or 0.0
    else:
        before = [value for day, value in pairs if day < start]
        if not before or current is None:
            return False
        begin = before[-1]
        ratio = float(result.target_value) / float(result.start_value) if result.start_value else 0
        decrease = result.direction == Direction.DECREASE
        if decrease and not 0 < ratio < 1:
            ratio = 0.8
        if not decrease and ratio <= 1:
            ratio = 1.15
        target = _round3(begin * ratio)
        if spec.ceiling is not None:
            if begin * ratio >= spec.ceiling:
                target = begin + (spec.ceiling - begin) * 0.5
            target = round(target, max(spec.digits, 2))
    if spec.digits == 0:  # counted in whole numbers
        target = float(round(target))
    if target == begin or (target < begin) != (result.direction == Direction.DECREASE):
        return False
    result.start_value = _decimal(begin)
    result.target_value = _decimal(target)
    result.current_value = _decimal(current)
    return result.start_value != result.target_value


def _quarter_total(pairs: Series, start: dt.date) -> float:
    """What a daily sum added up to over the quarter a year before `start`."""
    year_before = start.replace(year=start.year - 1)
    span_end = year_before + dt.timedelta(days=91)
    return sum(value for day, value in pairs if year_before <= day < span_end) * 1.3


def _decimal(value: float) -> Decimal:
    return Decimal(repr(round(value, 4))).quantize(Decimal("0.0001"))
