"""The scoring engine: prioritization frameworks, custom formulas, ranking. No Django.

    from pilothouse.engines import scoring

    rice = scoring.builtin_scheme("rice")
    values = rice.validate({"reach": 2000, "impact": 2, "confidence": 0.8, "effort": 4})
    rice.score(values)                                  # 800.0

    custom = scoring.custom_scheme(
        [{"name": "value", "label": "Value", "min": 1, "max": 10}],
        "value * log(1 + arr_demand, 10) / max(effort_high, 1)",
    )
    custom.computed                                     # ('arr_demand', 'effort_high')

    scoring.rank({7: 800.0, 8: None, 9: 120.5})          # best first, unscored last
    scoring.compare(rice_scores, wsjf_scores, top_n=10)  # Spearman, Kendall tau, moves

Every model is a `Scheme` (scheme.py): its inputs as `InputSpec`s with their allowed
values or range, `validate(raw)` answering floats or raising InputErrors (a message per
field name), and `score(values)`: None when a needed value is missing (incomplete), a
float otherwise; custom formulas raise FormulaError (message and 0-based position) on
division by zero and the like. The frameworks and their scales are documented in
frameworks.py (ICE multiplies its three factors; value vs effort's quadrants split at 5),
the formula language in formula/__init__.py, custom models in custom.py.
"""

from pilothouse.engines.scoring.custom import (
    COMPUTED_FIELDS,
    COMPUTED_NAMES,
    ComputedField,
    custom_inputs,
    custom_scheme,
)
from pilothouse.engines.scoring.formula import (
    FUNCTIONS,
    MAX_FORMULA_LENGTH,
    CompiledFormula,
    FormulaError,
    caret_lines,
    compile_formula,
)
from pilothouse.engines.scoring.frameworks import (
    BUILTIN,
    CUSTOM,
    ICE,
    QUADRANT_THRESHOLD,
    QUADRANTS,
    RICE,
    VALUE_EFFORT,
    WSJF,
    builtin_scheme,
    quadrant,
)
from pilothouse.engines.scoring.inputs import (
    Choice,
    InputErrors,
    InputSpec,
    stored_form,
    validate_inputs,
)
from pilothouse.engines.scoring.ranking import (
    Comparison,
    Move,
    Ranked,
    compare,
    kendall_tau,
    rank,
    ranks,
    spearman,
)
from pilothouse.engines.scoring.scheme import Scheme

FRAMEWORKS = (RICE, ICE, WSJF, VALUE_EFFORT, CUSTOM)

__all__ = [
    "BUILTIN",
    "COMPUTED_FIELDS",
    "COMPUTED_NAMES",
    "CUSTOM",
    "FRAMEWORKS",
    "FUNCTIONS",
    "ICE",
    "MAX_FORMULA_LENGTH",
    "QUADRANTS",
    "QUADRANT_THRESHOLD",
    "RICE",
    "VALUE_EFFORT",
    "WSJF",
    "Choice",
    "Comparison",
    "CompiledFormula",
    "ComputedField",
    "FormulaError",
    "InputErrors",
    "InputSpec",
    "Move",
    "Ranked",
    "Scheme",
    "builtin_scheme",
    "caret_lines",
    "compare",
    "compile_formula",
    "custom_inputs",
    "custom_scheme",
    "kendall_tau",
    "quadrant",
    "rank",
    "ranks",
    "spearman",
    "stored_form",
    "validate_inputs",
]
