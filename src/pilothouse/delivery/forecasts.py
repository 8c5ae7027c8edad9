"""Delivery forecasts of releases, initiatives and team queues: the reads that feed the
forecasting engine (engines/forecasting) and what its answers mean here.

A forecast is computed when it is read, never stored: it follows the data as soon as a
feature is done, moved or assigned. Its seed is fixed per object, so a page shows the
same figures on every reload while the data is unchanged. Each read costs a fixed
number of queries (the remaining features with their teams, two for the throughput,
the queue positions; without a queued feature, the teams of the products instead of the
positions).

The unit: every remaining feature counts as one item, and the history is the teams'
throughput, which counts completed features *and* work items (delivery.selectors). A
team whose throughput is mostly smaller work items finishes "items" faster than
features: a split rate (`split=(low, high)`) says how many items one feature makes.
See docs/forecasting.md, "In the app".
"""

from __future__ import annotations

import datetime as dt
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError

from pilothouse.delivery import queues, selectors, workdays
from pilothouse.delivery.forecast_scopes import (
    RemainingFeature,
    TeamRef,
    TeamScope,
    summed,
    team_scopes,
)
from pilothouse.delivery.models import FeatureAssignment, Team
from pilothouse.engines import forecasting
from pilothouse.engines.forecasting import CompletionForecast, ForecastError
from pilothouse.roadmap.models import Feature, Release
from pilothouse.strategy.models import Initiative

# Weeks of history a forecast samples: half a year is recent enough to reflect the
# team as it is and long enough to include slow weeks (holidays, incidents).
HISTORY_WEEKS = 26
TRIALS = 10_000
# Split rates: the engine's bounds, checked here so that a bad value is named by its
# query parameter.
MAX_SPLIT = 10.0
# Probability of hitting the target: at or above LIKELY the plan is safe to promise
# (P85 is how plans are made), at or above AT_RISK it is a coin toss or better.
LIKELY, AT_RISK = 0.85, 0.50


def seed_of(kind: str, pk: int) -> int:
    """The same seed for the same object: reloading a page redraws nothing."""
    return zlib.crc32(f"{kind}:{pk}".encode())


def forecast_start(today: dt.date) -> dt.date:
    """The Monday of today's week. The history ends with last week (the current week is
    not over, so its count would understate it); as on the command line, the forecast
    starts the week after the last history week."""
    return workdays.week_start(today)


def history_window(today: dt.date, weeks: int = HISTORY_WEEKS) -> tuple[dt.date, dt.date]:
    """The (first, last) Mondays of the `weeks` whole weeks before today's week."""
    last = forecast_start(today) - dt.timedelta(weeks=1)
    return last - dt.timedelta(weeks=weeks - 1), last


def parse_split(low: object, high: object) -> tuple[float, float] | None:
    """A split-rate range from two optional values (query parameters `split_low` and
    `split_high`); a bad one raises ValidationError naming its parameter."""
    if low in (None, "") and high in (None, ""):
        return None
    values = {}
    for name, value in (("split_low", low), ("split_high", high)):
        if value in (None, ""):
            raise ValidationError({name: "Give both ends of the split rate (e.g. 1 and 1.5)."})
        try:
            number = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise ValidationError({name: f"{value!r} is not a number."}) from None
        if not 1 <= number <= MAX_SPLIT:
            raise ValidationError(
                {
                    name: f"A split rate is from 1 to {MAX_SPLIT:g} items per feature "
                    f"(1.5 means a feature makes 1.5 items), got {value}."
                }
            )
        values[name] = number
    if values["split_high"] < values["split_low"]:
        raise ValidationError({"split_high": "The high end is below the low end."})
    return values["split_low"], values["split_high"]


def likelihood(probability: float | None) -> tuple[str, str] | None:
    """(CSS status, word) of a probability of hitting the target, so that colour is
    never the only sign."""
    if probability is None:
        return None
    if probability >= LIKELY:
        return "ok", "Likely"
    if probability >= AT_RISK:
        return "at_risk", "At risk"
    return "over_committed", "Unlikely"


