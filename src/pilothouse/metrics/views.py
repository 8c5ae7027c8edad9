"""The metric catalog's pages: the catalog, the KPI dashboards (portfolio and per
product), a metric's page (chart with targets and releases, dimensions, values, targets,
key results that follow it, syncs) and its chart's exports, and the create/edit/delete
pages of metrics and targets. Values are entered and imported in entry_views.py.
Writes go through core.editing and the services, which decide who may."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from pilothouse.core import permissions
from pilothouse.core import selectors as core_selectors
from pilothouse.core.editing import EditPages, int_param
from pilothouse.core.markdown import render_markdown
from pilothouse.engines import metrics as engine
from pilothouse.metrics import charts, selectors, services
from pilothouse.metrics.forms import (
    MetricForm,
    MetricTargetForm,
    ValueEntryForm,
    granularity_choices,
)
from pilothouse.metrics.models import Metric, MetricKind, MetricTarget, MetricValue
from pilothouse.portfolio.models import Product
from pilothouse.roadmap.charts import FORMATS, export_filename
from pilothouse.roadmap.charts import render as render_chart

EXPORT_LABELS = {"svg": "SVG", "png": "PNG", "pdf": "PDF", "json": "Vega-Lite JSON"}
STATUS_CHOICES = [(status, engine.STATUS_LABELS[status].capitalize()) for status in engine.STATUSES]


def metric_url(metric: Metric) -> str:
    return reverse("metrics:metric_detail", args=[metric.key])


def _of_metric(obj: MetricTarget | MetricValue) -> str:
    return reverse("metrics:metric_detail", args=[obj.metric.key])


metric_pages = EditPages(form_class=MetricForm, writes=services.metric, detail_url=metric_url)
target_pages = EditPages(
    form_class=MetricTargetForm, writes=services.metric_target, detail_url=_of_metric
)


def _metric(ident: str) -> Metric:
    try:
        return selectors.metric_by_key_or_id(ident)
    except Metric.DoesNotExist as exc:
        raise Http404("No such metric.") from exc


# --- the catalog and the dashboards ----------------------------------------------------------


def _filters(request: HttpRequest) -> selectors.CatalogFilters:
    kind = request.GET.get("kind", "")
    status = request.GET.get("status", "")
    return selectors.CatalogFilters(
        kind=kind if kind in MetricKind.values else "",
        product_id=int_param(request, "product"),
        owner_id=int_param(request, "owner"),
        status=status if status in engine.STATUSES else "",
        q=request.GET.get("q", "").strip()[:100],
    )


def catalog(request: HttpRequest) -> HttpResponse:
    filters = _filters(request)
    rows = selectors.catalog(filters=filters, today=timezone.localdate())
    context = {
        "rows": rows,
        "filters": filters,
        "kinds": MetricKind.choices,
        "statuses": STATUS_CHOICES,
        "products": selectors.product_choices(),
        "owners": selectors.catalog_owners(),
        "can_create": permissions.can_create_any(request.user, model=Metric),
        "can_import": permissions.can_create_any(request.user, model=Metric),
        "filtered": any(
            (filters.kind, filters.product_id, filters.owner_id, filters.status, filters.q)
        ),
    }
    return render(request, "metrics/catalog.html", context)


def dashboard(request: HttpRequest) -> HttpResponse:
    product_id = int_param(request, "product")
    product = get_object_or_404(Product, pk=product_id) if product_id else None
    board = selectors.dashboard(today=timezone.localdate(), product=product)
    rows = [*board.north_stars, *board.others]
    drawn = charts.svgs([charts.spark_spec(row.recent, status=row.status.status) for row in rows])
    cards = list(zip(rows, drawn, strict=True))
    north = cards[: len(board.north_stars)]
    context = {
        "board": board,
        "north_cards": north,
        "cards": cards[len(board.north_stars) :],
        "products": selectors.product_choices(),
        "product": product,
        "status_labels": engine.STATUS_LABELS,
        "counts": [(engine.STATUS_LABELS[s], s, board.counts[s]) for s in engine.STATUSES],
        "can_import": permissions.can_create_any(request.user, model=Metric),
    }
    return render(request, "metrics/dashboard.html", context)


# --- one metric ------------------------------------------------------------------------------


def _sync_url(metric: Metric) -> str | None:
    """The "Sync now" action of a metric with a query (metrics:metric_sync), if the
    data sources' pages are installed."""
    if not metric.source_id:
        return None
    try:
        return reverse("metrics:metric_sync", args=[metric.pk])
    except NoReverseMatch:
        return None


