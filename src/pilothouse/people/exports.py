"""The people list as CSV: the columns of an HR export (so that the file imports back),
with the cost filled only for the people whose private data the reader may see."""

from __future__ import annotations

import csv
import io
from collections.abc import Collection, Iterable

from pilothouse.people.models import Person

COLUMNS = (
    "name",
    "email",
    "title",
    "level",
    "manager",
    "manager_email",
    "location",
    "start_date",
    "employment_type",
    "fte",
    "cost_per_year",
    "cost_currency",
)
# A spreadsheet runs a cell that starts with one of these as a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _text(value: str | None) -> str:
    value = value or ""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def people_csv(people: Iterable[Person], *, private_visible: Collection[int] | None) -> str:
    """One row per person, in the order given. `private_visible`: the ids of the people
    whose cost the reader may see (people.privacy.visible_person_ids; None: everyone's).
    Each person needs `manager_listed` (people.selectors.people_listed): a manager the
    reader may not list is left blank."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for person in people:
        manager = person.manager if person.manager_id and person.manager_listed else None
        cost_shown = private_visible is None or person.pk in private_visible
        cost = person.cost_per_year if cost_shown else None
        writer.writerow(
            [
                _text(person.name),
                _text(person.email),
                _text(person.job_title),
                person.level_id or "",
                _text(manager.name if manager else ""),
                _text(manager.email if manager else ""),
                _text(person.location),
                person.start_date.isoformat() if person.start_date else "",
                person.employment_type,
                f"{person.fte:.2f}",
                "" if cost is None else f"{cost:.2f}",
                person.cost_currency if cost is not None else "",
            ]
        )
    return out.getvalue()
