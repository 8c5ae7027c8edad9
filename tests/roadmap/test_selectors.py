"""Reads of features and releases."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pilothouse.roadmap import selectors
from pilothouse.roadmap.models import FeatureStage
from tests.factories import (
    FeatureFactory,
    InitiativeFactory,
    ObjectiveFactory,
    ProductAreaFactory,
    ProductFactory,
    ReleaseFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_feature_stage_counts_in_one_query():
    first, second, untouched = ProductFactory(), ProductFactory(), ProductFactory()
    for stage, n in [("idea", 3), ("planned", 2), ("released", 1)]:
        for _ in range(n):
            FeatureFactory(product=first, stage=stage)
    FeatureFactory(product=second, stage="rejected")
    with CaptureQueriesContext(connection) as queries:
        counts = selectors.feature_stage_counts()
    assert len(queries) == 1
    assert counts == {
        first.pk: {"idea": 3, "planned": 2, "released": 1},
        second.pk: {"rejected": 1},
    }
    assert counts[untouched.pk] == {}  # a product without features counts nothing


def test_feature_stage_counts_of_some_products():
    first, second = ProductFactory(), ProductFactory()
    FeatureFactory(product=first, stage="idea")
    FeatureFactory(product=second, stage="idea")
    assert selectors.feature_stage_counts(product_ids=[second.pk]) == {second.pk: {"idea": 1}}
    assert selectors.feature_stage_counts(product_ids=iter([first.pk])) == {first.pk: {"idea": 1}}
    assert selectors.feature_stage_counts(product_ids=[]) == {}


def test_feature_stage_counts_ignore_model_ordering():
    """Feature's default ordering must not split the groups (one row per product and stage)."""
    product = ProductFactory()
    for _ in range(5):
        FeatureFactory(product=product, stage="idea")
    assert selectors.feature_stage_counts() == {product.pk: {"idea": 5}}


def test_stage_order_is_the_lifecycle():
    assert [value for value, _ in selectors.stage_order()] == [
        "idea",
        "candidate",
        "planned",
        "in_progress",
        "released",
        "measured",
        "rejected",
    ]
    assert dict(selectors.stage_order())[FeatureStage.IN_PROGRESS] == "In progress"


def make_full_feature(**kwargs):
    product = kwargs.pop("product", None) or ProductFactory()
    feature = FeatureFactory(
        product=product,
        area=ProductAreaFactory(product=product),
        initiative=InitiativeFactory(),
        owner=UserFactory(),
        target_release=ReleaseFactory(product=product),
        **kwargs,
    )
    feature.objectives.add(ObjectiveFactory())
    return feature


def read_features(qs) -> list:
    return [
        (
            f.product.name,
            f.area.name,
            f.initiative.title,
            f.owner.username,
            f.target_release.name,
            [o.title for o in f.objectives.all()],
        )
        for f in qs
    ]


def test_feature_list_costs_two_queries_whatever_the_size():
    for _ in range(3):
        make_full_feature()
    with CaptureQueriesContext(connection) as small:
        assert len(read_features(selectors.feature_list())) == 3
    for _ in range(12):
        make_full_feature()
    with CaptureQueriesContext(connection) as large:
        assert len(read_features(selectors.feature_list())) == 15
    assert len(small) == len(large) == 2


def test_feature_search_filters():
    product = ProductFactory()
    owner = UserFactory()
    objective = ObjectiveFactory()
    match = FeatureFactory(
        product=product, stage="planned", owner=owner, title="Bulk export", description=""
    )
    match.objectives.add(objective)
    in_text = FeatureFactory(product=product, description="needs an EXPORT button")
    FeatureFactory(title="Something else")

    def found(**kwargs):
        return sorted(f.pk for f in selectors.feature_search(**kwargs))

    assert found(product_id=product.pk) == sorted([match.pk, in_text.pk])
    assert found(stage="planned") == [match.pk]
    assert found(owner_id=owner.pk) == [match.pk]
    assert found(objective_id=objective.pk) == [match.pk]
    assert found(text="export") == sorted([match.pk, in_text.pk])
    assert found(text="export", stage="planned", product_id=product.pk) == [match.pk]
    assert len(found()) == 3


def test_release_list_counts_features():
    busy, empty = ReleaseFactory(), ReleaseFactory()
    for _ in range(3):
        FeatureFactory(product=busy.product, target_release=busy)
    with CaptureQueriesContext(connection) as queries:
        counts = {r.pk: (r.feature_count, r.product.key) for r in selectors.release_list()}
    assert len(queries) == 1
    assert counts[busy.pk][0] == 3
    assert counts[empty.pk][0] == 0


def test_release_list_is_ordered_by_date_then_name():
    product = ProductFactory()
    late = ReleaseFactory(product=product, name="A", target_date=dt.date(2026, 9, 1))
    early_b = ReleaseFactory(product=product, name="B", target_date=dt.date(2026, 3, 1))
    early_a = ReleaseFactory(product=product, name="A2", target_date=dt.date(2026, 3, 1))
    FeatureFactory(product=product, target_release=late)
    ordered = [r.pk for r in selectors.release_list() if r.target_date is not None]
    assert ordered == [early_a.pk, early_b.pk, late.pk]
