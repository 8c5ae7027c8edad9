"""Teams, who is on them and for how much, their capacity per period, their queue of
features and the work they completed (see docs/delivery.md)."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models

from pilothouse.core.currencies import CURRENCIES
from pilothouse.core.models import VersionedModel
from pilothouse.delivery import workdays
from pilothouse.people.models import Person
from pilothouse.portfolio.models import Product
from pilothouse.roadmap.models import Feature


def _named(obj: models.Model, field: str) -> str:
    """A related object's name, or its id when it is gone: objects deleted along with
    their team are described in the change log after the team's row was deleted."""
    try:
        return str(getattr(obj, field))
    except ObjectDoesNotExist:
        return f"#{getattr(obj, field + '_id')}"


class Team(VersionedModel):
    """A delivery team. Product leaders and admins create teams; a product manager
    changes a team they lead (as its lead's login) or one working on a product they
    look after, and with it its members, capacity periods and work items."""

    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True, help_text="Markdown.")
    products = models.ManyToManyField(Product, blank=True, related_name="teams")
    lead = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="led_teams"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def steward_ids(self) -> set[int]:
        stewards = {self.lead.user_id} if self.lead_id else set()
        if self.pk:
            for product in self.products.select_related("product_line"):
                stewards |= product.steward_ids()
        return stewards - {None}


class TeamMember(VersionedModel):
    """A person's share of their time on a team. Shares over 100 % across teams are
    allowed (people do get over-committed) and flagged, never capped."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="team_memberships")
    allocation = models.PositiveSmallIntegerField(
        "allocation (%)",
        default=100,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    role = models.CharField(max_length=60, blank=True, help_text="E.g. engineer, designer.")

    class Meta:
        ordering = ["team_id", "person__name"]
        constraints = [
            models.UniqueConstraint(fields=["team", "person"], name="team_member_unique_person"),
        ]

    def __str__(self) -> str:
        return f"{_named(self, 'person')} on {_named(self, 'team')}"

    def permission_parent(self) -> Team | None:
        return self.team if self.team_id else None

    def steward_ids(self) -> set[int]:
        return self.team.steward_ids()


class TimeOff(VersionedModel):
    """Days a person is away: their capacity in every team shrinks by their share.
    Like the people records it belongs to, it is kept by product leaders and admins."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="time_off")
    start = models.DateField()
    end = models.DateField()
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["start", "person_id"]
        verbose_name = "time off"
        verbose_name_plural = "time off"

    def __str__(self) -> str:
        return f"{_named(self, 'person')} away {self.start.isoformat()} to {self.end.isoformat()}"

    def clean(self) -> None:
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": "The end is before the start."})


class Granularity(models.TextChoices):
    MONTH = workdays.MONTH, "Month"
    QUARTER = workdays.QUARTER, "Quarter"


class CapacityPeriod(VersionedModel):
    """A month or quarter of a team's capacity. Without `person_weeks` the capacity is
    computed from the members' allocations and time off (selectors.period_figures); with
    it, that figure is used as it is. A team's periods never overlap (services)."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="capacity_periods")
    granularity = models.CharField(
        max_length=8, choices=Granularity.choices, default=Granularity.QUARTER
    )
    start = models.DateField(help_text="The first day of a month or quarter.")
    # Derived from start and granularity in clean(), stored so overlaps are one query.
    end = models.DateField(editable=False, blank=True)
    person_weeks = models.DecimalField(
        "capacity override (person-weeks)",
        max_digits=7,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text="Leave empty to compute it from the members.",
    )
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["team_id", "start"]
        constraints = [
            models.UniqueConstraint(fields=["team", "start"], name="capacity_period_unique_start"),
        ]

    def __str__(self) -> str:
        return f"{_named(self, 'team')} · {self.label}"

    @property
    def label(self) -> str:
        return workdays.period_label(self.start, self.granularity) if self.start else ""

    def clean(self) -> None:
        if self.start is None or self.granularity not in Granularity.values:
            return  # the field checks name what is missing
        if not workdays.is_period_start(self.start, self.granularity):
            noun = "month" if self.granularity == Granularity.MONTH else "quarter"
            raise ValidationError(
                {"start": f"A {noun}ly period starts on the first day of a {noun}."}
            )
        self.end = workdays.period_end(self.start, self.granularity)
        if self.team_id is None:
            return
        clash = (
            CapacityPeriod.objects.filter(
                team_id=self.team_id, start__lte=self.end, end__gte=self.start
            )
            .exclude(pk=self.pk)
            .order_by("start")
            .first()
        )
        if clash is not None:
            raise ValidationError(
                {
                    "start": f"This period overlaps the team's period {clash.label} "
                    f"({clash.start.isoformat()} to {clash.end.isoformat()})."
                }
            )

    def permission_parent(self) -> Team | None:
        return self.team if self.team_id else None

    def steward_ids(self) -> set[int]:
        return self.team.steward_ids()


class FeatureAssignment(VersionedModel):
    """A feature in a team's queue. Whoever may change the feature assigns it; the
    queue is ordered by `queue_rank` (lower first; a feature put between two others
    takes the midpoint, so a move writes one row)."""

    feature = models.OneToOneField(Feature, on_delete=models.CASCADE, related_name="assignment")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="assignments")
    queue_rank = models.FloatField(default=0)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["team_id", "queue_rank", "id"]
        indexes = [models.Index(fields=["team", "queue_rank"], name="assignment_queue_order")]

    def __str__(self) -> str:
        return f"{_named(self, 'feature')} for {_named(self, 'team')}"

    def permission_parent(self) -> Feature | None:
        return self.feature if self.feature_id else None

    def steward_ids(self) -> set[int]:
        return self.feature.steward_ids()


source_validator = RegexValidator(
    r"^[a-z][a-z0-9_-]{0,31}$", "Use lower-case letters, digits, - or _ (e.g. csv, jira)."
)


class WorkItemSource:
    """The sources this code base writes; importers may name their own."""

    MANUAL = "manual"
    CSV = "csv"


class WorkItem(VersionedModel):
    """A piece of work a team completed (a ticket, a story): the throughput history is
    counted from these and from the team's completed features. Any importer writes
    here, naming itself in `source`; `external_id` keeps a re-import from counting an
    item twice."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="work_items")
    title = models.CharField(max_length=200)
    external_id = models.CharField(max_length=120, null=True, blank=True)
    completed_on = models.DateField()
    source = models.CharField(
        max_length=32, default=WorkItemSource.MANUAL, validators=[source_validator]
    )

    class Meta:
        ordering = ["-completed_on", "-id"]
        constraints = [
            # NULLs never clash: items without an external id are all allowed.
            models.UniqueConstraint(
                fields=["team", "external_id"], name="work_item_unique_external_id"
            ),
        ]
        indexes = [models.Index(fields=["team", "completed_on"], name="work_item_team_day")]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.external_id == "":
            self.external_id = None

    def permission_parent(self) -> Team | None:
        return self.team if self.team_id else None

    def steward_ids(self) -> set[int]:
        return self.team.steward_ids()


