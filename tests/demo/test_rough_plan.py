"""The demo's rough plan beyond next quarter: "later" cards pencilled in to releases of the
quarters after next, never before their blockers, so that teams carry demand there,
more than they can take in some quarters and not in others."""

from __future__ import annotations

from collections import defaultdict

from pilothouse.delivery import demand, selectors, workdays
from pilothouse.delivery.models import CapacityPeriod
from pilothouse.demo.rough_plan import quarters_after_next
from pilothouse.roadmap.dependencies import feature_window
from pilothouse.roadmap.models import Dependency, Feature, FeatureStage, Horizon, ReleaseStatus
from tests.demo.conftest import TODAY


def later_figures():
    """The figures of every team's quarterly periods after next, by team."""
    starts = [quarter.start for quarter in quarters_after_next(TODAY)]
    periods = list(
        CapacityPeriod.objects.filter(granularity=workdays.QUARTER, start__in=starts).order_by(
            "team_id", "start"
        )
    )
    figures = selectors.period_figures(periods=periods, today=TODAY)
    by_team = defaultdict(list)
    for period in periods:
        by_team[period.team_id].append(figures[period.pk])
    return by_team


def test_capacity_periods_cover_the_quarters_after_next(small_demo):
    starts = {quarter.start for quarter in quarters_after_next(TODAY)}
    assert len(starts) == 2
    for team_figures in later_figures().values():
        assert {figure.period.start for figure in team_figures} == starts


def test_some_team_has_demand_in_every_quarter_after_next(small_demo):
    loaded = [
        team
        for team, figures in later_figures().items()
        if len(figures) == 2 and all(figure.demand.low > 0 for figure in figures)
    ]
    assert len(loaded) >= 2, later_figures()


def test_some_quarters_after_next_are_strained_and_others_fine(small_demo):
    statuses = [figure.status for figures in later_figures().values() for figure in figures]
    assert {demand.AT_RISK, demand.OVER_COMMITTED} & set(statuses), statuses
    assert statuses.count(demand.OK) >= len(statuses) / 2, statuses


def test_half_to_two_thirds_of_the_later_column_is_planned_after_next_quarter(small_demo):
    quarters = quarters_after_next(TODAY)
    later = list(Feature.objects.filter(horizon=Horizon.LATER).select_related("target_release"))
    planned = [feature for feature in later if feature.target_release is not None]
    # About half to two thirds: ideas and some candidates are not pencilled in.
    assert 0.45 <= len(planned) / len(later) <= 0.75, (len(planned), len(later))
    assert not [feature for feature in planned if feature.stage == FeatureStage.IDEA]
    for feature in planned:
        release = feature.target_release
        assert release.product_id == feature.product_id
        assert release.status in (ReleaseStatus.PLANNED, ReleaseStatus.IN_PROGRESS)
        assert quarters[0].start <= release.target_date <= quarters[-1].end, feature
    # Each of the quarters after next has some of the plan.
    due = {feature.target_release.target_date for feature in planned}
    assert all(any(q.start <= day <= q.end for day in due) for q in quarters)


def test_no_later_feature_is_planned_before_its_blockers_end(small_demo):
    windows = {
        feature.pk: (feature.horizon, feature_window(feature))
        for feature in Feature.objects.select_related("target_release")
    }
    checked = 0
    for blocker, blocked in Dependency.objects.values_list("blocker_id", "blocked_id"):
        horizon, window = windows[blocked]
        if horizon != Horizon.LATER or window.end is None:
            continue
        blocker_end = windows[blocker][1].end
        # The window demand counts it in: from the first day of its release's quarter.
        starts = workdays.period_containing(window.end, workdays.QUARTER)[0]
        assert blocker_end is not None, (blocker, blocked)
        assert blocker_end <= starts, (blocker, blocked)
        checked += 1
    assert checked > 0
