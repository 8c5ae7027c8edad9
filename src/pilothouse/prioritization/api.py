"""/api/v1 routers of prioritization: /scoring-models (the standard five endpoints, plus
/scoring-models/{id}/backlog and /scoring-models/{id}/compare/{other_id}), and
/features/{id}/scores with PUT and DELETE /features/{id}/scores/{model_id} (a router
mounted beside the roadmap's own /features router, so roadmap knows nothing of this app).

No `from __future__ import annotations`: ninja reads the endpoint signatures.
"""

from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, FilterLookup, FilterSchema, Query, Router, Schema
from pydantic import AliasChoices, ConfigDict

from pilothouse.api import crud
from pilothouse.engines.scoring.ranking import DEFAULT_TOP_N
from pilothouse.portfolio.models import Product
from pilothouse.prioritization import backlogs, schemes, selectors, services
from pilothouse.prioritization.models import Framework, ScoringModel
from pilothouse.roadmap import selectors as roadmap_selectors
from pilothouse.roadmap.models import Feature, FeatureStage

PRODUCT_HELP = "The product whose features it scores; null for the whole portfolio"
# Accept "product" too: the natural spelling of the scope, and an unknown key is an error.
PRODUCT_ALIASES = AliasChoices("product_id", "product")
FORMULA_HELP = (
    "Custom models only. Numbers, input names, the computed fields importance_score, "
    "arr_demand, requests, customers, effort_low, effort_high; + - * / ^ (power), "
    "parentheses; min(a, ...), max(a, ...), abs(x), sqrt(x), log(x), log(x, base). "
    "At most 2,000 characters. Errors give the 0-based position."
)


