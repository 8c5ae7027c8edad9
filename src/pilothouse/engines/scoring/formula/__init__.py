"""The formula language of custom scoring models: a safe calculator over named fields.

    from pilothouse.engines.scoring.formula import compile_formula, FormulaError

    formula = compile_formula("reach * impact * confidence / effort",
                              fields={"reach", "impact", "confidence", "effort"})
    formula.names                                   # ('confidence', 'effort', 'impact', 'reach')
    formula.evaluate({"reach": 2000.0, "impact": 2.0, "confidence": 0.8, "effort": 4.0})  # 800.0

The language: numbers (12, 0.8, .5, 2e3), field names, + - * / and ^ (power,
right-associative and binding tighter than a unary minus: -2^2 = -4, as in maths and in
Python's **), parentheses, and the functions min(a, b, ...), max(a, b, ...), abs(x),
sqrt(x), log(x) (natural) and log(x, base). Nothing else: no names of Python, no
attribute access, no strings. The text is read by a hand-written tokenizer and a
recursive-descent parser (never eval/exec), limited to 2,000 characters and 40 levels
of nesting, then compiled to closures.

Every problem is a FormulaError with a message and the 0-based `position` of the
character it is about; `caret_lines(formula, position)` draws a "^" under it.
"""

from pilothouse.engines.scoring.formula.compiler import FUNCTIONS, CompiledFormula, compile_formula
from pilothouse.engines.scoring.formula.errors import FormulaError, caret_lines
from pilothouse.engines.scoring.formula.parser import MAX_NESTING, parse
from pilothouse.engines.scoring.formula.tokens import MAX_FORMULA_LENGTH

__all__ = [
    "FUNCTIONS",
    "MAX_FORMULA_LENGTH",
    "MAX_NESTING",
    "CompiledFormula",
    "FormulaError",
    "caret_lines",
    "compile_formula",
    "parse",
]
