"""The experiments that measured a metric, marked on the metric's chart: a span from the
experiment's start to its end (to today while it runs), with its name and, once decided,
its decision. Given to the catalog through metrics.annotations, so that the catalog
knows nothing of experiments; registered by ExperimentsConfig.ready()."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

from django.db.models import Q
from django.urls import reverse

from pilothouse.experiments.models import (
    Decision,
    ExperimentMetric,
    ExperimentStatus,
    MetricRole,
)
from pilothouse.metrics import annotations as metric_annotations
from pilothouse.metrics.annotations import Annotation


def _outcome(status: str, decision: str, winner: str | None) -> str:
    """The decision in a few words ("" until decided)."""
    if status != ExperimentStatus.DECIDED or not decision:
        return ""
    if decision == Decision.SHIP and winner:
        return f"Ship {winner}"
    return Decision(decision).label


def _status_words(status: str, outcome: str) -> str:
    if status == ExperimentStatus.RUNNING:
        return "Running"
    if outcome:
        return f"Decided: {outcome}"
    return "Stopped, not decided yet"


def experiment_spans(
    *, metric_ids: Sequence[int], first: dt.date, last: dt.date, today: dt.date
) -> dict[int, list[Annotation]]:
    """The experiments (started, not drafts) that measure each of `metric_ids` and ran
    within [first, last], by start: one query."""
    rows = (
        ExperimentMetric.objects.filter(
            metric_id__in=list(metric_ids),
            experiment__start_date__isnull=False,
            experiment__start_date__lte=last,
        )
        .exclude(experiment__status=ExperimentStatus.DRAFT)
        .filter(
            Q(experiment__status=ExperimentStatus.RUNNING)
            | Q(experiment__end_date__gte=first)
            | Q(experiment__end_date__isnull=True, experiment__start_date__gte=first)
        )
        .order_by("experiment__start_date", "experiment__name", "experiment_id")
        .values_list(
            "metric_id",
            "role",
            "experiment_id",
            "experiment__name",
            "experiment__status",
            "experiment__start_date",
            "experiment__end_date",
            "experiment__decision",
            "experiment__winner__name",
        )
    )
    found: dict[int, list[Annotation]] = defaultdict(list)
    for metric_id, role, pk, name, status, start, end, decision, winner in rows:
        if status == ExperimentStatus.RUNNING:
            end = max(start, today)
        elif end is None:  # ended without an end date: its start is all that is known
            end = start
        outcome = _outcome(status, decision, winner)
        found[metric_id].append(
            Annotation(
                day=start,
                end=end,
                label=name,
                outcome=outcome,
                note=f"{_status_words(status, outcome)} · {MetricRole(role).label.lower()} metric",
                url=reverse("experiments:experiment_detail", args=[pk]),
            )
        )
    return dict(found)


def register() -> None:
    metric_annotations.register(
        experiment_spans, key="experiments", title="Experiments", legend="Experiment", order=50
    )
