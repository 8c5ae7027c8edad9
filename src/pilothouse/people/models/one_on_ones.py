"""One-to-ones: dated notes with action items, private to the two people and their
management chains (and product leaders and admins)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from pilothouse.people.models.person import Person
from pilothouse.people.models.private import PrivateRecord


class OneOnOne(PrivateRecord):
    # Both people write their notes; the record hangs under `person` (the report).
    SUBJECT_EDITS = True

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="one_on_ones")
    with_person = models.ForeignKey(
        Person,
        on_delete=models.CASCADE,
        related_name="one_on_ones_held",
        help_text="Usually the manager.",
    )
    held_on = models.DateField()
    notes = models.TextField(blank=True, help_text="Markdown.")

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = "one-to-one"

    def __str__(self) -> str:
        return "One-to-one"

    def clean(self) -> None:
        if self.person_id and self.person_id == self.with_person_id:
            raise ValidationError({"with_person": "A one-to-one is between two people."})

    def subject(self) -> Person:
        return self.person

    def subject_ids(self) -> set[int]:
        return {self.person_id, self.with_person_id} - {None}


class ActionItem(PrivateRecord):
    SUBJECT_EDITS = True

    one_on_one = models.ForeignKey(OneOnOne, on_delete=models.CASCADE, related_name="actions")
    text = models.CharField(max_length=300)
    owner = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due = models.DateField(null=True, blank=True)
    done = models.BooleanField(default=False)

    class Meta:
        ordering = ["one_on_one_id", "done", "due", "id"]
        verbose_name = "action item"

    def __str__(self) -> str:
        return "Action item"

    def subject(self) -> Person:
        return self.one_on_one.person

    def subject_ids(self) -> set[int]:
        return self.one_on_one.subject_ids()

    def permission_parent(self) -> OneOnOne:
        return self.one_on_one
