"""Team cost and investment: what the product team costs per product line and product in
the reporting currency, set against each product's ARR, and how its capacity splits
across lifecycle stages and objectives (the portfolio's investment allocation).

- An allocation's cost in a year: the person's cost per year x its percent x the share
  of the year it covers, by calendar days (a cost accrues on every day of the year).
- Converted into the reporting currency (PILOTHOUSE_CURRENCY) with the exchange rate
  between the two currencies, stored either way round. A cost in a currency without a
  rate is reported apart, per currency and naming the people: never dropped, never
  guessed.
- People without a cost are counted and named; their allocations add capacity, no cost.
- A team allocation counts for the team's products, split evenly; a team without
  products for no product (allocations.product_split).
- ARR is the product's (portfolio), read as being in the reporting currency; cost/ARR is
  the cost over the ARR, none when the ARR is 0.
- Capacity, in FTE-years: FTE x percent x the share of the year. Split by the products'
  lifecycle stage, and by objective: a product's objectives of that year (those of the
  product; without any, those of its line; cancelled ones left out), evenly; a product
  without any counts as "No objective".

Only product leaders and admins see these figures: a total can reveal one person's cost.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

from pilothouse.delivery.allocations import Share, product_split, team_products
from pilothouse.delivery.models import Allocation, ExchangeRate
from pilothouse.portfolio.models import LifecycleStage, Product, ProductLine
from pilothouse.strategy.models import Objective, ObjectiveScope, ObjectiveStatus

CENT = Decimal("0.01")
NO_PRODUCT = "No product (teams without products)"
NO_OBJECTIVE = "No objective"


def reporting_currency() -> str:
    """The currency costs are reported in (PILOTHOUSE_CURRENCY, config/env.py)."""
    return settings.CONFIG.currency


def year_share(start: dt.date, end: dt.date, year: int) -> Decimal:
    """The part of `year` that [start, end] covers, by calendar days."""
    first, last = max(start, dt.date(year, 1, 1)), min(end, dt.date(year, 12, 31))
    if last < first:
        return Decimal(0)
    days_in_year = (dt.date(year + 1, 1, 1) - dt.date(year, 1, 1)).days
    return Decimal((last - first).days + 1) / Decimal(days_in_year)


class Rates:
    """The stored exchange rates, read once: convert() into the reporting currency."""

    def __init__(self, pairs: Mapping[tuple[str, str], Decimal], *, currency: str) -> None:
        self.pairs = dict(pairs)
        self.currency = currency

    def convert(self, amount: Decimal, currency: str) -> Decimal | None:
        """`amount` of `currency` in the reporting currency, or None without a rate."""
        if currency == self.currency:
            return amount
        rate = self.pairs.get((currency, self.currency))
        if rate is not None:
            return amount * rate
        inverse = self.pairs.get((self.currency, currency))
        if inverse is not None:
            return amount / inverse
        return None


def stored_rates(*, currency: str) -> Rates:
    rows = ExchangeRate.objects.values_list("from_currency", "to_currency", "rate")
    return Rates({(source, target): rate for source, target, rate in rows}, currency=currency)


# --- the figures ----------------------------------------------------------------------------


@dataclass
class Figures:
    """Cost (reporting currency), ARR and capacity (FTE-years) of a product, a line or
    the whole portfolio."""

    cost: Decimal = Decimal(0)
    arr: Decimal = Decimal(0)
    fte_years: float = 0.0

    @property
    def cost_rounded(self) -> Decimal:
        return self.cost.quantize(CENT)

    @property
    def cost_to_arr(self) -> Decimal | None:
        """Cost over ARR (0.25: the team costs a quarter of the revenue); None without ARR."""
        if not self.arr:
            return None
        return (self.cost / self.arr).quantize(Decimal("0.0001"))

    @property
    def cost_to_arr_percent(self) -> float | None:
        ratio = self.cost_to_arr
        return float(ratio) * 100 if ratio is not None else None

    def add(self, other: Figures) -> None:
        self.cost += other.cost
        self.arr += other.arr
        self.fte_years += other.fte_years


@dataclass
class ProductCost:
    product: Product | None  # None: capacity on no product
    figures: Figures

    @property
    def label(self) -> str:
        return str(self.product) if self.product is not None else NO_PRODUCT


@dataclass
class LineCost:
    line: ProductLine
    products: list[ProductCost]
    figures: Figures


@dataclass
class Unconverted:
    """Costs in a currency without a rate to the reporting one: left out of the totals,
    shown in their own currency."""

    currency: str
    amount: Decimal
    people: list[str]

    @property
    def amount_rounded(self) -> Decimal:
        return self.amount.quantize(CENT)

    @property
    def message(self) -> str:
        names = ", ".join(self.people)
        return (
            f"{self.amount_rounded:,} {self.currency or '(no currency)'} of cost "
            f"({len(self.people)} {'person' if len(self.people) == 1 else 'people'}: {names}) "
            "is not in the totals: there is no exchange rate to the reporting currency."
        )


@dataclass
class Split:
    """A part of the capacity: a lifecycle stage or an objective."""

    key: str
    label: str
    fte_years: float
    percent: float


@dataclass
class TeamCost:
    year: int
    currency: str
    lines: list[LineCost]
    unassigned: ProductCost | None
    total: Figures
    unconverted: list[Unconverted]
    without_cost: list[str]
    stages: list[Split]
    objectives: list[Split]
    people: int = 0  # with an allocation in the year

    @property
    def without_cost_message(self) -> str | None:
        if not self.without_cost:
            return None
        count = len(self.without_cost)
        return (
            f"{count} {'person' if count == 1 else 'people'} with allocations in {self.year} "
            f"{'has' if count == 1 else 'have'} no cost recorded, so their allocations add "
            f"capacity but no cost: {', '.join(self.without_cost)}."
        )


@dataclass
class _Row:
    person_id: int
    name: str
    fte: Decimal
    cost: Decimal | None
    currency: str
    share: Share


def _allocations(year: int) -> list[_Row]:
    rows = (
        Allocation.objects.filter(start__lte=dt.date(year, 12, 31), end__gte=dt.date(year, 1, 1))
        .order_by("person__name", "person_id", "start", "id")
        .values_list(
            "pk",
            "person_id",
            "person__name",
            "person__fte",
            "person__cost_per_year",
            "person__cost_currency",
            "start",
            "end",
            "percent",
            "product_id",
            "team_id",
        )
    )
    return [
        _Row(
            person_id=person_id,
            name=name,
            fte=fte,
            cost=cost,
            currency=currency,
            share=Share(pk, person_id, start, end, percent, product_id, team_id),
        )
        for pk, person_id, name, fte, cost, currency, start, end, percent, product_id, team_id in (
            rows
        )
    ]


def _objectives_of(year: int) -> tuple[dict[int, list[Objective]], dict[int, list[Objective]]]:
    """The year's objectives of each product and of each line (not cancelled). One query."""
    found = Objective.objects.filter(
        period__startswith=str(year),
        scope__in=[ObjectiveScope.PRODUCT, ObjectiveScope.PRODUCT_LINE],
    ).exclude(status=ObjectiveStatus.CANCELLED)
    by_product: dict[int, list[Objective]] = defaultdict(list)
    by_line: dict[int, list[Objective]] = defaultdict(list)
    for objective in found.only("id", "title", "period", "scope", "product_id", "product_line_id"):
        if objective.scope == ObjectiveScope.PRODUCT:
            by_product[objective.product_id].append(objective)
        else:
            by_line[objective.product_line_id].append(objective)
    return by_product, by_line


