"""Every read of people used by views and the API."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from pilothouse.people.models import Person


def person_list() -> QuerySet[Person]:
    return Person.objects.select_related("manager", "user").annotate(report_count=Count("reports"))
