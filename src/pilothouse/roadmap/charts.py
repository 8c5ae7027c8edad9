"""The roadmap views as Vega-Lite charts, and their exports.

`timeline_spec` turns a `timeline.Timeline` (the same filters, window and lanes as the
page) into a Vega-Lite specification, a plain dict: one bar per item over time, coloured
by lane, a mark at the end of items with a schedule conflict, a dashed rule per milestone
and a rule for today. `render` turns it into SVG, PNG or PDF with vl-convert, which
bundles Vega and runs offline, or answers the specification itself as JSON for those who
want to restyle it.

`board_spec` draws the now / next / later board (three columns of cards, as capped as
on the page) and `release_plan_spec` the release plan (releases over time, one row per
product, with its milestones).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import vl_convert

from pilothouse.roadmap.models import FeatureStage, ReleaseStatus
from pilothouse.roadmap.planning import PLAN_SHOWS, Board, ReleasePlan
from pilothouse.roadmap.timeline import Timeline

# An exported chart draws at most this many items (it says so when there are more).
EXPORT_MAX_ITEMS = 150

FORMATS = {
    "svg": "image/svg+xml",
    "png": "image/png",
    "pdf": "application/pdf",
    "json": "application/json",
}
EXTENSIONS = {"svg": "svg", "png": "png", "pdf": "pdf", "json": "vl.json"}

VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
WIDTH = 900
ROW_STEP = 18
TITLE_LIMIT = 70
DANGER = "#b42318"
ACCENT = "#1f5fbf"

KIND_LABELS = {
    "window": "From start to end",
    "release": "Lands in this period (release date only)",
    "open": "Started, no end date yet",
}


def _day(day: dt.date) -> str:
    return day.isoformat()


def _short(text: str, limit: int = TITLE_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _item_rows(timeline: Timeline) -> list[dict[str, Any]]:
    """One row per drawn item, in lane order, clipped to the window. Titles repeat (one
    feature in two objectives' lanes, two features of one name), so each row's label is
    made unique: the y axis is a list of labels."""
    window = timeline.window
    after_window = window.end + dt.timedelta(days=1)
    rows: list[dict[str, Any]] = []
    labels: set[str] = set()
    for lane in timeline.lanes:
        for item in lane.items:
            if len(rows) == EXPORT_MAX_ITEMS:
                return rows
            feature = item.feature
            label = _short(feature.title)
            if label in labels:
                label = f"{label} (#{feature.pk}, {lane.title})"
            labels.add(label)
            rows.append(
                {
                    "label": label,
                    "title": feature.title,
                    "lane": lane.title,
                    "product": feature.product.name,
                    "stage": feature.get_stage_display(),
                    "kind": KIND_LABELS[item.kind],
                    "from": _day(item.start),
                    "to": _day(item.end),
                    # Bars run to the day after their last, so a one-day item has a width.
                    "start": _day(max(item.start, window.start)),
                    "end": _day(min(item.end + dt.timedelta(days=1), after_window)),
                    "conflict": " ".join(item.conflicts),
                }
            )
    return rows


def _subtitle(timeline: Timeline, *, filters: list[tuple[str, str]], shown: int) -> list[str]:
    lines = [f"Lanes by {timeline.lane_kind.label.lower()}"]
    if filters:
        lines[0] += ". Filters: " + ", ".join(f"{label} {value}" for label, value in filters)
    total = timeline.total
    if shown < total:
        lines.append(
            f"Showing {shown} of {total} items: narrow the filters or the window to see the rest."
        )
    elif not total:
        lines.append("No features are planned in this window.")
    return lines


def timeline_spec(timeline: Timeline, *, filters: list[tuple[str, str]]) -> dict[str, Any]:
    """The Vega-Lite specification of the timeline (`filters` in words, for the subtitle)."""
    window = timeline.window
    rows = _item_rows(timeline)
    domain = [_day(window.start), _day(window.end + dt.timedelta(days=1))]
    step = 3 if window.scale == "quarter" else 1
    x = {
        "type": "temporal",
        "scale": {"type": "utc", "domain": domain},
        "axis": {
            "title": None,
            "orient": "top",
            "format": "%b %Y",
            "tickCount": {"interval": "month", "step": step},
            "grid": True,
        },
    }
    layers: list[dict[str, Any]] = [
        {
            "data": {"values": rows},
            "mark": {"type": "bar", "cornerRadius": 2, "height": {"band": 0.7}, "clip": True},
            "encoding": {
                "y": {
                    "field": "label",
                    "type": "nominal",
                    "sort": None,
                    "axis": {"title": None, "labelLimit": 320},
                },
                "x": {"field": "start", **x},
                "x2": {"field": "end"},
                "color": {
                    "field": "lane",
                    "type": "nominal",
                    "legend": {"title": timeline.lane_kind.label, "orient": "bottom"},
                },
                "opacity": {
                    "field": "kind",
                    "type": "nominal",
                    "scale": {"domain": list(KIND_LABELS.values()), "range": [1, 0.45, 0.7]},
                    "legend": {"title": "Drawn", "orient": "bottom"},
                },
                "tooltip": [
                    {"field": "title", "title": "Feature"},
                    {"field": "lane", "title": timeline.lane_kind.label},
                    {"field": "product", "title": "Product"},
                    {"field": "stage", "title": "Stage"},
                    {"field": "from", "title": "From"},
                    {"field": "to", "title": "To"},
                    {"field": "conflict", "title": "Conflict"},
                ],
            },
        },
        {
            "data": {"values": [row for row in rows if row["conflict"]]},
            "mark": {"type": "point", "shape": "triangle-up", "filled": True, "color": DANGER},
            "encoding": {
                "y": {"field": "label", "type": "nominal", "sort": None},
                "x": {"field": "end", **x},
                "tooltip": [
                    {"field": "title", "title": "Feature"},
                    {"field": "conflict", "title": "Schedule conflict"},
                ],
            },
        },
    ]
    markers = [
        {"date": _day(milestone.date), "name": _short(milestone.name, 40)}
        for milestone in timeline.milestones
    ]
    if timeline.today_left is not None:
        markers.append({"date": _day(timeline.today), "name": "Today", "today": True})
    if markers:
        layers += _marker_layers(markers, x=x)
    shown = len(rows)
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "title": {
            "text": f"Roadmap timeline, {window.label}",
            "subtitle": _subtitle(timeline, filters=filters, shown=shown),
            "anchor": "start",
        },
        "width": WIDTH,
        "height": {"step": ROW_STEP} if rows else 60,
        "padding": {"top": 10, "left": 10, "right": 20, "bottom": 10},
        "config": {"view": {"stroke": None}, "axis": {"labelFontSize": 11}},
        "layer": layers,
    }


def _marker_layers(markers: list[dict[str, Any]], *, x: dict[str, Any]) -> list[dict[str, Any]]:
    """Milestones as dashed red rules, today as a blue one, each named at the top."""
    colour = {
        "condition": {"test": "datum.today", "value": ACCENT},
        "value": DANGER,
    }
    return [
        {
            "data": {"values": markers},
            "mark": {"type": "rule", "strokeDash": [4, 3], "strokeWidth": 1.5},
            "encoding": {
                "x": {"field": "date", **x},
                "color": colour,
                "tooltip": [{"field": "name", "title": "Milestone"}, {"field": "date"}],
            },
        },
        {
            "data": {"values": markers},
            "mark": {
                "type": "text",
                "align": "left",
                "baseline": "bottom",
                "dx": 3,
                "dy": -2,
                "fontSize": 10,
                "angle": 0,
                "limit": 140,
            },
            "encoding": {
                "x": {"field": "date", **x},
                "y": {"value": 0},
                "text": {"field": "name"},
                "color": colour,
            },
        },
    ]


def render(spec: dict[str, Any], fmt: str) -> bytes:
    """The chart as `fmt`: svg, png (at twice the size, sharp on screens), pdf, or json
    (the specification)."""
    if fmt == "json":
        return json.dumps(spec, indent=2, ensure_ascii=False).encode()
    if fmt == "svg":
        return vl_convert.vegalite_to_svg(spec).encode()
    if fmt == "png":
        return vl_convert.vegalite_to_png(spec, scale=2)
    if fmt == "pdf":
        return vl_convert.vegalite_to_pdf(spec)
    raise ValueError(f"Unknown format {fmt!r}: one of {', '.join(FORMATS)}.")


def export_filename(stem: str, fmt: str) -> str:
    return f"{stem}.{EXTENSIONS[fmt]}"


def timeline_stem(timeline: Timeline) -> str:
    periods = timeline.window.periods
    span = periods[0].key if len(periods) == 1 else f"{periods[0].key}-to-{periods[-1].key}"
    return f"roadmap-timeline-{span}"


def _filters_line(first: str, filters: list[tuple[str, str]]) -> str:
    if not filters:
        return first
    return f"{first}. Filters: " + ", ".join(f"{label} {value}" for label, value in filters)


def _header(title: str, subtitle: list[str]) -> dict[str, Any]:
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "title": {"text": title, "subtitle": subtitle, "anchor": "start"},
        "width": WIDTH,
        "padding": {"top": 10, "left": 10, "right": 20, "bottom": 10},
        "config": {"view": {"stroke": None}, "axis": {"labelFontSize": 11}},
    }


# --- The now / next / later board ------------------------------------------------------------

CARD_STEP = 34
CARD_TITLE_LIMIT = 48
STAGE_LABELS = [str(label) for value, label in FeatureStage.choices]


def board_spec(board: Board, *, filters: list[tuple[str, str]]) -> dict[str, Any]:
    """The Vega-Lite specification of the board: a column per horizon, its cards in rank
    order as text (title, coloured by stage, over the product), as many as the page shows
    (the columns' caps), and a note under a column that has more."""
    columns = [f"{column.label} ({column.total})" for column in board.columns]
    cards: list[dict[str, Any]] = []
    notes: list[dict[str, Any]] = []
    for name, column in zip(columns, board.columns, strict=True):
        for row, card in enumerate(column.cards):
            feature = card.feature
            cards.append(
                {
                    "column": name,
                    "row": row,
                    "title": _short(feature.title, CARD_TITLE_LIMIT),
                    "full_title": feature.title,
                    "product": feature.product.name,
                    "stage": feature.get_stage_display(),
                    "conflict": " ".join(card.conflicts),
                }
            )
        if column.hidden:
            text = f"+ {column.hidden} more: narrow the filters to see them"
            notes.append({"column": name, "row": len(column.cards), "text": text})
        elif not column.cards:
            notes.append({"column": name, "row": 0, "text": f"Nothing {column.label.lower()}."})
    x = {
        "field": "column",
        "type": "nominal",
        "scale": {"domain": columns},
        "axis": {
            "title": None,
            "orient": "top",
            "labelAngle": 0,
            "labelFontSize": 13,
            "labelFontWeight": "bold",
            "ticks": False,
            "domain": False,
        },
    }
    y = {"field": "row", "type": "ordinal", "axis": None}
    text_mark = {"type": "text", "align": "center", "limit": WIDTH // len(columns) - 20}
    layers: list[dict[str, Any]] = [
        {
            "data": {"values": cards},
            "mark": {**text_mark, "dy": -6, "fontSize": 12, "fontWeight": "bold"},
            "encoding": {
                "x": x,
                "y": y,
                "text": {"field": "title"},
                "color": {
                    "field": "stage",
                    "type": "nominal",
                    "scale": {"domain": STAGE_LABELS},
                    "legend": {"title": "Stage", "orient": "bottom"},
                },
                "tooltip": [
                    {"field": "full_title", "title": "Feature"},
                    {"field": "product", "title": "Product"},
                    {"field": "stage", "title": "Stage"},
                    {"field": "conflict", "title": "Conflict"},
                ],
            },
        },
        {
            "data": {"values": cards},
            "mark": {**text_mark, "dy": 8, "fontSize": 10, "color": "#666"},
            "encoding": {"x": x, "y": y, "text": {"field": "product"}},
        },
        {
            "data": {"values": notes},
            "mark": {**text_mark, "fontSize": 10, "fontStyle": "italic", "color": "#666"},
            "encoding": {"x": x, "y": y, "text": {"field": "text"}},
        },
    ]
    shown = len(cards)
    total = sum(column.total for column in board.columns)
    subtitle = [_filters_line("In priority order", filters)]
    if shown < total:
        subtitle.append(
            f"Showing {shown} of {total} cards: narrow the filters, or show more of a column."
        )
    elif not total:
        subtitle.append("No features are on the board.")
    return {
        **_header("Now / next / later", subtitle),
        "height": {"step": CARD_STEP} if cards or notes else 60,
        "layer": layers,
    }


# --- The release plan ------------------------------------------------------------------------

STATUS_LABELS = [str(label) for value, label in ReleaseStatus.choices]
PRODUCT_STEP = 44


def release_plan_spec(
    plan: ReleasePlan, *, filters: list[tuple[str, str]], today: dt.date
) -> dict[str, Any]:
    """The Vega-Lite specification of the release plan as on the page (the same releases,
    the same page): a point per dated release at its target date in its product's row,
    sized by its number of features and coloured by status, named beside it; milestones
    and today as rules. Undated releases cannot be placed: the subtitle names them."""
    releases: list[dict[str, Any]] = []
    undated: list[str] = []
    markers: list[dict[str, Any]] = []
    for entry in plan.entries:
        if entry.milestone is not None:
            markers.append(
                {"date": _day(entry.milestone.date), "name": _short(entry.milestone.name, 40)}
            )
            continue
        planned = entry.release
        if planned is None:
            continue
        release = planned.release
        if release.target_date is None:
            undated.append(f"{release.name} ({release.product.name})")
            continue
        releases.append(
            {
                "name": _short(release.name, 30),
                "full_name": release.name,
                "product": release.product.name,
                "date": _day(release.target_date),
                "status": release.get_status_display(),
                "features": planned.total,
                "conflicts": planned.conflict_count,
            }
        )
    if releases or markers:  # today, for the reader to see what is near
        markers.append({"date": _day(today), "name": "Today", "today": True})
    x = {
        "type": "temporal",
        "scale": {"type": "utc", "padding": 30},
        # Below, as the milestones are named at the top; Vega picks the ticks' format.
        "axis": {"title": None, "orient": "bottom", "grid": True},
    }
    y = {
        "field": "product",
        "type": "nominal",
        "sort": "ascending",
        "axis": {"title": None, "labelLimit": 200},
    }
    layers: list[dict[str, Any]] = [
        {
            "data": {"values": releases},
            "mark": {"type": "point", "filled": True, "opacity": 0.85},
            "encoding": {
                "x": {"field": "date", **x},
                "y": y,
                "size": {
                    "field": "features",
                    "type": "quantitative",
                    "scale": {"zero": True, "range": [40, 700]},
                    "legend": {
                        "title": "Features",
                        "orient": "bottom",
                        "format": "d",
                        "tickMinStep": 1,
                    },
                },
                "color": {
                    "field": "status",
                    "type": "nominal",
                    "scale": {"domain": STATUS_LABELS},
                    "legend": {"title": "Status", "orient": "bottom"},
                },
                "tooltip": [
                    {"field": "full_name", "title": "Release"},
                    {"field": "product", "title": "Product"},
                    {"field": "date", "title": "Target date"},
                    {"field": "status", "title": "Status"},
                    {"field": "features", "title": "Features"},
                    {"field": "conflicts", "title": "Schedule conflicts"},
                ],
            },
        },
        {
            "data": {"values": releases},
            "mark": {
                "type": "text",
                "align": "left",
                "dx": 10,
                "dy": -10,
                "fontSize": 10,
                "limit": 160,
            },
            "encoding": {"x": {"field": "date", **x}, "y": y, "text": {"field": "name"}},
        },
    ]
    if markers:
        layers += _marker_layers(markers, x=x)
    subtitle = [_filters_line(PLAN_SHOWS[plan.show], filters)]
    page = plan.page
    if page.paginator.num_pages > 1:
        subtitle.append(
            f"Releases {page.start_index()}-{page.end_index()} of {page.paginator.count} "
            f"(page {page.number} of {page.paginator.num_pages})."
        )
    if undated:
        subtitle.append("No date yet, not drawn: " + ", ".join(undated) + ".")
    if not page.paginator.count:
        subtitle.append("No releases are planned.")
    return {
        **_header("Release plan", subtitle),
        "height": {"step": PRODUCT_STEP} if releases else 60,
        "layer": layers,
    }


def release_plan_stem(plan: ReleasePlan) -> str:
    number = plan.page.number
    return "roadmap-release-plan" if number == 1 else f"roadmap-release-plan-page-{number}"
