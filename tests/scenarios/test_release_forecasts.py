"""Release forecasts of a comparison count the teams' queues as the release page does:
the live side is the page's own forecast, a drop ahead in a queue brings a release
forward, a feature moved to another team joins the end of its queue, and the features
in no queue make one more lane."""

from __future__ import annotations

import datetime as dt

import pytest

from pilothouse.delivery import forecasts as delivery_forecasts
from pilothouse.delivery import queues as delivery_queues
from pilothouse.delivery import services as delivery_services
from pilothouse.delivery.models import FeatureAssignment, Team, WorkItem
from pilothouse.engines import forecasting
from pilothouse.scenarios import comparison, plan, selectors, services
from pilothouse.scenarios.models import ScenarioChange
from tests.factories import FeatureFactory
from tests.scenarios.world import Q2, TODAY

pytestmark = pytest.mark.django_db

MONDAY = TODAY - dt.timedelta(days=TODAY.weekday())


def change(world, **data):
    return services.scenario_change.create(actor=None, data={"scenario": world.scenario, **data})


def queued(world, team, rank, **fields):
    """A feature of the world's product in `team`'s queue at `rank`."""
    feature = FeatureFactory(product=world.f1.product, effort_low=1, effort_high=1, **fields)
    FeatureAssignment.objects.create(feature=feature, team=team, queue_rank=rank)
    return feature


def team_with_history(name: str, weekly: list[int]) -> Team:
    """A team that completed weekly[i] items i + 1 weeks before today's week."""
    team = Team.objects.create(name=name)
    for week, count in enumerate(weekly, start=1):
        for n in range(count):
            WorkItem.objects.create(
                team=team, title=f"w{week}.{n}", completed_on=MONDAY - dt.timedelta(weeks=week)
            )
    return team


def forecasts(world, *, changed_only=False):
    """{release id: (live row, scenario row)}."""
    result = comparison.compare(scenario=world.scenario, today=TODAY)
    ids = result.release_ids(changed_only=changed_only)
    pairs = comparison.release_forecasts(result, release_ids=ids, today=TODAY)
    return {(live or mine).release_id: (live, mine) for live, mine in pairs}


def page_p85(release) -> dt.date:
    found = delivery_forecasts.release_forecast(release=release, today=TODAY)
    return found.forecast.percentiles[85].date


def test_the_live_side_is_the_release_pages_forecast(plan_world, monkeypatch):
    """R1 behind other work in two teams, with a feature in no queue: the comparison
    asks the engine what the release page asks it, lane for lane, seed and trials."""
    atlas = team_with_history("Atlas", [week % 4 for week in range(26)])
    for rank in range(12):  # twelve features ahead, none of them read by the comparison
        queued(plan_world, atlas, rank)
    queued(plan_world, atlas, 20, target_release=plan_world.r1)
    FeatureFactory(product=plan_world.f1.product, target_release=plan_world.r1)  # no queue
    asked = []
    engine = forecasting.forecast_parallel

    def spied(**kwargs):
        asked.append({name: kwargs[name] for name in ("scopes", "trials", "seed", "start")})
        asked[-1]["histories"] = [list(history) for history in kwargs["histories"]]
        return engine(**kwargs)

    monkeypatch.setattr(forecasting, "forecast_parallel", spied)
    (live, same) = forecasts(plan_world)[plan_world.r1.pk]
    assert same == live  # no change
    page = delivery_forecasts.release_forecast(release=plan_world.r1, today=TODAY)
    assert [(lane.team.name if lane.team else None, lane.scope) for lane in page.scopes] == [
        ("Atlas", 13),
        ("Payments", 1),
        (None, 1),
    ]
    mine, theirs = asked
    assert mine == theirs
    assert mine["scopes"] == [13, 1, 1]
    assert mine["seed"] == delivery_forecasts.seed_of("release", plan_world.r1.pk)
    assert live.remaining == page.remaining == 3
    assert live.p85 == page.forecast.percentiles[85].date
    # Counting R1's own three items at the summed pace, as before, says much sooner.
    own = engine(histories=[mine["histories"][-1]], scopes=[3], trials=2000, seed=0, start=MONDAY)
    assert own.percentiles[85].date < live.p85


