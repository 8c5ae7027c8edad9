"""The built-in prioritization frameworks: RICE, ICE, WSJF and value vs effort.

RICE (Intercom): reach x impact x confidence / effort.
    reach: people or events per period, >= 0; impact: 3 massive, 2 high, 1 medium,
    0.5 low, 0.25 minimal; confidence as a fraction: 1.0 high, 0.8 medium, 0.5 low
    (pages show it as a percentage); effort: person-months, >= 0.5.
    Reach 2000, impact 2, confidence 0.8, effort 4 score 800.

ICE: impact, confidence and ease, whole numbers from 1 to 10, combined as the product
    I x C x E (1 to 1,000). Sean Ellis's original averages the three; we multiply, as
    RICE does, so that one weak factor pulls the score down in proportion: an idea we
    have no confidence in (1) should not rank among the best because it would be
    easy and big (with the average, 10 / 10 / 1 scores 7, above a solid 6 / 6 / 6;
    with the product it scores 100 against 216). A team that wants the average writes
    a custom model: (impact + confidence + ease) / 3.

WSJF (SAFe): cost of delay / job size = (business value + time criticality + risk
    reduction or opportunity enablement) / job size, each on the modified Fibonacci
    scale 1, 2, 3, 5, 8, 13, 20.

Value vs effort: value and effort, whole numbers from 1 to 10; the score is value /
    effort, and the 2x2 quadrant splits each axis at QUADRANT_THRESHOLD: 6 to 10 is
    high, 1 to 5 is low (five values on each side of the middle of the scale).
    High value and low effort: quick win; high value, high effort: big bet; low value,
    low effort: fill-in; low value, high effort: time sink.
"""

from __future__ import annotations

from collections.abc import Mapping

from pilothouse.engines.scoring.inputs import Choice, InputSpec
from pilothouse.engines.scoring.scheme import Scheme

RICE, ICE, WSJF, VALUE_EFFORT, CUSTOM = "rice", "ice", "wsjf", "value_effort", "custom"

# --- RICE ----------------------------------------------------------------------------------

RICE_IMPACT = (
    Choice(3.0, "Massive (3)"),
    Choice(2.0, "High (2)"),
    Choice(1.0, "Medium (1)"),
    Choice(0.5, "Low (0.5)"),
    Choice(0.25, "Minimal (0.25)"),
)
RICE_CONFIDENCE = (
    Choice(1.0, "High (100%)"),
    Choice(0.8, "Medium (80%)"),
    Choice(0.5, "Low (50%)"),
)
# Bounds well beyond any real backlog, so that no valid input can overflow a double.
MAX_REACH = 1e12
MAX_EFFORT_MONTHS = 10_000.0

RICE_INPUTS = (
    InputSpec(
        "reach",
        "Reach",
        "How many people or events it touches per period (e.g. customers per quarter).",
        minimum=0.0,
        maximum=MAX_REACH,
    ),
    InputSpec(
        "impact",
        "Impact",
        "How much it moves the needle for each one reached.",
        choices=RICE_IMPACT,
    ),
    InputSpec(
        "confidence",
        "Confidence",
        "How sure you are of the reach, impact and effort estimates.",
        choices=RICE_CONFIDENCE,
    ),
    InputSpec(
        "effort",
        "Effort",
        "Person-months of work across the whole team; at least half a month.",
        minimum=0.5,
        maximum=MAX_EFFORT_MONTHS,
    ),
)


def rice(values: Mapping[str, float]) -> float:
    return values["reach"] * values["impact"] * values["confidence"] / values["effort"]


# --- ICE -----------------------------------------------------------------------------------


def _one_to_ten(name: str, label: str, help_text: str) -> InputSpec:
    return InputSpec(name, label, help_text, minimum=1.0, maximum=10.0, integer=True)


