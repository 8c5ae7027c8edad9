"""Measure the experiment statistics engine (pilothouse.engines.experiments) against gbstats.

    .venv/bin/python benchmarks/experiments.py [--experiments 1000] [--metrics 5]
        [--variants 3] [--repeat 10] [--oracle-repeat 3] [--seed 42] [--out DIR]

No database and no Django. Seeded synthetic sums: `--experiments` experiments of
`--variants` variants (the control first, a near-even split), each with `--metrics`
metrics, the first three of every five mean metrics (revenue-like, sums and sums of
squares) and the others proportions (conversions). Every variant is compared with the
control by a two-sided Welch t-test and by the Bayesian analysis with a flat prior, on
the relative effect. Measured in one process:

1. the engine's batch API: one `compare_variants` call per metric kind and engine, over
   all experiments at once; one warm-up, then the median of `--repeat` runs;
2. the engine's per-experiment API (`analyze_experiment`, which also checks the inputs and
   the SRM), once per experiment and engine: the median of `--oracle-repeat` runs;
3. gbstats 0.8.0 (the reference implementation, installed for the tests): for every
   comparison a TwoSidedTTest and an EffectBayesianABTest on statistics built from the
   same sums: the median of `--oracle-repeat` runs.

Wall-clock time (time.perf_counter), with the load average: the machine may be shared.
The largest differences between the engine's and gbstats' answers are reported too (the
test suite checks them properly). Prints a table and writes
<out>/experiments-<timestamp>.json.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import scipy
from gbstats.bayesian.tests import EffectBayesianABTest, EffectBayesianConfig
from gbstats.frequentist.tests import FrequentistConfig, TwoSidedTTest
from gbstats.models.statistics import ProportionStatistic, SampleMeanStatistic
from host import host_info, peak_rss_mb, write_result
from rich.console import Console
from rich.table import Table

from pilothouse.engines import experiments as ex

HERE = Path(__file__).resolve().parent
MEAN_METRICS_PER_FIVE = 3
ENGINES = ("frequentist", "bayesian")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--experiments", type=int, default=1000)
    parser.add_argument("--metrics", type=int, default=5)
    parser.add_argument("--variants", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--oracle-repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, default=HERE / "results")
    args = parser.parse_args(argv)
    if min(args.experiments, args.metrics, args.repeat, args.oracle_repeat) < 1:
        parser.error("--experiments, --metrics, --repeat, --oracle-repeat: at least 1")
    if args.variants < 2:
        parser.error("--variants: at least 2 (a control and a variant)")
    return args


def synthetic(args: argparse.Namespace) -> dict[str, Any]:
    """Units per variant and, per metric kind, sums of shape (experiments, metrics, variants)."""
    rng = np.random.default_rng(args.seed)
    e, k = args.experiments, args.variants
    weights = np.full(k, 1 / k)
    units = rng.multinomial(rng.integers(5_000, 200_000, size=e), weights).astype(float)
    kinds = ["mean" if m % 5 < MEAN_METRICS_PER_FIVE else "proportion" for m in range(args.metrics)]
    lift = 1 + rng.normal(0, 0.03, size=(e, args.metrics, k))
    lift[..., 0] = 1.0
    n = np.broadcast_to(units[:, None, :], (e, args.metrics, k))
    base_mean = rng.uniform(0.5, 50.0, size=(e, args.metrics, 1))
    sd = base_mean * rng.uniform(0.5, 3.0, size=(e, args.metrics, 1))
    means = base_mean * lift
    sums = n * means + rng.normal(0, 1, size=n.shape) * sd * np.sqrt(n)
    squares = sums**2 / n + (n - 1) * sd**2
    rates = np.clip(rng.uniform(0.01, 0.3, size=(e, args.metrics, 1)) * lift, 0.001, 0.999)
    conversions = rng.binomial(n.astype(np.int64), rates).astype(float)
    mean_at = [m for m, kind in enumerate(kinds) if kind == "mean"]
    proportion_at = [m for m, kind in enumerate(kinds) if kind == "proportion"]
    return {
        "weights": weights,
        "units": units,
        "kinds": kinds,
        "mean": ex.MetricSums(
            n=n[:, mean_at],
            value=ex.ColumnSums(sum=sums[:, mean_at], sum_squares=squares[:, mean_at]),
        ),
        "proportion": ex.MetricSums(
            n=n[:, proportion_at],
            value=ex.ColumnSums(sum=conversions[:, proportion_at], kind="proportion"),
        ),
        "mean_at": mean_at,
        "proportion_at": proportion_at,
    }


def engine_batch(data: dict[str, Any]) -> dict[str, dict[str, ex.Comparisons]]:
    out: dict[str, dict[str, ex.Comparisons]] = {}
    for engine in ENGINES:
        settings = ex.AnalysisSettings(engine=engine)
        out[engine] = {
            kind: ex.compare_variants(data[kind], settings)
            for kind in ("mean", "proportion")
            if np.asarray(data[kind].n).shape[1]
        }
    return out


def experiment_metrics(data: dict[str, Any], e: int) -> list[ex.Metric]:
    metrics = []
    for kind in ("mean", "proportion"):
        sums = data[kind]
        for j, m in enumerate(data[f"{kind}_at"]):
            n = np.asarray(sums.n)[e, j]
            total = np.asarray(sums.value.sum)[e, j]
            squares = None if kind == "proportion" else np.asarray(sums.value.sum_squares)[e, j]
            metrics.append(
                ex.Metric(
                    name=f"metric {m}",
                    metric_type=kind,
                    variants=tuple(
                        ex.VariantSums(
                            n=float(n[v]),
                            sum=float(total[v]),
                            sum_squares=None if squares is None else float(squares[v]),
                        )
                        for v in range(len(n))
                    ),
                )
            )
    return metrics


def engine_per_experiment(data: dict[str, Any]) -> int:
    variants = [
        ex.Variant(name=f"v{v}", weight=float(w), n=int(data["units"][0, v]))
        for v, w in enumerate(data["weights"])
    ]
    done = 0
    for e in range(len(data["units"])):
        arms = [
            ex.Variant(name=v.name, weight=v.weight, n=int(data["units"][e, i]))
            for i, v in enumerate(variants)
        ]
        metrics = experiment_metrics(data, e)
        for engine in ENGINES:
            analysis = ex.analyze_experiment(
                variants=arms, metrics=metrics, settings=ex.AnalysisSettings(engine=engine)
            )
            done += len(analysis.results)
    return done


def gbstats_statistic(n: np.ndarray, total: np.ndarray, squares: np.ndarray | None, at: tuple):
    if squares is None:
        return ProportionStatistic(n=int(n[at]), sum=float(total[at]))
    return SampleMeanStatistic(n=int(n[at]), sum=float(total[at]), sum_squares=float(squares[at]))


def gbstats_all(data: dict[str, Any]) -> dict[str, dict[str, np.ndarray]]:
    """Every comparison through gbstats; answers as arrays shaped like the engine's."""
    frequentist_config, bayesian_config = FrequentistConfig(), EffectBayesianConfig()
    out: dict[str, dict[str, np.ndarray]] = {}
    for kind in ("mean", "proportion"):
        sums = data[kind]
        n = np.asarray(sums.n)
        if not n.shape[1]:
            continue
        total = np.asarray(sums.value.sum)
        squares = None if kind == "proportion" else np.asarray(sums.value.sum_squares)
        shape = (*n.shape[:-1], n.shape[-1] - 1)
        answers = {name: np.empty(shape) for name in ("effect", "p_value", "chance_to_win")}
        for e, m in np.ndindex(n.shape[:-1]):
            for v in range(1, n.shape[-1]):
                control = gbstats_statistic(n, total, squares, (e, m, 0))
                variant = gbstats_statistic(n, total, squares, (e, m, v))
                frequentist = TwoSidedTTest(control, variant, frequentist_config).compute_result()
                bayesian = EffectBayesianABTest(control, variant, bayesian_config).compute_result()
                answers["effect"][e, m, v - 1] = frequentist.expected
                answers["p_value"][e, m, v - 1] = frequentist.p_value
                answers["chance_to_win"][e, m, v - 1] = bayesian.chance_to_win
        out[kind] = answers
    return out


