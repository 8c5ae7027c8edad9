"""The demo's sense of time: a fixed "today", quarters, and believable timestamps.

Every date of the demo organization is relative to the `today` it is built for, so
the same seed and the same today give the same data, down to the timestamps.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import models


@dataclass(frozen=True)
class Quarter:
    label: str  # "2026-Q4", as Objective.period wants it
    start: dt.date
    end: dt.date  # last day


def quarter_of(day: dt.date, offset: int = 0) -> Quarter:
    index = day.year * 4 + (day.month - 1) // 3 + offset
    year, q = divmod(index, 4)
    start = dt.date(year, q * 3 + 1, 1)
    following = dt.date(year + (q == 3), (q * 3 + 3) % 12 + 1, 1)
    return Quarter(f"{year}-Q{q + 1}", start, following - dt.timedelta(days=1))


@dataclass(frozen=True)
class Clock:
    today: dt.date
    rng: random.Random

    def days_ago(self, days: int) -> dt.date:
        return self.today - dt.timedelta(days=days)

    def days_ahead(self, days: int) -> dt.date:
        return self.today + dt.timedelta(days=days)

    def moment(self, day: dt.date) -> dt.datetime:
        """A time during working hours on `day` (UTC), never later than yesterday."""
        day = min(day, self.today - dt.timedelta(days=1))
        time = dt.time(self.rng.randint(7, 18), self.rng.randint(0, 59), self.rng.randint(0, 59))
        return dt.datetime.combine(day, time, tzinfo=dt.UTC)

    def stamps(self, created: dt.date, updated: dt.date | None = None) -> dict:
        """created_at and updated_at for a row created on `created`, last touched on `updated`."""
        created_at = self.moment(created)
        updated_at = self.moment(max(updated or created, created))
        return {"created_at": created_at, "updated_at": max(created_at, updated_at)}


@contextmanager
def historic_timestamps(model_types: Sequence[type[models.Model]]) -> Iterator[None]:
    """Let bulk inserts keep the created_at/updated_at they are given.

    `auto_now`/`auto_now_add` would stamp every generated row with the time of the
    build; the demo gives each row a believable past instead. The flags are restored
    on the way out, whatever happens. They are process-wide: nothing else in the process
    should save these models while a build runs (the CLI builds before it serves).
    """
    saved = []
    for model in model_types:
        for name in ("created_at", "updated_at"):
            field = model._meta.get_field(name)
            saved.append((field, field.auto_now, field.auto_now_add))
            field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, auto_now, auto_now_add in saved:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add