ICE_INPUTS = (
    _one_to_ten("impact", "Impact", "How much it would improve the metric that matters, 1-10."),
    _one_to_ten("confidence", "Confidence", "How sure you are that it will, 1-10."),
    _one_to_ten("ease", "Ease", "How easy it is to do: 10 is a day's work, 1 is months."),
)


def ice(values: Mapping[str, float]) -> float:
    return values["impact"] * values["confidence"] * values["ease"]


# --- WSJF ----------------------------------------------------------------------------------

FIBONACCI = (1.0, 2.0, 3.0, 5.0, 8.0, 13.0, 20.0)
_FIBONACCI_CHOICES = tuple(Choice(value, str(int(value))) for value in FIBONACCI)

WSJF_INPUTS = (
    InputSpec(
        "business_value",
        "Business value",
        "Value to users and the business, relative to the other features.",
        choices=_FIBONACCI_CHOICES,
    ),
    InputSpec(
        "time_criticality",
        "Time criticality",
        "How fast the value decays if it waits (deadlines, competitors).",
        choices=_FIBONACCI_CHOICES,
    ),
    InputSpec(
        "risk_reduction",
        "Risk reduction / opportunity enablement",
        "Risk it removes, or the opportunities it opens up.",
        choices=_FIBONACCI_CHOICES,
    ),
    InputSpec(
        "job_size",
        "Job size",
        "The size of the work, relative to the other features.",
        choices=_FIBONACCI_CHOICES,
    ),
)


def wsjf(values: Mapping[str, float]) -> float:
    cost_of_delay = values["business_value"] + values["time_criticality"] + values["risk_reduction"]
    return cost_of_delay / values["job_size"]


# --- value vs effort -------------------------------------------------------------------------

# Values above this are "high" (6-10), the others "low" (1-5).
QUADRANT_THRESHOLD = 5.0
QUICK_WIN, BIG_BET, FILL_IN, TIME_SINK = "quick_win", "big_bet", "fill_in", "time_sink"
QUADRANTS = {
    QUICK_WIN: "Quick win",
    BIG_BET: "Big bet",
    FILL_IN: "Fill-in",
    TIME_SINK: "Time sink",
}

VALUE_EFFORT_INPUTS = (
    _one_to_ten("value", "Value", "Value to customers and the business, 1-10."),
    _one_to_ten("effort", "Effort", "Work it takes, 1-10."),
)


def value_per_effort(values: Mapping[str, float]) -> float:
    return values["value"] / values["effort"]


def quadrant(value: float, effort: float) -> str:
    """The 2x2 quadrant of a value and an effort on the 1-10 scale."""
    high_value = value > QUADRANT_THRESHOLD
    high_effort = effort > QUADRANT_THRESHOLD
    if high_value:
        return BIG_BET if high_effort else QUICK_WIN
    return TIME_SINK if high_effort else FILL_IN


# --- the registry ----------------------------------------------------------------------------


def _builtin(framework: str, inputs, calculate, formula: str, **extra) -> Scheme:
    return Scheme(
        framework=framework,
        inputs=inputs,
        calculate=calculate,
        required=tuple(spec.name for spec in inputs),
        formula=formula,
        **extra,
    )


BUILTIN: dict[str, Scheme] = {
    RICE: _builtin(RICE, RICE_INPUTS, rice, "reach * impact * confidence / effort"),
    ICE: _builtin(ICE, ICE_INPUTS, ice, "impact * confidence * ease"),
    WSJF: _builtin(
        WSJF,
        WSJF_INPUTS,
        wsjf,
        "(business_value + time_criticality + risk_reduction) / job_size",
    ),
    VALUE_EFFORT: _builtin(
        VALUE_EFFORT,
        VALUE_EFFORT_INPUTS,
        value_per_effort,
        "value / effort",
        categorize=lambda values: quadrant(values["value"], values["effort"]),
        categories=QUADRANTS,
    ),
}


def builtin_scheme(framework: str) -> Scheme:
    """The scheme of a built-in framework; KeyError for "custom" or an unknown name."""
    return BUILTIN[framework]
