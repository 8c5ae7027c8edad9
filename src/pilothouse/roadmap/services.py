"""Every write to features and releases goes through these."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from pilothouse.core.writes import ModelWrites
from pilothouse.roadmap.models import STAGE_TRANSITIONS, Feature, FeatureStage, Release


class FeatureWrites(ModelWrites):
    """Features move through their stages along STAGE_TRANSITIONS only; the start and
    completion dates are filled in when work starts and ships, and the completion date
    is cleared when a released feature is reopened."""

    def prepare(self, instance: Feature | None, data: dict[str, Any]) -> dict[str, Any]:
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
