"""Checking a syntax tree against the known fields and functions, and turning it into
nested Python closures, so that evaluating a formula for 20,000 features costs a few
function calls each and no parsing.

Evaluation is IEEE double arithmetic in the order Python uses (left to right), with the
cases where the result is not a real, finite number turned into FormulaErrors that point
at the operator or function responsible: division by zero, 0 to a negative power, a
negative number to a fractional power, sqrt of a negative number, log of a number that
is not positive (or to a base that is not positive or is 1), and any result beyond the
largest double.
"""

from __future__ import annotations

import difflib
import math
import operator
import sys
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass

from pilothouse.engines.scoring.formula.errors import FormulaError
from pilothouse.engines.scoring.formula.nodes import (
    Call,
    Chain,
    Name,
    Negate,
    Node,
    Number,
    Power,
    walk,
)
from pilothouse.engines.scoring.formula.parser import parse

Values = Mapping[str, float]
Evaluator = Callable[[Values], float]

LARGEST = sys.float_info.max
# Chains up to this many links compile to nested two-operand closures (the fastest);
# longer ones to one loop, so evaluation never recurses deeper than the nesting limit.
NESTED_CHAIN_LINKS = 6


@dataclass(frozen=True)
class Function:
    name: str
    least: int
    most: int | None  # None: any number
    usage: str

    def arity_error(self, given: int, position: int) -> FormulaError:
        if self.most is None:
            wanted = f"at least {self.least} argument{'s' if self.least > 1 else ''}"
        elif self.least == self.most:
            wanted = f"{self.least} argument{'s' if self.least > 1 else ''}"
        else:
            wanted = f"{self.least} or {self.most} arguments"
        return FormulaError(f"{self.name} takes {wanted} ({self.usage}), not {given}", position)


FUNCTIONS: dict[str, Function] = {
    f.name: f
    for f in (
        Function("min", 1, None, "min(a, b, ...): the smallest"),
        Function("max", 1, None, "max(a, b, ...): the largest"),
        Function("abs", 1, 1, "abs(x)"),
        Function("sqrt", 1, 1, "sqrt(x): the square root"),
        Function("log", 1, 2, "log(x): natural logarithm; log(x, base)"),
    )
}


@dataclass(frozen=True)
class CompiledFormula:
    """A checked formula, ready to evaluate.

    `names` are the fields it reads (sorted). `evaluate(values)` needs a float for each
    of them and answers a finite float, or raises FormulaError.
    """

    text: str
    names: tuple[str, ...]
    tree: Node
    evaluator: Evaluator

    def evaluate(self, values: Values) -> float:
        return self.evaluator(values)


def _fmt(value: float) -> str:
    return f"{value:g}"


def _too_large(position: int) -> FormulaError:
    return FormulaError(f"the result is too large to compute (beyond ±{LARGEST:.3g})", position)


# --- checking the tree -------------------------------------------------------------------


def _unknown_name(name: Name, fields: Collection[str]) -> FormulaError:
    if name.name in FUNCTIONS:
        return FormulaError(
            f"'{name.name}' is a function: call it with parentheses, e.g. "
            f"{FUNCTIONS[name.name].usage.split(':')[0]}",
            name.position,
        )
    known = sorted(fields)
    close = difflib.get_close_matches(name.name, known, n=1)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    listing = f"known fields: {', '.join(known)}" if known else "this model has no fields"
    return FormulaError(f"unknown field '{name.name}'{hint} ({listing})", name.position)


def _call_problem(call: Call, fields: Collection[str]) -> FormulaError | None:
    function = FUNCTIONS.get(call.function)
    if function is None:
        if call.function in fields:
            return FormulaError(
                f"'{call.function}' is a field, not a function; write "
                f"{call.function} * (...) to multiply",
                call.position,
            )
        close = difflib.get_close_matches(call.function, sorted(FUNCTIONS), n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        return FormulaError(
            f"unknown function '{call.function}'{hint} (functions: {', '.join(sorted(FUNCTIONS))})",
            call.position,
        )
    given = len(call.arguments)
    if given < function.least or (function.most is not None and given > function.most):
        return function.arity_error(given, call.position)
    return None


def check(tree: Node, fields: Collection[str]) -> None:
    """Raise the leftmost problem of the tree: an unknown field or function, or a
    function called with the wrong number of arguments."""
    problems: list[FormulaError] = []
    for node in walk(tree):
        if isinstance(node, Name) and node.name not in fields:
            problems.append(_unknown_name(node, fields))
        elif isinstance(node, Call):
            problem = _call_problem(node, fields)
            if problem is not None:
                problems.append(problem)
    if problems:
        raise min(problems, key=lambda problem: problem.position)


# --- closures ----------------------------------------------------------------------------


def _binary(operator_text: str, position: int, left: Evaluator, right: Evaluator) -> Evaluator:
    if operator_text == "+":

        def add(values: Values) -> float:
            result = left(values) + right(values)
            if -LARGEST <= result <= LARGEST:
                return result
            raise _too_large(position)

        return add
    if operator_text == "-":

        def subtract(values: Values) -> float:
            result = left(values) - right(values)
            if -LARGEST <= result <= LARGEST:
                return result
            raise _too_large(position)

        return subtract
    if operator_text == "*":

        def multiply(values: Values) -> float:
            result = left(values) * right(values)
            if -LARGEST <= result <= LARGEST:
                return result
            raise _too_large(position)

        return multiply

    def divide(values: Values) -> float:
        numerator = left(values)
        denominator = right(values)
        if denominator == 0:
            raise FormulaError("division by zero", position)
        result = numerator / denominator
        if -LARGEST <= result <= LARGEST:
            return result
        raise _too_large(position)

    return divide


_APPLY = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}


