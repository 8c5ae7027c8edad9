"""The demo's scenarios: one written by hand (more capacity for the busiest team next
quarter, one feature dropped) and what the auto-planner proposes for the next four
quarters (first keeping the committed dates; if they cannot all be met, as in the
demo's data, again without them). Built through the services, so both show in the
change log."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count

from pilothouse.delivery import workdays
from pilothouse.delivery.models import FeatureAssignment, Team
from pilothouse.prioritization.models import ScoringModel
from pilothouse.scenarios import comparison, selectors, services
from pilothouse.scenarios.models import AutoPlanRun, Scenario

QUARTERS = 4
# A short limit keeps `pilothouse demo` (and the tests that build it) quick; the run then
# usually stops at the limit with a small gap, which the result page explains. One worker
# and a fixed seed; a run stopped by the clock may still differ from build to build.
TIME_LIMIT_S = 1.0
PLANNED_TEAMS = 4
EXTRA_CAPACITY = 1.25


@dataclass(frozen=True)
class ScenarioDemo:
    scenarios: int
    auto_plan_runs: int


def _next_quarter(today: dt.date) -> dt.date:
    current_end = workdays.period_containing(today, workdays.QUARTER)[1]
    return current_end + dt.timedelta(days=1)


def create_scenarios(*, today: dt.date) -> ScenarioDemo:
    first = _next_quarter(today)
    model = ScoringModel.objects.filter(product__isnull=True).order_by("pk").first()
    horizon = {"granularity": "quarter", "first_period": first, "period_count": QUARTERS}
    scenario = services.scenario.create(
        actor=None,
        data={
            "name": "A contractor for the busiest team",
            "description": "A quarter of extra capacity where demand is highest, and the "
            "least valuable planned feature left for later.",
            "scoring_model": model,
            **horizon,
        },
    )
    _hand_changes(scenario, today=today)
    # The teams with the longest queues: at the large scale, planning all 34 teams'
    # thousands of features would not find a plan within a short limit.
    busiest = list(
        Team.objects.annotate(queued=Count("assignments"))
        .order_by("-queued", "pk")
        .values_list("pk", flat=True)[:PLANNED_TEAMS]
    )
    run = services.auto_plan_run(
        actor=None,
        data={**horizon, "scoring_model": model, "time_limit_s": TIME_LIMIT_S},
        team_ids=busiest,
        today=today,
        workers=1,
    )
    if run.scenario is None:  # committed dates that cannot all be met: plan without them
        services.auto_plan_run(
            actor=None,
            data={
                **horizon,
                "scoring_model": model,
                "time_limit_s": TIME_LIMIT_S,
                "keep_committed_dates": False,
            },
            team_ids=busiest,
            today=today,
            workers=1,
        )
    return ScenarioDemo(
        scenarios=Scenario.objects.count(), auto_plan_runs=AutoPlanRun.objects.count()
    )


def _hand_changes(scenario: Scenario, *, today: dt.date) -> None:
    figures = comparison.compare(scenario=scenario, today=today).live
    busiest = max(
        (row for row in figures.teams if not row.added),
        key=lambda row: (row.cells[0].low - row.cells[0].capacity, row.name),
        default=None,
    )
    if busiest is None:
        return
    cell = busiest.cells[0]
    services.scenario_change.create(
        actor=None,
        data={
            "scenario": scenario,
            "kind": "change_capacity",
            "team": Team.objects.get(pk=busiest.key),
            "period_start": cell.period.start,
            "person_weeks": Decimal(f"{cell.capacity * EXTRA_CAPACITY:.1f}"),
        },
    )
    live = selectors.live_plan(periods=scenario.periods(), today=today)
    values = selectors.feature_values(scoring_model=scenario.scoring_model, feature_ids=live.items)
    delivered = [
        (values.get(pk) or 0.0, pk)
        for pk, item in live.items.items()
        if item.team == busiest.key and live.period_of(item, today=today) is not None
    ]
    if delivered:
        _, pk = min(delivered)
        services.scenario_change.create(
            actor=None,
            data={
                "scenario": scenario,
                "kind": "drop_feature",
                "feature": FeatureAssignment.objects.get(feature_id=pk).feature,
            },
        )
