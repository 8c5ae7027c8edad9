"""The allocation grid: people x months or quarters of a year, for the people a viewer may
see listed, narrowed by filters, with the totals and the roll-up of the whole selection.

Built for a few hundred people: it reads plain rows (no model instances) in a fixed
number of queries, works out every person of the selection (the over-allocation flags,
the FTE totals and the roll-up need them all), and leaves paging the rows to the page.

Filters (all optional, combined):
- a product line, a product or a team: the people with an allocation on it that year
  (on a product of the line, or on a team with such a product); their cells still count
  all their allocations, and the roll-up shows only that line or product;
- a manager: the manager and everyone below them in the reporting lines;
- over-allocated only: the people over 100 % on some day of a shown period;
- a name: the people whose name contains it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from pilothouse.core.models import User
from pilothouse.delivery import allocations, demand
from pilothouse.delivery.allocations import OverAllocation, Period, Share
from pilothouse.delivery.models import Allocation, Team
from pilothouse.people import privacy
from pilothouse.people.models import Person
from pilothouse.portfolio.models import ProductLine

# --- what the grid shows --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GridPerson:
    pk: int
    name: str
    fte: float


@dataclass(frozen=True, slots=True)
class AllocationLine:
    """One allocation as the grid lists it under its person."""

    pk: int
    percent: int
    start: dt.date
    end: dt.date
    note: str
    product_id: int | None
    target: str  # the product's name, or the team's


@dataclass(frozen=True, slots=True)
class Cell:
    percent: float  # weighted by working days
    fte: float
    over: OverAllocation | None

    @property
    def shown(self) -> str:
        return demand.number(self.percent)


@dataclass
class PersonRow:
    person: GridPerson
    cells: list[Cell]
    allocations: list[AllocationLine]
    year_percent: float

    @property
    def over(self) -> bool:
        return any(cell.over for cell in self.cells)

    @property
    def year_shown(self) -> str:
        return demand.number(self.year_percent)


@dataclass
class RollupRow:
    """Product-management capacity in FTE per period, of a product or a product line."""

    label: str
    fte: list[float]
    is_line: bool = False
    product_id: int | None = None

    @property
    def shown(self) -> list[str]:
        return [demand.number(value) for value in self.fte]


@dataclass(frozen=True, slots=True)
class Choice:
    pk: int
    label: str


@dataclass(frozen=True, slots=True)
class GridFilters:
    line_id: int | None = None
    product_id: int | None = None
    team_id: int | None = None
    manager_id: int | None = None
    over_only: bool = False
    name: str = ""


@dataclass
class Grid:
    year: int
    granularity: str
    periods: list[Period]
    rows: list[PersonRow]  # the whole selection, by name
    flags: list[OverAllocation]  # of the whole selection
    fte_totals: list[float]  # of the whole selection
    rollup: list[RollupRow] = field(default_factory=list)
    filters: GridFilters = field(default_factory=GridFilters)
    lines: list[Choice] = field(default_factory=list)
    products: list[Choice] = field(default_factory=list)
    teams: list[Choice] = field(default_factory=list)
    managers: list[Choice] = field(default_factory=list)
    allocated: int = 0  # people with an allocation in the year, before the filters

    @property
    def fte_totals_shown(self) -> list[str]:
        return [demand.number(value) for value in self.fte_totals]


# --- reads -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Person:
    name: str
    fte: float
    manager_id: int | None
    listed: bool


def _people(user: User | None) -> dict[int, _Person]:
    """Everyone, with whether `user` may see them listed (people.privacy). One query, and
    one more for who they may see unless they are portfolio-wide."""
    visible = privacy.visible_person_ids(user)
    rows = Person.objects.values_list("pk", "name", "fte", "manager_id", "private")
    return {
        pk: _Person(
            name=name,
            fte=float(fte),
            manager_id=manager_id,
            listed=visible is None or not private or pk in visible,
        )
        for pk, name, fte, manager_id, private in rows
    }


@dataclass(frozen=True, slots=True)
class _Product:
    label: str  # "Name (KEY)", as products are written
    name: str
    line_id: int
    line_name: str


def _lines_and_products() -> tuple[list[Choice], dict[int, _Product]]:
    """The product lines (with or without products) and every product. One query."""
    rows = ProductLine.objects.values_list(
        "pk", "name", "products__pk", "products__name", "products__key"
    )
    lines: dict[int, str] = {}
    products: dict[int, _Product] = {}
    for line_id, line_name, pk, name, key in rows:
        lines[line_id] = line_name
        if pk is not None:
            label = f"{name} ({key})" if key else name
            products[pk] = _Product(label=label, name=name, line_id=line_id, line_name=line_name)
    return [Choice(pk, name) for pk, name in lines.items()], products


def _teams() -> tuple[dict[int, str], dict[int, list[int]]]:
    """Each team's name, and its products' ids. One query."""
    names: dict[int, str] = {}
    products: dict[int, list[int]] = defaultdict(list)
    for pk, name, product_id in Team.objects.values_list("pk", "name", "products__pk"):
        names[pk] = name
        if product_id is not None:
            products[pk].append(product_id)
    for ids in products.values():
        ids.sort()
    return names, products


def _in_org(manager_id: int, people: Mapping[int, _Person]) -> set[int]:
    """The manager and everyone below them in the reporting lines."""
    reports: dict[int, list[int]] = defaultdict(list)
    for pk, person in people.items():
        if person.manager_id is not None:
            reports[person.manager_id].append(pk)
    found: set[int] = set()
    stack = [manager_id]
    while stack:
        current = stack.pop()
        if current not in found:
            found.add(current)
            stack.extend(reports.get(current, ()))
    return found


def _on_target(shares: Iterable[Share], *, products: set[int], team_ids: set[int]) -> set[int]:
    """The people with a share on one of these products or teams."""
    return {
        share.person_id
        for share in shares
        if share.product_id in products or share.team_id in team_ids
    }


# --- the grid ----------------------------------------------------------------------------


def allocation_grid(
    *, user: User | None, year: int, granularity: str, filters: GridFilters | None = None
) -> Grid:
    """People x periods of a year with over-allocation flagged, the FTE totals per
    period and the roll-up of capacity per product line and product, for the people
    `user` may see listed and the filters choose. A filter naming something that is not
    among the choices (a mistyped link, a person not listed) is dropped. Four queries
    (five for anyone not portfolio-wide): who they may see, the people, the year's
    allocations, the teams with their products, the product lines with theirs."""
    filters = filters or GridFilters()
    year_span = allocations.Period(dt.date(year, 1, 1), dt.date(year, 12, 31), str(year))
    periods = allocations.periods_between(year_span.start, year_span.end, granularity)
    people = _people(user)
    rows = allocations.overlapping(
        Allocation.objects.all(), year_span.start, year_span.end
    ).values_list("pk", "person_id", "start", "end", "percent", "product_id", "team_id", "note")
    shares: list[Share] = []
    notes: dict[int, str] = {}
    for pk, person_id, start, end, percent, product_id, team_id, note in rows:
        if people[person_id].listed:
            shares.append(Share(pk, person_id, start, end, percent, product_id, team_id))
            notes[pk] = note
    teams, split = _teams()
    lines, products = _lines_and_products()

    filters = _known(filters, people=people, lines=lines, products=products, teams=teams)
    by_person: dict[int, list[Share]] = defaultdict(list)
    for share in shares:
        by_person[share.person_id].append(share)
    allocated = len(by_person)
    chosen = set(by_person)
    in_scope = _product_scope(filters, products)
    if in_scope is not None:
        team_ids = {team for team, ids in split.items() if in_scope.intersection(ids)}
        chosen &= _on_target(shares, products=in_scope, team_ids=team_ids)
    if filters.team_id is not None:
        chosen &= _on_target(shares, products=set(), team_ids={filters.team_id})
    if filters.manager_id is not None:
        chosen &= _in_org(filters.manager_id, people)
    if filters.name:
        wanted = filters.name.casefold()
        chosen = {pk for pk in chosen if wanted in people[pk].name.casefold()}

    # The periods' weights, then the year's (for the year's figure).
    weights = _weights(
        (share for share in shares if share.person_id in chosen), [*periods, year_span]
    )
    grid_rows, flags = [], []
    fte_totals = [0.0] * len(periods)
    selected: list[Share] = []
    for person_id in sorted(chosen, key=lambda pk: (people[pk].name.casefold(), pk)):
        found = people[person_id]
        person = GridPerson(pk=person_id, name=found.name, fte=found.fte)
        own = sorted(by_person[person_id], key=lambda share: (share.start, share.allocation_id))
        row = _person_row(person, own, periods=periods, weights=weights)
        row.allocations = [_line(share, notes, products, teams) for share in own]
        if filters.over_only and not row.over:
            continue
        grid_rows.append(row)
        selected.extend(own)
        flags.extend(cell.over for cell in row.cells if cell.over is not None)
        for index, cell in enumerate(row.cells):
            fte_totals[index] += cell.fte
    fte_by_person = {row.person.pk: row.person.fte for row in grid_rows}
    return Grid(
        year=year,
        granularity=granularity,
        periods=periods,
        rows=grid_rows,
        flags=flags,
        fte_totals=fte_totals,
        rollup=capacity_rollup(
            shares=selected,
            fte=fte_by_person,
            periods=periods,
            weights=weights,
            team_products=split,
            products=products,
            scope=in_scope,
            whole_line=filters.product_id is None,
        ),
        filters=filters,
        lines=sorted(lines, key=lambda choice: (choice.label.casefold(), choice.pk)),
        products=sorted(
            (Choice(pk, product.label) for pk, product in products.items()),
            key=lambda choice: choice.label.casefold(),
        ),
        teams=sorted(
            (Choice(pk, name) for pk, name in teams.items()),
            key=lambda choice: (choice.label.casefold(), choice.pk),
        ),
        managers=_managers(people),
        allocated=allocated,
    )


def _known(
    filters: GridFilters,
    *,
    people: Mapping[int, _Person],
    lines: Sequence[Choice],
    products: Mapping[int, _Product],
    teams: Mapping[int, str],
) -> GridFilters:
    """The filters without those naming nothing that may be chosen."""
    line_ids = {line.pk for line in lines}
    manager = people.get(filters.manager_id) if filters.manager_id is not None else None
    return GridFilters(
        line_id=filters.line_id if filters.line_id in line_ids else None,
        product_id=filters.product_id if filters.product_id in products else None,
        team_id=filters.team_id if filters.team_id in teams else None,
        manager_id=filters.manager_id if manager is not None and manager.listed else None,
        over_only=filters.over_only,
        name=filters.name.strip(),
    )


def _product_scope(filters: GridFilters, products: Mapping[int, _Product]) -> set[int] | None:
    """The products the line or product filter keeps (None: every product)."""
    if filters.product_id is not None:
        return {filters.product_id}
    if filters.line_id is not None:
        return {pk for pk, product in products.items() if product.line_id == filters.line_id}
    return None


def _managers(people: Mapping[int, _Person]) -> list[Choice]:
    """The listed people who manage someone, by name."""
    managing = {person.manager_id for person in people.values() if person.manager_id}
    found = [Choice(pk, people[pk].name) for pk in managing if pk in people and people[pk].listed]
    return sorted(found, key=lambda choice: (choice.label.casefold(), choice.pk))


def _meets(share: Share, period: Period) -> bool:
    return share.start <= period.end and share.end >= period.start


def _weights(shares: Iterable[Share], periods: Sequence[Period]) -> dict[int, list[float]]:
    """Each share's part of each period (allocations.covered), worked out once for the
    cells and the roll-up."""
    return {
        share.allocation_id: [
            allocations.covered(share, period) if _meets(share, period) else 0.0
            for period in periods
        ]
        for share in shares
    }


def _person_row(
    person: GridPerson,
    shares: Sequence[Share],
    *,
    periods: Sequence[Period],
    weights: Mapping[int, Sequence[float]],
) -> PersonRow:
    """`weights`: each share's part of each period, then of the year."""
    cells = []
    for index, period in enumerate(periods):
        meeting = [share for share in shares if _meets(share, period)]
        percent = sum(share.percent * weights[share.allocation_id][index] for share in meeting)
        flag = None
        # Only shares adding up to over 100 % between them can be over 100 % on a day.
        if sum(share.percent for share in meeting) > allocations.FULL_TIME:
            flag = allocations.over_allocation(
                person_id=person.pk, person_name=person.name, shares=meeting, period=period
            )
        cells.append(Cell(percent=percent, fte=person.fte * percent / 100, over=flag))
    return PersonRow(
        person=person,
        cells=cells,
        allocations=[],
        year_percent=sum(share.percent * weights[share.allocation_id][-1] for share in shares),
    )


