"""The formula language against an independent reference: Python's own arithmetic.

Hypothesis builds random expression trees and writes each twice, in the formula
language (^ for powers, spaces and redundant signs as a person might type) and as a
Python expression (** and math functions) that the test evaluates with Python itself,
so Python's parser decides the precedence and Python's float arithmetic the values.
Both must agree exactly, or both must refuse. The formula language computes with real,
finite numbers only, so the Python side runs on `Real`, a float that refuses any result
Python would carry on with as a complex number or an infinity: where Python raises
(division by zero, a math domain error, overflow) or leaves the reals, the formula
raises FormulaError.
"""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from pilothouse.engines.scoring import builtin_scheme, custom_scheme
from pilothouse.engines.scoring.formula import FormulaError, compile_formula


class Real(float):
    """Python's float arithmetic, raising where the result is not a finite real."""

    @staticmethod
    def of(result: object) -> Real:
        if isinstance(result, complex):
            raise ValueError("not a real number")
        if not math.isfinite(result):
            raise OverflowError("not finite")
        return Real(result)

    def __add__(self, other):
        return Real.of(float.__add__(self, other))

    def __radd__(self, other):
        return Real.of(float.__radd__(self, other))

    def __sub__(self, other):
        return Real.of(float.__sub__(self, other))

    def __rsub__(self, other):
        return Real.of(float.__rsub__(self, other))

    def __mul__(self, other):
        return Real.of(float.__mul__(self, other))

    def __rmul__(self, other):
        return Real.of(float.__rmul__(self, other))

    def __truediv__(self, other):
        return Real.of(float.__truediv__(self, other))

    def __rtruediv__(self, other):
        return Real.of(float.__rtruediv__(self, other))

    def __pow__(self, other):
        return Real.of(float.__pow__(self, other))

    def __rpow__(self, other):
        return Real.of(float.__rpow__(self, other))

    def __neg__(self):
        return Real(-float(self))

    def __pos__(self):
        return self

    def __abs__(self):
        return Real(abs(float(self)))


FIELDS = {"a": 3.5, "b": 0.25, "c": 12.0, "zero": 0.0}
# Python's view of the formula language's functions and fields.
PYTHON_NAMES = {
    "math": math,
    "min": min,
    "max": max,
    "abs": abs,
    "Real": Real,
    **{name: Real(value) for name, value in FIELDS.items()},
}

numbers = st.one_of(
    st.integers(min_value=0, max_value=100).map(float),
    st.floats(min_value=0, max_value=100, allow_nan=False, allow_infinity=False).map(
        lambda x: round(x, 3)
    ),
)


def leaf() -> st.SearchStrategy[tuple[str, str]]:
    number = numbers.map(lambda x: (repr(x), f"Real({x!r})"))
    name = st.sampled_from(sorted(FIELDS)).map(lambda n: (n, n))
    return st.one_of(number, name)


def extend(children: st.SearchStrategy[tuple[str, str]]) -> st.SearchStrategy[tuple[str, str]]:
    """One more level of tree: (formula text, Python text) pairs."""
    binary = st.tuples(children, st.sampled_from(["+", "-", "*", "/", "^"]), children).map(
        lambda t: (
            f"({t[0][0]}) {t[1]} ({t[2][0]})",
            f"({t[0][1]}) {'**' if t[1] == '^' else t[1]} ({t[2][1]})",
        )
    )
    # Unparenthesized chains and signs, to exercise precedence and associativity.
    bare = st.tuples(children, st.sampled_from(["+", "-", "*", "/"]), children).map(
        lambda t: (f"{t[0][0]} {t[1]} {t[2][0]}", f"{t[0][1]} {t[1]} {t[2][1]}")
    )
    negated = children.map(lambda c: (f"-({c[0]})", f"-({c[1]})"))
    signed_power = st.tuples(children, children).map(
        lambda t: (f"-({t[0][0]})^-({t[1][0]})", f"-({t[0][1]})**-({t[1][1]})")
    )
    one = st.sampled_from(["abs", "sqrt", "log"]).flatmap(
        lambda f: children.map(
            lambda c: (f"{f}({c[0]})", f"Real({'abs' if f == 'abs' else 'math.' + f}({c[1]}))")
        )
    )
    log_base = st.tuples(children, children).map(
        lambda t: (f"log({t[0][0]}, {t[1][0]})", f"Real(math.log({t[0][1]}, {t[1][1]}))")
    )
    many = st.tuples(st.sampled_from(["min", "max"]), st.lists(children, min_size=1, max_size=4))
    n_ary = many.map(
        lambda t: (
            f"{t[0]}({', '.join(c[0] for c in t[1])})",
            f"{t[0]}([{', '.join(c[1] for c in t[1])}])",
        )
    )
    return st.one_of(binary, bare, negated, signed_power, one, log_base, n_ary)


expressions = st.recursive(leaf(), extend, max_leaves=12)


def python_value(text: str) -> float | None:
    """What Python makes of the expression: a finite float, or None if it refuses or
    answers something that is not a finite real number."""
    try:
        value = eval(text, {"__builtins__": {}}, PYTHON_NAMES)  # test oracle, generated text
    except (ZeroDivisionError, ValueError, OverflowError, TypeError):
        return None
    return float(value)


def formula_value(text: str) -> float | None:
    try:
        return compile_formula(text, fields=set(FIELDS)).evaluate(FIELDS)
    except FormulaError:
        return None


@settings(max_examples=600, deadline=None)
@given(expressions)
def test_the_formula_language_agrees_with_python(pair):
    formula_text, python_text = pair
    expected = python_value(python_text)
    got = formula_value(formula_text)
    assert got == expected, (formula_text, python_text)


def outcome(text: str, values: dict[str, float]) -> float | FormulaError:
    """The value of the formula, or the FormulaError it raises (compiling or evaluating)."""
    try:
        return compile_formula(text, fields=set(values)).evaluate(values)
    except FormulaError as error:
        return error


@settings(max_examples=300, deadline=None)
@given(expressions)
def test_errors_always_point_inside_the_formula(pair):
    formula_text, _ = pair
    result = outcome(formula_text, FIELDS)
    if isinstance(result, FormulaError):
        assert 0 <= result.position <= len(formula_text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab01.+-*/^(), \nlogsqrtminax", max_size=60))
def test_any_text_either_evaluates_or_raises_a_formula_error(text):
    result = outcome(text, {"a": 1.5, "b": -2.0})
    if isinstance(result, FormulaError):
        assert 0 <= result.position <= len(text)
    else:
        assert math.isfinite(result)


rice_inputs = st.fixed_dictionaries(
    {
        "reach": st.integers(min_value=0, max_value=10**7),
        "impact": st.sampled_from([3, 2, 1, 0.5, 0.25]),
        "confidence": st.sampled_from([1.0, 0.8, 0.5]),
        "effort": st.floats(min_value=0.5, max_value=1000).map(lambda x: round(x, 1)),
    }
)


@settings(max_examples=300, deadline=None)
@given(rice_inputs)
def test_a_custom_formula_reproduces_rice(inputs):
    rice = builtin_scheme("rice")
    fields = [
        {"name": "reach", "min": 0},
        {"name": "impact", "min": 0.25, "max": 3},
        {"name": "confidence", "min": 0.5, "max": 1},
        {"name": "effort", "min": 0.5},
    ]
    custom = custom_scheme(fields, "reach * impact * confidence / effort")
    assert custom.score(custom.validate(inputs)) == rice.score(rice.validate(inputs))
