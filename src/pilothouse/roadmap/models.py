from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone

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

    def clean(self) -> None:
        launch = self.product.launch_date if self.product_id else None
        if self.target_date and launch and self.target_date < launch:
            raise ValidationError(
                {
                    "target_date": f"The target date is before {self.product.name}'s launch "
                    f"date ({launch.isoformat()})."
                }
            )

    def permission_parent(self) -> Product | None:
        return self.product if self.product_id else None

    def steward_ids(self) -> set[int]:
        return self.product.steward_ids()


class Milestone(VersionedModel):
    """A dated event on the roadmap, across products: a conference, a contract renewal,
    a regulatory deadline. Product managers may add milestones and edit their own;
    those who look after every one of its products may edit it too."""

    CREATOR_ROLES = frozenset({"product_manager"})

    name = models.CharField(max_length=120)
    date = models.DateField()
    description = models.TextField(blank=True, help_text="Markdown.")
    products = models.ManyToManyField(Product, blank=True, related_name="milestones")

    class Meta:
        ordering = ["date", "name"]

    def __str__(self) -> str:
        return self.name

    def steward_ids(self) -> set[int]:
        if not self.pk:
            return set()
        stewards = [product.steward_ids() for product in self.products.all()]
        return set.intersection(*stewards) if stewards else set()


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


class Horizon(models.TextChoices):
    """The columns of the now / next / later board."""

    NOW = "now", "Now"
    NEXT = "next", "Next"
    LATER = "later", "Later"


class KanoCategory(models.TextChoices):
    ATTRACTIVE = "attractive", "Attractive"
    ONE_DIMENSIONAL = "one_dimensional", "One-dimensional"
    MUST_BE = "must_be", "Must-be"
    INDIFFERENT = "indifferent", "Indifferent"
    REVERSE = "reverse", "Reverse"
    QUESTIONABLE = "questionable", "Questionable"


class FeatureTag(VersionedModel):
    """A label on features (e.g. "compliance", "mobile") to filter roadmaps by."""

    EDITOR_ROLES = frozenset({"product_manager"})

    name = models.CharField(max_length=60, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


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
    horizon = models.CharField(max_length=8, choices=Horizon.choices, blank=True)
    # Order within the horizon's column: lower comes first. A card dropped between two
    # others takes the midpoint, so a move writes one row.
    horizon_rank = models.FloatField(default=0)
    kano = models.CharField(
        "Kano category", max_length=16, choices=KanoCategory.choices, blank=True
    )
    tags = models.ManyToManyField(FeatureTag, blank=True, related_name="features")
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
            models.Index(fields=["horizon", "horizon_rank"], name="feature_board_order"),
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


class Dependency(VersionedModel):
    """`blocker` must be done before `blocked` can be. Cycles are refused by the service;
    whoever may change the blocked feature adds and removes its blockers."""

    blocker = models.ForeignKey(Feature, on_delete=models.CASCADE, related_name="blocks")
    blocked = models.ForeignKey(Feature, on_delete=models.CASCADE, related_name="blocked_by")
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["blocked_id", "blocker_id"]
        verbose_name_plural = "dependencies"
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="dependency_unique_pair"),
            models.CheckConstraint(
                condition=~models.Q(blocker=models.F("blocked")), name="dependency_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.blocker} blocks {self.blocked}"

    def permission_parent(self) -> Feature | None:
        return self.blocked if self.blocked_id else None

    def steward_ids(self) -> set[int]:
        return self.blocked.steward_ids() if self.blocked_id else set()


class SnapshotKind(models.TextChoices):
    MANUAL = "manual", "Taken on demand"
    MONTHLY = "monthly", "Monthly"


class RoadmapSnapshot(VersionedModel):
    """The whole roadmap as it stood at one moment, kept to say later what changed.

    `items` holds one JSON object per feature (engines.roadmap.snapshots.item_to_json):
    a snapshot is a record, so it copies the titles, releases and dates rather than
    pointing at rows that will change."""

    CREATOR_ROLES = frozenset({"product_manager"})
    BOOKKEEPING_FIELDS = VersionedModel.BOOKKEEPING_FIELDS | frozenset({"items"})

    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=8, choices=SnapshotKind.choices, default=SnapshotKind.MANUAL)
    taken_at = models.DateTimeField(db_index=True)
    # "2026-11" for the monthly snapshot of that month (one per month), else blank.
    month = models.CharField(max_length=7, blank=True, editable=False)
    item_count = models.PositiveIntegerField(default=0, editable=False)
    items = models.JSONField(default=list, editable=False)

    class Meta:
        ordering = ["-taken_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["month"],
                condition=models.Q(kind="monthly"),
                name="snapshot_one_monthly_per_month",
            )
        ]

    def __str__(self) -> str:
        return self.name


class ShareView(models.TextChoices):
    TIMELINE = "timeline", "Timeline"
    BOARD = "board", "Now / next / later"
    RELEASES = "releases", "Release plan"


class ShareAudience(models.TextChoices):
    INTERNAL = "internal", "Internal: every field"
    PUBLIC = "public", "Public: no owners, effort, demand or internal notes"


class ShareLink(VersionedModel):
    """A read-only roadmap at an unguessable address, for people without an account.

    Only a digest of the token is stored (like API tokens): the address is shown once,
    when the link is made. A link may expire, carry a password, and be revoked."""

    CREATOR_ROLES = frozenset({"product_manager"})
    BOOKKEEPING_FIELDS = VersionedModel.BOOKKEEPING_FIELDS | frozenset(
        {"token_digest", "last_access_at", "access_count"}
    )
    # A new password is a change (saved and versioned) whose value is never logged.
    SECRET_FIELDS = frozenset({"password_hash"})

    name = models.CharField(max_length=120)
    view = models.CharField(max_length=10, choices=ShareView.choices, default=ShareView.TIMELINE)
    filters = models.JSONField(default=dict, blank=True)
    audience = models.CharField(
        max_length=10, choices=ShareAudience.choices, default=ShareAudience.INTERNAL
    )
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    token_prefix = models.CharField(max_length=8, editable=False)
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    password_hash = models.CharField(max_length=200, blank=True, editable=False)
    last_access_at = models.DateTimeField(null=True, blank=True, editable=False)
    access_count = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name

    @property
    def has_password(self) -> bool:
        return bool(self.password_hash)

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()


class ShareAccessOutcome(models.TextChoices):
    SHOWN = "shown", "Shown"
    PASSWORD_ASKED = "password_asked", "Password asked"
    WRONG_PASSWORD = "wrong_password", "Wrong password"
    EXPIRED = "expired", "Expired"
    REVOKED = "revoked", "Revoked"


class ShareLinkAccess(models.Model):
    """One visit to a share link: the access log its owner reads."""

    link = models.ForeignKey(ShareLink, on_delete=models.CASCADE, related_name="accesses")
    time = models.DateTimeField(auto_now_add=True, db_index=True)
    outcome = models.CharField(max_length=16, choices=ShareAccessOutcome.choices)
    address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-time"]

    def __str__(self) -> str:
        return f"{self.link} {self.outcome} at {self.time:%Y-%m-%d %H:%M}"
