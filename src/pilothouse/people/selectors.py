"""Every read of people used by views and the API.

Lists that show people to a user go through people.privacy: a private person is listed
only to those who may see their private data (`listed_people`), and private records
(assessments, growth plans, one-to-ones) are read only for a person whose private data
the page has checked the user may see.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from pilothouse.core.models import User
from pilothouse.people import privacy
from pilothouse.people.models import (
    ActionItem,
    Assessment,
    AssessmentRating,
    CareerLevel,
    CheckIn,
    GrowthGoal,
    GrowthPlan,
    OneOnOne,
    Person,
)
from pilothouse.people.org_chart import Link
from pilothouse.portfolio.models import Product, ProductArea, ProductLine


def person_list() -> QuerySet[Person]:
    # Meta.ordering does not apply to a GROUP BY query: order explicitly.
    return (
        Person.objects.select_related("manager", "user", "level")
        .annotate(report_count=Count("reports"))
        .order_by(*Person._meta.ordering)
    )


@dataclass(frozen=True)
class PeopleFilters:
    """The people list's search and filters (also those of its CSV export). The search
    looks at names, emails and titles only: never at private fields."""

    search: str = ""
    level: str = ""
    employment_type: str = ""

    def query_string(self) -> str:
        from urllib.parse import urlencode

        values = {
            "q": self.search,
            "level": self.level,
            "employment_type": self.employment_type,
        }
        return urlencode({key: value for key, value in values.items() if value})


def people_listed(*, user: User | None, filters: PeopleFilters) -> QuerySet[Person]:
    """The people `user` may see listed, searched and filtered. Each carries
    `manager_listed` (a private manager is named only to those who may list them) and
    `report_count`, of the reports `user` may list."""
    listed = privacy.listed_people(Person.objects.all(), user)
    people = listed.select_related("manager", "level")
    if filters.search:
        term = filters.search
        people = people.filter(
            Q(name__icontains=term) | Q(email__icontains=term) | Q(job_title__icontains=term)
        )
    if filters.level:
        people = people.filter(level_id=filters.level)
    if filters.employment_type:
        people = people.filter(employment_type=filters.employment_type)
    reports = (
        listed.filter(manager_id=OuterRef("pk"))
        .order_by()
        .values("manager_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return people.annotate(
        manager_listed=Exists(listed.filter(pk=OuterRef("manager_id"))),
        report_count=Coalesce(Subquery(reports), 0),
    ).order_by("name", "id")


def person_detail(*, pk: int) -> Person:
    return person_list().get(pk=pk)


def listed_person(*, pk: int, user: User | None) -> Person:
    """A person's record if `user` may see them listed (Person.DoesNotExist otherwise)."""
    return privacy.listed_people(person_list(), user).get(pk=pk)


def person_choices() -> QuerySet[Person]:
    """People to pick from in a form (a manager)."""
    return Person.objects.only("id", "name", "job_title").order_by("name")


def public_person_choices(*, including: Iterable[int] = ()) -> QuerySet[Person]:
    """People to pick from in a form that anyone may open: those not private, and the
    ones already chosen."""
    return (
        Person.objects.filter(Q(private=False) | Q(pk__in=list(including)))
        .only("id", "name", "job_title")
        .order_by("name", "id")
    )


def level_choices() -> list[tuple[str, str]]:
    """Ladder levels by key, for filters (by track, then seniority)."""
    return list(CareerLevel.objects.order_by("track", "rank", "name").values_list("key", "name"))


# --- The org chart ---------------------------------------------------------------------


@dataclass(frozen=True)
class OrgPerson:
    id: int
    name: str
    job_title: str
    level_key: str | None
    level_name: str
    user_id: int | None


@dataclass(frozen=True)
class OrgPeople:
    people: dict[int, OrgPerson]  # those `user` may see listed, by name
    links: list[Link]  # their reporting lines, around anyone hidden (org_chart.reattach)


def org_people(*, user: User | None) -> OrgPeople:
    """Everyone the org chart shows to `user`, in one query (two for those who see only
    part of the private data: people.privacy reads who that is)."""
    from pilothouse.people.org_chart import reattach

    listed = privacy.listed_people(Person.objects.filter(pk=OuterRef("pk")), user)
    rows = (
        Person.objects.annotate(listed=Exists(listed))
        .order_by("name", "id")
        .values_list(
            "id", "manager_id", "listed", "name", "job_title", "level_id", "level__name", "user_id"
        )
    )
    links: list[Link] = []
    people: dict[int, OrgPerson] = {}
    for pk, manager_id, shown, name, title, level_key, level_name, user_id in rows:
        links.append((pk, manager_id))
        if shown:
            people[pk] = OrgPerson(
                id=pk,
                name=name,
                job_title=title,
                level_key=level_key,
                level_name=level_name or "",
                user_id=user_id,
            )
    return OrgPeople(people=people, links=reattach(links, shown=people.keys()))


def product_line_choices() -> list[tuple[int, str]]:
    return list(ProductLine.objects.order_by("name", "id").values_list("id", "name"))


def line_owner_user_ids(*, line_id: int) -> set[int]:
    """The logins owning the product line, one of its products or one of their areas (one
    query)."""
    owners = (
        ProductLine.objects.filter(pk=line_id)
        .order_by()
        .values_list("owner_id")
        .union(
            Product.objects.filter(product_line_id=line_id).order_by().values_list("owner_id"),
            ProductArea.objects.filter(product__product_line_id=line_id)
            .order_by()
            .values_list("owner_id"),
        )
    )
    return {owner_id for (owner_id,) in owners} - {None}


# --- Private records of one person -------------------------------------------------------
# Callers check core.permissions.can_view_private(user, person) first.


def assessment_detail(*, pk: int) -> Assessment:
    return (
        Assessment.objects.select_related("person", "level", "assessor")
        .prefetch_related(
            Prefetch(
                "ratings",
                queryset=AssessmentRating.objects.select_related("competency").order_by(
                    "competency__position", "competency__name"
                ),
            )
        )
        .get(pk=pk)
    )


def _plan_parts() -> list[Prefetch]:
    return [
        Prefetch(
            "goals",
            queryset=GrowthGoal.objects.select_related("competency").order_by("due", "id"),
        ),
        Prefetch("check_ins", queryset=CheckIn.objects.order_by("-held_on", "-id")),
    ]


def growth_plan_detail(*, pk: int) -> GrowthPlan:
    return (
        GrowthPlan.objects.select_related("person", "target_level")
        .prefetch_related(*_plan_parts())
        .get(pk=pk)
    )


def _one_on_one_parts() -> list[Prefetch]:
    return [
        Prefetch(
            "actions",
            queryset=ActionItem.objects.select_related("owner").order_by("done", "due", "id"),
        )
    ]


def one_on_one_detail(*, pk: int) -> OneOnOne:
    return (
        OneOnOne.objects.select_related("person", "with_person")
        .prefetch_related(*_one_on_one_parts())
        .get(pk=pk)
    )
