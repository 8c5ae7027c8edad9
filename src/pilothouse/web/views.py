"""The home dashboard and the portfolio pages that gather data from every app."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from pilothouse.core import panels, permissions
from pilothouse.core import selectors as core_selectors
from pilothouse.core.markdown import render_markdown
from pilothouse.core.views import link_objects
from pilothouse.portfolio import selectors as portfolio_selectors
from pilothouse.portfolio.models import LifecycleStage, Product, ProductLine
from pilothouse.roadmap import selectors as roadmap_selectors
from pilothouse.strategy import selectors as strategy_selectors
from pilothouse.strategy.models import Initiative, Objective, ObjectiveScope

RELEASE_HORIZON_DAYS = 60
LATEST_CHANGES = 10
HOME_OBJECTIVES = 25
FEATURES_PER_STAGE = 15


def _with_progress(objectives) -> list[tuple]:
    return [(o, strategy_selectors.mean_progress(o)) for o in objectives]


def home(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    product_counts = portfolio_selectors.product_stage_counts()
    feature_counts = roadmap_selectors.feature_stage_totals()
    periods = strategy_selectors.periods_containing(today)
    # Company objectives first, then those of lines, then of products.
    scope_order = {value: i for i, value in enumerate(ObjectiveScope.values)}
    objectives = sorted(
        strategy_selectors.objectives_with_key_results().filter(period__in=periods),
        key=lambda o: (scope_order.get(o.scope, 9), o.period, o.title),
    )
    changes = list(core_selectors.change_list(viewer=request.user)[:LATEST_CHANGES])
    link_objects(changes)
    context = {
        "products_by_stage": [
            (label, product_counts.get(value, 0)) for value, label in LifecycleStage.choices
        ],
        "product_total": sum(product_counts.values()),
        "features_by_stage": [
            (label, feature_counts.get(value, 0))
            for value, label in roadmap_selectors.stage_order()
        ],
        "feature_total": sum(feature_counts.values()),
        "periods": periods,
        "objectives": _with_progress(objectives[:HOME_OBJECTIVES]),
        "more_objectives": max(0, len(objectives) - HOME_OBJECTIVES),
        "releases": roadmap_selectors.releases_due(
            start=today, end=today + datetime.timedelta(days=RELEASE_HORIZON_DAYS)
        ),
        "release_horizon": RELEASE_HORIZON_DAYS,
        "changes": changes,
    }
    return render(request, "web/home.html", context)


@dataclass
class ProductRow:
    """A product of the portfolio overview, with its features counted by stage."""

    product: Product
    stage_counts: list[int]
    feature_total: int


@dataclass
class LineBlock:
    """A product line of the portfolio overview: its products and their totals."""

    line: ProductLine
    rows: list[ProductRow] = field(default_factory=list)
    arr: Decimal = Decimal(0)
    stage_counts: list[int] = field(default_factory=list)
    feature_total: int = 0
    can_edit: bool = False
    can_add_product: bool = False


def portfolio(request: HttpRequest) -> HttpResponse:
    stages = roadmap_selectors.stage_order()
    counts = roadmap_selectors.feature_stage_counts()
    blocks = []
    for line in portfolio_selectors.product_lines_with_products():
        block = LineBlock(
            line=line,
            stage_counts=[0] * len(stages),
            can_edit=permissions.can_change(request.user, line),
            can_add_product=permissions.can_create(request.user, parent=line),
        )
        for product in line.products.all():
            by_stage = counts.get(product.pk, {})
            row = ProductRow(
                product=product,
                stage_counts=[by_stage.get(value, 0) for value, _ in stages],
                feature_total=sum(by_stage.values()),
            )
            block.rows.append(row)
            block.arr += product.arr
            block.feature_total += row.feature_total
            block.stage_counts = [
                a + b for a, b in zip(block.stage_counts, row.stage_counts, strict=True)
            ]
        blocks.append(block)
    context = {
        "stages": stages,
        "blocks": blocks,
        "total_arr": sum((b.arr for b in blocks), Decimal(0)),
        "total_products": sum(len(b.rows) for b in blocks),
        "can_create_line": permissions.can_create(request.user, parent=None),
        "can_create_product": permissions.can_create_any(request.user),
    }
    return render(request, "web/portfolio.html", context)


def product_detail(request: HttpRequest, key: str) -> HttpResponse:
    product = get_object_or_404(portfolio_selectors.product_list(), key=key)
    stage_counts = roadmap_selectors.feature_stage_counts(product_ids=[product.pk]).get(
        product.pk, {}
    )
    shown = roadmap_selectors.features_by_stage(product_id=product.pk, per_stage=FEATURES_PER_STAGE)
    feature_groups = [
        {
            "value": value,
            "label": label,
            "count": stage_counts.get(value, 0),
            "features": shown.get(value, []),
        }
        for value, label in roadmap_selectors.stage_order()
        if stage_counts.get(value)
    ]
    areas = [
        (area, permissions.can_change(request.user, area))
        for area in portfolio_selectors.product_areas(product=product)
    ]
    objectives = strategy_selectors.objectives_with_key_results().filter(product=product)
    context = {
        "product": product,
        "description": render_markdown(product.description),
        "areas": areas,
        "feature_groups": feature_groups,
        "feature_total": sum(stage_counts.values()),
        "features_per_stage": FEATURES_PER_STAGE,
        "releases": roadmap_selectors.release_list().filter(product=product),
        "objectives": _with_progress(objectives),
        "history": core_selectors.object_history_described(instance=product, viewer=request.user),
        "can_edit": permissions.can_change(request.user, product),
        "can_add": permissions.can_create(request.user, parent=product),
    }
    return render(request, "web/product_detail.html", context)


def objective_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        objective = strategy_selectors.objective_detail(pk=pk)
    except Objective.DoesNotExist as exc:
        raise Http404("No such objective.") from exc
    results = [
        (result, permissions.can_change(request.user, result))
        for result in objective.key_results.all()
    ]
    children = strategy_selectors.objective_children(objective=objective)
    context = {
        "objective": objective,
        "description": render_markdown(objective.description),
        "progress": strategy_selectors.mean_progress(objective),
        "key_results": results,
        "children": _with_progress(children),
        "features": roadmap_selectors.objective_features(objective_id=objective.pk),
        "initiatives": objective.initiatives.all(),
        "history": core_selectors.object_history_described(instance=objective, viewer=request.user),
        "can_edit": permissions.can_change(request.user, objective),
        "can_add": permissions.can_create(request.user, parent=objective),
        "can_create": permissions.can_create_any(request.user),
        # What other apps show on an objective's page (core.panels), e.g. the key
        # results that follow a metric.
        "panels": panels.render_all(request, objective),
    }
    return render(request, "web/objective_detail.html", context)


def initiative_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        initiative = strategy_selectors.initiative_detail(pk=pk)
    except Initiative.DoesNotExist as exc:
        raise Http404("No such initiative.") from exc
    context = {
        "initiative": initiative,
        "description": render_markdown(initiative.description),
        "features": roadmap_selectors.initiative_features(initiative_id=initiative.pk),
        "history": core_selectors.object_history_described(
            instance=initiative, viewer=request.user
        ),
        "can_edit": permissions.can_change(request.user, initiative),
        # What other apps show on an initiative's page (core.panels), e.g. its forecast.
        "panels": panels.render_all(request, initiative),
    }
    return render(request, "web/initiative_detail.html", context)
