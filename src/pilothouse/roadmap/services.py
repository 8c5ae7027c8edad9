"""Every write to features, releases, milestones and tags goes through these.

Dependencies, snapshots and share links have their own modules (dependencies.py,
snapshots.py, sharing.py): each is a capability with rules of its own."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from pilothouse.core import ordering
from pilothouse.core.models import User
from pilothouse.core.writes import ModelWrites
from pilothouse.roadmap.models import (
    STAGE_TRANSITIONS,
    Feature,
    FeatureStage,
    FeatureTag,
    Horizon,
    Milestone,
    Release,
)


class FeatureWrites(ModelWrites):
    """Features move through their stages along STAGE_TRANSITIONS only; the start and
    completion dates are filled in when work starts and ships, and the completion date
    is cleared when a released feature is reopened. A feature put in a board column
    without a rank goes to the top of it, as one pulled onto the board does."""

    def prepare(self, instance: Feature | None, data: dict[str, Any]) -> dict[str, Any]:
        horizon = data.get("horizon")
        joins_column = horizon and horizon != (instance.horizon if instance else "")
        if joins_column and data.get("horizon_rank") is None:
            column = Feature.objects.filter(horizon=horizon)
            data["horizon_rank"] = ordering.rank_first(column, field="horizon_rank")
        new_stage = data.get("stage")
        if instance is not None and new_stage and new_stage != instance.stage:
            allowed = STAGE_TRANSITIONS.get(instance.stage, frozenset())
            if new_stage not in allowed:
                choices = ", ".join(sorted(allowed)) or "none"
                raise ValidationError(
                    {
                        "stage": f"A feature cannot move from {instance.stage} to {new_stage}; "
                        f"allowed next stages: {choices}."
                    }
                )
        if instance is not None and new_stage == instance.stage:
            return data  # no move: nothing starts or ships, the dates stay as they are
        today = timezone.localdate()
        started = data.get("started_on", instance.started_on if instance else None)
        completed = data.get("completed_on", instance.completed_on if instance else None)
        if new_stage == FeatureStage.IN_PROGRESS and started is None:
            data["started_on"] = today
        if (
            new_stage == FeatureStage.IN_PROGRESS
            and instance is not None
            and instance.stage == FeatureStage.RELEASED
            and "completed_on" not in data
        ):
            data["completed_on"] = None  # reopened: it has not shipped after all
        if new_stage in {FeatureStage.RELEASED, FeatureStage.MEASURED} and completed is None:
            data["completed_on"] = today
            if started is None:
                data["started_on"] = today
        return data


feature = FeatureWrites(Feature)
release = ModelWrites(Release)
milestone = ModelWrites(Milestone)
feature_tag = ModelWrites(FeatureTag)


def feature_move(
    *,
    actor: User | None,
    instance: Feature,
    version: int | None,
    horizon: str,
    after_id: int | None = None,
) -> Feature:
    """Put a feature on the now / next / later board: in column `horizon` ("" takes it
    off the board), right after the card `after_id` (None: at the top of the column).

    The feature takes a rank between its new neighbours, so one row changes; the change
    log records the horizon it left and the one it joined.
    """
    if horizon not in Horizon.values and horizon != "":
        raise ValidationError({"horizon": f"Unknown horizon {horizon!r}: now, next or later."})
    column = Feature.objects.filter(horizon=horizon).exclude(pk=instance.pk)
    rank = ordering.rank_after(
        column,
        field="horizon_rank",
        after_id=after_id,
        missing=f"Feature {after_id} is not in the {horizon} column.",
    )
    return feature.update(
        actor=actor,
        instance=instance,
        version=version,
        data={"horizon": horizon, "horizon_rank": rank},
    )


@dataclass(frozen=True)
class FeatureDemand:
    """The customer demand for one feature (see customers.evidence for the rules)."""

    importance: int = 0
    arr: Decimal = Decimal(0)
    requests: int = 0
    customers: int = 0


def feature_demand_set(*, demand: Mapping[int, FeatureDemand], batch_size: int = 500) -> int:
    """Store derived demand figures on features: {feature id: FeatureDemand}.

    These are figures computed from other objects, not edits: no permission check, no
    version bump, no change record, `updated_at` untouched. Unknown ids are skipped.
    Answers the number of features given.
    """
    rows = [
        Feature(
            pk=feature_id,
            demand_importance=figures.importance,
            demand_arr=figures.arr,
            demand_requests=figures.requests,
            demand_customers=figures.customers,
        )
        for feature_id, figures in demand.items()
    ]
    if rows:
        Feature.objects.bulk_update(rows, list(Feature.DEMAND_FIELDS), batch_size=batch_size)
    return len(rows)
