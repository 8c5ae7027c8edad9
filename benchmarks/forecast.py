"""Measure the forecasting engine (pilothouse.engines.forecasting) against a plain loop.

    .venv/bin/python benchmarks/forecast.py [--trials 10000] [--remaining 500]
        [--weeks 104] [--repeat 20] [--loop-repeat 3] [--positions 200]
        [--items-weeks 52] [--teams 3] [--seed 42] [--out DIR]

No database and no Django. The history is `--weeks` weeks of synthetic throughput
(Poisson around 6 a week, seeded, so some weeks are zero). Measured in one process:

1. `forecast_completion` for `--remaining` items and `--trials` trials: one warm-up,
   then the median (and p95) of `--repeat` timed runs, each with a new seed. The engine
   keeps the tables of the last few histories (they do not depend on the seed), so these
   runs reuse the warm-up's, as the app's forecasts of one team's history do;
2. the same, with the kept tables dropped before each run: a history's first forecast,
   which builds its tables;
3. the same forecast by a plain-Python loop, one trial at a time (random.Random, a
   while loop per trial): the median of `--loop-repeat` runs, and the speed ratios;
4. `forecast_queue` for a queue of `--positions` features (1 to 5 items each,
   seeded) and `forecast_items_by` for `--items-weeks` weeks: median of `--repeat` runs
   after a warm-up;
5. `forecast_parallel` for `--teams` teams side by side (each its own seeded Poisson
   history of `--weeks` weeks, around 4 to 8 a week), the `--remaining` items shared
   among them as evenly as possible: median of `--repeat` runs after a warm-up, and the
   same by a plain loop (each trial, each team week by week, the latest team).

Wall-clock time (time.perf_counter), with the load average: the machine may be shared.
The two forecasts' P50/P85/P95 are printed side by side as a sanity check (they agree
within sampling error; the test suite checks that properly).

Prints a table and writes <out>/forecast-<timestamp>.json.
Budget from the delivery issue: 10,000 trials, 500 items, 2 years of history within
50 ms, and at least 50 times faster than the loop (both with kept and with new tables).
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from host import host_info, peak_rss_mb, write_result
from rich.console import Console
from rich.table import Table

from pilothouse.engines import forecasting
from pilothouse.engines.forecasting.blocks import forget_tables

HERE = Path(__file__).resolve().parent
BUDGET_MS = 50.0
BUDGET_RATIO = 50.0
START = dt.date(2026, 1, 5)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=10_000)
    parser.add_argument("--remaining", type=int, default=500)
    parser.add_argument("--weeks", type=int, default=104)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--loop-repeat", type=int, default=3)
    parser.add_argument("--positions", type=int, default=200)
    parser.add_argument("--items-weeks", type=int, default=52)
    parser.add_argument("--teams", type=int, default=3)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, default=HERE / "results")
    args = parser.parse_args(argv)
    if min(args.trials, args.remaining, args.weeks, args.repeat, args.loop_repeat) < 1:
        parser.error("--trials, --remaining, --weeks, --repeat, --loop-repeat: at least 1")
    if args.items_weeks < 1 or args.positions < 1 or args.teams < 1:
        parser.error("--items-weeks, --positions, --teams: at least 1")
    return args


def plain_loop(history: list[int], remaining: int, trials: int, seed: int) -> list[int]:
    """The straightforward implementation: one trial at a time, one week at a time."""
    rng = random.Random(seed)
    weeks_per_trial = []
    for _ in range(trials):
        done = weeks = 0
        while done < remaining:
            done += rng.choice(history)
            weeks += 1
        weeks_per_trial.append(weeks)
    return weeks_per_trial


def plain_parallel_loop(
    histories: list[list[int]], scopes: list[int], trials: int, seed: int
) -> list[int]:
    """Teams side by side, one trial at a time: each team week by week, the latest."""
    rng = random.Random(seed)
    weeks_per_trial = []
    for _ in range(trials):
        latest = 0
        for history, scope in zip(histories, scopes, strict=True):
            done = weeks = 0
            while done < scope:
                done += rng.choice(history)
                weeks += 1
            latest = max(latest, weeks)
        weeks_per_trial.append(latest)
    return weeks_per_trial


def inverted_cdf(values: list[int], share: int) -> int:
    ordered = sorted(values)
    return ordered[math.ceil(share * len(ordered) / 100) - 1]


def timed_ms(function, repeat: int) -> list[float]:
    times = []
    for run in range(repeat):
        started = time.perf_counter()
        function(run)
        times.append((time.perf_counter() - started) * 1000)
    return times


def summary(times: list[float]) -> dict[str, float]:
    return {
        "median_ms": round(statistics.median(times), 2),
        "p95_ms": round(float(np.percentile(times, 95)), 2),
        "min_ms": round(min(times), 2),
        "runs": len(times),
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    history = [int(n) for n in np.random.default_rng(args.seed).poisson(6, args.weeks)]
    sizes = [int(n) for n in np.random.default_rng(args.seed + 1).integers(1, 6, args.positions)]
    until = START + dt.timedelta(weeks=args.items_weeks, days=-1)
    paces = np.linspace(4, 8, args.teams) if args.teams > 1 else [6.0]
    histories = [
        [int(n) for n in np.random.default_rng(args.seed + 10 + i).poisson(pace, args.weeks)]
        for i, pace in enumerate(paces)
    ]
    share, extra = divmod(args.remaining, args.teams)
    scopes = [share + (1 if i < extra else 0) for i in range(args.teams)]

    def engine(run: int):
        return forecasting.forecast_completion(
            history=history,
            remaining=args.remaining,
            trials=args.trials,
            seed=args.seed + run,
            start=START,
        )

    def engine_new_tables(run: int):
        forget_tables()
        return engine(run)

    def queue(run: int):
        return forecasting.forecast_queue(
            history=history, sizes=sizes, trials=args.trials, seed=args.seed + run, start=START
        )

    def items(run: int):
        return forecasting.forecast_items_by(
            history=history, start=START, until=until, trials=args.trials, seed=args.seed + run
        )

    def parallel(run: int):
        return forecasting.forecast_parallel(
            histories=histories,
            scopes=scopes,
            trials=args.trials,
            seed=args.seed + run,
            start=START,
        )

    def parallel_loop(run: int) -> None:
        plain_parallel_loop(histories, scopes, args.trials, args.seed + run)

    loop_weeks: list[int] = []

    def loop(run: int) -> None:
        loop_weeks[:] = plain_loop(history, args.remaining, args.trials, args.seed + run)

    warm = engine(10_000)
    engine_times = timed_ms(engine, args.repeat)
    new_tables_times = timed_ms(engine_new_tables, args.repeat)
    loop_times = timed_ms(loop, args.loop_repeat)
    queue(10_000)
    queue_times = timed_ms(queue, args.repeat)
    items(10_000)
    items_times = timed_ms(items, args.repeat)
    parallel(10_000)
    parallel_times = timed_ms(parallel, args.repeat)
    parallel_loop_times = timed_ms(parallel_loop, args.loop_repeat)

    engine_figures = summary(engine_times)
    new_tables_figures = summary(new_tables_times)
    loop_figures = summary(loop_times)
    ratio = round(loop_figures["median_ms"] / engine_figures["median_ms"], 1)
    new_tables_ratio = round(loop_figures["median_ms"] / new_tables_figures["median_ms"], 1)
    percentiles = {
        str(share): {
            "engine_weeks": warm.percentiles[share].weeks,
            "loop_weeks": inverted_cdf(loop_weeks, share),
        }
        for share in forecasting.PERCENTILES
    }
    result: dict[str, Any] = {
        "benchmark": "forecast",
        "machine": host_info(numpy=np.__version__),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "trials": args.trials,
        "remaining": args.remaining,
        "history_weeks": args.weeks,
        "history_zero_weeks": history.count(0),
        "engine": engine_figures,
        "engine_new_tables": new_tables_figures,
        "plain_loop": loop_figures,
        "speed_ratio": ratio,
        "speed_ratio_new_tables": new_tables_ratio,
        "queue": {"positions": args.positions, "items": sum(sizes), **summary(queue_times)},
        "items_by": {"weeks": args.items_weeks, **summary(items_times)},
        "parallel": {"teams": args.teams, "scopes": scopes, **summary(parallel_times)},
        "parallel_loop": summary(parallel_loop_times),
        "percentiles": percentiles,
        "peak_rss_mb": peak_rss_mb(),
        "budget_ms": BUDGET_MS,
        "budget_ratio": BUDGET_RATIO,
        "within_budget": engine_figures["median_ms"] <= BUDGET_MS
        and min(ratio, new_tables_ratio) >= BUDGET_RATIO,
    }
    path = write_result(args.out, "forecast-", result)
    print_table(result)
    verdict = "meets" if result["within_budget"] else "falls short of"
    Console().print(
        f"{verdict} the budget ({BUDGET_MS:g} ms and {BUDGET_RATIO:g}x); "
        f"load {result['load_average'][0]}; peak RSS {result['peak_rss_mb']} MB; "
        f"written to {path}"
    )
    return 0


def print_table(result: dict[str, Any]) -> None:
    trials, remaining = result["trials"], result["remaining"]
    table = Table(
        "measure", "median ms", "p95 ms", "runs",
        title=f"{trials:,} trials, {remaining} items, {result['history_weeks']} weeks of history",
    )  # fmt: skip
    rows = [
        ("engine, tables kept", result["engine"]),
        ("engine, tables built", result["engine_new_tables"]),
        ("plain loop", result["plain_loop"]),
    ]
    q, items = result["queue"], result["items_by"]
    rows.append((f"queue of {q['positions']} ({q['items']} items)", q))
    rows.append((f"items by a date ({items['weeks']} weeks)", items))
    side = result["parallel"]
    rows.append((f"{side['teams']} teams side by side ({sum(side['scopes'])} items)", side))
    rows.append((f"{side['teams']} teams, plain loop", result["parallel_loop"]))
    for label, figures in rows:
        table.add_row(
            label, str(figures["median_ms"]), str(figures["p95_ms"]), str(figures["runs"])
        )
    console = Console()
    console.print(table)
    console.print(
        f"speed ratio (loop / engine, medians): {result['speed_ratio']}x with the tables "
        f"kept, {result['speed_ratio_new_tables']}x with the tables built"
    )
    console.print(
        "P50/P85/P95 weeks, engine vs loop: "
        + ", ".join(
            f"P{share} {row['engine_weeks']} vs {row['loop_weeks']}"
            for share, row in result["percentiles"].items()
        )
    )


if __name__ == "__main__":
    sys.exit(main())
