"""Every read of the metric catalog used by views and the API, each a fixed number of
queries whatever the number of metrics and values.

A metric's status needs only its recent values (engines.metrics.status: the window its
trend is fitted through) and its targets; lists and dashboards read exactly those, for
all their metrics at once, never a whole series.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Case, OuterRef, Prefetch, Q, QuerySet, Subquery, When

from pilothouse.engines import metrics as engine
from pilothouse.metrics import annotations as chart_annotations
from pilothouse.metrics.annotations import Annotation, AnnotationGroup
from pilothouse.metrics.models import (
    KeyResultMetric,
    Metric,
    MetricKind,
    MetricSync,
    MetricTarget,
    MetricValue,
)
from pilothouse.portfolio.models import Product
from pilothouse.roadmap.models import Release, ReleaseStatus

# The values a small chart of a metric shows, back from its latest value, per
# granularity (twelve weeks of days, half a year of weeks, a year of months); each
# window also holds the trend window of the status.
SPARK_DAYS = {"day": 84, "week": 182, "month": 366}
VALUES_PER_PAGE = 50
SYNCS_SHOWN = 10
# The ranges a metric's page charts, back from its latest value.
RANGES = {"3m": 91, "1y": 365, "3y": 1096, "all": None}
DEFAULT_RANGE = "1y"
# A metric's page draws at most this many lines of a dimension breakdown.
MAX_DIMENSIONS = 12

Pairs = list[tuple[dt.date, float]]


# --- the CRUD lists --------------------------------------------------------------------------


def metric_list() -> QuerySet[Metric]:
    return Metric.objects.select_related("owner").prefetch_related(
        Prefetch("products", queryset=Product.objects.order_by("name").only("id", "name", "key"))
    )


def metric_api_list(*, today: dt.date) -> QuerySet[Metric]:
    """Metrics for the API, each with its latest period (for `decorate_statuses`)."""
    return _with_latest(metric_list(), today)


def decorate_statuses(metrics: Sequence[Metric], *, today: dt.date) -> None:
    """Set `summary` (a MetricSummary) on metrics read with their latest period
    (`metric_api_list`): two queries for the whole page."""
    for row in _summarize(list(metrics), today=today, days=engine.TREND_WINDOW_DAYS):
        row.metric.summary = row


def metric_value_list() -> QuerySet[MetricValue]:
    return MetricValue.objects.all()


def metric_target_list() -> QuerySet[MetricTarget]:
    return MetricTarget.objects.all()


def key_result_metric_list() -> QuerySet[KeyResultMetric]:
    return KeyResultMetric.objects.all()


def metric_by_key_or_id(ident: str) -> Metric:
    """The metric whose key is `ident`, else the one whose id it is (digits: a key made of
    digits wins over an id); Metric.DoesNotExist."""
    lookup = Q(key=ident)
    if ident.isdigit():
        lookup |= Q(pk=int(ident))
    found = (
        metric_list()
        .filter(lookup)
        .annotate(by_key=Case(When(key=ident, then=0), default=1))
        .order_by("by_key")
        .first()
    )
    if found is None:
        raise Metric.DoesNotExist(f"No metric {ident!r}.")
    return found


def metrics_by_key(keys: Iterable[str]) -> dict[str, Metric]:
    """The metrics of these keys, with what deciding who may change them needs."""
    return {
        metric.key: metric
        for metric in Metric.objects.filter(key__in=set(keys)).prefetch_related(
            Prefetch("products", queryset=Product.objects.select_related("product_line"))
        )
    }


# --- statuses for many metrics at once ---------------------------------------------------------


@dataclass(frozen=True)
class MetricSummary:
    """A metric with its status as of today and its recent overall values (oldest first)."""

    metric: Metric
    status: engine.MetricStatus
    recent: Pairs = field(default_factory=list)

    @property
    def order(self) -> tuple:
        north_star = self.metric.kind != MetricKind.NORTH_STAR
        return (north_star, engine.STATUS_ORDER[self.status.status], self.metric.name.lower())


def _with_latest(metrics: QuerySet[Metric], today: dt.date) -> QuerySet[Metric]:
    latest = (
        MetricValue.objects.filter(metric=OuterRef("pk"), dimension="", period_start__lte=today)
        .order_by("-period_start")
        .values("period_start")[:1]
    )
    return metrics.annotate(latest_period=Subquery(latest))


def _recent_values(
    metrics: Sequence[Metric], *, days: Mapping[str, int], today: dt.date
) -> dict[int, Pairs]:
    """Each metric's overall values of the `days[granularity]` days up to its latest value
    (annotated `latest_period`): one query, one condition per distinct window start."""
    starts: dict[dt.date, list[int]] = defaultdict(list)
    for metric in metrics:
        latest = getattr(metric, "latest_period", None)
        if latest is not None:
            span = days[metric.granularity]
            starts[latest - dt.timedelta(days=span - 1)].append(metric.pk)
    if not starts:
        return {}
    condition = Q()
    for start, ids in starts.items():
        condition |= Q(metric_id__in=ids, period_start__gte=start)
    rows = (
        MetricValue.objects.filter(condition, dimension="", period_start__lte=today)
        .order_by("metric_id", "period_start")
        .values_list("metric_id", "period_start", "value")
    )
    found: dict[int, Pairs] = defaultdict(list)
    for metric_id, day, value in rows:
        found[metric_id].append((day, value))
    return found


def _targets_of(metric_ids: Iterable[int]) -> dict[int, list[engine.Target]]:
    found: dict[int, list[engine.Target]] = defaultdict(list)
    for metric_id, start, end, value in MetricTarget.objects.filter(
        metric_id__in=list(metric_ids)
    ).values_list("metric_id", "start", "end", "value"):
        found[metric_id].append(engine.Target(start, end, value))
    return found


def status_of(
    metric: Metric, *, values: Sequence[tuple[dt.date, float]], targets, today: dt.date
) -> engine.MetricStatus:
    return engine.evaluate(
        values=values,
        targets=targets,
        direction=metric.direction,
        granularity=metric.granularity,
        tolerance_percent=float(metric.tolerance_percent),
        today=today,
        unit=metric.unit,
    )


def summaries(
    metrics: QuerySet[Metric], *, today: dt.date, days: Mapping[str, int] | None = None
) -> list[MetricSummary]:
    """The metrics of `metrics` with their status and recent values: four queries (the
    metrics with their latest period, their products, their targets, the values)."""
    return _summarize(
        list(_with_latest(metrics, today)), today=today, days=days or engine.TREND_WINDOW_DAYS
    )


def _summarize(
    found: list[Metric], *, today: dt.date, days: Mapping[str, int]
) -> list[MetricSummary]:
    values = _recent_values(found, days=days, today=today)
    targets = _targets_of(metric.pk for metric in found)
    rows = []
    for metric in found:
        recent = values.get(metric.pk, [])
        window = engine.recent(recent, granularity=metric.granularity, today=today)
        status = status_of(metric, values=window, targets=targets.get(metric.pk, []), today=today)
        rows.append(MetricSummary(metric, status, recent))
    return rows


# --- the catalog -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CatalogFilters:
    kind: str = ""
    product_id: int | None = None
    owner_id: int | None = None
    status: str = ""
    q: str = ""


def catalog(*, filters: CatalogFilters, today: dt.date) -> list[MetricSummary]:
    """The catalog's rows, by name: each metric with its latest value and status."""
    metrics = metric_list()
    if filters.kind:
        metrics = metrics.filter(kind=filters.kind)
    if filters.product_id:
        metrics = metrics.filter(products__id=filters.product_id)
    if filters.owner_id:
        metrics = metrics.filter(owner_id=filters.owner_id)
    if filters.q:
        metrics = metrics.filter(Q(name__icontains=filters.q) | Q(key__icontains=filters.q))
    rows = summaries(metrics.distinct(), today=today)
    if filters.status:
        rows = [row for row in rows if row.status.status == filters.status]
    return sorted(rows, key=lambda row: (row.metric.name.lower(), row.metric.pk))


