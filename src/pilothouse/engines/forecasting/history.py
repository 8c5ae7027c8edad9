"""Dated weekly history: checked, in order, with the weeks missing between rows as zero.

Exports of completed work grouped by week often leave out the weeks in which nothing
was completed; those weeks are real (and matter: a forecast that forgets them is too
optimistic), so a gap of whole weeks between two rows is filled with zero weeks. A gap
that is not a whole number of weeks means the rows are not on one weekly grid, and a
date repeated or out of order means the file is not what it claims: both are refused,
naming the row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from pilothouse.engines.forecasting.checks import check_count
from pilothouse.engines.forecasting.results import ForecastError

Week = tuple[dt.date, int]


@dataclass(frozen=True)
class WeeklyHistory:
    """Consecutive weeks: `weeks[i]` is (the first day of week i, items completed)."""

    weeks: tuple[Week, ...]
    filled: int  # how many weeks were missing between rows and count as zero

    @property
    def counts(self) -> list[int]:
        return [completed for _, completed in self.weeks]

    @property
    def next_week(self) -> dt.date:
        """The first day of the week after the last one."""
        return self.weeks[-1][0] + dt.timedelta(days=7)


def weekly_history(rows: Sequence[Week], *, labels: Sequence[str] | None = None) -> WeeklyHistory:
    """Check `(week_start, completed)` rows, oldest first, and fill the gaps of whole
    weeks with zeros. Errors name a row as `labels[i]` (e.g. "line 7") or "history[i]"."""
    if isinstance(rows, (str, bytes)) or not isinstance(rows, Sequence):
        raise ForecastError("history: must be a sequence of (week_start, completed) rows")
    if len(rows) == 0:
        raise ForecastError(
            "history: no forecast is possible: the history is empty "
            "(the forecast samples past weeks, so it needs at least one)"
        )
    weeks: list[Week] = []
    filled = 0
    for index, row in enumerate(rows):
        name = labels[index] if labels is not None else f"history[{index}]"
        if not isinstance(row, (tuple, list)) or len(row) != 2:
            raise ForecastError(f"{name}: must be a (week_start, completed) pair, got {row!r}")
        day, completed = row
        if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
            raise ForecastError(f"{name}: week_start must be a date, got {day!r}")
        completed = check_count(completed, f"{name}: completed")
        if weeks:
            previous = weeks[-1][0]
            gap = (day - previous).days
            if gap <= 0:
                raise ForecastError(
                    f"{name}: week {day} is not after the previous row's week ({previous}); "
                    "weeks must be in order, each once"
                )
            if gap % 7:
                raise ForecastError(
                    f"{name}: week {day} is {gap} days after the previous row's week "
                    f"({previous}); weeks must be whole weeks apart"
                )
            for missing in range(1, gap // 7):
                weeks.append((previous + dt.timedelta(days=7 * missing), 0))
                filled += 1
        weeks.append((day, completed))
    return WeeklyHistory(weeks=tuple(weeks), filled=filled)
