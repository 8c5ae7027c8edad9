"""Background tasks of metric syncs (django-tasks; `pilothouse worker` runs them).

A sync asked for on a page or through the API is recorded first (its run log row,
queued) and queued here by metrics.sync.metric_sync_queue; the task moves it to running,
then to succeeded or failed, and answers the run as plain data.
"""

from __future__ import annotations

from typing import Any

from django_tasks import task

from pilothouse.metrics import sync


@task()
def metric_sync_run(sync_id: int) -> dict[str, Any] | None:
    """Run the queued sync `sync_id` (nothing if it is no longer queued: it ended as lost,
    say)."""
    run = sync.metric_sync_queued(sync_id=sync_id)
    return sync.run_summary(run) if run is not None else None
