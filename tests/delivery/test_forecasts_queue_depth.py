"""A release's or an initiative's forecast respects the teams' queues: each team holding
some of its features works up to the deepest of them, at its own pace, and the scope
is done when the last team is."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pilothouse.delivery import forecasts
from pilothouse.delivery.models import FeatureAssignment, Team
from pilothouse.engines import forecasting
from tests.delivery.test_forecasts import MONDAY, PATTERN, TODAY, assign, with_history
from tests.factories import FeatureFactory, InitiativeFactory, ProductFactory, ReleaseFactory

pytestmark = pytest.mark.django_db
FASTER = [n + 4 for n in PATTERN]


@pytest.fixture
def product():
    return ProductFactory()


@pytest.fixture
def atlas(product):
    team = Team.objects.create(name="Atlas team")
    team.products.add(product)
    with_history(team)
    return team


def queue_of(team: Team, product, count: int, start: float = 0) -> list[FeatureAssignment]:
    """`count` not-done features of other work in the team's queue, ranked from `start`."""
    return [assign(team, FeatureFactory(product=product), start + i) for i in range(count)]


def expected(release, histories, scopes, **kwargs):
    return forecasting.forecast_parallel(
        histories=histories,
        scopes=scopes,
        trials=forecasts.TRIALS,
        seed=forecasts.seed_of("release", release.pk),
        start=MONDAY,
        **kwargs,
    )


def test_one_feature_deep_in_the_queue_waits_for_the_features_ahead(product, atlas):
    release = ReleaseFactory(product=product, target_date=dt.date(2026, 5, 31))
    queue_of(atlas, product, 59)
    # Done features ahead do not count, as in the team's queue forecast.
    assign(atlas, FeatureFactory(product=product, stage="released"), 10.5)
    assign(atlas, FeatureFactory(product=product, completed_on=MONDAY), 20.5)
    assign(atlas, FeatureFactory(product=product, target_release=release), 100)
    found = forecasts.release_forecast(release=release, today=TODAY)
    assert found.remaining == 1
    assert [(lane.scope, lane.features) for lane in found.scopes] == [(60, 1)]
    assert found.scopes[0].text == (
        "Atlas team: 60 features ahead of and including this release's last one "
        "(1 of them this release's)"
    )
    # Exactly a 60-item forecast, nowhere near a 1-item one.
    sixty = forecasting.forecast_completion(
        history=PATTERN,
        remaining=60,
        trials=forecasts.TRIALS,
        seed=forecasts.seed_of("release", release.pk),
        start=MONDAY,
        target=dt.date(2026, 5, 31),
    )
    assert found.forecast == sixty
    assert found.forecast.percentiles[85].weeks > 20
    assert found.probability == 0.0  # sixty features at under three a week: not by May
    # The team page's queue forecast (its own seed) agrees within sampling error.
    queue = forecasts.queue_forecast(team=atlas, today=TODAY)
    last = queue.items[-1]
    assert last.position == 62
    for share in (50, 85, 95):
        assert abs(last.forecast.percentiles[share].weeks - sixty.percentiles[share].weeks) <= 1


def test_features_at_the_head_of_the_queue_are_forecast_as_before(product, atlas):
    release = ReleaseFactory(product=product)
    for i in range(8):
        assign(atlas, FeatureFactory(product=product, target_release=release), i)
    queue_of(atlas, product, 20, start=10)  # behind the release: no effect
    found = forecasts.release_forecast(release=release, today=TODAY)
    assert found.scopes[0].scope == 8
    assert found.forecast == forecasting.forecast_completion(
        history=PATTERN,
        remaining=8,
        trials=forecasts.TRIALS,
        seed=forecasts.seed_of("release", release.pk),
        start=MONDAY,
    )


