"""Entering values on a metric's page (one, or many pasted), editing and deleting one
value, importing a file of values, and binding a key result to a metric. Values are
written through services.metric_values_upsert, as imports and syncs are."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from pilothouse.core import permissions
from pilothouse.core.editing import EditPages, apply_validation_error
from pilothouse.core.forms import VersionedModelForm
from pilothouse.core.imports import import_upload
from pilothouse.core.writes import RefusedRows
from pilothouse.metrics import services
from pilothouse.metrics.forms import (
    DATE,
    ImportForm,
    KeyResultMetricForm,
    ValueEntryForm,
    describe_refusals,
)
from pilothouse.metrics.imports import VALUE_FIELDS, import_values
from pilothouse.metrics.models import KeyResultMetric, Metric, MetricValue, ValueOrigin
from pilothouse.metrics.views import _metric, metric_detail, metric_url
from pilothouse.strategy.models import KeyResult
from pilothouse.strategy.selectors import key_result_detail

ERRORS_SHOWN = 50


class MetricValueForm(VersionedModelForm):
    class Meta:
        model = MetricValue
        fields = ["period_start", "value", "dimension"]
        widgets = {"period_start": DATE}


def _of_value(value: MetricValue) -> str:
    return reverse("metrics:metric_detail", args=[value.metric.key])


value_pages = EditPages(
    form_class=MetricValueForm, writes=services.metric_value, detail_url=_of_value
)


@require_POST
def value_entry(request: HttpRequest, ident: str) -> HttpResponse:
    """Save the value(s) of the entry form of a metric's page; on a refusal the page is
    drawn again with the reasons on the form, and nothing is saved."""
    metric = _metric(ident)
    permissions.require(
        permissions.can_change(request.user, metric),
        "You may not change the values of this metric.",
    )
    form = ValueEntryForm(request.POST, metric=metric)
    if form.is_valid():
        try:
            rows = form.rows()
            result = services.metric_values_upsert(
                actor=request.user, metric=metric, rows=rows, origin=ValueOrigin.MANUAL
            )
        except RefusedRows as exc:
            form.add_error(None, describe_refusals(exc, rows))
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(
                request,
                f"Saved: {result.created} new, {result.updated} changed, "
                f"{result.unchanged} unchanged.",
            )
            return redirect(metric_url(metric) + "#values-heading")
    return metric_detail(request, ident, entry_form=form)


def _value(pk: int) -> MetricValue:
    return get_object_or_404(MetricValue.objects.select_related("metric"), pk=pk)


def value_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return value_pages.edit(request, _value(pk))


def value_delete(request: HttpRequest, pk: int) -> HttpResponse:
    value = _value(pk)
    return value_pages.delete(request, value, done_url=_of_value(value))


# --- importing a file ------------------------------------------------------------------------


def import_page(request: HttpRequest) -> HttpResponse:
    """Upload a CSV or XLSX file of values (preview, then import); whoever may change a
    metric imports its values (the import refuses the rows of the others)."""
    permissions.require(permissions.can_create_any(request.user, model=Metric))
    result = None
    problem = None
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            result, problem = import_upload(import_values, form=form, actor=request.user)
    else:
        form = ImportForm()
    context = {
        "form": form,
        "result": result,
        "problem": problem,
        "errors": result.report.errors[:ERRORS_SHOWN] if result else [],
        "fields": VALUE_FIELDS,
    }
    return render(request, "metrics/import.html", context)


# --- key results that follow a metric --------------------------------------------------------


def _key_result(pk: int) -> KeyResult:
    try:
        return key_result_detail(pk=pk)
    except KeyResult.DoesNotExist as exc:
        raise Http404("No such key result.") from exc


def _objective_url(link_or_result) -> str:
    result = getattr(link_or_result, "key_result", link_or_result)
    return reverse("web:objective_detail", args=[result.objective_id])


link_pages = EditPages(
    form_class=KeyResultMetricForm, writes=services.key_result_metric, detail_url=_objective_url
)


def key_result_link(request: HttpRequest, pk: int) -> HttpResponse:
    """Bind the key result `pk` to a metric, or change what it follows."""
    result = _key_result(pk)
    link = KeyResultMetric.objects.filter(key_result=result).select_related("key_result").first()
    if link is not None:
        return link_pages.edit(request, link, cancel_url=_objective_url(result))
    return link_pages.create(
        request,
        cancel_url=_objective_url(result),
        fixed={"key_result": result},
        title=f"Follow a metric with “{result}”",
    )


def key_result_unlink(request: HttpRequest, pk: int) -> HttpResponse:
    result = _key_result(pk)
    link = get_object_or_404(
        KeyResultMetric.objects.select_related("key_result"), key_result=result
    )
    return link_pages.delete(request, link, done_url=_objective_url(result))
