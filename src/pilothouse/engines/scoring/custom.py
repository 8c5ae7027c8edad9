"""Custom scoring models: a weighted scorecard written as a formula.

A custom model declares its own inputs (name, label, optional min and max, help) and a
formula over them in the formula language (`formula/`), which may also read the
computed fields the app supplies for each feature (COMPUTED_FIELDS: its customer demand
and effort estimates). For example:

    fields  = [{"name": "value", "label": "Value", "min": 1, "max": 5},
               {"name": "fit", "label": "Strategic fit", "min": 0, "max": 1}]
    formula = "(2 * value + 3 * fit + log(1 + arr_demand, 10)) / max(effort_high, 1)"

The score needs every field the formula names: when one of them is missing (None) the
score is None, "incomplete". Declared inputs the formula does not use are allowed
(a team may collect them before using them) and never make a score incomplete.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pilothouse.engines.scoring.formula import FUNCTIONS, compile_formula
from pilothouse.engines.scoring.frameworks import CUSTOM
from pilothouse.engines.scoring.inputs import InputErrors, InputSpec, as_number
from pilothouse.engines.scoring.scheme import Scheme

MAX_INPUTS = 20
MAX_NAME_LENGTH = 40
MAX_LABEL_LENGTH = 80
MAX_HELP_LENGTH = 300
FIELD_KEYS = ("name", "label", "min", "max", "help")


@dataclass(frozen=True)
class ComputedField:
    name: str
    label: str
    help: str


COMPUTED_FIELDS = (
    ComputedField(
        "importance_score",
        "Importance score",
        "The customer evidence's importance score (each asking customer counts once).",
    ),
    ComputedField("arr_demand", "ARR demand", "The summed ARR of the customers asking for it."),
    ComputedField("requests", "Requests", "The number of feedback notes linked to it."),
    ComputedField("customers", "Customers", "The number of customers asking for it."),
    ComputedField("effort_low", "Effort low", "The low effort estimate, in person-weeks."),
    ComputedField("effort_high", "Effort high", "The high effort estimate, in person-weeks."),
)
COMPUTED_NAMES = frozenset(field.name for field in COMPUTED_FIELDS)


def _valid_name(name: str) -> bool:
    return (
        0 < len(name) <= MAX_NAME_LENGTH
        and "a" <= name[0] <= "z"
        and all(c == "_" or "a" <= c <= "z" or "0" <= c <= "9" for c in name)
    )


def _field(index: int, raw: object, errors: dict[str, str], seen: set[str]) -> InputSpec | None:
    where = f"fields[{index}]"
    if not isinstance(raw, Mapping):
        errors[where] = "must be an object with a name, label, min, max and help"
        return None
    for key in raw:
        if key not in FIELD_KEYS:
            errors[f"{where}.{key}"] = "unknown key; a field has: " + ", ".join(FIELD_KEYS)
    name = raw.get("name")
    if not isinstance(name, str) or not _valid_name(name):
        errors[f"{where}.name"] = (
            f"a name of 1 to {MAX_NAME_LENGTH} lowercase letters, digits and underscores, "
            "starting with a letter (e.g. strategic_fit)"
        )
        name = None
    elif name in COMPUTED_NAMES or name in FUNCTIONS:
        kind = "a computed field" if name in COMPUTED_NAMES else "a function"
        errors[f"{where}.name"] = f"'{name}' is {kind}; choose another name"
    elif name in seen:
        errors[f"{where}.name"] = f"'{name}' is declared twice"
    label = raw.get("label") or (name or "").replace("_", " ").capitalize()
    if not isinstance(label, str) or len(label) > MAX_LABEL_LENGTH:
        errors[f"{where}.label"] = f"a text of at most {MAX_LABEL_LENGTH} characters"
    help_text = raw.get("help") or ""
    if not isinstance(help_text, str) or len(help_text) > MAX_HELP_LENGTH:
        errors[f"{where}.help"] = f"a text of at most {MAX_HELP_LENGTH} characters"
    bounds: dict[str, float | None] = {}
    for key in ("min", "max"):
        try:
            bounds[key] = as_number(raw.get(key))
        except ValueError as exc:
            errors[f"{where}.{key}"] = str(exc)
            bounds[key] = None
    low, high = bounds["min"], bounds["max"]
    if low is not None and high is not None and low > high:
        errors[f"{where}.max"] = "must not be below min"
    if name is None or any(key.startswith(where) for key in errors):
        return None
    seen.add(name)
    return InputSpec(name, label, help_text, minimum=low, maximum=high)


def custom_inputs(raw: Sequence[object]) -> tuple[InputSpec, ...]:
    """The input specs of a custom model from its field definitions (a list of
    {name, label, min, max, help}); InputErrors naming "fields[2].max" and the like."""
    if isinstance(raw, str | bytes) or not isinstance(raw, Sequence):
        raise InputErrors({"fields": "must be a list of fields"})
    if len(raw) > MAX_INPUTS:
        raise InputErrors({"fields": f"at most {MAX_INPUTS} fields"})
    errors: dict[str, str] = {}
    seen: set[str] = set()
    specs = [_field(index, item, errors, seen) for index, item in enumerate(raw)]
    if errors:
        raise InputErrors(errors)
    return tuple(spec for spec in specs if spec is not None)


def custom_scheme(fields: Sequence[object], formula: str) -> Scheme:
    """The scheme of a custom model. InputErrors if a field definition is bad;
    FormulaError (with the position) if the formula does not parse or names a field
    or function that does not exist."""
    inputs = custom_inputs(fields)
    known = {spec.name for spec in inputs} | COMPUTED_NAMES
    compiled = compile_formula(formula, fields=known)
    return Scheme(
        framework=CUSTOM,
        inputs=inputs,
        calculate=compiled.evaluator,
        required=compiled.names,
        computed=tuple(name for name in compiled.names if name in COMPUTED_NAMES),
        formula=formula,
    )