def _chain(first: Evaluator, links: list[tuple[str, int, Evaluator]]) -> Evaluator:
    if len(links) <= NESTED_CHAIN_LINKS:
        evaluator = first
        for operator_text, position, term in links:
            evaluator = _binary(operator_text, position, evaluator, term)
        return evaluator
    steps = [(_APPLY[op], op == "/", position, term) for op, position, term in links]

    def fold(values: Values) -> float:
        result = first(values)
        for apply, divides, position, term in steps:
            operand = term(values)
            if divides and operand == 0:
                raise FormulaError("division by zero", position)
            result = apply(result, operand)
            if not -LARGEST <= result <= LARGEST:
                raise _too_large(position)
        return result

    return fold


def _power(position: int, base: Evaluator, exponent: Evaluator) -> Evaluator:
    def power(values: Values) -> float:
        x = base(values)
        y = exponent(values)
        if x == 0 and y < 0:
            raise FormulaError("division by zero (0 raised to a negative power)", position)
        if x < 0 and not float(y).is_integer():
            raise FormulaError(
                f"a negative number ({_fmt(x)}) raised to a fractional power "
                f"({_fmt(y)}) is not a real number",
                position,
            )
        try:
            result = x**y
        except OverflowError:
            raise _too_large(position) from None
        if -LARGEST <= result <= LARGEST:
            return result
        raise _too_large(position)

    return power


def _call(call: Call, arguments: list[Evaluator]) -> Evaluator:
    name, position = call.function, call.position
    if name in ("min", "max"):
        pick = min if name == "min" else max
        if len(arguments) == 1:
            return arguments[0]
        if len(arguments) == 2:
            first, second = arguments
            return lambda values: pick(first(values), second(values))
        return lambda values: pick([argument(values) for argument in arguments])
    if name == "abs":
        (inner,) = arguments
        return lambda values: abs(inner(values))
    if name == "sqrt":
        (inner,) = arguments

        def square_root(values: Values) -> float:
            x = inner(values)
            if x < 0:
                raise FormulaError(f"sqrt of a negative number ({_fmt(x)})", position)
            return math.sqrt(x)

        return square_root
    # log
    if len(arguments) == 1:
        (inner,) = arguments

        def natural_log(values: Values) -> float:
            x = inner(values)
            if x <= 0:
                raise FormulaError(f"log of a number that is not positive ({_fmt(x)})", position)
            return math.log(x)

        return natural_log
    inner, base = arguments

    def log_base(values: Values) -> float:
        x = inner(values)
        b = base(values)
        if x <= 0:
            raise FormulaError(f"log of a number that is not positive ({_fmt(x)})", position)
        if b <= 0 or b == 1:
            raise FormulaError(f"log base must be positive and not 1 (it is {_fmt(b)})", position)
        return math.log(x, b)

    return log_base


def _closure(node: Node) -> Evaluator:
    if isinstance(node, Number):
        value = node.value
        return lambda values: value
    if isinstance(node, Name):
        return operator.itemgetter(node.name)
    if isinstance(node, Negate):
        inner = _closure(node.operand)
        return lambda values: -inner(values)
    if isinstance(node, Chain):
        links = [(link.operator, link.position, _closure(link.term)) for link in node.links]
        return _chain(_closure(node.first), links)
    if isinstance(node, Power):
        return _power(node.position, _closure(node.base), _closure(node.exponent))
    if isinstance(node, Call):
        return _call(node, [_closure(argument) for argument in node.arguments])
    raise TypeError(f"not a formula node: {node!r}")  # pragma: no cover


def compile_formula(text: str, *, fields: Collection[str]) -> CompiledFormula:
    """Parse and check `text` against the field names it may read; FormulaError (with
    its position) on the first problem found, scanning left to right."""
    tree = parse(text)
    check(tree, frozenset(fields))
    used = sorted({node.name for node in walk(tree) if isinstance(node, Name)})
    return CompiledFormula(text=text, names=tuple(used), tree=tree, evaluator=_closure(tree))
