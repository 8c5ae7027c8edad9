"""The scenario pages: the list, a scenario with its changes and the comparison, the
apply confirmation, and the auto-plan form with its result. Thin: the services decide,
and the pages show only the buttons the user may press."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from pilothouse.core import permissions
from pilothouse.core.editing import EditPages, apply_validation_error
from pilothouse.core.errors import ConflictError
from pilothouse.delivery import workdays
from pilothouse.scenarios import comparison, selectors, services
from pilothouse.scenarios.forms import ApplyForm, AutoPlanForm, ChangeForm, ScenarioForm
from pilothouse.scenarios.models import AutoPlanRun, Scenario, ScenarioChange, ScenarioStatus

SCENARIOS_PER_PAGE = 50
CHANGES_PER_PAGE = 50
RELEASES_PER_PAGE = 20


def scenario_url(scenario: Scenario) -> str:
    return reverse("scenarios:scenario_detail", args=[scenario.pk])


scenario_pages = EditPages(
    form_class=ScenarioForm, writes=services.scenario, detail_url=scenario_url
)


def _scenario(pk: int) -> Scenario:
    try:
        return selectors.scenario_detail(pk=pk)
    except Scenario.DoesNotExist as exc:
        raise Http404("No such scenario.") from exc


def scenario_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.scenario_list(), SCENARIOS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    runs = list(selectors.auto_plan_run_list()[:10])
    context = {
        "page_obj": page,
        "scenarios": page.object_list,
        "runs": runs,
        "can_create": permissions.can_create(request.user, parent=None, model=Scenario),
        "can_plan": permissions.can_create(request.user, parent=None, model=AutoPlanRun),
    }
    return render(request, "scenarios/scenario_list.html", context)


def scenario_create(request: HttpRequest) -> HttpResponse:
    return scenario_pages.create(request, cancel_url=reverse("scenarios:scenario_list"))


def scenario_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return scenario_pages.edit(request, _scenario(pk))


def scenario_delete(request: HttpRequest, pk: int) -> HttpResponse:
    return scenario_pages.delete(
        request, _scenario(pk), done_url=reverse("scenarios:scenario_list")
    )


def _detail(request: HttpRequest, scenario: Scenario, *, change_form=None, status=200):
    """The scenario with its comparison. Forecasts are computed for one page of
    releases: those the changes touch, or with ?forecasts=all every release delivered
    within the horizon."""
    draft = scenario.status == ScenarioStatus.DRAFT
    can_edit = draft and permissions.can_change(request.user, scenario)
    today = timezone.localdate()
    compared = comparison.compare(scenario=scenario, today=today)
    every_release = request.GET.get("forecasts") == "all"
    releases = Paginator(
        compared.release_ids(changed_only=not every_release), RELEASES_PER_PAGE
    ).get_page(request.GET.get("releases"))
    if change_form is None and can_edit:
        change_form = ChangeForm(scenario=scenario)
    if change_form is not None:
        change_form.offer(teams=compared.team_names, releases=compared.release_choices)
    context = {
        "scenario": scenario,
        "changes": Paginator(selectors.ChangePages(scenario=scenario), CHANGES_PER_PAGE).get_page(
            request.GET.get("changes")
        ),
        "compared": compared,
        "releases": releases,
        "release_rows": comparison.release_forecasts(
            compared, release_ids=releases.object_list, today=today
        ),
        "every_release": every_release,
        "can_edit": can_edit,
        "can_apply": draft and services.may_apply(request.user),
        "change_form": change_form,
        "apply_form": ApplyForm(initial={"version": scenario.version}),
    }
    return render(request, "scenarios/scenario_detail.html", context, status=status)


def scenario_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _scenario(pk))


@require_POST
def change_create(request: HttpRequest, pk: int) -> HttpResponse:
    scenario = _scenario(pk)
    permissions.require(permissions.can_change(request.user, scenario))
    form = ChangeForm(request.POST, scenario=scenario, instance=ScenarioChange(scenario=scenario))
    if form.is_valid():
        data, _ = form.service_data()
        try:
            services.scenario_change.create(actor=request.user, data={**data, "scenario": scenario})
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, "Change added.")
            return redirect(scenario_url(scenario))
    return _detail(request, scenario, change_form=form, status=422)


@require_POST
def change_delete(request: HttpRequest, pk: int, change_pk: int) -> HttpResponse:
    change = get_object_or_404(ScenarioChange, pk=change_pk, scenario_id=pk)
    try:
        services.scenario_change.delete(actor=request.user, instance=change)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Change removed.")
    return redirect(reverse("scenarios:scenario_detail", args=[pk]))


def scenario_apply(request: HttpRequest, pk: int) -> HttpResponse:
    """A confirmation page; the POST applies every change, or none."""
    scenario = _scenario(pk)
    permissions.require(services.may_apply(request.user), "Only product leaders and admins apply.")
    form = ApplyForm(request.POST or None, initial={"version": scenario.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.scenario_apply(
                actor=request.user, instance=scenario, version=form.cleaned_data["version"]
            )
        except (ValidationError, ConflictError, PermissionDenied) as exc:
            text = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            form.add_error(None, f"Nothing was applied. {text}")
        else:
            messages.success(request, f"Applied “{scenario}” to the roadmap.")
            return redirect(scenario_url(scenario))
    context = {
        "scenario": scenario,
        "changes": selectors.changes_of(scenario=scenario),
        "form": form,
    }
    return render(request, "scenarios/scenario_apply.html", context)


def auto_plan(request: HttpRequest) -> HttpResponse:
    permissions.require(permissions.can_create(request.user, parent=None, model=AutoPlanRun))
    # By default the plan starts with the next quarter: the current one is under way.
    this_quarter = workdays.period_containing(timezone.localdate(), workdays.QUARTER)
    next_quarter = this_quarter[1] + dt.timedelta(days=1)
    form = AutoPlanForm(request.POST or None, initial={"first_period": next_quarter})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        teams = [team.pk for team in data.pop("teams")]
        try:
            run = services.auto_plan_run(actor=request.user, data=data, team_ids=teams)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            return redirect(reverse("scenarios:auto_plan_result", args=[run.pk]))
    return render(request, "scenarios/auto_plan.html", {"form": form})


def auto_plan_result(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(selectors.auto_plan_run_list(), pk=pk)
    return render(request, "scenarios/auto_plan_result.html", {"run": run})
