"""/api/v1/people.

A person's `level` is the key of a ladder level ("senior_pm", see /career-levels).
`cost_per_year` and `cost_currency` are private (core.permissions.can_view_private):
null for everyone but the person, their management chain, product leaders and admins.
A `private` person is listed and found only by those same people; to anyone else they
answer 404, as if they did not exist, and are neither named as a manager nor counted
as a report; `?manager_id=` of such a person answers as for an id no one has (an empty
list).

No `from __future__ import annotations`: ninja reads the endpoint signatures.
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from ninja import Field, FilterLookup, FilterSchema, Router, Schema
from pydantic import PrivateAttr, ValidationInfo, model_validator

from pilothouse.api import crud
from pilothouse.core.models import User
from pilothouse.people import privacy, selectors, services
from pilothouse.people.models import EmploymentType, Person


class PersonIn(Schema):
    name: str
    email: str | None = None
    job_title: str = Field("", description="The person's title")
    level: str | None = Field(None, description="The key of a ladder level, e.g. senior_pm")
    manager_id: int | None = None
    user_id: int | None = Field(None, description="Their login, if they have one")
    location: str = ""
    start_date: dt.date | None = None
    employment_type: EmploymentType = EmploymentType.FULL_TIME
    fte: Decimal = Field(Decimal("1.00"), description="Share of a full-time week, 0.05 to 1")
    cost_per_year: Decimal | None = Field(
        None,
        description="Fully loaded yearly cost. Private: null for those who may not see it",
    )
    cost_currency: str = Field("", description="ISO 4217 code, e.g. EUR")
    private: bool = Field(
        False, description="Listed only to the person, their managers, leaders and admins"
    )


class PersonOut(crud.VersionedOut, PersonIn):
    report_count: int = Field(0, description="Direct reports the caller may see")
    cost_currency: str | None = None

    @staticmethod
    def resolve_level(obj: Person) -> str | None:
        return obj.level_id

    @staticmethod
    def resolve_manager_id(obj: Person) -> int | None:
        return obj.manager_id if getattr(obj, "manager_shown", True) else None

    @staticmethod
    def resolve_report_count(obj: Person) -> int:
        return getattr(obj, "report_count", 0) - getattr(obj, "hidden_reports", 0)

    @staticmethod
    def resolve_cost_per_year(obj: Person) -> Decimal | None:
        return obj.cost_per_year if getattr(obj, "cost_shown", False) else None

    @staticmethod
    def resolve_cost_currency(obj: Person) -> str | None:
        return obj.cost_currency if getattr(obj, "cost_shown", False) else None


class ViewerFilterSchema(FilterSchema):
    """Filters that know who asks (ninja validates query parameters with the request in
    the context): a filter by a person's id must not reveal a private person."""

    _viewer: User | None = PrivateAttr(None)

    @model_validator(mode="after")
    def _remember_viewer(self, info: ValidationInfo) -> "ViewerFilterSchema":
        request = (info.context or {}).get("request")
        self._viewer = getattr(request, "user", None)
        return self

    def naming_listed(self, field: str, person_id: int | None) -> Q:
        """`field` equal to `person_id`, matching nothing for a private person the caller
        may not list (as for an id no one has)."""
        if person_id is None:
            return Q()
        return privacy.naming_listed(field, person_id, self._viewer)


class PersonFilters(ViewerFilterSchema):
    # Names, emails and titles only: a search never matches on private fields.
    q: Annotated[
        str | None,
        FilterLookup(["name__icontains", "email__icontains", "job_title__icontains"]),
    ] = None
    level: str | None = Field(None, description="The key of a ladder level")
    manager_id: int | None = None
    employment_type: EmploymentType | None = None
    private: bool | None = None

    def filter_manager_id(self, value: int | None) -> Q:
        return self.naming_listed("manager_id", value)

    def filter_level(self, value: str | None) -> Q:
        if not value:
            return Q()
        # An unknown key is a mistake to name, not an empty answer.
        return Q(level=services.level_by_key(value.strip()))


def listed(request: HttpRequest, qs: QuerySet[Person]) -> QuerySet[Person]:
    """The people the caller may see: a private person only for those who may see their
    private data."""
    return privacy.listed_people(qs, request.user)


def redact_people(request: HttpRequest, people: list[Any]) -> None:
    """Show each person's cost only to those who may see it, and leave out private
    managers and reports the caller may not see: three queries at most for a page."""
    visible = privacy.visible_person_ids(request.user)
    for person in people:
        person.cost_shown = privacy.sees_private(visible, person.pk)
    if visible is None:
        return
    for person in people:
        manager = person.manager if person.manager_id else None
        person.manager_shown = not (manager and manager.private and manager.pk not in visible)
    hidden = (
        Person.objects.filter(private=True, manager_id__in=[person.pk for person in people])
        .exclude(pk__in=visible)
        .order_by()
        .values("manager_id")
        .annotate(n=Count("pk"))
    )
    counts = {row["manager_id"]: row["n"] for row in hidden}
    for person in people:
        person.hidden_reports = counts.get(person.pk, 0)


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
        ordering=("id", "name", "level", "start_date", "created_at", "updated_at"),
        default_ordering="name",
        refs={"manager_id": ("manager", Person), "user_id": ("user", User)},
        visible=listed,
        ref_visible={"manager_id": listed},
        redact=redact_people,
    ),
)

ROUTERS = {"/people": people}
