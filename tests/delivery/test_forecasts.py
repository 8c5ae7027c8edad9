"""delivery.forecasts: the reads that feed the forecasting engine. Figures are checked
against the engine called directly on the same history, so these test the glue (scope,
teams, history window, start, target, seed), not the engine."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from pilothouse.delivery import forecasts, workdays
from pilothouse.delivery.models import FeatureAssignment, Team, WorkItem
from pilothouse.engines import forecasting
from tests.factories import FeatureFactory, InitiativeFactory, ProductFactory, ReleaseFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 3, 18)  # a Wednesday
MONDAY = dt.date(2026, 3, 16)
# Completed per week, oldest first, over the 26 whole weeks before TODAY's week.
PATTERN = [3, 0, 5, 2, 4, 1, 0, 6, 2, 3, 4, 2, 5, 0, 3, 2, 4, 1, 3, 2, 5, 3, 0, 4, 2, 3]


def week(i: int) -> dt.date:
    """The Monday of history week i (0: the oldest of the 26)."""
    return MONDAY - dt.timedelta(weeks=26 - i)


def with_history(team: Team, pattern=PATTERN) -> None:
    items = [
        WorkItem(
            team=team, title=f"{team.name} {i}.{n}", completed_on=week(i) + dt.timedelta(n % 5)
        )
        for i, count in enumerate(pattern)
        for n in range(count)
    ]
    WorkItem.objects.bulk_create(items)


def assign(team: Team, feature, rank: float = 0) -> FeatureAssignment:
    return FeatureAssignment.objects.create(team=team, feature=feature, queue_rank=rank)


@pytest.fixture
def product():
    return ProductFactory()


@pytest.fixture
def team(product):
    team = Team.objects.create(name="Checkout squad")
    team.products.add(product)
    with_history(team)
    return team


def test_the_history_is_the_26_whole_weeks_before_this_one():
    first, last = forecasts.history_window(TODAY)
    assert (first, last) == (week(0), week(25))
    assert forecasts.forecast_start(TODAY) == MONDAY
    assert forecasts.forecast_start(MONDAY) == MONDAY
    assert workdays.week_start(last + dt.timedelta(weeks=1)) == forecasts.forecast_start(TODAY)


def test_a_release_is_forecast_from_its_teams_history(product, team):
    release = ReleaseFactory(product=product, target_date=dt.date(2026, 6, 30))
    for i in range(12):
        assign(team, FeatureFactory(product=product, target_release=release), i)
    # Done features (by stage or by date) are not remaining; work this week is not history.
    FeatureFactory(product=product, target_release=release, stage="released")
    FeatureFactory(product=product, target_release=release, completed_on=TODAY)
    WorkItem.objects.create(team=team, title="this week", completed_on=TODAY)
    found = forecasts.release_forecast(release=release, today=TODAY)
    assert found.reason is None
    assert found.remaining == 12
    assert [t.name for t in found.teams] == ["Checkout squad"]
    assert [w.count for w in found.history] == PATTERN
    expected = forecasting.forecast_completion(
        history=PATTERN,
        remaining=12,
        trials=forecasts.TRIALS,
        seed=forecasts.seed_of("release", release.pk),
        start=MONDAY,
        target=dt.date(2026, 6, 30),
    )
    assert found.forecast == expected
    body = found.to_dict()
    assert body["percentiles"] == expected.to_dict()["percentiles"]
    assert body["probability_by_target"] == expected.probability_by_target
    assert (body["remaining"], body["history_weeks"], body["reason"]) == (12, 26, None)
    assert body["target"] == "2026-06-30"
    # The same data gives the same figures on every read.
    assert forecasts.release_forecast(release=release, today=TODAY).forecast == expected


def test_the_teams_histories_are_summed_week_by_week(product, team):
    other = Team.objects.create(name="Payments squad")
    with_history(other, [1] * 26)
    release = ReleaseFactory(product=product)
    assign(team, FeatureFactory(product=product, target_release=release))
    assign(other, FeatureFactory(product=product, target_release=release))
    found = forecasts.release_forecast(release=release, today=TODAY)
    assert [t.name for t in found.teams] == ["Checkout squad", "Payments squad"]
    assert [w.count for w in found.history] == [n + 1 for n in PATTERN]
    assert found.probability is None  # no target date


def test_a_split_rate_reaches_the_engine(product, team):
    release = ReleaseFactory(product=product)
    for i in range(10):
        assign(team, FeatureFactory(product=product, target_release=release), i)
    found = forecasts.release_forecast(release=release, today=TODAY, split=(1.5, 2.0))
    expected = forecasting.forecast_completion(
        history=PATTERN,
        remaining=10,
        split=(1.5, 2.0),
        trials=forecasts.TRIALS,
        seed=forecasts.seed_of("release", release.pk),
        start=MONDAY,
    )
    assert found.forecast == expected
    plain = forecasts.release_forecast(release=release, today=TODAY)
    assert plain.forecast.percentiles[85].weeks < expected.percentiles[85].weeks


def test_unassigned_features_are_forecast_with_the_same_teams(product, team):
    release = ReleaseFactory(product=product)
    assign(team, FeatureFactory(product=product, target_release=release))
    FeatureFactory.create_batch(3, product=product, target_release=release)
    found = forecasts.release_forecast(release=release, today=TODAY)
    assert (found.remaining, found.unassigned) == (4, 3)
    assert found.notes == ["3 features have no team: forecast with the same teams' throughput."]
    # The team reaches its one feature, and the three in no queue go at the teams' summed
    # pace, side by side with it.
    assert [(lane.team, lane.scope) for lane in found.scopes] == [(found.teams[0], 1), (None, 3)]
    assert found.forecast == forecasting.forecast_parallel(
        histories=[PATTERN, PATTERN],
        scopes=[1, 3],
        trials=forecasts.TRIALS,
        seed=forecasts.seed_of("release", release.pk),
        start=MONDAY,
    )


def test_without_any_assignment_the_products_teams_are_used(product, team):
    release = ReleaseFactory(product=product)
    FeatureFactory.create_batch(2, product=product, target_release=release)
    found = forecasts.release_forecast(release=release, today=TODAY)
    assert found.teams_from_products
    assert [t.name for t in found.teams] == ["Checkout squad"]
    assert "the teams working on its products" in found.notes[0]
    assert found.forecast is not None


def test_no_team_at_all_gives_a_reason():
    release = ReleaseFactory()
    FeatureFactory(product=release.product, target_release=release)
    found = forecasts.release_forecast(release=release, today=TODAY)
    assert found.forecast is None
    assert found.reason.startswith("No forecast: no feature of this release is in a team's queue")
    assert found.to_dict()["percentiles"] is None


def test_an_all_zero_history_gives_a_reason(product):
    idle = Team.objects.create(name="Idle squad")
    release = ReleaseFactory(product=product)
    assign(idle, FeatureFactory(product=product, target_release=release))
    # Completed before the window: not in the last 26 weeks.
    WorkItem.objects.create(team=idle, title="old", completed_on=week(0) - dt.timedelta(days=1))
    found = forecasts.release_forecast(release=release, today=TODAY)
    assert found.forecast is None
    assert found.reason == (
        "No forecast: Idle squad has completed nothing in the last 26 weeks, "
        "and a forecast samples past weeks."
    )


def test_a_scope_out_of_reach_within_20_years_gives_a_reason(product):
    slow = Team.objects.create(name="Slow squad")
    with_history(slow, [0] * 25 + [1])
    release = ReleaseFactory(product=product)
    for i in range(60):
        assign(slow, FeatureFactory(product=product, target_release=release), i)
    found = forecasts.release_forecast(release=release, today=TODAY)
    assert found.forecast is None
    assert found.reason.startswith("No forecast: in ")
    assert found.reason.endswith(
        "of trials the scope is not done within 20 years at the throughput of the history."
    )


def test_queue_positions_beyond_the_horizon_are_flagged_and_the_others_kept(product):
    slow = Team.objects.create(name="Slow squad")
    with_history(slow, [0] * 25 + [1])  # about 40 items in 20 years
    done = assign(slow, FeatureFactory(product=product, stage="released"), -1)
    for i in range(60):
        assign(slow, FeatureFactory(product=product), i)
    seed = forecasts.seed_of("team", slow.pk)
    with pytest.raises(forecasting.ForecastError):  # the engine refuses the whole queue
        forecasting.forecast_queue(
            history=[0] * 25 + [1],
            sizes=[1] * 60,
            start=MONDAY,
            trials=forecasts.TRIALS,
            seed=seed,
        )
    found = forecasts.queue_forecast(team=slow, today=TODAY)
    assert found.reason is None
    assert found.count == len(found.items) == 60
    flags = [item.beyond_horizon for item in found.items]
    first = flags.index(True)
    assert 10 < first < 60
    assert flags == [False] * first + [True] * (60 - first)
    assert found.beyond_horizon_from == found.items[first].position == first + 2  # after `done`
    assert all(item.forecast is None for item in found.items[first:])
    kept = forecasting.forecast_queue(
        history=[0] * 25 + [1],
        sizes=[1] * first,
        start=MONDAY,
        trials=forecasts.TRIALS,
        seed=seed,
    )
    assert [item.forecast for item in found.items[:first]] == list(kept)
    body = found.to_dict()
    assert body["beyond_horizon_from"] == first + 2
    assert body["items"][first]["beyond_horizon"] is True
    assert body["items"][first]["percentiles"] is None
    assert body["items"][0]["beyond_horizon"] is False
    # A page that starts beyond the horizon says so from its first item.
    later = forecasts.queue_forecast(team=slow, today=TODAY, offset=first + 5, limit=3)
    assert [item.beyond_horizon for item in later.items] == [True] * 3
    assert later.beyond_horizon_from == first + 7
    assert done.pk not in later.by_assignment


def test_nothing_left_gives_a_reason(product, team):
    release = ReleaseFactory(product=product)
    FeatureFactory(product=product, target_release=release, stage="measured")
    found = forecasts.release_forecast(release=release, today=TODAY)
    assert found.remaining == 0
    assert found.reason == "Nothing to forecast: no feature of this release is left to do."


def test_a_target_already_past_has_no_chance(product, team):
    release = ReleaseFactory(product=product, target_date=dt.date(2026, 3, 1))
    assign(team, FeatureFactory(product=product, target_release=release))
    found = forecasts.release_forecast(release=release, today=TODAY)
    assert found.target_passed
    assert found.probability == 0.0
    assert found.likelihood == ("over_committed", "Unlikely")
    assert found.forecast.percentiles[85].date >= MONDAY


def test_an_initiative_is_forecast_to_its_end_date(product, team):
    initiative = InitiativeFactory(end_date=dt.date(2026, 9, 30))
    for i in range(6):
        assign(team, FeatureFactory(product=product, initiative=initiative), i)
    found = forecasts.initiative_forecast(initiative=initiative, today=TODAY)
    assert found.forecast == forecasting.forecast_completion(
        history=PATTERN,
        remaining=6,
        trials=forecasts.TRIALS,
        seed=forecasts.seed_of("initiative", initiative.pk),
        start=MONDAY,
        target=dt.date(2026, 9, 30),
    )
    assert found.likelihood == ("ok", "Likely")


def test_an_initiative_without_assignments_uses_its_features_products(product, team):
    initiative = InitiativeFactory()
    FeatureFactory(product=product, initiative=initiative)
    found = forecasts.initiative_forecast(initiative=initiative, today=TODAY)
    assert found.teams_from_products
    assert found.forecast is not None


@pytest.mark.parametrize(
    ("low", "high", "field"),
    [
        ("1.2", None, "split_high"),
        (None, "2", "split_low"),
        ("abc", "2", "split_low"),
        ("0.2", "1.5", "split_low"),
        ("1", "11", "split_high"),
        ("1.5", "1.2", "split_high"),
    ],
)
def test_bad_split_rates_name_the_parameter(low, high, field):
    with pytest.raises(ValidationError) as caught:
        forecasts.parse_split(low, high)
    assert list(caught.value.message_dict) == [field]


def test_likelihood_words_follow_the_thresholds():
    assert forecasts.likelihood(0.85) == ("ok", "Likely")
    assert forecasts.likelihood(0.849) == ("at_risk", "At risk")
    assert forecasts.likelihood(0.5) == ("at_risk", "At risk")
    assert forecasts.likelihood(0.49) == ("over_committed", "Unlikely")
    assert forecasts.likelihood(None) is None


# --- the queue ------------------------------------------------------------------------


def test_the_queue_is_forecast_in_order(product, team):
    release = ReleaseFactory(product=product, target_date=dt.date(2026, 5, 1))
    features = [FeatureFactory(product=product, target_release=release) for _ in range(8)]
    # Ranks out of creation order: the queue's order is the rank's.
    for rank, feature in zip([5, 1, 7, 3, 2, 8, 6, 4], features, strict=True):
        assign(team, feature, rank)
    done = FeatureFactory(product=product, stage="released")
    assign(team, done, 0)  # first in the queue, but done
    found = forecasts.queue_forecast(team=team, today=TODAY)
    assert found.reason is None
    ordered = sorted(zip([5, 1, 7, 3, 2, 8, 6, 4], features, strict=True), key=lambda p: p[0])
    assert [item.assignment.feature_id for item in found.items] == [f.pk for _, f in ordered]
    assert [item.position for item in found.items] == list(range(2, 10))
    expected = forecasting.forecast_queue(
        history=PATTERN,
        sizes=[1] * 8,
        start=MONDAY,
        trials=forecasts.TRIALS,
        seed=forecasts.seed_of("team", team.pk),
        targets=[dt.date(2026, 5, 1)] * 8,
    )
    assert [item.forecast for item in found.items] == list(expected)
    for share in (50, 85, 95):
        weeks = [item.forecast.percentiles[share].weeks for item in found.items]
        assert weeks == sorted(weeks)  # a later position is never forecast sooner
    probabilities = [item.probability for item in found.items]
    assert probabilities == sorted(probabilities, reverse=True)
    body = found.to_dict()
    assert [row["position"] for row in body["items"]] == list(range(2, 10))
    assert body["items"][0]["percentiles"] == expected[0].to_dict()["percentiles"]


def test_a_slice_of_the_queue_agrees_with_the_whole_queue(product, team):
    done = FeatureFactory(product=product, stage="measured")
    assign(team, done, 2.5)  # between the third and the fourth
    release = ReleaseFactory(product=product, target_date=dt.date(2026, 6, 1))
    features = [FeatureFactory(product=product, target_release=release) for _ in range(9)]
    for rank, feature in enumerate(features):
        assign(team, feature, rank)
    whole = forecasts.queue_forecast(team=team, today=TODAY)
    page = forecasts.queue_forecast(team=team, today=TODAY, offset=3, limit=4)
    assert page.count == whole.count == 9
    assert [item.assignment.feature_id for item in page.items] == [f.pk for f in features[3:7]]
    assert [item.position for item in page.items] == [5, 6, 7, 8]  # the done one is 4th
    assert [item.forecast for item in page.items] == [item.forecast for item in whole.items[3:7]]
    assert [item.probability for item in page.items] == [
        item.probability for item in whole.items[3:7]
    ]
    past_the_end = forecasts.queue_forecast(team=team, today=TODAY, offset=9, limit=4)
    assert past_the_end.items == []
    assert past_the_end.count == 9
    assert past_the_end.reason is None


def test_a_queue_without_history_gives_a_reason(product):
    idle = Team.objects.create(name="Idle squad")
    assign(idle, FeatureFactory(product=product))
    found = forecasts.queue_forecast(team=idle, today=TODAY)
    assert found.reason.startswith("No forecast: Idle squad has completed nothing")
    assert [item.forecast for item in found.items] == [None]


def test_the_team_history_for_backtests(team):
    rows = forecasts.team_history(team=team, today=TODAY, weeks=26)
    assert rows == [(week(i), n) for i, n in enumerate(PATTERN)]
    with pytest.raises(ValidationError):
        forecasts.team_history(team=team, today=TODAY, weeks=0)


# --- query counts ---------------------------------------------------------------------


@pytest.mark.parametrize("count", [5, 50])
def test_a_release_forecast_costs_four_queries(product, team, count, django_assert_num_queries):
    release = ReleaseFactory(product=product)
    other = Team.objects.create(name="Other squad")
    for i in range(count):
        assign(team if i % 2 else other, FeatureFactory(product=product, target_release=release))
    FeatureFactory.create_batch(count, product=product, target_release=release)
    # The features with their teams, the throughput (two), the queue positions.
    with django_assert_num_queries(4):
        found = forecasts.release_forecast(release=release, today=TODAY)
    assert found.remaining == 2 * count


@pytest.mark.parametrize("count", [5, 50])
def test_an_initiative_forecast_costs_four_queries(product, team, count, django_assert_num_queries):
    initiative = InitiativeFactory()
    for _ in range(count):
        assign(team, FeatureFactory(product=product, initiative=initiative))
    with django_assert_num_queries(4):
        found = forecasts.initiative_forecast(initiative=initiative, today=TODAY)
    assert found.remaining == count


@pytest.mark.parametrize("count", [5, 50])
def test_a_queue_forecast_costs_three_queries(product, team, count, django_assert_num_queries):
    for i in range(count):
        assign(team, FeatureFactory(product=product), i)
        assign(team, FeatureFactory(product=product, stage="released"), i + 0.5)
    with django_assert_num_queries(3):
        found = forecasts.queue_forecast(team=team, today=TODAY)
    assert len(found.items) == found.count == count
    with django_assert_num_queries(3):
        page = forecasts.queue_forecast(team=team, today=TODAY, offset=2, limit=2)
    assert [item.position for item in page.items] == [5, 7]
    assert page.count == count
