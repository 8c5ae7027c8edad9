"""The pages of data sources and syncs: the list of sources with their create, edit
and delete pages, testing a connection, the query preview (also what the metric form
posts its query to before saving), the run log, and syncing a metric on demand. Writes
go through the services, which decide who may."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from pilothouse.core import permissions
from pilothouse.core.editing import EditPages, int_param
from pilothouse.metrics import source_selectors, source_services, sync
from pilothouse.metrics.models import DataSource, Metric, SyncStatus
from pilothouse.metrics.source_forms import DataSourceForm, QueryPreviewForm

RUNS_PER_PAGE = 50


def _source_list_url(_source: DataSource | None = None) -> str:
    return reverse("metrics:source_list")


source_pages = EditPages(
    form_class=DataSourceForm, writes=source_services.data_source, detail_url=_source_list_url
)


def source_list(request: HttpRequest) -> HttpResponse:
    sources = list(source_selectors.data_source_list().order_by("name"))
    for source in sources:
        source.can_change = permissions.can_change(request.user, source)
    context = {
        "sources": sources,
        "can_create": permissions.can_create(request.user, parent=None, model=DataSource),
        "can_preview": source_services.may_query(request.user),
        "section": "sources",
    }
    return render(request, "metrics/sources/source_list.html", context)


def source_create(request: HttpRequest) -> HttpResponse:
    return source_pages.create(request, cancel_url=_source_list_url(), title="New data source")


def source_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return source_pages.edit(request, get_object_or_404(DataSource, pk=pk))


def source_delete(request: HttpRequest, pk: int) -> HttpResponse:
    return source_pages.delete(
        request, get_object_or_404(DataSource, pk=pk), done_url=_source_list_url()
    )


@require_POST
def source_test(request: HttpRequest, pk: int) -> HttpResponse:
    source = get_object_or_404(DataSource, pk=pk)
    check = source_services.data_source_test(actor=request.user, source=source)
    if check.ok:
        messages.success(request, f"“{source}”: {check.message}")
    else:
        messages.error(request, f"“{source}” cannot be reached: {check.message}")
    return redirect("metrics:source_list")


def query_preview(request: HttpRequest) -> HttpResponse:
    """Pick a source, write a query, pick a period and see its first rows or what is
    wrong. A POST runs it (the metric form posts its `source` and `query` here); a GET
    shows the empty form (`?source=` preselects one)."""
    permissions.require(
        source_services.may_query(request.user), "You may not run queries on data sources."
    )
    preview = period = None
    if request.method == "POST":
        form = QueryPreviewForm(request.POST)
        if form.is_valid():
            period = source_services.preview_period(
                period_start=form.cleaned_data["period_start"],
                period_end=form.cleaned_data["period_end"],
                today=timezone.localdate(),
            )
            preview = source_services.query_preview(
                actor=request.user,
                source=form.cleaned_data["source"],
                sql=form.cleaned_data["query"],
                period_start=period[0],
                period_end=period[1],
            )
    else:
        form = QueryPreviewForm(initial={"source": int_param(request, "source")})
    context = {"form": form, "preview": preview, "period": period, "section": "preview"}
    if request.htmx and request.method == "POST":
        return render(request, "metrics/sources/partials/preview_result.html", context)
    return render(request, "metrics/sources/query_preview.html", context)


def sync_list(request: HttpRequest) -> HttpResponse:
    metric_id, source_id = int_param(request, "metric"), int_param(request, "source")
    status = request.GET.get("status") or None
    if status not in SyncStatus.values:
        status = None
    runs = source_selectors.sync_list(metric_id=metric_id, status=status, source_id=source_id)
    page = Paginator(runs, RUNS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "page_obj": page,
        "runs": list(page.object_list),
        "metrics": list(source_selectors.metrics_with_query().values_list("pk", "name")),
        "statuses": SyncStatus.choices,
        "filters": {"metric": metric_id, "status": status or "", "source": source_id},
        "section": "syncs",
    }
    return render(request, "metrics/sources/sync_list.html", context)


def _back(request: HttpRequest, metric: Metric) -> str:
    wanted = request.POST.get("next", "")
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    try:
        return reverse("metrics:metric_detail", args=[metric.key])
    except NoReverseMatch:  # without the catalog's page, the metric's run log
        return reverse("metrics:sync_list") + f"?metric={metric.pk}"


@require_POST
def metric_sync(request: HttpRequest, pk: int) -> HttpResponse:
    """Sync a metric now (queued for the worker); back to where the button was."""
    metric = get_object_or_404(Metric, pk=pk)
    try:
        asked = sync.metric_sync_queue(metric=metric, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(_back(request, metric))
    run = asked.run
    run.refresh_from_db()  # where tasks run at once, it has ended already
    if asked.already_pending and run.status in (SyncStatus.QUEUED, SyncStatus.RUNNING):
        messages.info(request, f"“{metric}”: {asked.message} No other sync was queued.")
    elif run.status == SyncStatus.QUEUED:
        messages.info(
            request, f"Sync of “{metric}” queued; it runs when a worker takes it (see the run log)."
        )
    elif run.status == SyncStatus.RUNNING:
        messages.info(request, f"Syncing “{metric}”; the run log shows when it is done.")
    elif run.status == SyncStatus.SUCCEEDED:
        messages.success(
            request,
            f"Synced “{metric}”: {run.rows:,} rows, {run.values_written:,} values written.",
        )
    else:
        messages.error(request, f"The sync of “{metric}” failed: {run.error}")
    return redirect(_back(request, metric))
