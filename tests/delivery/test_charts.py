"""The team page's charts: what they draw, and that their text (what vl-convert spends
its time on) stays short whatever the number of weeks or periods."""

from __future__ import annotations

import datetime as dt
import re

from pilothouse.delivery import charts, demand
from pilothouse.delivery.models import CapacityPeriod
from pilothouse.delivery.selectors import PeriodFigures, Week
from pilothouse.engines import forecasting

MONDAY = dt.date(2026, 11, 16)


def texts(svg: str) -> list[str]:
    return re.findall(r"<text[^>]*>([^<]*)</text>", svg)


def weeks(n: int) -> list[Week]:
    return [Week(start=MONDAY - dt.timedelta(weeks=n - 1 - i), count=i % 5) for i in range(n)]


def test_the_throughput_chart_names_every_fourth_week_back_from_the_latest():
    series = weeks(27)
    spec = charts.throughput_spec(series, partial=MONDAY)
    named = spec["encoding"]["x"]["axis"]["values"]
    assert named == [week.start.isoformat() for week in series[::-1][::4]]
    drawn = texts(charts.svg(spec))
    assert "16 Nov" in drawn  # the latest
    assert "19 Oct" in drawn  # four weeks before
    assert "9 Nov" not in drawn
    assert len(drawn) <= 14  # 7 weeks, a few counts, the axis title


def test_the_current_week_is_drawn_apart():
    spec = charts.throughput_spec(weeks(27), partial=MONDAY)
    partial = [row for row in spec["data"]["values"] if row["partial"]]
    assert [row["week"] for row in partial] == [MONDAY.isoformat()]
    assert spec["encoding"]["color"]["condition"] == {
        "test": "datum.partial",
        "value": charts.PARTIAL_WEEK,
    }
    svg = charts.svg(spec)
    assert svg.count(charts.PARTIAL_WEEK) == 1
    assert svg.count(charts.WHOLE_WEEK) == 26
    without = charts.throughput_spec(weeks(26))
    assert not any(row["partial"] for row in without["data"]["values"])


def test_the_demand_chart_names_its_periods_and_the_page_its_colours():
    figures = []
    for i, status in enumerate([demand.OK, demand.AT_RISK, demand.OVER_COMMITTED]):
        start = dt.date(2027, 1 + 3 * i, 1)
        period = CapacityPeriod(pk=i + 1, start=start, end=start, granularity="quarter")
        figures.append(
            PeriodFigures(
                period=period,
                capacity=10,
                computed=True,
                demand=demand.PeriodDemand(low=5 + 4 * i, high=9 + 4 * i),
                status=status,
                explanation="",
            )
        )
    spec = charts.demand_spec(figures)
    drawn = texts(charts.svg(spec))
    assert drawn[:3] == ["Q1 2027", "Q2 2027", "Q3 2027"]
    assert "Person-weeks" in drawn
    assert "OK" not in drawn  # the page names the colours: charts.STATUS_KEY
    assert len(drawn) <= 10
    assert [
        ("OK", charts.STATUS_COLOURS["ok"]),
        ("At risk", charts.STATUS_COLOURS["at_risk"]),
        ("Over-committed", charts.STATUS_COLOURS["over_committed"]),
    ] == charts.STATUS_KEY
    colour = spec["layer"][1]["encoding"]["color"]["scale"]
    assert colour["range"] == [hex_code for _, hex_code in charts.STATUS_KEY]


def test_a_forecast_chart_names_eight_of_its_weeks_at_most():
    start = dt.date(2027, 1, 4)
    histogram = tuple(forecasting.HistogramBin(weeks=w, trials=10) for w in range(3, 35))
    forecast = forecasting.CompletionForecast(
        trials=320, start=start, percentiles={}, probability_by_target=None, histogram=histogram
    )
    spec = charts.forecast_spec(forecast)
    named = spec["encoding"]["x"]["axis"]["values"]
    assert len(named) == 8
    assert named[0] == forecasting.week_end(start, 3).strftime("%-d %b %Y")
    drawn = texts(charts.svg(spec))
    assert [text for text in drawn if text in named] == named
    assert len(drawn) <= 16