def catalog_owners() -> list[tuple[int, str]]:
    """The users who own a metric, to filter by."""
    owners = (
        Metric.objects.filter(owner__isnull=False)
        .values_list("owner_id", "owner__username", "owner__first_name", "owner__last_name")
        .distinct()
        .order_by("owner__username")
    )
    return [(pk, f"{first} {last}".strip() or username) for pk, username, first, last in owners]


def product_choices() -> list[tuple[int, str]]:
    return list(Product.objects.order_by("name").values_list("id", "name"))


# --- dashboards ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dashboard:
    product: Product | None
    north_stars: list[MetricSummary]
    others: list[MetricSummary]  # the most urgent first: off track, at risk, on track...
    counts: dict[str, int]


def dashboard(*, today: dt.date, product: Product | None = None) -> Dashboard:
    """The KPI dashboard of a product (or of the portfolio): north stars first, then the
    other metrics off track first; each with the values of its small chart only."""
    metrics = metric_list()
    if product is not None:
        metrics = metrics.filter(products=product)
    rows = sorted(summaries(metrics.distinct(), today=today, days=SPARK_DAYS), key=_order)
    counts = dict.fromkeys(engine.STATUSES, 0)
    for row in rows:
        counts[row.status.status] += 1
    north = [row for row in rows if row.metric.kind == MetricKind.NORTH_STAR]
    others = [row for row in rows if row.metric.kind != MetricKind.NORTH_STAR]
    return Dashboard(product=product, north_stars=north, others=others, counts=counts)


