"""factory-boy factories of the metric catalog."""

from __future__ import annotations

import datetime as dt

import factory
from factory.django import DjangoModelFactory

from pilothouse.metrics.models import KeyResultMetric, Metric, MetricTarget, MetricValue
from tests.factories import KeyResultFactory


class MetricFactory(DjangoModelFactory):
    class Meta:
        model = Metric

    key = factory.Sequence(lambda n: f"metric-{n}")
    name = factory.Sequence(lambda n: f"Metric {n}")
    granularity = "day"
    aggregation = "sum"


class MetricValueFactory(DjangoModelFactory):
    class Meta:
        model = MetricValue

    metric = factory.SubFactory(MetricFactory)
    period_start = factory.Sequence(lambda n: dt.date(2026, 1, 1) + dt.timedelta(days=n))
    value = 10.0


class MetricTargetFactory(DjangoModelFactory):
    class Meta:
        model = MetricTarget

    metric = factory.SubFactory(MetricFactory)
    start = dt.date(2026, 1, 1)
    end = dt.date(2026, 3, 31)
    value = 100.0


class KeyResultMetricFactory(DjangoModelFactory):
    class Meta:
        model = KeyResultMetric

    key_result = factory.SubFactory(KeyResultFactory)
    metric = factory.SubFactory(MetricFactory)
