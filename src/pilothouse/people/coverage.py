"""Ownership and coverage: who owns each product line, product, objective and initiative,
and what the ownership lacks.

Owners are logins (the `owner` fields name users); a login is shown as the person whose
record it is (Person.user) where there is one. Only live items count: products that are
not retired, objectives in draft or active, initiatives proposed or active. Three kinds
of finding, each a sentence with links, named like the gaps an open role closes
(OpenRole.gap):

- no owner: a product line, product, objective or initiative without an owner, or owned
  by a deactivated login (nobody can act on it);
- overloaded: a person owning more than MAX_PRODUCTS_PER_OWNER products, or more than
  MAX_ITEMS_PER_OWNER items of the four kinds in all;
- single point of failure: a product line with at least SINGLE_POINT_MIN_PRODUCTS live
  products in which one person owns everything that has an owner (the line, every
  owned product and every owned area), so that nobody else knows any of it; and, in
  the other lines, a product with at least SINGLE_POINT_MIN_AREAS areas whose owner
  owns every owned area.

`read_coverage` reads everything in a fixed number of queries (COVERAGE_QUERIES, one
more for a viewer who is not a product leader or admin: which private people records
they may see) and decides in memory (`build_coverage`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count, Exists, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse

from pilothouse.core.models import User
from pilothouse.people import privacy
from pilothouse.people.models import OpenRole, OpenRoleStatus, Person, RoleGap
from pilothouse.portfolio.models import LifecycleStage, Product, ProductArea, ProductLine
from pilothouse.strategy.models import (
    Initiative,
    InitiativeStatus,
    Objective,
    ObjectiveScope,
    ObjectiveStatus,
)

MAX_PRODUCTS_PER_OWNER = 3
MAX_ITEMS_PER_OWNER = 8
SINGLE_POINT_MIN_PRODUCTS = 2
SINGLE_POINT_MIN_AREAS = 2

LIVE_OBJECTIVE_STATUSES = (ObjectiveStatus.DRAFT, ObjectiveStatus.ACTIVE)
LIVE_INITIATIVE_STATUSES = (InitiativeStatus.PROPOSED, InitiativeStatus.ACTIVE)
# Roles still being worked on: the ones that may close a finding.
ACTIVE_ROLE_STATUSES = (
    OpenRoleStatus.PROPOSED,
    OpenRoleStatus.APPROVED,
    OpenRoleStatus.OPEN,
    OpenRoleStatus.OFFER,
)
# Lines, products (with what their areas' owners say), objectives, initiatives, open roles.
COVERAGE_QUERIES = 5

KIND_NAMES = {
    "product_line": ("product line", "product lines"),
    "product": ("product", "products"),
    "objective": ("objective", "objectives"),
    "initiative": ("initiative", "initiatives"),
}
FINDING_ORDER = (RoleGap.NO_OWNER, RoleGap.OVERLOADED, RoleGap.SINGLE_POINT)


@dataclass(frozen=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True)
class Owner:
    """A login that owns things, shown as its person where the viewer may see them."""

    user_id: int
    name: str
    person_id: int | None  # None: no person record, or a private one hidden from the viewer
    active: bool
    # The person record even when hidden: it matches an open role's hiring manager.
    record_id: int | None = None

    @property
    def link(self) -> Link | str:
        if self.person_id is None:
            return self.name
        return Link(self.name, reverse("people:person_detail", args=[self.person_id]))


@dataclass(frozen=True)
class Areas:
    """What single points of failure need of a product's areas: how many there are, and
    whether an active login other than the product's owner owns one of them."""

    count: int = 0
    shared: bool = False


@dataclass(frozen=True)
class Item:
    """A product line, product, objective or initiative and its owner."""

    kind: str
    pk: int
    name: str
    url: str
    owner: Owner | None
    line_id: int | None = None
    product_id: int | None = None
    detail: str = ""  # a product's key, an objective's period, an initiative's status

    @property
    def link(self) -> Link:
        return Link(self.name, self.url)

    @property
    def kind_name(self) -> str:
        return KIND_NAMES[self.kind][0]

    @property
    def owned(self) -> bool:
        """Owned by a login that can act on it."""
        return self.owner is not None and self.owner.active


