"""Custom models: their field definitions, computed fields, and incomplete scores."""

from __future__ import annotations

import math

import pytest

from pilothouse.engines.scoring import (
    COMPUTED_NAMES,
    FormulaError,
    InputErrors,
    custom_inputs,
    custom_scheme,
)

FIELDS = [
    {"name": "value", "label": "Value", "min": 1, "max": 5, "help": "To the customer"},
    {"name": "fit", "label": "Strategic fit", "min": 0, "max": 1},
]


def definition_errors(fields) -> dict[str, str]:
    with pytest.raises(InputErrors) as caught:
        custom_inputs(fields)
    return caught.value.errors


def test_a_weighted_scorecard():
    scheme = custom_scheme(FIELDS, "2 * value + 3 * fit")
    assert scheme.framework == "custom"
    assert scheme.input_names == ("value", "fit")
    assert scheme.required == ("fit", "value")
    assert scheme.computed == ()
    assert scheme.score(scheme.validate({"value": 4, "fit": 0.5})) == 9.5


def test_inputs_are_checked_against_the_declared_range():
    scheme = custom_scheme(FIELDS, "value + fit")
    with pytest.raises(InputErrors) as caught:
        scheme.validate({"value": 6, "fit": -1})
    assert caught.value.errors == {
        "value": "must be a number from 1 to 5, not 6",
        "fit": "must be a number from 0 to 1, not -1",
    }


def test_a_field_without_bounds_takes_any_number():
    scheme = custom_scheme([{"name": "x"}], "x * 2")
    assert scheme.inputs[0].label == "X"
    assert scheme.score(scheme.validate({"x": -1e9})) == -2e9


def test_computed_fields_are_read_from_the_values_the_app_supplies():
    scheme = custom_scheme(FIELDS, "value * log(1 + arr_demand, 10) / max(effort_high, 1)")
    assert scheme.computed == ("arr_demand", "effort_high")
    values = {**scheme.validate({"value": 3}), "arr_demand": 999.0, "effort_high": 2.0}
    assert scheme.score(values) == pytest.approx(3 * 3 / 2)


def test_a_missing_input_or_computed_field_makes_the_score_incomplete():
    scheme = custom_scheme(FIELDS, "value * fit + effort_low")
    inputs = scheme.validate({"value": 3})
    assert scheme.score({**inputs, "effort_low": 1.0}) is None
    assert scheme.score({**scheme.validate({"value": 3, "fit": 1}), "effort_low": None}) is None


def test_a_declared_input_the_formula_does_not_use_never_makes_it_incomplete():
    scheme = custom_scheme(FIELDS, "value * 10")
    assert scheme.score(scheme.validate({"value": 2})) == 20


def test_a_formula_with_no_fields_is_a_constant():
    scheme = custom_scheme([], "42")
    assert scheme.required == ()
    assert scheme.score({}) == 42


def test_evaluation_errors_come_from_the_formula_with_their_position():
    scheme = custom_scheme(FIELDS, "value / (fit - fit)")
    with pytest.raises(FormulaError) as caught:
        scheme.score(scheme.validate({"value": 1, "fit": 1}))
    assert caught.value.position == 6


def test_the_formula_may_not_name_an_undeclared_field():
    with pytest.raises(FormulaError) as caught:
        custom_scheme(FIELDS, "value + reach")
    assert caught.value.position == 8
    assert "unknown field 'reach'" in caught.value.message
    # The known ones include the computed fields.
    for name in COMPUTED_NAMES:
        assert name in caught.value.message


@pytest.mark.parametrize(
    ("fields", "key", "words"),
    [
        ([{"name": "Value"}], "fields[0].name", "lowercase"),
        ([{"name": "2x"}], "fields[0].name", "starting with a letter"),
        ([{"name": ""}], "fields[0].name", "lowercase"),
        ([{"name": "x" * 41}], "fields[0].name", "1 to 40"),
        ([{"label": "No name"}], "fields[0].name", "lowercase"),
        ([{"name": "arr_demand"}], "fields[0].name", "is a computed field"),
        ([{"name": "sqrt"}], "fields[0].name", "is a function"),
        ([{"name": "a"}, {"name": "a"}], "fields[1].name", "declared twice"),
        ([{"name": "a", "min": 5, "max": 1}], "fields[0].max", "must not be below min"),
        ([{"name": "a", "min": "low"}], "fields[0].min", "must be a number"),
        ([{"name": "a", "label": "x" * 81}], "fields[0].label", "at most 80"),
        ([{"name": "a", "help": 5}], "fields[0].help", "text"),
        ([{"name": "a", "weight": 2}], "fields[0].weight", "unknown key"),
        (["a"], "fields[0]", "must be an object"),
        ("a, b", "fields", "must be a list"),
        ([{"name": f"f{i}"} for i in range(21)], "fields", "at most 20"),
    ],
)
def test_bad_field_definitions_are_named(fields, key, words):
    found = definition_errors(fields)
    assert key in found, found
    assert words in found[key]


def test_every_bad_definition_is_reported_at_once():
    found = definition_errors([{"name": "Bad"}, {"name": "ok", "min": 2, "max": 1}])
    assert set(found) == {"fields[0].name", "fields[1].max"}


def test_custom_rice_matches_builtin_rice_on_the_worked_example():
    fields = [{"name": n} for n in ("reach", "impact", "confidence", "effort")]
    scheme = custom_scheme(fields, "reach * impact * confidence / effort")
    values = scheme.validate({"reach": 2000, "impact": 2, "confidence": 0.8, "effort": 4})
    assert scheme.score(values) == 800
    assert math.isclose(scheme.score(values), 800, rel_tol=0)
