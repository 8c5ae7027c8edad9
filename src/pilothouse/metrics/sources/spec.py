"""Where a query runs: a plain description of a data source, free of the database row."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

DUCKDB = "duckdb"
SQLALCHEMY = "sqlalchemy"


@dataclass(frozen=True, kw_only=True)
class SourceSpec:
    """DuckDB: an optional database file (opened read-only) and an optional folder whose
    files the queries may read. SQLAlchemy: the database URL, credentials included.
    Every query stops after `timeout_seconds`, and may return at most `row_limit` rows."""

    kind: str
    database_path: str = ""
    files_folder: str = ""
    url: str = field(default="", repr=False)
    timeout_seconds: float = 30
    row_limit: int = 100_000


@dataclass(frozen=True)
class RawResult:
    columns: list[str]
    rows: Sequence[Sequence[Any]]
    duration_ms: int


def timeout_message(seconds: float) -> str:
    return (
        f"The query ran longer than the source's time-out of {seconds:g} s and was stopped; "
        "make it faster (filter on the period, aggregate less) or raise the time-out."
    )


class Watchdog:
    """Calls `cancel` (from a timer thread) if the block outlasts `seconds`; `fired` then
    tells the block's error handling that the failure was the time-out."""

    def __init__(self, seconds: float, cancel: Callable[[], Any]) -> None:
        self.seconds = seconds
        self.cancel = cancel
        self.fired = False
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True
        self._started = 0.0

    def _fire(self) -> None:
        self.fired = True
        # The connection may be gone already: then there is nothing left to stop.
        with contextlib.suppress(Exception):
            self.cancel()

    def __enter__(self) -> Watchdog:
        self._started = time.perf_counter()
        self._timer.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._timer.cancel()

    @property
    def elapsed_ms(self) -> int:
        return round((time.perf_counter() - self._started) * 1000)