def test_each_team_goes_at_its_own_pace_and_the_last_one_sets_the_date(product, atlas):
    boreas = Team.objects.create(name="Boreas team")
    with_history(boreas, FASTER)
    release = ReleaseFactory(product=product)
    queue_of(atlas, product, 4)
    assign(atlas, FeatureFactory(product=product, target_release=release), 10)
    assign(atlas, FeatureFactory(product=product, target_release=release), 2.5)
    queue_of(boreas, product, 30)
    assign(boreas, FeatureFactory(product=product, target_release=release), 40)
    FeatureFactory.create_batch(2, product=product, target_release=release)  # no queue
    found = forecasts.release_forecast(release=release, today=TODAY, split=(1.0, 1.5))
    assert [(lane.team and lane.team.name, lane.scope, lane.features) for lane in found.scopes] == [
        ("Atlas team", 6, 2),
        ("Boreas team", 31, 1),
        (None, 2, 2),
    ]
    assert found.scopes[2].text == "In no queue: 2 features, at the teams' summed pace"
    summed = [a + b for a, b in zip(PATTERN, FASTER, strict=True)]
    assert [w.count for w in found.history] == summed
    assert found.forecast == expected(
        release, [PATTERN, FASTER, summed], [6, 31, 2], split=(1.0, 1.5)
    )
    assert found.notes == ["2 features have no team: forecast with the same teams' throughput."]
    # Boreas's thirty features ahead outweigh Atlas's six: later than Atlas alone.
    atlas_alone = expected(release, [PATTERN, FASTER, summed], [6, 0, 0], split=(1.0, 1.5))
    assert found.forecast.percentiles[85].weeks > atlas_alone.percentiles[85].weeks
    body = found.to_dict()
    assert body["scopes"][1] == {
        "team_id": boreas.pk,
        "name": "Boreas team",
        "scope": 31,
        "features": 1,
        "history_total": sum(FASTER),
        "text": "Boreas team: 31 features ahead of and including this release's last one "
        "(1 of them this release's)",
    }
    assert body["scopes"][2]["team_id"] is None


def test_an_idle_team_holding_a_feature_is_named(product, atlas):
    idle = Team.objects.create(name="Idle squad")
    release = ReleaseFactory(product=product)
    assign(atlas, FeatureFactory(product=product, target_release=release))
    assign(idle, FeatureFactory(product=product, target_release=release))
    found = forecasts.release_forecast(release=release, today=TODAY)
    assert found.forecast is None
    assert found.reason == (
        "No forecast: Idle squad has completed nothing in the last 26 weeks, "
        "and a forecast samples past weeks."
    )


def test_without_any_queued_feature_the_products_teams_take_the_whole_count(product, atlas):
    release = ReleaseFactory(product=product)
    FeatureFactory.create_batch(3, product=product, target_release=release)
    found = forecasts.release_forecast(release=release, today=TODAY)
    assert [(lane.team, lane.scope) for lane in found.scopes] == [(None, 3)]
    assert found.forecast == expected(release, [PATTERN], [3])


def test_an_initiative_waits_for_its_deepest_feature_too(product, atlas):
    initiative = InitiativeFactory()
    queue_of(atlas, product, 12)
    assign(atlas, FeatureFactory(product=product, initiative=initiative), 5.5)
    assign(atlas, FeatureFactory(product=product, initiative=initiative), 30)
    found = forecasts.initiative_forecast(initiative=initiative, today=TODAY)
    assert [(lane.scope, lane.features) for lane in found.scopes] == [(14, 2)]
    assert "this initiative's last one" in found.scopes[0].text
    assert found.forecast == forecasting.forecast_completion(
        history=PATTERN,
        remaining=14,
        trials=forecasts.TRIALS,
        seed=forecasts.seed_of("initiative", initiative.pk),
        start=MONDAY,
    )


@pytest.fixture
def two_queues(product, atlas):
    boreas = Team.objects.create(name="Boreas team")
    with_history(boreas, FASTER)
    release = ReleaseFactory(product=product, target_date=dt.date(2026, 7, 31))
    queue_of(atlas, product, 25)
    queue_of(boreas, product, 25)
    moving = assign(atlas, FeatureFactory(product=product, target_release=release), 0)
    assign(boreas, FeatureFactory(product=product, target_release=release), 9.5)
    return release, moving


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(ranks=st.lists(st.integers(-1, 24), min_size=2, max_size=2, unique=True))
def test_moving_a_feature_deeper_never_makes_the_forecast_earlier(two_queues, ranks):
    release, moving = two_queues
    found = []
    for rank in sorted(ranks):  # shallower first
        FeatureAssignment.objects.filter(pk=moving.pk).update(queue_rank=rank + 0.5)
        found.append(forecasts.release_forecast(release=release, today=TODAY))
    shallow, deep = found
    assert deep.scopes[0].scope > shallow.scopes[0].scope
    for share in (50, 85, 95):
        assert deep.forecast.percentiles[share].weeks >= shallow.forecast.percentiles[share].weeks
    assert deep.probability <= shallow.probability
