"""Every write to people goes through these."""

from __future__ import annotations

from typing import Any

from pilothouse.core.writes import ModelWrites
from pilothouse.people.models import Person


class PersonWrites(ModelWrites):
    def prepare(self, instance: Person | None, data: dict[str, Any]) -> dict[str, Any]:
        # The API says "no level" with null; the column stores it as "".
        if "level" in data and data["level"] is None:
            data["level"] = ""
        if "email" in data and not data["email"]:
            data["email"] = None
        return data


person = PersonWrites(Person)
