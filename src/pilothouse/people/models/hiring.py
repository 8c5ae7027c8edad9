"""The hiring plan: open roles, each linked to the gap it closes."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models

from pilothouse.core.currencies import CURRENCIES
from pilothouse.core.models import VersionedModel
from pilothouse.people.models.ladder import CareerLevel
from pilothouse.people.models.person import Person
from pilothouse.portfolio.models import Product, ProductLine


class OpenRoleStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    APPROVED = "approved", "Approved"
    OPEN = "open", "Open"
    OFFER = "offer", "Offer out"
    FILLED = "filled", "Filled"
    CANCELLED = "cancelled", "Cancelled"


class RolePriority(models.IntegerChoices):
    HIGH = 1, "High"
    MEDIUM = 2, "Medium"
    LOW = 3, "Low"


class RoleGap(models.TextChoices):
    """The gap a role closes (coverage findings name the same gaps)."""

    NO_OWNER = "no_owner", "A product without an owner"
    OVERLOADED = "overloaded", "Someone owning or allocated too much"
    SINGLE_POINT = "single_point", "A single point of failure"
    BACKFILL = "backfill", "Backfill for a leaver"
    GROWTH = "growth", "New product or growth"
    LEADERSHIP = "leadership", "Span of control"
    OTHER = "other", "Other"


class OpenRole(VersionedModel):
    """A role on the hiring plan. Its budget is private to product leaders and admins."""

    title = models.CharField(max_length=200)
    level = models.ForeignKey(CareerLevel, on_delete=models.PROTECT, related_name="open_roles")
    product_line = models.ForeignKey(
        ProductLine, null=True, blank=True, on_delete=models.SET_NULL, related_name="open_roles"
    )
    product = models.ForeignKey(
        Product, null=True, blank=True, on_delete=models.SET_NULL, related_name="open_roles"
    )
    gap = models.CharField(max_length=16, choices=RoleGap.choices, default=RoleGap.GROWTH)
    reason = models.TextField(blank=True, help_text="Why this role, in a few sentences.")
    priority = models.PositiveSmallIntegerField(
        choices=RolePriority.choices, default=RolePriority.MEDIUM
    )
    status = models.CharField(
        max_length=10, choices=OpenRoleStatus.choices, default=OpenRoleStatus.PROPOSED
    )
    target_start = models.DateField(null=True, blank=True)
    budget_per_year = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    budget_currency = models.CharField(max_length=3, blank=True)
    hiring_manager = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="open_roles"
    )
    filled_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    SECRET_FIELDS = frozenset({"budget_per_year", "budget_currency"})

    class Meta:
        ordering = ["priority", "target_start", "id"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.budget_currency:
            self.budget_currency = self.budget_currency.strip().upper()
            if self.budget_currency not in CURRENCIES:
                errors["budget_currency"] = (
                    f"Unknown currency {self.budget_currency!r}: use an ISO 4217 code such as "
                    "USD, EUR or GBP."
                )
        if self.budget_per_year is not None and not self.budget_currency:
            errors["budget_currency"] = "Give the currency of the budget."
        if (
            self.product_id
            and self.product_line_id
            and self.product.product_line_id != (self.product_line_id)
        ):
            errors["product"] = "The product is not in the role's product line."
        if self.status == OpenRoleStatus.FILLED and not self.filled_by_id:
            errors["filled_by"] = "Name who filled the role."
        if errors:
            raise ValidationError(errors)
