"""Jobs that run on a schedule: the worker calls them every few minutes.

Each job named in the `SCHEDULED_JOBS` setting (dotted paths) is a function of no
argument that decides for itself whether work is due and is safe to call again and from
several workers at once (e.g. "take this month's roadmap snapshot unless it exists").
That keeps scheduling free of state: no table of last runs, no cron syntax, and a job
missed while no worker ran is done when one starts.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from django.conf import settings
from django.db import close_old_connections
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


def jobs() -> list[tuple[str, Callable[[], object]]]:
    return [(path, import_string(path)) for path in getattr(settings, "SCHEDULED_JOBS", [])]


def run_due() -> dict[str, str]:
    """Call every scheduled job once; a failing job is logged and does not stop the rest.
    Answers {job: "ok" or the error}."""
    outcome: dict[str, str] = {}
    for path, job in jobs():
        try:
            job()
            outcome[path] = "ok"
        except Exception as error:  # a job's failure must not stop the worker
            logger.exception("Scheduled job %s failed", path)
            outcome[path] = f"{type(error).__name__}: {error}"
    return outcome


def start(*, every_seconds: float) -> threading.Thread:
    """Run the scheduled jobs now and then every `every_seconds`, in a daemon thread."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            close_old_connections()
            run_due()
            close_old_connections()
            stop.wait(every_seconds)

    thread = threading.Thread(target=loop, name="pilothouse-schedules", daemon=True)
    thread.start()
    return thread
