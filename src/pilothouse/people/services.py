"""Every write to people, the ladder, growth records and the hiring plan goes through these."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from pilothouse.core import permissions
from pilothouse.core.models import User
from pilothouse.core.writes import ModelWrites
from pilothouse.people.models import (
    ActionItem,
    Assessment,
    AssessmentRating,
    CareerLevel,
    CheckIn,
    Competency,
    Expectation,
    GrowthGoal,
    GrowthPlan,
    OneOnOne,
    Person,
)


class PersonWrites(ModelWrites):
    def prepare(self, instance: Person | None, data: dict[str, Any]) -> dict[str, Any]:
        if "email" in data and not data["email"]:
            data["email"] = None
        if "level" in data and not isinstance(data["level"], CareerLevel | None):
            data["level"] = level_by_key(str(data["level"]).strip()) if data["level"] else None
        return data


def level_by_key(key: str) -> CareerLevel:
    """A ladder level by its key (the API and imports name levels by key)."""
    level = CareerLevel.objects.filter(key=key).first()
    if level is None:
        known = ", ".join(CareerLevel.objects.values_list("key", flat=True))
        raise ValidationError({"level": f"No level {key!r} on the ladder. Levels: {known}."})
    return level


class CareerLevelWrites(ModelWrites):
    def update(self, *, actor: User | None, instance: CareerLevel, **kwargs: Any) -> CareerLevel:
        # Refuse those who may not change the ladder before telling them anything about it.
        if actor is not None:
            permissions.require(permissions.can_change(actor, instance))
        return super().update(actor=actor, instance=instance, **kwargs)

    def prepare(self, instance: CareerLevel | None, data: dict[str, Any]) -> dict[str, Any]:
        # People name their level by its key (the column holds it): a level in use keeps it.
        key = data.get("key")
        if instance is not None and key not in (None, instance.key) and instance.people.exists():
            raise ValidationError(
                {
                    "key": f"People are at level {instance.key!r}: its key cannot change. "
                    "Rename the level instead (its name)."
                }
            )
        return data


person = PersonWrites(Person)
career_level = CareerLevelWrites(CareerLevel)
competency = ModelWrites(Competency)
expectation = ModelWrites(Expectation)
assessment = ModelWrites(Assessment)
assessment_rating = ModelWrites(AssessmentRating)
growth_plan = ModelWrites(GrowthPlan)
growth_goal = ModelWrites(GrowthGoal)
check_in = ModelWrites(CheckIn)
one_on_one = ModelWrites(OneOnOne)
action_item = ModelWrites(ActionItem)

# The hiring plan's writes check the status flow: they live with it.
from pilothouse.people.hiring import open_role  # noqa: E402, F401
