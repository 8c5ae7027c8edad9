"""Measure the auto-planning engine (pilothouse.engines.planning) on a generated backlog.

    .venv/bin/python benchmarks/autoplan.py [--features 300] [--teams 8] [--periods 4]
        [--time-limit 10] [--workers 2] [--repeat 3] [--seed 42] [--also 1,3] [--out DIR]

No database and no Django: the problem comes from `planning.sample.sample_problem`
(seeded): `--features` features over `--teams` teams and `--periods` quarters, efforts
of 1 to 26 person-weeks (skewed towards small), RICE values, about 15 % of the features
with one or two blockers (acyclic, some already done), a few feasible fixed dates, and
each team's capacity about 70 % of its demand, so that not everything fits.

Each of `--repeat` runs calls `auto_plan` with the time limit and workers given, timed
by the wall clock around the call, and checks the plan it returns: capacity never
exceeded, no feature before its blocker or with an unplanned blocker, fixed dates kept.
`--also` adds one run per shorter time limit, to show how the gap closes with time.
Prints a table (rich) and writes <out>/autoplan-<features>-<timestamp>.json with the
machine, the problem's size, every run and the median.

Budget from the issue: 300 features over 8 teams and 4 quarters within 10 s on 2
cores, with the gap reported. The time limit covers the whole call, so the wall time
is at most about the limit (less when the solver proves the plan optimal first).
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import ortools
from host import host_info, peak_rss_mb, write_result
from rich.console import Console
from rich.table import Table

from pilothouse.engines import planning
from pilothouse.engines.planning.sample import sample_problem

HERE = Path(__file__).resolve().parent
BUDGET_SECONDS = 10.0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--features", type=int, default=300)
    parser.add_argument("--teams", type=int, default=8)
    parser.add_argument("--periods", type=int, default=4)
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--also", default="1,3", help="comma-separated shorter time limits")
    parser.add_argument("--out", type=Path, default=HERE / "results")
    args = parser.parse_args(argv)
    if min(args.features, args.teams, args.periods, args.workers, args.repeat) < 1:
        parser.error("--features, --teams, --periods, --workers and --repeat: at least 1")
    try:
        args.also = [float(x) for x in args.also.split(",") if x.strip()]
    except ValueError:
        parser.error("--also: comma-separated numbers of seconds")
    return args


def plan_errors(problem: planning.PlanProblem, result: planning.PlanResult) -> list[str]:
    """What the plan breaks, checked on the problem in person-weeks."""
    features = {f.id: f for f in problem.features}
    errors = []
    load: dict[tuple[str, int], list[float]] = {}
    for fid, period in result.placements.items():
        feature = features[fid]
        if feature.fixed_period is not None and period != feature.fixed_period:
            errors.append(f"feature {fid}: fixed in {feature.fixed_period}, planned in {period}")
        if period is None:
            continue
        load.setdefault((feature.team, period), []).append(feature.effort)
        for blocker in feature.blockers:
            before = result.placements.get(blocker)
            if blocker not in problem.done and (before is None or before > period):
                errors.append(f"feature {fid} in {period}, its blocker {blocker} in {before}")
    for slot, efforts in load.items():
        if math.fsum(efforts) > problem.capacity.get(slot, 0.0) + 1e-9:
            errors.append(f"{slot}: {math.fsum(efforts)} over {problem.capacity.get(slot, 0.0)}")
    return errors


def run_once(problem: planning.PlanProblem, time_limit: float, args) -> dict[str, Any]:
    started, cpu_started = time.perf_counter(), time.process_time()
    result = planning.auto_plan(
        problem, time_limit_s=time_limit, workers=args.workers, seed=args.seed
    )
    seconds = time.perf_counter() - started
    return {
        "time_limit_s": time_limit,
        "status": result.status,
        "value": round(result.value, 2),
        "bound": None if result.bound is None else round(result.bound, 2),
        "gap": result.gap,
        "planned": len(result.planned),
        "seconds": round(seconds, 3),
        "cpu_seconds": round(time.process_time() - cpu_started, 3),
        "errors": plan_errors(problem, result),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def print_table(result: dict[str, Any]) -> None:
    table = Table(
        title=(
            f"auto_plan: {result['features']} features, {result['teams']} teams, "
            f"{result['periods']} periods, {result['workers']} workers"
        ),
        title_justify="left",
    )
    for column in ("run", "limit s", "status", "value", "bound", "gap", "planned", "wall s"):
        table.add_column(column, justify="left" if column in ("run", "status") else "right")
    rows = [(str(i), run) for i, run in enumerate(result["runs"], 1)]
    rows += [("shorter", run) for run in result["shorter_limits"]]
    for name, run in rows:
        gap = "-" if run["gap"] is None else f"{run['gap']:.3%}"
        table.add_row(
            name,
            f"{run['time_limit_s']:g}",
            run["status"],
            f"{run['value']:,.0f}",
            "-" if run["bound"] is None else f"{run['bound']:,.0f}",
            gap,
            str(run["planned"]),
            f"{run['seconds']:.2f}",
        )
    console = Console()
    console.print(table)
    gap = "-" if result["median_gap"] is None else f"{result['median_gap']:.3%}"
    console.print(
        f"median wall {result['median_seconds']} s (budget {BUDGET_SECONDS:g} s), median gap "
        f"{gap}, peak RSS {result['peak_rss_mb']} MB"
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    problem = sample_problem(
        features=args.features, teams=args.teams, periods=args.periods, seed=args.seed
    )
    demand = math.fsum(f.effort for f in problem.features)
    runs = [run_once(problem, args.time_limit, args) for _ in range(args.repeat)]
    shorter = [run_once(problem, limit, args) for limit in args.also]
    broken = [run for run in [*runs, *shorter] if run["errors"]]
    gaps = [run["gap"] for run in runs if run["gap"] is not None]
    median = statistics.median(run["seconds"] for run in runs)
    result = {
        "benchmark": "autoplan",
        "machine": host_info(ortools=ortools.__version__),
        "features": args.features,
        "teams": args.teams,
        "periods": args.periods,
        "workers": args.workers,
        "seed": args.seed,
        "blocked_features": sum(1 for f in problem.features if f.blockers),
        "fixed_features": sum(1 for f in problem.features if f.fixed_period is not None),
        "capacity_to_demand": round(sum(problem.capacity.values()) / demand, 3),
        "runs": runs,
        "shorter_limits": shorter,
        "median_seconds": median,
        "median_gap": statistics.median(gaps) if gaps else None,
        "peak_rss_mb": peak_rss_mb(),
        "budget_seconds": BUDGET_SECONDS,
        "within_budget": median <= BUDGET_SECONDS,
    }
    path = write_result(args.out, f"autoplan-{args.features}-", result)
    print_table(result)
    print(f"written to {path}")
    if broken:
        print(f"plans breaking a rule: {broken}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
