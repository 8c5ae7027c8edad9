"""The allocation grid (people x months or quarters), the team cost page, the exchange
rates, and the create/edit/delete pages of allocations and rates. Writes go through
core.editing and the services, which decide who may."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone

from pilothouse.core import permissions
from pilothouse.core.editing import EditPages, int_param
from pilothouse.delivery import allocation_grid, allocation_grid_markup, allocations, team_cost
from pilothouse.delivery.allocation_forms import ExchangeRateForm, allocation_form_for
from pilothouse.delivery.models import Allocation, ExchangeRate
from pilothouse.delivery.services import allocation as allocation_writes
from pilothouse.delivery.services import exchange_rate as exchange_rate_writes

# The years a page may show (a mistyped link falls back to this year).
FIRST_YEAR, LAST_YEAR = 1900, 9999
PEOPLE_PER_PAGE = 50


def grid_url(allocation: Allocation) -> str:
    """The grid of the allocation's year narrowed to its person's name, so that their row
    is on the first page however many people there are."""
    query = urlencode({"year": allocation.start.year, "q": allocation.person.name})
    return f"{reverse('delivery:allocation_grid')}?{query}#person-{allocation.person_id}"


def rates_url(_rate: ExchangeRate | None = None) -> str:
    return reverse("delivery:exchange_rate_list")


def allocation_pages(request: HttpRequest) -> EditPages:
    return EditPages(
        form_class=allocation_form_for(request.user),
        writes=allocation_writes,
        detail_url=grid_url,
        # The permission parent is the person, chosen in the form.
        parent_chosen_in_form=True,
    )


rate_pages = EditPages(
    form_class=ExchangeRateForm, writes=exchange_rate_writes, detail_url=rates_url
)


def _year(request: HttpRequest) -> int:
    year = int_param(request, "year")
    if year is None or not FIRST_YEAR <= year <= LAST_YEAR:
        return timezone.localdate().year
    return year


def _grid_filters(request: HttpRequest) -> allocation_grid.GridFilters:
    return allocation_grid.GridFilters(
        line_id=int_param(request, "line"),
        product_id=int_param(request, "product"),
        team_id=int_param(request, "team"),
        manager_id=int_param(request, "manager"),
        over_only=request.GET.get("over") == "1",
        name=request.GET.get("q", "")[:100],
    )


def _flag_links(
    request: HttpRequest, grid: allocation_grid.Grid
) -> list[tuple[allocations.OverAllocation, str]]:
    """Each flag with a link to its person's row, on whichever page it is."""
    position = {row.person.pk: index for index, row in enumerate(grid.rows)}
    query = request.GET.copy()
    links = []
    for flag in grid.flags:
        query["page"] = str(position[flag.person_id] // PEOPLE_PER_PAGE + 1)
        links.append((flag, f"?{query.urlencode()}#person-{flag.person_id}"))
    return links


def allocation_grid_page(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    granularity = request.GET.get("by", "")
    if granularity not in allocations.GRANULARITIES:
        granularity = "quarter"
    grid = allocation_grid.allocation_grid(
        user=request.user, year=year, granularity=granularity, filters=_grid_filters(request)
    )
    page = Paginator(grid.rows, PEOPLE_PER_PAGE).get_page(request.GET.get("page"))
    chosen = grid.filters
    can_create = permissions.can_create_any(request.user, model=Allocation)
    context = {
        "grid": grid,
        "page_obj": page,
        "rows": page.object_list,
        "rows_html": allocation_grid_markup.rows_html(page.object_list, can_create=can_create),
        "flags": _flag_links(request, grid),
        "filters": chosen,
        "line": next((line for line in grid.lines if line.pk == chosen.line_id), None),
        "filtered": chosen != allocation_grid.GridFilters(),
        "year": year,
        "granularity": granularity,
        "can_create": can_create,
        "can_see_cost": permissions.is_portfolio_wide(request.user),
    }
    return render(request, "delivery/allocation_grid.html", context)


def allocation_create(request: HttpRequest) -> HttpResponse:
    person = int_param(request, "person")
    return allocation_pages(request).create(
        request,
        cancel_url=reverse("delivery:allocation_grid"),
        initial={"person": person} if person else None,
        title="New allocation",
    )


def allocation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return allocation_pages(request).edit(request, get_object_or_404(Allocation, pk=pk))


def allocation_delete(request: HttpRequest, pk: int) -> HttpResponse:
    allocation = get_object_or_404(Allocation, pk=pk)
    return allocation_pages(request).delete(request, allocation, done_url=grid_url(allocation))


# --- team cost and exchange rates ----------------------------------------------------------


def team_cost_page(request: HttpRequest) -> HttpResponse:
    permissions.require(
        permissions.is_portfolio_wide(request.user),
        "Only product leaders and admins see the team's cost.",
    )
    year = _year(request)
    report = team_cost.team_cost(year=year)
    context = {
        "report": report,
        "year": year,
        "splits": [("lifecycle stage", report.stages), ("objective", report.objectives)],
    }
    return render(request, "delivery/team_cost.html", context)


def exchange_rate_list(request: HttpRequest) -> HttpResponse:
    context = {
        "rates": list(ExchangeRate.objects.order_by("from_currency", "to_currency")),
        "currency": team_cost.reporting_currency(),
        "can_create": permissions.can_create(request.user, parent=None, model=ExchangeRate),
    }
    return render(request, "delivery/team_cost_rates.html", context)


def exchange_rate_create(request: HttpRequest) -> HttpResponse:
    return rate_pages.create(
        request,
        cancel_url=rates_url(),
        initial={"to_currency": team_cost.reporting_currency()},
        title="New exchange rate",
    )


def exchange_rate_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return rate_pages.edit(request, get_object_or_404(ExchangeRate, pk=pk))


def exchange_rate_delete(request: HttpRequest, pk: int) -> HttpResponse:
    rate = get_object_or_404(ExchangeRate, pk=pk)
    return rate_pages.delete(request, rate, done_url=rates_url())
