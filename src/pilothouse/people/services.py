"""Every write to people, the ladder, growth records and the hiring plan goes through these."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

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
    OpenRole,
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


person = PersonWrites(Person)
career_level = ModelWrites(CareerLevel)
competency = ModelWrites(Competency)
expectation = ModelWrites(Expectation)
assessment = ModelWrites(Assessment)
assessment_rating = ModelWrites(AssessmentRating)
growth_plan = ModelWrites(GrowthPlan)
growth_goal = ModelWrites(GrowthGoal)
check_in = ModelWrites(CheckIn)
one_on_one = ModelWrites(OneOnOne)
action_item = ModelWrites(ActionItem)
open_role = ModelWrites(OpenRole)
