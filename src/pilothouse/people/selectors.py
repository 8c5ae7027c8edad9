"""Every read of people used by views and the API."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from pilothouse.people.models import Person


def person_list() -> QuerySet[Person]:
    # Meta.ordering does not apply to a GROUP BY query: order explicitly.
    return (
        Person.objects.select_related("manager", "user")
        .annotate(report_count=Count("reports"))
        .order_by(*Person._meta.ordering)
    )


def person_detail(*, pk: int) -> Person:
    return person_list().get(pk=pk)


def direct_reports(*, person: Person) -> QuerySet[Person]:
    return person_list().filter(manager=person).order_by("name")


def management_chain(*, person: Person) -> list[Person]:
    """The person's managers, nearest first, in two queries whatever the depth."""
    manager_of = dict(Person.objects.values_list("id", "manager_id"))
    chain: list[int] = []
    current = person.manager_id
    # The model refuses cycles, but a chain read while being edited must still end.
    while current is not None and current != person.pk and current not in chain:
        chain.append(current)
        current = manager_of.get(current)
    found = Person.objects.select_related("user").in_bulk(chain)
    return [found[pk] for pk in chain if pk in found]


def person_choices() -> QuerySet[Person]:
    """People to pick from in a form (a manager)."""
    return Person.objects.only("id", "name", "job_title").order_by("name")