def _splits(parts: Mapping[str, float], labels: Mapping[str, str], total: float) -> list[Split]:
    splits = [
        Split(key, labels[key], fte, fte / total * 100 if total else 0.0)
        for key, fte in parts.items()
        if fte > 0
    ]
    return sorted(splits, key=lambda split: (-split.fte_years, split.label))


def team_cost(*, year: int, currency: str | None = None) -> TeamCost:
    """The year's team cost and investment split (see the module's rules). Five queries
    at most whatever the number of people: the allocations with their people, the
    teams' products, the products with their lines, the rates, the objectives."""
    currency = currency or reporting_currency()
    rows = _allocations(year)
    split = team_products(team_ids={row.share.team_id for row in rows if row.share.team_id})
    products = {
        product.pk: product
        for product in Product.objects.select_related("product_line").order_by("name", "id")
    }
    rates = stored_rates(currency=currency)
    per_product: dict[int | None, Figures] = defaultdict(Figures)
    unconverted: dict[str, Unconverted] = {}
    without_cost: dict[int, str] = {}
    people: set[int] = set()
    for row in rows:
        part_of_year = year_share(row.share.start, row.share.end, year)
        if part_of_year == 0:
            continue
        people.add(row.person_id)
        used = Decimal(row.share.percent) / 100 * part_of_year
        cost = None
        if row.cost is None:
            without_cost[row.person_id] = row.name
        else:
            native = row.cost * used
            cost = rates.convert(native, row.currency)
            if cost is None:
                missing = unconverted.setdefault(
                    row.currency, Unconverted(row.currency, Decimal(0), [])
                )
                missing.amount += native
                if row.name not in missing.people:
                    missing.people.append(row.name)
        fte_years = float(row.fte * used)
        parts = product_split(row.share, split)
        for product_id, part in parts:  # equal parts: the cost's in exact decimals
            figures = per_product[product_id]
            figures.fte_years += fte_years * part
            if cost is not None:
                figures.cost += cost / len(parts)
    return _report(
        year=year,
        currency=currency,
        products=products,
        per_product=per_product,
        unconverted=sorted(unconverted.values(), key=lambda found: found.currency),
        without_cost=sorted(without_cost.values()),
        people=len(people),
    )


