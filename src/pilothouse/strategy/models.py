from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models

from pilothouse.core.hierarchy import would_cycle
from pilothouse.core.models import VersionedModel
from pilothouse.portfolio.models import Product, ProductLine

period_validator = RegexValidator(
    r"^\d{4}(-(Q[1-4]|H[12]|(0[1-9]|1[0-2])))?$",
    "Use a year (2026), a half (2026-H2), a quarter (2026-Q4) or a month (2026-11).",
)


class ObjectiveScope(models.TextChoices):
    COMPANY = "company", "Company"
    PRODUCT_LINE = "product_line", "Product line"
    PRODUCT = "product", "Product"


class ObjectiveStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ACTIVE = "active", "Active"
    ACHIEVED = "achieved", "Achieved"
    MISSED = "missed", "Missed"
    CANCELLED = "cancelled", "Cancelled"


class Objective(VersionedModel):
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    scope = models.CharField(
        max_length=16, choices=ObjectiveScope.choices, default=ObjectiveScope.COMPANY
    )
    product_line = models.ForeignKey(
        ProductLine, null=True, blank=True, on_delete=models.PROTECT, related_name="objectives"
    )
    product = models.ForeignKey(
        Product, null=True, blank=True, on_delete=models.PROTECT, related_name="objectives"
    )
    period = models.CharField(max_length=7, validators=[period_validator])
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_objectives",
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text="The objective this one contributes to (cascading).",
    )
    status = models.CharField(
        max_length=16, choices=ObjectiveStatus.choices, default=ObjectiveStatus.ACTIVE
    )

    class Meta:
        ordering = ["period", "title"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.scope == ObjectiveScope.PRODUCT and not self.product_id:
            errors["product"] = "A product objective needs a product."
        if self.scope == ObjectiveScope.PRODUCT_LINE and not self.product_line_id:
            errors["product_line"] = "A product-line objective needs a product line."
        if self.scope == ObjectiveScope.COMPANY and (self.product_id or self.product_line_id):
            errors["scope"] = "A company objective has no product or product line."
        if self.scope == ObjectiveScope.PRODUCT and self.product_line_id:
            errors["product_line"] = "A product objective takes its line from the product."
        if self.scope == ObjectiveScope.PRODUCT_LINE and self.product_id:
            errors["product"] = "A product-line objective has no product."
        if (
            self.parent_id
            and self.pk
            and would_cycle(
                model=type(self), pk=self.pk, parent_field="parent", parent_id=self.parent_id
            )
        ):
            errors["parent"] = "An objective cannot be its own ancestor."
        if errors:
            raise ValidationError(errors)

    def permission_parent(self) -> VersionedModel | None:
        if self.scope == ObjectiveScope.PRODUCT and self.product_id:
            return self.product
        if self.scope == ObjectiveScope.PRODUCT_LINE and self.product_line_id:
            return self.product_line
        return None

    def steward_ids(self) -> set[int]:
        parent = self.permission_parent()
        inherited = parent.steward_ids() if parent is not None else set()
        return ({self.owner_id} | inherited) - {None}


class Direction(models.TextChoices):
    INCREASE = "increase", "Increase to target"
    DECREASE = "decrease", "Decrease to target"


class KeyResult(VersionedModel):
    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="key_results")
    title = models.CharField(max_length=200)
    unit = models.CharField(max_length=32, blank=True, help_text="e.g. %, users, days, EUR")
    start_value = models.DecimalField(max_digits=16, decimal_places=4, default=0)
    target_value = models.DecimalField(max_digits=16, decimal_places=4)
    current_value = models.DecimalField(max_digits=16, decimal_places=4, default=0)
    direction = models.CharField(
        max_length=16, choices=Direction.choices, default=Direction.INCREASE
    )

    class Meta:
        ordering = ["objective_id", "id"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.target_value is None or self.start_value is None:
            return
        if self.target_value == self.start_value:
            raise ValidationError({"target_value": "The target must differ from the start value."})
        if self.direction == Direction.INCREASE and self.target_value < self.start_value:
            raise ValidationError(
                {"target_value": "To increase, the target must be above the start value."}
            )
        if self.direction == Direction.DECREASE and self.target_value > self.start_value:
            raise ValidationError(
                {"target_value": "To decrease, the target must be below the start value."}
            )

    @property
    def progress(self) -> float:
        """(current - start) / (target - start), clamped to [0, 1]."""
        span = Decimal(self.target_value) - Decimal(self.start_value)
        if span == 0:
            return 0.0
        ratio = (Decimal(self.current_value) - Decimal(self.start_value)) / span
        return float(min(Decimal(1), max(Decimal(0), ratio)))

    def permission_parent(self) -> Objective | None:
        return self.objective if self.objective_id else None

    def steward_ids(self) -> set[int]:
        return self.objective.steward_ids()


class InitiativeStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    ACTIVE = "active", "Active"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


class Initiative(VersionedModel):
    """A cross-product bet that serves one or more objectives."""

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_initiatives",
    )
    status = models.CharField(
        max_length=16, choices=InitiativeStatus.choices, default=InitiativeStatus.PROPOSED
    )
    objectives = models.ManyToManyField(Objective, blank=True, related_name="initiatives")
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "The end date is before the start date."})

    def steward_ids(self) -> set[int]:
        return {self.owner_id} - {None}
