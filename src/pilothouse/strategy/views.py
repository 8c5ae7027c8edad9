"""The objectives tree, the initiatives list, and the create/edit/delete pages of strategy.

The objective and initiative pages show the features that serve them, so they
gather data from the roadmap too and live in `pilothouse.web`.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from pilothouse.core import permissions
from pilothouse.core.editing import EditPages, int_param
from pilothouse.strategy import selectors, services
from pilothouse.strategy.forms import InitiativeForm, KeyResultForm, ObjectiveForm, PeriodFilterForm
from pilothouse.strategy.models import Initiative, KeyResult, Objective, ObjectiveScope


def objective_url(objective: Objective) -> str:
    return reverse("web:objective_detail", args=[objective.pk])


def initiative_url(initiative: Initiative) -> str:
    return reverse("web:initiative_detail", args=[initiative.pk])


objective_pages = EditPages(
    form_class=ObjectiveForm,
    writes=services.objective,
    detail_url=objective_url,
    parent_chosen_in_form=True,
)
key_result_pages = EditPages(
    form_class=KeyResultForm,
    writes=services.key_result,
    detail_url=lambda result: objective_url(result.objective),
)
initiative_pages = EditPages(
    form_class=InitiativeForm, writes=services.initiative, detail_url=initiative_url
)


def objective_tree(request: HttpRequest) -> HttpResponse:
    form = PeriodFilterForm(request.GET or None)
    period = form.cleaned_data["period"] if form.is_valid() else ""
    rows = [
        {"objective": objective, "depth": depth, "progress": selectors.mean_progress(objective)}
        for objective, depth in selectors.objective_tree(period=period or None)
    ]
    context = {
        "form": form,
        "period": period,
        "rows": rows,
        "can_create": permissions.can_create_any(request.user),
    }
    return render(request, "strategy/objective_tree.html", context)


def _objective(pk: int) -> Objective:
    return get_object_or_404(selectors.objective_list(), pk=pk)


def objective_create(request: HttpRequest) -> HttpResponse:
    initial = {"owner": request.user}
    parent_id = int_param(request, "parent")
    parent = selectors.objective_list().filter(pk=parent_id).first() if parent_id else None
    if parent is not None:
        # A child usually sits one level down the cascade, in the same period.
        initial.update(parent=parent, period=parent.period)
        if parent.scope == ObjectiveScope.COMPANY:
            initial.update(scope=ObjectiveScope.PRODUCT_LINE)
        elif parent.scope == ObjectiveScope.PRODUCT_LINE:
            initial.update(scope=ObjectiveScope.PRODUCT)
    cancel_url = objective_url(parent) if parent else reverse("strategy:objective_tree")
    return objective_pages.create(request, initial=initial, cancel_url=cancel_url)


def objective_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return objective_pages.edit(request, _objective(pk))


def objective_delete(request: HttpRequest, pk: int) -> HttpResponse:
    done_url = reverse("strategy:objective_tree")
    return objective_pages.delete(request, _objective(pk), done_url=done_url)


def _key_result(pk: int) -> KeyResult:
    try:
        return selectors.key_result_detail(pk=pk)
    except KeyResult.DoesNotExist as exc:
        raise Http404("No such key result.") from exc


def key_result_create(request: HttpRequest, pk: int) -> HttpResponse:
    objective = _objective(pk)
    return key_result_pages.create(
        request,
        fixed={"objective": objective},
        cancel_url=objective_url(objective),
        title=f"New key result for “{objective}”",
    )


def key_result_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return key_result_pages.edit(request, _key_result(pk))


def key_result_delete(request: HttpRequest, pk: int) -> HttpResponse:
    result = _key_result(pk)
    return key_result_pages.delete(request, result, done_url=objective_url(result.objective))


def initiative_list(request: HttpRequest) -> HttpResponse:
    context = {
        "initiatives": selectors.initiative_list(),
        "can_create": permissions.can_create(request.user, parent=None),
    }
    return render(request, "strategy/initiative_list.html", context)


def _initiative(pk: int) -> Initiative:
    return get_object_or_404(selectors.initiative_list(), pk=pk)


def initiative_create(request: HttpRequest) -> HttpResponse:
    return initiative_pages.create(
        request, initial={"owner": request.user}, cancel_url=reverse("strategy:initiative_list")
    )


def initiative_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return initiative_pages.edit(request, _initiative(pk))


def initiative_delete(request: HttpRequest, pk: int) -> HttpResponse:
    done_url = reverse("strategy:initiative_list")
    return initiative_pages.delete(request, _initiative(pk), done_url=done_url)
