"""Delivery forecasts in the API, read-only:

- GET  /releases/{id}/forecast, /initiatives/{id}/forecast [?split_low=&split_high=]:
  when the remaining features are done, each team reaching the deepest of them in its
  queue at its own pace (delivery.forecasts)
- GET  /teams/{id}/forecast?limit=&offset=: the not-done features of the team's queue,
  in order, a page at a time ({"items", "count"} like every list)
- POST /forecasts: an ad hoc forecast of the engine from a history given in the body

Anyone who may view the object may read its forecast. No `from __future__ import
annotations`: ninja reads the signatures.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from pilothouse.api import crud
from pilothouse.core import permissions
from pilothouse.delivery import forecasts
from pilothouse.delivery.models import Team
from pilothouse.engines import forecasting
from pilothouse.roadmap.models import Release
from pilothouse.strategy.models import Initiative

router = Router(tags=["delivery"])

# An ad hoc forecast answers within a request: a tenth of the engine's own limit.
API_MAX_TRIALS = 100_000


class PercentileOut(Schema):
    weeks: int
    date: dt.date = Field(description="Done by the end of this day (the end of week `weeks`)")


class HistogramBinOut(Schema):
    weeks: int
    trials: int


class HistoryWeekOut(Schema):
    week: dt.date = Field(description="The Monday of the ISO week")
    count: int


class TeamRefOut(Schema):
    id: int
    name: str


class FeatureRefOut(Schema):
    id: int
    title: str
    team_id: int | None


class TeamScopeOut(Schema):
    team_id: int | None = Field(description="None: features in no queue, at the teams' summed pace")
    name: str | None
    scope: int = Field(
        description="Features the team works through: its queue's not-done features up to "
        "and including the deepest of this release's (or initiative's)"
    )
    features: int = Field(description="Of those, this release's (or initiative's)")
    history_total: int = Field(description="Items the team completed in the history weeks")
    text: str = Field(description="The same in words, as the page says it")


class EngineOut(Schema):
    trials: int | None = Field(description="None when there is no forecast")
    percentiles: dict[str, PercentileOut] | None = Field(description="50, 85 and 95")
    probability_by_target: float | None
    histogram: list[HistogramBinOut]


class ScopeForecastOut(EngineOut):
    remaining: int = Field(description="Features not done, one item each")
    unassigned: int = Field(description="Remaining features in no team's queue")
    teams: list[TeamRefOut] = Field(description="The teams whose throughput is the history")
    teams_from_products: bool = Field(description="No feature had a team: the products' teams")
    history_weeks: int
    history: list[HistoryWeekOut] = Field(description="The teams' summed weekly throughput")
    start: dt.date
    target: dt.date | None
    target_passed: bool
    split: list[float] | None
    features: list[FeatureRefOut]
    notes: list[str]
    reason: str | None = Field(description="Why there is no forecast; null when there is one")
    scopes: list[TeamScopeOut] = Field(
        description="Each team simulated at its own pace; done when the last one is"
    )


class QueueItemOut(EngineOut):
    position: int = Field(description="The feature's place in the whole queue, from 1")
    feature_id: int
    title: str
    target: dt.date | None = Field(description="The date of the feature's release")
    beyond_horizon: bool = Field(
        description="Not done within 20 years at the team's pace in too many trials: no "
        "forecast (the figures are null)"
    )


class QueueForecastOut(Schema):
    team_id: int
    teams: list[TeamRefOut]
    count: int = Field(description="Features of the queue not done, in all pages")
    remaining: int = Field(description="The same as count")
    history_weeks: int
    history: list[HistoryWeekOut]
    start: dt.date
    reason: str | None = Field(description="Why there is no forecast at all; null otherwise")
    beyond_horizon_from: int | None = Field(
        description="The queue position from which on features are beyond the forecast "
        "horizon, when it is on this page or before it"
    )
    items: list[QueueItemOut]


def _split(low: float | None, high: float | None) -> tuple[float, float] | None:
    return forecasts.parse_split(low, high)


def _allowed(request: HttpRequest) -> None:
    permissions.require(permissions.can_view(request.user))


def _scope_forecast(
    request: HttpRequest, model, pk: int, forecast_for, split: tuple[float | None, float | None]
) -> dict:
    """The forecast of the release or initiative `pk` (a 404 if there is none), with the
    split rate (low, high) of the query, checked once the caller may see it."""
    _allowed(request)
    obj = get_object_or_404(model, pk=pk)
    found = forecast_for(obj, today=timezone.localdate(), split=_split(*split))
    return found.to_dict()


@router.get(
    "/releases/{int:pk}/forecast",
    response={200: ScopeForecastOut, **crud.ERRORS},
    summary="When a release's remaining features are done",
    operation_id="release_forecast",
)
def release_forecast(
    request: HttpRequest,
    pk: int,
    split_low: float | None = Query(None, description="Items per feature, low end (>= 1)"),
    split_high: float | None = Query(None, description="Items per feature, high end"),
):
    return _scope_forecast(
        request,
        Release,
        pk,
        lambda release, **kw: forecasts.release_forecast(release=release, **kw),
        (split_low, split_high),
    )


@router.get(
    "/initiatives/{int:pk}/forecast",
    response={200: ScopeForecastOut, **crud.ERRORS},
    summary="When an initiative's remaining features are done",
    operation_id="initiative_forecast",
)
def initiative_forecast(
    request: HttpRequest,
    pk: int,
    split_low: float | None = Query(None, description="Items per feature, low end (>= 1)"),
    split_high: float | None = Query(None, description="Items per feature, high end"),
):
    return _scope_forecast(
        request,
        Initiative,
        pk,
        lambda initiative, **kw: forecasts.initiative_forecast(initiative=initiative, **kw),
        (split_low, split_high),
    )


@router.get(
    "/teams/{int:pk}/forecast",
    response={200: QueueForecastOut, **crud.ERRORS},
    summary="When each feature of a team's queue is done, in queue order",
    operation_id="team_queue_forecast",
)
def team_forecast(
    request: HttpRequest,
    pk: int,
    limit: int = Query(crud.DEFAULT_LIMIT, ge=1, le=crud.MAX_LIMIT),
    offset: int = Query(0, ge=0),
):
    """A page of the not-done features in queue order; the simulation runs up to the
    last one on the page (a position depends on those before it, never after)."""
    _allowed(request)
    team = get_object_or_404(Team, pk=pk)
    found = forecasts.queue_forecast(
        team=team, today=timezone.localdate(), offset=offset, limit=limit
    )
    return found.to_dict()


class RiskIn(Schema):
    probability: float = Field(description="0 to 1, per trial")
    extra_low: int
    extra_high: int


class ForecastIn(Schema):
    history: list[int] = Field(description="Items completed per week, oldest first")
    remaining: int
    remaining_high: int | None = None
    split: tuple[float, float] | None = Field(None, description="Growth factors, low and high")
    risks: list[RiskIn] = []
    trials: int = Field(forecasts.TRIALS, description=f"1 to {API_MAX_TRIALS:,}")
    seed: int | None = None
    start: dt.date | None = Field(None, description="Default: the Monday of this week")
    target: dt.date | None = None


class CompletionOut(EngineOut):
    pass


@router.post(
    "/forecasts",
    response={200: CompletionOut, **crud.ERRORS},
    summary="An ad hoc forecast from a weekly history",
    operation_id="forecast_create",
)
def forecast_create(request: HttpRequest, payload: ForecastIn):
    _allowed(request)
    if not 1 <= payload.trials <= API_MAX_TRIALS:
        raise ValidationError({"trials": f"From 1 to {API_MAX_TRIALS:,} through the API."})
    try:
        result = forecasting.forecast_completion(
            history=payload.history,
            remaining=payload.remaining,
            remaining_high=payload.remaining_high,
            split=payload.split,
            risks=[
                forecasting.Risk(r.probability, r.extra_low, r.extra_high) for r in payload.risks
            ],
            trials=payload.trials,
            seed=payload.seed,
            start=payload.start or forecasts.forecast_start(timezone.localdate()),
            target=payload.target,
        )
    except forecasting.ForecastError as exc:
        # The engine names its argument first ("history[3]: ..."); the API names fields so.
        name, _, rest = str(exc).partition(": ")
        raise ValidationError({name: rest or str(exc)}) from exc
    return result.to_dict()
