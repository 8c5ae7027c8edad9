"""Between the stored scoring models and the scoring engine: each model's `Scheme`
(compiled once per definition), the computed fields a custom formula may read (taken
from the feature's own columns), and the evaluation of one feature's stored inputs.

Which scores are stored and which are computed when read:

- A model whose score depends only on its inputs (every built-in framework, and a
  custom formula that reads no computed field) has it stored in FeatureScore.score,
  written with the inputs and recomputed in bulk when the model changes
  (services.rescore). It is always true, so lists sort and rank by it cheaply.
- A custom formula that reads computed fields (importance_score, arr_demand, requests,
  customers, effort_low, effort_high) depends on figures other apps change without
  telling this one: the customer voice rewrites a feature's demand in bulk, the roadmap
  edits its effort. Those scores are "live": never stored (the column stays None) and
  computed by the selectors from the feature's current columns whenever they are read,
  so they cannot go stale, and neither roadmap nor customers needs to know this app.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pilothouse.engines import scoring
from pilothouse.prioritization.models import Framework, ScoringModel
from pilothouse.roadmap.models import Feature

# Formula name of each computed field -> the Feature column it is read from.
COMPUTED_SOURCES: dict[str, str] = {
    "importance_score": "demand_importance",
    "arr_demand": "demand_arr",
    "requests": "demand_requests",
    "customers": "demand_customers",
    "effort_low": "effort_low",
    "effort_high": "effort_high",
}


@functools.lru_cache(maxsize=256)
def _scheme(framework: str, formula: str, input_fields: str) -> scoring.Scheme:
    if framework != Framework.CUSTOM:
        return scoring.builtin_scheme(framework)
    return scoring.custom_scheme(json.loads(input_fields), formula)


def scheme_of(model: ScoringModel) -> scoring.Scheme:
    """The scheme of a saved (so valid) model; the same object for the same definition."""
    fields = json.dumps(model.input_fields or [], sort_keys=True)
    return _scheme(model.framework, model.formula or "", fields)


def _plain_number(value: float | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def canonical_fields(raw: Any) -> Any:
    """A custom model's input definitions with every key, labels defaulted from the
    names and whole bounds as integers; what is not valid is answered as it is (the
    model's validation names the problems)."""
    try:
        specs = scoring.custom_inputs(raw)
    except scoring.InputErrors:
        return raw
    return [
        {
            "name": spec.name,
            "label": spec.label,
            "min": _plain_number(spec.minimum),
            "max": _plain_number(spec.maximum),
            "help": spec.help,
        }
        for spec in specs
    ]


def is_live(model: ScoringModel) -> bool:
    """Whether the model's scores read computed fields (computed when read, not stored)."""
    return bool(scheme_of(model).computed)


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def computed_values(source: Any, names: tuple[str, ...], *, prefix: str = "") -> dict:
    """{computed field: float or None} for `names`, from a Feature (attributes) or a
    row of values read by column name (row[prefix + column])."""
    if isinstance(source, Feature):
        return {name: _number(getattr(source, COMPUTED_SOURCES[name])) for name in names}
    return {name: _number(source[prefix + COMPUTED_SOURCES[name]]) for name in names}


def computed_columns(model: ScoringModel) -> list[str]:
    """The Feature columns the model's scores read."""
    return [COMPUTED_SOURCES[name] for name in scheme_of(model).computed]


@dataclass(frozen=True)
class Evaluated:
    """A feature's score under a model as shown: `score` None with `error` None is
    incomplete (an input or computed figure missing); `error` says why a complete
    score could not be computed (a custom formula dividing by zero, say)."""

    score: float | None
    complete: bool
    category: str | None = None  # value vs effort's quadrant
    error: str | None = None


INCOMPLETE = Evaluated(score=None, complete=False)


def stored_values(scheme: scoring.Scheme, inputs: Mapping[str, Any] | None) -> dict:
    """The stored inputs as the engine takes them. They were validated when written
    (and again when the model changed), so this only converts them."""
    inputs = inputs or {}
    return {spec.name: _number(inputs.get(spec.name)) for spec in scheme.inputs}


def evaluate(
    scheme: scoring.Scheme,
    inputs: Mapping[str, Any] | None,
    *,
    computed: Mapping[str, float | None] | None = None,
    stored_score: float | None = None,
) -> Evaluated:
    """The score of stored inputs: the stored score for a model that reads no computed
    field, else computed now from `computed` (the feature's current figures)."""
    values = stored_values(scheme, inputs)
    if scheme.computed:
        values.update(computed or {})
    if not scheme.complete(values):
        return INCOMPLETE
    category = scheme.category(values)
    if not scheme.computed:
        return Evaluated(score=stored_score, complete=True, category=category)
    try:
        score = scheme.score(values)
    except scoring.FormulaError as exc:
        return Evaluated(score=None, complete=True, category=category, error=str(exc))
    return Evaluated(score=score, complete=True, category=category)
