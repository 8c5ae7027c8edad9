"""The timeline's reads: features placed in a window of months or quarters, in swimlanes
by product, product line, objective or initiative, with milestones and today.

A page shows at most ITEM_BUDGET items: each lane shows its first items by start date,
between MIN_PER_LANE and MAX_PER_LANE of them, and says how many more there are; past
MAX_LANES lanes the rest are counted, not drawn. Filtering to one lane shows more of it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Count, F, Q, Window
from django.db.models.functions import Coalesce, RowNumber
from django.urls import reverse

from pilothouse.roadmap.dependencies import CONFLICT_COLUMNS, conflict_sentences
from pilothouse.roadmap.filters import RoadmapFilters
from pilothouse.roadmap.models import Dependency, Feature, Milestone
from pilothouse.roadmap.periods import TimeWindow, period_of
from pilothouse.roadmap.planning import item_related, milestones_between, roadmap_features

# At most this many items on one timeline page, spread over its lanes; a lane shows
# between MIN_PER_LANE and MAX_PER_LANE of them, and MAX_LANES lanes at most.
ITEM_BUDGET = 200
MIN_PER_LANE = 6
MAX_PER_LANE = 200
MAX_LANES = 40


@dataclass(frozen=True)
class LaneKind:
    """What the swimlanes stand for: where a feature's lane id and title are read."""

    key: str
    label: str
    id_field: str
    title_field: str
    extra_field: str  # read alongside the title: a product's key, an objective's period
    none_label: str
    # For kinds registered by apps above the roadmap (register_lane_kind): the page of a
    # lane's object, and what to say in the lanes' headers (sets `Lane.note`; it should
    # cost a fixed number of queries).
    url: Callable[[int], str] | None = None
    describe: Callable[[list[Lane], TimeWindow, dt.date], None] | None = None


LANE_KINDS = {
    "product": LaneKind(
        "product", "Product", "product_id", "product__name", "product__key", "No product"
    ),
    "product_line": LaneKind(
        "product_line",
        "Product line",
        "product__product_line_id",
        "product__product_line__name",
        "product__product_line__name",
        "No product line",
    ),
    "objective": LaneKind(
        "objective",
        "Objective",
        "objectives__id",
        "objectives__title",
        "objectives__period",
        "No objective",
    ),
    "initiative": LaneKind(
        "initiative",
        "Initiative",
        "initiative_id",
        "initiative__title",
        "initiative__title",
        "No initiative",
    ),
}


def register_lane_kind(kind: LaneKind) -> None:
    """Offer swimlanes by something the roadmap does not know (a delivery team), from the
    AppConfig.ready of the app that owns it; registering a key again replaces it."""
    LANE_KINDS[kind.key] = kind


def lane_kind(raw: str | None) -> LaneKind:
    if not raw:
        return LANE_KINDS["product"]
    if raw not in LANE_KINDS:
        choices = ", ".join(LANE_KINDS)
        raise ValidationError({"lanes": f"Lanes are one of {choices}, not {raw!r}."})
    return LANE_KINDS[raw]


@dataclass
class TimelineItem:
    """A feature drawn on the timeline.

    `kind` is "window" (from its start to its end), "release" (only an end date, from
    its release: it sits across the period it lands in) or "open" (started, with no end:
    drawn up to today). `left` and `width` place the bar in percent of the window."""

    feature: Feature
    kind: str
    start: dt.date
    end: dt.date
    left: float
    width: float
    clipped_start: bool
    clipped_end: bool
    conflicts: list[str] = field(default_factory=list)

    @property
    def dates(self) -> str:
        """When it is drawn, in words (for screen readers and the bar's tooltip)."""
        start, end = self.start.isoformat(), self.end.isoformat()
        if self.kind == "release":
            return f"lands {start} to {end} (release date only)"
        if self.kind == "open":
            return f"started {start}, no end date"
        return f"{start} to {end}"


@dataclass
class Lane:
    id: int | None
    title: str
    url: str | None
    total: int
    items: list[TimelineItem] = field(default_factory=list)
    focus_query: str = ""  # the query string that shows this lane alone (set by the view)
    note: str = ""  # said in the lane's header (LaneKind.describe)
    flagged: bool = False  # the note is a warning

    @property
    def hidden(self) -> int:
        return self.total - len(self.items)


