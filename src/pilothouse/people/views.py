"""The people list (and its CSV export), a person's page, the org chart, and the
create/edit/delete pages of people.

What a page shows of someone private follows core.permissions.can_view_private and,
for lists, people.privacy; the services decide who may write, and the pages only follow.
A private person whom the reader may not see is not found (404) rather than refused, so
that the answer does not tell that they exist.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from pilothouse.core import permissions
from pilothouse.core import selectors as core_selectors
from pilothouse.core.editing import EditPages
from pilothouse.people import (
    exports,
    org_chart,
    org_chart_markup,
    person_page,
    privacy,
    selectors,
    services,
)
from pilothouse.people.forms import OrgChartFilterForm, PeopleFilterForm, PersonForm
from pilothouse.people.models import Person

PEOPLE_PER_PAGE = 100


def person_url(person: Person) -> str:
    return reverse("people:person_detail", args=[person.pk])


person_pages = EditPages(form_class=PersonForm, writes=services.person, detail_url=person_url)


def person_list(request: HttpRequest) -> HttpResponse:
    form = PeopleFilterForm(request.GET or None)
    filters = form.filters()
    people = selectors.people_listed(user=request.user, filters=filters)
    page = Paginator(people, PEOPLE_PER_PAGE).get_page(request.GET.get("page"))
    query = filters.query_string()
    context = {
        "section": "people",
        "form": form,
        "filtered": bool(query),
        "export_url": reverse("people:person_export") + (f"?{query}" if query else ""),
        "page_obj": page,
        "people": page.object_list,
        "can_create": permissions.can_create(request.user, parent=None, model=Person),
    }
    return render(request, "people/person_list.html", context)


def person_export(request: HttpRequest) -> HttpResponse:
    """The people list as CSV, searched and filtered as the list is."""
    filters = PeopleFilterForm(request.GET or None).filters()
    people = selectors.people_listed(user=request.user, filters=filters)
    body = exports.people_csv(people, private_visible=privacy.visible_person_ids(request.user))
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="people-{stamp}.csv"'
    return response


def _person(pk: int, request: HttpRequest) -> Person:
    try:
        return selectors.listed_person(pk=pk, user=request.user)
    except Person.DoesNotExist as exc:
        raise Http404("No such person.") from exc


def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    try:
        around = person_page.person_around(pk=pk, user=user)
    except Person.DoesNotExist as exc:
        raise Http404("No such person.") from exc
    person = around.person
    can_see_private = permissions.can_view_private(user, person)
    can_edit = permissions.can_change(user, person)
    context = {
        "section": "people",
        "person": person,
        "chain": around.chain,
        "reports": around.reports,
        "history": core_selectors.object_history_described(instance=person, viewer=user),
        "can_edit": can_edit,
        "can_see_private": can_see_private,
        # Records hang under the person: whoever may change them may add them.
        "can_add_records": can_edit,
    }
    if can_see_private:
        context["records"] = person_page.private_records(person=person)
    return render(request, "people/person_detail.html", context)


def person_create(request: HttpRequest) -> HttpResponse:
    return person_pages.create(request, cancel_url=reverse("people:person_list"))


def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return person_pages.edit(request, _person(pk, request))


def person_delete(request: HttpRequest, pk: int) -> HttpResponse:
    return person_pages.delete(
        request, _person(pk, request), done_url=reverse("people:person_list")
    )


def _person_url_maker() -> Callable[[int], str]:
    """person_url by id, reversed once (the chart links hundreds of people, and the URLs
    differ only by the id)."""
    marker = 987654321
    before, after = reverse("people:person_detail", args=[marker]).split(str(marker))
    return lambda pk: f"{before}{pk}{after}"


def org_chart_page(request: HttpRequest) -> HttpResponse:
    """The reporting tree, as nested lists (static/people/org_chart.js adds expand and
    collapse all and a live search; without it the search and filter are a plain form)."""
    lines = selectors.product_line_choices()
    form = OrgChartFilterForm(request.GET or None, lines=lines)
    search, line_id = "", None
    if form.is_bound:
        form.is_valid()  # an unknown line is left out; the search still applies
        search = form.cleaned_data.get("q", "").strip()
        line_id = form.cleaned_data.get("line")
    read = selectors.org_people(user=request.user)
    members = None
    if line_id is not None:
        owners = selectors.line_owner_user_ids(line_id=line_id)
        members = {p.id for p in read.people.values() if p.user_id in owners}
    chart = org_chart.chart(
        read.links,
        search_text={p.id: f"{p.name} {p.job_title}" for p in read.people.values()},
        search=search,
        members=members,
    )
    names = {p.id: p.name for p in read.people.values()}
    context = {
        "section": "org_chart",
        "form": form,
        "search": search,
        "line_name": dict(lines).get(line_id, ""),
        "narrowed": bool(search) or line_id is not None,
        "chart": chart,
        "people": read.people,
        "tree": org_chart_markup.tree_html(
            chart.nodes,
            people=read.people,
            url_of=_person_url_maker(),
        ),
        "warnings": [(names[w.person_id], w) for w in chart.warnings],
        "wide_span": org_chart.WIDE_SPAN,
        "narrow_span": org_chart.NARROW_SPAN,
    }
    return render(request, "people/org_chart.html", context)
