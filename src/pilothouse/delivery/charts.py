"""Vega-Lite specifications of a team's charts (demand against capacity per period, and
throughput per week) and of a delivery forecast's distribution, drawn to SVG on the
server by vl-convert as the roadmap's exports are: no script and no CDN on the page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.utils.safestring import SafeString, mark_safe

from pilothouse.delivery import demand
from pilothouse.delivery.selectors import PeriodFigures, Week
from pilothouse.engines.forecasting import CompletionForecast, week_end
from pilothouse.roadmap.charts import VEGA_LITE_SCHEMA, render

STATUS_COLOURS = {"ok": "#1d6b3a", "at_risk": "#8a5300", "over_committed": "#b42318"}
# The demand chart's colours in words, drawn by the page beside the chart (a legend in
# the SVG costs vl-convert as much as an axis).
STATUS_KEY = [(demand.STATUS_LABELS[status], colour) for status, colour in STATUS_COLOURS.items()]


# vl-convert's time goes into laying out text, in proportion to the characters drawn
# (about 2 ms for a date label): the charts draw few, short labels. Their titles are
# the page's captions, in HTML.
AXIS_TICKS = 4
WEEK_LABEL_EVERY = 4
WHOLE_WEEK, PARTIAL_WEEK = "#1f5fbf", "#a9c1e8"


def demand_spec(figures: Sequence[PeriodFigures]) -> dict[str, Any]:
    """Per period: the capacity as a bar, the demand from low to high as a range on it,
    coloured by status (STATUS_KEY names the colours, on the page)."""
    rows = [
        {
            "period": f.period.label,
            "capacity": f.capacity_rounded,
            "low": f.demand_low,
            "high": f.demand_high,
            "status": f.status_label,
        }
        for f in figures
    ]
    order = [row["period"] for row in rows]
    x = {
        "field": "period",
        "type": "ordinal",
        "sort": order,
        "title": None,
        "axis": {"labelAngle": 0},
    }
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "width": max(240, 70 * len(rows)),
        "height": 200,
        "data": {"values": rows},
        "layer": [
            {
                "mark": {"type": "bar", "color": "#d5d9e0", "size": 36},
                "encoding": {
                    "x": x,
                    "y": {
                        "field": "capacity",
                        "type": "quantitative",
                        "title": "Person-weeks",
                        "axis": {"tickCount": AXIS_TICKS},
                    },
                },
            },
            {
                "mark": {"type": "rule", "strokeWidth": 6},
                "encoding": {
                    "x": x,
                    "y": {"field": "low", "type": "quantitative"},
                    "y2": {"field": "high"},
                    "color": {
                        "field": "status",
                        "type": "nominal",
                        "scale": {
                            "domain": ["OK", "At risk", "Over-committed"],
                            "range": list(STATUS_COLOURS.values()),
                        },
                        "legend": None,
                    },
                },
            },
        ],
    }


def throughput_spec(weeks: Sequence[Week], *, partial: dt.date | None = None) -> dict[str, Any]:
    """A bar per week (ordinal, so every week gets the same room, empty ones too), every
    fourth one named, the latest first. The week starting on `partial` (this one, not
    over) is drawn lighter."""
    rows = [
        {"week": week.start.isoformat(), "count": week.count, "partial": week.start == partial}
        for week in weeks
    ]
    named = [row["week"] for row in rows[::-1][::WEEK_LABEL_EVERY]]
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "width": 520,
        "height": 160,
        "data": {"values": rows},
        "mark": {"type": "bar"},
        "encoding": {
            "x": {
                "field": "week",
                "type": "ordinal",
                "sort": None,
                "title": None,
                "axis": {
                    "values": named,
                    "labelAngle": 0,
                    "labelExpr": "utcFormat(toDate(datum.value), '%-d %b')",
                },
            },
            "y": {
                "field": "count",
                "type": "quantitative",
                "title": "Items",
                "axis": {"tickCount": AXIS_TICKS, "tickMinStep": 1},
            },
            "color": {
                "condition": {"test": "datum.partial", "value": PARTIAL_WEEK},
                "value": WHOLE_WEEK,
            },
        },
    }


# A forecast's chart names this many of its weeks at most (a wide spread has dozens).
FORECAST_LABELS = 8


def forecast_spec(forecast: CompletionForecast, *, target_passed: bool = False) -> dict[str, Any]:
    """A bar per "done by" date: the share of trials done in exactly that week, coloured
    by whether that is on or before the target (when there is one). Some of the dates
    are named, evenly spaced, the first one always."""
    target = forecast.target
    rows = []
    for b in forecast.histogram:
        done_by = week_end(forecast.start, b.weeks)
        if target_passed:
            side = "After the target"
        elif target is None:
            side = "Done"
        else:
            side = "By the target" if done_by <= target else "After the target"
        rows.append(
            {
                "date": done_by.strftime("%-d %b %Y"),
                "share": round(100 * b.trials / forecast.trials, 2),
                "side": side,
            }
        )
    every = -(-len(rows) // FORECAST_LABELS)  # rounded up
    sides = ["By the target", "After the target"] if target or target_passed else ["Done"]
    colours = ["#1d6b3a", "#b42318"] if len(sides) == 2 else ["#1f5fbf"]
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "width": max(360, min(560, 16 * len(rows))),
        "height": 160,
        "data": {"values": rows},
        "mark": {"type": "bar"},
        "encoding": {
            "x": {
                "field": "date",
                "type": "ordinal",
                "sort": None,
                "title": "Done by",
                "axis": {"values": [row["date"] for row in rows[::every]], "labelAngle": -45},
            },
            "y": {
                "field": "share",
                "type": "quantitative",
                "title": "% of trials",
                "axis": {"tickCount": AXIS_TICKS},
            },
            "color": {
                "field": "side",
                "type": "nominal",
                "title": None,
                "scale": {"domain": sides, "range": colours},
                "legend": {"orient": "bottom"} if len(sides) == 2 else None,
            },
        },
    }


def svg(spec: dict[str, Any]) -> SafeString:
    """The chart as inline SVG. Its text is the periods' labels, dates and numbers that
    the specification holds, escaped by the renderer."""
    return mark_safe(render(spec, "svg").decode())