def test_positions_are_the_queues_own(plan_world):
    """Numbered over the whole queue: done features do not count, features the
    comparison does not read do."""
    FeatureAssignment.objects.filter(feature=plan_world.f1).update(queue_rank=10)
    done = queued(plan_world, plan_world.team, 0.5, stage="released")
    unread = queued(plan_world, plan_world.team, 0.7)  # no release, no column: not read
    late = queued(plan_world, plan_world.team, 11, target_release=plan_world.r2)
    live = selectors.live_plan(
        periods=plan_world.scenario.periods(), today=TODAY, comparing=plan_world.scenario
    )
    assert done.pk not in live.items
    assert unread.pk not in live.items
    ids = [plan_world.f1.pk, plan_world.f2.pk, late.pk]
    expected = delivery_queues.pending_positions(team_ids=[plan_world.team.pk], feature_ids=ids)
    assert expected == {plan_world.f2.pk: 2, plan_world.f1.pk: 4, late.pk: 5}
    assert {pk: live.queues.positions[pk] for pk in ids} == expected
    assert live.queues.lengths[plan_world.team.pk] == 5  # F1, F2, F3, unread, late


def test_dropping_a_feature_ahead_brings_a_release_forward(plan_world):
    # F4 of R2 is fourth in Payments' queue (after F1, F2, F3), at one item a week.
    f4 = queued(plan_world, plan_world.team, 5, target_release=plan_world.r2)
    (live, _) = forecasts(plan_world)[plan_world.r2.pk]
    assert live.p85 == dt.date(2027, 2, 7) == page_p85(plan_world.r2)
    # F3 is read by no comparison (no release, no column), yet F4 comes a week sooner.
    change(plan_world, kind="drop_feature", feature=plan_world.f3)
    (live, mine) = forecasts(plan_world, changed_only=True)[plan_world.r2.pk]
    assert (live.p85, mine.p85) == (dt.date(2027, 2, 7), dt.date(2027, 1, 31))
    assert mine.remaining == live.remaining == 1
    change(plan_world, kind="drop_feature", feature=plan_world.f2)
    (_, mine) = forecasts(plan_world)[plan_world.r2.pk]
    assert mine.p85 == dt.date(2027, 1, 24)
    # A drop behind it changes nothing: R2 is forecast alike.
    ScenarioChange.objects.all().delete()
    behind = queued(plan_world, plan_world.team, 9)
    change(plan_world, kind="drop_feature", feature=behind)
    assert plan_world.r2.pk not in forecasts(plan_world, changed_only=True)
    assert f4.pk  # F4 stays in the plan throughout


def test_a_drop_ahead_never_makes_a_release_later(plan_world):
    """Uneven paces in two teams: whatever is dropped ahead, never later."""
    atlas = team_with_history("Atlas", [(3 * week) % 5 for week in range(26)])
    ahead = [queued(plan_world, atlas, rank) for rank in range(6)]
    queued(plan_world, atlas, 10, target_release=plan_world.r2)
    queued(plan_world, plan_world.team, 10, target_release=plan_world.r2)
    (live, _) = forecasts(plan_world)[plan_world.r2.pk]
    assert live.p85 == page_p85(plan_world.r2)
    dates = [live.p85]
    for feature in (*ahead, plan_world.f2):
        change(plan_world, kind="drop_feature", feature=feature)
        (_, mine) = forecasts(plan_world)[plan_world.r2.pk]
        dates.append(mine.p85)
    assert dates == sorted(dates, reverse=True)
    assert dates[-1] < dates[0]


