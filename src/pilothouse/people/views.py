"""The people list, a person's page, and the create/edit/delete pages of people.

Only the portfolio-wide roles may change people; the services enforce it and the
pages only follow.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from pilothouse.core import permissions
from pilothouse.core import selectors as core_selectors
from pilothouse.core.editing import EditPages
from pilothouse.people import selectors, services
from pilothouse.people.forms import PersonForm
from pilothouse.people.models import Person

PEOPLE_PER_PAGE = 100


def person_url(person: Person) -> str:
    return reverse("people:person_detail", args=[person.pk])


person_pages = EditPages(form_class=PersonForm, writes=services.person, detail_url=person_url)


def person_list(request: HttpRequest) -> HttpResponse:
    people = selectors.person_list().order_by("name", "id")
    page = Paginator(people, PEOPLE_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "page_obj": page,
        "people": page.object_list,
        "can_create": permissions.can_create(request.user, parent=None),
    }
    return render(request, "people/person_list.html", context)


def _person(pk: int) -> Person:
    try:
        return selectors.person_detail(pk=pk)
    except Person.DoesNotExist as exc:
        raise Http404("No such person.") from exc


def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(pk)
    context = {
        "person": person,
        "chain": selectors.management_chain(person=person),
        "reports": selectors.direct_reports(person=person),
        "history": core_selectors.object_history_described(instance=person),
        "can_edit": permissions.can_change(request.user, person),
    }
    return render(request, "people/person_detail.html", context)


def person_create(request: HttpRequest) -> HttpResponse:
    return person_pages.create(request, cancel_url=reverse("people:person_list"))


def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return person_pages.edit(request, _person(pk))


def person_delete(request: HttpRequest, pk: int) -> HttpResponse:
    return person_pages.delete(request, _person(pk), done_url=reverse("people:person_list"))
