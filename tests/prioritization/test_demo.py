"""The demo organization's prioritization: three portfolio models with inputs for most
features, stored scores that are what the services would compute, and determinism."""

from __future__ import annotations

import pytest
from django.db import transaction

from pilothouse import demo
from pilothouse.core.models import ChangeRecord, User
from pilothouse.prioritization import selectors, services
from pilothouse.prioritization.models import FeatureScore, ScoringModel
from pilothouse.roadmap.models import Feature
from tests.demo.conftest import TODAY


def _rows() -> list[tuple]:
    """The scores, named by what they are about (ids differ between builds on
    PostgreSQL, whose sequences a rollback does not reset)."""
    rows = FeatureScore.objects.values_list(
        "scoring_model__name",
        "feature__product__key",
        "feature__title",
        "inputs",
        "score",
        "created_at",
    )
    return sorted(rows, key=lambda row: (row[:3], sorted(row[3].items()), str(row[4])))


@pytest.mark.django_db
def test_the_demo_scores_most_features_under_three_portfolio_models():
    summary = demo.build(scale="small", seed=42, today=TODAY)
    models = {model.name: model for model in ScoringModel.objects.all()}
    assert sorted(models) == ["Customer value scorecard", "RICE", "WSJF"]
    assert {model.framework for model in models.values()} == {"rice", "wsjf", "custom"}
    assert all(model.product_id is None for model in models.values())
    assert summary.scoring_models == 3
    assert summary.feature_scores == FeatureScore.objects.count()
    features = Feature.objects.count()
    for name, least in [("RICE", 0.75), ("WSJF", 0.6), ("Customer value scorecard", 0.65)]:
        scored = FeatureScore.objects.filter(scoring_model=models[name]).count()
        assert scored >= least * features, name
    # Generated rows, as the rest of the demo: nothing in the change log.
    assert not ChangeRecord.objects.filter(content_type__app_label="prioritization").exists()

    # The stored scores are what the services compute: re-scoring changes no row.
    for model in models.values():
        assert services.rescore(scoring_model=model).written == 0
    # The custom model reads computed fields: its scores are computed when read.
    custom = models["Customer value scorecard"]
    assert not FeatureScore.objects.filter(scoring_model=custom, score__isnull=False).exists()
    rows = selectors.backlog(scoring_model=custom, filters=selectors.BacklogFilters(stage="all"))
    assert sum(1 for row in rows if row.rank is not None) > features // 3
    # Some inputs are left incomplete on purpose, to show it.
    rice = selectors.backlog(scoring_model=models["RICE"])
    assert any(row.evaluated.complete is False and row.inputs for row in rice)
    assert rice[0].rank == 1


@pytest.mark.django_db
def test_the_demo_prioritization_is_deterministic():
    def build() -> list[tuple]:
        with transaction.atomic():
            demo.build(scale="small", seed=7, today=TODAY)
            rows = _rows()
            transaction.set_rollback(True)
        assert not User.objects.exists()
        return rows

    first = build()
    assert first
    assert build() == first
