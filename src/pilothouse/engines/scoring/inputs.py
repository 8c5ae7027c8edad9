"""The inputs a scoring model asks for, and their validation.

An `InputSpec` describes one input: its name (the key in the inputs mapping and in
formulas), label and help for people, and what it accepts: a set of allowed values
(`choices`, each with a label, e.g. RICE impact 3 "Massive"), or a range (`minimum`,
`maximum`, either open), optionally whole numbers only (`integer`).

`validate_inputs(specs, raw)` checks a mapping of name -> value as it arrives from a
form or JSON and answers the values as floats (None for a missing input: a score with a
missing input is incomplete, not wrong), or raises InputErrors with one message per
field name.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

Values = dict[str, float | None]


@dataclass(frozen=True)
class Choice:
    value: float
    label: str


@dataclass(frozen=True)
class InputSpec:
    name: str
    label: str
    help: str = ""
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[Choice, ...] = ()
    integer: bool = False

    def __post_init__(self) -> None:
        # Bounds given as ints compare and print like the floats the values become.
        for name in ("minimum", "maximum"):
            bound = getattr(self, name)
            if bound is not None:
                object.__setattr__(self, name, float(bound))

    def describe(self) -> str:
        """What the input accepts, in words: "one of 3, 2, 1, 0.5, 0.25", "1 to 10"."""
        if self.choices:
            return "one of " + ", ".join(_plain(choice.value) for choice in self.choices)
        whole = "a whole number" if self.integer else "a number"
        if self.minimum is not None and self.maximum is not None:
            return f"{whole} from {_plain(self.minimum)} to {_plain(self.maximum)}"
        if self.minimum is not None:
            return f"{whole} of at least {_plain(self.minimum)}"
        if self.maximum is not None:
            return f"{whole} of at most {_plain(self.maximum)}"
        return whole

    def check(self, raw: object) -> float | None:
        """The value as a float (None if missing); ValueError with the reason if bad."""
        value = as_number(raw)
        if value is None:
            return None
        if self.choices:
            if all(value != choice.value for choice in self.choices):
                raise ValueError(f"must be {self.describe()}, not {_plain(value)}")
            return value
        if self.integer and not value.is_integer():
            raise ValueError(f"must be {self.describe()}, not {_plain(value)}")
        if (self.minimum is not None and value < self.minimum) or (
            self.maximum is not None and value > self.maximum
        ):
            raise ValueError(f"must be {self.describe()}, not {_plain(value)}")
        return value


class InputErrors(ValueError):
    """Inputs that were refused: `errors` maps each field name to its message."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{name}: {message}" for name, message in self.errors.items()))


def _plain(value: float) -> str:
    """0.5 as "0.5", 2.0 as "2", 1e12 as "1,000,000,000,000"."""
    value = float(value)
    if value.is_integer() and abs(value) < 1e16:
        return f"{int(value):,}" if abs(value) >= 10_000 else str(int(value))
    return repr(value)


def as_number(raw: object) -> float | None:
    """A value from a form or JSON as a finite float: None, "" and "  " are missing;
    numbers and numeric strings are read; anything else (booleans, lists, "many",
    infinities, NaN) raises ValueError."""
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise ValueError("must be a number, not true or false")
    if isinstance(raw, int | float | Decimal | Fraction):
        value = float(raw)
    elif isinstance(raw, str):
        text = raw.strip()
        if not text:
            return None
        try:
            value = float(text)
        except ValueError:
            raise ValueError(f"must be a number, not {raw!r}") from None
    else:
        raise ValueError(f"must be a number, not {type(raw).__name__}")
    if not math.isfinite(value):
        raise ValueError("must be a finite number")
    return value


def validate_inputs(
    specs: Sequence[InputSpec], raw: Mapping[str, object], *, ignore_unknown: bool = False
) -> Values:
    """{name: float or None} for every spec, from `raw` ({name: value}); names not in
    `specs` are refused (or dropped, with `ignore_unknown`). Raises InputErrors naming
    every bad field."""
    errors: dict[str, str] = {}
    if not isinstance(raw, Mapping):
        raise InputErrors({"inputs": "must be an object of field names and values"})
    known = {spec.name for spec in specs}
    if not ignore_unknown:
        for name in raw:
            if name not in known:
                listing = ", ".join(spec.name for spec in specs) or "no inputs"
                errors[str(name)] = f"unknown input; this model takes: {listing}"
    values: Values = {}
    for spec in specs:
        try:
            values[spec.name] = spec.check(raw.get(spec.name))
        except ValueError as exc:
            errors[spec.name] = str(exc)
    if errors:
        raise InputErrors(errors)
    return values


def stored_form(values: Mapping[str, float | None]) -> dict[str, int | float]:
    """The values as they are kept (JSON): missing ones left out, whole numbers as
    integers (2000 rather than 2000.0)."""
    return {
        name: int(value) if value.is_integer() and abs(value) < 2**53 else value
        for name, value in values.items()
        if value is not None
    }
