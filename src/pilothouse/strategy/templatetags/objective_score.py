"""`{% include "strategy/partials/score.html" with value=score %}` draws an objective's
score in its colour band; `{{ score|score_band }}` names the band (green, yellow, red)."""

from __future__ import annotations

from django import template

from pilothouse.engines.metrics import score_band as band_of

register = template.Library()


@register.filter
def score_band(value: float | None) -> str:
    return band_of(value) or ""
