"""The experiment statistics engine: A/B test analysis from per-variant sums.

numpy and scipy only; no Django. The formulas are those of GrowthBook's open-source
stats engine (gbstats): Welch t-tests on absolute or relative effects (delta method),
a Bayesian normal model with an optional proper prior, chance to win and risk, the
sample ratio mismatch check, CUPED, ratio metrics, sequential testing (confidence
sequences) and Holm-Bonferroni or Benjamini-Hochberg corrections. See
docs/experiments.md.

One experiment:

    from pilothouse.engines import experiments as ex

    analysis = ex.analyze_experiment(
        variants=[ex.Variant("control", 0.5, 3407), ex.Variant("B", 0.5, 3461)],
        metrics=[ex.Metric("revenue", "mean", (ex.VariantSums(3407, 1396.87, 52377.9767),
                                               ex.VariantSums(3461, 2422.7, 134698.29)))],
        settings=ex.AnalysisSettings(engine="frequentist", difference="relative"),
    )
    analysis.results[0].p_value, ex.readings(analysis)

Many at once (arrays of shape (..., variants), the control first):

    out = ex.compare_variants(ex.MetricSums(n=n, value=ex.ColumnSums(sum=s, sum_squares=q)),
                              ex.AnalysisSettings(engine="bayesian"))
    out.chance_to_win  # shape (..., variants - 1)

Bad input raises ExperimentInputError (a ValueError) naming the field.
"""

from pilothouse.engines.experiments.analysis import (
    METRIC_TYPES,
    ExperimentAnalysis,
    Metric,
    MetricType,
    Variant,
    VariantResult,
    VariantSums,
    analyze_experiment,
)
from pilothouse.engines.experiments.batch import (
    DIFFERENCES,
    ENGINES,
    Adjusted,
    AnalysisSettings,
    Comparisons,
    Difference,
    Engine,
    adjust,
    compare_variants,
)
from pilothouse.engines.experiments.bayesian import FLAT_PRIOR, Prior, normal_prior
from pilothouse.engines.experiments.corrections import (
    CORRECTIONS,
    Correction,
    adjust_p_values,
    adjusted_intervals,
    benjamini_hochberg,
    holm_bonferroni,
)
from pilothouse.engines.experiments.frequentist import ALTERNATIVES, Alternative
from pilothouse.engines.experiments.inputs import (
    COLUMN_KINDS,
    ColumnKind,
    ColumnSums,
    ExperimentInputError,
    MetricSums,
)
from pilothouse.engines.experiments.issues import Issue
from pilothouse.engines.experiments.reading import (
    describe,
    describe_srm,
    format_effect,
    format_p,
    readings,
)
from pilothouse.engines.experiments.sample_size import (
    Baseline,
    SamplePlan,
    minimum_detectable_effect,
    power_of,
    sample_size,
)
from pilothouse.engines.experiments.sequential import DEFAULT_TUNING
from pilothouse.engines.experiments.srm import (
    SRM_THRESHOLD,
    SrmCheck,
    srm_check,
    srm_p_values,
)

__all__ = [
    "ALTERNATIVES",
    "COLUMN_KINDS",
    "CORRECTIONS",
    "DEFAULT_TUNING",
    "DIFFERENCES",
    "ENGINES",
    "FLAT_PRIOR",
    "METRIC_TYPES",
    "SRM_THRESHOLD",
    "Adjusted",
    "Alternative",
    "AnalysisSettings",
    "Baseline",
    "ColumnKind",
    "ColumnSums",
    "Comparisons",
    "Correction",
    "Difference",
    "Engine",
    "ExperimentAnalysis",
    "ExperimentInputError",
    "Issue",
    "Metric",
    "MetricSums",
    "MetricType",
    "Prior",
    "SamplePlan",
    "SrmCheck",
    "Variant",
    "VariantResult",
    "VariantSums",
    "adjust",
    "adjust_p_values",
    "adjusted_intervals",
    "analyze_experiment",
    "benjamini_hochberg",
    "compare_variants",
    "describe",
    "describe_srm",
    "format_effect",
    "format_p",
    "holm_bonferroni",
    "minimum_detectable_effect",
    "normal_prior",
    "power_of",
    "readings",
    "sample_size",
    "srm_check",
    "srm_p_values",
]
