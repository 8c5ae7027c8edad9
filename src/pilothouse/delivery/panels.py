"""What delivery shows on other apps' pages: the team panel on a feature's page and the
delivery forecast on a release's and an initiative's page (through core.panels, so the
roadmap and strategy know nothing of teams), and the pages of its objects for the change
log's links. Registered by DeliveryConfig.ready()."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from pilothouse.core import panels
from pilothouse.core.views import register_object_page
from pilothouse.delivery import charts, demand, forecasts, queues, selectors
from pilothouse.delivery.models import (
    CapacityPeriod,
    FeatureAssignment,
    Team,
    TeamMember,
    TimeOff,
    WorkItem,
)
from pilothouse.roadmap.models import Feature, Release
from pilothouse.strategy.models import Initiative

# The forecast panel links this many remaining features; the count says the rest.
FEATURES_SHOWN = 20


def team_context(request: HttpRequest, feature: Feature) -> dict | None:
    """The feature's team, its place in the queue, and the status of the team's periods
    it is planned in (the current period if it is not scheduled). Left out (None) while
    the feature is in no team's queue. Two queries."""
    place = queues.queue_place(feature_id=feature.pk)
    if place is None:
        return None
    today = timezone.localdate()
    mine = next((f for f in place.planned if f.feature_id == feature.pk), None)
    window = demand.planned_window(mine, today=today) if mine is not None else None
    start, end = window or (today, today)
    figures = selectors.team_figures_between(
        team_id=place.team_id, start=start, end=end, today=today, planned=place.planned
    )
    return {
        "team_id": place.team_id,
        "team_name": place.team_name,
        "position": place.position,
        "window": window,
        "figures": figures,
        "no_estimate": feature.effort_low is None or feature.effort_high is None,
    }


def _forecast_context(request: HttpRequest, found_for, obj, noun: str) -> dict:
    """The forecast panel of a release or an initiative, with the split rate of the
    page's query (?split_low=&split_high=); a bad one is named and left out."""
    low, high = request.GET.get("split_low", ""), request.GET.get("split_high", "")
    split_error = None
    try:
        split = forecasts.parse_split(low, high)
    except ValidationError as exc:
        split, split_error = (
            None,
            "; ".join(
                f"{name}: {' '.join(messages)}" for name, messages in exc.message_dict.items()
            ),
        )
    found = found_for(obj, today=timezone.localdate(), split=split)
    chart = None
    if found.forecast is not None:
        spec = charts.forecast_spec(found.forecast, target_passed=found.target_passed)
        chart = charts.svg(spec)
    return {
        "found": found,
        "noun": noun,
        "chart": chart,
        "split_low": low,
        "split_high": high,
        "split_error": split_error,
        "shown_features": found.features[:FEATURES_SHOWN],
        "hidden_features": max(0, found.remaining - FEATURES_SHOWN),
        "history_weeks": forecasts.HISTORY_WEEKS,
    }


def release_forecast_context(request: HttpRequest, release: Release) -> dict:
    """Four queries (delivery.forecasts.release_forecast)."""
    return _forecast_context(
        request,
        lambda obj, **kw: forecasts.release_forecast(release=obj, **kw),
        release,
        "release",
    )


def initiative_forecast_context(request: HttpRequest, initiative: Initiative) -> dict:
    """Four queries (delivery.forecasts.initiative_forecast)."""
    return _forecast_context(
        request,
        lambda obj, **kw: forecasts.initiative_forecast(initiative=obj, **kw),
        initiative,
        "initiative",
    )


def _team_page(team_id: int) -> str:
    return reverse("delivery:team_detail", args=[team_id])


def register() -> None:
    panels.register(
        Feature,
        key="team",
        title="Delivery team",
        template="delivery/panels/team.html",
        context=team_context,
        order=60,
    )
    for model, context in (
        (Release, release_forecast_context),
        (Initiative, initiative_forecast_context),
    ):
        panels.register(
            model,
            key="forecast",
            title="Delivery forecast",
            template="delivery/panels/forecast.html",
            context=context,
            order=60,
        )
    register_object_page(Team, lambda team: _team_page(team.pk))
    for model in (TeamMember, CapacityPeriod, FeatureAssignment, WorkItem):
        register_object_page(model, lambda obj: _team_page(obj.team_id))
    register_object_page(TimeOff, lambda _away: reverse("delivery:team_list"))
