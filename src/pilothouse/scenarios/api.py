"""/api/v1/scenarios, /scenario-changes, /scenarios/{id}/comparison, /scenarios/{id}/apply
and /auto-plan-runs.

No `from __future__ import annotations`: ninja reads the signatures.
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, FilterLookup, FilterSchema, Query, Router, Schema

from pilothouse.api import crud
from pilothouse.delivery.models import Granularity, Team
from pilothouse.prioritization.models import ScoringModel
from pilothouse.roadmap.models import Feature, Release
from pilothouse.scenarios import comparison, selectors, services
from pilothouse.scenarios.models import (
    MAX_TIME_LIMIT_S,
    AutoPlanRun,
    ChangeKind,
    Scenario,
    ScenarioChange,
    ScenarioStatus,
)

# --- scenarios --------------------------------------------------------------------------


class ScenarioIn(Schema):
    name: str
    description: str = ""
    granularity: Granularity = Granularity.QUARTER
    first_period: dt.date = Field(description="The first day of the first month or quarter")
    period_count: int = 4
    scoring_model_id: int | None = Field(None, description="Values the features; none: 1 each")


class ScenarioOut(crud.VersionedOut, ScenarioIn):
    status: ScenarioStatus
    applied_at: dt.datetime | None = None
    applied_by_id: int | None = None
    change_count: int = 0


class ScenarioFilters(FilterSchema):
    q: Annotated[str | None, FilterLookup("name__icontains")] = None
    status: ScenarioStatus | None = None


scenarios = Router(tags=["scenarios"])


class ComparedCell(Schema):
    period: str
    capacity: float = Field(description="Person-weeks")
    demand_low: float
    demand_high: float
    status: str = Field(description="ok, at_risk, over_committed")
    explanation: str


class ComparedTeam(Schema):
    team_id: int | None = Field(description="None: a team the scenario adds")
    name: str
    periods: list[ComparedCell]


class ComparedRelease(Schema):
    release_id: int
    name: str
    target_date: dt.date | None
    remaining_features: int
    p85_date: dt.date | None = Field(description="85 % of simulated futures are done by then")
    late: bool
    note: str


class PlanSide(Schema):
    value_delivered: float = Field(description="Sum of the values of features delivered")
    features_delivered: int
    unscored_feature_ids: list[int]
    over_committed_periods: int
    teams: list[ComparedTeam]
    releases: list[ComparedRelease]


class ComparisonOut(Schema):
    scenario_id: int
    periods: list[str]
    valued_by: str
    release_count: int = Field(
        description="Releases in the chosen set (`releases`); each side lists those of "
        "`release_offset`..+`release_limit` it delivers within the horizon"
    )
    unchanged_releases: int = Field(
        description="Releases delivered within the horizon forecast alike on both sides "
        "(the changes touch none of their features, teams or capacity)"
    )
    live: PlanSide
    scenario: PlanSide


ReleaseSet = Literal["changed", "all"]
RELEASE_LIMIT = 20
MAX_RELEASE_LIMIT = 100


def _side(figures: comparison.PlanFigures, rows: list[comparison.ReleaseRow | None]) -> PlanSide:
    return PlanSide(
        value_delivered=figures.value,
        features_delivered=figures.delivered,
        unscored_feature_ids=figures.unscored,
        over_committed_periods=figures.over_committed,
        teams=[
            ComparedTeam(
                team_id=None if row.added else row.key,
                name=row.name,
                periods=[
                    ComparedCell(
                        period=cell.period.label,
                        capacity=cell.capacity,
                        demand_low=cell.low,
                        demand_high=cell.high,
                        status=cell.status,
                        explanation=cell.explanation,
                    )
                    for cell in row.cells
                ],
            )
            for row in figures.teams
        ],
        releases=[
            ComparedRelease(
                release_id=row.release_id,
                name=row.name,
                target_date=row.target_date,
                remaining_features=row.remaining,
                p85_date=row.p85,
                late=row.late,
                note=row.note,
            )
            for row in rows
            if row is not None
        ],
    )


@scenarios.get(
    "/{int:pk}/comparison",
    response={200: ComparisonOut, **crud.ERRORS},
    summary="The live plan and the scenario side by side",
    operation_id="scenario_comparison",
)
def scenario_comparison(
    request: HttpRequest,
    pk: int,
    releases: ReleaseSet = Query(
        "changed",
        description="changed: the releases whose forecast the changes touch; all: every "
        "release with a feature delivered within the horizon",
    ),
    release_limit: int = Query(RELEASE_LIMIT, ge=1, le=MAX_RELEASE_LIMIT),
    release_offset: int = Query(0, ge=0),
):
    scenario = get_object_or_404(selectors.scenario_list(), pk=pk)
    today = timezone.localdate()
    result = comparison.compare(scenario=scenario, today=today)
    chosen = result.release_ids(changed_only=releases == "changed")
    rows = comparison.release_forecasts(
        result, release_ids=chosen[release_offset : release_offset + release_limit], today=today
    )
    return ComparisonOut(
        scenario_id=scenario.pk,
        periods=[period.label for period in result.periods],
        valued_by=result.valued_by,
        release_count=len(chosen),
        unchanged_releases=result.unchanged_releases,
        live=_side(result.live, [live for live, _ in rows]),
        scenario=_side(result.scenario, [mine for _, mine in rows]),
    )


class ApplyIn(Schema):
    version: int


@scenarios.post(
    "/{int:pk}/apply",
    response={200: ScenarioOut, **crud.ERRORS},
    summary="Apply the scenario's changes to the live roadmap (all or nothing)",
    operation_id="scenario_apply",
)
def scenario_apply(request: HttpRequest, pk: int, payload: ApplyIn):
    scenario = get_object_or_404(Scenario, pk=pk)
    services.scenario_apply(actor=request.user, instance=scenario, version=payload.version)
    return selectors.scenario_detail(pk=pk)


crud.register(
    scenarios,
    crud.Resource(
        model=Scenario,
        out=ScenarioOut,
        create_in=ScenarioIn,
        update_in=crud.patch_schema(ScenarioIn, name="ScenarioPatch"),
        filters=ScenarioFilters,
        select=selectors.scenario_list,
        create=services.scenario.create,
        update=services.scenario.update,
        delete=services.scenario.delete,
        ordering=("id", "name", "created_at", "updated_at"),
        default_ordering="-created_at",
        refs={"scoring_model_id": ("scoring_model", ScoringModel)},
    ),
)

# --- scenario changes -----------------------------------------------------------------


class ScenarioChangeIn(Schema):
    scenario_id: int
    kind: ChangeKind
    feature_id: int | None = Field(None, description="drop_feature, move_feature")
    period_start: dt.date | None = Field(None, description="move_feature, change_capacity")
    team_id: int | None = Field(None, description="change_capacity; move_feature (optional)")
    team_name: str = Field("", description="add_team")
    person_weeks: Decimal | None = Field(None, description="add_team, change_capacity")
    release_id: int | None = Field(None, description="move_date")
    target_date: dt.date | None = Field(None, description="move_date")
    note: str = ""


class ScenarioChangeOut(crud.VersionedOut, ScenarioChangeIn):
    base_version: int | None = Field(description="The live object's version when made")


class ScenarioChangeFilters(FilterSchema):
    scenario_id: int | None = None
    kind: ChangeKind | None = None


scenario_changes = Router(tags=["scenarios"])
crud.register(
    scenario_changes,
    crud.Resource(
        model=ScenarioChange,
        out=ScenarioChangeOut,
        create_in=ScenarioChangeIn,
        update_in=crud.patch_schema(ScenarioChangeIn, name="ScenarioChangePatch"),
        filters=ScenarioChangeFilters,
        select=selectors.scenario_change_list,
        create=services.scenario_change.create,
        update=services.scenario_change.update,
        delete=services.scenario_change.delete,
        ordering=("id", "kind", "created_at", "updated_at"),
        default_ordering="id",
        refs={
            "scenario_id": ("scenario", Scenario),
            "feature_id": ("feature", Feature),
            "team_id": ("team", Team),
            "release_id": ("release", Release),
        },
    ),
)

# --- auto-plan runs -------------------------------------------------------------------


class AutoPlanIn(Schema):
    team_ids: list[int] = Field([], description="None: every team")
    granularity: Granularity = Granularity.QUARTER
    first_period: dt.date = Field(description="The first day of the first month or quarter")
    period_count: int = 4
    scoring_model_id: int | None = None
    time_limit_s: float = Field(5.0, description=f"Seconds, at most {MAX_TIME_LIMIT_S:g}")
    keep_committed_dates: bool = True


class AutoPlanOut(crud.VersionedOut):
    team_ids: list[int]
    granularity: str
    first_period: dt.date
    period_count: int
    scoring_model_id: int | None
    time_limit_s: float
    keep_committed_dates: bool
    status: str = Field(description="optimal, feasible, infeasible, unknown, or error")
    value: float | None
    bound: float | None
    gap: float | None = Field(description="0 when optimal; (bound - value) / bound")
    solve_seconds: float | None
    explanation: list[str]
    notes: list[str] = Field(description="Features left out of the problem, and why")
    placements: dict[str, int | None] = Field(description="Feature id -> period index")
    scenario_id: int | None = Field(description="The proposed scenario; none without a plan")

    @staticmethod
    def resolve_team_ids(obj: AutoPlanRun) -> list[int]:
        return sorted(team.pk for team in obj.teams.all())


class AutoPlanFilters(FilterSchema):
    status: str | None = None


auto_plan_runs = Router(tags=["scenarios"])


@auto_plan_runs.get(
    "",
    response={200: crud.Page[AutoPlanOut], **crud.ERRORS},
    summary="List auto-plan runs",
    operation_id="autoplanrun_list",
)
def auto_plan_list(
    request: HttpRequest,
    filters: AutoPlanFilters = Query(...),
    limit: int = Query(crud.DEFAULT_LIMIT, ge=1, le=crud.MAX_LIMIT),
    offset: int = Query(0, ge=0),
):
    runs = filters.filter(selectors.auto_plan_run_list())
    return {"items": list(runs[offset : offset + limit]), "count": runs.count()}


@auto_plan_runs.get(
    "/{int:pk}",
    response={200: AutoPlanOut, **crud.ERRORS},
    summary="Get an auto-plan run",
    operation_id="autoplanrun_get",
)
def auto_plan_get(request: HttpRequest, pk: int):
    return get_object_or_404(selectors.auto_plan_run_list(), pk=pk)


@auto_plan_runs.post(
    "",
    response={201: AutoPlanOut, **crud.ERRORS},
    summary="Plan the live roadmap: the run, its result and the proposed scenario",
    operation_id="autoplanrun_create",
)
def auto_plan_create(request: HttpRequest, payload: AutoPlanIn):
    fields = payload.dict()
    team_ids = fields.pop("team_ids")
    model_id = fields.pop("scoring_model_id")
    if model_id is not None:
        fields["scoring_model"] = ScoringModel.objects.filter(pk=model_id).first()
        if fields["scoring_model"] is None:
            raise ValidationError({"scoring_model_id": f"no scoring model with id {model_id}"})
    run = services.auto_plan_run(actor=request.user, data=fields, team_ids=team_ids)
    return 201, get_object_or_404(selectors.auto_plan_run_list(), pk=run.pk)


ROUTERS = {
    "/scenarios": scenarios,
    "/scenario-changes": scenario_changes,
    "/auto-plan-runs": auto_plan_runs,
}
