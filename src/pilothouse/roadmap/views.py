"""The feature list and pages, the release pages, and their create/edit/delete pages."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers

from pilothouse.core import panels, permissions
from pilothouse.core import selectors as core_selectors
from pilothouse.core.editing import EditPages, int_param
from pilothouse.core.markdown import render_markdown
from pilothouse.core.tables import sort_headers
from pilothouse.portfolio import selectors as portfolio_selectors
from pilothouse.roadmap import dependency_views, selectors, services
from pilothouse.roadmap.forms import FeatureFilterForm, FeatureForm, ReleaseForm
from pilothouse.roadmap.models import Feature, Release

FEATURES_PER_PAGE = 50

# The sortable columns of the feature list: (sort key, header, first direction).
FEATURE_COLUMNS = [
    ("title", "Title", ""),
    ("product", "Product", ""),
    ("stage", "Stage", ""),
    ("owner", "Owner", ""),
    ("effort", "Effort (person-weeks)", ""),
    # Customer demand (kept on the feature from the evidence): the most asked-for first.
    ("importance", "Importance", "-"),
    ("arr_demand", "ARR demand", "-"),
    ("requests", "Requests", "-"),
    ("updated", "Updated", "-"),  # the latest first is what one wants to see
]

NUMERIC_COLUMNS = frozenset({"effort", "importance", "arr_demand", "requests"})


def feature_url(feature: Feature) -> str:
    return reverse("roadmap:feature_detail", args=[feature.pk])


def release_url(release: Release) -> str:
    return reverse("roadmap:release_detail", args=[release.pk])


feature_pages = EditPages(
    form_class=FeatureForm,
    writes=services.feature,
    detail_url=feature_url,
    parent_chosen_in_form=True,
)
release_pages = EditPages(
    form_class=ReleaseForm,
    writes=services.release,
    detail_url=release_url,
    parent_chosen_in_form=True,
)


def feature_list(request: HttpRequest) -> HttpResponse:
    form = FeatureFilterForm(request.GET)
    features = selectors.feature_search(**form.filters())
    sort = form.cleaned_data.get("sort") or ""
    if sort.lstrip("-") not in selectors.FEATURE_SORTS:
        sort = selectors.DEFAULT_FEATURE_SORT
    page = Paginator(selectors.feature_sorted(features, sort), FEATURES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {
        "form": form,
        "page_obj": page,
        "features": page.object_list,
        "sort": sort,
        "headers": sort_headers(columns=FEATURE_COLUMNS, sort=sort),
        "numeric_columns": NUMERIC_COLUMNS,
        "can_create": permissions.can_create_any(request.user),
    }
    # htmx asks for the table only as the filters change; a history restore (back
    # button after the cache is gone) needs the whole page.
    partial = request.htmx and not request.htmx.history_restore_request
    template = "roadmap/partials/feature_table.html" if partial else "roadmap/feature_list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _feature(pk: int) -> Feature:
    try:
        return selectors.feature_detail(pk=pk)
    except Feature.DoesNotExist as exc:
        raise Http404("No such feature.") from exc


def feature_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        feature = selectors.feature_page(pk=pk)
    except Feature.DoesNotExist as exc:
        raise Http404("No such feature.") from exc
    objectives, tags = selectors.feature_labels(feature_id=feature.pk)
    context = {
        "feature": feature,
        "objectives": objectives,
        "tags": tags,
        "description": render_markdown(feature.description),
        "history": core_selectors.object_history_described(instance=feature, viewer=request.user),
        "can_edit": permissions.can_change(request.user, feature),
        **dependency_views.dependency_panel(feature=feature),
        # What other apps show on a feature's page (core.panels), e.g. its evidence.
        "panels": panels.render_all(request, feature),
    }
    return render(request, "roadmap/feature_detail.html", context)


def _preselected_product(request: HttpRequest) -> dict:
    product_id = int_param(request, "product")
    product = (
        portfolio_selectors.product_list().filter(pk=product_id).first() if product_id else None
    )
    return {"product": product} if product else {}


def feature_create(request: HttpRequest) -> HttpResponse:
    initial = {"owner": request.user, **_preselected_product(request)}
    cancel_url = reverse("roadmap:feature_list")
    if "product" in initial:
        cancel_url = reverse("web:product_detail", args=[initial["product"].key])
    return feature_pages.create(request, initial=initial, cancel_url=cancel_url)


def feature_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return feature_pages.edit(request, _feature(pk))


def feature_delete(request: HttpRequest, pk: int) -> HttpResponse:
    return feature_pages.delete(request, _feature(pk), done_url=reverse("roadmap:feature_list"))


def release_list(request: HttpRequest) -> HttpResponse:
    context = {
        "releases": selectors.release_list().order_by("target_date", "product__name", "name"),
        "can_create": permissions.can_create_any(request.user),
    }
    return render(request, "roadmap/release_list.html", context)


def _release(pk: int) -> Release:
    try:
        return selectors.release_detail(pk=pk)
    except Release.DoesNotExist as exc:
        raise Http404("No such release.") from exc


def release_detail(request: HttpRequest, pk: int) -> HttpResponse:
    release = _release(pk)
    context = {
        "release": release,
        "notes": render_markdown(release.notes),
        "features": selectors.release_features(release=release),
        "history": core_selectors.object_history_described(instance=release, viewer=request.user),
        "can_edit": permissions.can_change(request.user, release),
        # What other apps show on a release's page (core.panels), e.g. its forecast.
        "panels": panels.render_all(request, release),
    }
    return render(request, "roadmap/release_detail.html", context)


def release_create(request: HttpRequest) -> HttpResponse:
    initial = _preselected_product(request)
    cancel_url = reverse("roadmap:release_list")
    if "product" in initial:
        cancel_url = reverse("web:product_detail", args=[initial["product"].key])
    return release_pages.create(request, initial=initial, cancel_url=cancel_url)


def release_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return release_pages.edit(request, _release(pk))


def release_delete(request: HttpRequest, pk: int) -> HttpResponse:
    release = _release(pk)
    done_url = reverse("web:product_detail", args=[release.product.key])
    return release_pages.delete(request, release, done_url=done_url)
