"""Features and releases: stage transitions, automatic dates, consistency rules."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from pilothouse.roadmap import services
from pilothouse.roadmap.models import STAGE_TRANSITIONS, Feature, FeatureStage, Release
from tests.api.helpers import changes_of, unchanged
from tests.factories import (
    FeatureFactory,
    ProductAreaFactory,
    ProductFactory,
    ReleaseFactory,
)

pytestmark = pytest.mark.django_db

STAGES = [stage.value for stage in FeatureStage]
PAIRS = [(a, b) for a, b in itertools.product(STAGES, STAGES) if a != b]
EARLIER = dt.date(2025, 1, 2)


def test_every_stage_has_its_transitions():
    assert set(STAGE_TRANSITIONS) == set(STAGES)
    for stage, following in STAGE_TRANSITIONS.items():
        assert following <= set(STAGES)
        assert stage not in following
        assert following, stage


def test_a_feature_can_walk_from_idea_to_measured():
    path = ["idea", "candidate", "planned", "in_progress", "released", "measured"]
    for current, following in itertools.pairwise(path):
        assert following in STAGE_TRANSITIONS[current]


@pytest.mark.parametrize(("current", "new"), PAIRS, ids=[f"{a}->{b}" for a, b in PAIRS])
def test_stage_transition(leader, current, new):
    feature = FeatureFactory(stage=current)
    if new in STAGE_TRANSITIONS[current]:
        moved = services.feature.update(
            actor=leader, instance=feature, version=1, data={"stage": new}
        )
        assert moved.stage == new
        assert Feature.objects.get(pk=feature.pk).stage == new
        return
    with unchanged(Feature), pytest.raises(ValidationError) as caught:
        services.feature.update(actor=leader, instance=feature, version=1, data={"stage": new})
    message = caught.value.message_dict["stage"][0]
    assert f"from {current} to {new}" in message
    assert ", ".join(sorted(STAGE_TRANSITIONS[current])) in message


def test_staying_in_the_same_stage_is_no_transition(leader):
    feature = FeatureFactory(stage=FeatureStage.MEASURED)
    with unchanged(Feature):
        services.feature.update(
            actor=leader, instance=feature, version=1, data={"stage": "measured"}
        )


@pytest.mark.parametrize("stage", STAGES)
def test_a_new_feature_may_start_in_any_stage(leader, stage):
    feature = services.feature.create(
        actor=leader, data={"title": "F", "product": ProductFactory(), "stage": stage}
    )
    assert feature.stage == stage


# --- automatic dates -------------------------------------------------------------------


def test_starting_work_sets_the_start_date(leader):
    today = timezone.localdate()
    feature = FeatureFactory(stage=FeatureStage.PLANNED)
    moved = services.feature.update(
        actor=leader, instance=feature, version=1, data={"stage": "in_progress"}
    )
    assert (moved.started_on, moved.completed_on) == (today, None)
    record = changes_of(Feature, feature.pk).get()
    assert record.after == {"stage": "in_progress", "started_on": today.isoformat()}


def test_starting_work_keeps_a_known_start_date(leader):
    feature = FeatureFactory(stage=FeatureStage.PLANNED, started_on=EARLIER)
    moved = services.feature.update(
        actor=leader, instance=feature, version=1, data={"stage": "in_progress"}
    )
    assert moved.started_on == EARLIER


def test_a_start_date_given_with_the_move_wins(leader):
    feature = FeatureFactory(stage=FeatureStage.PLANNED)
    moved = services.feature.update(
        actor=leader,
        instance=feature,
        version=1,
        data={"stage": "in_progress", "started_on": EARLIER},
    )
    assert moved.started_on == EARLIER


def test_releasing_sets_the_completion_date(leader):
    today = timezone.localdate()
    feature = FeatureFactory(stage=FeatureStage.IN_PROGRESS, started_on=EARLIER)
    moved = services.feature.update(
        actor=leader, instance=feature, version=1, data={"stage": "released"}
    )
    assert (moved.started_on, moved.completed_on) == (EARLIER, today)


def test_releasing_without_a_start_date_sets_both(leader):
    today = timezone.localdate()
    feature = FeatureFactory(stage=FeatureStage.IN_PROGRESS)
    moved = services.feature.update(
        actor=leader, instance=feature, version=1, data={"stage": "released"}
    )
    assert (moved.started_on, moved.completed_on) == (today, today)


def test_releasing_keeps_a_known_completion_date(leader):
    feature = FeatureFactory(
        stage=FeatureStage.IN_PROGRESS, started_on=EARLIER, completed_on=EARLIER
    )
    moved = services.feature.update(
        actor=leader, instance=feature, version=1, data={"stage": "released"}
    )
    assert moved.completed_on == EARLIER


def test_creating_a_shipped_feature_fills_its_dates(leader):
    today = timezone.localdate()
    measured = services.feature.create(
        actor=leader, data={"title": "Old", "product": ProductFactory(), "stage": "measured"}
    )
    assert (measured.started_on, measured.completed_on) == (today, today)
    started = services.feature.create(
        actor=leader, data={"title": "Now", "product": ProductFactory(), "stage": "in_progress"}
    )
    assert (started.started_on, started.completed_on) == (today, None)


@pytest.mark.parametrize("stage", ["idea", "candidate", "planned", "rejected"])
def test_early_stages_set_no_dates(leader, stage):
    feature = services.feature.create(
        actor=leader, data={"title": "F", "product": ProductFactory(), "stage": stage}
    )
    assert (feature.started_on, feature.completed_on) == (None, None)


def test_today_is_the_configured_time_zones_day(leader, settings, monkeypatch):
    # 23:30 UTC on 31 December is already 1 January in Tokyo.
    settings.TIME_ZONE = "Asia/Tokyo"
    late = dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC)
    monkeypatch.setattr(timezone, "now", lambda: late)
    feature = FeatureFactory(stage=FeatureStage.PLANNED)
    moved = services.feature.update(
        actor=leader, instance=feature, version=1, data={"stage": "in_progress"}
    )
    assert moved.started_on == dt.date(2027, 1, 1)


def test_a_completion_before_the_start_is_refused(leader):
    feature = FeatureFactory(stage=FeatureStage.IN_PROGRESS, started_on=dt.date(2026, 3, 1))
    with unchanged(Feature), pytest.raises(ValidationError) as caught:
        services.feature.update(
            actor=leader,
            instance=feature,
            version=1,
            data={"stage": "released", "completed_on": dt.date(2026, 2, 1)},
        )
    assert "completed_on" in caught.value.message_dict


# --- consistency -----------------------------------------------------------------------


def test_area_and_release_must_belong_to_the_features_product(leader):
    product, other = ProductFactory(), ProductFactory()
    foreign_area = ProductAreaFactory(product=other)
    foreign_release = ReleaseFactory(product=other)
    data = {
        "title": "F",
        "product": product,
        "area": foreign_area,
        "target_release": foreign_release,
    }
    with unchanged(Feature), pytest.raises(ValidationError) as caught:
        services.feature.create(actor=leader, data=data)
    assert set(caught.value.message_dict) == {"area", "target_release"}
    ok = services.feature.create(
        actor=leader,
        data={
            "title": "F",
            "product": product,
            "area": ProductAreaFactory(product=product),
            "target_release": ReleaseFactory(product=product),
        },
    )
    assert ok.pk


def test_effort_range_must_be_ordered_and_not_negative(leader):
    product = ProductFactory()
    for effort, field in [((5, 2), "effort_high"), ((-1, 2), "effort_low")]:
        with unchanged(Feature), pytest.raises(ValidationError) as caught:
            services.feature.create(
                actor=leader,
                data={
                    "title": "F",
                    "product": product,
                    "effort_low": effort[0],
                    "effort_high": effort[1],
                },
            )
        assert field in caught.value.message_dict


def test_release_name_unique_within_a_product(leader):
    release = ReleaseFactory()
    with unchanged(Release), pytest.raises(ValidationError):
        services.release.create(
            actor=leader, data={"product": release.product, "name": release.name}
        )
    assert services.release.create(
        actor=leader, data={"product": ProductFactory(), "name": release.name}
    ).pk


def test_deleting_a_release_unplans_its_features(leader):
    release = ReleaseFactory()
    feature = FeatureFactory(product=release.product, target_release=release)
    services.release.delete(actor=leader, instance=release, version=1)
    feature.refresh_from_db()
    assert feature.target_release is None


def test_reopening_a_released_feature_clears_its_completion_date(db):
    from pilothouse.roadmap import services
    from tests.factories import FeatureFactory

    feature = FeatureFactory(stage="released", started_on="2026-01-05", completed_on="2026-02-01")
    reopened = services.feature.update(
        actor=None, instance=feature, version=feature.version, data={"stage": "in_progress"}
    )
    assert reopened.completed_on is None
    assert str(reopened.started_on) == "2026-01-05"
