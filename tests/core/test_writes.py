"""The one write path (core/writes.py): permissions, validation, versions, change log,
and nothing half-written when anything fails."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import ProtectedError

from pilothouse.core import writes
from pilothouse.core.errors import ConflictError
from pilothouse.core.models import ChangeAction, ChangeRecord
from pilothouse.core.roles import Role
from pilothouse.portfolio import services as portfolio
from pilothouse.portfolio.models import Product, ProductLine
from pilothouse.roadmap import services as roadmap
from pilothouse.roadmap.models import Feature
from pilothouse.strategy import services as strategy
from pilothouse.strategy.models import KeyResult
from tests.api.helpers import changes_of, unchanged
from tests.factories import (
    FeatureFactory,
    KeyResultFactory,
    ObjectiveFactory,
    ProductFactory,
    ProductLineFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def pm(make_user):
    return make_user(Role.PRODUCT_MANAGER, username="pm")


# --- create ----------------------------------------------------------------------------


def test_create_records_every_field_and_stamps_the_actor(leader):
    line = ProductLineFactory()
    product = portfolio.product.create(
        actor=leader,
        data={"name": "Billing", "key": "BIL", "product_line": line, "arr": Decimal("10.5")},
    )
    product.refresh_from_db()
    assert product.version == 1
    assert product.created_by == product.updated_by == leader
    record = changes_of(Product, product.pk).get()
    assert record.action == ChangeAction.CREATE
    assert record.actor == leader
    assert record.object_repr == "Billing (BIL)"
    assert record.before == {}
    assert record.after == {
        "name": "Billing",
        "key": "BIL",
        "description": "",
        "product_line": line.pk,
        "stage": "discovery",
        "kind": "revenue",
        "owner": None,
        "arr": "10.50",
        "launch_date": None,
    }


def test_create_records_many_to_many_links(leader):
    objectives = [ObjectiveFactory(), ObjectiveFactory()]
    initiative = strategy.initiative.create(
        actor=leader, data={"title": "Bet"}, m2m={"objectives": objectives}
    )
    assert sorted(o.pk for o in initiative.objectives.all()) == sorted(o.pk for o in objectives)
    after = ChangeRecord.objects.get().after
    assert after["objectives"] == sorted(o.pk for o in objectives)


def test_create_by_the_system_needs_no_permission():
    line = portfolio.product_line.create(actor=None, data={"name": "Seeded"})
    assert line.created_by is None
    assert ChangeRecord.objects.get().actor is None


def test_invalid_create_writes_nothing(leader):
    line = ProductLineFactory()
    with unchanged(Product), pytest.raises(ValidationError) as caught:
        portfolio.product.create(
            actor=leader, data={"name": "x" * 121, "key": "bad", "product_line": line}
        )
    assert set(caught.value.message_dict) == {"name", "key"}


def test_refused_create_writes_nothing(viewer, pm):
    line = ProductLineFactory()
    with unchanged(Product, ProductLine):
        with pytest.raises(PermissionDenied):
            portfolio.product_line.create(actor=viewer, data={"name": "Nope"})
        with pytest.raises(PermissionDenied):
            portfolio.product.create(
                actor=pm, data={"name": "Nope", "key": "NOPE", "product_line": line}
            )


def test_create_fails_whole_when_the_change_log_fails(leader, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("log unavailable")

    monkeypatch.setattr(writes.changelog, "record", broken)
    with unchanged(ProductLine), pytest.raises(RuntimeError):
        portfolio.product_line.create(actor=leader, data={"name": "Half"})


# --- update ----------------------------------------------------------------------------


def test_update_records_only_the_changed_fields(leader):
    product = ProductFactory(name="Old", description="Same")
    updated = portfolio.product.update(
        actor=leader,
        instance=product,
        version=1,
        data={"name": "New", "description": "Same", "stage": "build"},
    )
    assert updated.version == 2
    product.refresh_from_db()
    assert (product.name, product.stage, product.version) == ("New", "build", 2)
    assert product.updated_by == leader
    record = changes_of(Product, product.pk).get()
    assert record.action == ChangeAction.UPDATE
    assert record.before == {"name": "Old", "stage": "discovery"}
    assert record.after == {"name": "New", "stage": "build"}


def test_each_update_bumps_the_version_by_one(leader):
    line = ProductLineFactory()
    for version in range(1, 5):
        line = portfolio.product_line.update(
            actor=leader, instance=line, version=version, data={"description": f"v{version}"}
        )
        assert line.version == version + 1
    assert changes_of(ProductLine, line.pk).count() == 4


def test_an_update_that_changes_nothing_writes_nothing(leader):
    product = ProductFactory(name="Same", arr=Decimal("12.30"))
    stamp = Product.objects.get(pk=product.pk).updated_at
    with unchanged(Product):
        result = portfolio.product.update(
            actor=leader,
            instance=product,
            version=1,
            data={"name": "Same", "arr": Decimal("12.3")},
        )
    assert result.version == 1
    assert Product.objects.get(pk=product.pk).updated_at == stamp


def test_decimals_written_at_another_scale_are_not_a_change(leader):
    kr = KeyResultFactory(start_value=0, target_value=100, current_value=25)
    with unchanged(KeyResult):
        strategy.key_result.update(
            actor=leader,
            instance=kr,
            version=1,
            data={"target_value": Decimal("100"), "current_value": Decimal("25.0")},
        )
    strategy.key_result.update(
        actor=leader, instance=kr, version=1, data={"current_value": Decimal("25.5")}
    )
    record = changes_of(KeyResult, kr.pk).get()
    assert record.before == {"current_value": "25.0000"}
    assert record.after == {"current_value": "25.5000"}


def test_a_stale_version_is_a_conflict_and_changes_nothing(leader):
    line = ProductLineFactory(name="Current")
    portfolio.product_line.update(actor=leader, instance=line, version=1, data={"name": "Two"})
    with unchanged(ProductLine), pytest.raises(ConflictError) as caught:
        portfolio.product_line.update(actor=leader, instance=line, version=1, data={"name": "X"})
    assert (caught.value.current_version, caught.value.given_version) == (2, 1)
    assert "version 1" in str(caught.value)
    assert "version is 2" in str(caught.value)


def test_a_future_version_is_a_conflict_too(leader):
    line = ProductLineFactory()
    with unchanged(ProductLine), pytest.raises(ConflictError):
        portfolio.product_line.update(actor=leader, instance=line, version=7, data={"name": "X"})


def test_without_a_version_the_system_may_update():
    line = ProductLineFactory()
    ProductLine.objects.filter(pk=line.pk).update(version=5)
    updated = portfolio.product_line.update(
        actor=None, instance=line, version=None, data={"name": "Y"}
    )
    assert updated.version == 6


def test_invalid_update_changes_nothing(leader):
    product = ProductFactory()
    with unchanged(Product), pytest.raises(ValidationError) as caught:
        portfolio.product.update(
            actor=leader, instance=product, version=1, data={"name": "Fine", "key": "lower"}
        )
    assert "key" in caught.value.message_dict


def test_refused_update_changes_nothing(viewer, make_user):
    contributor = make_user(Role.CONTRIBUTOR)
    stranger = make_user(Role.PRODUCT_MANAGER)
    product = ProductFactory()
    for actor in (viewer, contributor, stranger):
        with unchanged(Product), pytest.raises(PermissionDenied):
            portfolio.product.update(actor=actor, instance=product, version=1, data={"name": "N"})


def test_a_steward_may_not_move_an_object_under_what_they_do_not_steward(pm):
    mine = ProductFactory(product_line=ProductLineFactory(owner=pm))
    theirs = ProductFactory()
    feature = FeatureFactory(product=mine)
    with unchanged(Feature), pytest.raises(PermissionDenied, match="may not move"):
        roadmap.feature.update(actor=pm, instance=feature, version=1, data={"product": theirs})
    other_mine = ProductFactory(product_line=mine.product_line)
    moved = roadmap.feature.update(
        actor=pm, instance=feature, version=1, data={"product": other_mine}
    )
    assert moved.product == other_mine


def test_a_many_to_many_change_alone_is_a_change(leader):
    first, second = ObjectiveFactory(), ObjectiveFactory()
    feature = FeatureFactory()
    feature.objectives.add(first)
    updated = roadmap.feature.update(
        actor=leader, instance=feature, version=1, data={}, m2m={"objectives": [second]}
    )
    assert updated.version == 2
    assert list(feature.objectives.all()) == [second]
    record = changes_of(Feature, feature.pk).get()
    assert (record.before, record.after) == (
        {"objectives": [first.pk]},
        {"objectives": [second.pk]},
    )


def test_a_rule_of_the_service_refuses_before_anything_is_written(leader):
    feature = FeatureFactory(stage="idea")
    with unchanged(Feature), pytest.raises(ValidationError):
        roadmap.feature.update(
            actor=leader, instance=feature, version=1, data={"stage": "measured"}
        )


def test_update_fails_whole_when_the_change_log_fails(leader, monkeypatch):
    line = ProductLineFactory()

    def broken(**kwargs):
        raise RuntimeError("log unavailable")

    monkeypatch.setattr(writes.changelog, "record", broken)
    with unchanged(ProductLine), pytest.raises(RuntimeError):
        portfolio.product_line.update(actor=leader, instance=line, version=1, data={"name": "Z"})


# --- delete ----------------------------------------------------------------------------


def test_delete_records_the_last_state(leader):
    line = ProductLineFactory(name="Gone", description="Was here")
    pk = line.pk
    portfolio.product_line.delete(actor=leader, instance=line, version=1)
    assert not ProductLine.objects.filter(pk=pk).exists()
    record = changes_of(ProductLine, pk).get()
    assert record.action == ChangeAction.DELETE
    assert record.actor == leader
    assert record.object_id == pk
    assert record.object_repr == "Gone"
    assert record.after == {}
    assert record.before == {"name": "Gone", "description": "Was here", "owner": None}


def test_delete_with_a_stale_version_changes_nothing(leader):
    line = ProductLineFactory()
    ProductLine.objects.filter(pk=line.pk).update(version=2)
    with unchanged(ProductLine), pytest.raises(ConflictError):
        portfolio.product_line.delete(actor=leader, instance=line, version=1)


def test_refused_delete_changes_nothing(viewer):
    line = ProductLineFactory()
    with unchanged(ProductLine), pytest.raises(PermissionDenied):
        portfolio.product_line.delete(actor=viewer, instance=line)


def test_delete_of_a_protected_object_changes_nothing(leader):
    product = ProductFactory()
    with unchanged(ProductLine, Product), pytest.raises(ProtectedError):
        portfolio.product_line.delete(actor=leader, instance=product.product_line)


def test_an_inactive_admin_may_do_nothing(make_user):
    admin = make_user(Role.ADMIN, is_active=False)
    line = ProductLineFactory()
    with unchanged(ProductLine):
        with pytest.raises(PermissionDenied):
            portfolio.product_line.create(actor=admin, data={"name": "N"})
        with pytest.raises(PermissionDenied):
            portfolio.product_line.update(actor=admin, instance=line, version=1, data={"name": "N"})
        with pytest.raises(PermissionDenied):
            portfolio.product_line.delete(actor=admin, instance=line)


def test_delete_logs_the_references_it_clears_and_the_objects_it_takes_along(db):
    from pilothouse.core import writes
    from pilothouse.core.models import ChangeRecord
    from pilothouse.portfolio.models import ProductArea
    from pilothouse.roadmap.models import Feature
    from pilothouse.strategy.models import KeyResult, Objective
    from tests.factories import FeatureFactory, KeyResultFactory, ReleaseFactory

    release = ReleaseFactory()
    shipped = FeatureFactory(product=release.product, target_release=release)
    writes.delete(instance=release, actor=None, version=release.version)

    shipped.refresh_from_db()
    assert shipped.target_release_id is None
    assert shipped.version == 2
    cleared = ChangeRecord.objects.get(content_type__model="feature", object_id=shipped.pk)
    assert (cleared.action, cleared.before, cleared.after) == (
        "update",
        {"target_release": release.pk},
        {"target_release": None},
    )

    key_result = KeyResultFactory()
    objective = key_result.objective
    writes.delete(instance=objective, actor=None)
    assert not Objective.objects.filter(pk=objective.pk).exists()
    assert not KeyResult.objects.filter(pk=key_result.pk).exists()
    gone = ChangeRecord.objects.get(content_type__model="keyresult", object_id=key_result.pk)
    assert gone.action == "delete"
    assert gone.before["title"] == key_result.title
    assert Feature.objects.count() == 1
    assert ProductArea.objects.count() == 0


def test_text_with_a_nul_character_is_refused_naming_the_field(leader):
    line = ProductLineFactory()
    with unchanged(Product), pytest.raises(ValidationError) as refused:
        writes.create(
            model=Product,
            actor=leader,
            data={"name": "Bad\x00name", "key": "NUL", "product_line": line},
        )
    assert refused.value.message_dict == {"name": ["Text may not contain a NUL character."]}
