"""Every read of features and releases used by views and the API."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OrderBy,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
from django.db.models.functions import RowNumber

from pilothouse.core import panels
from pilothouse.portfolio.models import Product
from pilothouse.roadmap.dependencies import CONFLICT_COLUMNS
from pilothouse.roadmap.models import (
    Dependency,
    Feature,
    FeatureStage,
    FeatureTag,
    Milestone,
    Release,
    ReleaseStatus,
)
from pilothouse.strategy.models import Objective


def feature_list() -> QuerySet[Feature]:
    return Feature.objects.select_related(
        "product", "area", "initiative", "owner", "target_release"
    ).prefetch_related(Prefetch("objectives", queryset=Objective.objects.only("id", "title")))


def feature_api_list() -> QuerySet[Feature]:
    """Features with everything the API shows of them: also their tags and blockers (with
    what their schedule conflicts need)."""
    return feature_list().prefetch_related(
        Prefetch("tags", queryset=FeatureTag.objects.only("id", "name")),
        # With each blocker's schedule: decorate_conflicts reads no more.
        Prefetch(
            "blocked_by",
            queryset=Dependency.objects.select_related("blocker__target_release").only(
                "id", *CONFLICT_COLUMNS
            ),
        ),
    )


def milestone_list() -> QuerySet[Milestone]:
    return Milestone.objects.prefetch_related(
        Prefetch("products", queryset=Product.objects.only("id", "name", "key"))
    )


def dependency_list() -> QuerySet[Dependency]:
    return Dependency.objects.select_related("blocker", "blocked")


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
    # Meta.ordering does not apply to a GROUP BY query: order explicitly.
    return (
        Release.objects.select_related("product")
        .annotate(feature_count=Count("features"))
        .order_by(*Release._meta.ordering)
    )


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


def feature_stage_totals() -> dict[str, int]:
    """{stage: number of features} over the whole portfolio, in one query."""
    rows = Feature.objects.values("stage").annotate(n=Count("id")).order_by()
    return {row["stage"]: row["n"] for row in rows}


def features_by_stage(*, product_id: int, per_stage: int) -> dict[str, list[Feature]]:
    """Up to `per_stage` features of a product in each stage, latest updated first.

    One query: a window function numbers the features within each stage.
    """
    rank = Window(RowNumber(), partition_by=[F("stage")], order_by=[F("updated_at").desc()])
    qs = (
        Feature.objects.filter(product_id=product_id)
        .select_related("owner")
        .annotate(rank_in_stage=rank)
        .filter(rank_in_stage__lte=per_stage)
        .order_by("stage", "rank_in_stage")
    )
    grouped: dict[str, list[Feature]] = defaultdict(list)
    for feature in qs:
        grouped[feature.stage].append(feature)
    return grouped


def _stage_rank() -> Case:
    """The stage's position in the pipeline, to sort by stage in a meaningful order."""
    return Case(
        *(When(stage=value, then=Value(i)) for i, value in enumerate(FeatureStage.values)),
        output_field=IntegerField(),
    )


# Sort keys offered by the feature list -> the ordering they stand for.
FEATURE_SORTS = {
    "title": [F("title").asc()],
    "product": [F("product__name").asc()],
    "stage": [_stage_rank().asc()],
    "owner": [F("owner__username").asc(nulls_last=True)],
    "effort": [F("effort_high").asc(nulls_last=True), F("effort_low").asc(nulls_last=True)],
    "updated": [F("updated_at").asc()],
    "importance": [F("demand_importance").asc()],
    "arr_demand": [F("demand_arr").asc()],
    "requests": [F("demand_requests").asc()],
}
DEFAULT_FEATURE_SORT = "-updated"


def feature_sorted(qs: QuerySet[Feature], sort: str) -> QuerySet[Feature]:
    """Order features by a sort key of FEATURE_SORTS, "-" first for descending."""
    name = sort.lstrip("-")
    terms = FEATURE_SORTS.get(name)
    if terms is None:
        return feature_sorted(qs, DEFAULT_FEATURE_SORT)
    if sort.startswith("-"):
        terms = [_reversed(term) for term in terms]
    return qs.order_by(*terms, "-id" if sort.startswith("-") else "id")


def _reversed(term: OrderBy) -> OrderBy:
    # Empty values stay last in both directions: they are the least informative.
    return OrderBy(term.expression, descending=not term.descending, nulls_last=term.nulls_last)


def releases_due(*, start: datetime.date, end: datetime.date) -> QuerySet[Release]:
    """Planned or running releases with a target date in [start, end], soonest first."""
    return (
        release_list()
        .filter(
            target_date__range=(start, end),
            status__in=[ReleaseStatus.PLANNED, ReleaseStatus.IN_PROGRESS],
        )
        .order_by("target_date", "name")
    )


def release_detail(*, pk: int) -> Release:
    return release_list().select_related("product__product_line").get(pk=pk)


def release_features(*, release: Release) -> QuerySet[Feature]:
    return feature_list().filter(target_release=release).order_by("title")


def objective_features(*, objective_id: int) -> QuerySet[Feature]:
    return Feature.objects.filter(objectives__id=objective_id).select_related("product", "owner")


def initiative_features(*, initiative_id: int) -> QuerySet[Feature]:
    return Feature.objects.filter(initiative_id=initiative_id).select_related("product", "owner")


def release_choices() -> QuerySet[Release]:
    """Releases to pick from in a form, with their products for the labels."""
    return Release.objects.select_related("product").order_by("product__name", "name")


def feature_detail(*, pk: int) -> Feature:
    """A feature with everything its page and the permission check need."""
    return (
        feature_list()
        .select_related("product__product_line", "product__owner", "updated_by")
        .annotate(**panels.annotations(Feature))
        .get(pk=pk)
    )


def feature_page(*, pk: int) -> Feature:
    """feature_detail for the feature's own page, without the objectives' query of its
    own: the page reads them with the tags (feature_labels)."""
    return (
        feature_list()
        .prefetch_related(None)
        .select_related("product__product_line", "product__owner", "updated_by")
        .annotate(**panels.annotations(Feature))
        .get(pk=pk)
    )


@dataclass(frozen=True)
class Label:
    """An objective or a tag as the feature page names (and links) it."""

    pk: int
    name: str


def feature_labels(*, feature_id: int) -> tuple[list[Label], list[Label]]:
    """A feature's objectives (by period, then title) and tags (by name). One query:
    both links tables, stacked."""
    columns = ("kind", "ref", "label", "rank")
    objectives = (
        Feature.objectives.through.objects.filter(feature_id=feature_id)
        .annotate(
            kind=Value("objective"),
            ref=F("objective_id"),
            label=F("objective__title"),
            rank=F("objective__period"),
        )
        .values_list(*columns)
    )
    tags = (
        Feature.tags.through.objects.filter(feature_id=feature_id)
        .annotate(
            kind=Value("tag"), ref=F("featuretag_id"), label=F("featuretag__name"), rank=Value("")
        )
        .values_list(*columns)
    )
    found: dict[str, list[Label]] = {"objective": [], "tag": []}
    stacked = objectives.union(tags, all=True).order_by("kind", "rank", "label", "ref")
    for kind, pk, name, _rank in stacked:
        found[kind].append(Label(pk=pk, name=name))
    return found["objective"], found["tag"]
