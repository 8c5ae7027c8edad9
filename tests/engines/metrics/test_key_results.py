"""Key results read from a metric: objective periods, readings, progress and scores."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pilothouse.engines.metrics import (
    key_result_reading,
    label_span,
    progress,
    reading_history,
    score,
    score_band,
)

Q1 = (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
VALUES = [
    (dt.date(2025, 12, 29), 100.0),  # before the quarter
    (dt.date(2026, 1, 5), 110.0),
    (dt.date(2026, 2, 2), 130.0),
    (dt.date(2026, 3, 30), 150.0),
    (dt.date(2026, 4, 6), 999.0),  # after it
]


def test_objective_period_labels():
    assert label_span("2026") == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert label_span("2026-H1") == (dt.date(2026, 1, 1), dt.date(2026, 6, 30))
    assert label_span("2026-H2") == (dt.date(2026, 7, 1), dt.date(2026, 12, 31))
    assert label_span("2026-Q1") == Q1
    assert label_span("2026-Q4") == (dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    assert label_span("2024-02") == (dt.date(2024, 2, 1), dt.date(2024, 2, 29))
    assert label_span("2026-12") == (dt.date(2026, 12, 1), dt.date(2026, 12, 31))
    with pytest.raises(ValueError, match="period: '2026-Q5' is not a year, half, quarter"):
        label_span("2026-Q5")


def test_readings_of_a_quarter():
    start, end = Q1
    read = {
        reading: key_result_reading(values=VALUES, reading=reading, start=start, end=end)
        for reading in ("latest", "period_sum", "period_mean")
    }
    assert read == {"latest": 150.0, "period_sum": 390.0, "period_mean": 130.0}


def test_latest_reads_from_before_the_period_and_nothing_is_none():
    start, end = Q1
    early = VALUES[:1]
    assert key_result_reading(values=early, reading="latest", start=start, end=end) == 100.0
    assert key_result_reading(values=early, reading="period_sum", start=start, end=end) is None
    assert key_result_reading(values=[], reading="latest", start=start, end=end) is None
    with pytest.raises(ValueError, match="reading: 'median' is not one of"):
        key_result_reading(values=VALUES, reading="median", start=start, end=end)


def test_the_history_of_a_reading():
    start, end = Q1
    assert reading_history(values=VALUES, reading="period_sum", start=start, end=end) == [
        (dt.date(2026, 1, 5), 110.0),
        (dt.date(2026, 2, 2), 240.0),
        (dt.date(2026, 3, 30), 390.0),
    ]
    assert [
        v for _d, v in reading_history(values=VALUES, reading="period_mean", start=start, end=end)
    ] == [110.0, 120.0, 130.0]
    assert [
        v for _d, v in reading_history(values=VALUES, reading="latest", start=start, end=end)
    ] == [110.0, 130.0, 150.0]


def test_progress_both_ways_and_held_within_bounds():
    assert progress(current=150, start=100, target=200) == 0.5
    assert progress(current=250, start=100, target=200) == 1.0
    assert progress(current=50, start=100, target=200) == 0.0
    assert progress(current=300, start=400, target=200) == 0.5  # a decrease
    assert progress(current=5, start=5, target=5) == 0.0


def test_score_and_its_colour_bands():
    assert score([]) is None
    assert score([0.5, 1.0, 0.6]) == pytest.approx(0.7)
    assert score_band(None) is None
    assert score_band(0.7) == "green"
    assert score_band(1.0) == "green"
    assert score_band(0.69) == "yellow"
    assert score_band(0.4) == "yellow"
    assert score_band(0.39) == "red"
    assert score_band(0.0) == "red"
    # Judged as shown, to two places: 0.6996 reads 0.70, so it is green.
    assert score_band(0.6996) == "green"
    assert score_band(0.3949) == "red"


@given(current=st.floats(-1e6, 1e6), start=st.floats(-1e6, 1e6), target=st.floats(-1e6, 1e6))
def test_progress_is_a_share(current, start, target):
    share = progress(current=current, start=start, target=target)
    assert 0.0 <= share <= 1.0
    if start != target and current == target:
        assert share == 1.0


@given(st.lists(st.floats(0, 1), min_size=1, max_size=20))
def test_a_score_is_within_its_key_results(progresses):
    value = score(progresses)
    assert min(progresses) - 1e-12 <= value <= max(progresses) + 1e-12
    assert score_band(value) in {"green", "yellow", "red"}
