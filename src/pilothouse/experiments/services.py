"""Every write of experiments goes through these (core.writes underneath: permission-checked,
validated, atomic, change-logged).

- An experiment moves draft -> running -> stopped -> decided (running -> decided too);
  each step has its conditions (`ExperimentWrites.prepare`). Deciding to ship a variant
  marks the linked feature measured through the roadmap's feature service, in the same
  transaction: refused, with nothing written, while the feature is not released.
- The variants are set as a whole (`variants_set`), so that their weights always sum to 1;
  they are fixed once the experiment runs, since its users were assigned with them.
- Statistics are set for one metric at a time, all rows or none (`statistics_set`); each
  row is checked on its own (VariantStatistics.clean) and the set by the engine.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import CharField, F, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from pilothouse.core import permissions, writes
from pilothouse.core.models import User
from pilothouse.core.writes import ModelWrites
from pilothouse.experiments import results
from pilothouse.experiments.models import (
    CUPED_FIELDS,
    RATIO_FIELDS,
    Decision,
    Experiment,
    ExperimentMetric,
    ExperimentStatus,
    MetricRole,
    Variant,
    VariantStatistics,
)
from pilothouse.roadmap import services as roadmap_services
from pilothouse.roadmap.models import FeatureStage

# Which status may follow which.
TRANSITIONS: dict[str, frozenset[str]] = {
    ExperimentStatus.DRAFT: frozenset({ExperimentStatus.RUNNING}),
    ExperimentStatus.RUNNING: frozenset({ExperimentStatus.STOPPED, ExperimentStatus.DECIDED}),
    ExperimentStatus.STOPPED: frozenset({ExperimentStatus.DECIDED}),
    ExperimentStatus.DECIDED: frozenset(),
}
MAX_VARIANTS = 10
STATISTICS_FIELDS = ("n", "sum", "sum_squares", *RATIO_FIELDS, *CUPED_FIELDS)
# Moved out of the way while a set of variants is reordered or renamed (the positions and
# names are unique per experiment, and checked row by row).
PARKED_POSITION = 10_000


def _after(instance: Any, data: Mapping[str, Any], name: str) -> Any:
    """A field's value once `data` is applied (instance None: a new object)."""
    if name in data:
        return data[name]
    return getattr(instance, name) if instance is not None else None


def _id(value: Any) -> Any:
    return getattr(value, "pk", value)


class ExperimentWrites(ModelWrites):
    def prepare(self, instance: Experiment | None, data: dict[str, Any]) -> dict[str, Any]:
        if instance is None:
            status = data.get("status", ExperimentStatus.DRAFT)
            if status != ExperimentStatus.DRAFT:
                raise ValidationError(
                    {"status": "An experiment starts as a draft; start it once it is designed."}
                )
            return data
        new = data.get("status", instance.status)
        if new != instance.status:
            allowed = TRANSITIONS[instance.status]
            if new not in allowed:
                choices = ", ".join(sorted(allowed)) or "none: a decided experiment is final"
                raise ValidationError(
                    {
                        "status": f"An experiment cannot go from {instance.status} to {new}; "
                        f"allowed next: {choices}."
                    }
                )
            today = timezone.localdate()
            if new == ExperimentStatus.RUNNING:
                _check_ready_to_run(instance, data)
            ending = new in (ExperimentStatus.STOPPED, ExperimentStatus.DECIDED)
            if ending and _after(instance, data, "end_date") is None:
                data["end_date"] = max(today, instance.start_date or today)
            if new == ExperimentStatus.DECIDED:
                data["decided_at"] = timezone.now()
        if new == ExperimentStatus.DECIDED:
            if not (_after(instance, data, "rationale") or "").strip():
                raise ValidationError(
                    {"rationale": "Say why: the rationale is the record of the decision."}
                )
            if _after(instance, data, "decision") == Decision.SHIP:
                _check_feature_can_be_measured(instance, data)
        return data

    def update(self, *, actor, instance, version, data, m2m=None):
        with transaction.atomic():
            was = instance.status, instance.decision
            saved = super().update(
                actor=actor, instance=instance, version=version, data=data, m2m=m2m
            )
            if (saved.status, saved.decision) != was:
                _mark_feature_measured(actor=actor, experiment=saved)
            return saved