@dataclass
class Finding:
    """One flag: a sentence (text and links, in order) and what it is about, so that the
    open roles addressing it can be found (see `addresses`)."""

    key: str  # unique on the page: the anchor `#finding-<key>`
    gap: str  # a RoleGap value
    sentence: tuple[str | Link, ...]
    line_ids: frozenset[int] = frozenset()
    product_ids: frozenset[int] = frozenset()
    user_id: int | None = None  # the login it is about (overloaded, single point)
    person_id: int | None = None  # their person record, matched to hiring managers
    roles: list[OpenRole] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(part.label if isinstance(part, Link) else part for part in self.sentence)

    @property
    def links(self) -> list[Link]:
        return [part for part in self.sentence if isinstance(part, Link)]

    @property
    def gap_label(self) -> str:
        return RoleGap(self.gap).label

    @property
    def anchor(self) -> str:
        return f"finding-{self.key}"

    @property
    def url(self) -> str:
        return reverse("people:coverage") + f"#{self.anchor}"

    @property
    def plan_query(self) -> str:
        """The query string of a new role's page, filled in to close this finding."""
        params: dict[str, object] = {"gap": self.gap}
        if len(self.line_ids) == 1:
            params["line"] = next(iter(self.line_ids))
        if len(self.product_ids) == 1:
            params["product"] = next(iter(self.product_ids))
        return urlencode(params)


@dataclass
class OwnerLoad:
    """Everything one login owns, by kind."""

    owner: Owner
    items: dict[str, list[Item]] = field(default_factory=lambda: {kind: [] for kind in KIND_NAMES})

    def count(self, kind: str) -> int:
        return len(self.items[kind])

    @property
    def product_lines(self) -> list[Item]:
        return self.items["product_line"]

    @property
    def products(self) -> list[Item]:
        return self.items["product"]

    @property
    def objectives(self) -> list[Item]:
        return self.items["objective"]

    @property
    def initiatives(self) -> list[Item]:
        return self.items["initiative"]

    @property
    def total(self) -> int:
        return sum(len(items) for items in self.items.values())

    @property
    def too_many_products(self) -> bool:
        return self.count("product") > MAX_PRODUCTS_PER_OWNER

    @property
    def too_many_items(self) -> bool:
        return self.total > MAX_ITEMS_PER_OWNER

    @property
    def overloaded(self) -> bool:
        return self.too_many_products or self.too_many_items


@dataclass
class LineCoverage:
    line: Item
    products: list[Item]


@dataclass
class Coverage:
    lines: list[LineCoverage]
    objectives: list[Item]
    initiatives: list[Item]
    owners: list[OwnerLoad]  # most items first
    findings: list[Finding]  # no owner, overloaded, single points of failure

    def of_gap(self, gap: str) -> list[Finding]:
        return [finding for finding in self.findings if finding.gap == gap]

    @property
    def unowned(self) -> list[Finding]:
        return self.of_gap(RoleGap.NO_OWNER)

    @property
    def overloaded(self) -> list[Finding]:
        return self.of_gap(RoleGap.OVERLOADED)

    @property
    def single_points(self) -> list[Finding]:
        return self.of_gap(RoleGap.SINGLE_POINT)

    def findings_closed_by(self, role: OpenRole) -> list[Finding]:
        """The findings a role is meant to close (see `addresses`), whatever its status."""
        return [finding for finding in self.findings if addresses(role, finding)]


THRESHOLDS = {
    "max_products_per_owner": MAX_PRODUCTS_PER_OWNER,
    "max_items_per_owner": MAX_ITEMS_PER_OWNER,
    "single_point_min_products": SINGLE_POINT_MIN_PRODUCTS,
    "single_point_min_areas": SINGLE_POINT_MIN_AREAS,
}


