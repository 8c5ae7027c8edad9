"""Every read of prioritization used by the pages and the API.

Ranked backlogs and comparisons are read a page at a time, in a fixed number of
queries: backlogs.py says how (stored scores ranked by the database, live ones in
Python).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, FilteredRelation, Q, QuerySet

from pilothouse.engines import scoring
from pilothouse.engines.scoring.ranking import DEFAULT_TOP_N
from pilothouse.prioritization import backlogs, schemes
from pilothouse.prioritization.backlogs import (
    DEFAULT_BACKLOG_SORT,
    Backlog,
    BacklogFilters,
    BacklogRow,
    ModelComparison,
)
from pilothouse.prioritization.models import FeatureScore, ScoringModel
from pilothouse.roadmap.models import Feature


def scoring_model_list() -> QuerySet[ScoringModel]:
    """Scoring models with their scope and the number of features given inputs."""
    return (
        ScoringModel.objects.select_related("product")
        .annotate(scored_features=Count("scores"))
        .order_by(*ScoringModel._meta.ordering)
    )


def scoring_model_detail(*, pk: int) -> ScoringModel:
    """A model with what its page and the permission check need."""
    return ScoringModel.objects.select_related("product__product_line").get(pk=pk)


def scoring_model_choices() -> QuerySet[ScoringModel]:
    return ScoringModel.objects.select_related("product").order_by("name")


def models_covering(*, feature: Feature) -> list[ScoringModel]:
    """The models that score `feature`: the portfolio's and its product's, by name."""
    return list(
        ScoringModel.objects.filter(Q(product__isnull=True) | Q(product_id=feature.product_id))
        .select_related("product")
        .order_by("name")
    )


@dataclass(frozen=True)
class ScoreView:
    """A feature's score under one model, as shown: the inputs given (name -> value),
    the score's version (None before any input was given), and the evaluation."""

    scoring_model: ScoringModel
    scheme: scoring.Scheme
    inputs: dict[str, Any]
    version: int | None
    evaluated: schemes.Evaluated

    @property
    def category_label(self) -> str | None:
        category = self.evaluated.category
        return self.scheme.categories.get(category) if category else None

    @property
    def shown_inputs(self) -> list[tuple[str, str | None]]:
        """(label, value as shown) of each input; a value on a scale shows its label."""
        shown = []
        for spec in self.scheme.inputs:
            value = self.inputs.get(spec.name)
            labels = {choice.value: choice.label for choice in spec.choices}
            text = None if value is None else labels.get(float(value), f"{value:g}")
            shown.append((spec.label, text))
        return shown


def feature_scores(*, feature: Feature) -> list[ScoreView]:
    """The feature's score under every model covering it (one query: the models joined
    to the feature's score under each, if any)."""
    own = FilteredRelation("scores", condition=Q(scores__feature_id=feature.pk))
    covering = (
        ScoringModel.objects.filter(Q(product__isnull=True) | Q(product_id=feature.product_id))
        .select_related("product")
        .annotate(own=own)
        .annotate(
            own_id=F("own__id"),
            own_inputs=F("own__inputs"),
            own_score=F("own__score"),
            own_version=F("own__version"),
        )
        .order_by("name")
    )
    views = []
    for model in covering:
        scheme = schemes.scheme_of(model)
        scored = model.own_id is not None
        inputs = model.own_inputs if scored else {}
        evaluated = schemes.evaluate(
            scheme,
            inputs,
            computed=schemes.computed_values(feature, scheme.computed),
            stored_score=model.own_score if scored else None,
        )
        views.append(
            ScoreView(
                scoring_model=model,
                scheme=scheme,
                inputs=dict(inputs),
                version=model.own_version if scored else None,
                evaluated=evaluated,
            )
        )
    return views


def paged_backlog(
    *,
    scoring_model: ScoringModel,
    filters: BacklogFilters | None = None,
    sort: str = DEFAULT_BACKLOG_SORT,
) -> Backlog:
    """The features in the model's scope matching `filters`, each with its score and
    competition rank among them (unscored ones unranked, last), sorted by `sort` (a key
    of BACKLOG_SORTS, "-" first for descending; rows without a value for the key stay
    last, ties keep the rank order). Read a page at a time: two queries for a stored
    model ranked by rank (the totals and the page), else one."""
    return Backlog(scoring_model=scoring_model, filters=filters, sort=sort)


def backlog(
    *,
    scoring_model: ScoringModel,
    filters: BacklogFilters | None = None,
    sort: str = DEFAULT_BACKLOG_SORT,
) -> list[BacklogRow]:
    """Every row of `paged_backlog` at once, in one query."""
    return paged_backlog(scoring_model=scoring_model, filters=filters, sort=sort)[:]


def comparison(
    *,
    first: ScoringModel,
    second: ScoringModel,
    filters: BacklogFilters | None = None,
    top_n: int = DEFAULT_TOP_N,
) -> ModelComparison:
    """How two models rank the features both cover (matching `filters`): the
    correlations, the top-N overlap, and each feature's rank under both (`rows`, in
    the first model's order, read a page at a time). One query, plus one per page."""
    return backlogs.compare(
        first=first, second=second, filters=filters or BacklogFilters(), top_n=top_n
    )


def stored_scores(*, scoring_model: ScoringModel) -> QuerySet:
    """(feature_id, score) of each feature the model covers (its product's, for a
    product's model) and has scored, as stored: for models that are not live
    (schemes.is_live), whose scores are kept up to date in FeatureScore."""
    in_scope = Q(scoring_model=scoring_model, score__isnull=False)
    if scoring_model.product_id is not None:
        in_scope &= Q(feature__product_id=scoring_model.product_id)
    return FeatureScore.objects.filter(in_scope).values_list("feature_id", "score")
