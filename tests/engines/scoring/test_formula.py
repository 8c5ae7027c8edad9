"""The formula language: worked examples of precedence and functions, every kind of
error with the position it points at, the caret drawing, and the limits."""

from __future__ import annotations

import math
import time

import pytest

from pilothouse.engines.scoring.formula import (
    MAX_FORMULA_LENGTH,
    MAX_NESTING,
    FormulaError,
    caret_lines,
    compile_formula,
    parse,
)

RICE_FIELDS = {"reach", "impact", "confidence", "effort"}


def evaluate(text: str, **values: float) -> float:
    return compile_formula(text, fields=set(values)).evaluate(
        {name: float(value) for name, value in values.items()}
    )


def error_of(text: str, fields=frozenset(), **values: float) -> FormulaError:
    """The error of compiling `text`, or else of evaluating it with `values`."""

    def run() -> None:
        compiled = compile_formula(text, fields=set(fields) | set(values))
        compiled.evaluate({name: float(value) for name, value in values.items()})

    with pytest.raises(FormulaError) as caught:
        run()
    return caught.value


# --- worked examples -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 + 2 * 3", 7),
        ("(1 + 2) * 3", 9),
        ("10 - 4 - 3", 3),  # left to right
        ("24 / 4 / 3", 2),
        ("2 ^ 3 ^ 2", 512),  # right-associative: 2^(3^2)
        ("-2 ^ 2", -4),  # ^ binds tighter than the unary minus, as in maths
        ("(-2) ^ 2", 4),
        ("2 ^ -1", 0.5),  # a sign in the exponent
        ("-2 ^ -2", -0.25),
        ("- -3", 3),
        ("+3", 3),
        ("2 * -3", -6),
        ("3 - -3", 6),
        (".5 + 3. + 2e3 + 1.5E-1", 2003.65),
        ("min(4, 2, 8)", 2),
        ("max(4, 2, 8)", 8),
        ("min(7)", 7),
        ("abs(-2.5)", 2.5),
        ("sqrt(16)", 4),
        ("log(1)", 0),
        ("log(8, 2)", 3),
        ("log(100, 10)", 2),
        ("max(1, min(5, 3)) ^ 2", 9),
        ("1\n+\t2", 3),
    ],
)
def test_worked_examples(text, expected):
    assert evaluate(text) == pytest.approx(expected, rel=1e-15)


def test_the_rice_formula_scores_the_worked_example_exactly():
    formula = compile_formula("reach * impact * confidence / effort", fields=RICE_FIELDS)
    assert formula.names == ("confidence", "effort", "impact", "reach")
    score = formula.evaluate({"reach": 2000.0, "impact": 2.0, "confidence": 0.8, "effort": 4.0})
    assert score == 800


def test_log_is_natural():
    assert evaluate("log(x)", x=math.e) == pytest.approx(1.0)


def test_field_names_are_case_sensitive_and_may_hold_digits_and_underscores():
    assert evaluate("risk_2 * Risk_2", risk_2=3, Risk_2=4) == 12


def test_names_lists_each_field_once():
    formula = compile_formula("a * a + b", fields={"a", "b", "c"})
    assert formula.names == ("a", "b")


# --- errors and where they point -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "position", "words"),
    [
        ("", 0, "empty"),
        ("   ", 0, "empty"),
        ("1 +", 3, "ends where a value was expected"),
        ("1 2", 2, "expected an operator"),
        ("(1 + 2", 0, "never closed"),
        ("1 + 2)", 5, "without a matching"),
        ("min(1 2)", 6, "expected ','"),
        ("2 ** 3", 2, "use ^ for powers"),
        ("3 # 4", 2, "not part of the formula language"),
        ("a.b", 1, "lone '.'"),
        ("2e", 1, "exponent needs digits"),
        ("1e999", 0, "too large"),
        ("* 3", 0, "expected a value"),
        ("abs()", 0, "at least one argument"),
        ("(,)", 1, "expected a value"),
    ],
)
def test_syntax_errors_point_at_the_problem(text, position, words):
    error = error_of(text)
    assert error.position == position
    assert words in error.message
    assert str(error) == f"{error.message} (position {position})"


def test_an_unknown_field_is_named_with_the_known_ones_and_a_suggestion():
    error = error_of("reach * impactt", fields=RICE_FIELDS)
    assert error.position == 8
    assert "unknown field 'impactt'" in error.message
    assert "did you mean 'impact'" in error.message
    assert "confidence, effort, impact, reach" in error.message


def test_the_leftmost_of_several_problems_is_reported():
    error = error_of("nope(1) + zzz", fields={"a"})
    assert error.position == 0
    assert "unknown function 'nope'" in error.message
    assert error_of("zzz + nope(1)", fields={"a"}).position == 0


def test_an_unknown_function_lists_the_functions():
    error = error_of("1 + sqr(4)")
    assert error.position == 4
    assert "did you mean 'sqrt'" in error.message
    assert "abs, log, max, min, sqrt" in error.message


def test_a_field_called_like_a_function_and_a_function_used_as_a_field():
    assert "is a field, not a function" in error_of("reach(2)", fields={"reach"}).message
    error = error_of("2 * sqrt")
    assert error.position == 4
    assert "is a function" in error.message


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("abs(1, 2)", "abs takes 1 argument"),
        ("sqrt(1, 2)", "sqrt takes 1 argument"),
        ("log(1, 2, 3)", "log takes 1 or 2 arguments"),
    ],
)
def test_wrong_argument_counts(text, words):
    error = error_of("0 + " + text)
    assert error.position == 4
    assert words in error.message
    assert "not" in error.message


