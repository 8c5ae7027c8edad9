"""/api/v1/people."""

from __future__ import annotations

from typing import Annotated

from ninja import FilterLookup, FilterSchema, Router, Schema

from pilothouse.api import crud
from pilothouse.core.models import User
from pilothouse.people import selectors, services
from pilothouse.people.models import Person


class PersonIn(Schema):
    name: str
    email: str | None = None
    job_title: str = ""
    level: str | None = None
    manager_id: int | None = None
    user_id: int | None = None


class PersonOut(crud.VersionedOut, PersonIn):
    report_count: int = 0

    @staticmethod
    def resolve_level(obj: Person) -> str | None:
        return obj.level_id


class PersonFilters(FilterSchema):
    q: Annotated[
        str | None,
        FilterLookup(["name__icontains", "email__icontains", "job_title__icontains"]),
    ] = None
    level: str | None = None
    manager_id: int | None = None


people = Router(tags=["people"])
crud.register(
    people,
    crud.Resource(
        model=Person,
        out=PersonOut,
        create_in=PersonIn,
        update_in=crud.patch_schema(PersonIn, name="PersonPatch"),
        filters=PersonFilters,
        select=selectors.person_list,
        create=services.person.create,
        update=services.person.update,
        delete=services.person.delete,
        ordering=("id", "name", "level", "created_at", "updated_at"),
        default_ordering="name",
        refs={"manager_id": ("manager", Person), "user_id": ("user", User)},
    ),
)

ROUTERS = {"/people": people}
