"""Themes: planted topics recovered, trends, the window, and bad input."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from scipy import stats
from sklearn.metrics import adjusted_rand_score

from pilothouse.engines.triage import Note, find_themes

UTC = dt.UTC


@pytest.fixture(scope="module")
def report(six_topics):
    return find_themes(notes=six_topics.notes, seed=0)


def _labels(report, notes) -> list[int]:
    theme_of = {note_id: i for i, theme in enumerate(report.themes) for note_id in theme.note_ids}
    return [theme_of.get(note.id, -1) for note in notes]


def test_themes_recover_the_planted_topics(report, six_topics):
    notes = six_topics.notes
    truth = [six_topics.topic_of[note.id] for note in notes]
    ari = adjusted_rand_score(truth, _labels(report, notes))
    # Observed: 6 themes for the 6 planted topics, adjusted Rand index 0.69 (0.44 to 0.72
    # over other seeds). Notes share words across areas ("too many clicks", a greeting, a
    # second sentence about something else), as real ones do.
    assert ari >= 0.45
    assert 4 <= len(report.themes) <= 12
    # Every planted topic is the main topic of at least one theme.
    leading = {
        Counter(six_topics.topic_of[i] for i in theme.note_ids).most_common(1)[0][0]
        for theme in report.themes
    }
    assert leading == {"quotes", "warehouse", "reporting", "search", "mobile", "access"}


def test_each_theme_is_described(report, six_topics):
    assert report.notes == len(six_topics.notes)
    accounted = sum(theme.size for theme in report.themes) + len(report.unassigned_note_ids)
    assert accounted == report.notes
    sizes = [theme.size for theme in report.themes]
    assert sizes == sorted(sizes, reverse=True)
    for theme in report.themes:
        assert theme.size == len(theme.note_ids) >= 5
        assert 1 <= len(theme.terms) <= 8
        assert theme.label == ", ".join(theme.terms[:3])
        assert 1 <= len(theme.representative_note_ids) <= 3
        assert set(theme.representative_note_ids) <= set(theme.note_ids)
        assert sum(theme.trend.counts) == theme.size
        assert len(theme.trend.counts) == len(theme.trend.period_starts)
        assert all(start.weekday() == 0 for start in theme.trend.period_starts)


def test_top_terms_name_the_topic(report, six_topics):
    for theme in report.themes:
        topic = Counter(six_topics.topic_of[i] for i in theme.note_ids).most_common(1)[0][0]
        if topic == "quotes":
            assert any("quote" in term for term in theme.terms[:3])
        if topic == "search":
            assert any("search" in term or "product" in term for term in theme.terms[:3])


def test_a_growing_topic_has_a_rising_trend(report, six_topics):
    mobile = max(
        report.themes, key=lambda t: sum(six_topics.topic_of[i] == "mobile" for i in t.note_ids)
    )
    assert mobile.trend.direction == "rising"
    assert mobile.trend.slope > 0
    assert mobile.trend.p_value < 0.05
    assert mobile.trend.growth > 0.5  # the planted weight grows fifteenfold over the window
    steady = [
        t
        for t in report.themes
        if Counter(six_topics.topic_of[i] for i in t.note_ids).most_common(1)[0][0] != "mobile"
    ]
    assert all(t.trend.direction != "rising" for t in steady)


def test_same_seed_same_themes(six_topics, report):
    again = find_themes(notes=six_topics.notes, seed=0)
    assert again == report


def _dated(day: dt.date, note_id: int, text: str, **kwargs) -> Note:
    created = dt.datetime.combine(day, dt.time(12), tzinfo=UTC)
    return Note(note_id, text, created_at=created, **kwargs)


WORDS = {
    "export": "The CSV export of the margin report times out on big reports",
    "login": "Password reset email for the login page never arrives",
}


def _weekly(counts_per_week: dict[str, list[int]], start=dt.date(2025, 3, 3)) -> list[Note]:
    notes = []
    for key, counts in counts_per_week.items():
        for week, count in enumerate(counts):
            for i in range(count):
                day = start + dt.timedelta(days=7 * week + i % 7)
                notes.append(_dated(day, len(notes) + 1, f"{WORDS[key]} ({i})"))
    return notes


def test_trend_counts_slope_and_growth_match_a_reference():
    notes = _weekly({"export": [2, 4, 6, 8, 10, 12], "login": [6, 6, 6, 6, 6, 6]})
    report = find_themes(notes=notes, n_themes=2, min_theme_size=3)
    export = next(t for t in report.themes if "export" in " ".join(t.terms))
    login = next(t for t in report.themes if "login" in " ".join(t.terms))
    assert export.trend.counts == (2, 4, 6, 8, 10, 12)
    reference = stats.linregress(range(6), [2, 4, 6, 8, 10, 12])
    assert export.trend.slope == pytest.approx(reference.slope)  # 2 notes more a week
    assert export.trend.growth == pytest.approx(30 / 12 - 1)  # last three weeks vs first
    assert export.trend.direction == "rising"
    assert login.trend.counts == (6,) * 6
    assert login.trend.slope == 0
    assert login.trend.direction == "flat"
    assert login.trend.growth == 0


def test_a_window_cut_mid_period_counts_the_rate_per_full_period():
    # A note a day; the window ends on the Wednesday of the fifth week, whose three notes
    # are a steady rate over three days of seven, not a fall.
    notes = _weekly({"login": [7, 7, 7, 7, 7]}, start=dt.date(2025, 3, 3))
    end = dt.date(2025, 3, 3) + dt.timedelta(days=7 * 4 + 2)
    report = find_themes(notes=notes, end=end, n_themes=1, min_theme_size=3)
    trend = report.themes[0].trend
    assert trend.counts[-1] == 3
    assert trend.direction == "flat"
    assert trend.slope == pytest.approx(0.0, abs=1e-9)


def test_monthly_periods():
    notes = _weekly({"export": [3] * 10})
    report = find_themes(notes=notes, period="month", n_themes=1, min_theme_size=3)
    trend = report.themes[0].trend
    assert trend.period == "month"
    assert trend.period_starts == (dt.date(2025, 3, 1), dt.date(2025, 4, 1), dt.date(2025, 5, 1))


def test_only_unlinked_notes_in_the_window_take_part(six_topics):
    notes = list(six_topics.notes)
    linked = {note.id for note in notes[:100]}
    notes[:100] = [Note(n.id, n.text, n.kind, n.created_at, feature_ids=(1,)) for n in notes[:100]]
    start, end = dt.date(2025, 2, 1), dt.date(2025, 4, 30)
    report = find_themes(notes=notes, start=start, end=end)
    inside = [n for n in notes if start <= n.created_at.date() <= end and n.id not in linked]
    assert report.notes == len(inside)
    assert (report.start, report.end) == (start, end)
    taking_part = {i for theme in report.themes for i in theme.note_ids}
    taking_part |= set(report.unassigned_note_ids)
    assert taking_part == {n.id for n in inside}
    with_linked = find_themes(notes=notes, start=start, end=end, unlinked_only=False)
    assert with_linked.notes > report.notes


def test_too_few_notes_make_no_theme():
    notes = _weekly({"login": [1, 1, 1]})
    report = find_themes(notes=notes)
    assert report.themes == ()
    assert report.unassigned_note_ids == (1, 2, 3)


def test_inputs_are_validated():
    dated = _weekly({"login": [3]})
    with pytest.raises(ValueError, match=r"notes\[0\]\.created_at: required for themes"):
        find_themes(notes=[Note(1, "no date")])
    with pytest.raises(ValueError, match=r"notes\[1\]\.id: duplicate note id 1"):
        find_themes(notes=[dated[0], dated[0]])
    with pytest.raises(ValueError, match="period"):
        find_themes(notes=dated, period="day")
    with pytest.raises(ValueError, match="end: must not be before start"):
        find_themes(notes=dated, start=dt.date(2025, 5, 1), end=dt.date(2025, 4, 1))
    with pytest.raises(ValueError, match="start: must be a date"):
        find_themes(notes=dated, start="2025-01-01")
    with pytest.raises(ValueError, match="max_themes"):
        find_themes(notes=dated, max_themes=1)
