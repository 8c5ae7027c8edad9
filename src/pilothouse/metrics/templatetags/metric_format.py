"""`{{ value|metric_value:unit }}`: a metric's figure as people read it (41,200 users,
12.5%), the same formatting as the status sentences."""

from __future__ import annotations

from django import template

from pilothouse.engines.metrics import format_value

register = template.Library()


@register.filter
def metric_value(value: float | None, unit: str = "") -> str:
    if value is None:
        return "—"
    return format_value(float(value), unit or "")