@dataclass
class DeliveryForecast:
    """A release's or an initiative's forecast, or the reason there is none."""

    kind: str
    pk: int
    features: list[RemainingFeature]
    teams: list[TeamRef]
    teams_from_products: bool  # no feature had a team: the products' teams are used
    history: list[selectors.Week]
    start: dt.date
    target: dt.date | None
    split: tuple[float, float] | None
    forecast: CompletionForecast | None = None
    reason: str | None = None
    notes: list[str] = field(default_factory=list)
    scopes: list[TeamScope] = field(default_factory=list)  # simulated side by side

    @property
    def remaining(self) -> int:
        return len(self.features)

    @property
    def unassigned(self) -> int:
        return sum(1 for feature in self.features if feature.team_id is None)

    @property
    def history_weeks(self) -> int:
        return len(self.history)

    @property
    def history_total(self) -> int:
        return sum(week.count for week in self.history)

    @property
    def target_passed(self) -> bool:
        return self.target is not None and self.target < self.start

    @property
    def probability(self) -> float | None:
        if self.forecast is None or self.target is None:
            return None
        if self.target_passed:
            return 0.0  # work is left and the date is gone
        return self.forecast.probability_by_target

    @property
    def likelihood(self) -> tuple[str, str] | None:
        return likelihood(self.probability)

    def to_dict(self) -> dict[str, Any]:
        engine = (
            self.forecast.to_dict()
            if self.forecast is not None
            else {"trials": None, "percentiles": None, "probability_by_target": None}
            | {"histogram": []}
        )
        engine["probability_by_target"] = self.probability
        return engine | {
            "remaining": self.remaining,
            "unassigned": self.unassigned,
            "teams": [{"id": team.pk, "name": team.name} for team in self.teams],
            "teams_from_products": self.teams_from_products,
            "history_weeks": self.history_weeks,
            "history": [{"week": w.start.isoformat(), "count": w.count} for w in self.history],
            "start": self.start.isoformat(),
            "target": self.target.isoformat() if self.target else None,
            "target_passed": self.target_passed,
            "split": list(self.split) if self.split else None,
            "features": [
                {"id": f.pk, "title": f.title, "team_id": f.team_id} for f in self.features
            ],
            "notes": self.notes,
            "reason": self.reason,
            "scopes": [
                {
                    "team_id": lane.team.pk if lane.team else None,
                    "name": lane.team.name if lane.team else None,
                    "scope": lane.scope,
                    "features": lane.features,
                    "history_total": lane.history_total,
                    "text": lane.text,
                }
                for lane in self.scopes
            ],
        }


def _reason(exc: ForecastError) -> str:
    """The engine's refusal as the page says it: without the argument's name, which
    means nothing here, and without repeating that there is no forecast."""
    message = str(exc).partition(": ")[2] or str(exc)
    if message.startswith("no forecast is possible"):
        message = message.partition(": ")[2] or message
    return f"No forecast: {message}."


def _remaining(features) -> list[tuple[RemainingFeature, int, str | None]]:
    """The not-done features of a queryset (delivery's "done" rule: released, measured,
    rejected or completed), each with its product and its team's name. One query."""
    rows = (
        features.filter(completed_on=None)
        .exclude(stage__in=selectors.DONE_STAGES)
        .order_by("title", "pk")
        .values_list("pk", "title", "assignment__team_id", "product_id", "assignment__team__name")
    )
    return [
        (RemainingFeature(pk=pk, title=title, team_id=team), product, team_name)
        for pk, title, team, product, team_name in rows
    ]


