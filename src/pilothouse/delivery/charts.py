"""Vega-Lite specifications of a team's charts (demand against capacity per period, and
throughput per week) and of a delivery forecast's distribution, drawn to SVG on the
server by vl-convert as the roadmap's exports are: no script and no CDN on the page."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils.safestring import SafeString, mark_safe

from pilothouse.delivery.selectors import PeriodFigures, Week
from pilothouse.engines.forecasting import CompletionForecast, week_end
from pilothouse.roadmap.charts import VEGA_LITE_SCHEMA, render

STATUS_COLOURS = {"ok": "#1d6b3a", "at_risk": "#8a5300", "over_committed": "#b42318"}


def demand_spec(figures: Sequence[PeriodFigures]) -> dict[str, Any]:
    """Per period: the capacity as a bar, the demand from low to high as a range on it,
    coloured by status."""
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
    x = {"field": "period", "type": "ordinal", "sort": order, "title": None}
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "title": "Demand against capacity (person-weeks)",
        "width": max(240, 70 * len(rows)),
        "height": 200,
        "data": {"values": rows},
        "layer": [
            {
                "mark": {"type": "bar", "color": "#d5d9e0", "size": 36},
                "encoding": {
                    "x": x,
                    "y": {"field": "capacity", "type": "quantitative", "title": "Person-weeks"},
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
                        "title": "Status",
                        "scale": {
                            "domain": ["OK", "At risk", "Over-committed"],
                            "range": list(STATUS_COLOURS.values()),
                        },
                        "legend": {"orient": "bottom"},
                    },
                },
            },
        ],
    }


def throughput_spec(weeks: Sequence[Week]) -> dict[str, Any]:
    """A bar per week (ordinal, so every week gets the same room, empty ones too)."""
    rows = [{"week": week.start.strftime("%-d %b %Y"), "count": week.count} for week in weeks]
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "title": "Completed items per week",
        "width": 520,
        "height": 160,
        "data": {"values": rows},
        "mark": {"type": "bar", "color": "#1f5fbf"},
        "encoding": {
            "x": {
                "field": "week",
                "type": "ordinal",
                "sort": None,
                "title": "Week of",
                "axis": {"labelAngle": -60, "labelOverlap": True},
            },
            "y": {"field": "count", "type": "quantitative", "title": "Items"},
            "tooltip": [
                {"field": "week", "title": "Week of"},
                {"field": "count", "type": "quantitative", "title": "Items"},
            ],
        },
    }


def forecast_spec(forecast: CompletionForecast, *, target_passed: bool = False) -> dict[str, Any]:
    """A bar per "done by" date: the share of trials done in exactly that week, coloured
    by whether that is on or before the target (when there is one)."""
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
    sides = ["By the target", "After the target"] if target or target_passed else ["Done"]
    colours = ["#1d6b3a", "#b42318"] if len(sides) == 2 else ["#1f5fbf"]
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "title": "Share of trials done by the end of each week",
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
                "axis": {"labelAngle": -60, "labelOverlap": True},
            },
            "y": {"field": "share", "type": "quantitative", "title": "% of trials"},
            "color": {
                "field": "side",
                "type": "nominal",
                "title": None,
                "scale": {"domain": sides, "range": colours},
                "legend": {"orient": "bottom"} if len(sides) == 2 else None,
            },
            "tooltip": [
                {"field": "date", "title": "Done by"},
                {"field": "share", "type": "quantitative", "title": "% of trials"},
            ],
        },
    }


def svg(spec: dict[str, Any]) -> SafeString:
    """The chart as inline SVG. Its text is the periods' labels, dates and numbers that
    the specification holds, escaped by the renderer."""
    return mark_safe(render(spec, "svg").decode())
