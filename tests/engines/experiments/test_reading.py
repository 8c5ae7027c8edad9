"""The plain-language reading of each result."""

from __future__ import annotations

import math

from pilothouse.engines.experiments import (
    AnalysisSettings,
    Issue,
    SrmCheck,
    VariantResult,
    describe,
    describe_srm,
    format_effect,
    format_p,
)

PASSED = SrmCheck(p_value=0.51, observed=(3407, 3461), expected=(3434.0, 3434.0))
FAILED = SrmCheck(p_value=0.00002, observed=(3000, 3461), expected=(3230.5, 3230.5))
FREQUENTIST = AnalysisSettings()


def result(effect=0.041, ci=(0.012, 0.070), p=0.004, **changes) -> VariantResult:
    values = {
        "metric": "conversion",
        "variant": "B",
        "lower_is_better": False,
        "control_mean": 0.1,
        "variant_mean": 0.1041,
        "effect": effect,
        "se": 0.0148,
        "ci": ci,
        "p_value": p,
    }
    return VariantResult(**{**values, **changes})


def test_a_significant_win_reads_as_in_the_specification():
    assert describe(result(), settings=FREQUENTIST, srm=PASSED) == (
        "B is 4.1% better on conversion, 95% CI 1.2% to 7.0% (p = 0.004); SRM check passed."
    )


def test_a_drop_is_worse_unless_lower_is_better():
    drop = result(effect=-0.052, ci=(-0.09, -0.014), p=0.0004)
    assert describe(drop, settings=FREQUENTIST).startswith("B is 5.2% worse on conversion")
    assert "(p < 0.001)" in describe(drop, settings=FREQUENTIST)
    cheaper = result(effect=-0.052, ci=(-0.09, -0.014), p=0.0004, lower_is_better=True)
    assert describe(cheaper, settings=FREQUENTIST).startswith("B is 5.2% better on conversion")


def test_not_significant_is_said():
    text = describe(result(effect=0.7073, ci=(-0.0353, 1.4499), p=0.0619), settings=FREQUENTIST)
    assert (
        text
        == "B is 70.7% better on conversion, 95% CI -3.5% to 145.0% (p = 0.062, not significant)."
    )


def test_absolute_effects_read_as_numbers():
    settings = AnalysisSettings(difference="absolute", alpha=0.1)
    text = describe(result(effect=0.29, ci=(0.0845, 0.4955), p=0.02), settings=settings)
    assert text == "B is 0.29 better on conversion, 90% CI 0.0845 to 0.495 (p = 0.020)."


def test_a_bayesian_result_reads_its_chance_to_win_and_risk():
    bayesian = result(p=None, chance_to_win=0.9691, risk=(0.7119, 0.00456))
    text = describe(bayesian, settings=AnalysisSettings(engine="bayesian"), srm=PASSED)
    assert text == (
        "B is 4.1% better on conversion, 95% credible interval 1.2% to 7.0% "
        "(chance to win 96.9%, risk of choosing B 0.46%); SRM check passed."
    )


def test_a_failed_srm_check_says_not_to_trust_the_result():
    text = describe(result(), settings=FREQUENTIST, srm=FAILED)
    assert text == (
        "B is 4.1% better on conversion, 95% CI 1.2% to 7.0% (p = 0.004); SRM check failed "
        "(p = 2e-05, below 0.001): the units per variant do not match the planned split, so "
        "do not trust these results until the assignment is explained."
    )
    assert describe_srm(FAILED).startswith("SRM check failed")
    assert describe_srm(PASSED) == "SRM check passed."


def test_an_issue_is_explained_instead_of_a_number():
    broken = result(effect=0.0, ci=(0.0, 0.0), p=1.0, issue=Issue.ZERO_CONTROL_MEAN)
    text = describe(broken, settings=FREQUENTIST)
    assert text == (
        "B vs control on conversion cannot be estimated: the control's mean is zero, so "
        "the change cannot be measured against it."
    )


def test_one_sided_bounds_and_adjusted_values():
    greater = result(ci=(0.012, math.inf))
    settings = AnalysisSettings(alternative="greater")
    assert "95% lower bound 1.2%" in describe(greater, settings=settings)
    adjusted = result(p_value_adjusted=0.012, ci_adjusted=(0.004, 0.078))
    text = describe(adjusted, settings=AnalysisSettings(correction="holm-bonferroni"))
    assert "95% adjusted CI 0.4% to 7.8% (adjusted p = 0.012)" in text


def test_numbers_are_formatted_for_reading():
    assert format_effect(0.0412, relative=True) == "4.1%"
    assert format_effect(0.00042, relative=True) == "0.042%"
    assert format_effect(-0.0035, relative=True) == "-0.35%"
    assert format_effect(0.0, relative=True) == "0.0%"
    assert format_effect(1234.5678, relative=False) == "1.23e+03"
    assert format_p(0.0004) == "p < 0.001"
    assert format_p(0.0619) == "p = 0.062"
