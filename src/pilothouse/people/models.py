from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from pilothouse.core.hierarchy import would_cycle
from pilothouse.core.models import VersionedModel


class Level(models.TextChoices):
    """The product career ladder, bottom to top (editable ladders come later)."""

    ASSOCIATE_PM = "associate_pm", "Associate PM"
    PM = "pm", "Product manager"
    SENIOR_PM = "senior_pm", "Senior PM"
    PRINCIPAL_PM = "principal_pm", "Principal PM"
    GROUP_PM = "group_pm", "Group PM / product lead"
    DIRECTOR = "director", "Director of product"
    VP = "vp", "VP of product"
    CPO = "cpo", "Chief product officer"


class Person(VersionedModel):
    name = models.CharField(max_length=120)
    email = models.EmailField(unique=True, null=True, blank=True)
    job_title = models.CharField(max_length=120, blank=True)
    level = models.CharField(max_length=16, choices=Level.choices, blank=True)
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

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "people"

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.email == "":
            self.email = None
        if (
            self.manager_id
            and self.pk
            and would_cycle(
                model=type(self), pk=self.pk, parent_field="manager", parent_id=self.manager_id
            )
        ):
            raise ValidationError({"manager": "A person cannot be in their own management chain."})
