"""The experiment list, an experiment's page (design and sample-size calculator, results
with their readings and chart, the decision), and the pages that edit it: the design, the
variant set, the metrics, a metric's statistics, their import and their query (tested,
saved, and run by the refresh), and the steps of its life (start, stop, decide). Writes
go through core.editing and the services, which decide who may; the pages are guarded
first so that nobody fills in a form they may not send."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from pilothouse.api.uploads import max_bytes, too_big_message
from pilothouse.core import markdown, permissions
from pilothouse.core import selectors as core_selectors
from pilothouse.core.editing import CONFLICT_MESSAGE, EditPages, apply_validation_error, int_param
from pilothouse.core.errors import ConflictError
from pilothouse.core.imports import MappingError
from pilothouse.core.tabular import TableError
from pilothouse.experiments import charts, imports, results, selectors, services
from pilothouse.experiments.forms import (
    DecisionForm,
    ExperimentForm,
    ExperimentMetricForm,
    SizeForm,
    StartForm,
    StatisticsForm,
    StatisticsImportForm,
    StatisticsQueryForm,
    StopForm,
    variant_rows,
)
from pilothouse.experiments.models import (
    Experiment,
    ExperimentMetric,
    ExperimentStatus,
)
from pilothouse.portfolio.models import Product

EXPERIMENTS_PER_PAGE = 50
ERRORS_SHOWN = 50


def experiment_url(experiment: Experiment) -> str:
    return reverse("experiments:experiment_detail", args=[experiment.pk])


def _of_experiment(obj: Any) -> str:
    return reverse("experiments:experiment_detail", args=[obj.experiment_id])


experiment_pages = EditPages(
    form_class=ExperimentForm,
    writes=services.experiment,
    detail_url=experiment_url,
    parent_chosen_in_form=True,
)
metric_pages = EditPages(
    form_class=ExperimentMetricForm, writes=services.experiment_metric, detail_url=_of_experiment
)


def _experiment(pk: int) -> Experiment:
    try:
        return selectors.experiment_for_page(pk=pk)
    except Experiment.DoesNotExist as exc:
        raise Http404("No such experiment.") from exc


def _experiment_metric(pk: int) -> ExperimentMetric:
    try:
        return selectors.experiment_metric_for_page(pk=pk)
    except ExperimentMetric.DoesNotExist as exc:
        raise Http404("No such experiment metric.") from exc


# --- the list --------------------------------------------------------------------------------


def experiment_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    filters = selectors.ListFilters(
        status=status if status in ExperimentStatus.values else "",
        product_id=int_param(request, "product"),
        owner_id=int_param(request, "owner"),
    )
    page = Paginator(selectors.listed(filters), EXPERIMENTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    experiments = list(page.object_list)
    headlines = selectors.headlines(experiments)
    counts = selectors.status_counts(filters)
    context = {
        "page_obj": page,
        "rows": [(e, headlines.get(e.pk)) for e in experiments],
        "filters": filters,
        "statuses": [
            (value, ExperimentStatus(value).label, counts[value])
            for value in selectors.STATUS_ORDER
        ],
        "total": sum(counts.values()),
        "products": selectors.product_choices(),
        "owners": selectors.owner_choices(),
        "can_create": permissions.can_create_any(request.user, model=Experiment),
    }
    return render(request, "experiments/experiment_list.html", context)


# --- an experiment's page ----------------------------------------------------------------


def _size(request: HttpRequest, detail: selectors.ExperimentDetail) -> tuple[SizeForm, Any]:
    """The calculator: what the visitor asked (?baseline=&sd=&mde=&daily=&power=), else the
    experiment's design and the control's statistics so far."""
    experiment = detail.experiment
    kind, mean, sd, source = results.baseline_from(
        detail.primary, detail.control_statistics, detail.latest_value
    )
    asked = any(name in request.GET for name in SizeForm.base_fields)
    form = SizeForm(
        request.GET if asked else None,
        auto_id="size_%s",
        initial={
            "baseline": mean,
            "sd": sd,
            "mde": float(experiment.minimum_detectable_effect)
            if experiment.minimum_detectable_effect is not None
            else None,
            "daily": experiment.daily_users,
            "power": 0.8,
        },
    )
    if asked and not form.is_valid():
        return form, None
    values = form.cleaned_data if asked else form.initial
    inputs = results.SizeInputs(
        metric_type=kind,
        baseline=values.get("baseline"),
        sd=values.get("sd"),
        mde_percent=values.get("mde"),
        daily_users=values.get("daily") or None,
        power=values.get("power") or 0.8,
        baseline_source="" if asked else source,
    )
    answer = results.size(inputs, weights=detail.weights, alpha=float(experiment.alpha))
    for name, reason in answer.errors.items():
        if name in form.fields and form.is_bound:
            form.add_error(name, reason)
    return form, answer


def _size_units(detail: selectors.ExperimentDetail, size: Any) -> list[tuple[str, int]]:
    if size is None or size.plan is None:
        return []
    names = [v.name for v in detail.variants] if len(detail.variants) > 1 else ["Control", "B"]
    return list(zip(names, size.plan.units_per_variant, strict=False))


def _detail_context(
    request: HttpRequest,
    detail: selectors.ExperimentDetail,
    decision_form: DecisionForm | None = None,
) -> dict[str, Any]:
    experiment = detail.experiment
    can_edit = permissions.can_change(request.user, experiment)
    spec = charts.effects_spec(detail.results)
    size_form, size = _size(request, detail)
    version = {"version": experiment.version}
    start = {**version, "start_date": experiment.start_date or timezone.localdate()}
    rationale = markdown.render_markdown(experiment.rationale) if experiment.rationale else ""
    return {
        "metric_rows": _metric_rows(detail, can_edit),
        "can_refresh": can_edit and any(em.data_source_id for em in detail.metrics),
        "experiment": experiment,
        "detail": detail,
        "results": detail.results,
        "chart": charts.svg(spec) if spec else None,
        "size_form": size_form,
        "size": size,
        "size_units": _size_units(detail, size),
        "rationale_html": rationale,
        "can_edit": can_edit,
        "start_form": StartForm(initial=start, auto_id="start_%s"),
        "stop_form": StopForm(initial=version, auto_id="stop_%s"),
        "decision_form": decision_form
        or DecisionForm(
            experiment=experiment, variants=detail.variants, initial=version, auto_id="decision_%s"
        ),
        "history": core_selectors.object_history_described(
            instance=experiment, viewer=request.user
        ),
    }


def _metric_rows(
    detail: selectors.ExperimentDetail, can_edit: bool
) -> list[tuple[ExperimentMetric, StatisticsQueryForm | None]]:
    """Each metric with its query form for those who may change it (the data sources read
    once for all of them; nothing for the others)."""
    if not can_edit:
        return [(em, None) for em in detail.metrics]
    choices = selectors.data_source_choices()
    return [
        (em, StatisticsQueryForm(instance=em, data_sources=choices, auto_id=f"query{em.pk}_%s"))
        for em in detail.metrics
    ]


def experiment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        detail = selectors.experiment_detail(pk=pk, today=timezone.localdate())
    except Experiment.DoesNotExist as exc:
        raise Http404("No such experiment.") from exc
    return render(request, "experiments/experiment_detail.html", _detail_context(request, detail))


def experiment_create(request: HttpRequest) -> HttpResponse:
    initial: dict[str, Any] = {"owner": request.user}
    product_id = int_param(request, "product")
    if product_id and Product.objects.filter(pk=product_id).exists():
        initial["product"] = product_id
    return experiment_pages.create(
        request,
        cancel_url=reverse("experiments:experiment_list"),
        initial=initial,
        title="New experiment",
    )


def experiment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return experiment_pages.edit(request, _experiment(pk))


def experiment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    return experiment_pages.delete(
        request, _experiment(pk), done_url=reverse("experiments:experiment_list")
    )


# --- the steps of its life -----------------------------------------------------------------


def _step(
    request: HttpRequest, experiment: Experiment, form, run, done: str
) -> HttpResponse | None:
    """Run a step from its form; None with the reasons on the form if it is refused."""
    if not form.is_valid():
        return None
    try:
        run(form.cleaned_data)
    except ConflictError:
        form.add_error(None, CONFLICT_MESSAGE.format(noun="experiment"))
        return None
    except ValidationError as exc:
        apply_validation_error(form, exc)
        return None
    messages.success(request, done)
    return redirect(experiment_url(experiment))


def _refused(request: HttpRequest, form) -> None:
    for error in form.non_field_errors():
        messages.error(request, error)
    for name, errors in form.errors.items():
        if name != "__all__":
            for error in errors:
                messages.error(request, f"{name.replace('_', ' ')}: {error}")


@require_POST
def experiment_start(request: HttpRequest, pk: int) -> HttpResponse:
    experiment = _experiment(pk)
    permissions.require(permissions.can_change(request.user, experiment))
    form = StartForm(request.POST)
    done = _step(
        request,
        experiment,
        form,
        lambda data: services.experiment_start(
            actor=request.user,
            instance=experiment,
            version=data["version"],
            start_date=data.get("start_date"),
        ),
        f"Started “{experiment}”.",
    )
    if done is None:
        _refused(request, form)
        return redirect(experiment_url(experiment))
    return done


@require_POST
def experiment_stop(request: HttpRequest, pk: int) -> HttpResponse:
    experiment = _experiment(pk)
    permissions.require(permissions.can_change(request.user, experiment))
    form = StopForm(request.POST)
    done = _step(
        request,
        experiment,
        form,
        lambda data: services.experiment_stop(
            actor=request.user, instance=experiment, version=data["version"]
        ),
        f"Stopped “{experiment}”.",
    )
    if done is None:
        _refused(request, form)
        return redirect(experiment_url(experiment))
    return done


def experiment_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """The decision record: what was decided, the winner to ship, and why. Refusals are
    shown on the experiment's page, with the form as sent."""
    experiment = _experiment(pk)
    permissions.require(permissions.can_change(request.user, experiment))
    if request.method != "POST":
        return redirect(experiment_url(experiment) + "#decision")
    detail = selectors.experiment_detail(pk=pk, today=timezone.localdate())
    form = DecisionForm(
        request.POST, experiment=experiment, variants=detail.variants, auto_id="decision_%s"
    )
    done = _step(
        request,
        experiment,
        form,
        lambda data: services.experiment_decide(
            actor=request.user,
            instance=experiment,
            version=data["version"],
            decision=data["decision"],
            rationale=data["rationale"],
            winner=data.get("winner"),
        ),
        f"Recorded the decision on “{experiment}”.",
    )
    if done is not None:
        return done
    context = _detail_context(request, detail, decision_form=form)
    return render(request, "experiments/experiment_detail.html", context, status=200)