def _order(row: MetricSummary) -> tuple:
    return row.order


# --- one metric ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DimensionRow:
    dimension: str
    latest: float
    latest_period: dt.date
    series: Pairs


@dataclass(frozen=True)
class MetricDetail:
    metric: Metric
    status: engine.MetricStatus
    first: dt.date | None  # the charted range
    last: dt.date | None
    by: str  # the granularity the chart shows
    series: list[engine.RolledValue]
    targets: list[MetricTarget]
    dimensions: list[DimensionRow]
    dimensions_total: int
    releases: list[Annotation]
    # Marks of the apps above the catalog (experiments...), see metrics.annotations.
    annotations: list[AnnotationGroup]
    links: list[KeyResultMetric]
    syncs: list[MetricSync]
    values: Page


def chart_range(
    *, latest: dt.date | None, choice: str, first_value: dt.date | None
) -> tuple[dt.date | None, dt.date | None]:
    if latest is None:
        return None, None
    days = RANGES.get(choice, RANGES[DEFAULT_RANGE])
    if days is None:
        return first_value or latest, latest
    return latest - dt.timedelta(days=days - 1), latest


def metric_detail(
    *,
    metric: Metric,
    today: dt.date,
    range_choice: str = DEFAULT_RANGE,
    by: str | None = None,
    page: int | str = 1,
) -> MetricDetail:
    """What a metric's page shows: the series over the chosen range (rolled up `by` a
    coarser granularity if asked), targets, status, the dimensions' latest values and
    series, releases of its products shipped in the range, what the apps above the
    catalog mark on it (metrics.annotations: one query per provider), linked key results,
    the last syncs, and one page of its values. A fixed number of queries."""
    own = metric.values.order_by()
    bounds = own.filter(dimension="", period_start__lte=today).values_list(
        "period_start", flat=True
    )
    latest = bounds.order_by("-period_start").first()
    first_value = bounds.order_by("period_start").first() if range_choice == "all" else None
    first, last = chart_range(latest=latest, choice=range_choice, first_value=first_value)
    if by not in engine.GRANULARITIES or not engine.can_roll_up(
        source=metric.granularity, target=by
    ):
        by = None
    by = by or metric.granularity
    targets = list(metric.targets.order_by("start"))
    engine_targets = [engine.Target(t.start, t.end, t.value) for t in targets]
    series: list[engine.RolledValue] = []
    status_window: Pairs = []
    dimensions: list[DimensionRow] = []
    dimensions_total = 0
    if latest is not None:
        trend_from = latest - dt.timedelta(days=engine.TREND_WINDOW_DAYS[metric.granularity] - 1)
        read_from = min(first, trend_from)
        rows = own.filter(period_start__gte=read_from, period_start__lte=last).values_list(
            "dimension", "period_start", "value"
        )
        by_dimension: dict[str, Pairs] = defaultdict(list)
        for dimension, day, value in rows.order_by("dimension", "period_start"):
            by_dimension[dimension].append((day, value))
        overall = by_dimension.pop("", [])
        status_window = [pair for pair in overall if pair[0] >= trend_from]
        shown = [pair for pair in overall if pair[0] >= first]
        series = engine.roll_up(
            values=shown, source=metric.granularity, target=by, aggregation=metric.aggregation
        )
        dimensions_total = len(by_dimension)
        for dimension, pairs in sorted(by_dimension.items())[:MAX_DIMENSIONS]:
            inside = [pair for pair in pairs if pair[0] >= first]
            if inside:
                dimensions.append(DimensionRow(dimension, inside[-1][1], inside[-1][0], inside))
    status = status_of(metric, values=status_window, targets=engine_targets, today=today)
    releases = _releases(metric, first, last)
    marks = chart_annotations.collect(metric_ids=[metric.pk], first=first, last=last, today=today)
    links = list(
        metric.key_result_links.select_related("key_result__objective").order_by(
            "key_result__objective__period", "key_result__title"
        )
    )
    syncs = list(
        MetricSync.objects.filter(metric=metric).select_related("triggered_by")[:SYNCS_SHOWN]
    )
    paginator = Paginator(
        metric.values.order_by("-period_start", "dimension").only(
            "id", "period_start", "dimension", "value", "origin", "version", "metric_id"
        ),
        VALUES_PER_PAGE,
    )
    return MetricDetail(
        metric=metric,
        status=status,
        first=first,
        last=last,
        by=by,
        series=series,
        targets=targets,
        dimensions=dimensions,
        dimensions_total=dimensions_total,
        releases=releases,
        annotations=marks[metric.pk],
        links=links,
        syncs=syncs,
        values=paginator.get_page(page),
    )


