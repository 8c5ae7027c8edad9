"""The prioritization pages: the list of scoring models, a model's create / edit / delete
pages (with the formula's error drawn under its position, checked live), the ranked
backlog of a model, the comparison of two models, and the inputs of a feature's scores
(edited from the scores panel on the feature's page, see panels.py).

Every write goes through the services; the pages follow core.permissions only to decide
what to offer.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_POST

from pilothouse.core import permissions
from pilothouse.core.editing import CONFLICT_MESSAGE, EditPages
from pilothouse.core.errors import ConflictError
from pilothouse.core.tables import sort_headers
from pilothouse.prioritization import schemes, selectors, services
from pilothouse.prioritization.forms import (
    BacklogFilterForm,
    CompareForm,
    ScoreInputsForm,
    ScoringModelForm,
    formula_check,
)
from pilothouse.prioritization.models import ScoringModel
from pilothouse.roadmap import selectors as roadmap_selectors
from pilothouse.roadmap.models import Feature

ROWS_PER_PAGE = 50

# The sortable columns of a backlog: (sort key, header, first direction).
BACKLOG_COLUMNS = [
    ("rank", "Rank", ""),
    ("title", "Feature", ""),
    ("product", "Product", ""),
    ("stage", "Stage", ""),
    ("owner", "Owner", ""),
    ("kano", "Kano", ""),
]


def model_url(model: ScoringModel) -> str:
    return reverse("prioritization:backlog", args=[model.pk])


class ScoringModelPages(EditPages):
    form_template = "prioritization/model_form.html"  # with the formula's caret and live check


model_pages = ScoringModelPages(
    form_class=ScoringModelForm,
    writes=services.scoring_model,
    detail_url=model_url,
    parent_chosen_in_form=True,
)


def _model(pk: int) -> ScoringModel:
    try:
        return selectors.scoring_model_detail(pk=pk)
    except ScoringModel.DoesNotExist as exc:
        raise Http404("No such scoring model.") from exc


def model_list(request: HttpRequest) -> HttpResponse:
    models = list(selectors.scoring_model_list())
    context = {
        "models": [(model, schemes.scheme_of(model)) for model in models],
        "can_create": permissions.can_create_any(request.user, model=ScoringModel),
        "compare_form": CompareForm(models=models),
    }
    return render(request, "prioritization/model_list.html", context)


def model_create(request: HttpRequest) -> HttpResponse:
    return model_pages.create(request, cancel_url=reverse("prioritization:model_list"))


def model_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return model_pages.edit(request, _model(pk))


def model_delete(request: HttpRequest, pk: int) -> HttpResponse:
    return model_pages.delete(request, _model(pk), done_url=reverse("prioritization:model_list"))


@require_POST
def formula_check_view(request: HttpRequest) -> HttpResponse:
    """The live check under the formula field: its error with a caret, or what it reads."""
    context = formula_check(
        formula=request.POST.get("formula", ""),
        input_fields_text=request.POST.get("input_fields", ""),
    )
    context["custom"] = request.POST.get("framework", "custom") == "custom"
    return render(request, "prioritization/partials/formula_check.html", context)


def _results_template(request: HttpRequest, partial: str, page: str) -> str:
    # htmx asks for the table only as the filters change; a history restore needs the page.
    return partial if request.htmx and not request.htmx.history_restore_request else page


def backlog(request: HttpRequest, pk: int) -> HttpResponse:
    model = _model(pk)
    form = BacklogFilterForm(request.GET)
    filters = form.filters()
    sort = form.sort_key()
    rows = selectors.paged_backlog(scoring_model=model, filters=filters, sort=sort)
    page = Paginator(rows, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    scheme = schemes.scheme_of(model)
    for row in page.object_list:
        row.shown_inputs = [(spec.name, row.inputs.get(spec.name)) for spec in scheme.inputs]
    context = {
        "model": model,
        "scheme": scheme,
        "live": bool(scheme.computed),
        "form": form,
        "page_obj": page,
        "rows": page.object_list,
        "ranked": rows.ranked,
        "sort": sort,
        "headers": sort_headers(columns=BACKLOG_COLUMNS, sort=sort),
        "can_edit": permissions.can_change(request.user, model),
    }
    template = _results_template(
        request, "prioritization/partials/backlog_table.html", "prioritization/backlog.html"
    )
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def compare(request: HttpRequest) -> HttpResponse:
    models = list(selectors.scoring_model_choices())
    form = CompareForm(request.GET or None, models=models)
    found = None
    page = None
    if form.is_bound and form.is_valid():
        found = selectors.comparison(
            first=form.cleaned_data["first"],
            second=form.cleaned_data["second"],
            filters=form.filters(),
        )
        page = Paginator(found.rows, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "comparison": found,
        "page_obj": page,
        "rows": page.object_list if page else [],
    }
    template = _results_template(
        request, "prioritization/partials/compare_results.html", "prioritization/compare.html"
    )
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


# --- a feature's inputs ------------------------------------------------------------------------


def _feature(pk: int) -> Feature:
    try:
        return roadmap_selectors.feature_detail(pk=pk)
    except Feature.DoesNotExist as exc:
        raise Http404("No such feature.") from exc


def _score_view(feature: Feature, model_pk: int) -> selectors.ScoreView:
    for view in selectors.feature_scores(feature=feature):
        if view.scoring_model.pk == model_pk:
            return view
    raise Http404("This scoring model does not score this feature.")


@require_POST
def score_edit(request: HttpRequest, feature_pk: int, model_pk: int) -> HttpResponse:
    """Set a feature's inputs under one model, from the scores panel. Answers the panel's
    row for the model (htmx), or goes back to the feature's page."""
    feature = _feature(feature_pk)
    permissions.require(permissions.can_change(request.user, feature))
    view = _score_view(feature, model_pk)
    form = ScoreInputsForm.for_view(view, request.POST)
    conflict = False
    if form.is_valid():
        try:
            services.feature_score_set(
                actor=request.user,
                feature=feature,
                scoring_model=view.scoring_model,
                inputs=form.inputs(),
                version=form.cleaned_data.get("version"),
            )
        except ValidationError as exc:
            form.apply_error(exc)
        except ConflictError:
            form.add_error(None, CONFLICT_MESSAGE.format(noun="score"))
            conflict = True
        else:
            if not request.htmx:
                messages.success(request, f"Saved the inputs under “{view.scoring_model}”.")
                return redirect(reverse("roadmap:feature_detail", args=[feature.pk]) + "#scores")
            view = _score_view(feature, model_pk)
            form = ScoreInputsForm.for_view(view)
    # htmx swaps only 2xx answers: the row with its errors comes back as 200.
    status = 409 if conflict and not request.htmx else 200
    context = {"object": feature, "view": view, "form": form, "can_edit": True, "open": True}
    if request.htmx:
        return render(request, "prioritization/partials/score_row.html", context, status=status)
    return render(request, "prioritization/score_form.html", context, status=status)
