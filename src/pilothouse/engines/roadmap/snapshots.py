"""Roadmap snapshots and "what changed since": items, their JSON form, the diff, Markdown.

A snapshot is the roadmap as it stood at one moment: a list of `RoadmapItem`s, stored by
the app as JSON (`items_to_json` / `items_from_json`). Reading JSON back checks every
field and names the one at fault, because a stored snapshot outlives the code that
wrote it and may have been edited or truncated.

`diff(before=..., after=...)` compares two snapshots (or a snapshot with the live
roadmap, built as items by the app) and sorts each change into the list a head of
product reads it in: added, removed, moved (product, release, period or horizon),
slipped and pulled in (end date later or earlier), scheduled and unscheduled (end date
gained or lost), stage changed, renamed, owner changed. An item appears in every list
that applies (moved to a later release and slipped). Only `start` is not compared:
"what changed" is about commitments (where and when an item lands), not when work began.

`to_markdown` turns a diff into the summary pasted into a report or a message, with
user text escaped so that a title like `*New* [beta]` reads as written.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Literal

HORIZONS = ("now", "next", "later")
MOVE_FIELDS = ("product", "release", "period", "horizon")
TRACKED_FIELDS = ("title", "product", "release", "period", "horizon", "stage", "end", "owner")
# "2027", "2027-H1", "2027-Q1" or "2027-03".
PERIOD_PATTERN = re.compile(r"\d{4}(?:-(?:H[12]|Q[1-4]|0[1-9]|1[0-2]))?")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

MoveField = Literal["product", "release", "period", "horizon"]


# --- Items -------------------------------------------------------------------------------


def _check_text(value: object, name: str, *, optional: bool = False) -> None:
    if value is None and optional:
        return
    if not isinstance(value, str):
        raise ValueError(f"{name}: must be a string, got {type(value).__name__}")
    if not value.strip():
        raise ValueError(f"{name}: must not be empty")


def _check_date(value: object, name: str) -> None:
    if value is not None and (not isinstance(value, dt.date) or isinstance(value, dt.datetime)):
        raise ValueError(f"{name}: must be a date or None, got {value!r}")


@dataclasses.dataclass(frozen=True)
class RoadmapItem:
    """One item on the roadmap as a snapshot records it.

    `release` is the release's name, `period` a planning period ("2027", "2027-H1",
    "2027-Q1" or "2027-03"), `horizon` "now", "next" or "later"; each may be None.
    `start` and `end` are days (`end` is when it is done, e.g. its release's target
    date); `start` may not be after `end`. `owner` is a display name, None when nobody.
    """

    id: int
    title: str
    product: str
    release: str | None
    period: str | None
    horizon: str | None
    stage: str
    start: dt.date | None
    end: dt.date | None
    owner: str | None

    def __post_init__(self) -> None:
        if isinstance(self.id, bool) or not isinstance(self.id, int):
            raise ValueError(f"id: must be an integer id, got {self.id!r}")
        where = f"(item {self.id})"
        _check_text(self.title, f"title {where}")
        _check_text(self.product, f"product {where}")
        _check_text(self.release, f"release {where}", optional=True)
        _check_text(self.period, f"period {where}", optional=True)
        if self.period is not None and not PERIOD_PATTERN.fullmatch(self.period):
            raise ValueError(
                f"period {where}: must look like 2027, 2027-H1, 2027-Q1 or 2027-03,"
                f" got {self.period!r}"
            )
        if self.horizon is not None and self.horizon not in HORIZONS:
            raise ValueError(
                f"horizon {where}: must be one of now, next, later or None, got {self.horizon!r}"
            )
        _check_text(self.stage, f"stage {where}")
        _check_date(self.start, f"start {where}")
        _check_date(self.end, f"end {where}")
        if self.start is not None and self.end is not None and self.start > self.end:
            raise ValueError(
                f"end {where}: {self.end.isoformat()} is before start {self.start.isoformat()}"
            )
        _check_text(self.owner, f"owner {where}", optional=True)


_FIELDS = tuple(f.name for f in dataclasses.fields(RoadmapItem))
_REQUIRED = ("id", "title", "product", "stage")


def item_to_json(item: RoadmapItem) -> dict[str, Any]:
    """The item as a JSON-ready dict: every field, dates as ISO strings (or None)."""
    if not isinstance(item, RoadmapItem):
        raise ValueError(f"item: must be a RoadmapItem, got {type(item).__name__}")
    data = {name: getattr(item, name) for name in _FIELDS}
    for name in ("start", "end"):
        if data[name] is not None:
            data[name] = data[name].isoformat()
    return data


def _date_from_json(value: object, name: str) -> dt.date | None:
    if value is None:
        return None
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise ValueError(f"{name}: must be an ISO date (YYYY-MM-DD) or null, got {value!r}")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{name}: {value!r} is not a day of the calendar") from None


def item_from_json(data: Mapping[str, Any]) -> RoadmapItem:
    """The item a dict from `item_to_json` describes, checked; ValueError names the field.

    `id`, `title`, `product` and `stage` are required; a missing optional field is None
    (so a snapshot from before a field existed still reads). An unknown key is refused
    rather than dropped, since it is most likely a misspelt field.
    """
    if not isinstance(data, Mapping):
        raise ValueError(f"item: must be a JSON object, got {type(data).__name__}")
    unknown = sorted(str(key) for key in data if key not in _FIELDS)
    if unknown:
        raise ValueError(f"{unknown[0]}: unknown field")
    for name in _REQUIRED:
        if name not in data:
            raise ValueError(f"{name}: required field missing")
    values = {name: data.get(name) for name in _FIELDS}
    if isinstance(values["id"], bool) or not isinstance(values["id"], int):
        raise ValueError(f"id: must be an integer id, got {values['id']!r}")
    where = f"(item {values['id']})"
    values["start"] = _date_from_json(values["start"], f"start {where}")
    values["end"] = _date_from_json(values["end"], f"end {where}")
    return RoadmapItem(**values)


def items_to_json(items: Iterable[RoadmapItem]) -> list[dict[str, Any]]:
    """A snapshot as a JSON-ready list (in the order given)."""
    return [item_to_json(item) for item in check_items(items)]


def items_from_json(data: Iterable[Mapping[str, Any]]) -> tuple[RoadmapItem, ...]:
    """A snapshot read back from JSON; errors name the position, e.g. `items[3].end ...`."""
    if isinstance(data, (str, bytes, Mapping)) or not isinstance(data, Iterable):
        raise ValueError("items: must be a JSON array of items")
    items = []
    for position, entry in enumerate(data):
        try:
            items.append(item_from_json(entry))
        except ValueError as error:
            raise ValueError(f"items[{position}].{error}") from None
    return check_items(items)


def check_items(
    items: Iterable[RoadmapItem], *, field_name: str = "items"
) -> tuple[RoadmapItem, ...]:
    """The items as a tuple, or ValueError naming the position and the fault."""
    if isinstance(items, (str, bytes)) or not isinstance(items, Iterable):
        raise ValueError(f"{field_name}: must be an iterable of RoadmapItem")
    checked = tuple(items)
    seen: set[int] = set()
    for position, item in enumerate(checked):
        if not isinstance(item, RoadmapItem):
            raise ValueError(
                f"{field_name}[{position}]: must be a RoadmapItem, got {type(item).__name__}"
            )
        if item.id in seen:
            raise ValueError(f"{field_name}[{position}].id: duplicate item id {item.id}")
        seen.add(item.id)
    return checked


# --- Changes -----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class FieldChange:
    """A text field that changed: `field` went from `before` to `after`.

    `title` and `product` are the item's current ones (for a rename, `before` is the old
    title).
    """

    id: int
    title: str
    product: str
    field: str
    before: str | None
    after: str | None


@dataclasses.dataclass(frozen=True)
class EndChange:
    """The end date moved from `before` to `after`.

    In `slipped` and `pulled_in` both are dates and `days` is how far it moved (always
    positive; the list says which way). In `scheduled` `before` is None, in `unscheduled`
    `after` is None, and `days` is None.
    """

    id: int
    title: str
    product: str
    before: dt.date | None
    after: dt.date | None
    days: int | None = dataclasses.field(init=False)

    def __post_init__(self) -> None:
        days = None
        if self.before is not None and self.after is not None:
            days = abs((self.after - self.before).days)
        object.__setattr__(self, "days", days)


CHANGE_KINDS = (
    "added",
    "removed",
    "moved",
    "slipped",
    "pulled_in",
    "scheduled",
    "unscheduled",
    "stage_changed",
    "renamed",
    "owner_changed",
)


@dataclasses.dataclass(frozen=True)
class RoadmapDiff:
    """What changed between two snapshots, one tuple per kind of change.

    Each tuple is sorted by (product, title, id), case-insensitively first; `moved` then
    by field (product, release, period, horizon), as one item may move in several.
    `added` holds the new items as they are, `removed` the old ones as they were.
    """

    added: tuple[RoadmapItem, ...] = ()
    removed: tuple[RoadmapItem, ...] = ()
    moved: tuple[FieldChange, ...] = ()
    slipped: tuple[EndChange, ...] = ()
    pulled_in: tuple[EndChange, ...] = ()
    scheduled: tuple[EndChange, ...] = ()
    unscheduled: tuple[EndChange, ...] = ()
    stage_changed: tuple[FieldChange, ...] = ()
    renamed: tuple[FieldChange, ...] = ()
    owner_changed: tuple[FieldChange, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not any(getattr(self, kind) for kind in CHANGE_KINDS)

    @property
    def counts(self) -> dict[str, int]:
        """The number of entries of each kind, every kind present, in `CHANGE_KINDS` order."""
        return {kind: len(getattr(self, kind)) for kind in CHANGE_KINDS}

    @property
    def changed_ids(self) -> frozenset[int]:
        """The ids of every item in any list."""
        return frozenset(entry.id for kind in CHANGE_KINDS for entry in getattr(self, kind))


def _order(product: str, title: str, item_id: int) -> tuple[str, str, str, str, int]:
    return (product.casefold(), product, title.casefold(), title, item_id)


def diff(*, before: Iterable[RoadmapItem], after: Iterable[RoadmapItem]) -> RoadmapDiff:
    """What changed from `before` to `after`, matching items by id.

    - added / removed: ids only in `after` / only in `before`;
    - moved: product, release, period or horizon differs (one entry per field);
    - slipped / pulled_in: both have an end and it is later / earlier;
    - scheduled / unscheduled: the end went from None to a date / from a date to None;
    - stage_changed, renamed (title), owner_changed: that field differs.

    Text is compared exactly (a change of case is a rename). Ids must be unique on each
    side (ValueError naming `before[i]` or `after[i]` otherwise).
    """
    old = {item.id: item for item in check_items(before, field_name="before")}
    new = {item.id: item for item in check_items(after, field_name="after")}
    lists: dict[str, list[Any]] = {kind: [] for kind in CHANGE_KINDS}
    lists["added"] = [item for item_id, item in new.items() if item_id not in old]
    lists["removed"] = [item for item_id, item in old.items() if item_id not in new]
    for item_id, now in new.items():
        was = old.get(item_id)
        if was is None or was == now:
            continue
        ref = (item_id, now.title, now.product)
        for name in MOVE_FIELDS:
            if getattr(was, name) != getattr(now, name):
                lists["moved"].append(
                    FieldChange(*ref, name, getattr(was, name), getattr(now, name))
                )
        if was.end != now.end:
            change = EndChange(*ref, was.end, now.end)
            if was.end is None:
                lists["scheduled"].append(change)
            elif now.end is None:
                lists["unscheduled"].append(change)
            else:
                lists["slipped" if now.end > was.end else "pulled_in"].append(change)
        for kind, name in (
            ("stage_changed", "stage"),
            ("renamed", "title"),
            ("owner_changed", "owner"),
        ):
            if getattr(was, name) != getattr(now, name):
                lists[kind].append(FieldChange(*ref, name, getattr(was, name), getattr(now, name)))

    def key(entry: Any) -> tuple[Any, ...]:
        rank = (
            MOVE_FIELDS.index(entry.field)
            if isinstance(entry, FieldChange) and entry.field in MOVE_FIELDS
            else 0
        )
        return (*_order(entry.product, entry.title, entry.id), rank)

    return RoadmapDiff(**{kind: tuple(sorted(entries, key=key)) for kind, entries in lists.items()})


# --- Markdown ----------------------------------------------------------------------------

# Escaped wherever they are: inline markup (emphasis, code, links, raw HTML, entities,
# GFM tables and strikethrough) and ATX heading markers.
_INLINE_SPECIAL = frozenset("\\`*_[]<>&|~#")
# Escaped at the start of the text only, where they would open a block (a list item, a
# thematic break, a setext underline); `1. ` and `1) ` open an ordered list, `2027.1` not.
_BLOCK_START = re.compile(r"^(?:[-+=]|\d{1,9}(?=[.)](?: |$)))")


def escape_markdown(text: str) -> str:
    """User text made literal in Markdown: on one line, markup characters backslash-escaped.

    Whitespace runs (newlines included) become one space, so the text cannot end the
    bullet or heading it is in.
    """
    flat = " ".join(str(text).split())
    escaped = "".join("\\" + char if char in _INLINE_SPECIAL else char for char in flat)
    match = _BLOCK_START.match(escaped)
    if match:
        # Before the "." or ")" that follows leading digits, or before the marker itself.
        cut = match.end() if escaped[:1].isdigit() else 0
        escaped = escaped[:cut] + "\\" + escaped[cut:]
    return escaped


def _url(url: str) -> str:
    # A link destination in angle brackets takes anything but <, > and line breaks.
    for char, code in (("\\", "%5C"), ("<", "%3C"), (">", "%3E"), ("\n", "%0A"), ("\r", "%0D")):
        url = url.replace(char, code)
    return f"<{url.replace(' ', '%20')}>"


def _days(days: int | None) -> str:
    return "1 day" if days == 1 else f"{days} days"


_HEADINGS = {
    "added": "Added",
    "removed": "Removed",
    "moved": "Moved",
    "slipped": "Slipped",
    "pulled_in": "Pulled in",
    "scheduled": "Scheduled",
    "unscheduled": "Unscheduled",
    "stage_changed": "Stage changed",
    "renamed": "Renamed",
    "owner_changed": "Owner changed",
}
_SUMMARY = {kind: heading.lower() for kind, heading in _HEADINGS.items()}


def _value(value: str | None, empty: str = "none") -> str:
    return empty if value is None else escape_markdown(value)


def _item_details(item: RoadmapItem) -> str:
    parts = []
    if item.release is not None:
        parts.append(f"release {escape_markdown(item.release)}")
    if item.period is not None:
        parts.append(f"period {escape_markdown(item.period)}")
    if item.horizon is not None:
        parts.append(f"horizon {item.horizon}")
    if item.end is not None:
        parts.append(f"ends {item.end.isoformat()}")
    parts.append(f"stage {escape_markdown(item.stage)}")
    return ", ".join(parts)


def _describe(kind: str, entry: Any) -> str:
    if kind in ("added", "removed"):
        return _item_details(entry)
    if kind in ("slipped", "pulled_in"):
        verb = "slipped" if kind == "slipped" else "pulled in"
        span = f"{entry.before.isoformat()} → {entry.after.isoformat()}"
        return f"{verb} by {_days(entry.days)}, {span}"
    if kind == "scheduled":
        return f"now ends {entry.after.isoformat()}"
    if kind == "unscheduled":
        return f"no longer has an end date (was {entry.before.isoformat()})"
    if kind == "renamed":
        return f"renamed from {escape_markdown(entry.before)}"
    if kind == "owner_changed":
        return f"{_value(entry.before, 'nobody')} → {_value(entry.after, 'nobody')}"
    span = f"{_value(entry.before)} → {_value(entry.after)}"
    return span if kind == "stage_changed" else f"{entry.field}: {span}"


def to_markdown(diff: RoadmapDiff, *, title: str, link: Callable[[int], str] | None = None) -> str:
    """A Markdown summary of `diff`: a heading, a one-line tally, a section per kind.

    One bullet per entry, `Title (Product): what changed`, dates in ISO, e.g. "slipped
    by 14 days, 2027-03-01 → 2027-03-15". `link(id)` makes titles links (removed items,
    gone from the roadmap, are not linked; an empty string means no link). All user
    text is escaped (`escape_markdown`). An empty diff reads "No changes.".
    """
    if not isinstance(diff, RoadmapDiff):
        raise ValueError(f"diff: must be a RoadmapDiff, got {type(diff).__name__}")
    _check_text(title, "title")
    lines = [f"# {escape_markdown(title)}", ""]
    if diff.is_empty:
        lines.append("No changes.")
        return "\n".join(lines) + "\n"
    counts = diff.counts
    tally = ", ".join(f"{count} {_SUMMARY[kind]}" for kind, count in counts.items() if count)
    changed = len(diff.changed_ids)
    lines += [f"{changed} {'item' if changed == 1 else 'items'} changed: {tally}.", ""]
    for kind, count in counts.items():
        if not count:
            continue
        lines += [f"## {_HEADINGS[kind]} ({count})", ""]
        for entry in getattr(diff, kind):
            name = escape_markdown(entry.title)
            url = link(entry.id) if link is not None and kind != "removed" else ""
            if url:
                name = f"[{name}]({_url(url)})"
            product = escape_markdown(entry.product)
            lines.append(f"- {name} ({product}): {_describe(kind, entry)}")
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"
