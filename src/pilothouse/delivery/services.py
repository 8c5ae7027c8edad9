"""Every write of delivery goes through these (core.writes underneath: permission-checked,
validated, atomic, change-logged)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from pilothouse.core import locks, ordering, writes
from pilothouse.core.models import User
from pilothouse.core.writes import ModelWrites
from pilothouse.delivery.models import (
    Allocation,
    CapacityPeriod,
    ExchangeRate,
    FeatureAssignment,
    Team,
    TeamMember,
    TimeOff,
    WorkItem,
)

# Work items written in one call at most (an import is split by its caller).
MAX_WORK_ITEMS = 5000


def _team_id(instance: Any, data: Mapping[str, Any]) -> int | None:
    team = data.get("team", getattr(instance, "team", None) if instance else None)
    return getattr(team, "pk", team)


class CapacityPeriodWrites(ModelWrites):
    """The overlap check reads the team's other periods before writing one: two writes
    for one team take turns (core.locks), so they cannot both pass it."""

    def create(self, *, actor, data, m2m=None):
        with transaction.atomic():
            locks.serialize(f"delivery.capacity.{_team_id(None, data)}")
            return super().create(actor=actor, data=data, m2m=m2m)

    def update(self, *, actor, instance, version, data, m2m=None):
        with transaction.atomic():
            locks.serialize(f"delivery.capacity.{_team_id(instance, data)}")
            if "team" in data and _team_id(None, data) != instance.team_id:
                locks.serialize(f"delivery.capacity.{instance.team_id}")
            return super().update(
                actor=actor, instance=instance, version=version, data=data, m2m=m2m
            )


class AssignmentWrites(ModelWrites):
    """A feature assigned without a rank goes to the end of its team's queue."""

    def create(self, *, actor, data, m2m=None):
        with transaction.atomic():
            data = dict(data)
            team = _team_id(None, data)
            if data.get("queue_rank") is None:
                data.pop("queue_rank", None)
                if team is not None:
                    locks.serialize(f"delivery.queue.{team}")
                    data["queue_rank"] = _queue_end(team)
            return super().create(actor=actor, data=data, m2m=m2m)

    def update(self, *, actor, instance, version, data, m2m=None):
        with transaction.atomic():
            data = dict(data)
            if data.get("queue_rank", 0) is None:
                data.pop("queue_rank")
            team = _team_id(None, data)
            if team is not None and team != instance.team_id and "queue_rank" not in data:
                locks.serialize(f"delivery.queue.{team}")
                data["queue_rank"] = _queue_end(team)
            return super().update(
                actor=actor, instance=instance, version=version, data=data, m2m=m2m
            )


def _queue_end(team_id: int) -> float:
    return ordering.rank_last(FeatureAssignment.objects.filter(team_id=team_id), field="queue_rank")


def assignment_move(
    *,
    actor: User | None,
    instance: FeatureAssignment,
    version: int | None,
    after_id: int | None,
) -> FeatureAssignment:
    """Put an assignment right after the assignment `after_id` of its team's queue (None:
    first). It takes the midpoint of its new neighbours' ranks; when they leave no room
    the queue is renumbered first (housekeeping: no version bump, no change record)."""
    with transaction.atomic():
        locks.serialize(f"delivery.queue.{instance.team_id}")
        queue = FeatureAssignment.objects.filter(team_id=instance.team_id).exclude(pk=instance.pk)
        rank = ordering.rank_after(
            queue,
            field="queue_rank",
            after_id=after_id,
            missing=f"Assignment {after_id} is not in this team's queue.",
            error_field="after_id",
        )
        return assignment.update(
            actor=actor, instance=instance, version=version, data={"queue_rank": rank}
        )


class WorkItemWrites(ModelWrites):
    def prepare(self, instance: WorkItem | None, data: dict[str, Any]) -> dict[str, Any]:
        if "external_id" in data and not data["external_id"]:
            data["external_id"] = None
        return data


def work_items_create(
    *, actor: User | None, rows: Sequence[Mapping[str, Any]], batch: str | None = None
) -> list[WorkItem]:
    """Create many work items at once, all or nothing (the path of every importer):
    rows are {team, title, completed_on, external_id?, source?} with `team` a Team.
    Refused rows raise core.writes.RefusedRows naming each row and field; given
    `batch` ("import"), the change log holds one batch record rather than one per item."""
    if len(rows) > MAX_WORK_ITEMS:
        raise ValidationError(
            {"rows": f"At most {MAX_WORK_ITEMS} work items at once, not {len(rows)}."}
        )
    cleaned = [
        {**row, "external_id": row.get("external_id") or None}
        if "external_id" in row
        else dict(row)
        for row in rows
    ]
    with transaction.atomic():
        # check_many also refuses an external id repeated within the batch.
        objects, errors = writes.check_many(model=WorkItem, actor=actor, rows=cleaned)
        if errors:
            raise writes.RefusedRows(errors)
        return writes.insert_many(actor=actor, objects=objects, batch=batch)


class ExchangeRateWrites(ModelWrites):
    """Codes are kept upper-case. A rate refuses a pair whose reverse exists (the two
    could disagree), a check that reads other rows: writes of rates take turns."""

    def prepare(self, instance: ExchangeRate | None, data: dict[str, Any]) -> dict[str, Any]:
        for name in ("from_currency", "to_currency"):
            if isinstance(data.get(name), str):
                data[name] = data[name].strip().upper()
        return data

    def create(self, *, actor, data, m2m=None):
        with transaction.atomic():
            locks.serialize("delivery.exchange_rates")
            return super().create(actor=actor, data=data, m2m=m2m)

    def update(self, *, actor, instance, version, data, m2m=None):
        with transaction.atomic():
            locks.serialize("delivery.exchange_rates")
            return super().update(
                actor=actor, instance=instance, version=version, data=data, m2m=m2m
            )


team = ModelWrites(Team)
team_member = ModelWrites(TeamMember)
time_off = ModelWrites(TimeOff)
capacity_period = CapacityPeriodWrites(CapacityPeriod)
assignment = AssignmentWrites(FeatureAssignment)
work_item = WorkItemWrites(WorkItem)
# Over 100 % across a person's allocations is allowed and flagged (allocations.py).
allocation = ModelWrites(Allocation)
exchange_rate = ExchangeRateWrites(ExchangeRate)
