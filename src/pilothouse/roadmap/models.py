from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models

from pilothouse.core.models import VersionedModel
from pilothouse.portfolio.models import Product, ProductArea
from pilothouse.strategy.models import Initiative, Objective


class ReleaseStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    RELEASED = "released", "Released"
    CANCELLED = "cancelled", "Cancelled"


class Release(VersionedModel):
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="releases")
    name = models.CharField(max_length=120)
    target_date = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=16, choices=ReleaseStatus.choices, default=ReleaseStatus.PLANNED
    )
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["target_date", "name"]
        constraints = [
            models.UniqueConstraint(fields=["product", "name"], name="release_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name

    def permission_parent(self) -> Product | None:
        return self.product if self.product_id else None

    def steward_ids(self) -> set[int]:
        return self.product.steward_ids()


class FeatureStage(models.TextChoices):
    IDEA = "idea", "Idea"
    CANDIDATE = "candidate", "Candidate"
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    RELEASED = "released", "Released"
    MEASURED = "measured", "Measured"
    REJECTED = "rejected", "Rejected"


# Which stage may follow which. Anything else is refused with a message.
STAGE_TRANSITIONS: dict[str, frozenset[str]] = {
    FeatureStage.IDEA: frozenset({"candidate", "planned", "rejected"}),
    FeatureStage.CANDIDATE: frozenset({"idea", "planned", "rejected"}),
    FeatureStage.PLANNED: frozenset({"candidate", "in_progress", "rejected"}),
    FeatureStage.IN_PROGRESS: frozenset({"planned", "released", "rejected"}),
    FeatureStage.RELEASED: frozenset({"in_progress", "measured"}),
    FeatureStage.MEASURED: frozenset({"released"}),
    FeatureStage.REJECTED: frozenset({"idea", "candidate"}),
}

effort_validators = [MinValueValidator(0)]


class Feature(VersionedModel):
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, help_text="Markdown.")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="features")
    area = models.ForeignKey(
        ProductArea, null=True, blank=True, on_delete=models.SET_NULL, related_name="features"
    )
    initiative = models.ForeignKey(
        Initiative, null=True, blank=True, on_delete=models.SET_NULL, related_name="features"
    )
    objectives = models.ManyToManyField(Objective, blank=True, related_name="features")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_features",
    )
    stage = models.CharField(max_length=16, choices=FeatureStage.choices, default=FeatureStage.IDEA)
    effort_low = models.DecimalField(
        "effort low (person-weeks)",
        max_digits=7,
        decimal_places=1,
        null=True,
        blank=True,
        validators=effort_validators,
    )
    effort_high = models.DecimalField(
        "effort high (person-weeks)",
        max_digits=7,
        decimal_places=1,
        null=True,
        blank=True,
        validators=effort_validators,
    )
    target_release = models.ForeignKey(
        Release, null=True, blank=True, on_delete=models.SET_NULL, related_name="features"
    )
    started_on = models.DateField(null=True, blank=True)
    completed_on = models.DateField(null=True, blank=True)
    # Customer demand, derived from the evidence linked to the feature (the customer
    # voice app computes it; `services.feature_demand_set` stores it). Stored here so
    # feature lists sort and filter by it; never edited, left out of the change log.
    demand_importance = models.PositiveIntegerField("importance score", default=0, editable=False)
    demand_arr = models.DecimalField(
        "ARR demand", max_digits=16, decimal_places=2, default=0, editable=False
    )
    demand_requests = models.PositiveIntegerField("requests", default=0, editable=False)
    demand_customers = models.PositiveIntegerField("customers", default=0, editable=False)

    DEMAND_FIELDS = ("demand_importance", "demand_arr", "demand_requests", "demand_customers")
    BOOKKEEPING_FIELDS = VersionedModel.BOOKKEEPING_FIELDS | frozenset(DEMAND_FIELDS)

    class Meta:
        ordering = ["-updated_at"]
        indexes = [
            models.Index(fields=["product", "stage"]),
            models.Index(fields=["-demand_importance"], name="feature_demand_importance"),
            models.Index(fields=["-demand_arr"], name="feature_demand_arr"),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if (
            self.effort_low is not None
            and self.effort_high is not None
            and self.effort_low > self.effort_high
        ):
            errors["effort_high"] = "The high estimate is below the low estimate."
        if self.area_id and self.product_id and self.area.product_id != self.product_id:
            errors["area"] = "This area belongs to another product."
        if (
            self.target_release_id
            and self.product_id
            and self.target_release.product_id != self.product_id
        ):
            errors["target_release"] = "This release belongs to another product."
        if self.started_on and self.completed_on and self.completed_on < self.started_on:
            errors["completed_on"] = "The completion date is before the start date."
        if errors:
            raise ValidationError(errors)

    def permission_parent(self) -> Product | None:
        return self.product if self.product_id else None

    def steward_ids(self) -> set[int]:
        area_owner = {self.area.owner_id} if self.area_id else set()
        return ({self.owner_id} | area_owner | self.product.steward_ids()) - {None}
