"""Themes: planted topics recovered in pure themes named by their own words, the corpus's
boilerplate learned and left out, readable labels, trends, the window, and bad input."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

import numpy as np
import pytest
from scipy import stats
from sklearn.metrics import adjusted_rand_score

from pilothouse.engines.triage import Note, find_themes, sample_phrases, themes
from pilothouse.engines.triage.sample import generate_feedback
from pilothouse.engines.triage.sample_topics import TOPICS
from pilothouse.engines.triage.text import KIND_WORDS, STOP_WORDS, theme_vectorizer

UTC = dt.UTC


@pytest.fixture(scope="module")
def report(six_topics):
    return find_themes(notes=six_topics.notes, seed=0)


def _labels(report, notes) -> list[int]:
    theme_of = {note_id: i for i, theme in enumerate(report.themes) for note_id in theme.note_ids}
    return [theme_of.get(note.id, -1) for note in notes]


def _leading(theme, sample) -> str:
    return Counter(sample.topic_of[i] for i in theme.note_ids).most_common(1)[0][0]


def _purity(report, sample) -> float:
    """The share of the notes in themes whose theme leads with their own topic."""
    placed = [(i, _leading(theme, sample)) for theme in report.themes for i in theme.note_ids]
    return sum(sample.topic_of[i] == leading for i, leading in placed) / len(placed)


WORD = re.compile(r"[a-z]+")
TOPIC_WORDS = {
    topic.key: set(
        WORD.findall(
            " ".join(
                topic.things
                + topic.uses
                + topic.symptoms
                + tuple(text for f in topic.features for text in (f.title, f.description, *f.wants))
            ).lower()
        )
    )
    for topic in TOPICS
}
# The words around a note rather than in it: greetings, sign-offs, the customer's context.
BOILERPLATE = (
    set(
        WORD.findall(
            " ".join(
                sample_phrases.PREFIXES
                + sample_phrases.SUFFIXES
                + sample_phrases.CONTEXTS
                + sample_phrases.DETAILS
            ).lower()
        )
    )
    - set().union(*TOPIC_WORDS.values())
    - STOP_WORDS
    - KIND_WORDS
)


@pytest.fixture(scope="module")
def many_areas():
    """1,500 unlinked notes about all twelve product areas and account matters."""
    return generate_feedback(n=1_500, seed=101, link_share=0.0)


@pytest.fixture(scope="module")
def many_report(many_areas):
    return find_themes(notes=many_areas.notes, seed=0)


def test_themes_recover_the_planted_topics(report, six_topics):
    notes = six_topics.notes
    truth = [six_topics.topic_of[note.id] for note in notes]
    ari = adjusted_rand_score(truth, _labels(report, notes))
    # Observed: 7 themes for the 6 planted topics (one area in two pain points), adjusted
    # Rand index 0.60 and purity 0.81 (ARI 0.42 to 0.60, purity 0.80 to 0.84 over other
    # seeds; before the corpus's stop words and c-TF-IDF, ARI 0.69 and purity 0.86 here,
    # purity 0.81 to 0.89 elsewhere). Notes share words across areas ("too many clicks",
    # a greeting, a second sentence about something else), as real ones do.
    assert ari >= 0.5
    assert _purity(report, six_topics) >= 0.72
    assert 4 <= len(report.themes) <= 12
    # Every planted topic is the main topic of at least one theme.
    leading = {_leading(theme, six_topics) for theme in report.themes}
    assert leading == {"quotes", "warehouse", "reporting", "search", "mobile", "access"}


def test_themes_of_many_areas_are_pure(many_report, many_areas):
    notes = many_areas.notes
    truth = [many_areas.topic_of[note.id] for note in notes]
    ari = adjusted_rand_score(truth, _labels(many_report, notes))
    # Observed: 15 themes over 12 areas and account matters, purity 0.74 and ARI 0.54
    # (purity 0.66 to 0.74, ARI 0.42 to 0.54 over other seeds). Before the corpus's stop
    # words: 8 themes mixing areas, purity 0.51 and ARI 0.31.
    assert _purity(many_report, many_areas) >= 0.66
    assert ari >= 0.45
    assert len({_leading(theme, many_areas) for theme in many_report.themes}) >= 10


@pytest.mark.parametrize("which", ["six topics", "many areas"])
def test_top_terms_are_topic_words_not_boilerplate(
    which, report, six_topics, many_report, many_areas
):
    found, sample = (report, six_topics) if which == "six topics" else (many_report, many_areas)
    first = [(theme, term) for theme in found.themes for term in theme.terms[:3]]
    for theme in found.themes:
        topic = _leading(theme, sample)
        if topic in TOPIC_WORDS:  # not the account matters
            assert any(set(term.split()) & TOPIC_WORDS[topic] for term in theme.terms[:3])
    boilerplate = [term for _theme, term in first if set(term.split()) <= BOILERPLATE]
    # Observed: none of the six areas' first terms; 2 of the 45 of the many areas (a
    # cluster of notes signed "Let me know if you need more details", another led by a
    # "Survey response:" heading), where the engine without the corpus's stop words had
    # 2 of 24.
    assert len(boilerplate) <= (0 if which == "six topics" else 0.05 * len(first)), boilerplate


def test_the_corpus_stop_words_are_its_boilerplate(six_topics):
    texts = [note.text for note in six_topics.notes]
    vectorizer = theme_vectorizer(documents=len(texts))
    X = vectorizer.fit_transform(texts)
    terms = vectorizer.get_feature_names_out()
    _X, kept = themes._without_common_terms(X, terms, None, 15, 5, seed=0)
    common = set(terms) - set(kept)
    # Sign-offs, ticket and survey headings and the customer's context, found in every
    # area: not what a theme is about.
    assert {"screenshot attached", "let know", "know details", "survey response"} <= common
    assert {"enterprise plan", "thx", "urgent", "ticket"} <= common
    # The words of the areas gather in a few clusters and stay.
    assert not common & {"quote", "search", "stock", "report", "app", "invite", "pick list"}


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
        topic = _leading(theme, six_topics)
        if topic == "quotes":
            assert any("quote" in term for term in theme.terms[:3])
        if topic == "search":
            assert any("search" in term or "product" in term for term in theme.terms[:3])


def test_a_phrase_comes_before_the_word_it_holds(report):
    terms = [term for theme in report.themes for term in theme.terms]
    assert "pick list" in terms
    assert "pick" not in terms


def test_each_theme_has_a_label_in_its_notes_words(report, six_topics):
    text = {note.id: note.text for note in six_topics.notes}
    for theme in report.themes:
        label = themes.theme_label(theme.terms, [text[i] for i in theme.note_ids])
        words = set(WORD.findall(label.lower()))
        assert label[:1].isupper(), label
        assert 1 <= len(label.split()) <= 10, label
        assert words & TOPIC_WORDS[_leading(theme, six_topics)], label


def test_a_label_is_the_clause_most_notes_share():
    texts = [
        "Hi team, the PDF of shipments shows the wrong company logo. Thanks!",
        "Since Tuesday the PDF of shipments shows the wrong company logo",
        "FYI: the pdf of shipments shows the wrong company logo again.",
        "Could the PDF of invoices show our company logo bigger?",
    ]
    terms = ("company logo", "pdf shipments", "shows wrong", "pdf")
    # Cut to its terms, as the notes write it (most of them say "PDF").
    assert themes.theme_label(terms, texts) == "PDF of shipments shows the wrong company logo"
    assert themes.theme_label(terms, []) == "company logo, pdf shipments, shows wrong"
    assert themes.theme_label((), texts) == ""
    # A clause with a single top term does not make a label.
    assert themes.theme_label(("logo", "venue"), ["The logo.", "The venue."]) == "logo, venue"


def test_a_label_stops_at_its_last_term_within_ten_words():
    texts = ["The page with dunning letters freezes for half a minute and then times out"] * 3
    terms = ("dunning letters", "freezes half", "half minute", "minute times", "page")
    assert themes.theme_label(terms, texts) == "Page with dunning letters freezes for half a minute"


def test_clusters_pointing_the_same_way_are_merged():
    Z = np.array([[1.0, 0.0], [0.99, 0.14], [0.98, 0.2], [0.0, 1.0], [0.1, 0.99]])
    Z = Z / np.linalg.norm(Z, axis=1, keepdims=True)
    labels = np.array([0, 1, 1, 2, 2])
    centres = np.vstack([Z[labels == c].mean(axis=0) for c in range(3)])
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    merged, merged_centres = themes._merge_alike(Z, labels, centres)
    assert merged.tolist() == [0, 0, 0, 1, 1]
    assert merged_centres.shape == (2, 2)
    assert np.allclose(np.linalg.norm(merged_centres, axis=1), 1)
    apart = np.array([[1.0, 0.0], [0.0, 1.0]])
    same, kept = themes._merge_alike(apart, np.array([0, 1]), apart)
    assert same.tolist() == [0, 1]
    assert kept is apart


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
