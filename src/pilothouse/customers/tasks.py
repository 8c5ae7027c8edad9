"""Background tasks of the customer voice (django-tasks; `pilothouse worker` runs them).

They are queued by customers.triage, debounced: after labels or notes change, or on
demand (`POST /api/v1/triage/retrain?background=true`). Each answers a JSON summary,
which the task result and the job's `TriageJob` row keep.
"""

from __future__ import annotations

from typing import Any

from django_tasks import task

from pilothouse.customers import triage


@task()
def kind_suggestions_refresh(force: bool = False) -> dict[str, Any]:
    """Retrain the kind model if the labels changed (or `force`), else refresh the
    suggestions of new and edited unlabelled notes."""
    return triage.kind_suggestions_refresh(force=force)


@task()
def similarity_index_refresh() -> dict[str, Any]:
    """Rebuild the similarity index file from every note and feature."""
    return triage.similarity_index_refresh()