def timed_s(function, repeat: int) -> tuple[list[float], Any]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return times, result


def summary(times: list[float]) -> dict[str, float]:
    return {
        "median_ms": round(statistics.median(times) * 1000, 2),
        "min_ms": round(min(times) * 1000, 2),
        "max_ms": round(max(times) * 1000, 2),
        "runs": len(times),
    }


def largest_differences(ours, theirs) -> dict[str, float]:
    worst = {"effect_relative": 0.0, "p_value_absolute": 0.0, "chance_to_win_absolute": 0.0}
    for kind, answers in theirs.items():
        f, b = ours["frequentist"][kind], ours["bayesian"][kind]
        scale = np.maximum(np.abs(answers["effect"]), f.se)
        worst["effect_relative"] = max(
            worst["effect_relative"], float(np.max(np.abs(f.effect - answers["effect"]) / scale))
        )
        worst["p_value_absolute"] = max(
            worst["p_value_absolute"], float(np.max(np.abs(f.p_value - answers["p_value"])))
        )
        worst["chance_to_win_absolute"] = max(
            worst["chance_to_win_absolute"],
            float(np.max(np.abs(b.chance_to_win - answers["chance_to_win"]))),
        )
    return worst


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    data = synthetic(args)
    comparisons = args.experiments * args.metrics * (args.variants - 1)

    engine_batch(data)  # warm-up
    batch_times, ours = timed_s(lambda: engine_batch(data), args.repeat)
    wrapper_times, _ = timed_s(lambda: engine_per_experiment(data), args.oracle_repeat)
    oracle_times, theirs = timed_s(lambda: gbstats_all(data), args.oracle_repeat)

    batch, wrapper, oracle = summary(batch_times), summary(wrapper_times), summary(oracle_times)
    import gbstats

    result: dict[str, Any] = {
        "benchmark": "experiments",
        "machine": host_info(
            numpy=np.__version__, scipy=scipy.__version__, gbstats=gbstats.__version__
        ),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "experiments": args.experiments,
        "metrics": args.metrics,
        "variants": args.variants,
        "metric_kinds": data["kinds"],
        "comparisons_per_engine": comparisons,
        "engine_batch": batch,
        "engine_per_experiment": wrapper,
        "gbstats": oracle,
        "speed_ratio_batch": round(oracle["median_ms"] / batch["median_ms"], 1),
        "speed_ratio_per_experiment": round(oracle["median_ms"] / wrapper["median_ms"], 1),
        "largest_differences": largest_differences(ours, theirs),
        "peak_rss_mb": peak_rss_mb(),
    }
    path = write_result(args.out, "experiments-", result)
    print_table(result)
    Console().print(
        f"load {result['load_average'][0]}; peak RSS {result['peak_rss_mb']} MB; written to {path}"
    )
    return 0