@dataclass(frozen=True)
class Flag:
    """A named day above the lanes: a milestone, or today (`milestone` None)."""

    label: str
    date: dt.date
    left: float
    row: int  # flags close together are stacked in rows, so their names stay readable
    milestone: Milestone | None = None
    # Near the right edge the name is written to the left of its line.
    end_aligned: bool = False


# How wide a flag's name is taken to be, in percent of the window per character (about
# 7 pixels of a 900-pixel track), at most FLAG_MAX_CHARACTERS; and how many rows of flags
# there are at most (more flags than that overlap).
FLAG_CHARACTER_WIDTH = 0.8
FLAG_MAX_CHARACTERS = 22
FLAG_ROWS = 5


def _stacked(flags: list[tuple[str, dt.date, float, Milestone | None]]) -> list[Flag]:
    """Give each flag the first row where its name does not overlap the one before."""
    row_ends: list[float] = []
    stacked = []
    for label, day, left, milestone in sorted(flags, key=lambda flag: flag[2]):
        width = (min(len(label), FLAG_MAX_CHARACTERS) + 2) * FLAG_CHARACTER_WIDTH
        end_aligned = left + width > 100
        start, end = (left - width, left) if end_aligned else (left, left + width)
        row = next((i for i, taken in enumerate(row_ends) if taken <= start), len(row_ends))
        if row == FLAG_ROWS:
            row = min(range(FLAG_ROWS), key=lambda i: row_ends[i])
        if row == len(row_ends):
            row_ends.append(0.0)
        row_ends[row] = end
        stacked.append(
            Flag(
                label=label,
                date=day,
                left=left,
                row=row,
                milestone=milestone,
                end_aligned=end_aligned,
            )
        )
    return stacked


@dataclass
class Timeline:
    window: TimeWindow
    lane_kind: LaneKind
    lanes: list[Lane]
    lane_count: int  # lanes with items, including those past MAX_LANES
    milestones: list[Milestone]
    flags: list[Flag]
    today: dt.date
    today_left: float | None  # None: today is outside the window
    per_lane: int

    @property
    def total(self) -> int:
        return sum(lane.total for lane in self.lanes)

    @property
    def shown(self) -> int:
        return sum(len(lane.items) for lane in self.lanes)

    @property
    def hidden_lanes(self) -> int:
        return self.lane_count - len(self.lanes)

    @property
    def flag_rows(self) -> int:
        return max((flag.row for flag in self.flags), default=-1) + 1

    @property
    def items(self) -> list[TimelineItem]:
        return [item for lane in self.lanes for item in lane.items]


PLAN_END = Coalesce("completed_on", "target_release__target_date")


def _in_window(window: TimeWindow, today: dt.date) -> Q:
    """Features whose drawn span meets the window (needs the `plan_end` annotation).

    A feature with an end is drawn from its start (or, without one, across the period of
    its end) to its end; one started with no end is drawn from its start to today."""
    dated = Q(plan_end__gte=window.start) & (
        Q(plan_end__lte=window.end) | Q(started_on__lte=window.end)
    )
    open_ended = Q(plan_end__isnull=True, started_on__isnull=False, started_on__lte=window.end)
    if today < window.start:
        open_ended &= Q(started_on__gte=window.start)
    return dated | open_ended


def _lane_url(kind: LaneKind, lane_id: int | None, extra: str | None) -> str | None:
    if lane_id is None:
        return None
    if kind.url is not None:
        return kind.url(lane_id)
    if kind.key == "product":
        return reverse("web:product_detail", args=[extra])
    if kind.key == "objective":
        return reverse("web:objective_detail", args=[lane_id])
    if kind.key == "initiative":
        return reverse("web:initiative_detail", args=[lane_id])
    return None  # a product line has no page of its own; its filter is offered instead


def _place(feature: Feature, window: TimeWindow, today: dt.date) -> TimelineItem:
    release = feature.target_release
    end = feature.completed_on or (release.target_date if release is not None else None)
    start = feature.started_on
    if start is not None and end is not None and start > end:
        start = None  # started after its release's date: the date is what is late
    if end is None:
        kind, start, end = "open", start, max(start, today)
    elif start is None:
        period = period_of(end, window.scale)
        kind, start, end = "release", period.start, period.end
    else:
        kind = "window"
    left, width = window.span(start, end)
    return TimelineItem(
        feature=feature,
        kind=kind,
        start=start,
        end=end,
        left=left,
        width=width,
        clipped_start=start < window.start,
        clipped_end=end > window.end,
    )


