"""Board moves, release dates against the product's launch, milestones' stewards."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from pilothouse.core import ordering, permissions
from pilothouse.roadmap import services
from pilothouse.roadmap.models import Feature, Milestone, Release
from tests.api.helpers import changes_of, unchanged
from tests.factories import FeatureFactory, ProductFactory

pytestmark = pytest.mark.django_db


def column(horizon: str) -> list[str]:
    return list(
        Feature.objects.filter(horizon=horizon)
        .order_by("horizon_rank", "id")
        .values_list("title", flat=True)
    )


def test_a_card_moves_to_the_top_or_after_another_and_the_move_is_logged():
    a, b, c = (FeatureFactory(title=t, horizon="next") for t in "abc")
    ordering.renumber(Feature.objects.filter(horizon="next"), field="horizon_rank")
    moved = services.feature_move(actor=None, instance=c, version=1, horizon="now")
    assert column("now") == ["c"]
    assert column("next") == ["a", "b"]
    record = changes_of(Feature, c.pk).latest("time")
    assert record.before["horizon"] == "next"
    assert record.after["horizon"] == "now"
    services.feature_move(actor=None, instance=a, version=1, horizon="now", after_id=c.pk)
    services.feature_move(actor=None, instance=b, version=1, horizon="now")
    assert column("now") == ["b", "c", "a"]
    assert moved.version == 2


def test_cards_with_equal_ranks_are_spread_out_to_make_room():
    first, second, third = (FeatureFactory(title=t, horizon="later") for t in "xyz")
    assert {f.horizon_rank for f in (first, second, third)} == {0.0}
    mover = FeatureFactory(title="m", horizon="now")
    services.feature_move(actor=None, instance=mover, version=1, horizon="later", after_id=first.pk)
    assert column("later") == ["x", "m", "y", "z"]


def test_a_bad_horizon_or_a_neighbour_elsewhere_changes_nothing():
    card = FeatureFactory(horizon="next")
    stranger = FeatureFactory(horizon="later")
    with unchanged(Feature):
        with pytest.raises(ValidationError) as bad:
            services.feature_move(actor=None, instance=card, version=1, horizon="someday")
        assert "horizon" in bad.value.message_dict
        with pytest.raises(ValidationError) as elsewhere:
            services.feature_move(
                actor=None, instance=card, version=1, horizon="now", after_id=stranger.pk
            )
        assert "after" in elsewhere.value.message_dict


def test_only_those_who_may_change_the_feature_move_it(make_user):
    card = FeatureFactory(horizon="next")
    with unchanged(Feature), pytest.raises(PermissionDenied):
        services.feature_move(
            actor=make_user("product_manager"), instance=card, version=1, horizon="now"
        )


def test_a_feature_joining_a_column_without_a_rank_goes_to_its_top():
    """The same rule for every write: the form, the API and any other caller."""
    for title in "ab":
        FeatureFactory(title=title, horizon="next")
    ordering.renumber(Feature.objects.filter(horizon="next"), field="horizon_rank")
    product = ProductFactory()
    created = services.feature.create(
        actor=None, data={"title": "new", "product": product, "horizon": "next"}
    )
    assert column("next") == ["new", "a", "b"]
    placed = services.feature.create(
        actor=None,
        data={"title": "placed", "product": product, "horizon": "next", "horizon_rank": 5000.0},
    )
    assert column("next")[-1] == "placed"
    later = FeatureFactory(title="later", horizon="later")
    services.feature.update(actor=None, instance=later, version=1, data={"horizon": "next"})
    assert column("next")[0] == "later"
    # Staying in its column, an edit keeps the card where it is.
    services.feature.update(
        actor=None, instance=created, version=1, data={"horizon": "next", "title": "new 2"}
    )
    assert column("next")[1] == "new 2"
    assert placed.horizon_rank == 5000.0


def test_a_release_cannot_be_due_before_its_product_launches():
    product = ProductFactory(name="Rocket", launch_date=dt.date(2027, 1, 1))
    with unchanged(Release), pytest.raises(ValidationError) as refused:
        services.release.create(
            actor=None,
            data={"product": product, "name": "Beta", "target_date": dt.date(2026, 12, 1)},
        )
    assert "Rocket's launch date (2027-01-01)" in refused.value.message_dict["target_date"][0]
    ok = services.release.create(
        actor=None, data={"product": product, "name": "1.0", "target_date": dt.date(2027, 1, 1)}
    )
    assert ok.pk


def test_a_milestone_is_changed_by_those_who_look_after_all_its_products(make_user):
    owner = make_user("product_manager", username="owns-both")
    half = make_user("product_manager", username="owns-one")
    one = ProductFactory(owner=owner)
    two = ProductFactory(owner=owner)
    ProductFactory(owner=half)
    milestone = Milestone.objects.create(name="Launch event", date=dt.date(2026, 12, 1))
    milestone.products.set([one, two])
    assert permissions.can_change(owner, milestone)
    assert not permissions.can_change(half, milestone)
    two.owner = half
    two.save()
    milestone = Milestone.objects.get(pk=milestone.pk)
    assert not permissions.can_change(owner, milestone)
    mine = services.milestone.create(actor=half, data={"name": "Mine", "date": dt.date(2027, 1, 1)})
    assert permissions.can_change(half, mine)