def _releases(metric: Metric, first: dt.date | None, last: dt.date | None) -> list[Annotation]:
    """Releases of the metric's products shipped within [first, last], for the chart."""
    if first is None or last is None:
        return []
    found = (
        Release.objects.filter(
            product__metrics=metric,
            status=ReleaseStatus.RELEASED,
            target_date__gte=first,
            target_date__lte=last,
        )
        .order_by("target_date", "name")
        .values_list("target_date", "name", "product__key")
        .distinct()
    )
    return [Annotation(day, f"{key} {name}") for day, name, key in found]


# --- key results that follow a metric --------------------------------------------------------


@dataclass(frozen=True)
class KeyResultHistory:
    link: KeyResultMetric
    start: dt.date
    end: dt.date
    readings: Pairs  # what the key result read on each date
    progress: Pairs  # its progress (0..1) on each date


def objective_links(*, objective_id: int) -> list[KeyResultHistory]:
    """The key results of an objective that follow a metric, each with the history of
    its reading and progress over the objective's period: two queries."""
    links = list(
        KeyResultMetric.objects.filter(key_result__objective_id=objective_id)
        .select_related("metric", "key_result__objective")
        .order_by("key_result_id")
    )
    if not links:
        return []
    start, end = engine.label_span(links[0].key_result.objective.period)
    wanted = Q()
    for link in links:
        wanted |= Q(metric_id=link.metric_id, dimension=link.dimension)
    rows = (
        MetricValue.objects.filter(wanted, period_start__gte=start, period_start__lte=end)
        .order_by("period_start")
        .values_list("metric_id", "dimension", "period_start", "value")
    )
    values: dict[tuple[int, str], Pairs] = defaultdict(list)
    for metric_id, dimension, day, value in rows:
        values[(metric_id, dimension)].append((day, value))
    histories = []
    for link in links:
        result = link.key_result
        readings = engine.reading_history(
            values=values.get((link.metric_id, link.dimension), []),
            reading=link.reading,
            start=start,
            end=end,
        )
        progress = [
            (
                day,
                engine.progress(
                    current=reading,
                    start=float(result.start_value),
                    target=float(result.target_value),
                ),
            )
            for day, reading in readings
        ]
        histories.append(KeyResultHistory(link, start, end, readings, progress))
    return histories


def key_result_link(*, key_result_id: int) -> KeyResultMetric | None:
    return (
        KeyResultMetric.objects.filter(key_result_id=key_result_id).select_related("metric").first()
    )


def metric_choices() -> QuerySet[Metric]:
    return Metric.objects.only("id", "key", "name", "unit").order_by("name")
