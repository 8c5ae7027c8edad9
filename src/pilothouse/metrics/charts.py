"""Vega-Lite specifications of the metric charts, drawn to SVG on the server by
vl-convert through the roadmap's `render` (no script and no CDN on the page), and
exported as SVG, PNG, PDF or the specification itself like the timeline:

- `series_spec`: a metric's series over the chosen range, its targets as a band (from
  the target to the edge of the tolerance) with the target as a dashed line, a rule
  for each release of its products shipped in the range, and a shaded span for each
  mark of the apps above the catalog (metrics.annotations: the experiments that
  measured it), labelled, with a legend telling releases and each kind of span apart;
- `dimensions_spec`: one line per dimension value (a platform, a segment);
- `spark_spec`: the small chart of a dashboard card;
- `progress_spec`: a key result's progress over its objective's period, with the
  colour bands of a score.

Each vl-convert call costs a few milliseconds before drawing anything, and drawing costs
per point and per label: `svgs` draws many small charts of the same shape in one call and
cuts the result into one SVG per chart, and the page's charts thin long series to about a
point per `PIXELS_PER_POINT` pixels of width (`thin`), keeping each stretch's lowest and
highest values so that no peak disappears. Exports keep every point.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.utils.safestring import SafeString, mark_safe

from pilothouse.engines import metrics as engine
from pilothouse.metrics.annotations import Annotation, AnnotationGroup
from pilothouse.metrics.models import Direction, Metric, MetricTarget
from pilothouse.metrics.selectors import DimensionRow, KeyResultHistory, MetricDetail
from pilothouse.roadmap.charts import ACCENT, DANGER, VEGA_LITE_SCHEMA, render

WIDTH = 760
HEIGHT = 260
TARGET_COLOUR = "#1d6b3a"
RELEASE_COLOUR = "#6b4fbb"
RELEASE_LEGEND = "Release shipped"
# The colours of the kinds of spans (experiments first), in registration order.
SPAN_COLOURS = ("#b35c00", "#0f766e", "#9d174d", "#4d5b00")
SPAN_OPACITY = 0.1
# Span labels sit in rows at the foot of the chart, overlapping spans on separate rows.
SPAN_LABEL_ROWS = 4
SPAN_LABEL_STEP = 11
STATUS_COLOURS = {
    engine.ON_TRACK: "#1d6b3a",
    engine.AT_RISK: "#8a5300",
    engine.OFF_TRACK: DANGER,
    engine.NO_TARGET: "#5b6472",
    engine.NO_DATA: "#5b6472",
}
LABEL_LIMIT = 28
UTC = {"type": "utc"}
# A drawn line needs no more points than this many pixels apart to look the same.
PIXELS_PER_POINT = 4
# Room between the charts drawn together by `svgs` (cut apart afterwards).
STACK_SPACING = 20
TOP_LEVEL_ONLY = ("$schema", "config", "padding")
SVG_NS = "http://www.w3.org/2000/svg"
ET.register_namespace("", SVG_NS)
ET.register_namespace("xlink", "http://www.w3.org/1999/xlink")

Row = TypeVar("Row")


def max_points(width: int) -> int:
    return max(2, width // PIXELS_PER_POINT)


def thin(rows: Sequence[Row], *, limit: int, value: Callable[[Row], float]) -> list[Row]:
    """At most about `limit` of `rows` (in time order): the rows are cut into stretches of
    equal length and each keeps its lowest and highest value, in their order, so that the
    line keeps its peaks and troughs; the first and last rows are always kept."""
    if len(rows) <= limit:
        return list(rows)
    stretches = max(1, (limit - 2) // 2)
    size = (len(rows) - 2) / stretches
    kept = [rows[0]]
    for index in range(stretches):
        stretch = rows[1 + int(index * size) : 1 + int((index + 1) * size)]
        if not stretch:
            continue
        low = min(range(len(stretch)), key=lambda at: value(stretch[at]))
        high = max(range(len(stretch)), key=lambda at: value(stretch[at]))
        kept += [stretch[at] for at in sorted({low, high})]
    kept.append(rows[-1])
    return kept


def _pair_value(pair: tuple[dt.date, float]) -> float:
    return pair[1]


def _day(day: dt.date) -> str:
    return day.isoformat()


def _title(metric: Metric) -> str:
    return f"{metric.name} ({metric.unit})" if metric.unit else metric.name


def _band(target: MetricTarget, metric: Metric) -> tuple[float, float]:
    """The tolerance zone of a target: from the target to how far short still counts as
    at risk (below it when higher is better, above it when lower is)."""
    margin = abs(target.value) * float(metric.tolerance_percent) / 100
    if metric.direction == Direction.HIGHER:
        return target.value - margin, target.value
    return target.value, target.value + margin


def _short(text: str, limit: int = LABEL_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def series_spec(detail: MetricDetail, *, thinned: bool = False) -> dict[str, Any]:
    """`thinned`: at most about a point per PIXELS_PER_POINT pixels (for the page; an
    export keeps every point)."""
    metric = detail.metric
    first, last = detail.first, detail.last
    series = detail.series
    if thinned:
        series = thin(series, limit=max_points(WIDTH), value=lambda rolled: rolled.value)
    rows = [{"period": _day(v.period_start), "value": v.value, "count": v.count} for v in series]
    x = {
        "field": "period",
        "type": "temporal",
        "title": None,
        "scale": {**UTC, "domain": [_day(first), _day(last)]} if first and last else UTC,
    }
    legend = _legend(detail.releases, detail.annotations)
    # Spans first: the series and the targets are drawn over their shading.
    layers = _span_layers(detail.annotations, first, last, legend)
    targets = [t for t in detail.targets if first is None or (t.end >= first and t.start <= last)]
    if targets:
        target_rows = []
        for target in targets:
            low, high = _band(target, metric)
            start = max(target.start, first) if first else target.start
            end = min(target.end, last) if last else target.end
            target_rows.append(
                {
                    "start": _day(start),
                    "end": _day(end),
                    "low": low,
                    "high": high,
                    "target": target.value,
                    "label": f"Target {engine.format_value(target.value, metric.unit)} "
                    f"by {target.end:%-d %b %Y}",
                }
            )
        layers += [
            {
                "data": {"values": target_rows},
                "mark": {"type": "rect", "color": TARGET_COLOUR, "opacity": 0.12},
                "encoding": {
                    "x": {"field": "start", "type": "temporal", "scale": UTC},
                    "x2": {"field": "end"},
                    "y": {"field": "low", "type": "quantitative"},
                    "y2": {"field": "high"},
                    "tooltip": [{"field": "label", "title": "Target"}],
                },
            },
            {
                "data": {"values": target_rows},
                "mark": {"type": "rule", "color": TARGET_COLOUR, "strokeDash": [6, 4]},
                "encoding": {
                    "x": {"field": "start", "type": "temporal", "scale": UTC},
                    "x2": {"field": "end"},
                    "y": {"field": "target", "type": "quantitative"},
                },
            },
        ]
    layers.append(
        {
            "data": {"values": rows},
            "mark": {"type": "line", "color": ACCENT, "strokeWidth": 1.5, "interpolate": "linear"},
            "encoding": {
                "x": x,
                "y": {
                    "field": "value",
                    "type": "quantitative",
                    "title": metric.unit or None,
                    "scale": {"zero": False},
                },
                "tooltip": [
                    {
                        "field": "period",
                        "type": "temporal",
                        "title": "Period of",
                        "format": "%-d %b %Y",
                    },
                    {"field": "value", "type": "quantitative", "title": "Value", "format": ",.4~g"},
                ],
            },
        }
    )
    layers += _release_layers(detail.releases, legend)
    by = "" if detail.by == metric.granularity else f", by {detail.by}"
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "title": {
            "text": _title(metric),
            "subtitle": [_range_words(first, last) + by],
            "anchor": "start",
        },
        "width": WIDTH,
        "height": HEIGHT,
        "layer": layers,
        "config": {"view": {"stroke": None}},
    }


def _range_words(first: dt.date | None, last: dt.date | None) -> str:
    if first is None or last is None:
        return "No values yet"
    return f"{first:%-d %b %Y} to {last:%-d %b %Y}"


def _legend(releases: Sequence[Annotation], groups: Sequence[AnnotationGroup]) -> dict:
    """The colour encoding that names the marks in a legend (releases and each kind of
    span), shared by their layers."""
    domain = [RELEASE_LEGEND] if releases else []
    colours = [RELEASE_COLOUR] if releases else []
    for index, group in enumerate(groups):
        domain.append(group.legend)
        colours.append(SPAN_COLOURS[index % len(SPAN_COLOURS)])
    return {
        "field": "kind",
        "type": "nominal",
        "title": None,
        "scale": {"domain": domain, "range": colours},
        "legend": {"orient": "bottom", "direction": "horizontal", "symbolOpacity": 0.6},
    }


def _release_layers(releases: Sequence[Annotation], legend: dict) -> list[dict[str, Any]]:
    if not releases:
        return []
    rows = [
        {
            "day": _day(mark.day),
            "label": _short(mark.label),
            "name": mark.label,
            "kind": RELEASE_LEGEND,
        }
        for mark in releases
    ]
    x = {"field": "day", "type": "temporal", "scale": UTC}
    return [
        {
            "data": {"values": rows},
            "mark": {"type": "rule", "color": RELEASE_COLOUR, "strokeDash": [2, 3]},
            "encoding": {
                "x": x,
                "color": legend,
                "tooltip": [{"field": "name", "title": "Release shipped"}],
            },
        },
        {
            "data": {"values": rows},
            "mark": {
                "type": "text",
                "color": RELEASE_COLOUR,
                "angle": 270,
                "align": "right",
                "baseline": "bottom",
                "dx": -4,
                "dy": -2,
                "fontSize": 9,
                "y": 0,
            },
            "encoding": {"x": x, "text": {"field": "label"}},
        },
    ]


def _label_rows(spans: Sequence[tuple[dt.date, dt.date]]) -> list[int]:
    """The label row of each span (in start order): the first row whose last span ended
    before it starts, so that overlapping spans are labelled on separate rows."""
    ends: list[dt.date] = []
    rows = []
    for start, end in spans:
        row = next((i for i, last in enumerate(ends) if last < start), len(ends))
        if row == len(ends):
            ends.append(end)
        ends[row] = end
        rows.append(row % SPAN_LABEL_ROWS)
    return rows


def _span_layers(
    groups: Sequence[AnnotationGroup], first: dt.date | None, last: dt.date | None, legend: dict
) -> list[dict[str, Any]]:
    """Each kind of span shaded over the chart's height in its colour, labelled at the
    foot of the chart (from its start, or up to its end in the chart's last quarter so
    that the label stays inside), with a tooltip: what, when, its status."""
    if first is None or last is None:
        return []
    late = last - (last - first) * 0.25
    layers: list[dict[str, Any]] = []
    for index, group in enumerate(groups):
        shown = [
            (mark, max(mark.day, first), min(mark.end or mark.day, last))
            for mark in group.items
            if mark.day <= last and (mark.end or mark.day) >= first
        ]
        rows = [
            {
                "start": _day(start),
                # The span covers its last day: drawn to the next one, within the chart.
                "end": _day(min(end + dt.timedelta(days=1), last)),
                "label": _short(" · ".join(filter(None, (mark.label, mark.outcome))), 44),
                "name": mark.label,
                "dates": mark.when,
                "note": mark.note,
                "kind": group.legend,
                "y": HEIGHT - 3 - row * SPAN_LABEL_STEP,
                "align": "right" if start > late else "left",
            }
            for (mark, start, end), row in zip(
                shown, _label_rows([(start, end) for _mark, start, end in shown]), strict=True
            )
        ]
        if not rows:
            continue
        colour = SPAN_COLOURS[index % len(SPAN_COLOURS)]
        tooltip = [
            {"field": "name", "title": group.legend},
            {"field": "dates", "title": "When"},
            {"field": "note", "title": "Status"},
        ]
        layers.append(
            {
                "data": {"values": rows},
                "mark": {"type": "rect", "color": colour, "opacity": SPAN_OPACITY},
                "encoding": {
                    "x": {"field": "start", "type": "temporal", "scale": UTC},
                    "x2": {"field": "end"},
                    "color": legend,
                    "tooltip": tooltip,
                },
            }
        )
        for align, anchor, dx in (("left", "start", 3), ("right", "end", -3)):
            placed = [row for row in rows if row["align"] == align]
            if placed:
                mark = {"type": "text", "color": colour, "align": align, "dx": dx}
                layers.append(
                    {
                        "data": {"values": placed},
                        "mark": {**mark, "baseline": "bottom", "fontSize": 9},
                        "encoding": {
                            "x": {"field": anchor, "type": "temporal", "scale": UTC},
                            "y": {"field": "y", "type": "quantitative", "scale": None},
                            "text": {"field": "label"},
                            "tooltip": tooltip,
                        },
                    }
                )
    return layers


def dimensions_spec(
    metric: Metric, dimensions: Sequence[DimensionRow], *, thinned: bool = False
) -> dict[str, Any]:
    """`thinned`: each line at most about a point per PIXELS_PER_POINT pixels."""
    limit = max_points(WIDTH) if thinned else None
    rows = [
        {"period": _day(day), "value": value, "dimension": row.dimension}
        for row in dimensions
        for day, value in (
            thin(row.series, limit=limit, value=_pair_value) if limit else row.series
        )
    ]
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "title": {"text": f"{_title(metric)} by dimension", "anchor": "start"},
        "width": WIDTH,
        "height": 200,
        "data": {"values": rows},
        "mark": {"type": "line", "strokeWidth": 1.2},
        "encoding": {
            "x": {"field": "period", "type": "temporal", "title": None, "scale": UTC},
            "y": {
                "field": "value",
                "type": "quantitative",
                "title": metric.unit or None,
                "scale": {"zero": False},
            },
            "color": {
                "field": "dimension",
                "type": "nominal",
                "title": None,
                "legend": {"orient": "bottom"},
            },
            "tooltip": [
                {"field": "dimension", "title": "Dimension"},
                {
                    "field": "period",
                    "type": "temporal",
                    "title": "Period of",
                    "format": "%-d %b %Y",
                },
                {"field": "value", "type": "quantitative", "title": "Value", "format": ",.4~g"},
            ],
        },
        "config": {"view": {"stroke": None}},
    }


def spark_spec(
    values: Sequence[tuple[dt.date, float]], *, status: str, width: int = 220, height: int = 44
) -> dict[str, Any]:
    """A line without axes, coloured by the metric's status; at most about a point per
    PIXELS_PER_POINT pixels."""
    shown = thin(values, limit=max_points(width), value=_pair_value)
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "width": width,
        "height": height,
        "padding": 2,
        "data": {"values": [{"d": _day(day), "v": value} for day, value in shown]},
        "mark": {"type": "line", "strokeWidth": 1.5, "color": STATUS_COLOURS[status]},
        "encoding": {
            "x": {"field": "d", "type": "temporal", "axis": None, "scale": UTC},
            "y": {"field": "v", "type": "quantitative", "axis": None, "scale": {"zero": False}},
        },
        "config": {"view": {"stroke": None}},
    }


def progress_spec(history: KeyResultHistory) -> dict[str, Any]:
    """A key result's progress (0..100 %) over its objective's period, on the bands of a
    score: red below 40 %, yellow to 70 %, green from there."""
    rows = [
        {"day": _day(day), "progress": round(100 * share, 2)} for day, share in history.progress
    ]
    # A tick a month, not the weekly ticks Vega picks for a quarter: each label costs
    # the renderer a text measurement, and months read better over an objective's period.
    x = {
        "field": "day",
        "type": "temporal",
        "title": None,
        "scale": {**UTC, "domain": [_day(history.start), _day(history.end)]},
        "axis": {"tickCount": {"interval": "month", "step": _month_step(history)}},
    }
    bands = [
        {"from": 0, "to": 100 * engine.YELLOW_FROM, "band": "red"},
        {"from": 100 * engine.YELLOW_FROM, "to": 100 * engine.GREEN_FROM, "band": "yellow"},
        {"from": 100 * engine.GREEN_FROM, "to": 100, "band": "green"},
    ]
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "title": {
            "text": f"Progress of “{_short(history.link.key_result.title, 60)}”",
            "anchor": "start",
        },
        "width": 520,
        "height": 140,
        "layer": [
            {
                "data": {"values": bands},
                "mark": {"type": "rect", "opacity": 0.12},
                "encoding": {
                    "y": {"field": "from", "type": "quantitative"},
                    "y2": {"field": "to"},
                    "color": {
                        "field": "band",
                        "type": "nominal",
                        "legend": None,
                        "scale": {
                            "domain": ["red", "yellow", "green"],
                            "range": [DANGER, "#c99700", TARGET_COLOUR],
                        },
                    },
                },
            },
            {
                "data": {"values": rows},
                "mark": {"type": "line", "color": ACCENT, "strokeWidth": 1.5},
                "encoding": {
                    "x": x,
                    "y": {
                        "field": "progress",
                        "type": "quantitative",
                        "title": "Progress (%)",
                        "scale": {"domain": [0, 100]},
                    },
                    "tooltip": [
                        {"field": "day", "type": "temporal", "title": "On", "format": "%-d %b %Y"},
                        {"field": "progress", "type": "quantitative", "title": "Progress (%)"},
                    ],
                },
            },
        ],
        "config": {"view": {"stroke": None}},
    }


def _month_step(history: KeyResultHistory) -> int:
    """One tick a month up to a year, then one a quarter."""
    return 1 if (history.end - history.start).days <= 400 else 3


def svg(spec: dict[str, Any]) -> SafeString:
    """The chart as inline SVG. Its text is the labels, dates and numbers of the
    specification, escaped by the renderer."""
    return mark_safe(render(spec, "svg").decode())


def export_stem(metric: Metric, detail: MetricDetail) -> str:
    span = (
        f"{detail.first:%Y%m%d}-{detail.last:%Y%m%d}" if detail.first and detail.last else "empty"
    )
    return f"metric-{metric.key}-{span}"


def svgs(specs: Sequence[dict[str, Any]]) -> list[SafeString]:
    """Charts of the same shape (sizes, axes and title lines alike, e.g. the dashboard's
    small charts), drawn in one vl-convert call as a column and cut into one inline SVG
    each, in order."""
    if len(specs) < 2:
        return [svg(spec) for spec in specs]
    first = specs[0]
    stacked = {
        "$schema": VEGA_LITE_SCHEMA,
        "vconcat": [
            {key: value for key, value in spec.items() if key not in TOP_LEVEL_ONLY}
            for spec in specs
        ],
        "spacing": STACK_SPACING,
        "config": first.get("config", {}),
    }
    if "padding" in first:
        stacked["padding"] = first["padding"]
    try:
        return _cut(render(stacked, "svg").decode(), count=len(specs))
    except ValueError:  # another renderer version's layout: draw them one by one
        return [svg(spec) for spec in specs]


def _tag(name: str) -> str:
    return f"{{{SVG_NS}}}{name}"


def _cut(drawn: str, *, count: int) -> list[SafeString]:
    """The charts of a column drawn by `svgs`, each as its own SVG. Vega puts chart i's
    marks in a group of class `concat_<i>_group` whose child is translated to the chart's
    origin; the charts being alike, each is as tall as the column less the distance
    between the first and the last origins."""
    root = ET.fromstring(drawn)
    frame = root.find(_tag("g"))  # translated by the padding and the first chart's axes
    groups: dict[int, ET.Element] = {}
    for element in root.iter(_tag("g")):
        for token in element.get("class", "").split():
            if token.startswith("concat_") and token.endswith("_group"):
                groups[int(token[len("concat_") : -len("_group")])] = element
    if frame is None or sorted(groups) != list(range(count)):
        raise ValueError("The renderer's SVG has not the expected structure of a column.")
    origins = [_translation(groups[index].find(_tag("g"))) for index in range(count)]
    width = root.get("width")
    height = float(root.get("height")) - (origins[-1][1] - origins[0][1])
    defs = root.find(_tag("defs"))
    background = root.find(_tag("rect"))
    pieces = []
    for index in range(count):
        piece = ET.Element(
            _tag("svg"),
            {
                "version": "1.1",
                "class": "marks",
                "width": width,
                "height": _number(height),
                "viewBox": f"0 0 {width} {_number(height)}",
            },
        )
        if defs is not None:
            piece.append(defs)
        if background is not None:
            piece.append(ET.Element(_tag("rect"), {**background.attrib, "height": _number(height)}))
        outer = ET.SubElement(piece, _tag("g"), dict(frame.attrib))
        group = groups[index]
        inner = group.find(_tag("g"))
        x, _ = origins[index]
        moved = ET.SubElement(outer, _tag("g"), dict(group.attrib))
        shifted = ET.SubElement(
            moved, _tag("g"), {**inner.attrib, "transform": f"translate({x},{origins[0][1]})"}
        )
        shifted.extend(list(inner))
        pieces.append(mark_safe(ET.tostring(piece, encoding="unicode")))
    return pieces


def _translation(element: ET.Element | None) -> tuple[float, float]:
    transform = (element.get("transform", "") if element is not None else "").strip()
    if not transform.startswith("translate(") or not transform.endswith(")"):
        raise ValueError(f"Expected a translation, found {transform!r}.")
    x, y = transform[len("translate(") : -1].split(",")
    return float(x), float(y)


def _number(value: float) -> str:
    return f"{value:g}"