def test_a_feature_moved_to_another_team_joins_the_end_of_its_queue(plan_world):
    mobile = team_with_history("Mobile", [1] * 26)
    queued(plan_world, mobile, 0)
    queued(plan_world, mobile, 1)
    f4 = queued(plan_world, plan_world.team, 5, target_release=plan_world.r2)
    f5 = queued(plan_world, plan_world.team, 6, target_release=plan_world.r2)
    (live, _) = forecasts(plan_world)[plan_world.r2.pk]
    assert live.p85 == dt.date(2027, 2, 14) == page_p85(plan_world.r2)  # F5 fifth
    change(plan_world, kind="move_feature", feature=f4, period_start=Q2, team=mobile)
    periods = plan_world.scenario.periods()
    live_plan = selectors.live_plan(periods=periods, today=TODAY, comparing=plan_world.scenario)
    changed = plan.applied(live_plan, selectors.change_specs_of(scenario=plan_world.scenario))
    # F4 is third in Mobile's queue; F5 moves up to fourth in Payments'.
    assert changed.queues.position(changed.items[f4.pk]) == 3
    assert changed.queues.position(changed.items[f5.pk]) == 4
    (_, mine) = forecasts(plan_world, changed_only=True)[plan_world.r2.pk]
    assert mine.p85 == dt.date(2027, 2, 7)  # Payments' four items come last
    # Moved to a period only, a feature keeps its place.
    ScenarioChange.objects.all().delete()
    change(plan_world, kind="move_feature", feature=f5, period_start=Q2)
    changed = plan.applied(live_plan, selectors.change_specs_of(scenario=plan_world.scenario))
    assert changed.queues.position(changed.items[f5.pk]) == 5


def test_features_in_no_queue_are_one_more_lane(plan_world, monkeypatch):
    alone = FeatureFactory(product=plan_world.f1.product, target_release=plan_world.r1)
    FeatureFactory(product=plan_world.f1.product, target_release=plan_world.r1, stage="released")
    scopes = []
    engine = forecasting.forecast_parallel

    def counted(**kwargs):
        scopes.append(list(kwargs["scopes"]))
        return engine(**kwargs)

    monkeypatch.setattr(forecasting, "forecast_parallel", counted)
    (live, _) = forecasts(plan_world)[plan_world.r1.pk]
    assert (live.remaining, scopes) == (2, [[1, 1]])  # Payments' F1, then the one alone
    assert live.p85 == page_p85(plan_world.r1)
    change(plan_world, kind="drop_feature", feature=alone)
    (live, mine) = forecasts(plan_world, changed_only=True)[plan_world.r1.pk]
    assert (live.remaining, mine.remaining) == (2, 1)
    assert scopes[-1] == [1]


def test_each_teams_capacity_scales_its_own_lane(plan_world):
    atlas = team_with_history("Atlas", [1] * 26)
    for start in (dt.date(2027, 1, 1), Q2):
        delivery_services.capacity_period.create(
            actor=None,
            data={"team": atlas, "granularity": "quarter", "start": start, "person_weeks": 10},
        )
    queued(plan_world, atlas, 0, target_release=plan_world.r1)
    queued(plan_world, atlas, 1, target_release=plan_world.r1)
    # Live: Payments 1 item, Atlas 2: two weeks.
    (live, _) = forecasts(plan_world)[plan_world.r1.pk]
    assert live.p85 == dt.date(2027, 1, 24)
    for start in (dt.date(2027, 1, 1), Q2):  # Payments at a quarter: 4 weeks for F1
        change(
            plan_world,
            kind="change_capacity",
            team=plan_world.team,
            period_start=start,
            person_weeks=2.5,
        )
    (_, mine) = forecasts(plan_world)[plan_world.r1.pk]
    assert mine.p85 == dt.date(2027, 2, 7)
    assert mine.note == "Pace scaled by capacity: Payments \u00d70.25."


def test_a_team_without_capacity_or_history_stops_the_forecast(plan_world):
    idle = team_with_history("Atlas", [0] * 26)
    queued(plan_world, idle, 0, target_release=plan_world.r2)
    queued(plan_world, plan_world.team, 5, target_release=plan_world.r2)
    (live, _) = forecasts(plan_world)[plan_world.r2.pk]
    assert live.p85 is None
    assert live.note.startswith("No forecast: Atlas has completed nothing in the last 26 weeks")
    page = delivery_forecasts.release_forecast(release=plan_world.r2, today=TODAY)
    assert page.forecast is None  # the page says the same
    for start in (dt.date(2027, 1, 1), Q2):
        change(
            plan_world,
            kind="change_capacity",
            team=plan_world.team,
            period_start=start,
            person_weeks=0,
        )
    (_, mine) = forecasts(plan_world)[plan_world.r1.pk]
    assert (mine.p85, mine.note) == (None, "No forecast: Payments has no capacity.")