def _report(
    *,
    year: int,
    currency: str,
    products: Mapping[int, Product],
    per_product: Mapping[int | None, Figures],
    unconverted: list[Unconverted],
    without_cost: list[str],
    people: int,
) -> TeamCost:
    """Group the products' figures by line, and split the capacity by stage and objective."""
    total = Figures()
    by_line: dict[int, LineCost] = {}
    for product in products.values():
        figures = Figures(
            cost=per_product[product.pk].cost if product.pk in per_product else Decimal(0),
            arr=product.arr,
            fte_years=per_product[product.pk].fte_years if product.pk in per_product else 0.0,
        )
        line = by_line.setdefault(
            product.product_line_id, LineCost(product.product_line, [], Figures())
        )
        line.products.append(ProductCost(product, figures))
        line.figures.add(figures)
        total.add(figures)
    unassigned = None
    if None in per_product:
        unassigned = ProductCost(None, per_product[None])
        total.add(unassigned.figures)
    lines = sorted(by_line.values(), key=lambda found: found.line.name.lower())

    stage_fte: dict[str, float] = defaultdict(float)
    stage_labels = dict(LifecycleStage.choices)
    objective_fte: dict[str, float] = defaultdict(float)
    objective_labels = {NO_OBJECTIVE: NO_OBJECTIVE, NO_PRODUCT: NO_PRODUCT}
    by_product, by_objective_line = _objectives_of(year)
    for product_id, figures in per_product.items():
        if product_id is None:
            stage_fte[NO_PRODUCT] += figures.fte_years
            stage_labels[NO_PRODUCT] = NO_PRODUCT
            objective_fte[NO_OBJECTIVE] += figures.fte_years
            continue
        product = products[product_id]
        stage_fte[product.stage] += figures.fte_years
        served = by_product.get(product_id) or by_objective_line.get(product.product_line_id, [])
        if not served:
            objective_fte[NO_OBJECTIVE] += figures.fte_years
        for objective in served:
            key = str(objective.pk)
            objective_labels[key] = f"{objective.title} ({objective.period})"
            objective_fte[key] += figures.fte_years / len(served)
    return TeamCost(
        year=year,
        currency=currency,
        lines=lines,
        unassigned=unassigned,
        total=total,
        unconverted=unconverted,
        without_cost=without_cost,
        stages=_splits(stage_fte, stage_labels, total.fte_years),
        objectives=_splits(objective_fte, objective_labels, total.fte_years),
        people=people,
    )
