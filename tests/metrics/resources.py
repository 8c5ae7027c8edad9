"""The metric catalog's rows of the API test matrices (the table of tests/api/
resources.py): metrics, values, targets and key-result links.

The world's product manager looks after the world's product, so creates metrics for it
and changes them, their values and their targets; the world's key results hang under a
product objective of that product, so they bind them too.
"""

from __future__ import annotations

import datetime as dt
import itertools

from pilothouse.metrics.models import KeyResultMetric, Metric, MetricTarget, MetricValue
from tests.api.resources import Spec, World
from tests.factories import KeyResultFactory

_serial = itertools.count(1)


def make_metric(w: World, **fields) -> Metric:
    n = next(_serial)
    metric = Metric.objects.create(key=f"metric-{n}", name=f"Metric {n}", **fields)
    metric.products.add(w.product)
    return metric


def filter_metrics(w: World) -> tuple[dict, list[int]]:
    make_metric(w, kind="input")
    health = make_metric(w, kind="health")
    found = Metric.objects.filter(kind="health").values_list("pk", flat=True)
    assert health.pk in found
    return {"kind": "health"}, list(found)


def make_value(w: World) -> MetricValue:
    day = dt.date(2026, 1, 1) + dt.timedelta(days=next(_serial))
    return MetricValue.objects.create(metric=make_metric(w), period_start=day, value=1.5)


def filter_values(w: World) -> tuple[dict, list[int]]:
    metric = make_metric(w)
    value = MetricValue.objects.create(metric=metric, period_start=dt.date(2026, 2, 2), value=3)
    return {"metric_id": metric.pk}, [value.pk]


def make_target(w: World) -> MetricTarget:
    return MetricTarget.objects.create(
        metric=make_metric(w), start=dt.date(2026, 1, 1), end=dt.date(2026, 3, 31), value=10
    )


def filter_targets(w: World) -> tuple[dict, list[int]]:
    target = make_target(w)
    return {"metric_id": target.metric_id}, [target.pk]


def make_link(w: World) -> KeyResultMetric:
    return KeyResultMetric.objects.create(
        key_result=KeyResultFactory(objective=w.objective), metric=make_metric(w)
    )


def filter_links(w: World) -> tuple[dict, list[int]]:
    link = make_link(w)
    return {"metric_id": link.metric_id}, [link.pk]


def _protect_metric(metric: Metric) -> KeyResultMetric:
    return KeyResultMetric.objects.create(key_result=KeyResultFactory(), metric=metric)


METRIC_SPECS: list[Spec] = [
    Spec(
        path="/metrics",
        model=Metric,
        make=make_metric,
        create=lambda w: {
            "key": f"signups-{next(_serial)}",
            "name": "Sign-ups",
            "unit": "accounts",
            "kind": "input",
            "granularity": "week",
            "product_ids": [w.product.pk],
            "owner_id": w.pm.pk,
        },
        patch={"name": "Weekly sign-ups"},
        bad_type=("product_ids", "checkout"),
        required="name",
        unknown_ref="owner_id",
        too_long=("name", 160),
        invalid=lambda w: ({"key": "dashboard", "name": "Dashboard"}, "key"),
        filter_case=filter_metrics,
        order_field="name",
        protect=_protect_metric,
        pm_creates=True,
        pm_changes=True,
    ),
    Spec(
        path="/metric-values",
        model=MetricValue,
        make=make_value,
        create=lambda w: {
            "metric_id": make_metric(w).pk,
            "period_start": "2026-03-04",
            "value": 41.5,
            "dimension": "web",
        },
        patch={"value": 42.5},
        bad_type=("value", "plenty"),
        required="period_start",
        unknown_ref="metric_id",
        too_long=("dimension", 120),
        invalid=lambda w: (
            {
                "metric_id": make_metric(w, granularity="week").pk,
                "period_start": "2026-03-04",
                "value": 1,
            },
            "period_start",
        ),
        filter_case=filter_values,
        order_field="period_start",
        pm_creates=True,
        pm_changes=True,
    ),
    Spec(
        path="/metric-targets",
        model=MetricTarget,
        make=make_target,
        create=lambda w: {
            "metric_id": make_metric(w).pk,
            "start": "2026-04-01",
            "end": "2026-06-30",
            "value": 50,
            "note": "Q2",
        },
        patch={"value": 55},
        bad_type=("start", "spring"),
        required="end",
        unknown_ref="metric_id",
        too_long=("note", 200),
        invalid=lambda w: (
            {
                "metric_id": make_metric(w).pk,
                "start": "2026-06-30",
                "end": "2026-04-01",
                "value": 1,
            },
            "end",
        ),
        filter_case=filter_targets,
        order_field="start",
        pm_creates=True,
        pm_changes=True,
    ),
    Spec(
        path="/key-result-metrics",
        model=KeyResultMetric,
        make=make_link,
        create=lambda w: {
            "key_result_id": KeyResultFactory(objective=w.objective).pk,
            "metric_id": make_metric(w).pk,
            "reading": "latest",
        },
        patch={"reading": "period_sum"},
        bad_type=("metric_id", "wau"),
        required="metric_id",
        unknown_ref="key_result_id",
        too_long=("dimension", 120),
        invalid=lambda w: (
            {
                "key_result_id": KeyResultFactory(objective=w.objective).pk,
                "metric_id": make_metric(w).pk,
                "reading": "median",
            },
            "reading",
        ),
        filter_case=filter_links,
        order_field="id",
        pm_creates=True,
        pm_changes=True,
    ),
]
