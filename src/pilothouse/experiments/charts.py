"""The chart of an experiment's effects: each variant's effect on each metric with its
interval, a Vega-Lite specification drawn to SVG on the server (vl-convert, as the
roadmap's exports): no script and no CDN on the page."""

from __future__ import annotations

import math
from typing import Any

from django.utils.safestring import SafeString, mark_safe

from pilothouse.experiments.results import VERDICT_LABELS, ExperimentResults
from pilothouse.roadmap.charts import VEGA_LITE_SCHEMA, render

VERDICT_COLOURS = {
    "Better": "#1d6b3a",
    "Worse": "#b42318",
    "No clear difference": "#5b6472",
    "Cannot be estimated": "#a0a7b4",
}
ROW_HEIGHT = 26


def effects_spec(results: ExperimentResults) -> dict[str, Any] | None:
    """A point per metric and variant at its effect, a bar across its interval, a rule at
    no effect; None when nothing is analysed. Unbounded interval ends are cut at the
    chart's edge (the table says "unbounded")."""
    relative = results.settings.difference == "relative"
    scale = 100 if relative else 1
    rows = []
    for metric in results.metrics:
        for row in metric.rows:
            if not math.isfinite(row.effect):
                continue
            low, high = row.ci
            rows.append(
                {
                    "label": f"{metric.experiment_metric.metric.name} · {row.variant.name}",
                    "effect": round(row.effect * scale, 4),
                    "low": round(low * scale, 4) if math.isfinite(low) else None,
                    "high": round(high * scale, 4) if math.isfinite(high) else None,
                    "verdict": VERDICT_LABELS[row.verdict],
                }
            )
    if not rows:
        return None
    ends = [v for row in rows for v in (row["low"], row["high"], row["effect"]) if v is not None]
    reach = max(abs(v) for v in ends) or 1.0
    for row in rows:
        row["low"] = -reach if row["low"] is None else row["low"]
        row["high"] = reach if row["high"] is None else row["high"]
    order = [row["label"] for row in rows]
    title = "Effect against the control (%)" if relative else "Effect against the control"
    y = {"field": "label", "type": "nominal", "sort": order, "title": None}
    x = {"type": "quantitative", "title": title, "scale": {"domain": [-reach, reach]}}
    colour = {
        "field": "verdict",
        "type": "nominal",
        "title": None,
        "scale": {"domain": list(VERDICT_COLOURS), "range": list(VERDICT_COLOURS.values())},
        "legend": {"orient": "bottom"},
    }
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "title": f"Effects with their {results.interval_label}",
        "width": 460,
        "height": max(60, ROW_HEIGHT * len(rows)),
        "data": {"values": rows},
        "layer": [
            {
                "mark": {"type": "rule", "strokeDash": [4, 4], "color": "#5b6472"},
                "data": {"values": [{"zero": 0}]},
                "encoding": {"x": {"field": "zero", "type": "quantitative"}},
            },
            {
                "mark": {"type": "rule", "strokeWidth": 3},
                "encoding": {
                    "y": y,
                    "x": {**x, "field": "low"},
                    "x2": {"field": "high"},
                    "color": colour,
                },
            },
            {
                "mark": {"type": "point", "filled": True, "size": 70},
                "encoding": {
                    "y": y,
                    "x": {**x, "field": "effect"},
                    "color": colour,
                    "tooltip": [
                        {"field": "label", "title": "Metric · variant"},
                        {"field": "effect", "type": "quantitative", "title": title},
                        {"field": "low", "type": "quantitative", "title": "Low"},
                        {"field": "high", "type": "quantitative", "title": "High"},
                    ],
                },
            },
        ],
    }


def svg(spec: dict[str, Any]) -> SafeString:
    """The chart as inline SVG; its text (metric and variant names, numbers) is escaped
    by the renderer."""
    return mark_safe(render(spec, "svg").decode())