def addresses(role: OpenRole, finding: Finding) -> bool:
    """Whether an open role is meant to close this finding: the same gap, and the role is
    for one of the finding's products (or, naming no product, for one of its lines), or
    its hiring manager is the overloaded person. A role naming neither product nor line
    addresses the findings that name neither (a company objective, an initiative)."""
    if role.gap != finding.gap:
        return False
    if role.product_id is not None and role.product_id in finding.product_ids:
        return True
    if role.product_id is None and role.product_line_id in finding.line_ids:
        return True
    if finding.person_id is not None and role.hiring_manager_id == finding.person_id:
        return True
    return (
        role.product_id is None
        and role.product_line_id is None
        and not finding.line_ids
        and not finding.product_ids
        and finding.person_id is None
    )


# --- reading --------------------------------------------------------------------------


# What an owner is shown by: their login, and their person record if there is one.
OWNER_FIELDS = (
    "owner__username",
    "owner__first_name",
    "owner__last_name",
    "owner__is_active",
    "owner__person__name",
    "owner__person__private",
)


def _owned(queryset: QuerySet, *fields: str) -> QuerySet:
    """The items with their owner, reading only the columns coverage uses (the pages of a
    large organization read hundreds of objectives)."""
    return queryset.select_related("owner__person").only(*fields, "owner_id", *OWNER_FIELDS)


def _with_areas(products: QuerySet[Product]) -> QuerySet[Product]:
    """The products with `area_count` and `area_shared` (Areas), read in their own query
    rather than one more."""
    of_product = ProductArea.objects.filter(product=OuterRef("pk")).order_by()
    return products.annotate(
        area_count=Coalesce(
            Subquery(of_product.values("product").annotate(count=Count("pk")).values("count")),
            0,
        ),
        area_shared=Exists(
            of_product.filter(owner__is_active=True).exclude(owner=OuterRef("owner"))
        ),
    )


def active_roles() -> QuerySet[OpenRole]:
    return OpenRole.objects.filter(status__in=ACTIVE_ROLE_STATUSES).select_related(
        "level", "product_line", "product"
    )


def read_coverage(
    *, viewer: User | None, visible_people: set[int] | bool | None = False
) -> Coverage:
    """The whole ownership picture and its findings, as `viewer` may see it, in
    COVERAGE_QUERIES queries, one more for viewers who are not product leaders or admins
    (which private people records they may see) unless the caller has read that
    already and passes it as `visible_people` (people.privacy.visible_person_ids's
    answer; False, the default, means "read it here")."""
    if visible_people is False:
        visible_people = privacy.visible_person_ids(viewer)
    lines = list(_owned(ProductLine.objects.all(), "name").order_by("name", "id"))
    products = list(
        _with_areas(
            _owned(
                Product.objects.exclude(stage=LifecycleStage.RETIRED),
                "name",
                "key",
                "product_line_id",
            )
        ).order_by("name", "id")
    )
    areas = {product.pk: Areas(product.area_count, product.area_shared) for product in products}
    objectives = list(
        _owned(
            Objective.objects.filter(status__in=LIVE_OBJECTIVE_STATUSES).select_related("product"),
            "title",
            "period",
            "scope",
            "product_line_id",
            "product__product_line_id",
        ).order_by("period", "title", "id")
    )
    initiatives = list(
        _owned(
            Initiative.objects.filter(status__in=LIVE_INITIATIVE_STATUSES), "title", "status"
        ).order_by("title", "id")
    )
    roles = list(active_roles().order_by("priority", "target_start", "id"))
    owners = _Owners(visible_people)
    return build_coverage(
        lines=[_line_item(line, owners) for line in lines],
        products=[_product_item(product, owners) for product in products],
        areas=areas,
        objectives=[_objective_item(objective, owners) for objective in objectives],
        initiatives=[_initiative_item(initiative, owners) for initiative in initiatives],
        roles=roles,
    )


