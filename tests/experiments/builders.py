"""Experiments for the tests, written straight to the database (the services are what
the tests exercise, not what they set up with)."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from pilothouse.experiments.models import (
    Experiment,
    ExperimentMetric,
    Variant,
    VariantStatistics,
)
from pilothouse.metrics.models import Metric
from tests.metrics.factories import MetricFactory

_serial = itertools.count(1)

# A conversion test: B converts 5.2 % of 5,000 users
# against the control's 4.0 % of 5,000.
CONVERSION = ((5000, 200.0, 200.0), (5000, 260.0, 260.0))
# Revenue per user: the control 2.0 (sd about 3), B 2.3.
REVENUE = ((5000, 10000.0, 65000.0), (5000, 11500.0, 72000.0))


def metric(*, name: str | None = None, unit: str = "", direction: str = "higher") -> Metric:
    n = next(_serial)
    return MetricFactory(
        key=f"exp-metric-{n}", name=name or f"Metric {n}", unit=unit, direction=direction
    )


def experiment(product, *, name: str | None = None, **fields) -> Experiment:
    values = {
        "name": name or f"Experiment {next(_serial)}",
        "hypothesis": "We believe a shorter checkout converts more buyers.",
        "product": product,
        **fields,
    }
    return Experiment.objects.create(**values)


def variants(exp: Experiment, *weights: str, names=None) -> list[Variant]:
    weights = weights or ("0.5", "0.5")
    names = names or ["Control", *(chr(ord("B") + i) for i in range(len(weights) - 1))]
    return [
        Variant.objects.create(experiment=exp, name=name, position=i, weight=Decimal(weight))
        for i, (name, weight) in enumerate(zip(names, weights, strict=True))
    ]


def measure(exp: Experiment, catalog_metric: Metric, *, role="secondary", **fields):
    return ExperimentMetric.objects.create(
        experiment=exp, metric=catalog_metric, role=role, **fields
    )


def statistics(experiment_metric, variant_list, rows) -> list[VariantStatistics]:
    """rows: (n, sum, sum_squares) per variant, in order."""
    return [
        VariantStatistics.objects.create(
            experiment_metric=experiment_metric,
            variant=variant,
            n=n,
            sum=total,
            sum_squares=squares,
        )
        for variant, (n, total, squares) in zip(variant_list, rows, strict=True)
    ]


def running_experiment(product, *, feature=None, name=None, srm=False) -> Experiment:
    """A running A/B test with a primary conversion metric and a revenue guardrail, both
    with statistics (srm: the users split 52/48 on a planned 50/50)."""
    exp = experiment(
        product,
        name=name,
        feature=feature,
        status="running",
        start_date=dt.date(2026, 4, 1),
        minimum_detectable_effect=Decimal("5"),
        daily_users=2000,
    )
    arms = variants(exp)
    conversion = measure(
        exp,
        metric(name=f"Checkout conversion {exp.pk}", unit="%"),
        role="primary",
        metric_type="proportion",
    )
    revenue = measure(exp, metric(name=f"Revenue per user {exp.pk}"), role="guardrail")
    if srm:
        statistics(conversion, arms, ((52000, 2080.0, 2080.0), (48000, 1920.0, 1920.0)))
    else:
        statistics(conversion, arms, CONVERSION)
    statistics(revenue, arms, REVENUE)
    return exp
