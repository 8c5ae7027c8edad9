"""`pilothouse experiment analyze FILE.json [--json]`: an A/B test's results from a JSON file
of per-variant sums, without a database.

The smallest file has one metric, its sums on each variant (the control first):

    {"metric_type": "mean", "difference": "relative", "engine": "frequentist",
     "alpha": 0.05, "variants": [
        {"name": "control", "weight": 0.5, "n": 3407, "sum": 1396.87, "sum_squares": 52377.9767},
        {"name": "B", "weight": 0.5, "n": 3461, "sum": 2422.7, "sum_squares": 134698.29}]}

Ratio metrics, CUPED, one-sided and sequential tests, priors, several metrics and
corrections across them are described in docs/experiments.md. Human output by default (a
table and one plain sentence per variant); --json prints exactly one JSON object:
{"srm_p_value": P, "results": [{"variant", "effect", "se", "ci", "p_value",
"chance_to_win", "risk", "metric", "p_value_adjusted", "ci_adjusted", "error"}, ...]}.
A bad file exits 1 with a one-line reason naming the field, e.g. `variants[1].n: must be
at least 1`.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path
from typing import Any

from rich.table import Table
from rich.text import Text

from pilothouse.cli.base import CliError, Commands, console
from pilothouse.engines import experiments as ex

SUM_FIELDS = (
    "sum",
    "sum_squares",
    "denominator_sum",
    "denominator_sum_squares",
    "sum_denominator_products",
    "covariate_sum",
    "covariate_sum_squares",
    "sum_covariate_products",
)
METRIC_FIELDS = (
    "metric_type",
    "direction",
    "prior",
    "numerator_type",
    "denominator_type",
    "covariate_type",
)
SETTING_FIELDS = (
    "engine",
    "difference",
    "alpha",
    "alternative",
    "sequential",
    "sequential_tuning",
    "correction",
)
SINGLE_FIELDS = {*SETTING_FIELDS, *METRIC_FIELDS, "metric", "variants"}
SEVERAL_FIELDS = {*SETTING_FIELDS, "prior", "variants", "metrics"}
DEFAULT_METRIC_NAME = "the metric"


def read_experiment(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise CliError(f"{path}: cannot read the file: {exc}") from exc
    try:
        data = json.loads(text, parse_constant=_no_constant)
    except ValueError as exc:
        raise CliError(f"{path}: not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise CliError(f"{path}: expected a JSON object with the experiment's variants")
    return data


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not a number JSON allows")


class FileReader:
    """Turns the file's object into engine inputs; errors name the field's path."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.several = "metrics" in data

    def settings(self) -> ex.AnalysisSettings:
        data = self.data
        sequential = _flag(data, "sequential", "sequential")
        tuning = _number(data, "sequential_tuning", "sequential_tuning")
        if tuning is not None and not sequential:
            raise CliError('sequential_tuning: only with "sequential": true')
        return ex.AnalysisSettings(
            engine=_choice(data, "engine", "engine", ex.ENGINES, "frequentist"),
            difference=_choice(data, "difference", "difference", ex.DIFFERENCES, "relative"),
            alpha=_number(data, "alpha", "alpha", default=0.05),
            alternative=_choice(data, "alternative", "alternative", ex.ALTERNATIVES, "two-sided"),
            sequential_tuning=(ex.DEFAULT_TUNING if tuning is None else tuning)
            if sequential
            else None,
            prior=_prior(data.get("prior"), "prior") if self.several else ex.FLAT_PRIOR,
            correction=_choice(data, "correction", "correction", ex.CORRECTIONS, None),
        )

    def variants(self) -> list[ex.Variant]:
        allowed = {"name", "weight", "n"} | (set() if self.several else set(SUM_FIELDS))
        variants = []
        for index, entry in enumerate(_entries(self.data, "variants", "variants")):
            label = f"variants[{index}]"
            hint = "with metrics, sums go in metrics[i].variants" if self.several else ""
            _only(entry, allowed, label, hint=hint)
            name = entry.get("name")
            if not isinstance(name, str):
                raise CliError(f"{label}.name: required, a text")
            weight = _number(entry, "weight", f"{label}.weight", required=True)
            n = _whole(entry, "n", f"{label}.n")
            variants.append(ex.Variant(name=name, weight=weight, n=n))
        return variants

    def metrics(self, variants: list[ex.Variant]) -> list[ex.Metric]:
        if not self.several:
            _only(self.data, SINGLE_FIELDS, "", hint="see docs/experiments.md for the fields")
            name = self.data.get("metric", DEFAULT_METRIC_NAME)
            if not isinstance(name, str) or not name.strip():
                raise CliError("metric: a name, as text")
            sums = [
                _sums(entry, f"variants[{i}]", variant.n)
                for i, (entry, variant) in enumerate(
                    zip(self.data["variants"], variants, strict=True)
                )
            ]
            return [_metric(self.data, "", name, sums)]
        _only(self.data, SEVERAL_FIELDS, "", hint="per-metric fields go in metrics[i]")
        metrics = []
        for index, entry in enumerate(_entries(self.data, "metrics", "metrics")):
            label = f"metrics[{index}]"
            _only(entry, {"name", "variants", *METRIC_FIELDS}, label)
            name = entry.get("name")
            if not isinstance(name, str) or not name.strip():
                raise CliError(f"{label}.name: required, a text")
            rows = _entries(entry, "variants", f"{label}.variants")
            if len(rows) != len(variants):
                raise CliError(
                    f"{label}.variants: {len(rows)} entries for {len(variants)} variants "
                    "(one per variant, in the same order)"
                )
            sums = []
            for i, (row, variant) in enumerate(zip(rows, variants, strict=True)):
                _only(row, {"n", *SUM_FIELDS}, f"{label}.variants[{i}]")
                sums.append(_sums(row, f"{label}.variants[{i}]", variant.n))
            metrics.append(_metric(entry, f"{label}.", name, sums))
        return metrics

    def field(self, engine_field: str) -> str:
        """The file's name for a field the engine names (one metric: no metrics[0])."""
        if not self.several and engine_field.startswith("metrics[0]."):
            return engine_field.removeprefix("metrics[0].")
        return engine_field