class Allocation(VersionedModel):
    """A share of a person's time on one product or one team, for a stretch of time
    (usually a month or a quarter). A person's shares over 100 % on any day are allowed
    and flagged (allocations.py), never capped. A team's capacity uses its members'
    allocations to it where a period has them, else their membership share.

    Kept by product leaders and admins, and by the person's managers."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="allocations")
    product = models.ForeignKey(
        Product, null=True, blank=True, on_delete=models.CASCADE, related_name="allocations"
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.CASCADE, related_name="allocations"
    )
    start = models.DateField()
    end = models.DateField()
    percent = models.PositiveSmallIntegerField(
        "allocation (%)", validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["person_id", "start", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(product__isnull=True, team__isnull=False)
                | models.Q(product__isnull=False, team__isnull=True),
                name="allocation_one_target",
            ),
        ]
        indexes = [models.Index(fields=["start", "end"], name="allocation_span")]

    def __str__(self) -> str:
        target = _named(self, "product") if self.product_id else _named(self, "team")
        return f"{_named(self, 'person')} on {target}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if bool(self.product_id) == bool(self.team_id):
            errors["product"] = "Allocate to either a product or a team."
        if self.start and self.end and self.end < self.start:
            errors["end"] = "The end is before the start."
        if errors:
            raise ValidationError(errors)

    def permission_parent(self) -> Person | None:
        return self.person if self.person_id else None

    def steward_ids(self) -> set[int]:
        return self.person.steward_ids()


class ExchangeRate(VersionedModel):
    """What one unit of `from_currency` is worth in `to_currency` (1 EUR = 1.08 USD is
    from EUR, to USD, rate 1.08). Team cost converts each person's cost into the
    reporting currency with the rate between the two, either way round (team_cost.py).
    One rate per pair: the current one. Kept by product leaders and admins."""

    from_currency = models.CharField(max_length=3, help_text="ISO 4217 code, e.g. EUR.")
    to_currency = models.CharField(max_length=3, help_text="ISO 4217 code, e.g. USD.")
    rate = models.DecimalField(
        max_digits=18,
        decimal_places=8,
        validators=[MinValueValidator(Decimal("0.00000001"))],
        help_text="Units of the second currency for one unit of the first.",
    )
    as_of = models.DateField(null=True, blank=True, help_text="When the rate was read.")
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["from_currency", "to_currency"]
        constraints = [
            models.UniqueConstraint(
                fields=["from_currency", "to_currency"], name="exchange_rate_unique_pair"
            ),
        ]

    def __str__(self) -> str:
        return f"1 {self.from_currency} = {self.rate.normalize():f} {self.to_currency}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        for name in ("from_currency", "to_currency"):
            code = (getattr(self, name) or "").strip().upper()
            setattr(self, name, code)
            if code and code not in CURRENCIES:
                errors[name] = (
                    f"Unknown currency {code!r}: use an ISO 4217 code such as USD, EUR or GBP."
                )
        if not errors and self.from_currency and self.from_currency == self.to_currency:
            errors["to_currency"] = "A rate converts between two different currencies."
        if not errors and self.from_currency and self.to_currency:
            reverse = (
                ExchangeRate.objects.filter(
                    from_currency=self.to_currency, to_currency=self.from_currency
                )
                .exclude(pk=self.pk)
                .first()
            )
            if reverse is not None:
                errors["from_currency"] = (
                    f"There is already a rate the other way round ({reverse}); change that "
                    "one instead, so the two cannot disagree."
                )
        if errors:
            raise ValidationError(errors)