def _check_ready_to_run(instance: Experiment, data: Mapping[str, Any]) -> None:
    missing = []
    weights = list(instance.variants.values_list("weight", flat=True))
    if len(weights) < 2:
        missing.append("a control and at least one variant")
    elif sum(weights) != 1:
        missing.append(f"variant weights that sum to 1 (they sum to {sum(weights)})")
    if not instance.metrics.filter(role=MetricRole.PRIMARY).exists():
        missing.append("a primary metric")
    if _after(instance, data, "start_date") is None:
        missing.append("a start date")
    if missing:
        raise ValidationError(
            {"status": "The experiment cannot start yet: it needs " + _and(missing) + "."}
        )


def _and(parts: Sequence[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _check_feature_can_be_measured(instance: Experiment, data: Mapping[str, Any]) -> None:
    feature = _after(instance, data, "feature")
    if feature is None:
        return
    if feature.stage not in (FeatureStage.RELEASED, FeatureStage.MEASURED):
        raise ValidationError(
            {
                "decision": f"Shipping marks the feature “{feature.title}” measured, but its "
                f"stage is {feature.get_stage_display()}, not Released. Release it first, or "
                "unlink it from the experiment; nothing was saved."
            }
        )


def _mark_feature_measured(*, actor: User | None, experiment: Experiment) -> None:
    """A decision to ship is the measurement of the feature it tested."""
    if experiment.status != ExperimentStatus.DECIDED or experiment.decision != Decision.SHIP:
        return
    feature = experiment.feature
    if feature is None or feature.stage == FeatureStage.MEASURED:
        return
    roadmap_services.feature.update(
        actor=actor, instance=feature, version=None, data={"stage": FeatureStage.MEASURED}
    )


def experiment_start(
    *, actor: User | None, instance: Experiment, version: int | None, start_date=None
) -> Experiment:
    data: dict[str, Any] = {"status": ExperimentStatus.RUNNING}
    if start_date is not None:
        data["start_date"] = start_date
    return experiment.update(actor=actor, instance=instance, version=version, data=data)


def experiment_stop(
    *, actor: User | None, instance: Experiment, version: int | None, end_date=None
) -> Experiment:
    data: dict[str, Any] = {"status": ExperimentStatus.STOPPED}
    if end_date is not None:
        data["end_date"] = end_date
    return experiment.update(actor=actor, instance=instance, version=version, data=data)


def experiment_decide(
    *,
    actor: User | None,
    instance: Experiment,
    version: int | None,
    decision: str,
    rationale: str,
    winner: Variant | None = None,
) -> Experiment:
    """Record the decision (and, to ship, the winning variant); a shipped feature becomes
    measured. Refused as a whole, naming the field, if anything is missing."""
    data = {
        "status": ExperimentStatus.DECIDED,
        "decision": decision,
        "rationale": rationale,
        "winner": winner if decision == Decision.SHIP else None,
    }
    return experiment.update(actor=actor, instance=instance, version=version, data=data)


# --- variants --------------------------------------------------------------------------------


class VariantWrites(ModelWrites):
    """A single variant changes its name or description only: weights and positions change
    with the whole set (variants_set), so they keep summing to 1."""

    def prepare(self, instance: Variant | None, data: dict[str, Any]) -> dict[str, Any]:
        moved = {"weight", "position", "experiment"} & set(data)
        if instance is None or any(data[name] != getattr(instance, name) for name in moved):
            raise ValidationError(
                {
                    "weight": "Set an experiment's variants and weights together, so that the "
                    "weights sum to 1 (PUT /experiments/{id}/variants)."
                }
            )
        return data

    def delete(self, *, actor, instance, version=None):
        raise ValidationError(
            {"variants": "Remove a variant by setting the experiment's variants without it."}
        )


def _weight(value: Any, where: str, errors: dict[str, str]) -> Decimal | None:
    try:
        weight = Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors[where] = f"{value!r} is not a number."
        return None
    if not weight.is_finite() or not 0 < weight <= 1:
        errors[where] = f"A weight is a share of the traffic above 0 and at most 1, not {value}."
        return None
    if weight != weight.quantize(Decimal("0.0001")):
        errors[where] = f"Weights have at most 4 decimals ({value} has more)."
        return None
    return weight


def check_variant_set(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The rows cleaned ({id?, name, description, weight}), or ValidationError naming the
    row and field: 2 to 10 variants, names unique, weights summing to exactly 1."""
    errors: dict[str, str] = {}
    if not 2 <= len(rows) <= MAX_VARIANTS:
        raise ValidationError(
            {
                "variants": f"An experiment has a control and 1 to {MAX_VARIANTS - 1} variants "
                f"({len(rows)} given)."
            }
        )
    cleaned = []
    seen: dict[str, int] = {}
    for index, row in enumerate(rows):
        where = f"variants[{index}]"
        name = str(row.get("name") or "").strip()
        if not name:
            errors[f"{where}.name"] = "Name the variant (the first is the control)."
        elif name.casefold() in seen:
            errors[f"{where}.name"] = f"“{name}” is the name of variant {seen[name.casefold()]}."
        else:
            seen[name.casefold()] = index
        weight = _weight(row.get("weight"), f"{where}.weight", errors)
        cleaned.append(
            {
                "id": row.get("id"),
                "name": name,
                "description": str(row.get("description") or ""),
                "weight": weight,
            }
        )
    if not errors:
        total = sum(row["weight"] for row in cleaned)
        if total != 1:
            listed = " + ".join(f"{row['name']} {row['weight']}" for row in cleaned)
            errors["variants"] = f"The weights must sum to 1; {listed} = {total}."
    if errors:
        raise ValidationError(errors)
    return cleaned


def variants_set(
    *, actor: User | None, instance: Experiment, variants: Sequence[Mapping[str, Any]]
) -> list[Variant]:
    """Replace an experiment's variants, in order (the first is the control), all at once:
    rows with an `id` (or the name of an existing variant) keep that variant and its
    statistics, new names add variants, and variants left out are deleted with their
    statistics. Only while the experiment is a draft."""
    cleaned = check_variant_set(variants)
    with transaction.atomic():
        if actor is not None:
            permissions.require(permissions.can_change(actor, instance))
        current = writes.lock(instance=instance, version=None)
        if current.status != ExperimentStatus.DRAFT:
            raise ValidationError(
                {
                    "variants": f"The experiment is {current.get_status_display().lower()}: its "
                    "variants are fixed once it runs, since its users were assigned with them."
                }
            )
        existing = {v.pk: v for v in Variant.objects.select_for_update().filter(experiment=current)}
        by_name = {v.name.casefold(): v for v in existing.values()}
        kept: dict[int, Variant] = {}
        errors: dict[str, str] = {}
        for index, row in enumerate(cleaned):
            if row["id"] is not None:
                found = existing.get(_id(row["id"]))
                if found is None:
                    errors[f"variants[{index}].id"] = f"No variant {row['id']} in this experiment."
                    continue
            else:
                found = by_name.get(row["name"].casefold())
            if found is not None:
                if any(v.pk == found.pk for v in kept.values()):
                    errors[f"variants[{index}]"] = f"Variant {found.pk} is given twice."
                    continue
                kept[index] = found
        if errors:
            raise ValidationError(errors)
        for variant in existing.values():
            if variant not in kept.values():
                writes.delete(instance=variant, actor=actor)
        moving = [
            variant.pk
            for index, variant in kept.items()
            if (variant.position, variant.name) != (index, cleaned[index]["name"])
        ]
        # Out of the way first, so a swap of places or names never meets itself; the
        # change log compares with the variants as they were read above.
        Variant.objects.filter(pk__in=moving).update(
            position=F("position") + PARKED_POSITION,
            name=Concat(Value("~"), Cast("id", output_field=CharField())),
        )
        changes = [
            (
                variant,
                {
                    "name": cleaned[index]["name"],
                    "description": cleaned[index]["description"],
                    "weight": cleaned[index]["weight"],
                    "position": index,
                },
            )
            for index, variant in kept.items()
        ]
        try:
            writes.update_many(actor=actor, changes=changes)
        except writes.RefusedRows as exc:
            raise _renamed(exc, list(kept)) from exc
        for index, row in enumerate(cleaned):
            if index in kept:
                continue
            writes.create(
                model=Variant,
                actor=actor,
                data={
                    "experiment": current,
                    "name": row["name"],
                    "description": row["description"],
                    "weight": row["weight"],
                    "position": index,
                },
            )
    return list(Variant.objects.filter(experiment=instance).order_by("position"))


def _renamed(exc: writes.RefusedRows, indexes: Sequence[int]) -> ValidationError:
    """RefusedRows of a sub-list, named by the rows of the whole list."""
    messages: dict[str, list[str]] = {}
    for at, error in exc.errors.items():
        where = f"variants[{indexes[at]}]"
        if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
            for name, texts in error.message_dict.items():
                messages.setdefault(f"{where}.{name}", []).extend(texts)
        else:
            messages.setdefault(where, []).append(str(error))
    return ValidationError(messages)


# --- metrics ---------------------------------------------------------------------------------


class ExperimentMetricWrites(ModelWrites):
    """An experiment that has started keeps its primary metric: it is what the experiment
    was run to judge."""

    def prepare(self, instance, data):
        demoted = instance is not None and instance.role == MetricRole.PRIMARY
        if demoted and data.get("role", instance.role) != MetricRole.PRIMARY:
            _keep_primary(instance)
        return data

    def delete(self, *, actor, instance, version=None):
        if instance.role == MetricRole.PRIMARY:
            _keep_primary(instance)
        super().delete(actor=actor, instance=instance, version=version)


def _keep_primary(instance: ExperimentMetric) -> None:
    experiment = instance.experiment
    if experiment.status != ExperimentStatus.DRAFT:
        raise ValidationError(
            {
                "role": f"The experiment is {experiment.get_status_display().lower()}: it keeps "
                "the primary metric it was started with."
            }
        )


# --- statistics ------------------------------------------------------------------------------


def statistics_set(
    *,
    actor: User | None,
    experiment_metric: ExperimentMetric,
    rows: Sequence[Mapping[str, Any]],
) -> list[VariantStatistics]:
    """Set the statistics of the given variants on one metric, all or nothing. Each row is
    {variant (a Variant of the experiment), n, sum, sum_squares, ...}; a variant's existing
    statistics are updated, others created, other variants' left as they are. Refused
    rows raise ValidationError naming `rows[i].<field>`; nothing is written."""
    errors: dict[str, list[str]] = {}
    variants = {v.pk: v for v in experiment_metric.experiment.variants.all()}
    with transaction.atomic():
        if actor is not None:
            permissions.require(
                permissions.can_create(actor, parent=experiment_metric, model=VariantStatistics)
            )
        existing = {
            s.variant_id: s
            for s in VariantStatistics.objects.select_for_update().filter(
                experiment_metric=experiment_metric
            )
        }
        planned: list[tuple[int, VariantStatistics, dict[str, Any]]] = []
        seen: set[int] = set()
        for index, row in enumerate(rows):
            where = f"rows[{index}]"
            variant = variants.get(_id(row.get("variant")))
            if variant is None:
                errors.setdefault(f"{where}.variant", []).append(
                    "Not a variant of this experiment."
                )
                continue
            if variant.pk in seen:
                errors.setdefault(f"{where}.variant", []).append(
                    f"“{variant.name}” is given twice."
                )
                continue
            seen.add(variant.pk)
            data = {name: row.get(name) for name in STATISTICS_FIELDS}
            stats = existing.get(variant.pk) or VariantStatistics(
                experiment_metric=experiment_metric, variant=variant
            )
            for name, texts in statistics_row_problems(experiment_metric, variant, data).items():
                errors.setdefault(f"{where}.{name}", []).extend(texts)
            planned.append((index, stats, data))
        if errors:
            raise ValidationError(errors)
        after = {
            **existing,
            **{stats.variant_id: _applied(stats, data) for _, stats, data in planned},
        }
        index_of = {stats.variant_id: index for index, stats, _ in planned}
        results.check_sums(
            experiment_metric,
            [after[v] for v in variants if v in after],
            where=lambda stats: (
                f"rows[{index_of[stats.variant_id]}]"
                if stats.variant_id in index_of
                else f"the stored statistics of {variants[stats.variant_id].name}"
            ),
        )
        saved = []
        for _index, stats, data in planned:
            if stats.pk is None:
                saved.append(
                    writes.create(
                        model=VariantStatistics,
                        actor=actor,
                        data={
                            "experiment_metric": experiment_metric,
                            "variant": stats.variant,
                            **data,
                        },
                    )
                )
            else:
                saved.append(writes.update(instance=stats, actor=actor, version=None, data=data))
    return saved


def statistics_row_problems(
    experiment_metric: ExperimentMetric, variant: Variant, data: Mapping[str, Any]
) -> dict[str, list[str]]:
    """What the model refuses in one variant's sums, by field (empty: nothing); no query
    and no write. The engine's check of the whole set is `results.check_sums`."""
    probe = VariantStatistics(experiment_metric=experiment_metric, variant=variant, **data)
    try:
        probe.full_clean(exclude=["experiment_metric", "variant"], validate_unique=False)
    except ValidationError as exc:
        return exc.message_dict
    return {}


def _applied(stats: VariantStatistics, data: Mapping[str, Any]) -> VariantStatistics:
    """A copy of `stats` with `data` on it, for checking the set as it will be."""
    copy = VariantStatistics(
        pk=stats.pk,
        experiment_metric_id=stats.experiment_metric_id,
        variant_id=stats.variant_id,
        **{name: getattr(stats, name) for name in STATISTICS_FIELDS},
    )
    for name, value in data.items():
        setattr(copy, name, value)
    return copy


class VariantStatisticsWrites(ModelWrites):
    """One variant's statistics written alone (the API's single-object endpoints) are
    checked with the metric's other variants by the engine, as a set would be."""

    def create(self, *, actor, data, m2m=None):
        with transaction.atomic():
            saved = super().create(actor=actor, data=data, m2m=m2m)
            _check_stored(saved.experiment_metric)
            return saved

    def update(self, *, actor, instance, version, data, m2m=None):
        with transaction.atomic():
            saved = super().update(
                actor=actor, instance=instance, version=version, data=data, m2m=m2m
            )
            _check_stored(saved.experiment_metric)
            return saved


def _check_stored(experiment_metric: ExperimentMetric) -> None:
    stored = list(VariantStatistics.objects.filter(experiment_metric=experiment_metric))
    results.check_sums(experiment_metric, stored, where=lambda _stats: "")


experiment = ExperimentWrites(Experiment)
variant = VariantWrites(Variant)
experiment_metric = ExperimentMetricWrites(ExperimentMetric)
variant_statistics = VariantStatisticsWrites(VariantStatistics)