# --- the variant set -------------------------------------------------------------------------


def variants_edit(request: HttpRequest, pk: int) -> HttpResponse:
    experiment = _experiment(pk)
    permissions.require(permissions.can_change(request.user, experiment))
    variants = list(experiment.variants.order_by("position"))
    rows = variant_rows(variants, request.POST if request.method == "POST" else None)
    if request.method == "POST" and rows.is_valid():
        try:
            services.variants_set(actor=request.user, instance=experiment, variants=rows.rows())
        except ValidationError as exc:
            _variant_errors(rows, exc)
        else:
            messages.success(request, f"Saved the variants of “{experiment}”.")
            return redirect(experiment_url(experiment))
    context = {
        "experiment": experiment,
        "rows": rows,
        "fixed": experiment.status != ExperimentStatus.DRAFT,
    }
    return render(request, "experiments/variants_form.html", context)


def _variant_errors(rows, exc: ValidationError) -> None:
    """The service's `variants[i].<field>` errors on the filled-in rows they name."""
    filled = [form for form in rows.forms if (form.cleaned_data or {}).get("name", "").strip()]
    general = []
    for where, texts in exc.message_dict.items():
        head, _, field = where.partition(".")
        index = head[len("variants[") : -1] if head.startswith("variants[") else ""
        if index.isdigit() and int(index) < len(filled) and field in filled[int(index)].fields:
            filled[int(index)].add_error(field, texts)
        else:
            general.extend(texts)
    rows.general_errors = general