def _metric(data: dict[str, Any], prefix: str, name: str, sums: list[ex.VariantSums]):
    kind = _choice(data, "metric_type", f"{prefix}metric_type", ex.METRIC_TYPES, None)
    if kind is None:
        raise CliError(f"{prefix}metric_type: required (mean, proportion or ratio)")
    direction = _choice(data, "direction", f"{prefix}direction", ("higher", "lower"), "higher")
    parts = ex.COLUMN_KINDS
    return ex.Metric(
        name=name,
        metric_type=kind,
        variants=tuple(sums),
        lower_is_better=direction == "lower",
        prior=_prior(data.get("prior"), f"{prefix}prior") if "prior" in data else None,
        numerator_type=_choice(data, "numerator_type", f"{prefix}numerator_type", parts, "mean"),
        denominator_type=_choice(
            data, "denominator_type", f"{prefix}denominator_type", parts, "mean"
        ),
        covariate_type=_choice(data, "covariate_type", f"{prefix}covariate_type", parts, None),
    )


def _sums(entry: dict[str, Any], label: str, default_n: int) -> ex.VariantSums:
    n = _whole(entry, "n", f"{label}.n") if "n" in entry else default_n
    values = {field: _number(entry, field, f"{label}.{field}") for field in SUM_FIELDS}
    if values["sum"] is None:
        raise CliError(f"{label}.sum: required, a number")
    return ex.VariantSums(n=n, **values)  # type: ignore[arg-type]


def _prior(value: Any, label: str) -> ex.Prior:
    if value is None:
        return ex.FLAT_PRIOR
    if not isinstance(value, dict):
        raise CliError(f'{label}: an object {{"mean": M, "variance": V}}')
    _only(value, {"mean", "variance", "scale"}, label)
    return ex.normal_prior(
        mean=_number(value, "mean", f"{label}.mean", default=0.0),
        variance=_number(value, "variance", f"{label}.variance", required=True),
        scale=_choice(value, "scale", f"{label}.scale", ("relative", "absolute"), "relative"),
    )


def _entries(data: dict[str, Any], key: str, label: str) -> list[dict[str, Any]]:
    value = data.get(key)
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise CliError(f"{label}: required, a list of objects")
    return value


def _only(entry: dict[str, Any], allowed: set[str], label: str, hint: str = "") -> None:
    for key in entry:
        if key not in allowed:
            where = f"{label}.{key}" if label else key
            raise CliError(f"{where}: unknown field" + (f" ({hint})" if hint else ""))


def _number(
    data: dict[str, Any], key: str, label: str, *, required: bool = False, default=None
) -> Any:
    value = data.get(key)
    if value is None:
        if required:
            raise CliError(f"{label}: required, a number")
        return default
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise CliError(f"{label}: must be a number, not {json.dumps(value)}")
    if not math.isfinite(value):
        raise CliError(f"{label}: must be a finite number")
    return float(value)