class _Owners:
    """Owner values for the logins met while reading, one each; a private person record
    is named only to those who may see it (`visible`: people.privacy's answer)."""

    def __init__(self, visible: set[int] | None) -> None:
        self.visible = visible
        self.known: dict[int, Owner] = {}

    def shows(self, person: Person) -> bool:
        return not person.private or privacy.sees_private(self.visible, person.pk)

    def of(self, user: User | None) -> Owner | None:
        if user is None:
            return None
        if user.pk not in self.known:
            person = getattr(user, "person", None)  # select_related: no query, None if absent
            if person is not None and self.shows(person):
                owner = Owner(user.pk, person.name, person.pk, user.is_active, person.pk)
            else:
                record = person.pk if person is not None else None
                owner = Owner(user.pk, str(user), None, user.is_active, record)
            self.known[user.pk] = owner
        return self.known[user.pk]


def _line_item(line: ProductLine, owners: _Owners) -> Item:
    return Item(
        kind="product_line",
        pk=line.pk,
        name=line.name,
        url=reverse("web:portfolio") + f"#line-{line.pk}",
        owner=owners.of(line.owner),
        line_id=line.pk,
    )


def _product_item(product: Product, owners: _Owners) -> Item:
    return Item(
        kind="product",
        pk=product.pk,
        name=product.name,
        url=reverse("web:product_detail", args=[product.key]),
        owner=owners.of(product.owner),
        line_id=product.product_line_id,
        product_id=product.pk,
        detail=product.key,
    )


def _objective_item(objective: Objective, owners: _Owners) -> Item:
    line_id = objective.product_line_id
    if objective.scope == ObjectiveScope.PRODUCT and objective.product_id:
        line_id = objective.product.product_line_id
    return Item(
        kind="objective",
        pk=objective.pk,
        name=objective.title,
        url=reverse("web:objective_detail", args=[objective.pk]),
        owner=owners.of(objective.owner),
        line_id=line_id,
        product_id=objective.product_id,
        detail=objective.period,
    )


def _initiative_item(initiative: Initiative, owners: _Owners) -> Item:
    return Item(
        kind="initiative",
        pk=initiative.pk,
        name=initiative.title,
        url=reverse("web:initiative_detail", args=[initiative.pk]),
        owner=owners.of(initiative.owner),
        detail=initiative.get_status_display(),
    )


# --- deciding -------------------------------------------------------------------------


def build_coverage(
    *,
    lines: Sequence[Item],
    products: Sequence[Item],
    areas: Mapping[int, Areas],
    objectives: Sequence[Item],
    initiatives: Sequence[Item],
    roles: Sequence[OpenRole],
) -> Coverage:
    """The coverage of these items (`areas`: what each product's areas say, by product
    id; a product without any may be left out), with each finding given the open roles
    that address it."""
    by_line: dict[int, list[Item]] = {line.pk: [] for line in lines}
    for product in products:
        by_line.setdefault(product.line_id, []).append(product)
    everything = [*lines, *products, *objectives, *initiatives]
    findings = _no_owner(everything, {line.pk: line for line in lines})
    loads = _loads(everything)
    findings += [_overloaded(load) for load in loads if load.overloaded]
    findings += _single_points(lines, by_line, areas)
    for finding in findings:
        finding.roles = [role for role in roles if addresses(role, finding)]
    return Coverage(
        lines=[LineCoverage(line=line, products=by_line[line.pk]) for line in lines],
        objectives=list(objectives),
        initiatives=list(initiatives),
        owners=loads,
        findings=findings,
    )


def _no_owner(items: Sequence[Item], lines: dict[int, Item]) -> list[Finding]:
    findings = []
    for item in items:
        if item.owned:
            continue
        where: tuple[str | Link, ...] = ()
        if item.kind == "product" and item.line_id in lines:
            where = (" in ", lines[item.line_id].link)
        elif item.kind == "objective" and item.detail:
            where = (f" ({item.detail})",)
        if item.owner is None:
            tail: tuple[str | Link, ...] = (" has no owner.",)
        else:
            tail = (" is owned by ", item.owner.link, ", whose login is deactivated.")
        findings.append(
            Finding(
                key=f"no-owner-{item.kind.replace('_', '-')}-{item.pk}",
                gap=RoleGap.NO_OWNER,
                sentence=(f"The {item.kind_name} ", item.link, *where, *tail),
                line_ids=frozenset({item.line_id} - {None}),
                product_ids=frozenset({item.product_id} - {None}),
            )
        )
    return findings


