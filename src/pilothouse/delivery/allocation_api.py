"""/api/v1/allocations (and /allocations/over), /exchange-rates and /team-cost.

No `from __future__ import annotations`: ninja reads the signatures.
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, FilterLookup, FilterSchema, Query, Router, Schema

from pilothouse.api import crud
from pilothouse.core import permissions
from pilothouse.delivery import allocations as reads
from pilothouse.delivery import services, team_cost
from pilothouse.delivery.models import Allocation, ExchangeRate, Team
from pilothouse.people import privacy
from pilothouse.people.models import Person
from pilothouse.portfolio.models import Product

# --- allocations ------------------------------------------------------------------------


class AllocationIn(Schema):
    person_id: int
    product_id: int | None = Field(None, description="A product, or else a team")
    team_id: int | None = Field(None, description="A delivery team, or else a product")
    start: dt.date
    end: dt.date
    percent: int = Field(description="Percent of the person's time, 1-100")
    note: str = ""


class AllocationOut(crud.VersionedOut, AllocationIn):
    over_allocated: bool = Field(
        False, description="The person is allocated over 100 % on some day of this span"
    )
    over_allocation: str | None = Field(
        None, description="The sentence saying who, when and how much, if over-allocated"
    )

    @staticmethod
    def resolve_over_allocated(obj: Allocation) -> bool:
        return getattr(obj, "over_allocation", None) is not None

    @staticmethod
    def resolve_over_allocation(obj: Allocation) -> str | None:
        flag = getattr(obj, "over_allocation", None)
        return flag.message if flag is not None else None


class AllocationFilters(FilterSchema):
    person_id: int | None = None
    product_id: int | None = None
    team_id: int | None = None
    product_line_id: Annotated[int | None, FilterLookup("product__product_line_id")] = None
    period: str | None = Field(
        None,
        description="Allocations meeting a year (2026), half (2026-H2), quarter (2026-Q4) "
        "or month (2026-11)",
    )

    def filter_period(self, value: str | None) -> Q:
        if not value:
            return Q()
        period = reads.parse_period(value)
        return Q(start__lte=period.end, end__gte=period.start)


allocations = Router(tags=["people"])


class OverAllocationOut(Schema):
    person_id: int
    person_name: str
    period: str = Field(description="The month, quarter or span over 100 %")
    start: dt.date
    end: dt.date
    percent: int = Field(description="The highest total of the person's allocations on a day")
    peak_from: dt.date = Field(description="The first day at that total")
    peak_to: dt.date = Field(description="The last day of that first stretch")
    message: str


@allocations.get(
    "/over",
    response={200: list[OverAllocationOut], **crud.ERRORS},
    summary="People allocated over 100 % on some day, per period",
    operation_id="allocation_over",
)
def allocation_over(
    request: HttpRequest,
    period: str | None = Query(
        None, description="A year, half, quarter or month (2026-Q1); default: this year"
    ),
    by: str | None = Query(
        "month",
        description="month or quarter: flag each one of the period; empty: the whole period",
    ),
):
    span = reads.parse_period(period or str(timezone.localdate().year))
    granularity = by or None
    if granularity is not None and granularity not in reads.GRANULARITIES:
        raise ValidationError({"by": "Use month, quarter, or leave it empty."})
    flags = reads.over_allocations(
        user=request.user, start=span.start, end=span.end, granularity=granularity
    )
    return [
        OverAllocationOut(
            person_id=flag.person_id,
            person_name=flag.person_name,
            period=flag.period.label,
            start=flag.period.start,
            end=flag.period.end,
            percent=flag.peak.percent,
            peak_from=flag.peak.first,
            peak_to=flag.peak.last,
            message=flag.message,
        )
        for flag in flags
    ]


def _visible(request: HttpRequest, queryset):
    return reads.visible(queryset, request.user)


def _listed(request: HttpRequest, queryset):
    return privacy.listed_people(queryset, request.user)


crud.register(
    allocations,
    crud.Resource(
        model=Allocation,
        out=AllocationOut,
        create_in=AllocationIn,
        update_in=crud.patch_schema(AllocationIn, name="AllocationPatch"),
        filters=AllocationFilters,
        select=reads.allocation_list,
        create=services.allocation.create,
        update=services.allocation.update,
        delete=services.allocation.delete,
        ordering=("id", "start", "end", "percent", "created_at", "updated_at"),
        default_ordering="start",
        refs={
            "person_id": ("person", Person),
            "product_id": ("product", Product),
            "team_id": ("team", Team),
        },
        decorate=reads.decorate_allocations,
        # A private person's allocations, and their id in a body, exist only for those
        # who may see the person listed.
        visible=_visible,
        ref_visible={"person_id": _listed},
    ),
)


# --- exchange rates -----------------------------------------------------------------------


class ExchangeRateIn(Schema):
    from_currency: str = Field(description="ISO 4217 code, e.g. EUR")
    to_currency: str = Field(description="ISO 4217 code, e.g. USD")
    rate: Decimal = Field(description="Units of to_currency for one unit of from_currency")
    as_of: dt.date | None = None
    note: str = ""


class ExchangeRateOut(crud.VersionedOut, ExchangeRateIn):
    pass


EITHER_CURRENCY = FilterLookup(["from_currency__iexact", "to_currency__iexact"])


class ExchangeRateFilters(FilterSchema):
    currency: Annotated[str | None, EITHER_CURRENCY] = None


exchange_rates = Router(tags=["people"])
crud.register(
    exchange_rates,
    crud.Resource(
        model=ExchangeRate,
        out=ExchangeRateOut,
        create_in=ExchangeRateIn,
        update_in=crud.patch_schema(ExchangeRateIn, name="ExchangeRatePatch"),
        filters=ExchangeRateFilters,
        select=lambda: ExchangeRate.objects.order_by("from_currency", "to_currency"),
        create=services.exchange_rate.create,
        update=services.exchange_rate.update,
        delete=services.exchange_rate.delete,
        ordering=("id", "from_currency", "to_currency", "created_at", "updated_at"),
        default_ordering="from_currency",
    ),
)


# --- team cost ----------------------------------------------------------------------------


class FiguresOut(Schema):
    cost: Decimal = Field(description="In the reporting currency")
    arr: Decimal = Field(description="Annual recurring revenue (portfolio)")
    cost_to_arr: Decimal | None = Field(description="Cost over ARR; null without ARR")
    fte_years: float = Field(description="Capacity: FTE x allocation x share of the year")


class ProductCostOut(FiguresOut):
    product_id: int | None = Field(description="Null: capacity of teams without products")
    name: str


class LineCostOut(FiguresOut):
    product_line_id: int
    name: str
    products: list[ProductCostOut]


class UnconvertedOut(Schema):
    currency: str
    amount: Decimal = Field(description="In that currency; not in the totals")
    people: list[str]
    message: str


class SplitOut(Schema):
    key: str = Field(description="A lifecycle stage, an objective's id, or a label")
    label: str
    fte_years: float
    percent: float = Field(description="Share of the year's capacity, 0-100")


class TeamCostOut(Schema):
    year: int
    currency: str = Field(description="The reporting currency (PILOTHOUSE_CURRENCY)")
    total: FiguresOut
    product_lines: list[LineCostOut]
    unassigned: ProductCostOut | None = Field(description="Teams without products")
    unconverted: list[UnconvertedOut] = Field(description="Costs without an exchange rate")
    people: int = Field(description="People with an allocation in the year")
    people_without_cost: list[str]
    note: str | None = Field(description="Who has no cost, in a sentence")
    stages: list[SplitOut] = Field(description="Capacity by lifecycle stage")
    objectives: list[SplitOut] = Field(description="Capacity by objective")


def _figures(figures: team_cost.Figures) -> dict:
    return {
        "cost": figures.cost_rounded,
        "arr": figures.arr,
        "cost_to_arr": figures.cost_to_arr,
        "fte_years": round(figures.fte_years, 3),
    }


def _product(row: team_cost.ProductCost) -> ProductCostOut:
    return ProductCostOut(
        product_id=row.product.pk if row.product is not None else None,
        name=row.label,
        **_figures(row.figures),
    )


def _split(split: team_cost.Split) -> SplitOut:
    return SplitOut(
        key=split.key,
        label=split.label,
        fte_years=round(split.fte_years, 3),
        percent=round(split.percent, 1),
    )


team_cost_router = Router(tags=["people"])


@team_cost_router.get(
    "",
    response={200: TeamCostOut, **crud.ERRORS},
    summary="The product team's cost by product line and product, and its investment split",
    description="Product leaders and admins only (a total can reveal one person's cost).",
    operation_id="team_cost",
)
def team_cost_get(
    request: HttpRequest,
    year: int | None = Query(None, ge=1900, le=9999, description="Default: this year"),
):
    permissions.require(
        permissions.is_portfolio_wide(request.user),
        "Only product leaders and admins see the team's cost.",
    )
    report = team_cost.team_cost(year=year or timezone.localdate().year)
    return TeamCostOut(
        year=report.year,
        currency=report.currency,
        total=FiguresOut(**_figures(report.total)),
        product_lines=[
            LineCostOut(
                product_line_id=line.line.pk,
                name=line.line.name,
                products=[_product(row) for row in line.products],
                **_figures(line.figures),
            )
            for line in report.lines
        ],
        unassigned=_product(report.unassigned) if report.unassigned is not None else None,
        unconverted=[
            UnconvertedOut(
                currency=missing.currency,
                amount=missing.amount_rounded,
                people=missing.people,
                message=missing.message,
            )
            for missing in report.unconverted
        ],
        people=report.people,
        people_without_cost=report.without_cost,
        note=report.without_cost_message,
        stages=[_split(split) for split in report.stages],
        objectives=[_split(split) for split in report.objectives],
    )


ROUTERS: dict[str, Router] = {
    "/allocations": allocations,
    "/exchange-rates": exchange_rates,
    "/team-cost": team_cost_router,
}
