"""Every read of features and releases used by views and the API."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Count, Prefetch, Q, QuerySet

from pilothouse.roadmap.models import Feature, FeatureStage, Release
from pilothouse.strategy.models import Objective


def feature_list() -> QuerySet[Feature]:
    return Feature.objects.select_related(
        "product", "area", "initiative", "owner", "target_release"
    ).prefetch_related(Prefetch("objectives", queryset=Objective.objects.only("id", "title")))


def feature_search(
    *,
    product_id: int | None = None,
    stage: str | None = None,
    owner_id: int | None = None,
    objective_id: int | None = None,
    text: str | None = None,
) -> QuerySet[Feature]:
    qs = feature_list()
    if product_id:
        qs = qs.filter(product_id=product_id)
    if stage:
        qs = qs.filter(stage=stage)
    if owner_id:
        qs = qs.filter(owner_id=owner_id)
    if objective_id:
        qs = qs.filter(objectives__id=objective_id)
    if text:
        qs = qs.filter(Q(title__icontains=text) | Q(description__icontains=text))
    return qs


def release_list() -> QuerySet[Release]:
    return Release.objects.select_related("product").annotate(feature_count=Count("features"))


def feature_stage_counts(*, product_ids: Iterable[int] | None = None) -> dict[int, dict[str, int]]:
    """{product_id: {stage: count}} in one query."""
    qs = Feature.objects.all()
    if product_ids is not None:
        qs = qs.filter(product_id__in=list(product_ids))
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for row in qs.values("product_id", "stage").annotate(n=Count("id")).order_by():
        counts[row["product_id"]][row["stage"]] = row["n"]
    return counts


def stage_order() -> list[tuple[str, str]]:
    return list(FeatureStage.choices)
