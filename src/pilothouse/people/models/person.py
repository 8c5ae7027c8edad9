"""A member of the product organization, their reporting line, and what they cost."""

from __future__ import annotations

from collections.abc import Collection
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from pilothouse.core.currencies import CURRENCIES
from pilothouse.core.hierarchy import would_cycle
from pilothouse.core.models import VersionedModel
from pilothouse.people.models.ladder import CareerLevel


class EmploymentType(models.TextChoices):
    FULL_TIME = "full_time", "Full time"
    PART_TIME = "part_time", "Part time"
    CONTRACTOR = "contractor", "Contractor"
    INTERN = "intern", "Intern"


class Person(VersionedModel):
    """Product leaders and admins keep everyone's record; a person's managers keep their
    reports' records (steward_ids), and write their assessments and one-to-ones.

    `cost_per_year` is private (core.permissions.can_view_private) and never enters the
    change log. A `private` person (an unannounced hire, a leaver) is listed only to
    those who may see their private data."""

    name = models.CharField(max_length=120)
    email = models.EmailField(unique=True, null=True, blank=True)
    job_title = models.CharField("title", max_length=120, blank=True)
    level = models.ForeignKey(
        CareerLevel,
        to_field="key",
        db_column="level",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="people",
    )
    manager = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    location = models.CharField(max_length=120, blank=True)
    start_date = models.DateField(null=True, blank=True)
    employment_type = models.CharField(
        max_length=12, choices=EmploymentType.choices, default=EmploymentType.FULL_TIME
    )
    fte = models.DecimalField(
        "FTE",
        max_digits=3,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(Decimal("0.05")), MaxValueValidator(Decimal("1.00"))],
        help_text="Share of a full-time week, 0.05 to 1.",
    )
    cost_per_year = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text="Fully loaded yearly cost. Private.",
    )
    cost_currency = models.CharField(
        max_length=3, blank=True, help_text="ISO 4217 code, e.g. USD, EUR."
    )
    private = models.BooleanField(
        default=False,
        help_text="Listed only to this person, their managers, product leaders and admins.",
    )

    SECRET_FIELDS = frozenset({"cost_per_year", "cost_currency"})

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "people"

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.email == "":
            self.email = None
        if self.cost_currency:
            self.cost_currency = self.cost_currency.strip().upper()
            if self.cost_currency not in CURRENCIES:
                errors["cost_currency"] = (
                    f"Unknown currency {self.cost_currency!r}: use an ISO 4217 code such as "
                    "USD, EUR or GBP."
                )
        if self.cost_per_year is not None and not self.cost_currency:
            errors["cost_currency"] = "Give the currency of the cost."
        if (
            self.manager_id
            and self.pk
            and would_cycle(
                model=type(self), pk=self.pk, parent_field="manager", parent_id=self.manager_id
            )
        ):
            errors["manager"] = "A person cannot be in their own management chain."
        elif self.manager_id and self.manager_id == self.pk:
            errors["manager"] = "A person cannot be their own manager."
        if errors:
            raise ValidationError(errors)

    def steward_ids(self) -> set[int]:
        """Their managers' logins: a manager keeps their reports' records."""
        if not self.pk:
            return chain_user_ids(person_ids={self.manager_id} - {None}, include_people=True)
        return chain_user_ids(person_ids={self.pk}, include_people=False)

    def private_viewer_ids(self) -> set[int]:
        """Who may see this person's private data besides product leaders and admins:
        themselves and their management chain (see core.permissions.can_view_private)."""
        return chain_user_ids(person_ids={self.pk}, include_people=True)


def chain_user_ids(*, person_ids: Collection[int], include_people: bool) -> set[int]:
    """The logins of everyone above these people in the reporting lines (and of the
    people themselves if `include_people`), in one query whatever the depth."""
    if not person_ids:
        return set()
    rows = Person.objects.values_list("id", "manager_id", "user_id")
    manager_of: dict[int, int | None] = {}
    user_of: dict[int, int | None] = {}
    for pk, manager_id, user_id in rows:
        manager_of[pk] = manager_id
        user_of[pk] = user_id
    users: set[int | None] = set()
    for start in person_ids:
        if include_people:
            users.add(user_of.get(start))
        seen = {start}
        current = manager_of.get(start)
        # The model refuses cycles; a chain read mid-edit must still end.
        while current is not None and current not in seen:
            seen.add(current)
            users.add(user_of.get(current))
            current = manager_of.get(current)
    return users - {None}