@pytest.mark.parametrize(
    ("text", "position", "words"),
    [
        ("1 + 4 / (2 - 2)", 6, "division by zero"),
        ("1 / 2 / 0", 6, "division by zero"),
        ("0 ^ -1", 2, "division by zero"),
        ("1 + sqrt(-4)", 4, "sqrt of a negative number (-4)"),
        ("log(0)", 0, "not positive (0)"),
        ("2 * log(-1)", 4, "not positive (-1)"),
        ("log(8, 1)", 0, "base must be positive and not 1"),
        ("log(8, -2)", 0, "base must be positive and not 1"),
        ("(-8) ^ (1/3)", 5, "fractional power"),
        ("10 ^ 400", 3, "too large"),
        ("1e308 * 10", 6, "too large"),
        ("1e308 + 1e308", 6, "too large"),
        ("-1e308 - 1e308", 7, "too large"),
        ("1e308 / 0.1", 6, "too large"),
    ],
)
def test_evaluation_errors_point_at_the_operator_or_function(text, position, words):
    error = error_of(text)
    assert error.position == position
    assert words in error.message


def test_a_division_by_zero_from_a_field_value_points_at_the_operator():
    formula = compile_formula("reach / effort", fields={"reach", "effort"})
    with pytest.raises(FormulaError) as caught:
        formula.evaluate({"reach": 1.0, "effort": 0.0})
    assert caught.value.position == 6


def test_long_chains_fold_in_a_loop_with_the_same_errors():
    assert evaluate("+".join(["1"] * 900)) == 900
    text = "*".join(["2"] * 8) + " / 0 * 3"
    error = error_of(text)
    assert error.position == text.index("/")
    overflow = error_of("*".join(["1e200"] * 10))
    assert overflow.position == 5  # the first "*": 1e200 * 1e200 is already too large


# --- limits --------------------------------------------------------------------------------


def test_a_formula_over_the_length_limit_is_refused():
    fits = "1+" * ((MAX_FORMULA_LENGTH - 1) // 2) + "1"
    assert len(fits) <= MAX_FORMULA_LENGTH
    assert evaluate(fits) == fits.count("1")
    error = error_of(fits + " + 1")
    assert error.position == MAX_FORMULA_LENGTH
    assert "at most 2,000" in error.message


@pytest.mark.parametrize(
    "make",
    [
        lambda n: "(" * n + "1" + ")" * n,
        lambda n: "abs(" * n + "1" + ")" * n,
        lambda n: "-" * n + "1",
        lambda n: "1^" * n + "2",
    ],
    ids=["parentheses", "calls", "signs", "powers"],
)
def test_nesting_is_limited(make):
    assert evaluate(make(MAX_NESTING)) in {1.0, -1.0}
    error = error_of(make(MAX_NESTING + 1))
    assert "nests deeper" in error.message


def test_nesting_beyond_the_limit_never_exhausts_the_stack():
    for text in ("(" * 1000 + "1" + ")" * 1000, "-" * 1999 + "1", "2^" * 999 + "1"):
        with pytest.raises(FormulaError):
            parse(text)


def test_twenty_thousand_evaluations_are_fast():
    formula = compile_formula(
        "(2 * value + 3 * fit - min(risk, 5)) * sqrt(reach) / max(effort, 0.5)",
        fields={"value", "fit", "risk", "reach", "effort"},
    )
    rows = [
        {"value": i % 10 + 1.0, "fit": 0.5, "risk": i % 7, "reach": float(i), "effort": 2.0}
        for i in range(20_000)
    ]
    start = time.perf_counter()
    scores = [formula.evaluate(row) for row in rows]
    elapsed = time.perf_counter() - start
    assert len(scores) == 20_000
    assert elapsed < 0.5, f"{elapsed:.3f} s for 20,000 evaluations"


def test_no_python_escapes_through_names():
    for text in ("__import__('os')", "x.__class__", "'a'", "[1]", "lambda: 1", "1 if 1 else 2"):
        with pytest.raises(FormulaError):
            compile_formula(text, fields={"x"})


# --- the caret -------------------------------------------------------------------------------


def test_the_caret_sits_under_the_position():
    assert caret_lines("reach * impactt", 8) == ("reach * impactt", "        ^")
    assert caret_lines("1 +", 3) == ("1 +", "   ^")


def test_the_caret_finds_the_line_of_a_multiline_formula():
    text = "reach *\n  impact / zero"
    assert caret_lines(text, text.index("zero")) == ("  impact / zero", "           ^")


def test_the_caret_cuts_a_long_line_around_the_position():
    text = "a + " * 100 + "oops" + " + b" * 100
    excerpt, caret = caret_lines(text, text.index("oops"), context=10)
    assert excerpt.startswith("…")
    assert excerpt.endswith("…")
    assert excerpt[caret.index("^") :].startswith("oops")


def test_the_error_draws_its_own_caret():
    text = "reach / (effort - effort)"
    formula = compile_formula(text, fields={"reach", "effort"})
    with pytest.raises(FormulaError) as caught:
        formula.evaluate({"reach": 1.0, "effort": 2.0})
    excerpt, caret = caught.value.caret(text)
    assert excerpt[caret.index("^")] == "/"
