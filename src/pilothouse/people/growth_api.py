"""/api/v1/assessments (with their ratings, also at /assessment-ratings), /growth-plans,
/growth-goals, /check-ins, /one-on-ones, /action-items: private growth records; and the
career ladder's routers (people.ladder_api).

Private: a list holds only the records of people whose private data the caller may see
(the person, their management chain, product leaders and admins; a one-to-one's two
people and both their chains), and any other record answers 404, as if it did not exist
(people.privacy). An id of such a record, or of a private person the caller may not see,
in a body is refused like an unknown id. Writes follow core.permissions: the subject's
managers create and change the records, the person also changes their growth plans,
goals, check-ins, one-to-ones and action items (SUBJECT_EDITS), leaders and admins all.

No `from __future__ import annotations`: ninja reads the endpoint signatures.
"""

import datetime as dt
from collections.abc import Callable
from typing import Annotated

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from ninja import Field, FilterLookup, FilterSchema, Router, Schema

from pilothouse.api import crud
from pilothouse.people import growth_selectors, ladder_api, privacy, services
from pilothouse.people.models import (
    ActionItem,
    Assessment,
    AssessmentRating,
    CareerLevel,
    CheckIn,
    Competency,
    GoalStatus,
    GrowthGoal,
    GrowthPlan,
    OneOnOne,
    Person,
    PlanStatus,
    Rating,
)

Scope = Callable[[HttpRequest, QuerySet], QuerySet]


def private_to(*person_fields: str) -> Scope:
    """The rows naming someone whose private data the caller may see."""

    def scope(request: HttpRequest, qs: QuerySet) -> QuerySet:
        return privacy.restrict(qs, request.user, *person_fields)

    return scope


def listed(request: HttpRequest, qs: QuerySet[Person]) -> QuerySet[Person]:
    return privacy.listed_people(qs, request.user)


def resource(*, order: tuple[str, ...], **fields) -> crud.Resource:
    """A private resource, orderable by id, its timestamps and the fields `order` names."""
    return crud.Resource(ordering=("id", *order, "created_at", "updated_at"), **fields)


# --- assessments and their ratings ------------------------------------------------------


class AssessmentRatingIn(Schema):
    assessment_id: int
    competency_id: int
    rating: Rating = Field(description="1 below, 2 partly meets, 3 meets, 4 exceeds")
    evidence: str = Field("", description="What was observed. Markdown")


class AssessmentRatingOut(crud.VersionedOut, AssessmentRatingIn):
    pass


class RatingShown(Schema):
    id: int
    version: int
    competency_id: int
    rating: Rating
    evidence: str


class AssessmentIn(Schema):
    person_id: int
    level_id: int = Field(description="The career level assessed against")
    period: str = Field(description='E.g. "2026 H1"')
    assessed_on: dt.date
    assessor_id: int | None = Field(None, description="A person")
    summary: str = Field("", description="Markdown")


class AssessmentOut(crud.VersionedOut, AssessmentIn):
    ratings: list[RatingShown] = Field(
        default_factory=list, description="Per competency; written at /assessment-ratings"
    )

    @staticmethod
    def resolve_ratings(obj: Assessment) -> list[AssessmentRating]:
        return list(obj.ratings.all())


class AssessmentFilters(FilterSchema):
    person_id: int | None = None
    level_id: int | None = None
    period: str | None = None
    assessed_after: Annotated[dt.date | None, FilterLookup("assessed_on__gte")] = None


class AssessmentRatingFilters(FilterSchema):
    assessment_id: int | None = None
    person_id: Annotated[int | None, FilterLookup("assessment__person_id")] = None
    competency_id: int | None = None
    rating: Rating | None = None


