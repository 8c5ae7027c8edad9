"""The demo's metric catalog: about forty metrics with three years of values (weekly
and yearly seasons, steps on release days, incidents), breakdowns, targets that give
every status, and key results bound to metrics."""

from __future__ import annotations

import datetime as dt
import itertools
import statistics
from collections import Counter

import pytest
from django.db import transaction

from pilothouse import demo
from pilothouse.core.models import ChangeRecord
from pilothouse.demo.metrics import CATALOG, HISTORY_DAYS
from pilothouse.engines import metrics as engine
from pilothouse.metrics import selectors
from pilothouse.metrics.models import KeyResultMetric, Metric, MetricTarget, MetricValue
from pilothouse.roadmap.models import Release, ReleaseStatus
from tests.demo.conftest import TODAY


def overall(key: str) -> list[tuple[dt.date, float]]:
    return list(
        MetricValue.objects.filter(metric__key=key, dimension="")
        .order_by("period_start")
        .values_list("period_start", "value")
    )


def test_forty_metrics_with_three_years_of_values(small_demo):
    assert small_demo.metrics == Metric.objects.count() == len(CATALOG) == 40
    assert small_demo.metric_values == MetricValue.objects.count()
    assert small_demo.metric_targets == MetricTarget.objects.count() > 100
    daily = Metric.objects.filter(granularity="day")
    assert daily.count() >= 15
    for metric in daily:
        days = overall(metric.key)
        assert days[-1][0] == TODAY - dt.timedelta(days=1)
        assert days[0][0] <= TODAY - dt.timedelta(days=HISTORY_DAYS - 2)
        assert len(days) == (days[-1][0] - days[0][0]).days + 1  # no day missing
    kinds = Counter(Metric.objects.values_list("kind", flat=True))
    assert set(kinds) == {"north_star", "input", "guardrail", "health"}
    for metric in Metric.objects.exclude(granularity="day"):
        for day, _value in overall(metric.key):
            assert engine.is_period_start(day, metric.granularity), (metric.key, day)


def test_values_have_a_weekly_rhythm_launches_and_breakdowns(small_demo):
    days = overall("active-accounts")[-364:]
    weekdays = statistics.mean(v for d, v in days if d.weekday() < 5)
    weekends = statistics.mean(v for d, v in days if d.weekday() >= 5)
    assert weekends < 0.85 * weekdays
    # Launches: a product's metric is higher in the week after its releases shipped.
    metric = Metric.objects.get(key="wau-store")
    shipped = Release.objects.filter(
        product__in=metric.products.all(), status=ReleaseStatus.RELEASED
    ).values_list("target_date", flat=True)
    values = dict(overall("wau-store"))
    steps = []
    for day in shipped:
        before = [
            values[day - dt.timedelta(days=n)]
            for n in range(7, 14)
            if day - dt.timedelta(days=n) in values
        ]
        after = [
            values[day + dt.timedelta(days=n)]
            for n in range(7, 14)
            if day + dt.timedelta(days=n) in values
        ]
        if before and after:
            steps.append(statistics.mean(after) / statistics.mean(before))
    assert steps, "Storefront shipped releases within the history"
    assert statistics.mean(steps) > 1.0
    # Breakdowns by platform and by segment.
    dimensions = set(MetricValue.objects.exclude(dimension="").values_list("dimension", flat=True))
    assert {"web", "ios", "android", "SMB", "Enterprise"} <= dimensions
    broken_down = MetricValue.objects.exclude(dimension="").values("metric").distinct().count()
    assert broken_down >= 5


def test_the_catalog_shows_every_status_and_targets_do_not_overlap(small_demo):
    rows = selectors.catalog(filters=selectors.CatalogFilters(), today=TODAY)
    statuses = Counter(row.status.status for row in rows)
    assert {"on_track", "at_risk", "off_track", "no_target"} <= set(statuses), statuses
    assert statuses["no_data"] == 0
    by_metric: dict[int, list[MetricTarget]] = {}
    for target in MetricTarget.objects.order_by("metric_id", "start"):
        by_metric.setdefault(target.metric_id, []).append(target)
    for targets in by_metric.values():
        for first, second in itertools.pairwise(targets):
            assert first.end < second.start


def test_key_results_follow_metrics_and_nothing_is_logged(small_demo):
    links = list(KeyResultMetric.objects.select_related("key_result__objective", "metric"))
    assert small_demo.key_result_metric_links == len(links) >= 5
    for link in links:
        result = link.key_result
        start, end = engine.label_span(result.objective.period)
        reading = engine.key_result_reading(
            values=overall(link.metric.key), reading=link.reading, start=start, end=end
        )
        if reading is not None:
            assert float(result.current_value) == pytest.approx(reading, abs=1e-3)
        result.full_clean()  # start, target and direction still agree
    assert {link.reading for link in links} >= {"latest"}
    # Generated, not edited: none of it is in the change log.
    models = set(ChangeRecord.objects.values_list("content_type__model", flat=True))
    assert not models & {"metric", "metricvalue", "metrictarget", "keyresultmetric", "keyresult"}


def metric_dump() -> dict[str, list[tuple]]:
    return {
        "values": list(
            MetricValue.objects.order_by("metric__key", "dimension", "period_start").values_list(
                "metric__key", "dimension", "period_start", "value", "created_at"
            )
        ),
        "targets": list(
            MetricTarget.objects.order_by("metric__key", "start").values_list(
                "metric__key", "start", "end", "value"
            )
        ),
        "links": sorted(
            KeyResultMetric.objects.values_list(
                "metric__key",
                "key_result__objective__period",
                "key_result__title",
                "key_result__start_value",
                "key_result__target_value",
                "key_result__current_value",
            )
        ),
    }


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_metrics():
    dumps = []
    for _ in range(2):
        with transaction.atomic():
            demo.build(scale="small", seed=7, today=TODAY)
            dumps.append(metric_dump())
            transaction.set_rollback(True)
    assert dumps[0] == dumps[1]
    assert len(dumps[0]["values"]) > 40_000