def _idle_reason(result: DeliveryForecast) -> str | None:
    """Why there is no forecast when a team to simulate has completed nothing in the
    history weeks (it would never be done), naming the teams; None when none is idle."""
    if result.teams_from_products:
        if result.history_total:
            return None
        who = "no team" if len(result.teams) > 1 else result.teams[0].name
        verb = "has"
    else:
        idle = [lane.team.name for lane in result.scopes if lane.team and not lane.history_total]
        if not idle:
            return None
        who = " and ".join([", ".join(idle[:-1]), idle[-1]] if len(idle) > 1 else idle)
        verb = "has" if len(idle) == 1 else "have"
    return (
        f"No forecast: {who} {verb} completed nothing in the last {HISTORY_WEEKS} weeks, "
        "and a forecast samples past weeks."
    )


def _scope_forecast(
    *,
    kind: str,
    pk: int,
    noun: str,
    rows: list[tuple[RemainingFeature, int, str | None]],
    fallback_product_ids: set[int],
    target: dt.date | None,
    today: dt.date,
    split: tuple[float, float] | None,
) -> DeliveryForecast:
    """Every team holding some of the features is simulated from its own history, up
    to the deepest of them in its queue (the features ahead of it come first); the
    scope is done in the week the last team is."""
    features = [feature for feature, _, _ in rows]
    queued = {(f.team_id, name) for f, _, name in rows if f.team_id is not None}
    from_products = not queued
    if from_products:
        product_ids = {product for _, product, _ in rows} or fallback_product_ids
        teams_qs = Team.objects.filter(products__in=product_ids).distinct()
        found = teams_qs.order_by("name", "pk").values_list("pk", "name")
    else:  # the teams came with the features
        found = sorted(queued, key=lambda team: (team[1], team[0]))
    teams = [TeamRef(pk=p, name=n) for p, n in found]
    first, last = history_window(today)
    series = selectors.throughput(team_ids=[t.pk for t in teams], first=first, last=last)
    history = summed(series, first, last)
    result = DeliveryForecast(
        kind=kind,
        pk=pk,
        features=features,
        teams=teams,
        teams_from_products=from_products and bool(teams),
        history=history if teams else [],
        start=forecast_start(today),
        target=target,
        split=split,
    )
    if not features:
        result.reason = f"Nothing to forecast: no feature of this {noun} is left to do."
        return result
    if not teams:
        result.reason = (
            f"No forecast: no feature of this {noun} is in a team's queue, and no team "
            "works on its products."
        )
        return result
    result.scopes = team_scopes(
        features=features,
        teams=teams,
        series=series,
        summed_weeks=history,
        noun=noun,
        from_products=from_products,
    )
    if from_products:
        result.notes.append(
            f"No feature of this {noun} is in a team's queue: forecast with the throughput "
            "of the teams working on its products."
        )
    elif result.unassigned:
        n = result.unassigned
        result.notes.append(
            f"{n} feature{'s have' if n != 1 else ' has'} no team: forecast with the same "
            "teams' throughput."
        )
    result.reason = _idle_reason(result)
    if result.reason is not None:
        return result
    try:
        result.forecast = forecasting.forecast_parallel(
            histories=[lane.history for lane in result.scopes],
            scopes=[lane.scope for lane in result.scopes],
            split=split,
            trials=TRIALS,
            seed=seed_of(kind, pk),
            start=result.start,
            target=target if target is not None and not result.target_passed else None,
        )
    except ForecastError as exc:  # e.g. more than 20 years away at this pace
        result.reason = _reason(exc)
    return result


def release_forecast(
    *, release: Release, today: dt.date, split: tuple[float, float] | None = None
) -> DeliveryForecast:
    """When the release's remaining features are done, each team reaching the deepest
    of them in its queue at its own pace; the target is its target date. Four queries."""
    return _scope_forecast(
        kind="release",
        pk=release.pk,
        noun="release",
        rows=_remaining(Feature.objects.filter(target_release_id=release.pk)),
        fallback_product_ids={release.product_id},
        target=release.target_date,
        today=today,
        split=split,
    )