assessments = Router(tags=["growth"])
crud.register(
    assessments,
    resource(
        model=Assessment,
        order=("assessed_on", "period"),
        out=AssessmentOut,
        create_in=AssessmentIn,
        update_in=crud.patch_schema(AssessmentIn, name="AssessmentPatch"),
        filters=AssessmentFilters,
        select=growth_selectors.assessment_list,
        create=services.assessment.create,
        update=services.assessment.update,
        delete=services.assessment.delete,
        default_ordering="-assessed_on",
        refs={
            "person_id": ("person", Person),
            "level_id": ("level", CareerLevel),
            "assessor_id": ("assessor", Person),
        },
        visible=private_to("person"),
        ref_visible={"person_id": listed, "assessor_id": listed},
    ),
)

assessment_ratings = Router(tags=["growth"])
crud.register(
    assessment_ratings,
    resource(
        model=AssessmentRating,
        order=("rating",),
        out=AssessmentRatingOut,
        create_in=AssessmentRatingIn,
        update_in=crud.patch_schema(AssessmentRatingIn, name="AssessmentRatingPatch"),
        filters=AssessmentRatingFilters,
        select=growth_selectors.assessment_rating_list,
        create=services.assessment_rating.create,
        update=services.assessment_rating.update,
        delete=services.assessment_rating.delete,
        refs={
            "assessment_id": ("assessment", Assessment),
            "competency_id": ("competency", Competency),
        },
        visible=private_to("assessment__person"),
        ref_visible={"assessment_id": private_to("person")},
    ),
)

# --- growth plans, goals and check-ins -----------------------------------------------------


class GrowthPlanIn(Schema):
    person_id: int
    title: str
    target_level_id: int | None = Field(None, description="The level the plan works towards")
    start: dt.date
    end: dt.date | None = None
    status: PlanStatus = PlanStatus.ACTIVE
    summary: str = Field("", description="Markdown")


class GrowthPlanOut(crud.VersionedOut, GrowthPlanIn):
    pass


class GrowthPlanFilters(FilterSchema):
    person_id: int | None = None
    status: PlanStatus | None = None
    q: Annotated[str | None, FilterLookup("title__icontains")] = None


growth_plans = Router(tags=["growth"])
crud.register(
    growth_plans,
    resource(
        model=GrowthPlan,
        order=("start", "title", "status"),
        out=GrowthPlanOut,
        create_in=GrowthPlanIn,
        update_in=crud.patch_schema(GrowthPlanIn, name="GrowthPlanPatch"),
        filters=GrowthPlanFilters,
        select=growth_selectors.growth_plan_list,
        create=services.growth_plan.create,
        update=services.growth_plan.update,
        delete=services.growth_plan.delete,
        default_ordering="-start",
        refs={"person_id": ("person", Person), "target_level_id": ("target_level", CareerLevel)},
        visible=private_to("person"),
        ref_visible={"person_id": listed},
    ),
)


class GrowthGoalIn(Schema):
    plan_id: int
    competency_id: int | None = None
    description: str
    status: GoalStatus = GoalStatus.NOT_STARTED
    due: dt.date | None = None


class GrowthGoalOut(crud.VersionedOut, GrowthGoalIn):
    pass


class GrowthGoalFilters(FilterSchema):
    plan_id: int | None = None
    person_id: Annotated[int | None, FilterLookup("plan__person_id")] = None
    status: GoalStatus | None = None
    competency_id: int | None = None


growth_goals = Router(tags=["growth"])
crud.register(
    growth_goals,
    resource(
        model=GrowthGoal,
        order=("due", "status"),
        out=GrowthGoalOut,
        create_in=GrowthGoalIn,
        update_in=crud.patch_schema(GrowthGoalIn, name="GrowthGoalPatch"),
        filters=GrowthGoalFilters,
        select=growth_selectors.growth_goal_list,
        create=services.growth_goal.create,
        update=services.growth_goal.update,
        delete=services.growth_goal.delete,
        default_ordering="due",
        refs={"plan_id": ("plan", GrowthPlan), "competency_id": ("competency", Competency)},
        visible=private_to("plan__person"),
        ref_visible={"plan_id": private_to("person")},
    ),
)


class CheckInIn(Schema):
    plan_id: int
    held_on: dt.date
    notes: str = Field(description="Markdown")


class CheckInOut(crud.VersionedOut, CheckInIn):
    pass


