"""Scenarios (named what-if copies of the plan), their changes, and auto-plan runs
(see docs/scenarios.md). Nothing here touches the live roadmap: a scenario's changes
are applied only by services.scenario_apply."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from pilothouse.core.models import VersionedModel
from pilothouse.delivery import workdays
from pilothouse.delivery.models import Granularity, Team
from pilothouse.prioritization.models import ScoringModel
from pilothouse.roadmap.models import Feature, Release
from pilothouse.scenarios import periods

MAX_TIME_LIMIT_S = 30.0


class ScenarioStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    APPLIED = "applied", "Applied"
    ARCHIVED = "archived", "Archived"


def _check_horizon(obj: models.Model, errors: dict[str, str]) -> None:
    if (
        obj.first_period
        and obj.granularity in Granularity.values
        and not workdays.is_period_start(obj.first_period, obj.granularity)
    ):
        noun = "month" if obj.granularity == Granularity.MONTH else "quarter"
        errors["first_period"] = f"The first period starts on the first day of a {noun}."


class HorizonFields(models.Model):
    """The periods a scenario or a run looks at."""

    granularity = models.CharField(
        max_length=8, choices=Granularity.choices, default=Granularity.QUARTER
    )
    first_period = models.DateField(help_text="The first day of the first month or quarter.")
    period_count = models.PositiveSmallIntegerField(
        default=4, validators=[MinValueValidator(1), MaxValueValidator(periods.MAX_PERIODS)]
    )

    class Meta:
        abstract = True

    def periods(self) -> list[periods.Period]:
        return periods.horizon(
            granularity=self.granularity, first=self.first_period, count=self.period_count
        )


class Scenario(VersionedModel, HorizonFields):
    """A named what-if plan. Product managers may create drafts and change their own;
    product leaders and admins change any, and only they apply (services.may_apply)."""

    CREATOR_ROLES = frozenset({"product_manager"})

    name = models.CharField(max_length=120)
    description = models.TextField(blank=True, help_text="Markdown.")
    scoring_model = models.ForeignKey(
        ScoringModel,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="scenarios",
        help_text="Values the features; without one every feature is worth 1.",
    )
    status = models.CharField(
        max_length=10, choices=ScenarioStatus.choices, default=ScenarioStatus.DRAFT, editable=False
    )
    applied_at = models.DateTimeField(null=True, blank=True, editable=False)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, str] = {}
        _check_horizon(self, errors)
        if errors:
            raise ValidationError(errors)


class ChangeKind(models.TextChoices):
    DROP_FEATURE = "drop_feature", "Drop a feature"
    MOVE_FEATURE = "move_feature", "Move a feature to a period"
    ADD_TEAM = "add_team", "Add a team"
    CHANGE_CAPACITY = "change_capacity", "Change a team's capacity"
    MOVE_DATE = "move_date", "Move a release's date"


# The fields each kind needs (required) and may have (optional); any other is refused.
KIND_FIELDS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    ChangeKind.DROP_FEATURE: (frozenset({"feature"}), frozenset()),
    ChangeKind.MOVE_FEATURE: (frozenset({"feature", "period_start"}), frozenset({"team"})),
    ChangeKind.ADD_TEAM: (frozenset({"team_name", "person_weeks"}), frozenset()),
    ChangeKind.CHANGE_CAPACITY: (frozenset({"team", "period_start", "person_weeks"}), frozenset()),
    ChangeKind.MOVE_DATE: (frozenset({"release", "target_date"}), frozenset()),
}
CHANGE_FIELDS = ("feature", "period_start", "team", "team_name", "person_weeks", "release")


class ScenarioChange(VersionedModel):
    """One change of a scenario, with the fields its kind needs. `base_version` is the
    version of the live object when the change was made: applying refuses the change
    if that object changed since (a stale plan is not applied blindly)."""

    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=16, choices=ChangeKind.choices)
    feature = models.ForeignKey(
        Feature, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    period_start = models.DateField(
        null=True, blank=True, help_text="The first day of one of the scenario's periods."
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    team_name = models.CharField(max_length=120, blank=True, help_text="A new team's name.")
    person_weeks = models.DecimalField(
        max_digits=7,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text="Capacity per period, in person-weeks.",
    )
    release = models.ForeignKey(
        Release, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    target_date = models.DateField(null=True, blank=True)
    base_version = models.PositiveIntegerField(null=True, blank=True, editable=False)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["scenario_id", "id"]

    def __str__(self) -> str:
        # Without the change's own id: it is also the name of a deleted change.
        target = (
            f"feature {self.feature_id}"
            if self.feature_id
            else f"release {self.release_id}"
            if self.release_id
            else self.team_name or f"team {self.team_id}"
        )
        return f"{self.get_kind_display()}: {target} (scenario {self.scenario_id})"

    def permission_parent(self) -> Scenario | None:
        return self.scenario if self.scenario_id else None

    def steward_ids(self) -> set[int]:
        # A product manager who wrote the scenario edits its changes.
        return self.scenario.author_ids() if self.scenario_id else set()

    def _present(self, name: str) -> bool:
        if name == "team_name":
            return bool(self.team_name.strip())
        return (
            getattr(self, f"{name}_id" if name in {"feature", "team", "release"} else name)
            is not None
        )

    def clean(self) -> None:
        if self.kind not in KIND_FIELDS or not self.scenario_id:
            return  # the field checks name what is missing
        scenario = self.scenario
        # Read the status afresh: the scenario object in hand may predate its applying.
        status = Scenario.objects.filter(pk=scenario.pk).values_list("status", flat=True).first()
        if status != ScenarioStatus.DRAFT:
            raise ValidationError(
                {"scenario": f"Scenario {scenario.name!r} is {status}: only drafts change."}
            )
        required, optional = KIND_FIELDS[self.kind]
        errors: dict[str, str] = {}
        for name in (*CHANGE_FIELDS, "target_date"):
            present = self._present(name)
            if name in required and not present:
                errors[name] = f"A {self.kind} change needs this field."
            elif present and name not in required | optional:
                errors[name] = f"A {self.kind} change does not use this field."
        if errors:
            raise ValidationError(errors)
        self._check_values(scenario, errors)
        if errors:
            raise ValidationError(errors)

    def _check_values(self, scenario: Scenario, errors: dict[str, str]) -> None:
        if self.period_start is not None:
            starts = [p.start for p in scenario.periods()]
            if self.period_start not in starts:
                labels = ", ".join(p.label for p in scenario.periods())
                errors["period_start"] = (
                    f"{self.period_start.isoformat()} does not start one of the scenario's "
                    f"periods ({labels})."
                )
        if self.person_weeks is not None and self.person_weeks < 0:
            errors["person_weeks"] = "Capacity cannot be negative."
        if self.kind == ChangeKind.ADD_TEAM:
            name = self.team_name.strip()
            if Team.objects.filter(name__iexact=name).exists():
                errors["team_name"] = f"A team named {name!r} exists already."
        if (
            self.kind == ChangeKind.MOVE_FEATURE
            and self.team_id is None
            and not hasattr(self.feature, "assignment")
        ):
            errors["team"] = (
                f"Feature {self.feature_id} ({self.feature}) is in no team's queue: "
                "name the team that takes it."
            )
        clash = self._clash(scenario)
        if clash is not None:
            errors[clash[0]] = clash[1]

    def _clash(self, scenario: Scenario) -> tuple[str, str] | None:
        """Two changes of one scenario may not touch the same thing: which would win?"""
        others = ScenarioChange.objects.filter(scenario=scenario).exclude(pk=self.pk)
        if self.feature_id is not None:
            other = others.filter(feature_id=self.feature_id).first()
            if other is not None:
                return "feature", f"Change {other.pk} already changes this feature."
        if self.kind == ChangeKind.CHANGE_CAPACITY:
            other = others.filter(
                kind=self.kind, team_id=self.team_id, period_start=self.period_start
            ).first()
            if other is not None:
                return "period_start", f"Change {other.pk} already sets this team's capacity here."
        if self.kind == ChangeKind.ADD_TEAM:
            other = others.filter(kind=self.kind, team_name__iexact=self.team_name.strip()).first()
            if other is not None:
                return "team_name", f"Change {other.pk} already adds a team of this name."
        if self.release_id is not None:
            other = others.filter(release_id=self.release_id).first()
            if other is not None:
                return "release", f"Change {other.pk} already moves this release."
        return None


class AutoPlanRun(VersionedModel, HorizonFields):
    """One run of the planner over live data: its parameters, its result, and the
    scenario it proposed (none when there was no plan)."""

    CREATOR_ROLES = frozenset({"product_manager"})

    teams = models.ManyToManyField(
        Team, blank=True, related_name="+", help_text="None chosen: every team."
    )
    scoring_model = models.ForeignKey(
        ScoringModel, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    time_limit_s = models.FloatField(
        "time limit (seconds)",
        default=5.0,
        validators=[MinValueValidator(0.5), MaxValueValidator(MAX_TIME_LIMIT_S)],
    )
    keep_committed_dates = models.BooleanField(
        default=True, help_text="Keep features whose release date falls in the horizon there."
    )
    # The result, written once with the run.
    status = models.CharField(max_length=12, editable=False, blank=True)
    value = models.FloatField(null=True, blank=True, editable=False)
    bound = models.FloatField(null=True, blank=True, editable=False)
    gap = models.FloatField(null=True, blank=True, editable=False)
    solve_seconds = models.FloatField(null=True, blank=True, editable=False)
    explanation = models.JSONField(default=list, blank=True, editable=False)
    notes = models.JSONField(default=list, blank=True, editable=False)
    placements = models.JSONField(default=dict, blank=True, editable=False)
    scenario = models.OneToOneField(
        Scenario,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="source_run",
        editable=False,
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Auto-plan run {self.pk}"

    @property
    def gap_percent(self) -> float | None:
        """The gap to the solver's bound, in percent of the bound."""
        return None if self.gap is None else self.gap * 100

    def clean(self) -> None:
        errors: dict[str, str] = {}
        _check_horizon(self, errors)
        if errors:
            raise ValidationError(errors)
