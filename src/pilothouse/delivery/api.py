"""/api/v1/teams, /team-members, /time-off, /capacity-periods, /feature-assignments,
/work-items; and the read endpoints /teams/{id}/capacity and /teams/{id}/throughput.

A private person (people.privacy) is shown only to those who may list them: their
memberships and time off are not listed and answer 404, an id of theirs in a body is
refused like an unknown one, a filter by their id answers as for an id no one has, a
team's `lead_id` is null and its `member_count` leaves them out. Capacity stays whole.

No `from __future__ import annotations`: ninja reads the signatures.
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, FilterLookup, FilterSchema, Query, Router, Schema

from pilothouse.api import crud
from pilothouse.delivery import import_api, privacy, selectors, services
from pilothouse.delivery.models import (
    CapacityPeriod,
    FeatureAssignment,
    Granularity,
    Team,
    TeamMember,
    TimeOff,
    WorkItem,
)
from pilothouse.people.api import ViewerFilterSchema, listed
from pilothouse.people.models import Person
from pilothouse.portfolio.models import Product
from pilothouse.roadmap.models import Feature

# --- teams ----------------------------------------------------------------------------


class TeamIn(Schema):
    name: str
    description: str = ""
    product_ids: list[int] = []
    lead_id: int | None = Field(None, description="A person (people module)")


class TeamOut(crud.VersionedOut, TeamIn):
    member_count: int = Field(0, description="Members the caller may list")

    @staticmethod
    def resolve_product_ids(obj: Team) -> list[int]:
        return sorted(product.pk for product in obj.products.all())

    @staticmethod
    def resolve_lead_id(obj: Team) -> int | None:
        listed_lead = getattr(obj, "listed_lead", obj.lead)
        return listed_lead.pk if listed_lead is not None else None


class TeamFilters(ViewerFilterSchema):
    q: Annotated[str | None, FilterLookup("name__icontains")] = None
    product_id: Annotated[int | None, FilterLookup("products__id")] = None
    lead_id: int | None = None

    def filter_lead_id(self, value: int | None) -> Q:
        return self.naming_listed("lead_id", value)


def redact_teams(request: HttpRequest, objects: list[Team]) -> None:
    privacy.redact_teams(objects, request.user)


def listed_rows(request: HttpRequest, qs: QuerySet) -> QuerySet:
    """Memberships and time off of the people the caller may list (404 for the rest)."""
    return privacy.listed_rows(qs, request.user)


teams = Router(tags=["delivery"])
crud.register(
    teams,
    crud.Resource(
        model=Team,
        out=TeamOut,
        create_in=TeamIn,
        update_in=crud.patch_schema(TeamIn, name="TeamPatch"),
        filters=TeamFilters,
        select=lambda: privacy.with_private_members(selectors.team_list()),
        create=services.team.create,
        update=services.team.update,
        delete=services.team.delete,
        ordering=("id", "name", "created_at", "updated_at"),
        default_ordering="name",
        refs={"lead_id": ("lead", Person)},
        many={"product_ids": ("products", Product)},
        ref_visible={"lead_id": listed},
        redact=redact_teams,
    ),
)


class PeriodOut(Schema):
    id: int
    label: str
    granularity: str
    start: dt.date
    end: dt.date
    capacity: float = Field(description="Person-weeks")
    capacity_computed: bool = Field(description="False: the period's override is used")
    demand_low: float = Field(description="Person-weeks, at the low estimates")
    demand_high: float = Field(description="Person-weeks, at the high estimates")
    planned_features: int
    unestimated_features: int = Field(description="Planned features without an estimate")
    status: str = Field(description="ok, at_risk (high > capacity), over_committed (low >)")
    explanation: str


class CapacityOut(Schema):
    team_id: int
    over_committed: bool = Field(description="Some period from today on is over-committed")
    periods: list[PeriodOut]


@teams.get(
    "/{int:pk}/capacity",
    response={200: CapacityOut, **crud.ERRORS},
    summary="A team's capacity, demand and status per period",
    operation_id="team_capacity",
)
def team_capacity(request: HttpRequest, pk: int):
    team = get_object_or_404(Team, pk=pk)
    today = timezone.localdate()
    figures = selectors.team_capacity(team=team, today=today)
    periods = [
        PeriodOut(
            id=f.period.pk,
            label=f.period.label,
            granularity=f.period.granularity,
            start=f.period.start,
            end=f.period.end,
            capacity=f.capacity_rounded,
            capacity_computed=f.computed,
            demand_low=f.demand_low,
            demand_high=f.demand_high,
            planned_features=f.demand.features,
            unestimated_features=f.demand.unestimated,
            status=f.status,
            explanation=f.explanation,
        )
        for f in figures
    ]
    over = any(f.status == "over_committed" and f.period.end >= today for f in figures)
    return CapacityOut(team_id=team.pk, over_committed=over, periods=periods)


class WeekOut(Schema):
    week: dt.date = Field(description="The Monday of the ISO week")
    count: int
    partial: bool = Field(
        description="The week is not over (it holds today, or is later): its count may "
        "still grow. Forecasts sample whole weeks only."
    )


class ThroughputOut(Schema):
    team_id: int
    weeks: list[WeekOut]


@teams.get(
    "/{int:pk}/throughput",
    response={200: ThroughputOut, **crud.ERRORS},
    summary="Completed items per week of a team",
    operation_id="team_throughput",
)
def team_throughput(
    request: HttpRequest,
    pk: int,
    start: dt.date | None = Query(None, alias="from", description="Default: 26 weeks ago"),
    end: dt.date | None = Query(None, alias="to", description="Default: today"),
):
    team = get_object_or_404(Team, pk=pk)
    today = timezone.localdate()
    first, last = selectors.throughput_window(start, end, today=today, weeks=26)
    series = selectors.throughput(team_ids=[team.pk], first=first, last=last)[team.pk]
    return ThroughputOut(
        team_id=team.pk,
        weeks=[
            WeekOut(week=week.start, count=week.count, partial=not week.over(today))
            for week in series
        ],
    )


# --- members and time off -------------------------------------------------------------


class TeamMemberIn(Schema):
    team_id: int
    person_id: int
    allocation: int = Field(100, description="Percent of their time on this team, 1-100")
    role: str = ""


class TeamMemberOut(crud.VersionedOut, TeamMemberIn):
    total_allocation: int = Field(0, description="Percent over all their teams")
    over_allocated: bool = Field(False, description="Allocated over 100 % across teams")


class TeamMemberFilters(FilterSchema):
    team_id: int | None = None
    person_id: int | None = None


team_members = Router(tags=["delivery"])
crud.register(
    team_members,
    crud.Resource(
        model=TeamMember,
        out=TeamMemberOut,
        create_in=TeamMemberIn,
        update_in=crud.patch_schema(TeamMemberIn, name="TeamMemberPatch"),
        filters=TeamMemberFilters,
        select=selectors.team_member_list,
        create=services.team_member.create,
        update=services.team_member.update,
        delete=services.team_member.delete,
        ordering=("id", "allocation", "created_at", "updated_at"),
        default_ordering="id",
        refs={"team_id": ("team", Team), "person_id": ("person", Person)},
        decorate=selectors.decorate_members,
        visible=listed_rows,
        ref_visible={"person_id": listed},
    ),
)


class TimeOffIn(Schema):
    person_id: int
    start: dt.date
    end: dt.date
    note: str = ""


class TimeOffOut(crud.VersionedOut, TimeOffIn):
    pass


class TimeOffFilters(FilterSchema):
    person_id: int | None = None
    after: Annotated[dt.date | None, FilterLookup("end__gte")] = None
    before: Annotated[dt.date | None, FilterLookup("start__lte")] = None


time_off = Router(tags=["delivery"])
crud.register(
    time_off,
    crud.Resource(
        model=TimeOff,
        out=TimeOffOut,
        create_in=TimeOffIn,
        update_in=crud.patch_schema(TimeOffIn, name="TimeOffPatch"),
        filters=TimeOffFilters,
        select=selectors.time_off_list,
        create=services.time_off.create,
        update=services.time_off.update,
        delete=services.time_off.delete,
        ordering=("id", "start", "end", "created_at", "updated_at"),
        default_ordering="start",
        refs={"person_id": ("person", Person)},
        visible=listed_rows,
        ref_visible={"person_id": listed},
    ),
)


# --- capacity periods -----------------------------------------------------------------


class CapacityPeriodIn(Schema):
    team_id: int
    granularity: Granularity = Granularity.QUARTER
    start: dt.date = Field(description="The first day of a month or quarter")
    person_weeks: Decimal | None = Field(
        None, description="Capacity override in person-weeks; empty: from the members"
    )
    note: str = ""


class CapacityPeriodOut(crud.VersionedOut, CapacityPeriodIn):
    end: dt.date
    label: str


class CapacityPeriodFilters(FilterSchema):
    team_id: int | None = None
    granularity: Granularity | None = None
    after: Annotated[dt.date | None, FilterLookup("end__gte")] = None


capacity_periods = Router(tags=["delivery"])
crud.register(
    capacity_periods,
    crud.Resource(
        model=CapacityPeriod,
        out=CapacityPeriodOut,
        create_in=CapacityPeriodIn,
        update_in=crud.patch_schema(CapacityPeriodIn, name="CapacityPeriodPatch"),
        filters=CapacityPeriodFilters,
        select=selectors.capacity_period_list,
        create=services.capacity_period.create,
        update=services.capacity_period.update,
        delete=services.capacity_period.delete,
        ordering=("id", "start", "created_at", "updated_at"),
        default_ordering="start",
        refs={"team_id": ("team", Team)},
    ),
)


# --- assignments ----------------------------------------------------------------------


class AssignmentIn(Schema):
    feature_id: int
    team_id: int
    queue_rank: float | None = Field(
        None, description="Order in the queue, lower first; empty: the end of the queue"
    )
    note: str = ""


class AssignmentOut(crud.VersionedOut, AssignmentIn):
    queue_rank: float
    effort_low: Decimal | None = Field(None, description="The feature's, in person-weeks")
    effort_high: Decimal | None = Field(None, description="The feature's, in person-weeks")
    no_estimate: bool = Field(False, description="The feature lacks a low or high effort")

    @staticmethod
    def resolve_effort_low(obj: FeatureAssignment) -> Decimal | None:
        return obj.feature.effort_low

    @staticmethod
    def resolve_effort_high(obj: FeatureAssignment) -> Decimal | None:
        return obj.feature.effort_high

    @staticmethod
    def resolve_no_estimate(obj: FeatureAssignment) -> bool:
        return obj.feature.effort_low is None or obj.feature.effort_high is None


class AssignmentFilters(FilterSchema):
    team_id: int | None = None
    feature_id: int | None = None
    product_id: Annotated[int | None, FilterLookup("feature__product_id")] = None


feature_assignments = Router(tags=["delivery"])
crud.register(
    feature_assignments,
    crud.Resource(
        model=FeatureAssignment,
        out=AssignmentOut,
        create_in=AssignmentIn,
        update_in=crud.patch_schema(AssignmentIn, name="AssignmentPatch"),
        filters=AssignmentFilters,
        select=selectors.assignment_list,
        create=services.assignment.create,
        update=services.assignment.update,
        delete=services.assignment.delete,
        ordering=("id", "queue_rank", "created_at", "updated_at"),
        default_ordering="queue_rank",
        refs={"feature_id": ("feature", Feature), "team_id": ("team", Team)},
    ),
)


class MoveIn(Schema):
    version: int
    after_id: int | None = Field(None, description="The assignment to follow; null: first")


@feature_assignments.post(
    "/{int:pk}/move",
    response={200: AssignmentOut, **crud.ERRORS},
    summary="Move a feature within its team's queue",
    operation_id="featureassignment_move",
)
def assignment_move(request: HttpRequest, pk: int, payload: MoveIn):
    assignment = get_object_or_404(selectors.assignment_list(), pk=pk)
    services.assignment_move(
        actor=request.user,
        instance=assignment,
        version=payload.version,
        after_id=payload.after_id,
    )
    return get_object_or_404(selectors.assignment_list(), pk=pk)


# --- work items -----------------------------------------------------------------------


class WorkItemIn(Schema):
    team_id: int
    title: str
    completed_on: dt.date
    external_id: str | None = Field(None, description="Its id in the source; unique per team")
    source: str = Field("manual", description="Who wrote it: manual, csv, or an importer")


class WorkItemOut(crud.VersionedOut, WorkItemIn):
    pass


class WorkItemFilters(FilterSchema):
    team_id: int | None = None
    source: str | None = None
    after: Annotated[dt.date | None, FilterLookup("completed_on__gte")] = None
    before: Annotated[dt.date | None, FilterLookup("completed_on__lte")] = None


work_items = Router(tags=["delivery"])
crud.register(
    work_items,
    crud.Resource(
        model=WorkItem,
        out=WorkItemOut,
        create_in=WorkItemIn,
        update_in=crud.patch_schema(WorkItemIn, name="WorkItemPatch"),
        filters=WorkItemFilters,
        select=selectors.work_item_list,
        create=services.work_item.create,
        update=services.work_item.update,
        delete=services.work_item.delete,
        ordering=("id", "completed_on", "created_at", "updated_at"),
        default_ordering="-completed_on",
        refs={"team_id": ("team", Team)},
    ),
)

# POST /teams/{id}/work-items/import (import_api.py) sits under the teams.
teams.add_router("", import_api.router)

ROUTERS = {
    "/teams": teams,
    "/team-members": team_members,
    "/time-off": time_off,
    "/capacity-periods": capacity_periods,
    "/feature-assignments": feature_assignments,
    "/work-items": work_items,
}
