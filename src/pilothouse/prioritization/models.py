"""Scoring models (RICE, ICE, WSJF, value vs effort, custom formulas) and the scores
they give features.

A `ScoringModel` is used across the whole portfolio (product None: product leaders and
admins create those) or for one product (its stewards may create and edit it). A
`FeatureScore` holds the inputs one feature was given under one model and the score
they make. The score is derived data (like a feature's demand figures): it is left out
of the change log, which records the inputs; see services.py for how it stays true.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models

from pilothouse.core.models import VersionedModel
from pilothouse.engines import scoring
from pilothouse.portfolio.models import Product
from pilothouse.roadmap.models import Feature


class Framework(models.TextChoices):
    RICE = scoring.RICE, "RICE"
    ICE = scoring.ICE, "ICE"
    WSJF = scoring.WSJF, "WSJF"
    VALUE_EFFORT = scoring.VALUE_EFFORT, "Value vs effort"
    CUSTOM = scoring.CUSTOM, "Custom formula"


def _formula_error(error: scoring.FormulaError) -> ValidationError:
    # The position travels in params so that a form can draw the caret; the message is
    # formatted with them, so a "%" in it (the formula may contain one) is escaped.
    return ValidationError(
        str(error).replace("%", "%%"),
        code="formula",
        params={"position": error.position},
    )


class ScoringModel(VersionedModel):
    name = models.CharField(max_length=120, unique=True)
    framework = models.CharField(
        max_length=16,
        choices=Framework.choices,
        help_text="Fixed once the model exists: its scores' inputs depend on it.",
    )
    product = models.ForeignKey(
        Product,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="scoring_models",
        verbose_name="scope",
        help_text="The product whose features it scores; empty for the whole portfolio.",
    )
    description = models.TextField(blank=True)
    formula = models.TextField(
        blank=True, help_text="Custom models only: how the score is computed from the inputs."
    )
    input_fields = models.JSONField(
        default=list,
        blank=True,
        help_text="Custom models only: the inputs it asks for, "
        "[{name, label, min, max, help}, ...].",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_custom(self) -> bool:
        return self.framework == Framework.CUSTOM

    def definition_errors(self) -> dict[str, Any]:
        """What is wrong with the framework, formula and inputs, by field name (as
        ValidationError takes them); empty when the model can score."""
        if self.framework not in Framework.values:
            return {}  # the field's own choices validation names it
        if not self.is_custom:
            errors = {}
            if (self.formula or "").strip():
                errors["formula"] = "Only custom models have a formula."
            if self.input_fields:
                errors["input_fields"] = "Only custom models declare their inputs."
            return errors
        try:
            scoring.custom_scheme(self.input_fields or [], self.formula or "")
        except scoring.InputErrors as exc:
            # The engine names "fields[2].max"; here the field is input_fields.
            return {f"input_{name}": message for name, message in exc.errors.items()}
        except scoring.FormulaError as exc:
            return {"formula": _formula_error(exc)}
        return {}

    def clean(self) -> None:
        errors = self.definition_errors()
        if errors:
            raise ValidationError(errors)

    def permission_parent(self) -> Product | None:
        return self.product if self.product_id else None

    def steward_ids(self) -> set[int]:
        return self.product.steward_ids() if self.product_id else set()

    def covers(self, feature: Feature) -> bool:
        """Whether this model scores `feature` (its scope is the feature's product or all)."""
        return self.product_id is None or self.product_id == feature.product_id


class FeatureScore(VersionedModel):
    """The inputs of one feature under one scoring model, and the score they make."""

    feature = models.ForeignKey(Feature, on_delete=models.CASCADE, related_name="feature_scores")
    scoring_model = models.ForeignKey(ScoringModel, on_delete=models.CASCADE, related_name="scores")
    inputs = models.JSONField(default=dict, blank=True)
    # Computed from the inputs by the services (None: incomplete, or a custom formula
    # that reads computed fields, whose score the selectors compute when read).
    score = models.FloatField(null=True, blank=True, editable=False)

    BOOKKEEPING_FIELDS = VersionedModel.BOOKKEEPING_FIELDS | frozenset({"score"})

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["feature", "scoring_model"], name="feature_score_unique_model"
            ),
        ]
        indexes = [models.Index(fields=["scoring_model", "feature"])]

    def __str__(self) -> str:
        try:
            return f"{self.scoring_model} score of {self.feature}"
        except ObjectDoesNotExist:  # named while its feature or model is being deleted
            return f"scoring model {self.scoring_model_id} score of feature {self.feature_id}"

    def clean(self) -> None:
        if (
            self.feature_id
            and self.scoring_model_id
            and not self.scoring_model.covers(self.feature)
        ):
            raise ValidationError(
                {
                    "feature": f"“{self.scoring_model}” scores only the features of "
                    f"{self.scoring_model.product.name}; this feature belongs to another "
                    "product."
                }
            )

    def permission_parent(self) -> Feature | None:
        return self.feature if self.feature_id else None

    def steward_ids(self) -> set[int]:
        # Whoever may edit the feature may edit its scores' inputs.
        return self.feature.steward_ids()
