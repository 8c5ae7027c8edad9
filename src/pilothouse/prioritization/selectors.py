"""Every read of prioritization used by the pages and the API.

A ranked backlog or a comparison is one query whatever the size: the features in the
model's scope (with the filters) left-joined to their score under the model, as plain
values. Ranking, the scores of live models (custom formulas reading computed fields,
see schemes.py) and sorting then happen in Python over those rows; 20,000 features
take a fraction of a second.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, FilteredRelation, Q, QuerySet, TextField
from django.db.models.functions import Cast

from pilothouse.engines import scoring
from pilothouse.engines.scoring.ranking import DEFAULT_TOP_N
from pilothouse.prioritization import schemes
from pilothouse.prioritization.models import FeatureScore, ScoringModel
from pilothouse.roadmap.models import Feature, FeatureStage, KanoCategory

# The stages a backlog shows unless asked otherwise: work not yet started.
OPEN_STAGES = (FeatureStage.IDEA, FeatureStage.CANDIDATE, FeatureStage.PLANNED)
ANY_STAGE = "all"
STAGE_ORDER = {value: index for index, value in enumerate(FeatureStage.values)}
KANO_LABELS = dict(KanoCategory.choices)


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
    """The feature's score under every model covering it (two queries)."""
    covering = models_covering(feature=feature)
    stored = {
        row.scoring_model_id: row
        for row in FeatureScore.objects.filter(
            feature_id=feature.pk, scoring_model__in=[model.pk for model in covering]
        ).only("scoring_model_id", "inputs", "score", "version")
    }
    views = []
    for model in covering:
        scheme = schemes.scheme_of(model)
        row = stored.get(model.pk)
        inputs = row.inputs if row is not None else {}
        evaluated = schemes.evaluate(
            scheme,
            inputs,
            computed=schemes.computed_values(feature, scheme.computed),
            stored_score=row.score if row is not None else None,
        )
        views.append(
            ScoreView(
                scoring_model=model,
                scheme=scheme,
                inputs=dict(inputs),
                version=row.version if row is not None else None,
                evaluated=evaluated,
            )
        )
    return views


# --- backlogs ------------------------------------------------------------------------------


@dataclass(frozen=True)
class BacklogFilters:
    product_line_id: int | None = None
    product_id: int | None = None
    stage: str | None = None  # a FeatureStage, ANY_STAGE, or None for OPEN_STAGES
    owner_id: int | None = None

    def q(self) -> Q:
        condition = Q()
        if self.product_line_id:
            condition &= Q(product__product_line_id=self.product_line_id)
        if self.product_id:
            condition &= Q(product_id=self.product_id)
        if self.owner_id:
            condition &= Q(owner_id=self.owner_id)
        if self.stage == ANY_STAGE:
            pass
        elif self.stage:
            condition &= Q(stage=self.stage)
        else:
            condition &= Q(stage__in=OPEN_STAGES)
        return condition


def _scope(models: Iterable[ScoringModel]) -> Q:
    condition = Q()
    for model in models:
        if model.product_id is not None:
            condition &= Q(product_id=model.product_id)
    return condition


class _Values:
    """A row of values_list() read by column name (tuples are cheaper than values()
    dicts by the twenty thousand)."""

    __slots__ = ("index", "row")

    def __init__(self, index: dict[str, int], row: tuple) -> None:
        self.index, self.row = index, row

    def __getitem__(self, name: str) -> Any:
        return self.row[self.index[name]]


def _decoded(raw: Any) -> dict[str, Any]:
    """Stored inputs read as JSON text (see _scored_features) as a dict."""
    if raw is None:
        return {}
    return json.loads(raw) if isinstance(raw, str) else dict(raw)


def _score(scheme: scoring.Scheme, values: _Values, alias: str) -> float | None:
    """A feature's score under a model: stored, or for a live model computed now."""
    if not scheme.computed:
        return values[f"{alias}__score"]
    return schemes.evaluate(
        scheme,
        _decoded(values[f"{alias}_inputs"]),
        computed=schemes.computed_values(values, scheme.computed),
    ).score


class BacklogRow:
    """One feature of a backlog, with its score and rank under the model.

    What only a shown row needs (its inputs, the evaluation with a quadrant or an
    error) is worked out when first asked for: a backlog of 20,000 features decodes
    and evaluates only the page it shows (a live model's scores are computed for every
    row, since they decide the ranking).
    """

    def __init__(self, values: _Values, scheme: scoring.Scheme, alias: str) -> None:
        # The feature's columns come first, in FEATURE_COLUMNS' order.
        (
            self.feature_id,
            self.title,
            self.product_id,
            self.product_name,
            self.product_key,
            self.stage,
            self.owner_id,
            username,
            first_name,
            last_name,
            kano,
        ) = values.row[: len(FEATURE_COLUMNS)]
        full_name = f"{first_name} {last_name}".strip() if self.owner_id is not None else ""
        self.owner_name: str | None = full_name or username
        self.kano: str = kano or ""
        self.scheme = scheme
        self._raw_inputs = values[f"{alias}_inputs"]
        self._stored_score = values[f"{alias}__score"]
        self._computed = (
            schemes.computed_values(values, scheme.computed) if scheme.computed else None
        )
        self.score: float | None = _score(scheme, values, alias)
        self.rank: int | None = None
        self.shown_inputs: list[tuple[str, Any]] = []  # set by a page for its rows

    @functools.cached_property
    def inputs(self) -> dict[str, Any]:
        return _decoded(self._raw_inputs)

    @functools.cached_property
    def evaluated(self) -> schemes.Evaluated:
        return schemes.evaluate(
            self.scheme, self.inputs, computed=self._computed, stored_score=self._stored_score
        )

    @property
    def category_label(self) -> str | None:
        category = self.evaluated.category
        return self.scheme.categories.get(category) if category else None

    @property
    def stage_label(self) -> str:
        return FeatureStage(self.stage).label

    @property
    def kano_label(self) -> str:
        return KANO_LABELS.get(self.kano, "")


