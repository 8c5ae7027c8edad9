"""A metric's statistics query on the experiment's pages: tested (its first rows and what
a refresh would refuse, nothing stored) and saved, and the refresh of every metric's
statistics from its query (experiments.statistics_sources). The services decide who may;
the pages are guarded first so that nobody fills in a form they may not send."""

from __future__ import annotations

import copy

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from pilothouse.core import permissions
from pilothouse.core.editing import save_form
from pilothouse.experiments import selectors, services, statistics_sources
from pilothouse.experiments.forms import StatisticsQueryForm
from pilothouse.experiments.models import Experiment, ExperimentMetric
from pilothouse.experiments.views import experiment_url
from pilothouse.metrics.models import DataSource
from pilothouse.metrics.sources.results import summary


def _experiment_metric(pk: int) -> ExperimentMetric:
    try:
        return selectors.experiment_metric_for_page(pk=pk)
    except ExperimentMetric.DoesNotExist as exc:
        raise Http404("No such experiment metric.") from exc


def metric_query(request: HttpRequest, pk: int) -> HttpResponse:
    """A metric's data source and statistics query. `action=test` runs it for the
    experiment's dates and shows its first rows and what a refresh would refuse, storing
    nothing (an htmx request gets the result alone); `action=save` saves them."""
    experiment_metric = _experiment_metric(pk)
    experiment = experiment_metric.experiment
    permissions.require(permissions.can_change(request.user, experiment_metric))
    choices = selectors.data_source_choices()
    test = None
    if request.method == "POST" and request.POST.get("action") == "save":
        # a copy: the form writes the values sent onto its instance while validating
        form = StatisticsQueryForm(
            request.POST,
            instance=copy.copy(experiment_metric),
            data_sources=choices,
            auto_id="query_%s",
        )
        if save_form(
            form,
            writes=services.experiment_metric,
            actor=request.user,
            instance=experiment_metric,
        ):
            messages.success(request, f"Saved the statistics query of {experiment_metric.metric}.")
            return redirect(experiment_url(experiment) + "#metrics")
    elif request.method == "POST":
        form = StatisticsQueryForm(
            initial={
                "data_source": request.POST.get("data_source") or None,
                "statistics_query": request.POST.get("statistics_query", ""),
                "version": request.POST.get("version") or experiment_metric.version,
            },
            instance=experiment_metric,
            data_sources=choices,
            auto_id="query_%s",
        )
        test = statistics_sources.statistics_query_test(
            actor=request.user,
            experiment_metric=experiment_metric,
            data_source=_chosen_source(request.POST.get("data_source")),
            sql=request.POST.get("statistics_query", ""),
            today=timezone.localdate(),
        )
        if request.htmx:
            return render(
                request,
                "experiments/partials/query_test.html",
                {"test": test, "experiment_metric": experiment_metric},
            )
    else:
        form = StatisticsQueryForm(
            instance=experiment_metric, data_sources=choices, auto_id="query_%s"
        )
    context = {
        "experiment": experiment,
        "experiment_metric": experiment_metric,
        "form": form,
        "test": test,
    }
    return render(request, "experiments/metric_query.html", context)


def _chosen_source(raw: str | None) -> DataSource | None:
    pk = int(raw) if raw and raw.isdigit() else None
    return DataSource.objects.filter(pk=pk).first() if pk else None


@require_POST
def statistics_refresh(request: HttpRequest, pk: int) -> HttpResponse:
    """Compute every metric's statistics from its query; back to the results, with a
    message per metric that failed."""
    try:
        experiment = selectors.experiment_for_page(pk=pk)
    except Experiment.DoesNotExist as exc:
        raise Http404("No such experiment.") from exc
    permissions.require(statistics_sources.may_refresh(request.user, experiment))
    try:
        report = statistics_sources.statistics_refresh(
            actor=request.user, experiment=experiment, today=timezone.localdate()
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(experiment_url(experiment) + "#metrics")
    succeeded = [done for done in report.metrics if done.ok]
    if succeeded:
        changed = sum(done.changed for done in succeeded)
        messages.success(
            request,
            f"Refreshed {len(succeeded)} metric{'s' if len(succeeded) != 1 else ''} from "
            f"{report.start_date:%Y-%m-%d} to {report.end_date:%Y-%m-%d} "
            f"({changed} variant statistic{'s' if changed != 1 else ''} changed).",
        )
    for done in report.failed:
        messages.error(
            request,
            f"{done.experiment_metric.metric} was not refreshed, its statistics are as they "
            f"were: {summary(done.problems)}",
        )
    return redirect(experiment_url(experiment) + "#results")