def print_table(result: dict[str, Any]) -> None:
    title = (
        f"{result['experiments']:,} experiments x {result['metrics']} metrics x "
        f"{result['variants']} variants: {result['comparisons_per_engine']:,} comparisons, "
        "each by a t-test and a Bayesian analysis"
    )
    table = Table("implementation", "median ms", "min ms", "max ms", "runs", title=title)
    for label, key in (
        ("engine, batch API", "engine_batch"),
        ("engine, one analyze_experiment per experiment", "engine_per_experiment"),
        ("gbstats 0.8.0, one test object per comparison", "gbstats"),
    ):
        f = result[key]
        table.add_row(
            label, f"{f['median_ms']:,}", f"{f['min_ms']:,}", f"{f['max_ms']:,}", str(f["runs"])
        )
    console = Console()
    console.print(table)
    console.print(
        f"gbstats / engine (medians): {result['speed_ratio_batch']}x for the batch API, "
        f"{result['speed_ratio_per_experiment']}x per experiment"
    )
    diff = result["largest_differences"]
    console.print(
        f"largest differences from gbstats: effect {diff['effect_relative']:.2g} (relative), "
        f"p-value {diff['p_value_absolute']:.2g}, "
        f"chance to win {diff['chance_to_win_absolute']:.2g}"
    )


if __name__ == "__main__":
    sys.exit(main())
