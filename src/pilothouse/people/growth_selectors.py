"""Whole lists of the career ladder and of the private growth records, as the API reads
them (a fixed number of queries per page). Lists of private records are narrowed to what
the caller may see by people.privacy; pages about one person use people.selectors."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

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
)


def career_level_list() -> QuerySet[CareerLevel]:
    return CareerLevel.objects.all()


def competency_list() -> QuerySet[Competency]:
    return Competency.objects.all()


def expectation_list() -> QuerySet[Expectation]:
    return Expectation.objects.select_related("level", "competency")


def assessment_list() -> QuerySet[Assessment]:
    ratings = AssessmentRating.objects.select_related("competency").order_by(
        "competency__position", "competency__name", "id"
    )
    return Assessment.objects.prefetch_related(Prefetch("ratings", queryset=ratings))


def assessment_rating_list() -> QuerySet[AssessmentRating]:
    return AssessmentRating.objects.all()


def growth_plan_list() -> QuerySet[GrowthPlan]:
    return GrowthPlan.objects.all()


def growth_goal_list() -> QuerySet[GrowthGoal]:
    return GrowthGoal.objects.all()


def check_in_list() -> QuerySet[CheckIn]:
    return CheckIn.objects.all()


def one_on_one_list() -> QuerySet[OneOnOne]:
    return OneOnOne.objects.all()


def action_item_list() -> QuerySet[ActionItem]:
    return ActionItem.objects.all()