def _detail(request: HttpRequest, metric: Metric) -> selectors.MetricDetail:
    choice = request.GET.get("range", selectors.DEFAULT_RANGE)
    return selectors.metric_detail(
        metric=metric,
        today=timezone.localdate(),
        range_choice=choice if choice in selectors.RANGES else selectors.DEFAULT_RANGE,
        by=request.GET.get("by") or None,
        page=request.GET.get("page") or 1,
    )


def metric_detail(
    request: HttpRequest, ident: str, entry_form=None, status: int = 200
) -> HttpResponse:
    metric = _metric(ident)
    detail = _detail(request, metric)
    can_edit = permissions.can_change(request.user, metric)
    context = {
        "metric": metric,
        "detail": detail,
        "description": render_markdown(metric.description),
        "products": list(metric.products.all()),
        "chart": charts.svg(charts.series_spec(detail, thinned=True)) if detail.series else None,
        "dimensions_chart": (
            charts.svg(charts.dimensions_spec(metric, detail.dimensions, thinned=True))
            if detail.dimensions
            else None
        ),
        "ranges": [(key, key if key != "all" else "All") for key in selectors.RANGES],
        "range_choice": request.GET.get("range", selectors.DEFAULT_RANGE),
        "granularities": granularity_choices(metric),
        "export_formats": list(EXPORT_LABELS.items()),
        "can_edit": can_edit,
        "entry_form": entry_form or (ValueEntryForm(metric=metric) if can_edit else None),
        "sync_url": _sync_url(metric) if can_edit else None,
        "history": core_selectors.object_history_described(instance=metric, viewer=request.user),
        "page_obj": detail.values,
    }
    return render(request, "metrics/metric_detail.html", context, status=status)


def chart_export(request: HttpRequest, ident: str, fmt: str) -> HttpResponse:
    """The metric's chart as on its page (range and granularity from the query), as
    SVG, PNG, PDF or its Vega-Lite specification."""
    if fmt not in FORMATS:
        raise Http404(f"No export as {fmt!r}: svg, png, pdf or json.")
    metric = _metric(ident)
    detail = _detail(request, metric)
    spec = charts.series_spec(detail)
    response = HttpResponse(render_chart(spec, fmt), content_type=FORMATS[fmt])
    filename = export_filename(charts.export_stem(metric, detail), fmt)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def metric_create(request: HttpRequest) -> HttpResponse:
    product = int_param(request, "product")
    return metric_pages.create(
        request,
        cancel_url=reverse("metrics:catalog"),
        initial={"owner": request.user.pk, **({"products": [product]} if product else {})},
    )


def metric_edit(request: HttpRequest, ident: str) -> HttpResponse:
    return metric_pages.edit(request, _metric(ident))


def metric_delete(request: HttpRequest, ident: str) -> HttpResponse:
    return metric_pages.delete(request, _metric(ident), done_url=reverse("metrics:catalog"))


# --- targets ---------------------------------------------------------------------------------


def target_create(request: HttpRequest, ident: str) -> HttpResponse:
    metric = _metric(ident)
    return target_pages.create(
        request,
        cancel_url=metric_url(metric),
        fixed={"metric": metric},
        title=f"New target of {metric}",
    )


def _target(pk: int) -> MetricTarget:
    return get_object_or_404(MetricTarget.objects.select_related("metric"), pk=pk)


def target_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return target_pages.edit(request, _target(pk))


def target_delete(request: HttpRequest, pk: int) -> HttpResponse:
    target = _target(pk)
    return target_pages.delete(request, target, done_url=_of_metric(target))
