"""The reads behind the roadmap views: the now / next / later board, the release plan,
and what every view shares (the filtered features, milestones, filter descriptions).
The timeline has its own module, timeline.py.

Each view is built for a page that costs a fixed number of queries and renders in
bounded time whatever the size of the portfolio (20,000 features at the large demo
scale): the timeline shows a window of periods and a bounded number of items spread over
its lanes; the board caps each column (a reader may expand one); the release plan pages
its releases and caps the features listed under each. Every cap is said on the page,
with the number left out and how to see it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
from django.db.models.functions import RowNumber

from pilothouse.core import permissions
from pilothouse.core.models import User
from pilothouse.portfolio.models import Product, ProductLine
from pilothouse.roadmap.dependencies import conflicts_for
from pilothouse.roadmap.filters import RoadmapFilters
from pilothouse.roadmap.models import (
    Feature,
    FeatureStage,
    FeatureTag,
    Horizon,
    Milestone,
    Release,
    ReleaseStatus,
)
from pilothouse.strategy.models import Initiative, Objective

# --- Filters -------------------------------------------------------------------------------

FILTER_LABELS = {
    "product_line": "Product line",
    "product": "Product",
    "objective": "Objective",
    "initiative": "Initiative",
    "owner": "Owner",
    "stage": "Stage",
    "tag": "Tag",
}
_FILTER_MODELS = {
    "product_line": ProductLine,
    "product": Product,
    "objective": Objective,
    "initiative": Initiative,
    "owner": User,
    "tag": FeatureTag,
}


def describe_filters(filters: RoadmapFilters) -> list[tuple[str, str]]:
    """The filters in words, as (label, value) pairs: [("Product:", "Payments"), ...].
    An id whose object was deleted since reads "#12 (deleted)"."""
    described = []
    for name, value in filters.to_json().items():
        if name == "stage":
            text = str(FeatureStage(value).label)
        else:
            found = _FILTER_MODELS[name]._default_manager.filter(pk=value).first()
            text = _object_label(found) if found is not None else f"#{value} (deleted)"
        described.append((f"{FILTER_LABELS[name]}:", text))
    return described


@dataclass(frozen=True)
class FilterOptions:
    """The choices of each filter as (id, label), read lean (`values_list`, one query per
    kind): the forms' model choice fields would cost more to draw than the rest of a
    page. Product lines are those of the products."""

    products: list[tuple[int, str, str]]  # (id, label, product line's name)
    product_lines: list[tuple[int, str]]
    objectives: list[tuple[int, str]]
    initiatives: list[tuple[int, str]]
    owners: list[tuple[int, str]]
    tags: list[tuple[int, str]]

    def ids(self, name: str) -> set[int]:
        """The ids a filter may take."""
        rows = self.products if name == "product" else getattr(self, _OPTION_LISTS[name])
        return {row[0] for row in rows}


_OPTION_LISTS = {
    "product_line": "product_lines",
    "objective": "objectives",
    "initiative": "initiatives",
    "owner": "owners",
    "tag": "tags",
}


def filter_options() -> FilterOptions:
    """Five queries, whatever is filtered."""
    products = list(
        Product.objects.order_by("product_line__name", "name").values_list(
            "pk", "name", "key", "product_line_id", "product_line__name"
        )
    )
    lines = sorted({(line, line_name) for *_, line, line_name in products}, key=lambda r: r[1])
    users = User.objects.order_by("username").values_list(
        "pk", "first_name", "last_name", "username"
    )
    return FilterOptions(
        products=[(pk, f"{name} ({key})", line) for pk, name, key, _, line in products],
        product_lines=lines,
        objectives=[
            (pk, f"{period} · {title}")
            for pk, period, title in Objective.objects.order_by("-period", "title").values_list(
                "pk", "period", "title"
            )
        ],
        initiatives=list(Initiative.objects.order_by("title").values_list("pk", "title")),
        owners=[(pk, f"{first} {last}".strip() or username) for pk, first, last, username in users],
        tags=list(FeatureTag.objects.order_by("name").values_list("pk", "name")),
    )


def _object_label(obj: object) -> str:
    if isinstance(obj, Objective):
        return f"{obj.period} · {obj.title}"
    return str(obj)


def milestones_between(
    *, start: dt.date | None, end: dt.date | None, filters: RoadmapFilters
) -> list[Milestone]:
    """Milestones dated in [start, end] (either end open) that concern the filtered
    products: those of the product (or line) filtered on, and those of no product, which
    concern everybody. Filters on features (owner, stage, ...) do not apply to them."""
    qs = Milestone.objects.all()
    if start is not None:
        qs = qs.filter(date__gte=start)
    if end is not None:
        qs = qs.filter(date__lte=end)
    links = Milestone.products.through.objects
    if filters.product or filters.product_line:
        concerned = (
            links.filter(product_id=filters.product)
            if filters.product
            else links.filter(product__product_line_id=filters.product_line)
        )
        qs = qs.filter(
            Q(pk__in=concerned.values("milestone_id")) | ~Q(pk__in=links.values("milestone_id"))
        )
    products = Product.objects.only("id", "name", "key").order_by("name")
    qs = qs.prefetch_related(Prefetch("products", queryset=products))
    return list(qs.order_by("date", "name"))


PAST_MILESTONES_SHOWN = 50


@dataclass
class MilestoneRow:
    milestone: Milestone
    can_change: bool
    description: str = ""  # as HTML, rendered by the view


def milestone_list() -> QuerySet[Milestone]:
    """Milestones with their products and what deciding who may change them needs (the
    products' and their lines' owners): two queries for any number."""
    products = Product.objects.select_related("product_line").order_by("name")
    return Milestone.objects.prefetch_related(Prefetch("products", queryset=products))


def milestone_rows(*, user: User, today: dt.date, upcoming: bool) -> list[MilestoneRow]:
    """The milestones from today on (soonest first), or the PAST_MILESTONES_SHOWN latest
    before today (latest first), each with whether `user` may change it."""
    if upcoming:
        found = milestone_list().filter(date__gte=today).order_by("date", "name")
    else:
        found = milestone_list().filter(date__lt=today).order_by("-date", "name")
        found = found[:PAST_MILESTONES_SHOWN]
    return [MilestoneRow(milestone=m, can_change=permissions.can_change(user, m)) for m in found]


def roadmap_features(filters: RoadmapFilters) -> QuerySet[Feature]:
    """The filtered features that may be on a roadmap view: rejected ones never are."""
    return filters.apply(Feature.objects.exclude(stage=FeatureStage.REJECTED))


# The fields a roadmap view shows of a feature, its owner, release and product, and
# that its schedule conflicts need. Loading only these matters at scale: a page holds hundreds
# of features, and building full objects (descriptions, time stamps) costs more than
# their queries.
ITEM_FIELDS = (
    "title",
    "stage",
    "horizon",
    "horizon_rank",
    "version",
    "started_on",
    "completed_on",
    "product_id",
    "area_id",
    "owner__username",
    "owner__first_name",
    "owner__last_name",
    "target_release__name",
    "target_release__target_date",
    "target_release__product_id",
    "product__name",
    "product__key",
)


def item_related(qs: QuerySet[Feature]) -> QuerySet[Feature]:
    """Features as the timeline and the release plan show them."""
    return qs.select_related("owner", "target_release", "product").only(*ITEM_FIELDS)


def card_related(qs: QuerySet[Feature]) -> QuerySet[Feature]:
    """Features as the board shows them: with their products, and what deciding who may
    move them needs (the owners of the area, product and product line)."""
    return qs.select_related("owner", "target_release", "product__product_line", "area").only(
        *ITEM_FIELDS,
        "product__owner_id",
        "product__product_line__owner_id",
        "area__owner_id",
    )


def conflicts_of(features: Iterable[Feature]) -> dict[int, list[str]]:
    unique = {f.pk: f for f in features}
    return conflicts_for(features=unique.values())


# --- Now / next / later board -------------------------------------------------------------

COLUMN_CAP = 25  # cards per column
EXPANDED_CAP = 400  # cards in a column the reader expanded ("show more")
BACKLOG_CAP = 20  # features offered to pull onto the board
BACKLOG_STAGES = (FeatureStage.PLANNED, FeatureStage.CANDIDATE)


@dataclass
class BoardCard:
    feature: Feature
    can_move: bool
    conflicts: list[str] = field(default_factory=list)
    first: bool = False  # the first card shown in its column: it cannot move up
    last: bool = False  # the last card of its column: it cannot move down


@dataclass
class BoardColumn:
    horizon: str
    label: str
    cards: list[BoardCard]
    total: int
    expanded: bool = False
    previous: str = ""  # the column to its left ("" at the edge)
    following: str = ""

    @property
    def hidden(self) -> int:
        return self.total - len(self.cards)


@dataclass
class Board:
    columns: list[BoardColumn]
    # The planned and candidate features not on the board; None when not asked for (the
    # page shows them folded, and reads them when they are unfolded).
    backlog: BoardColumn | None
    can_move_any: bool

    @property
    def cards(self) -> list[BoardCard]:
        lists = [*self.columns, self.backlog] if self.backlog else self.columns
        return [card for column in lists for card in column.cards]


def board_build(
    *,
    filters: RoadmapFilters,
    user: User | None,
    expanded: Iterable[str] = (),
    with_backlog: bool = False,
) -> Board:
    """The board's columns, ordered by rank, each capped (COLUMN_CAP, or EXPANDED_CAP for
    a column in `expanded`), and, `with_backlog`, the features that could be pulled onto
    it. Four queries (six with the backlog): column totals, cards, two for conflicts."""
    expanded = set(expanded) & set(Horizon.values)
    base = roadmap_features(filters)
    on_board = base.filter(horizon__in=Horizon.values)
    totals = dict(on_board.values_list("horizon").annotate(count=Count("pk")).order_by())
    within_caps = Q()
    for horizon in Horizon.values:
        cap = EXPANDED_CAP if horizon in expanded else COLUMN_CAP
        within_caps |= Q(horizon=horizon, board_rank__lte=cap)
    # The cards are ranked on the feature table alone, then read with what they show: a
    # window over thousands of joined rows would cost several times more.
    ranked = on_board.annotate(
        board_rank=Window(
            RowNumber(),
            partition_by=[F("horizon")],
            order_by=[F("horizon_rank").asc(), F("pk").asc()],
        )
    ).filter(within_caps)
    cards = card_related(Feature.objects.filter(pk__in=ranked.values("pk"))).order_by(
        "horizon_rank", "pk"
    )
    by_horizon: dict[str, list[BoardCard]] = defaultdict(list)
    for feature in cards:
        by_horizon[feature.horizon].append(
            BoardCard(feature=feature, can_move=permissions.can_change(user, feature))
        )
    horizons = list(Horizon.values)
    columns = []
    for index, (horizon, label) in enumerate(Horizon.choices):
        column_cards = by_horizon[horizon]
        total = totals.get(horizon, 0)
        if column_cards:
            column_cards[0].first = True
            column_cards[-1].last = len(column_cards) == total
        columns.append(
            BoardColumn(
                horizon=horizon,
                label=str(label),
                cards=column_cards,
                total=total,
                expanded=horizon in expanded,
                previous=horizons[index - 1] if index > 0 else "",
                following=horizons[index + 1] if index + 1 < len(horizons) else "",
            )
        )
    backlog = backlog_build(filters=filters, user=user) if with_backlog else None
    board = Board(columns=columns, backlog=backlog, can_move_any=False)
    board.can_move_any = any(card.can_move for card in board.cards)
    _add_conflicts(board.cards)
    return board


def backlog_build(*, filters: RoadmapFilters, user: User | None) -> BoardColumn:
    """The planned and candidate features not on the board, planned first, then the most
    asked-for; at most BACKLOG_CAP of them. Two queries, and two for conflicts when the
    backlog is read alone (board_build reads them for the whole board)."""
    waiting = roadmap_features(filters).filter(horizon="", stage__in=BACKLOG_STAGES)
    # "planned" sorts after "candidate": descending puts planned work first.
    ordered = card_related(waiting).order_by("-stage", "-demand_importance", "title", "pk")
    return BoardColumn(
        horizon="",
        label="Not on the board",
        cards=[
            BoardCard(feature=f, can_move=permissions.can_change(user, f))
            for f in ordered[:BACKLOG_CAP]
        ],
        total=waiting.count(),
    )


def backlog_with_conflicts(*, filters: RoadmapFilters, user: User | None) -> BoardColumn:
    backlog = backlog_build(filters=filters, user=user)
    _add_conflicts(backlog.cards)
    return backlog


def _add_conflicts(cards: list[BoardCard]) -> None:
    found = conflicts_of(card.feature for card in cards)
    for card in cards:
        card.conflicts = found.get(card.feature.pk, [])


def board_neighbours(
    *, feature: Feature, filters: RoadmapFilters, direction: str
) -> tuple[str, int | None] | None:
    """Where a card goes when moved one step `direction` (left, right, up, down) on the
    board as filtered: (horizon, the card to put it after, None for the top). None when
    it cannot go that way (the first card up, the last down, the edge columns)."""
    horizons = list(Horizon.values)
    if feature.horizon not in horizons:
        return None
    index = horizons.index(feature.horizon)
    if direction in ("left", "right"):
        step = -1 if direction == "left" else 1
        if not 0 <= index + step < len(horizons):
            return None
        return horizons[index + step], None  # to the top of the next column, in sight
    column = roadmap_features(filters).filter(horizon=feature.horizon).exclude(pk=feature.pk)
    rank, pk = feature.horizon_rank, feature.pk
    if direction == "up":
        above = column.filter(Q(horizon_rank__lt=rank) | Q(horizon_rank=rank, pk__lt=pk))
        before = list(above.order_by("-horizon_rank", "-pk").values_list("pk", flat=True)[:2])
        if not before:
            return None
        return feature.horizon, before[1] if len(before) == 2 else None
    if direction == "down":
        below = column.filter(Q(horizon_rank__gt=rank) | Q(horizon_rank=rank, pk__gt=pk))
        following = below.order_by("horizon_rank", "pk").values_list("pk", flat=True).first()
        return None if following is None else (feature.horizon, following)
    raise ValidationError({"direction": f"Move left, right, up or down, not {direction!r}."})


# --- Release plan --------------------------------------------------------------------------

RELEASES_PER_PAGE = 20
FEATURES_PER_RELEASE = 30
# "Upcoming" keeps the releases still to come and those shipped in the last weeks.
RECENT_DAYS = 30
PLAN_SHOWS = {"upcoming": "Upcoming and recent", "all": "All releases"}


@dataclass
class PlannedRelease:
    release: Release
    features: list[Feature]
    total: int

    @property
    def hidden(self) -> int:
        return self.total - len(self.features)

    @property
    def conflict_count(self) -> int:
        return sum(1 for f in self.features if f.schedule_conflicts)


@dataclass(frozen=True)
class PlanEntry:
    """One row of the plan, in date order: a release or a milestone."""

    date: dt.date | None
    release: PlannedRelease | None = None
    milestone: Milestone | None = None


@dataclass
class ReleasePlan:
    entries: list[PlanEntry]
    page: Page
    show: str


def plan_show(raw: str | None) -> str:
    if not raw:
        return "upcoming"
    if raw not in PLAN_SHOWS:
        raise ValidationError({"show": f"Show upcoming or all releases, not {raw!r}."})
    return raw


def _stage_position() -> Case:
    """A feature's stage as its place in the pipeline, to list a release's features from
    the furthest along."""
    stages = reversed(FeatureStage.values)
    return Case(
        *(When(stage=stage, then=Value(i)) for i, stage in enumerate(stages)),
        output_field=IntegerField(),
    )


def release_plan_build(
    *, filters: RoadmapFilters, show: str, page_number: str | int | None, today: dt.date
) -> ReleasePlan:
    """The releases of the filtered products by target date (undated last), a page at a
    time, each with its filtered features (furthest along first) and their conflicts,
    and the milestones among them. Filters on features (owner, stage, tag, ...) keep only
    the releases that have such features. Seven queries (eight after the first page): the
    count and page of releases, their features (with each release's total), two for
    conflicts, the milestones and their products."""
    releases = Release.objects.select_related("product")
    if filters.product:
        releases = releases.filter(product_id=filters.product)
    if filters.product_line:
        releases = releases.filter(product__product_line_id=filters.product_line)
    features = roadmap_features(filters)
    if replace(filters, product=None, product_line=None).active:
        releases = releases.filter(pk__in=features.values("target_release_id"))
    if show == "upcoming":
        releases = releases.filter(
            Q(target_date__isnull=True)
            | Q(target_date__gte=today - dt.timedelta(days=RECENT_DAYS))
            | Q(status__in=[ReleaseStatus.PLANNED, ReleaseStatus.IN_PROGRESS])
        )
    releases = releases.order_by(
        F("target_date").asc(nulls_last=True), "product__name", "name", "pk"
    )
    page = Paginator(releases, RELEASES_PER_PAGE).get_page(page_number)
    page_releases = list(page.object_list)
    in_page = features.filter(target_release_id__in=[r.pk for r in page_releases])
    by_release = [F("target_release_id")]
    listed = list(
        item_related(in_page)
        .annotate(stage_position=_stage_position())
        .annotate(
            release_rank=Window(
                RowNumber(),
                partition_by=by_release,
                order_by=[F("stage_position").asc(), F("title").asc(), F("pk").asc()],
            ),
            # Counted before the cap applies: how many the release has in all.
            release_total=Window(Count("pk"), partition_by=by_release),
        )
        .filter(release_rank__lte=FEATURES_PER_RELEASE)
        .order_by("release_rank")
    )
    counts = {f.target_release_id: f.release_total for f in listed}
    found = conflicts_of(listed)
    grouped: dict[int, list[Feature]] = defaultdict(list)
    for feature in listed:
        feature.schedule_conflicts = found.get(feature.pk, [])
        grouped[feature.target_release_id].append(feature)
    entries = [
        PlanEntry(
            date=r.target_date,
            release=PlannedRelease(release=r, features=grouped[r.pk], total=counts.get(r.pk, 0)),
        )
        for r in page_releases
    ]
    bounds = _milestone_bounds(page, releases=page_releases, show=show, today=today)
    if bounds is not None:
        start, end = bounds
        marks = milestones_between(start=start, end=end, filters=filters)
        entries = _merged(entries, [PlanEntry(date=m.date, milestone=m) for m in marks])
    return ReleasePlan(entries=entries, page=page, show=show)


def _milestone_bounds(
    page: Page, *, releases: list[Release], show: str, today: dt.date
) -> tuple[dt.date | None, dt.date | None] | None:
    """The dates of the milestones that go on this page, or None for none.

    A milestone goes on the page of the first release on or after its date, so each shows
    once: after the previous page's last release, up to this page's last one. The first
    page reaches back as far as its releases, or RECENT_DAYS for "upcoming"; the last
    page runs on to the last milestone. Undated releases come last and bound nothing."""
    dates = [r.target_date for r in releases if r.target_date is not None]
    start: dt.date | None = None
    if page.has_previous():
        before = page.paginator.object_list[page.start_index() - 2]  # one query
        if before.target_date is None:
            return None  # every dated release, and so every milestone, came before
        start = before.target_date + dt.timedelta(days=1)
    elif show == "upcoming":
        recent = today - dt.timedelta(days=RECENT_DAYS)
        start = min([recent, *dates[:1]])
    if not page.has_next():
        return start, None
    if not dates:
        return None
    return start, dates[-1]


def _merged(releases: list[PlanEntry], milestones: list[PlanEntry]) -> list[PlanEntry]:
    """Both lists in date order: a milestone before a release of the same day, undated
    releases last."""
    far = dt.date.max
    rows = [(m.date, 0, i, m) for i, m in enumerate(milestones)]
    rows += [(e.date or far, 1, i, e) for i, e in enumerate(releases)]
    return [row[3] for row in sorted(rows, key=lambda row: row[:3])]