def _line(
    share: Share,
    notes: Mapping[int, str],
    products: Mapping[int, _Product],
    teams: Mapping[int, str],
) -> AllocationLine:
    if share.product_id is not None:
        target = products[share.product_id].name
    else:
        target = f"team {teams[share.team_id]}"
    return AllocationLine(
        pk=share.allocation_id,
        percent=share.percent,
        start=share.start,
        end=share.end,
        note=notes[share.allocation_id],
        product_id=share.product_id,
        target=target,
    )


def capacity_rollup(
    *,
    shares: Sequence[Share],
    fte: Mapping[int, float],
    periods: Sequence[Period],
    weights: Mapping[int, Sequence[float]],
    team_products: Mapping[int, Sequence[int]],
    products: Mapping[int, _Product],
    scope: set[int] | None = None,
    whole_line: bool = True,
) -> list[RollupRow]:
    """FTE per period of each product line (a row, when `whole_line`) and of its products
    (the rows under it), by name, then the capacity on no product. With `scope`, those
    products alone (and no row for the capacity on no product). `weights`: each share's
    part of each period (and maybe more after them). No query."""
    per_product: dict[int | None, list[float]] = defaultdict(lambda: [0.0] * len(periods))
    for share in shares:
        parts = allocations.product_split(share, team_products)
        amount = fte[share.person_id] * share.percent / 100
        for index, weight in enumerate(weights[share.allocation_id][: len(periods)]):
            if weight <= 0:
                continue
            for product_id, part in parts:
                per_product[product_id][index] += amount * weight * part
    by_line: dict[tuple[str, int], list[int]] = defaultdict(list)
    for pk in per_product:
        if pk is None or (scope is not None and pk not in scope):
            continue
        product = products[pk]
        by_line[(product.line_name, product.line_id)].append(pk)
    rows = []
    for line_name, line_id in sorted(by_line, key=lambda key: (key[0].casefold(), key[1])):
        members = sorted(by_line[(line_name, line_id)], key=lambda pk: products[pk].name.lower())
        if whole_line:
            totals = [sum(per_product[pk][i] for pk in members) for i in range(len(periods))]
            rows.append(RollupRow(label=line_name, fte=totals, is_line=True))
        rows.extend(
            RollupRow(label=products[pk].label, fte=per_product[pk], product_id=pk)
            for pk in members
        )
    if scope is None and None in per_product:
        rows.append(RollupRow(label="No product (teams without products)", fte=per_product[None]))
    return rows