class InputFieldIn(Schema):
    """One input a custom model asks for."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(description="Lowercase letters, digits and _, starting with a letter")
    label: str = ""
    min: float | None = None
    max: float | None = None
    help: str = ""


class ScoringModelIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str
    framework: Framework
    description: str = ""
    formula: str = Field("", description=FORMULA_HELP)
    input_fields: list[InputFieldIn] = Field([], description="Custom models only")
    product_id: int | None = Field(None, validation_alias=PRODUCT_ALIASES, description=PRODUCT_HELP)


class ScoringModelPatch(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    framework: Framework | None = Field(None, description="Cannot change once created")
    description: str | None = None
    formula: str | None = Field(None, description=FORMULA_HELP)
    input_fields: list[InputFieldIn] | None = None
    product_id: int | None = Field(None, validation_alias=PRODUCT_ALIASES, description=PRODUCT_HELP)
    version: int


class ChoiceOut(Schema):
    value: float
    label: str


class InputSpecOut(Schema):
    name: str
    label: str
    help: str
    min: float | None
    max: float | None
    integer: bool
    choices: list[ChoiceOut]


class ScoringModelOut(crud.VersionedOut):
    name: str
    framework: Framework
    description: str
    formula: str
    input_fields: list[dict[str, Any]]
    product_id: int | None
    scored_features: int = Field(0, description="Features given inputs under it")
    score_formula: str = Field(description="How the score is computed (all frameworks)")
    inputs: list[InputSpecOut] = Field(description="The inputs it asks for, with their scales")
    computed_fields: list[str] = Field(
        description="Computed fields its formula reads: its scores are computed when read"
    )

    @staticmethod
    def resolve_score_formula(obj: ScoringModel) -> str:
        return schemes.scheme_of(obj).formula

    @staticmethod
    def resolve_inputs(obj: ScoringModel) -> list[dict[str, Any]]:
        return [
            {
                "name": spec.name,
                "label": spec.label,
                "help": spec.help,
                "min": spec.minimum,
                "max": spec.maximum,
                "integer": spec.integer,
                "choices": [{"value": c.value, "label": c.label} for c in spec.choices],
            }
            for spec in schemes.scheme_of(obj).inputs
        ]

    @staticmethod
    def resolve_computed_fields(obj: ScoringModel) -> list[str]:
        return list(schemes.scheme_of(obj).computed)


class ScoringModelFilters(FilterSchema):
    q: Annotated[str | None, FilterLookup("name__icontains")] = None
    framework: Framework | None = None
    product_id: int | None = None
    portfolio_wide: Annotated[bool | None, FilterLookup("product__isnull")] = Field(
        None, description="true: the portfolio's models; false: the products' models"
    )


scoring_models = Router(tags=["prioritization"])
crud.register(
    scoring_models,
    crud.Resource(
        model=ScoringModel,
        out=ScoringModelOut,
        create_in=ScoringModelIn,
        update_in=ScoringModelPatch,
        filters=ScoringModelFilters,
        select=selectors.scoring_model_list,
        create=services.scoring_model.create,
        update=services.scoring_model.update,
        delete=services.scoring_model.delete,
        ordering=("id", "name", "framework", "scored_features", "created_at", "updated_at"),
        default_ordering="name",
        refs={"product_id": ("product", Product)},
    ),
)


# --- ranked backlog and comparison -----------------------------------------------------------

STAGE_HELP = "A stage, or 'all'; by default idea, candidate and planned (work still to decide)"


class BacklogItemOut(Schema):
    rank: int | None = Field(description="Competition rank (ties share it); null: no score")
    feature_id: int
    title: str
    product_id: int
    stage: FeatureStage
    owner_id: int | None
    kano: str = Field(description="The feature's Kano category, '' if none")
    score: float | None
    complete: bool = Field(description="false: an input (or computed figure) is missing")
    category: str | None = Field(None, description="Value vs effort: the quadrant")
    error: str | None = Field(None, description="Why a complete score could not be computed")
    inputs: dict[str, int | float]


def _filters(
    product_line_id: int | None, product_id: int | None, stage: str | None, owner_id: int | None
) -> selectors.BacklogFilters:
    if stage and stage != backlogs.ANY_STAGE and stage not in FeatureStage.values:
        choices = ", ".join([*FeatureStage.values, backlogs.ANY_STAGE])
        raise ValidationError({"stage": f"unknown stage {stage!r}; choose from: {choices}"})
    return selectors.BacklogFilters(
        product_line_id=product_line_id, product_id=product_id, stage=stage, owner_id=owner_id
    )


def _backlog_item(row: backlogs.BacklogRow) -> dict[str, Any]:
    return {
        "rank": row.rank,
        "feature_id": row.feature_id,
        "title": row.title,
        "product_id": row.product_id,
        "stage": row.stage,
        "owner_id": row.owner_id,
        "kano": row.kano,
        "score": row.score,
        "complete": row.evaluated.complete,
        "category": row.evaluated.category,
        "error": row.evaluated.error,
        "inputs": row.inputs,
    }


def _model(pk: int) -> ScoringModel:
    return get_object_or_404(ScoringModel.objects.select_related("product"), pk=pk)


@scoring_models.get(
    "/{int:pk}/backlog",
    response={200: crud.Page[BacklogItemOut], **crud.ERRORS},
    summary="The features a scoring model ranks, best first",
    operation_id="scoringmodel_backlog",
)
def scoring_model_backlog(
    request: HttpRequest,
    pk: int,
    product_line_id: int | None = None,
    product_id: int | None = None,
    stage: str | None = Query(None, description=STAGE_HELP),
    owner_id: int | None = None,
    limit: int = Query(crud.DEFAULT_LIMIT, ge=1, le=crud.MAX_LIMIT),
    offset: int = Query(0, ge=0),
    ordering: str | None = Query(
        None,
        description="One of " + ", ".join(backlogs.BACKLOG_SORTS) + "; '-' for descending; "
        "unranked features and empty values stay last",
    ),
):
    model = _model(pk)
    sort = ordering or backlogs.DEFAULT_BACKLOG_SORT
    if sort.lstrip("-") not in backlogs.BACKLOG_SORTS:
        choices = ", ".join(backlogs.BACKLOG_SORTS)
        raise ValidationError({"ordering": f"cannot order by {sort!r}; choose from: {choices}"})
    rows = selectors.paged_backlog(
        scoring_model=model,
        filters=_filters(product_line_id, product_id, stage, owner_id),
        sort=sort,
    )
    items = [_backlog_item(row) for row in rows[offset : offset + limit]]
    return {"items": items, "count": rows.count()}


class ComparedItemOut(Schema):
    feature_id: int
    title: str
    product_id: int
    stage: FeatureStage
    rank: int | None = Field(description="Under the first model")
    other_rank: int | None = Field(description="Under the other model")
    move: int | None = Field(description="rank - other_rank: positive climbs under the other")
    score: float | None
    other_score: float | None


class ComparisonOut(Schema):
    model: int
    other: int
    common: int = Field(description="Features both models score")
    spearman: float | None = Field(description="Spearman's rho over the common features")
    kendall_tau: float | None = Field(description="Kendall's tau-b over the common features")
    top_n: int
    top: list[int] = Field(description="The first model's top N feature ids")
    other_top: list[int]
    top_overlap: int = Field(description="Features in both top Ns")
    items: list[ComparedItemOut] = Field(description="In the first model's ranking order")
    count: int


@scoring_models.get(
    "/{int:pk}/compare/{int:other_id}",
    response={200: ComparisonOut, **crud.ERRORS},
    summary="How two scoring models rank the features both cover",
    operation_id="scoringmodel_compare",
)
def scoring_model_compare(
    request: HttpRequest,
    pk: int,
    other_id: int,
    product_line_id: int | None = None,
    product_id: int | None = None,
    stage: str | None = Query(None, description=STAGE_HELP),
    owner_id: int | None = None,
    top: int = Query(DEFAULT_TOP_N, ge=1, le=crud.MAX_LIMIT, description="N of the top-N overlap"),
    limit: int = Query(crud.DEFAULT_LIMIT, ge=1, le=crud.MAX_LIMIT),
    offset: int = Query(0, ge=0),
):
    first, second = _model(pk), _model(other_id)
    found = selectors.comparison(
        first=first,
        second=second,
        filters=_filters(product_line_id, product_id, stage, owner_id),
        top_n=top,
    )
    result = found.result
    items = [
        {
            "feature_id": row.feature.feature_id,
            "title": row.feature.title,
            "product_id": row.feature.product_id,
            "stage": row.feature.stage,
            "rank": row.move.rank,
            "other_rank": row.move.other_rank,
            "move": row.move.move,
            "score": row.move.score,
            "other_score": row.move.other_score,
        }
        for row in found.rows[offset : offset + limit]
    ]
    return {
        "model": first.pk,
        "other": second.pk,
        "common": result.common,
        "spearman": result.spearman,
        "kendall_tau": result.kendall_tau,
        "top_n": result.top_n,
        "top": list(result.top_first),
        "other_top": list(result.top_second),
        "top_overlap": result.top_overlap,
        "items": items,
        "count": len(found.rows),
    }


# --- a feature's scores ------------------------------------------------------------------------


class FeatureScoreOut(Schema):
    model: int = Field(description="The scoring model's id")
    model_name: str
    framework: Framework
    inputs: dict[str, int | float]
    score: float | None
    complete: bool = Field(description="false: an input (or computed figure) is missing")
    category: str | None = Field(None, description="Value vs effort: the quadrant")
    error: str | None = Field(None, description="Why a complete score could not be computed")
    version: int | None = Field(description="null until inputs are first given")


class FeatureScoreIn(Schema):
    model_config = ConfigDict(extra="forbid")

    inputs: dict[str, Any] = Field(
        description="Input name -> number; a missing or null input leaves the score incomplete",
        examples=[{"reach": 2000, "impact": 2, "confidence": 0.8, "effort": 4}],
    )
    version: int | None = Field(None, description="The score's current version; 409 if stale")


def _score_item(view: selectors.ScoreView) -> dict[str, Any]:
    return {
        "model": view.scoring_model.pk,
        "model_name": view.scoring_model.name,
        "framework": view.scoring_model.framework,
        "inputs": view.inputs,
        "score": view.evaluated.score,
        "complete": view.evaluated.complete,
        "category": view.evaluated.category,
        "error": view.evaluated.error,
        "version": view.version,
    }


def _feature(feature_id: int) -> Feature:
    try:
        return roadmap_selectors.feature_detail(pk=feature_id)
    except Feature.DoesNotExist as exc:
        raise Http404("No such feature.") from exc


feature_scores = Router(tags=["prioritization"])


@feature_scores.get(
    "/{int:feature_id}/scores",
    response={200: crud.Page[FeatureScoreOut], **crud.ERRORS},
    summary="A feature's score under every scoring model that covers it",
    operation_id="feature_scores",
)
def feature_score_list(request: HttpRequest, feature_id: int):
    views = selectors.feature_scores(feature=_feature(feature_id))
    return {"items": [_score_item(view) for view in views], "count": len(views)}


@feature_scores.put(
    "/{int:feature_id}/scores/{int:model_id}",
    response={200: FeatureScoreOut, **crud.ERRORS},
    summary="Set a feature's inputs under a scoring model; answers the score",
    operation_id="feature_score_set",
)
def feature_score_set(
    request: HttpRequest, feature_id: int, model_id: int, payload: FeatureScoreIn
):
    feature, model = _feature(feature_id), _model(model_id)
    services.feature_score_set(
        actor=request.user,
        feature=feature,
        scoring_model=model,
        inputs=payload.inputs,
        version=payload.version,
    )
    views = selectors.feature_scores(feature=feature)
    return _score_item(next(view for view in views if view.scoring_model.pk == model.pk))


@feature_scores.delete(
    "/{int:feature_id}/scores/{int:model_id}",
    response={204: None, **crud.ERRORS},
    summary="Remove a feature's inputs under a scoring model",
    operation_id="feature_score_clear",
)
def feature_score_clear(
    request: HttpRequest,
    feature_id: int,
    model_id: int,
    version: int | None = Query(None, description="Refuse with 409 unless current"),
) -> HttpResponse:
    services.feature_score_clear(
        actor=request.user,
        feature=_feature(feature_id),
        scoring_model=_model(model_id),
        version=version,
    )
    return 204, None


ROUTERS = {"/scoring-models": scoring_models, "/features": feature_scores}
