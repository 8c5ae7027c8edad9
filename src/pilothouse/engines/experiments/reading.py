"""Plain-language readings of results, one sentence per variant and metric:

    B is 4.1% better on revenue, 95% CI 1.2% to 7.0% (p = 0.004); SRM check passed.

"Better" and "worse" follow the metric's direction (a lower-is-better metric that goes
down is better). Relative effects read as percentages, absolute ones as numbers. With a
correction the adjusted p-value and interval are the ones read.
"""

from __future__ import annotations

import math

from pilothouse.engines.experiments.analysis import ExperimentAnalysis, VariantResult
from pilothouse.engines.experiments.batch import AnalysisSettings
from pilothouse.engines.experiments.srm import SRM_THRESHOLD, SrmCheck


def describe(
    result: VariantResult, *, settings: AnalysisSettings, srm: SrmCheck | None = None
) -> str:
    srm_part = f"; {describe_srm(srm)}" if srm is not None else "."
    if result.issue is not None:
        return (
            f"{result.variant} vs control on {result.metric} cannot be estimated: "
            f"{result.issue.explanation}{srm_part}"
        )
    relative = settings.difference == "relative"
    effect = result.effect
    if effect == 0:
        change = f"{result.variant} is no different from the control on {result.metric}"
    else:
        better = (effect < 0) if result.lower_is_better else (effect > 0)
        size = format_effect(abs(effect), relative=relative)
        change = f"{result.variant} is {size} {'better' if better else 'worse'} on {result.metric}"
    return f"{change}, {_interval(result, settings)} ({_evidence(result, settings)}){srm_part}"


def describe_srm(srm: SrmCheck) -> str:
    if not srm.flagged:
        return "SRM check passed."
    return (
        f"SRM check failed (p = {srm.p_value:.2g}, below {SRM_THRESHOLD:g}): the units per "
        "variant do not match the planned split, so do not trust these results until "
        "the assignment is explained."
    )


def readings(analysis: ExperimentAnalysis) -> list[str]:
    return [
        describe(result, settings=analysis.settings, srm=analysis.srm)
        for result in analysis.results
    ]


def format_effect(value: float, *, relative: bool) -> str:
    """4.1% for a relative effect (2 significant digits below 1%), else 3 significant digits."""
    if not math.isfinite(value):
        return "unbounded"
    if not relative:
        return f"{value:.3g}"
    percent = value * 100
    return f"{percent:.1f}%" if percent == 0 or abs(percent) >= 1 else f"{percent:.2g}%"


def format_p(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def _interval(result: VariantResult, settings: AnalysisSettings) -> str:
    level = f"{(1 - settings.alpha) * 100:g}%"
    relative = settings.difference == "relative"
    low, high = result.ci_adjusted if result.ci_adjusted is not None else result.ci
    if settings.engine == "bayesian":
        kind = "credible interval"
    elif settings.sequential_tuning is not None:
        kind = "confidence sequence"
    else:
        kind = "adjusted CI" if result.ci_adjusted is not None else "CI"
    if not math.isfinite(low) and not math.isfinite(high):
        return f"{level} {kind} unbounded"
    if not math.isfinite(high):
        return f"{level} lower bound {format_effect(low, relative=relative)}"
    if not math.isfinite(low):
        return f"{level} upper bound {format_effect(high, relative=relative)}"
    return (
        f"{level} {kind} {format_effect(low, relative=relative)} "
        f"to {format_effect(high, relative=relative)}"
    )


def _evidence(result: VariantResult, settings: AnalysisSettings) -> str:
    if result.chance_to_win is not None:
        risk = ""
        if result.risk is not None:
            size = format_effect(result.risk[1], relative=settings.difference == "relative")
            risk = f", risk of choosing {result.variant} {size}"
        return f"chance to win {result.chance_to_win:.1%}{risk}"
    if result.p_value_adjusted is not None:
        p, label = result.p_value_adjusted, "adjusted "
    else:
        p, label = (result.p_value if result.p_value is not None else 1.0), ""
    verdict = "" if p < settings.alpha else ", not significant"
    return f"{label}{format_p(p)}{verdict}"
