"""The built-in frameworks: worked examples, their scales, and input validation that
names every bad field."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pilothouse.engines import scoring
from pilothouse.engines.scoring import InputErrors, builtin_scheme, quadrant
from pilothouse.engines.scoring.inputs import InputSpec, as_number, stored_form, validate_inputs

RICE = builtin_scheme("rice")
ICE = builtin_scheme("ice")
WSJF = builtin_scheme("wsjf")
VALUE_EFFORT = builtin_scheme("value_effort")


def score(scheme, **inputs):
    return scheme.score(scheme.validate(inputs))


def errors(scheme, **inputs) -> dict[str, str]:
    with pytest.raises(InputErrors) as caught:
        scheme.validate(inputs)
    return caught.value.errors


# --- RICE ------------------------------------------------------------------------------------


def test_rice_worked_example_is_exactly_800():
    assert score(RICE, reach=2000, impact=2, confidence=0.8, effort=4) == 800


@pytest.mark.parametrize(
    ("inputs", "expected"),
    [
        # Intercom's own examples: reach per quarter, effort in person-months.
        ({"reach": 500, "impact": 2, "confidence": 0.8, "effort": 2}, 400),
        ({"reach": 150, "impact": 0.5, "confidence": 1.0, "effort": 0.5}, 150),
        ({"reach": 0, "impact": 3, "confidence": 0.5, "effort": 10}, 0),
        ({"reach": 1000, "impact": 0.25, "confidence": 0.5, "effort": 1}, 125),
    ],
)
def test_rice_examples(inputs, expected):
    assert score(RICE, **inputs) == pytest.approx(expected, rel=1e-12)


def test_rice_scales():
    impact, confidence = RICE.inputs[1], RICE.inputs[2]
    assert [c.value for c in impact.choices] == [3, 2, 1, 0.5, 0.25]
    assert [c.value for c in confidence.choices] == [1.0, 0.8, 0.5]
    assert "80%" in confidence.choices[1].label
    assert RICE.formula == "reach * impact * confidence / effort"


def test_rice_refuses_values_off_its_scales_naming_each_field():
    found = errors(RICE, reach=-1, impact=4, confidence=0.9, effort=0.25)
    assert set(found) == {"reach", "impact", "confidence", "effort"}
    assert "from 0 to 1,000,000,000,000, not -1" in found["reach"]
    assert "one of 3, 2, 1, 0.5, 0.25" in found["impact"]
    assert "one of 1, 0.8, 0.5" in found["confidence"]
    assert "from 0.5 to 10,000, not 0.25" in found["effort"]


def test_confidence_is_a_fraction_not_a_percentage():
    assert "one of 1, 0.8, 0.5" in errors(RICE, confidence=80)["confidence"]


def test_a_missing_input_makes_the_score_incomplete_not_an_error():
    values = RICE.validate({"reach": 2000, "impact": 2, "confidence": None})
    assert values == {"reach": 2000.0, "impact": 2.0, "confidence": None, "effort": None}
    assert RICE.score(values) is None
    assert not RICE.complete(values)


def test_unknown_inputs_are_refused_or_ignored_on_request():
    found = errors(RICE, reach=1, reech=2)
    assert "unknown input" in found["reech"]
    assert "reach, impact, confidence, effort" in found["reech"]
    assert RICE.validate({"reach": 1, "old": 2}, ignore_unknown=True)["reach"] == 1.0


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (2000, 2000.0),
        ("2000", 2000.0),
        (" 0.8 ", 0.8),
        ("", None),
        (None, None),
        ("2e3", 2000.0),
    ],
)
def test_numbers_arrive_as_json_numbers_or_form_strings(raw, expected):
    assert as_number(raw) == expected


@pytest.mark.parametrize("raw", [True, "many", [1], {"a": 1}, float("inf"), "nan"])
def test_non_numbers_are_refused(raw):
    found = errors(RICE, reach=raw)
    assert "reach" in found


def test_inputs_that_are_not_a_mapping_are_refused():
    with pytest.raises(InputErrors) as caught:
        validate_inputs(RICE.inputs, [1, 2])
    assert caught.value.errors == {"inputs": "must be an object of field names and values"}


def test_stored_form_drops_missing_values_and_keeps_whole_numbers_whole():
    assert stored_form({"reach": 2000.0, "confidence": 0.8, "effort": None}) == {
        "reach": 2000,
        "confidence": 0.8,
    }
    assert isinstance(stored_form({"reach": 2000.0})["reach"], int)


# --- ICE -------------------------------------------------------------------------------------


def test_ice_is_the_product_of_its_three_factors():
    assert score(ICE, impact=8, confidence=5, ease=3) == 120
    assert score(ICE, impact=10, confidence=10, ease=10) == 1000
    assert score(ICE, impact=1, confidence=1, ease=1) == 1


def test_ice_ranks_a_balanced_idea_above_a_lopsided_one():
    # The reason for the product rather than the mean (see frameworks.py).
    assert score(ICE, impact=6, confidence=6, ease=6) > score(ICE, impact=10, confidence=1, ease=10)


def test_ice_takes_whole_numbers_from_1_to_10():
    found = errors(ICE, impact=0, confidence=11, ease=5.5)
    assert set(found) == {"impact", "confidence", "ease"}
    assert "whole number from 1 to 10" in found["ease"]
    assert score(ICE, impact=7.0, confidence="3", ease=2) == 42


# --- WSJF ------------------------------------------------------------------------------------


def test_wsjf_is_cost_of_delay_over_job_size():
    assert score(WSJF, business_value=8, time_criticality=5, risk_reduction=3, job_size=2) == 8
    assert score(
        WSJF, business_value=20, time_criticality=13, risk_reduction=1, job_size=20
    ) == pytest.approx(1.7)


def test_wsjf_takes_the_fibonacci_scale_only():
    assert [c.value for c in WSJF.inputs[0].choices] == [1, 2, 3, 5, 8, 13, 20]
    found = errors(WSJF, business_value=4, time_criticality=21, risk_reduction=0, job_size=8)
    assert set(found) == {"business_value", "time_criticality", "risk_reduction"}
    assert "one of 1, 2, 3, 5, 8, 13, 20" in found["business_value"]


# --- value vs effort -------------------------------------------------------------------------


def test_value_effort_score_and_quadrant():
    values = VALUE_EFFORT.validate({"value": 9, "effort": 3})
    assert VALUE_EFFORT.score(values) == 3
    assert VALUE_EFFORT.category(values) == "quick_win"
    assert VALUE_EFFORT.categories["quick_win"] == "Quick win"
    assert VALUE_EFFORT.category(VALUE_EFFORT.validate({"value": 9})) is None


@pytest.mark.parametrize(
    ("value", "effort", "expected"),
    [
        (10, 1, "quick_win"),
        (6, 5, "quick_win"),  # 6 is the lowest high value, 5 the highest low effort
        (6, 6, "big_bet"),
        (10, 10, "big_bet"),
        (5, 5, "fill_in"),
        (1, 1, "fill_in"),
        (5, 6, "time_sink"),
        (1, 10, "time_sink"),
    ],
)
def test_quadrants_split_at_the_documented_threshold(value, effort, expected):
    assert scoring.QUADRANT_THRESHOLD == 5
    assert quadrant(value, effort) == expected


@given(st.integers(1, 10), st.integers(1, 10))
def test_every_pair_has_exactly_one_quadrant(value, effort):
    assert quadrant(value, effort) in scoring.QUADRANTS


# --- specs -----------------------------------------------------------------------------------


def test_every_builtin_scheme_describes_its_inputs():
    for scheme in scoring.BUILTIN.values():
        assert scheme.required == scheme.input_names
        assert scheme.computed == ()
        for spec in scheme.inputs:
            assert spec.label
            assert spec.help
            assert spec.describe()


def test_builtin_scheme_knows_only_the_builtins():
    assert set(scoring.BUILTIN) == {"rice", "ice", "wsjf", "value_effort"}
    with pytest.raises(KeyError):
        builtin_scheme("custom")


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (InputSpec("x", "X"), "a number"),
        (InputSpec("x", "X", maximum=5), "a number of at most 5"),
        (InputSpec("x", "X", minimum=1, maximum=2.5), "a number from 1 to 2.5"),
        (InputSpec("x", "X", minimum=1, integer=True), "a whole number of at least 1"),
    ],
)
def test_spec_descriptions(spec, expected):
    assert spec.describe() == expected
