"""The metrics panel on an objective's page (core.panels): which of its key results
follow a metric, each with its progress over the objective's period as a chart, and for
those who may change a key result, the link to bind it to a metric."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from pilothouse.core import panels, permissions
from pilothouse.metrics import charts, selectors
from pilothouse.strategy.models import Objective


def objective_context(request: HttpRequest, objective: Objective) -> dict[str, Any] | None:
    histories = selectors.objective_links(objective_id=objective.pk)
    results = list(objective.key_results.all())  # prefetched by the objective's page
    linked = {history.link.key_result_id for history in histories}
    editable = [
        result
        for result in results
        if result.pk not in linked and permissions.can_change(request.user, result)
    ]
    if not histories and not editable:
        return None
    rows = [
        (
            history,
            charts.svg(charts.progress_spec(history)) if history.progress else None,
            permissions.can_change(request.user, history.link.key_result),
        )
        for history in histories
    ]
    return {"rows": rows, "unlinked": editable}


def register() -> None:
    panels.register(
        Objective,
        key="metrics",
        title="Key results that follow a metric",
        template="metrics/panels/objective_metrics.html",
        context=objective_context,
    )