def initiative_forecast(
    *, initiative: Initiative, today: dt.date, split: tuple[float, float] | None = None
) -> DeliveryForecast:
    """When the initiative's remaining features are done, as a release's; the target is
    its end date. Four queries."""
    return _scope_forecast(
        kind="initiative",
        pk=initiative.pk,
        noun="initiative",
        rows=_remaining(Feature.objects.filter(initiative_id=initiative.pk)),
        fallback_product_ids=set(),
        target=initiative.end_date,
        today=today,
        split=split,
    )


# --- a team's queue -------------------------------------------------------------------


@dataclass(frozen=True)
class QueueItem:
    """A not-done feature of the queue at `position` (as the team page numbers it), and
    its forecast: done when the team's items cover it and every feature before it.
    `beyond_horizon`: not done within the engine's horizon (20 years) at the team's
    pace in too many trials to name a date, so no forecast."""

    assignment: FeatureAssignment
    position: int
    target: dt.date | None
    forecast: CompletionForecast | None
    beyond_horizon: bool = False

    @property
    def p50(self):
        return self.forecast.percentiles[50] if self.forecast else None

    @property
    def p85(self):
        return self.forecast.percentiles[85] if self.forecast else None

    @property
    def probability(self) -> float | None:
        if self.forecast is None or self.target is None:
            return None
        return self.forecast.probability_by_target if self.forecast.target else 0.0

    @property
    def likelihood(self) -> tuple[str, str] | None:
        return likelihood(self.probability)


@dataclass
class QueueForecast:
    """Forecasts of consecutive not-done features of a team's queue (`items`), out of
    `count` not done in all. `beyond_horizon_from`: the position from which on the
    features are beyond the forecast horizon (None: every item has a forecast, or the
    first such position lies past the items)."""

    team: Team
    items: list[QueueItem]
    history: list[selectors.Week]
    start: dt.date
    count: int = 0
    reason: str | None = None
    beyond_horizon_from: int | None = None

    @property
    def by_assignment(self) -> dict[int, QueueItem]:
        return {item.assignment.pk: item for item in self.items}

    def to_dict(self) -> dict[str, Any]:
        return {
            "team_id": self.team.pk,
            "teams": [{"id": self.team.pk, "name": self.team.name}],
            "count": self.count,
            "remaining": self.count,
            "history_weeks": len(self.history),
            "history": [{"week": w.start.isoformat(), "count": w.count} for w in self.history],
            "start": self.start.isoformat(),
            "reason": self.reason,
            "beyond_horizon_from": self.beyond_horizon_from,
            "items": [
                {
                    "position": item.position,
                    "feature_id": item.assignment.feature_id,
                    "title": item.assignment.feature.title,
                    "target": item.target.isoformat() if item.target else None,
                    **(
                        item.forecast.to_dict()
                        if item.forecast
                        else {"trials": None, "percentiles": None, "histogram": []}
                    ),
                    "probability_by_target": item.probability,
                    "beyond_horizon": item.beyond_horizon,
                }
                for item in self.items
            ],
        }


def _askable(target: dt.date, start: dt.date) -> bool:
    """Whether the engine takes the date (from the start to 20 years after it)."""
    return start <= target and (target - start).days <= 7 * forecasting.HORIZON_WEEKS


def is_done(feature: Feature) -> bool:
    return feature.completed_on is not None or feature.stage in selectors.DONE_STAGES


# The engine names the first queue position it cannot forecast within its horizon.
_BEYOND_HORIZON = re.compile(r"^sizes\[(\d+)\]: no forecast is possible")


