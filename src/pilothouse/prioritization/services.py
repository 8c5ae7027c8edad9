"""Every write of prioritization goes through these (core.writes underneath:
permission-checked, validated, atomic, change-logged).

- Scoring models: `scoring_model.create / update / delete`. Portfolio-wide models
  (no product) are created by product leaders and admins; a product manager creates
  and edits the models of the products they steward (core.permissions, through the
  model's permission parent, its product). The framework is fixed once created. A
  custom formula that does not parse is refused with its position in the message.
- A change to what a model computes (its formula or declared inputs) re-scores every
  feature it has scored, in the same transaction, with `rescore`: the stored inputs are
  checked against the new definition and the scores recomputed in Python and written
  in batches of one parameterized UPDATE each (20,000 features in well under a second
  on SQLite; see benchmarks/rescore.py). A refusal (inputs now out of range, a formula that
  cannot be computed for some feature) names the features and changes nothing. The
  model's own change record is the log of the change: scores are derived data, left
  out of the change log like a feature's demand figures, so 20,000 re-scored features
  cost no 20,000 change records.
- Inputs: `feature_score_set` validates them with the engine (a bad one is a
  ValidationError naming "inputs.<field>"), computes the score and creates or updates
  the FeatureScore; whoever may edit the feature may set them.

Scores of custom formulas that read computed fields are not stored (see schemes.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connections, router, transaction

from pilothouse.core import permissions
from pilothouse.core.models import User
from pilothouse.core.writes import ModelWrites
from pilothouse.engines import scoring
from pilothouse.prioritization import schemes
from pilothouse.prioritization.models import FeatureScore, ScoringModel
from pilothouse.roadmap.models import Feature

RESCORE_BATCH = 1000
EXAMPLES_NAMED = 3


@dataclass(frozen=True)
class Rescored:
    """What a re-scoring did: features with a score, incomplete ones, rows written."""

    scored: int
    incomplete: int
    written: int


def _feature_titles(feature_ids: list[int]) -> str:
    titles = dict(Feature.objects.filter(pk__in=feature_ids).values_list("pk", "title"))
    return ", ".join(f"“{titles.get(pk, pk)}”" for pk in feature_ids)


def _refusal(what: str, problems: list[tuple[int, str]]) -> str:
    shown = problems[:EXAMPLES_NAMED]
    first_problem = shown[0][1]
    count = len(problems)
    noun = "feature" if count == 1 else "features"
    return (
        f"{what} for {count} scored {noun} ({_feature_titles([pk for pk, _ in shown])}"
        f"{', ...' if count > len(shown) else ''}); the first: {first_problem}. "
        "Nothing was changed."
    )


def rescore(*, scoring_model: ScoringModel, batch_size: int = RESCORE_BATCH) -> Rescored:
    """Recompute the stored scores of every feature the model has scored, after a
    change to the model: check each feature's inputs against the model's inputs (the
    ones it no longer declares are dropped), compute the score in Python, and write the
    rows that change in batches (`_write_scores`). Scores of a model that reads computed
    fields are not stored: they are cleared, and computed when read.

    Raises ValidationError (nothing written) naming the features whose inputs the model
    now refuses ("input_fields") or whose score it cannot compute ("formula"). Derived
    data: no permission check, no version bump, no change record (the caller's change
    to the model is the record). Call it inside the transaction that changed the model.
    """
    scheme = schemes.scheme_of(scoring_model)
    live = bool(scheme.computed)
    rows = (
        FeatureScore.objects.filter(scoring_model=scoring_model)
        .order_by("feature_id")  # refusals name features in a stable order
        .values_list("pk", "feature_id", "inputs", "score")
    )
    changed: list[tuple[int, dict, float | None]] = []
    refused: list[tuple[int, str]] = []
    failed: list[tuple[int, str]] = []
    scored = incomplete = 0
    for pk, feature_id, inputs, old_score in rows:
        try:
            values = scheme.validate(inputs or {}, ignore_unknown=True)
        except scoring.InputErrors as exc:
            refused.append((feature_id, str(exc)))
            continue
        score = None
        if not live:
            try:
                score = scheme.score(values)
            except scoring.FormulaError as exc:
                failed.append((feature_id, str(exc)))
                continue
        if scheme.complete(values):
            scored += 1
        else:
            incomplete += 1
        kept = scoring.stored_form(values)
        if score != old_score or kept != inputs:
            changed.append((pk, kept, score))
    errors: dict[str, str] = {}
    if refused:
        errors["input_fields"] = _refusal("The inputs no longer fit", refused)
    if failed:
        errors["formula"] = _refusal("The formula cannot be computed", failed)
    if errors:
        raise ValidationError(errors)
    _write_scores(changed, batch_size=batch_size)
    return Rescored(scored=scored, incomplete=incomplete, written=len(changed))


def _write_scores(rows: list[tuple[int, dict, float | None]], *, batch_size: int) -> None:
    """UPDATE the inputs and score of many rows, (id, inputs, score) each, with one
    executemany of a parameterized statement per batch.

    Not QuerySet.bulk_update: it builds a CASE WHEN expression per row and field and
    resolves each through the ORM, which measured about 8 s for 20,000 rows on SQLite
    (nearly all of it in Python) against a quarter of a second for this.
    """
    if not rows:
        return
    connection = connections[router.db_for_write(FeatureScore)]
    meta = FeatureScore._meta
    inputs_field = meta.get_field("inputs")
    quote = connection.ops.quote_name
    sql = (
        f"UPDATE {quote(meta.db_table)} SET {quote(inputs_field.column)} = %s, "
        f"{quote(meta.get_field('score').column)} = %s WHERE {quote(meta.pk.column)} = %s"
    )
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch_size):
            cursor.executemany(
                sql,
                [
                    (inputs_field.get_db_prep_save(inputs, connection), score, pk)
                    for pk, inputs, score in rows[start : start + batch_size]
                ],
            )


# The fields of a model whose change changes what its scores are.
DEFINITION_FIELDS = ("framework", "formula", "input_fields")


class ScoringModelWrites(ModelWrites):
    """Scoring models: the framework is fixed once created; a change to the formula or
    the declared inputs re-scores the model's features in the same transaction; a
    narrower scope is refused while features outside it have scores."""

    def prepare(self, instance: ScoringModel | None, data: dict[str, Any]) -> dict[str, Any]:
        if "formula" in data:
            data["formula"] = (data["formula"] or "").strip()
        if "input_fields" in data:
            data["input_fields"] = schemes.canonical_fields(data["input_fields"] or [])
        if "description" in data and data["description"] is None:
            data["description"] = ""
        if instance is not None and "framework" in data and data["framework"] != instance.framework:
            raise ValidationError(
                {
                    "framework": "The framework of a scoring model cannot change: its "
                    "scores' inputs belong to it. Create a new model instead."
                }
            )
        return data

    def update(self, *, actor, instance, version, data, m2m=None):
        with transaction.atomic():
            before = (
                ScoringModel.objects.filter(pk=instance.pk)
                .values("product_id", *DEFINITION_FIELDS)
                .first()
            )
            updated = super().update(
                actor=actor, instance=instance, version=version, data=data, m2m=m2m
            )
            if updated.product_id is not None and before["product_id"] != updated.product_id:
                _refuse_narrower_scope(updated)
            if before is not None and any(
                before[name] != getattr(updated, name) for name in DEFINITION_FIELDS
            ):
                rescore(scoring_model=updated)
        return updated

    def delete(self, *, actor, instance, version=None):
        with transaction.atomic():
            # The scores go with the model in one statement; the model's deletion is the
            # change record (not one per score). A refusal below rolls this back.
            FeatureScore.objects.filter(scoring_model=instance).delete()
            super().delete(actor=actor, instance=instance, version=version)


def _refuse_narrower_scope(model: ScoringModel) -> None:
    outside = FeatureScore.objects.filter(scoring_model=model).exclude(
        feature__product_id=model.product_id
    )
    count = outside.count()
    if count:
        noun = "feature of another product has" if count == 1 else "features of other products have"
        raise ValidationError(
            {
                "product": f"{count} {noun} scores under this model: it cannot be narrowed "
                f"to {model.product.name} until they are removed. Nothing was changed."
            }
        )


scoring_model = ScoringModelWrites(ScoringModel)
feature_score = ModelWrites(FeatureScore)


def _inputs_error(exc: scoring.InputErrors) -> ValidationError:
    return ValidationError({f"inputs.{name}": message for name, message in exc.errors.items()})


def feature_score_set(
    *,
    actor: User | None,
    feature: Feature,
    scoring_model: ScoringModel,
    inputs: Mapping[str, Any],
    version: int | None = None,
) -> FeatureScore:
    """Give `feature` these inputs under `scoring_model` (replacing the ones it had; a
    missing or null input leaves the score incomplete) and store the score they make.

    Refused (nothing written): PermissionDenied unless the actor may edit the feature;
    ValidationError naming "inputs.<field>" for a bad input, "feature" for a feature
    outside the model's scope, "inputs" when a custom formula cannot be computed with
    these inputs; ConflictError when `version` is not the score's current version.
    """
    if actor is not None:
        permissions.require(
            permissions.can_create(actor, parent=feature, model=FeatureScore),
            "You may not score this feature: only those who may edit it may.",
        )
    scheme = schemes.scheme_of(scoring_model)
    try:
        values = scheme.validate(inputs)
    except scoring.InputErrors as exc:
        raise _inputs_error(exc) from exc
    score = None
    if not scheme.computed:
        try:
            score = scheme.score(values)
        except scoring.FormulaError as exc:
            raise ValidationError(
                {"inputs": f"The formula cannot be computed with these inputs: {exc}."}
            ) from exc
    data = {"inputs": scoring.stored_form(values), "score": score}
    with transaction.atomic():
        existing = (
            FeatureScore.objects.filter(feature=feature, scoring_model=scoring_model)
            .select_for_update()
            .first()
        )
        if existing is None:
            return feature_score.create(
                actor=actor,
                data={"feature": feature, "scoring_model": scoring_model, **data},
            )
        existing.feature, existing.scoring_model = feature, scoring_model  # loaded already
        updated = feature_score.update(actor=actor, instance=existing, version=version, data=data)
        if updated.score != score:
            # The inputs are unchanged (no new version) but the stored score differs:
            # derived data, so put it right without a change record.
            FeatureScore.objects.filter(pk=updated.pk).update(score=score)
            updated.score = score
        return updated


def feature_score_clear(
    *,
    actor: User | None,
    feature: Feature,
    scoring_model: ScoringModel,
    version: int | None = None,
) -> bool:
    """Remove a feature's inputs under a model; answers whether there were any."""
    existing = (
        FeatureScore.objects.filter(feature=feature, scoring_model=scoring_model)
        .select_related("feature", "scoring_model")
        .first()
    )
    if existing is None:
        if actor is not None:
            permissions.require(permissions.can_create(actor, parent=feature, model=FeatureScore))
        return False
    existing.feature = feature
    feature_score.delete(actor=actor, instance=existing, version=version)
    return True
