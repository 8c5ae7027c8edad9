"""`pilothouse forecast` and `pilothouse backtest`: delivery forecasts from a CSV of
weekly throughput, without a database, or from a team's real history in it.

    pilothouse forecast (--history FILE.csv | --team NAME [--weeks W]) --remaining N
        [--remaining-high M] [--split LOW HIGH] [--risk PROBABILITY LOW HIGH]...
        [--trials T] [--seed S] [--start DATE] [--target DATE] [--json]
    pilothouse backtest (--history FILE.csv | --team NAME [--weeks W]) [--scope N]
        [--horizon-weeks H] [--min-history W] [--step W] [--trials T] [--seed S] [--json]

With --team, the history is the team's completed items (features and work items) per
week over the W whole weeks before this one (26 for a forecast, 52 for a backtest, as
delivery.forecasts reads them); only then is Django set up, so --history needs no
database and no data dir.

The history file has the header `week_start,completed`, one row per week, oldest first,
ISO dates (YYYY-MM-DD); weeks missing between rows count as weeks with nothing
completed. The forecast starts the week after the last history week unless --start
says otherwise. Human output by default; --json prints exactly one JSON object.
Bad input exits 1 with a one-line reason naming the option, or the file and line.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import math
import re
from pathlib import Path

from rich.table import Table

from pilothouse.cli.base import CliError, Commands, console, django_setup, iso_date
from pilothouse.engines import forecasting
from pilothouse.engines.forecasting import ForecastError, Risk, WeeklyHistory

HEADER = ("week_start", "completed")
FORECAST_WEEKS, BACKTEST_WEEKS = 26, 52
HISTOGRAM_ROWS = 30
BAR_WIDTH = 40
# The engine names its arguments; the command line knows them as options.
OPTIONS = {
    "remaining": "--remaining",
    "remaining_high": "--remaining-high",
    "split": "--split",
    "trials": "--trials",
    "seed": "--seed",
    "start": "--start",
    "target": "--target",
    "scope": "--scope",
    "horizon_weeks": "--horizon-weeks",
    "min_history_weeks": "--min-history",
    "step_weeks": "--step",
}


def read_history(path: Path) -> WeeklyHistory:
    """The weekly history in a CSV file; errors name the file and line."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise CliError(f"{path}: cannot read the history: {exc}") from exc
    lines = csv.reader(text.splitlines())
    header = next(lines, None)
    if header is None or tuple(cell.strip().lower() for cell in header) != HEADER:
        raise CliError(f"{path} line 1: the header must be `week_start,completed`, got {header}")
    rows: list[tuple[dt.date, int]] = []
    labels: list[str] = []
    for number, cells in enumerate(lines, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        label = f"{path} line {number}"
        if len(cells) != 2:
            raise CliError(f"{label}: expected 2 cells (week_start,completed), got {len(cells)}")
        try:
            day = dt.date.fromisoformat(cells[0].strip())
        except ValueError:
            raise CliError(f"{label}: week_start {cells[0]!r} is not a date (YYYY-MM-DD)") from None
        if not re.fullmatch(r"\d+", cells[1].strip()):
            raise CliError(
                f"{label}: completed {cells[1]!r} is not a whole number of items (0 or more)"
            )
        rows.append((day, int(cells[1])))
        labels.append(label)
    try:
        return forecasting.weekly_history(rows, labels=labels)
    except ForecastError as exc:
        raise CliError(_message(exc, path)) from exc


def team_history(name: str, weeks: int) -> WeeklyHistory:
    """The named team's weekly history from the database (the only path that needs it)."""
    django_setup()
    from django.core.exceptions import ValidationError
    from django.utils import timezone

    from pilothouse.cli.base import validation_message
    from pilothouse.delivery import forecasts
    from pilothouse.delivery.models import Team

    team = Team.objects.filter(name=name).first()
    if team is None:
        raise CliError(f"no team named {name!r} (see the team list at /teams/)")
    try:
        rows = forecasts.team_history(team=team, today=timezone.localdate(), weeks=weeks)
    except ValidationError as exc:
        raise CliError(validation_message(exc).replace("weeks:", "--weeks:")) from exc
    return forecasting.weekly_history(rows)


def _history(args: argparse.Namespace, default_weeks: int) -> tuple[WeeklyHistory, Path | str]:
    """The history and what its errors are about: the file, or the team."""
    if args.team is not None:
        source = f"team {args.team!r}"
        weeks = default_weeks if args.weeks is None else args.weeks
        return team_history(args.team, weeks), source
    if args.weeks is not None:
        raise CliError("--weeks: only with --team (a file's history is all of its rows)")
    return read_history(args.history), args.history


def _message(exc: ForecastError, path: Path | str) -> str:
    name, colon, rest = str(exc).partition(": ")
    if not colon:
        return str(exc)
    if name == "history":
        return f"{path}: {rest}"
    return f"{OPTIONS.get(name, name)}: {rest}"


def _risk(values: list[str]) -> Risk:
    probability, low, high = values
    try:
        chance = float(probability)
        if not math.isfinite(chance):
            raise ValueError(probability)
        return Risk(chance, int(low), int(high))
    except ValueError:
        raise CliError(
            f"--risk: expected PROBABILITY LOW HIGH (e.g. 0.3 5 10), got {' '.join(values)}"
        ) from None


def _histogram_rows(bins: tuple[forecasting.HistogramBin, ...]) -> list[tuple[str, int]]:
    """At most HISTOGRAM_ROWS rows: neighbouring week counts are merged when many."""
    width = max(1, math.ceil(len(bins) / HISTOGRAM_ROWS))
    rows = []
    for first in range(0, len(bins), width):
        group = bins[first : first + width]
        weeks = f"{group[0].weeks}" if len(group) == 1 else f"{group[0].weeks}-{group[-1].weeks}"
        rows.append((weeks, sum(b.trials for b in group)))
    return rows


def cmd_forecast(args: argparse.Namespace) -> int:
    history, source = _history(args, FORECAST_WEEKS)
    start = args.start or history.next_week
    try:
        result = forecasting.forecast_completion(
            history=history.counts,
            remaining=args.remaining,
            remaining_high=args.remaining_high,
            split=tuple(args.split) if args.split else None,
            risks=[_risk(values) for values in args.risk],
            trials=args.trials,
            seed=args.seed,
            start=start,
            target=args.target,
        )
    except ForecastError as exc:
        raise CliError(_message(exc, source)) from exc
    if args.json:
        print(json.dumps(result.to_dict()))
        return 0
    scope = f"{args.remaining}" + (f" to {args.remaining_high}" if args.remaining_high else "")
    console.print(
        f"Forecast for {scope} items from {start} ({result.trials:,} trials, "
        f"{len(history.weeks)} weeks of history"
        + (f", {history.filled} missing weeks counted as zero" if history.filled else "")
        + ")"
    )
    table = Table("Confidence", "Weeks", "Done by (end of week)")
    for share, point in sorted(result.percentiles.items()):
        table.add_row(f"{share} %", str(point.weeks), point.date.isoformat())
    console.print(table)
    if result.probability_by_target is not None:
        console.print(
            f"Probability of finishing by {result.target}: {result.probability_by_target:.1%}"
        )
    if result.unfinished:
        console.print(f"{result.unfinished:,} trials were not done within 20 years.")
    rows = _histogram_rows(result.histogram)
    most = max(trials for _, trials in rows)
    console.print("Weeks to done (trials):")
    for weeks, trials in rows:
        bar = "█" * round(BAR_WIDTH * trials / most)
        console.print(f"{weeks:>9}  {bar} {trials:,}", markup=False)
    return 0


def cmd_backtest(args: argparse.Namespace) -> int:
    history, source = _history(args, BACKTEST_WEEKS)
    try:
        report = forecasting.backtest(
            history=history.weeks,
            scope=args.scope,
            horizon_weeks=args.horizon_weeks,
            min_history_weeks=args.min_history,
            step_weeks=args.step,
            trials=args.trials,
            seed=args.seed,
        )
    except ForecastError as exc:
        raise CliError(_message(exc, source)) from exc
    if args.json:
        print(json.dumps(report.to_dict()))
        return 0
    scope = (
        f"{report.scope} items"
        if report.scope is not None
        else f"the past pace times {report.horizon_weeks} weeks"
    )
    console.print(
        f"Backtest: {report.resolved} forecasts replayed (scope: {scope}; "
        f"{report.unresolved} not completed within the history, {report.skipped} skipped)"
    )
    table = Table("Forecast", "Actual within it", "A calibrated forecast")
    for share, within in sorted(report.calibration.items()):
        table.add_row(f"P{share}", f"{within:.0%}", f"about {share} % (or a little more)")
    console.print(table)
    return 0


def _history_options(command: argparse.ArgumentParser, default_weeks: int) -> None:
    source = command.add_mutually_exclusive_group(required=True)
    source.add_argument("--history", type=Path, help="CSV: week_start,completed")
    source.add_argument("--team", metavar="NAME", help="a team's history from the database")
    command.add_argument(
        "--weeks",
        type=int,
        help=f"with --team: whole weeks of history before this one (default {default_weeks})",
    )


def register(commands: Commands) -> None:
    forecast = commands.add("forecast", cmd_forecast, "when will the remaining items be done")
    _history_options(forecast, FORECAST_WEEKS)
    forecast.add_argument("--remaining", type=int, required=True, help="items left")
    forecast.add_argument("--remaining-high", type=int, help="items left, high end of a range")
    forecast.add_argument(
        "--split", type=float, nargs=2, metavar=("LOW", "HIGH"), help="growth factors, >= 1"
    )
    forecast.add_argument(
        "--risk",
        nargs=3,
        action="append",
        default=[],
        metavar=("PROBABILITY", "LOW", "HIGH"),
        help="a risk adding LOW to HIGH items with PROBABILITY (repeatable)",
    )
    forecast.add_argument("--trials", type=int, default=10_000)
    forecast.add_argument("--seed", type=int)
    forecast.add_argument("--start", type=iso_date, help="default: the week after the history")
    forecast.add_argument("--target", type=iso_date, help="probability of being done by then")
    forecast.add_argument("--json", action="store_true")

    backtest = commands.add(
        "backtest", cmd_backtest, "replay the history: how often were past forecasts right"
    )
    _history_options(backtest, BACKTEST_WEEKS)
    backtest.add_argument("--scope", type=int, help="items per replayed forecast")
    backtest.add_argument("--horizon-weeks", type=int, default=12, help="without --scope")
    backtest.add_argument("--min-history", type=int, default=8, help="weeks before the first")
    backtest.add_argument("--step", type=int, default=1, help="weeks between replayed forecasts")
    backtest.add_argument("--trials", type=int, default=2_000)
    backtest.add_argument("--seed", type=int)
    backtest.add_argument("--json", action="store_true")
