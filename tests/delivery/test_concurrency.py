"""Capacity periods written at the same moment cannot both pass the overlap check (on
PostgreSQL with real threads and the advisory lock; on SQLite through its IMMEDIATE
write transactions)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from pilothouse.delivery import services
from pilothouse.delivery.models import CapacityPeriod, Team

D = dt.date


@pytest.mark.django_db(transaction=True)
def test_overlapping_periods_written_at_once_are_refused_but_one(monkeypatch):
    team = Team.objects.create(name="Checkout squad")
    check = CapacityPeriod.clean

    def slow_check(self):
        check(self)
        threading.Event().wait(0.05)  # widen the gap between checking and writing

    monkeypatch.setattr(CapacityPeriod, "clean", slow_check)
    wanted = [("quarter", D(2026, 7, 1)), ("month", D(2026, 8, 1)), ("month", D(2026, 9, 1))]
    wanted *= 2  # the same period twice as well
    start = threading.Barrier(len(wanted))
    outcomes: list[str] = []

    def attempt(granularity: str, first: dt.date) -> None:
        try:
            start.wait()
            services.capacity_period.create(
                actor=None, data={"team": team, "granularity": granularity, "start": first}
            )
            outcomes.append("written")
        except ValidationError:
            outcomes.append("refused")
        except Exception as exc:
            outcomes.append(repr(exc))
        finally:
            connection.close()

    workers = [threading.Thread(target=attempt, args=pair) for pair in wanted]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert set(outcomes) <= {"written", "refused"}, outcomes
    made = sorted(CapacityPeriod.objects.values_list("start", "end"))
    assert made in (
        [(D(2026, 7, 1), D(2026, 9, 30))],
        [(D(2026, 8, 1), D(2026, 8, 31)), (D(2026, 9, 1), D(2026, 9, 30))],
    )
    assert outcomes.count("written") == len(made)
