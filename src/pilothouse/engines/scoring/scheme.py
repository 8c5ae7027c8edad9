"""What every scoring model is to the app: a `Scheme`.

A scheme knows the inputs it asks for (validated per field), the computed fields it
reads (figures the app supplies about each feature, such as its ARR demand: only custom
formulas read them), how to compute the score, and for some frameworks a category
(value vs effort's quadrant). The built-in frameworks (`frameworks.py`) and custom
formulas (`custom.py`) both build one, so the app treats them alike.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from pilothouse.engines.scoring.inputs import InputSpec, Values, validate_inputs

Calculate = Callable[[Mapping[str, float]], float]
Categorize = Callable[[Mapping[str, float]], str]


@dataclass(frozen=True)
class Scheme:
    """How one scoring model scores a feature.

    `required` are the names the score needs (inputs and computed fields); when any of
    them is None the score is None: incomplete, not an error. `computed` are the
    computed fields among them (empty for the built-in frameworks). `calculate` gets a
    float for every required name; a custom formula may raise FormulaError from it
    (division by zero and the like).
    """

    framework: str
    inputs: tuple[InputSpec, ...]
    calculate: Calculate
    required: tuple[str, ...]
    computed: tuple[str, ...] = ()
    formula: str = ""  # how the score is computed, for people
    categorize: Categorize | None = None
    categories: Mapping[str, str] = field(default_factory=dict)  # key -> label

    @property
    def input_names(self) -> tuple[str, ...]:
        return tuple(spec.name for spec in self.inputs)

    def validate(self, raw: Mapping[str, object], *, ignore_unknown: bool = False) -> Values:
        """The inputs as floats (None where missing), or InputErrors naming each bad one."""
        return validate_inputs(self.inputs, raw, ignore_unknown=ignore_unknown)

    def complete(self, values: Mapping[str, float | None]) -> bool:
        return all(values.get(name) is not None for name in self.required)

    def score(self, values: Mapping[str, float | None]) -> float | None:
        """The score from validated inputs (plus computed fields, if it reads any), or
        None if a value it needs is missing."""
        for name in self.required:
            if values.get(name) is None:
                return None
        return self.calculate(values)

    def category(self, values: Mapping[str, float | None]) -> str | None:
        """The category key (e.g. "quick_win"), if the framework has categories and the
        values it needs are there."""
        if self.categorize is None or not self.complete(values):
            return None
        return self.categorize(values)