def timeline_build(
    *,
    filters: RoadmapFilters,
    window: TimeWindow,
    lanes: LaneKind,
    today: dt.date,
    item_budget: int | None = None,
) -> Timeline:
    """The filtered features drawn in `window`, in swimlanes, with the milestones and
    schedule conflicts. Six queries: lanes, ranked items, their rows, conflicts, two for
    milestones (and what the lane kind's `describe` reads)."""
    qs = roadmap_features(filters).annotate(plan_end=PLAN_END).filter(_in_window(window, today))
    lane_rows = list(
        qs.values(
            lane_id=F(lanes.id_field),
            lane_title=F(lanes.title_field),
            lane_extra=F(lanes.extra_field),
        )
        .annotate(count=Count("pk"))
        .order_by(F("lane_title").asc(nulls_last=True), "lane_id")
    )
    shown_rows = lane_rows[:MAX_LANES]
    budget = ITEM_BUDGET if item_budget is None else item_budget
    per_lane = max(MIN_PER_LANE, min(MAX_PER_LANE, budget // max(1, len(shown_rows))))
    lane_list = [
        Lane(
            id=row["lane_id"],
            title=_lane_title(lanes, row),
            url=_lane_url(lanes, row["lane_id"], row["lane_extra"]),
            total=row["count"],
        )
        for row in shown_rows
    ]
    by_id = {lane.id: lane for lane in lane_list}
    if lane_list:
        lane_field = F(lanes.id_field)
        ranked = (
            qs.annotate(lane_id=lane_field, plan_start=Coalesce("started_on", "plan_end"))
            .annotate(
                lane_rank=Window(
                    RowNumber(),
                    partition_by=[lane_field],
                    order_by=[F("plan_start").asc(), F("title").asc(), F("pk").asc()],
                )
            )
            .filter(lane_rank__lte=per_lane)
        )
        if len(lane_rows) > len(shown_rows):  # only the lanes shown
            known = [lane.id for lane in lane_list if lane.id is not None]
            wanted = Q(lane_id__in=known)
            if None in by_id:
                wanted |= Q(lane_id__isnull=True)
            ranked = ranked.filter(wanted)
        # Ranked on the features and their lanes alone, then read with what the page shows:
        # a window over thousands of rows joined to their products, owners, ... costs
        # several times more. Pairs, because a feature may sit in two objectives' lanes.
        pairs = list(ranked.order_by("lane_rank").values_list("pk", "lane_id"))
        features = item_related(Feature.objects.all()).in_bulk({pk for pk, _ in pairs})
        for pk, lane_id in pairs:
            by_id[lane_id].items.append(_place(features[pk], window, today))
    if lanes.describe is not None:
        lanes.describe(lane_list, window, today)
    milestones = milestones_between(start=window.start, end=window.end, filters=filters)
    flags = [(m.name, m.date, window.offset(m.date), m) for m in milestones]
    if window.contains(today):
        flags.append(("Today", today, window.offset(today), None))
    timeline = Timeline(
        window=window,
        lane_kind=lanes,
        lanes=lane_list,
        lane_count=len(lane_rows),
        milestones=milestones,
        flags=_stacked(flags),
        today=today,
        today_left=window.offset(today) if window.contains(today) else None,
        per_lane=per_lane,
    )
    found = _conflicts(item.feature for item in timeline.items)
    for item in timeline.items:
        item.conflicts = found.get(item.feature.pk, [])
    return timeline


def _conflicts(features: Iterable[Feature]) -> dict[int, list[str]]:
    """{feature id: [what is wrong with its schedule]} for the features drawn. One query:
    their blockers, each with what its schedule needs (a blocker drawn too is read again,
    a few columns, rather than those off the page in a second query)."""
    drawn = {feature.pk: feature for feature in features}
    if not drawn:
        return {}
    rows = (
        Dependency.objects.filter(blocked_id__in=drawn)
        .select_related("blocker__target_release")
        .only(*CONFLICT_COLUMNS)
    )
    edges = []
    blockers: dict[int, Feature] = {}
    for dependency in rows:
        edges.append((dependency.blocker_id, dependency.blocked_id))
        blockers.setdefault(dependency.blocker_id, dependency.blocker)
    if not edges:
        return {}
    return conflict_sentences(edges=edges, features={**blockers, **drawn})


def _lane_title(kind: LaneKind, row: dict) -> str:
    if row["lane_id"] is None:
        return kind.none_label
    if kind.key == "objective":
        return f"{row['lane_extra']} · {row['lane_title']}"
    return row["lane_title"]