FEATURE_COLUMNS = (
    "id",
    "title",
    "product_id",
    "product__name",
    "product__key",
    "stage",
    "owner_id",
    "owner__username",
    "owner__first_name",
    "owner__last_name",
    "kano",
)


def _scored_features(
    models: list[ScoringModel], filters: BacklogFilters
) -> tuple[list[_Values], list[str]]:
    """One query: the features in every model's scope matching the filters, each with
    its stored score and inputs under each model (s0__score, s0_inputs, s1__score...).
    The inputs come as JSON text, decoded only for the rows that need them."""
    relations: dict[str, Any] = {
        f"s{index}": FilteredRelation(
            "feature_scores", condition=Q(feature_scores__scoring_model=model)
        )
        for index, model in enumerate(models)
    }
    texts = {f"{alias}_inputs": Cast(f"{alias}__inputs", TextField()) for alias in relations}
    computed: list[str] = []
    for model in models:
        computed += [c for c in schemes.computed_columns(model) if c not in computed]
    columns = [*FEATURE_COLUMNS, *computed, *texts]
    columns += [f"{alias}__score" for alias in relations]
    rows = (
        Feature.objects.filter(_scope(models) & filters.q())
        .annotate(**relations)
        .annotate(**texts)
        .order_by("title", "id")
        .values_list(*columns)
    )
    index = {name: position for position, name in enumerate(columns)}
    return [_Values(index, row) for row in rows], list(relations)


def _sort_key(name: str):
    if name == "rank":
        return lambda row: row.rank
    if name == "title":
        return lambda row: row.title.casefold()
    if name == "product":
        return lambda row: row.product_name.casefold()
    if name == "stage":
        return lambda row: STAGE_ORDER.get(row.stage, 99)
    if name == "owner":
        return lambda row: row.owner_name.casefold() if row.owner_name else None
    if name == "kano":
        return lambda row: row.kano_label or None
    raise KeyError(name)


BACKLOG_SORTS = ("rank", "title", "product", "stage", "owner", "kano")
DEFAULT_BACKLOG_SORT = "rank"


def sorted_rows(rows: list[BacklogRow], sort: str) -> list[BacklogRow]:
    """Rows sorted by a key of BACKLOG_SORTS ("-" first for descending); rows without
    a value for the key (no rank, no owner) stay last either way. Stable: ties keep
    the rank order."""
    name = sort.lstrip("-")
    if name not in BACKLOG_SORTS:
        name, sort = DEFAULT_BACKLOG_SORT, DEFAULT_BACKLOG_SORT
    key = _sort_key(name)
    valued = [row for row in rows if key(row) is not None]
    empty = [row for row in rows if key(row) is None]
    valued.sort(key=key, reverse=sort.startswith("-"))
    return valued + empty


def backlog(
    *,
    scoring_model: ScoringModel,
    filters: BacklogFilters | None = None,
    sort: str = DEFAULT_BACKLOG_SORT,
) -> list[BacklogRow]:
    """The features in the model's scope matching `filters`, each with its inputs,
    score and competition rank among them (unscored ones unranked, last), sorted by
    `sort` (see `sorted_rows`). One query."""
    rows, (alias,) = _scored_features([scoring_model], filters or BacklogFilters())
    scheme = schemes.scheme_of(scoring_model)
    result = [BacklogRow(values, scheme, alias) for values in rows]
    ranks = scoring.ranks({row.feature_id: row.score for row in result})
    for row in result:
        row.rank = ranks[row.feature_id]
    by_rank = sorted_rows(result, DEFAULT_BACKLOG_SORT)
    return by_rank if sort == DEFAULT_BACKLOG_SORT else sorted_rows(by_rank, sort)


# --- comparisons ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ComparedRow:
    feature: BacklogRow
    move: scoring.Move


@dataclass(frozen=True)
class ModelComparison:
    first: ScoringModel
    second: ScoringModel
    result: scoring.Comparison
    rows: list[ComparedRow]  # in the first model's ranking order

    @property
    def features(self) -> int:
        return len(self.rows)


def comparison(
    *,
    first: ScoringModel,
    second: ScoringModel,
    filters: BacklogFilters | None = None,
    top_n: int = DEFAULT_TOP_N,
) -> ModelComparison:
    """How two models rank the features both cover (matching `filters`): the
    correlations, the top-N overlap, and each feature's rank under both. One query."""
    rows, aliases = _scored_features([first, second], filters or BacklogFilters())
    first_scheme, second_scheme = schemes.scheme_of(first), schemes.scheme_of(second)
    features: dict[int, BacklogRow] = {}
    first_scores: dict[int, float | None] = {}
    second_scores: dict[int, float | None] = {}
    for values in rows:
        row = BacklogRow(values, first_scheme, aliases[0])
        features[row.feature_id] = row
        first_scores[row.feature_id] = row.score
        second_scores[row.feature_id] = _score(second_scheme, values, aliases[1])
    result = scoring.compare(first_scores, second_scores, top_n=top_n)
    compared = [ComparedRow(feature=features[move.key], move=move) for move in result.moves]
    return ModelComparison(first=first, second=second, result=result, rows=compared)