# --- metrics and their statistics -------------------------------------------------------


def metric_create(request: HttpRequest, pk: int) -> HttpResponse:
    experiment = _experiment(pk)
    return metric_pages.create(
        request,
        cancel_url=experiment_url(experiment),
        fixed={"experiment": experiment},
        title=f"Add a metric to “{experiment}”",
    )


def metric_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return metric_pages.edit(request, _experiment_metric(pk))


def metric_delete(request: HttpRequest, pk: int) -> HttpResponse:
    experiment_metric = _experiment_metric(pk)
    return metric_pages.delete(
        request, experiment_metric, done_url=_of_experiment(experiment_metric)
    )


def statistics_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """A metric's statistics, one row per variant; saved all together or not at all."""
    experiment_metric = _experiment_metric(pk)
    experiment = experiment_metric.experiment
    permissions.require(permissions.can_change(request.user, experiment_metric))
    variants = list(experiment.variants.order_by("position"))
    existing = {s.variant_id: s for s in experiment_metric.statistics.all()}
    form = StatisticsForm(
        request.POST if request.method == "POST" else None,
        experiment_metric=experiment_metric,
        variants=variants,
        existing=existing,
    )
    if request.method == "POST" and form.is_valid():
        given = form.rows()
        try:
            services.statistics_set(
                actor=request.user, experiment_metric=experiment_metric, rows=given
            )
        except ValidationError as exc:
            form.place_errors(exc.message_dict, given)
        else:
            messages.success(request, f"Saved the statistics of {experiment_metric.metric}.")
            return redirect(experiment_url(experiment) + "#results")
    context = {
        "experiment": experiment,
        "experiment_metric": experiment_metric,
        "form": form,
        "columns": [form.label_of(column) for column in form.columns],
    }
    return render(request, "experiments/statistics_form.html", context)


def statistics_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Statistics from a CSV or XLSX file: a dry run first (the default), then for real."""
    experiment = _experiment(pk)
    permissions.require(permissions.can_change(request.user, experiment))
    result = None
    problem = None
    if request.method == "POST":
        form = StatisticsImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > max_bytes():
                problem = too_big_message(upload.size)
            else:
                try:
                    result = imports.import_statistics(
                        experiment=experiment,
                        source=upload.file,
                        filename=upload.name,
                        actor=request.user,
                        dry_run=form.cleaned_data["dry_run"],
                    )
                except (TableError, MappingError) as exc:
                    problem = str(exc)
            if result is not None and result.report.committed:
                messages.success(request, f"Imported the statistics: {result.report.summary()}.")
                return redirect(experiment_url(experiment) + "#results")
    else:
        form = StatisticsImportForm()
    context = {
        "experiment": experiment,
        "form": form,
        "result": result,
        "problem": problem,
        "errors": result.report.errors[:ERRORS_SHOWN] if result else [],
        "counts": _counts(result.report.counts) if result else {},
    }
    return render(request, "experiments/statistics_import.html", context)


def _counts(counts: Mapping[Any, int]) -> dict[str, int]:
    return {str(outcome): count for outcome, count in counts.items()}
