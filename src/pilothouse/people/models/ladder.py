"""The product career ladder: levels on two tracks, competency areas, and what each level
is expected to do in each area. Defaults ship with the product (people.ladder_defaults);
product leaders and admins edit them."""

from __future__ import annotations

from django.db import models

from pilothouse.core.models import VersionedModel


class Level(models.TextChoices):
    """The keys of the default ladder's levels, bottom to top (the ladder itself is data:
    CareerLevel rows, which an organization may rename, extend or reword)."""

    ASSOCIATE_PM = "associate_pm", "Associate PM"
    PM = "pm", "Product manager"
    SENIOR_PM = "senior_pm", "Senior PM"
    PRINCIPAL_PM = "principal_pm", "Principal PM"
    GROUP_PM = "group_pm", "Group PM / product lead"
    DIRECTOR = "director", "Director of product"
    VP = "vp", "VP of product"
    CPO = "cpo", "Chief product officer"


class Track(models.TextChoices):
    IC = "ic", "Individual contributor"
    MANAGER = "manager", "Manager"


class CareerLevel(VersionedModel):
    key = models.SlugField(
        max_length=32, unique=True, help_text="A short code used in imports and the API."
    )
    name = models.CharField(max_length=80, unique=True)
    track = models.CharField(max_length=8, choices=Track.choices, default=Track.IC)
    rank = models.PositiveSmallIntegerField(
        help_text="Seniority: higher is more senior. Levels of the two tracks may share a rank."
    )
    summary = models.TextField(blank=True, help_text="What this level is, in a few sentences.")

    class Meta:
        ordering = ["rank", "track", "name"]

    def __str__(self) -> str:
        return self.name


class Competency(VersionedModel):
    key = models.SlugField(max_length=32, unique=True)
    name = models.CharField(max_length=80, unique=True)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0, help_text="Order on the ladder.")

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "competencies"

    def __str__(self) -> str:
        return self.name


class Expectation(VersionedModel):
    """What a level is expected to do in one competency area, in words."""

    level = models.ForeignKey(CareerLevel, on_delete=models.CASCADE, related_name="expectations")
    competency = models.ForeignKey(
        Competency, on_delete=models.CASCADE, related_name="expectations"
    )
    text = models.TextField()

    class Meta:
        ordering = ["level__rank", "competency__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["level", "competency"], name="expectation_unique_level_competency"
            )
        ]

    def __str__(self) -> str:
        return f"{self.level} · {self.competency}"
