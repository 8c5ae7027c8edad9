"""Importing statistics from a file: columns by name or alias, each refused row named by
line and field, a metric's rows set together (and refused together), dry runs and
re-imports that change nothing."""

from __future__ import annotations

import pytest

from pilothouse.core.imports import MappingError
from pilothouse.experiments.imports import import_statistics
from pilothouse.experiments.models import Experiment, VariantStatistics
from tests.api.helpers import unchanged
from tests.experiments import builders

pytestmark = pytest.mark.django_db


@pytest.fixture
def designed(web_world):
    experiment = builders.experiment(web_world.mine.product)
    builders.variants(experiment)
    revenue = builders.measure(experiment, builders.metric(name="Revenue"), role="primary")
    conversion = builders.measure(
        experiment, builders.metric(name="Conversion"), metric_type="proportion"
    )
    return experiment, revenue.metric, conversion.metric


def run(experiment: Experiment, text: str, **options):
    return import_statistics(
        experiment=experiment, source=text.encode(), filename="stats.csv", actor=None, **options
    )


def stored(experiment):
    return {
        (s.experiment_metric.metric.name, s.variant.name): (s.n, s.sum, s.sum_squares)
        for s in VariantStatistics.objects.filter(
            experiment_metric__experiment=experiment
        ).select_related("experiment_metric__metric", "variant")
    }


def test_a_file_sets_every_metrics_statistics(designed):
    experiment, revenue, conversion = designed
    text = (
        "Metric Key,Arm,Users,Sum,Sum of squares\n"
        f"{revenue.key},Control,100,200,900\n"
        f"{revenue.key},b,100,250,1000\n"
        f"{conversion.name},Control,100,10,\n"
        f"{conversion.key},B,100,14,\n"
    )
    result = run(experiment, text)
    assert result.report.committed, result.report.errors
    assert result.report.counts["created"] == 4
    assert stored(experiment) == {
        ("Revenue", "Control"): (100, 200.0, 900.0),
        ("Revenue", "B"): (100, 250.0, 1000.0),
        ("Conversion", "Control"): (100, 10.0, None),
        ("Conversion", "B"): (100, 14.0, None),
    }
    again = run(experiment, text)
    assert again.report.counts["unchanged"] == 4
    changed = run(experiment, f"metric,variant,n,sum,sum_squares\n{revenue.key},B,120,300,1200\n")
    assert changed.report.counts["updated"] == 1
    assert stored(experiment)[("Revenue", "B")] == (120, 300.0, 1200.0)


def test_a_dry_run_writes_nothing(designed):
    experiment, revenue, _ = designed
    with unchanged(VariantStatistics):
        result = run(
            experiment,
            f"metric,variant,n,sum,sum_squares\n{revenue.key},Control,100,200,900\n",
            dry_run=True,
        )
    assert result.report.counts["created"] == 1
    assert not result.report.committed


def test_refused_rows_are_named_and_nothing_is_saved(designed):
    experiment, revenue, conversion = designed
    text = (
        "metric,variant,n,sum,sum_squares\n"
        f"{revenue.key},Control,100,200,900\n"
        "nope,Control,100,200,900\n"
        f"{revenue.key},Z,100,200,900\n"
        f"{revenue.key},Control,100,200,900\n"
        f"{conversion.key},B,-5,1,\n"
        f"{conversion.key},Control,10,12,\n"
    )
    with unchanged(VariantStatistics):
        result = run(experiment, text)
    assert not result.report.committed
    errors = {(e.line, e.field): e.message for e in result.report.errors}
    assert "is not a metric of this experiment" in errors[(3, "metric")]
    assert "is not a variant of this experiment (Control, B)" in errors[(4, "variant")]
    assert "on line 2 already" in errors[(5, "variant")]
    assert "negative" in errors[(6, "n")]
    assert "between 0 and n (10)" in errors[(7, "sum")]


def test_a_metrics_rows_are_refused_together(designed):
    experiment, revenue, conversion = designed
    text = (
        "metric,variant,n,sum,sum_squares\n"
        f"{revenue.key},Control,100,200,900\n"
        f"{revenue.key},B,100,200,300\n"
        f"{conversion.key},Control,100,10,\n"
    )
    result = run(experiment, text, partial=True)
    errors = {(e.line, e.field): e.message for e in result.report.errors}
    assert "(sum² / n)" in errors[(3, "sum_squares")]
    assert "line 3" in errors[(2, None)]
    assert result.report.counts["created"] == 1
    assert set(stored(experiment)) == {("Conversion", "Control")}


def test_a_file_without_the_required_columns_is_refused(designed):
    experiment, _, _ = designed
    with pytest.raises(MappingError) as caught:
        run(experiment, "metric,variant\nx,y\n")
    assert "no column for the required field 'n'" in str(caught.value)
