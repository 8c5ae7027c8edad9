"""What a metric query answers, and the checks that turn its raw rows into values; and
what any other query answers (RowsResult: its plain rows, for the caller to check).

A query returns the columns `period_start`, `value` and optionally `dimension` (names
compared without regard to case). Each row is checked: the period start is a date, a
datetime or an ISO date in text; the value is a finite number (a boolean is not one);
the dimension is text or NULL (NULL is the overall value, stored as ""). Every problem
names the row (counted from 1) and the column.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

REQUIRED_COLUMNS = ("period_start", "value")
OPTIONAL_COLUMNS = ("dimension",)
# Problems listed at most per result: past that, the first ones tell what is wrong.
MAX_PROBLEMS = 20
DIMENSION_MAX_LENGTH = 120


class QueryError(Exception):
    """The query failed, was refused, ran too long, or answered rows that cannot be
    stored. `problems` lists each reason (the message joins the first ones); `rows` is
    how many rows the query returned, when that is known."""

    def __init__(self, problems: str | Sequence[str], *, rows: int | None = None) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        self.rows = rows
        super().__init__(summary(self.problems))


def summary(problems: Sequence[str], *, shown: int = 5) -> str:
    text = "; ".join(problems[:shown])
    if len(problems) > shown:
        text += f"; and {len(problems) - shown} more problem(s)"
    return text


@dataclass(frozen=True, order=True)
class ResultRow:
    period_start: dt.date
    value: float
    dimension: str = ""


@dataclass(frozen=True)
class QueryResult:
    rows: list[ResultRow]
    row_count: int
    duration_ms: int
    columns: list[str]


@dataclass(frozen=True)
class PreviewResult:
    """The first rows of a query as it would sync them: the raw columns and rows for
    display, the rows read from them, and every problem found (a failing query is one
    problem). Nothing is stored."""

    columns: list[str]
    raw_rows: list[list[Any]]
    rows: list[ResultRow]
    problems: list[str]
    duration_ms: int
    truncated: bool = False  # more rows exist than were fetched
    row_count: int = 0  # rows fetched

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class RowsResult:
    """A query's rows as it returned them: the column names, as the query named them, and
    each row's values in that order (plain Python values: numbers, text, dates, None).
    Which columns are right is the caller's to check."""

    columns: list[str]
    rows: list[tuple[Any, ...]]
    duration_ms: int
    truncated: bool = False  # a capped read: the query has more rows than these

    @property
    def row_count(self) -> int:
        return len(self.rows)

    def displayed(self, limit: int | None = None) -> list[list[Any]]:
        """The first `limit` rows (all: None) with each value as JSON can carry it."""
        shown = self.rows if limit is None else self.rows[:limit]
        return [[display_value(cell) for cell in row] for row in shown]


def column_positions(columns: Sequence[str]) -> dict[str, int]:
    """Where each expected column is, by lower-cased name; a QueryError naming the columns
    found when one is missing, unknown or repeated."""
    lowered = [str(name).strip().lower() for name in columns]
    found = ", ".join(str(name) for name in columns) or "none"
    expected = "period_start, value and optionally dimension"
    unknown = [name for name in lowered if name not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    missing = [name for name in REQUIRED_COLUMNS if name not in lowered]
    repeated = sorted({name for name in lowered if lowered.count(name) > 1})
    if unknown or missing or repeated:
        reasons = []
        if missing:
            reasons.append("missing " + ", ".join(missing))
        if unknown:
            reasons.append("unexpected " + ", ".join(unknown))
        if repeated:
            reasons.append("repeated " + ", ".join(repeated))
        raise QueryError(
            f"The query must return the columns {expected} ({'; '.join(reasons)}); "
            f"it returned: {found}."
        )
    return {name: lowered.index(name) for name in lowered}


def _period_start(raw: Any) -> dt.date:
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, str):
        text = raw.strip()
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
        try:
            return dt.datetime.fromisoformat(text).date()
        except ValueError:
            raise ValueError(f"{raw!r} is not a date (write it as YYYY-MM-DD)") from None
    if raw is None:
        raise ValueError("is empty (NULL)")
    raise ValueError(f"{raw!r} is not a date")


def finite_number(raw: Any) -> float:
    """A cell as a finite float; ValueError saying why not (NULL, text, a boolean...)."""
    if raw is None:
        raise ValueError("is empty (NULL)")
    if isinstance(raw, bool):
        raise ValueError(f"{raw} is a boolean, not a number")
    if isinstance(raw, str):
        raise ValueError(f"{raw!r} is text, not a number; cast it in the query")
    if not isinstance(raw, numbers.Real | decimal.Decimal):
        raise ValueError(f"{raw!r} is not a number")
    try:
        value = float(raw)
    except (OverflowError, ValueError):
        raise ValueError(f"{raw} is not a finite number") from None
    if not math.isfinite(value):
        raise ValueError(f"{raw} is not a finite number")
    return value


def _dimension(raw: Any, *, max_length: int) -> str:
    if raw is None:
        return ""
    if not isinstance(raw, str):
        raise ValueError(f"{raw!r} is not text; cast it in the query, e.g. CAST(x AS VARCHAR)")
    text = raw.strip()
    if len(text) > max_length:
        raise ValueError(f"is {len(text)} characters long, more than {max_length}")
    if "\x00" in text:
        raise ValueError("contains a NUL character")
    return text


def read_rows(
    columns: Sequence[str],
    raw_rows: Sequence[Sequence[Any]],
    *,
    period_start: dt.date,
    period_end: dt.date,
    max_dimension_length: int = DIMENSION_MAX_LENGTH,
) -> tuple[list[ResultRow], list[str]]:
    """The rows read from the raw ones, and the problems found (at most MAX_PROBLEMS, each
    naming the row, counted from 1, and the column). A period start outside
    [period_start, period_end] is a problem: the query must filter on its parameters."""
    where = column_positions(columns)
    at_dimension = where.get("dimension")
    rows: list[ResultRow] = []
    problems: list[str] = []

    def note(number: int, column: str, reason: str) -> None:
        if len(problems) < MAX_PROBLEMS:
            problems.append(f"row {number}, column {column}: {reason}")

    for number, raw in enumerate(raw_rows, start=1):
        bad = False
        try:
            start = _period_start(raw[where["period_start"]])
        except ValueError as exc:
            note(number, "period_start", str(exc))
            bad = True
        else:
            if not period_start <= start <= period_end:
                note(
                    number,
                    "period_start",
                    f"{start.isoformat()} is outside the period asked for "
                    f"({period_start.isoformat()} to {period_end.isoformat()}); "
                    "filter on :period_start and :period_end",
                )
                bad = True
        try:
            value = finite_number(raw[where["value"]])
        except ValueError as exc:
            note(number, "value", str(exc))
            bad = True
        dimension = ""
        if at_dimension is not None:
            try:
                dimension = _dimension(raw[at_dimension], max_length=max_dimension_length)
            except ValueError as exc:
                note(number, "dimension", str(exc))
                bad = True
        if not bad:
            rows.append(ResultRow(period_start=start, value=value, dimension=dimension))
    return rows, problems


def display_value(raw: Any) -> Any:
    """A raw cell as JSON can carry it: numbers, text, true/false and null as they are,
    anything else (dates, decimals, lists) as its text."""
    if raw is None or isinstance(raw, bool | int | str):
        return raw
    if isinstance(raw, float):
        return raw if math.isfinite(raw) else str(raw)
    if isinstance(raw, dt.date):
        return raw.isoformat()
    return str(raw)
