"""Private growth records: assessments against the ladder, growth plans with goals and
check-ins. See PrivateRecord for who sees and who writes them."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from pilothouse.people.models.ladder import CareerLevel, Competency
from pilothouse.people.models.person import Person
from pilothouse.people.models.private import PrivateRecord


class Rating(models.IntegerChoices):
    BELOW = 1, "Below expectations"
    PARTLY = 2, "Partly meets"
    MEETS = 3, "Meets"
    EXCEEDS = 4, "Exceeds"


class Assessment(PrivateRecord):
    """A periodic assessment of a person against a level's expectations (their level at
    the time, or the next one when readiness for promotion is assessed)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="assessments")
    level = models.ForeignKey(
        CareerLevel, on_delete=models.PROTECT, related_name="+", help_text="Assessed against."
    )
    period = models.CharField(max_length=40, help_text='E.g. "2026 H1".')
    assessed_on = models.DateField()
    assessor = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    summary = models.TextField(blank=True, help_text="Markdown.")

    class Meta:
        ordering = ["person_id", "-assessed_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "period", "level"], name="assessment_unique_period_level"
            )
        ]

    def __str__(self) -> str:
        return f"Assessment {self.period}"

    def subject(self) -> Person:
        return self.person


class AssessmentRating(PrivateRecord):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="ratings")
    competency = models.ForeignKey(Competency, on_delete=models.PROTECT, related_name="+")
    rating = models.PositiveSmallIntegerField(choices=Rating.choices)
    evidence = models.TextField(blank=True, help_text="What was observed. Markdown.")

    class Meta:
        ordering = ["assessment_id", "competency__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "competency"], name="assessment_rating_unique_competency"
            )
        ]

    def __str__(self) -> str:
        return f"Rating #{self.pk or ''}".strip()

    def subject(self) -> Person:
        return self.assessment.person

    def permission_parent(self) -> Assessment:
        return self.assessment


class PlanStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    COMPLETED = "completed", "Completed"
    STOPPED = "stopped", "Stopped"


class GrowthPlan(PrivateRecord):
    """What a person is working on to grow, usually towards the next level."""

    SUBJECT_EDITS = True

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="growth_plans")
    title = models.CharField(max_length=200)
    target_level = models.ForeignKey(
        CareerLevel,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The level this plan works towards, if any.",
    )
    start = models.DateField()
    end = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=PlanStatus.choices, default=PlanStatus.ACTIVE)
    summary = models.TextField(blank=True, help_text="Markdown.")

    class Meta:
        ordering = ["person_id", "-start", "-id"]

    def __str__(self) -> str:
        return "Growth plan"

    def clean(self) -> None:
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": "The end is before the start."})

    def subject(self) -> Person:
        # The managers open a plan (it hangs under the person, whom they steward); the
        # person then keeps it with them: its goals, check-ins and status.
        return self.person


class GoalStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    DROPPED = "dropped", "Dropped"


class GrowthGoal(PrivateRecord):
    SUBJECT_EDITS = True

    plan = models.ForeignKey(GrowthPlan, on_delete=models.CASCADE, related_name="goals")
    competency = models.ForeignKey(
        Competency, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    description = models.TextField()
    status = models.CharField(
        max_length=12, choices=GoalStatus.choices, default=GoalStatus.NOT_STARTED
    )
    due = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["plan_id", "due", "id"]

    def __str__(self) -> str:
        return "Growth goal"

    def subject(self) -> Person:
        return self.plan.person

    def permission_parent(self) -> GrowthPlan:
        return self.plan


class CheckIn(PrivateRecord):
    SUBJECT_EDITS = True

    plan = models.ForeignKey(GrowthPlan, on_delete=models.CASCADE, related_name="check_ins")
    held_on = models.DateField()
    notes = models.TextField(help_text="Markdown.")

    class Meta:
        ordering = ["plan_id", "-held_on", "-id"]
        verbose_name = "check-in"

    def __str__(self) -> str:
        return "Check-in"

    def subject(self) -> Person:
        return self.plan.person

    def permission_parent(self) -> GrowthPlan:
        return self.plan