class CheckInFilters(FilterSchema):
    plan_id: int | None = None
    person_id: Annotated[int | None, FilterLookup("plan__person_id")] = None
    held_after: Annotated[dt.date | None, FilterLookup("held_on__gte")] = None


check_ins = Router(tags=["growth"])
crud.register(
    check_ins,
    resource(
        model=CheckIn,
        order=("held_on",),
        out=CheckInOut,
        create_in=CheckInIn,
        update_in=crud.patch_schema(CheckInIn, name="CheckInPatch"),
        filters=CheckInFilters,
        select=growth_selectors.check_in_list,
        create=services.check_in.create,
        update=services.check_in.update,
        delete=services.check_in.delete,
        default_ordering="-held_on",
        refs={"plan_id": ("plan", GrowthPlan)},
        visible=private_to("plan__person"),
        ref_visible={"plan_id": private_to("person")},
    ),
)

# --- one-to-ones and their action items ----------------------------------------------------


class OneOnOneIn(Schema):
    person_id: int = Field(description="The report (the record hangs under them)")
    with_person_id: int = Field(description="Usually the manager")
    held_on: dt.date
    notes: str = Field("", description="Markdown")


class OneOnOneOut(crud.VersionedOut, OneOnOneIn):
    pass


class OneOnOneFilters(FilterSchema):
    person_id: int | None = None
    with_person_id: int | None = None
    participant_id: int | None = Field(None, description="Either of the two people")
    held_after: Annotated[dt.date | None, FilterLookup("held_on__gte")] = None

    def filter_participant_id(self, value: int | None) -> Q:
        return Q() if value is None else Q(person_id=value) | Q(with_person_id=value)


one_on_ones = Router(tags=["growth"])
crud.register(
    one_on_ones,
    resource(
        model=OneOnOne,
        order=("held_on",),
        out=OneOnOneOut,
        create_in=OneOnOneIn,
        update_in=crud.patch_schema(OneOnOneIn, name="OneOnOnePatch"),
        filters=OneOnOneFilters,
        select=growth_selectors.one_on_one_list,
        create=services.one_on_one.create,
        update=services.one_on_one.update,
        delete=services.one_on_one.delete,
        default_ordering="-held_on",
        refs={"person_id": ("person", Person), "with_person_id": ("with_person", Person)},
        visible=private_to("person", "with_person"),
        ref_visible={"person_id": listed, "with_person_id": listed},
    ),
)


class ActionItemIn(Schema):
    one_on_one_id: int
    text: str
    owner_id: int | None = Field(None, description="A person")
    due: dt.date | None = None
    done: bool = False


class ActionItemOut(crud.VersionedOut, ActionItemIn):
    pass


class ActionItemFilters(FilterSchema):
    one_on_one_id: int | None = None
    owner_id: int | None = None
    done: bool | None = None


action_items = Router(tags=["growth"])
crud.register(
    action_items,
    resource(
        model=ActionItem,
        order=("due", "done"),
        out=ActionItemOut,
        create_in=ActionItemIn,
        update_in=crud.patch_schema(ActionItemIn, name="ActionItemPatch"),
        filters=ActionItemFilters,
        select=growth_selectors.action_item_list,
        create=services.action_item.create,
        update=services.action_item.update,
        delete=services.action_item.delete,
        default_ordering="due",
        refs={"one_on_one_id": ("one_on_one", OneOnOne), "owner_id": ("owner", Person)},
        visible=private_to("one_on_one__person", "one_on_one__with_person"),
        ref_visible={
            "one_on_one_id": private_to("person", "with_person"),
            "owner_id": listed,
        },
    ),
)

ROUTERS: dict[str, Router] = {
    **ladder_api.ROUTERS,
    "/assessments": assessments,
    "/assessment-ratings": assessment_ratings,
    "/growth-plans": growth_plans,
    "/growth-goals": growth_goals,
    "/check-ins": check_ins,
    "/one-on-ones": one_on_ones,
    "/action-items": action_items,
}