def _loads(items: Sequence[Item]) -> list[OwnerLoad]:
    loads: dict[int, OwnerLoad] = {}
    for item in items:
        if not item.owned:
            continue
        load = loads.setdefault(item.owner.user_id, OwnerLoad(owner=item.owner))
        load.items[item.kind].append(item)
    return sorted(loads.values(), key=lambda load: (-load.total, load.owner.name.lower()))


def _counted(load: OwnerLoad) -> str:
    parts = []
    for kind, (one, many) in KIND_NAMES.items():
        n = load.count(kind)
        if n:
            parts.append(f"{n} {one if n == 1 else many}")
    return ", ".join(parts)


def _overloaded(load: OwnerLoad) -> Finding:
    sentence: list[str | Link] = [load.owner.link, " owns "]
    if load.too_many_products:
        sentence.append(f"{load.count('product')} products (more than {MAX_PRODUCTS_PER_OWNER}: ")
        sentence += _listed([product.link for product in load.products])
        sentence.append(")")
        if load.too_many_items:
            sentence.append(" and ")
    if load.too_many_items:
        sentence.append(
            f"{load.total} items in all (more than {MAX_ITEMS_PER_OWNER}: {_counted(load)})"
        )
    sentence.append(".")
    return Finding(
        key=f"overloaded-{load.owner.user_id}",
        gap=RoleGap.OVERLOADED,
        sentence=tuple(sentence),
        line_ids=frozenset(item.pk for item in load.product_lines),
        product_ids=frozenset(item.pk for item in load.products),
        user_id=load.owner.user_id,
        person_id=load.owner.record_id,
    )


def _listed(links: Sequence[Link]) -> list[str | Link]:
    parts: list[str | Link] = []
    for index, link in enumerate(links):
        if index:
            parts.append(" and " if index == len(links) - 1 else ", ")
        parts.append(link)
    return parts


def _single_points(
    lines: Sequence[Item],
    by_line: dict[int, list[Item]],
    areas: Mapping[int, Areas],
) -> list[Finding]:
    """Lines (then, outside them, products) that rest on one person: they own it and
    every product in it, and nobody else owns any area of those products."""
    none = Areas()

    def shared(product: Item) -> bool:
        """Another active login owns an area of the product (other than its owner: in a
        line that rests on one person, the line's owner owns every product)."""
        return areas.get(product.pk, none).shared

    findings = []
    for line in lines:
        products = by_line.get(line.pk, [])
        if (
            line.owned
            and len(products) >= SINGLE_POINT_MIN_PRODUCTS
            and all(p.owned and p.owner.user_id == line.owner.user_id for p in products)
            and not any(shared(p) for p in products)
        ):
            findings.append(_line_single_point(line, products))
            continue
        for product in products:
            count = areas.get(product.pk, none).count
            if product.owned and count >= SINGLE_POINT_MIN_AREAS and not shared(product):
                findings.append(_product_single_point(product, count))
    return findings


def _line_single_point(line: Item, products: Sequence[Item]) -> Finding:
    return Finding(
        key=f"single-point-product-line-{line.pk}",
        gap=RoleGap.SINGLE_POINT,
        sentence=(
            line.owner.link,
            " owns the product line ",
            line.link,
            f" and all {len(products)} of its products (",
            *_listed([product.link for product in products]),
            "): nobody else owns any part of it.",
        ),
        line_ids=frozenset({line.pk}),
        product_ids=frozenset(product.pk for product in products),
        user_id=line.owner.user_id,
        person_id=line.owner.record_id,
    )


def _product_single_point(product: Item, area_count: int) -> Finding:
    return Finding(
        key=f"single-point-product-{product.pk}",
        gap=RoleGap.SINGLE_POINT,
        sentence=(
            product.owner.link,
            " owns the product ",
            product.link,
            f" and nobody else owns any of its {area_count} areas: it rests on one person.",
        ),
        line_ids=frozenset({product.line_id} - {None}),
        product_ids=frozenset({product.pk}),
        user_id=product.owner.user_id,
        person_id=product.owner.record_id,
    )
