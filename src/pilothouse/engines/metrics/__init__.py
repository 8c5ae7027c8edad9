"""The metrics engine: periods of a granularity, roll-ups, the status of a metric
against its target (with the sentence that explains it), and key results read from a
metric's values.

Pure Python (standard library only); no Django. The app passes dates, floats and
strings in and gets numbers and frozen dataclasses back; bad input raises a ValueError
naming the argument.

    from pilothouse.engines import metrics

    metrics.is_period_start(day, "week")                  # a Monday?
    metrics.roll_up(values=pairs, source="day", target="week", aggregation="sum")
    metrics.evaluate(values=pairs, targets=[metrics.Target(start, end, 45_000)],
                     direction="higher", granularity="day", tolerance_percent=5,
                     today=today)                         # MetricStatus with a sentence
    metrics.key_result_reading(values=pairs, reading="period_sum", start=s, end=e)
    metrics.score([0.5, 0.9]); metrics.score_band(0.7)    # 0.7, "green"
"""

from pilothouse.engines.metrics.key_results import (
    GREEN_FROM,
    READINGS,
    YELLOW_FROM,
    check_reading,
    key_result_reading,
    label_span,
    progress,
    reading_history,
    score,
    score_band,
)
from pilothouse.engines.metrics.periods import (
    GRANULARITIES,
    check_granularity,
    is_period_start,
    misalignment,
    next_period_start,
    period_end,
    period_label,
    period_start,
)
from pilothouse.engines.metrics.rollup import (
    AGGREGATIONS,
    RolledValue,
    aggregate,
    can_roll_up,
    roll_up,
)
from pilothouse.engines.metrics.status import (
    AT_RISK,
    NO_DATA,
    NO_TARGET,
    OFF_TRACK,
    ON_TRACK,
    STATUS_LABELS,
    STATUS_ORDER,
    STATUSES,
    TREND_WINDOW_DAYS,
    MetricStatus,
    Target,
    Trend,
    covering_target,
    evaluate,
    fit_trend,
    format_percent,
    format_value,
    recent,
)

__all__ = [
    "AGGREGATIONS",
    "AT_RISK",
    "GRANULARITIES",
    "GREEN_FROM",
    "NO_DATA",
    "NO_TARGET",
    "OFF_TRACK",
    "ON_TRACK",
    "READINGS",
    "STATUSES",
    "STATUS_LABELS",
    "STATUS_ORDER",
    "TREND_WINDOW_DAYS",
    "YELLOW_FROM",
    "MetricStatus",
    "RolledValue",
    "Target",
    "Trend",
    "aggregate",
    "can_roll_up",
    "check_granularity",
    "check_reading",
    "covering_target",
    "evaluate",
    "fit_trend",
    "format_percent",
    "format_value",
    "is_period_start",
    "key_result_reading",
    "label_span",
    "misalignment",
    "next_period_start",
    "period_end",
    "period_label",
    "period_start",
    "progress",
    "reading_history",
    "recent",
    "roll_up",
    "score",
    "score_band",
]