def _positions_forecast(
    *,
    history: list[int],
    ahead: int,
    targets: list[dt.date | None],
    start: dt.date,
    seed: int,
) -> tuple[list[CompletionForecast | None], int | None]:
    """The forecasts of len(targets) consecutive queue positions after `ahead` others,
    and the index of the first one beyond the horizon (None: none is); that one and
    those after it have no forecast.

    One item per feature, so position k is done when ahead + k + 1 items are: the first
    size carries the features ahead, and only the asked positions are simulated. The
    engine's answer for a position depends only on that count and the seed, so a slice
    agrees with the whole queue."""
    sizes = [ahead + 1] + [1] * (len(targets) - 1)
    try:
        return list(
            forecasting.forecast_queue(
                history=history,
                sizes=sizes,
                start=start,
                trials=TRIALS,
                seed=seed,
                targets=targets,
            )
        ), None
    except ForecastError as exc:
        refused = _BEYOND_HORIZON.match(str(exc))
        if refused is None:
            raise
        first = int(refused.group(1))
    kept: list[CompletionForecast | None] = []
    if first:
        kept = list(
            forecasting.forecast_queue(
                history=history,
                sizes=sizes[:first],
                start=start,
                trials=TRIALS,
                seed=seed,
                targets=targets[:first],
            )
        )
    return kept + [None] * (len(targets) - first), first


def forecast_pending(
    *,
    team: Team,
    today: dt.date,
    rows: Sequence[FeatureAssignment],
    ahead: int,
    count: int,
    history: Sequence[selectors.Week] | None = None,
) -> QueueForecast:
    """Forecasts of `rows`, consecutive not-done features of the team's queue (each with
    its `position`) that follow `ahead` other not-done ones, out of `count` not done in
    all. Each feature counts as one item; its target is its release's date. The history
    is read (two queries) unless given: the team's weeks of `history_window(today)`."""
    if history is None:
        first, last = history_window(today)
        history = selectors.throughput(team_ids=[team.pk], first=first, last=last)[team.pk]
    start = forecast_start(today)
    result = QueueForecast(team=team, items=[], history=list(history), start=start, count=count)
    targets = []
    for assignment in rows:
        release = assignment.feature.target_release
        targets.append(release.target_date if release is not None else None)
    if not count:
        result.reason = "Nothing to forecast: no feature in the queue is left to do."
    elif not any(week.count for week in history):
        result.reason = (
            f"No forecast: {team.name} has completed nothing in the last {HISTORY_WEEKS} "
            "weeks, and a forecast samples past weeks."
        )
    forecasts: list[CompletionForecast | None] = [None] * len(rows)
    beyond: int | None = None
    if result.reason is None and rows:
        forecasts, beyond = _positions_forecast(
            history=[week.count for week in history],
            ahead=ahead,
            # A date already past is answered 0 % by QueueItem, not asked of the engine.
            targets=[t if t is not None and _askable(t, start) else None for t in targets],
            start=start,
            seed=seed_of("team", team.pk),
        )
    if beyond is not None:
        result.beyond_horizon_from = rows[beyond].position
    for index, assignment in enumerate(rows):
        result.items.append(
            QueueItem(
                assignment=assignment,
                position=assignment.position,
                target=targets[index],
                forecast=forecasts[index],
                beyond_horizon=beyond is not None and index >= beyond,
            )
        )
    return result


def queue_forecast(
    *, team: Team, today: dt.date, offset: int = 0, limit: int | None = None
) -> QueueForecast:
    """Forecasts of the team's not-done queued features in queue order, from the one
    after the first `offset` on, `limit` of them (None: all). One simulation serves them
    all (so a later position is never forecast sooner), run up to the last one asked
    for only. Three queries: the slice of the queue, two for the history."""
    found = queues.pending_queue(team=team, offset=offset, limit=limit)
    return forecast_pending(
        team=team, today=today, rows=found.rows, ahead=offset, count=found.pending
    )


# --- a team's history, for the command line -------------------------------------------


def team_history(*, team: Team, today: dt.date, weeks: int) -> list[tuple[dt.date, int]]:
    """The team's completed items per week, the `weeks` whole weeks before today's,
    oldest first, as the engine's backtest takes them. Two queries."""
    if not 1 <= weeks <= selectors.MAX_THROUGHPUT_WEEKS:
        raise ValidationError(
            {"weeks": f"From 1 to {selectors.MAX_THROUGHPUT_WEEKS} weeks (five years)."}
        )
    first, last = history_window(today, weeks)
    series = selectors.throughput(team_ids=[team.pk], first=first, last=last)[team.pk]
    return [(week.start, week.count) for week in series]
