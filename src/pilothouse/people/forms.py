"""The form of a person (run through the services by core.editing)."""

from __future__ import annotations

from typing import Any

from pilothouse.core.forms import VersionedModelForm
from pilothouse.people import selectors
from pilothouse.people.models import Person


class PersonForm(VersionedModelForm):
    user_fields = ("user",)

    class Meta:
        model = Person
        fields = ["name", "email", "job_title", "level", "manager", "user"]
        labels = {"user": "Login"}
        help_texts = {"user": "The account this person logs in with, if any."}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        managers = selectors.person_choices()
        if self.instance.pk:
            managers = managers.exclude(pk=self.instance.pk)
        self.fields["manager"].queryset = managers
