"""`pilothouse forecast` and `pilothouse backtest`, in process: no database needed."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest

from pilothouse.cli import main

MONDAY = dt.date(2025, 1, 6)


def write_history(path, counts, *, skip=()):
    lines = ["week_start,completed"]
    for i, n in enumerate(counts):
        if i not in skip:
            lines.append(f"{MONDAY + dt.timedelta(days=7 * i)},{n}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


@pytest.fixture
def constant(tmp_path):
    return write_history(tmp_path / "constant.csv", [5] * 20)


@pytest.fixture
def varied(tmp_path):
    counts = [int(n) for n in np.random.default_rng(4).poisson(6, 60)]
    return write_history(tmp_path / "varied.csv", counts)


def run_json(capsys, *args):
    code = main(["forecast", *args, "--json"])
    out = capsys.readouterr()
    assert code == 0, out.err
    return json.loads(out.out)  # exactly one JSON object, nothing else on stdout


def test_json_has_exactly_the_documented_shape(capsys, constant):
    body = run_json(capsys, "--history", constant, "--remaining", "50", "--target", "2025-08-01")
    # The history's last week starts 2025-05-19, so the forecast starts 2025-05-26.
    assert body == {
        "trials": 10000,
        "percentiles": {
            "50": {"weeks": 10, "date": "2025-08-03"},
            "85": {"weeks": 10, "date": "2025-08-03"},
            "95": {"weeks": 10, "date": "2025-08-03"},
        },
        "probability_by_target": 0.0,
        "histogram": [{"weeks": 10, "trials": 10000}],
    }


def test_options_reach_the_engine(capsys, varied):
    args = ["--history", varied, "--remaining", "40", "--remaining-high", "60"]
    args += ["--split", "1.0", "1.3", "--risk", "0.5", "5", "10", "--trials", "2000"]
    args += ["--seed", "3", "--start", "2026-01-05"]
    first = run_json(capsys, *args)
    again = run_json(capsys, *args)
    assert first == again
    assert first["trials"] == 2000
    assert first["probability_by_target"] is None
    assert sum(b["trials"] for b in first["histogram"]) == 2000
    weeks = [first["percentiles"][share]["weeks"] for share in ("50", "85", "95")]
    assert weeks == sorted(weeks)
    start = dt.date(2026, 1, 5)
    for point in first["percentiles"].values():
        assert point["date"] == str(start + dt.timedelta(days=7 * point["weeks"] - 1))
    plain = run_json(capsys, "--history", varied, "--remaining", "40", "--seed", "3")
    assert plain["percentiles"]["85"]["weeks"] < first["percentiles"]["85"]["weeks"]


def test_human_output_has_the_table_the_probability_and_a_histogram(capsys, varied):
    code = main(
        [
            "forecast",
            "--history",
            varied,
            "--remaining",
            "60",
            "--seed",
            "1",
            "--target",
            "2026-05-01",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "Forecast for 60 items from 2026-03-02" in out
    for share in ("50 %", "85 %", "95 %"):
        assert share in out
    assert "Probability of finishing by 2026-05-01:" in out
    assert "█" in out


def test_missing_weeks_count_as_zero(capsys, tmp_path):
    gappy = write_history(tmp_path / "gappy.csv", [10, 0, 10], skip={1})
    body = run_json(capsys, "--history", gappy, "--remaining", "10", "--seed", "2")
    # The skipped week is a zero week: two of the three weeks complete 10 items.
    one_week = next(b["trials"] for b in body["histogram"] if b["weeks"] == 1)
    assert one_week / 10000 == pytest.approx(2 / 3, abs=0.02)
    code = main(["forecast", "--history", gappy, "--remaining", "10"])
    assert code == 0
    assert "1 missing weeks counted as zero" in capsys.readouterr().out


def test_backtest_reports_calibration(capsys, varied):
    code = main(["backtest", "--history", varied, "--scope", "20", "--seed", "1", "--json"])
    out = capsys.readouterr()
    assert code == 0, out.err
    report = json.loads(out.out)
    assert set(report["calibration"]) == {"50", "85", "95"}
    assert report["resolved"] + report["unresolved"] == len(report["points"])
    assert report["points"][0]["as_of"] == str(MONDAY + dt.timedelta(weeks=8))
    assert all(0 <= share <= 1 for share in report["calibration"].values())

    assert main(["backtest", "--history", varied, "--seed", "1"]) == 0
    human = capsys.readouterr().out
    assert "Backtest:" in human
    assert "P85" in human


@pytest.mark.parametrize(
    ("text", "args", "message"),
    [
        ("week_start,completed\n", [], "no forecast is possible: the history is empty"),
        (
            "week_start,completed\n2025-01-06,0\n2025-01-13,0\n",
            [],
            "no forecast is possible: no item was completed in the 2 weeks of history",
        ),
        ("when,done\n2025-01-06,3\n", [], "line 1: the header must be `week_start,completed`"),
        ("week_start,completed\n2025-01-06,3\nsoon,4\n", [], "line 3: week_start 'soon'"),
        ("week_start,completed\n2025-01-06,-3\n", [], "line 2: completed '-3' is not a whole"),
        ("week_start,completed\n2025-01-06,3,4\n", [], "line 2: expected 2 cells"),
        (
            "week_start,completed\n2025-01-13,3\n2025-01-06,4\n",
            [],
            "line 3: week 2025-01-06 is not after the previous row's week",
        ),
        (
            "week_start,completed\n2025-01-06,3\n2025-01-10,4\n",
            [],
            "line 3: week 2025-01-10 is 4 days after",
        ),
        ("week_start,completed\n2025-01-06,3\n", ["--remaining", "-5"], "--remaining: must be"),
        (
            "week_start,completed\n2025-01-06,3\n",
            ["--remaining-high", "2"],
            r"--remaining-high: 2 is below remaining (10)",
        ),
        (
            "week_start,completed\n2025-01-06,3\n",
            ["--split", "1.5", "1.2"],
            "--split: the high factor (1.2) is below the low one (1.5)",
        ),
        ("week_start,completed\n2025-01-06,3\n", ["--trials", "0"], "--trials: must be"),
        (
            "week_start,completed\n2025-01-06,3\n",
            ["--target", "2025-01-01"],
            "--target: 2025-01-01 is before the start (2025-01-13)",
        ),
        (
            "week_start,completed\n2025-01-06,3\n",
            ["--risk", "high", "1", "2"],
            "--risk: expected PROBABILITY LOW HIGH",
        ),
        (
            "week_start,completed\n2025-01-06,3\n",
            ["--risk", "1.2", "1", "2"],
            "risks[0].probability: must be from 0 to 1",
        ),
    ],
)
def test_bad_input_exits_1_with_one_line(capsys, tmp_path, text, args, message):
    path = tmp_path / "history.csv"
    path.write_text(text, encoding="utf-8")
    argv = ["forecast", "--history", str(path), "--json", *args]
    if "--remaining" not in args:
        argv += ["--remaining", "10"]
    assert main(argv) == 1
    out = capsys.readouterr()
    assert out.out == ""
    assert message in out.err
    assert len(out.err.strip().splitlines()) == 1


def test_a_missing_file_is_one_line(capsys, tmp_path):
    assert main(["forecast", "--history", str(tmp_path / "nope.csv"), "--remaining", "3"]) == 1
    err = capsys.readouterr().err
    assert "nope.csv: cannot read the history" in err
    assert len(err.strip().splitlines()) == 1


def test_the_forecast_command_does_not_load_django():
    import subprocess
    import sys

    code = (
        "import sys, pathlib, tempfile\n"
        "from pilothouse.cli import main\n"
        "p = pathlib.Path(tempfile.mkdtemp()) / 'h.csv'\n"
        "p.write_text('week_start,completed\\n2025-01-06,3\\n')\n"
        "assert main(['forecast', '--history', str(p), '--remaining', '9', '--json']) == 0\n"
        "print(any(name.split('.')[0] == 'django' for name in sys.modules), file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert json.loads(result.stdout)["percentiles"]["50"]["weeks"] == 3
    assert result.stderr.strip() == "False"


# --- a team's real history, from the database (a separate process and data dir) -------

# Weekly counts of the seeded team, oldest first, over the 52 whole weeks before this one.
TEAM_PATTERN = [int(n) for n in np.random.default_rng(9).poisson(4, 52)]
SEED_TEAM = """
import datetime as dt
from django.utils import timezone
from pilothouse.delivery.models import Team, WorkItem
monday = timezone.localdate() - dt.timedelta(days=timezone.localdate().weekday())
team = Team.objects.create(name="Checkout squad")
Team.objects.create(name="Idle squad")
pattern = {pattern}
WorkItem.objects.bulk_create(
    WorkItem(team=team, title=f"{{i}}.{{n}}", completed_on=monday - dt.timedelta(weeks=52 - i))
    for i, count in enumerate(pattern) for n in range(count)
)
"""


@pytest.fixture(scope="module")
def team_dir(tmp_path_factory):
    from tests.cli.test_cli import run

    path = tmp_path_factory.mktemp("forecast-team")
    assert run("init", data_dir=path).returncode == 0
    seeded = run("manage", "shell", "-c", SEED_TEAM.format(pattern=TEAM_PATTERN), data_dir=path)
    assert seeded.returncode == 0, seeded.stderr
    return path


def team_rows(weeks: int) -> list[tuple[dt.date, int]]:
    today = dt.date.today()
    monday = today - dt.timedelta(days=today.weekday())
    return [
        (monday - dt.timedelta(weeks=weeks - i), n) for i, n in enumerate(TEAM_PATTERN[-weeks:])
    ]


def test_backtest_replays_a_teams_real_history(team_dir):
    from pilothouse.engines import forecasting
    from tests.cli.test_cli import run

    result = run("backtest", "--team", "Checkout squad", "--seed", "3", "--json", data_dir=team_dir)
    assert result.returncode == 0, result.stderr
    expected = forecasting.backtest(history=team_rows(52), seed=3)
    assert json.loads(result.stdout) == expected.to_dict()
    human = run("backtest", "--team", "Checkout squad", "--weeks", "30", data_dir=team_dir)
    assert human.returncode == 0, human.stderr
    assert "Backtest:" in human.stdout
    assert "P85" in human.stdout


def test_forecast_from_a_teams_real_history(team_dir):
    from pilothouse.engines import forecasting
    from tests.cli.test_cli import run

    args = ["forecast", "--team", "Checkout squad", "--remaining", "30", "--seed", "5", "--json"]
    result = run(*args, data_dir=team_dir)
    assert result.returncode == 0, result.stderr
    rows = team_rows(26)
    expected = forecasting.forecast_completion(
        history=[n for _, n in rows],
        remaining=30,
        seed=5,
        start=rows[-1][0] + dt.timedelta(weeks=1),  # this week's Monday
    )
    assert json.loads(result.stdout) == expected.to_dict()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["backtest", "--team", "Nobody"], "no team named 'Nobody'"),
        (["forecast", "--team", "Nobody", "--remaining", "3"], "no team named 'Nobody'"),
        (
            ["forecast", "--team", "Idle squad", "--remaining", "3"],
            "team 'Idle squad': no forecast is possible: no item was completed in the 26 weeks",
        ),
        (["backtest", "--team", "Checkout squad", "--weeks", "0"], "--weeks: From 1 to 261"),
    ],
)
def test_team_input_that_allows_no_forecast_fails_with_one_line(team_dir, args, message):
    from tests.cli.test_cli import run

    result = run(*args, data_dir=team_dir)
    assert result.returncode == 1
    assert message in result.stderr
    assert result.stdout == ""


def test_history_and_team_are_exclusive_and_weeks_needs_a_team(capsys, constant):
    with pytest.raises(SystemExit):
        main(["backtest", "--history", constant, "--team", "Checkout squad"])
    assert "not allowed with argument" in capsys.readouterr().err
    assert main(["backtest", "--history", constant, "--weeks", "10"]) == 1
    assert "--weeks: only with --team" in capsys.readouterr().err
