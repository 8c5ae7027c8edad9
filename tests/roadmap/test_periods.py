"""Months, quarters and the window of periods a timeline shows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from pilothouse.roadmap.periods import period_of, time_window

TODAY = dt.date(2026, 11, 21)


def test_a_month_and_a_quarter_know_their_days():
    month = period_of(dt.date(2028, 2, 10), "month")
    assert (month.key, month.label, month.start, month.end, month.days) == (
        "2028-02",
        "Feb 2028",
        dt.date(2028, 2, 1),
        dt.date(2028, 2, 29),
        29,
    )
    quarter = period_of(dt.date(2026, 12, 31), "quarter")
    assert (quarter.key, quarter.label, quarter.start, quarter.end) == (
        "2026-Q4",
        "Q4 2026",
        dt.date(2026, 10, 1),
        dt.date(2026, 12, 31),
    )


def test_the_default_windows_start_a_little_before_today():
    months = time_window(today=TODAY)
    assert [p.key for p in months.periods] == [
        "2026-10",
        "2026-11",
        "2026-12",
        "2027-01",
        "2027-02",
        "2027-03",
    ]
    quarters = time_window(today=TODAY, scale="quarter")
    assert [p.key for p in quarters.periods] == ["2026-Q4", "2027-Q1", "2027-Q2", "2027-Q3"]
    assert (quarters.previous_key, quarters.next_key) == ("2025-Q4", "2027-Q4")


def test_switching_the_scale_keeps_the_reader_where_they_were():
    assert time_window(today=TODAY, scale="quarter", start="2027-05").key == "2027-Q2"
    assert time_window(today=TODAY, scale="month", start="2027-Q2").key == "2027-04"


def test_days_are_placed_in_percent_of_the_window():
    window = time_window(today=TODAY, start="2027-01", periods=2)  # January and February
    assert window.days == 59
    assert window.offset(dt.date(2027, 1, 1)) == 0
    assert window.offset(dt.date(2027, 2, 1)) == pytest.approx(31 * 100 / 59, abs=0.001)
    assert window.offset(dt.date(2020, 1, 1)) == 0  # clamped to the window
    assert window.offset(dt.date(2030, 1, 1)) == 100
    assert window.span(dt.date(2027, 1, 1), dt.date(2027, 2, 28)) == (0, 100)
    _left, width = window.span(dt.date(2027, 1, 10), dt.date(2027, 1, 10))  # one day
    assert width == pytest.approx(100 / 59, abs=0.001)
    assert window.boundaries == [pytest.approx(31 * 100 / 59, abs=0.001)]


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"scale": "year"}, "scale"),
        ({"start": "2026/03"}, "from"),
        ({"start": "2026-13"}, "from"),
        ({"start": "0000-01"}, "from"),
        ({"periods": "x"}, "periods"),
        ({"periods": "0"}, "periods"),
        ({"scale": "quarter", "periods": "9"}, "periods"),
    ],
)
def test_bad_window_options_name_the_parameter(options, field):
    with pytest.raises(ValidationError) as error:
        time_window(today=TODAY, **options)
    assert set(error.value.message_dict) == {field}
