"""What experiments show on other apps' pages: the experiments that test a feature, on the
feature's page (through core.panels, so the roadmap knows nothing of experiments), and the
pages of its objects for the change log's links. Registered by ExperimentsConfig.ready()."""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.http import HttpRequest
from django.urls import reverse

from pilothouse.core import panels
from pilothouse.core.views import register_object_page
from pilothouse.experiments import selectors
from pilothouse.experiments.models import (
    Experiment,
    ExperimentMetric,
    Variant,
    VariantStatistics,
)
from pilothouse.roadmap.models import Feature


def feature_experiments_context(request: HttpRequest, feature: Feature) -> dict | None:
    """The feature's experiments, latest first; left out (None) when it has none. One
    query, none when the page's read found that it has none (`has_experiments`)."""
    if not getattr(feature, "has_experiments", True):
        return None
    experiments = selectors.experiments_of_feature(feature_id=feature.pk)
    return {"experiments": experiments} if experiments else None


def _page(experiment_id: int) -> str:
    return reverse("experiments:experiment_detail", args=[experiment_id])


def register() -> None:
    panels.register(
        Feature,
        key="experiments",
        title="Experiments",
        template="experiments/panels/feature.html",
        context=feature_experiments_context,
        order=70,
        annotate={"has_experiments": Exists(Experiment.objects.filter(feature=OuterRef("pk")))},
    )
    register_object_page(Experiment, lambda experiment: _page(experiment.pk))
    for model in (Variant, ExperimentMetric):
        register_object_page(model, lambda obj: _page(obj.experiment_id))
    register_object_page(
        VariantStatistics,
        lambda stats: _page(stats.experiment_metric.experiment_id),
        queryset=lambda: VariantStatistics.objects.select_related("experiment_metric"),
    )