def _whole(data: dict[str, Any], key: str, label: str) -> int:
    value = _number(data, key, label, required=True)
    if value != math.floor(value):
        raise CliError(f"{label}: must be a whole number (got {value:g})")
    if value < 1:
        raise CliError(f"{label}: must be at least 1 (got {value:g})")
    return int(value)


def _flag(data: dict[str, Any], key: str, label: str) -> bool:
    value = data.get(key, False)
    if not isinstance(value, bool):
        raise CliError(f"{label}: must be true or false")
    return value


def _choice(data: dict[str, Any], key: str, label: str, choices, default) -> Any:
    value = data.get(key)
    if value is None:
        return default
    if value not in choices:
        raise CliError(f"{label}: must be one of {', '.join(choices)} (got {json.dumps(value)})")
    return value


def analyze_file(path: Path) -> ex.ExperimentAnalysis:
    reader = FileReader(read_experiment(path))
    try:
        settings = reader.settings()
        variants = reader.variants()
        metrics = reader.metrics(variants)
        return ex.analyze_experiment(variants=variants, metrics=metrics, settings=settings)
    except CliError as exc:
        raise CliError(f"{path}: {exc}") from exc
    except ex.ExperimentInputError as exc:
        raise CliError(f"{path}: {reader.field(exc.field)}: {exc.reason}") from exc


def cmd_analyze(args: argparse.Namespace) -> int:
    analysis = analyze_file(args.file)
    if args.json:
        print(json.dumps(analysis.to_dict(), allow_nan=False))
        return 0
    print_analysis(analysis)
    return 0


def print_analysis(analysis: ex.ExperimentAnalysis) -> None:
    settings = analysis.settings
    relative = settings.difference == "relative"
    bayesian = settings.engine == "bayesian"
    adjusted = settings.correction is not None
    test = "Bayesian" if bayesian else "frequentist"
    if settings.sequential_tuning is not None:
        test += f" sequential (tuning {settings.sequential_tuning:g})"
    elif settings.alternative != "two-sided":
        test += f" one-sided ({settings.alternative})"
    console.print(
        f"{test} analysis, {settings.difference} effects, alpha {settings.alpha:g}"
        + (f", {settings.correction} correction" if adjusted else "")
    )
    interval = f"{(1 - settings.alpha) * 100:g}% {'CrI' if bayesian else 'CI'}"
    columns = ["Metric", "Variant", "Control", "Mean", "Effect", interval]
    if bayesian:
        columns += ["Chance to win", "Risk ctrl / var"]
    else:
        columns += ["p-value"] + (["Adj. p"] if adjusted else [])
    table = Table(*columns)
    for result in analysis.results:
        bounds = result.ci_adjusted if result.ci_adjusted is not None else result.ci
        row: list[str | Text] = [
            Text(result.metric),
            Text(result.variant),
            f"{result.control_mean:.4g}",
            f"{result.variant_mean:.4g}",
            "-" if result.issue else ex.format_effect(result.effect, relative=relative),
            "-" if result.issue else _interval(bounds, relative),
        ]
        if bayesian:
            risk = result.risk or (0.0, 0.0)
            row += [
                "-" if result.issue else f"{result.chance_to_win:.1%}",
                "-"
                if result.issue
                else " / ".join(ex.format_effect(r, relative=relative) for r in risk),
            ]
        else:
            row.append("-" if result.issue else _p(result.p_value))
            if adjusted:
                row.append("-" if result.issue else _p(result.p_value_adjusted))
        table.add_row(*row)
    console.print(table)
    srm = analysis.srm
    console.print(
        f"Control: the control's mean; Mean: the variant's. Sample ratio: p = "
        f"{srm.p_value:.4g} over {sum(srm.observed):,} units "
        f"({'MISMATCH' if srm.flagged else 'ok'}; flagged below {ex.SRM_THRESHOLD:g})"
    )
    for sentence in ex.readings(analysis):
        console.print(sentence, markup=False)


def _interval(bounds: tuple[float, float], relative: bool) -> str:
    low, high = bounds
    shown = [
        ex.format_effect(b, relative=relative) if math.isfinite(b) else ("-inf" if b < 0 else "inf")
        for b in (low, high)
    ]
    return f"[{shown[0]}, {shown[1]}]"


def _p(value: float | None) -> str:
    return "-" if value is None else f"{value:.4g}"


def register(commands: Commands) -> None:
    group = commands.group("experiment", "A/B test statistics from per-variant sums")
    analyze = group.add(
        "analyze", cmd_analyze, "analyse an experiment described by a JSON file of sums"
    )
    analyze.add_argument("file", type=Path, metavar="FILE.json")
    analyze.add_argument("--json", action="store_true", help="one JSON object on stdout")
