"""The labelled feedback generator: deterministic, varied, and what it says it plants."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from pilothouse.engines.triage.sample import KINDS, generate_feedback, sample_features
from pilothouse.engines.triage.sample_topics import TOPICS


def test_same_seed_same_feedback_other_seed_other_feedback():
    first = generate_feedback(n=300, seed=4)
    assert first == generate_feedback(n=300, seed=4)
    assert first.notes != generate_feedback(n=300, seed=5).notes


def test_notes_cover_every_kind_and_topic_with_varied_text(labelled):
    notes = labelled.notes
    assert len(notes) == 800
    assert set(Counter(n.kind for n in notes)) == set(KINDS)
    assert set(labelled.topic_of.values()) == {t.key for t in TOPICS} | {"account"}
    assert len({n.text for n in notes}) >= 0.9 * len(notes)
    assert all(n.created_at.tzinfo is dt.UTC for n in notes)


def test_label_noise_relabels_about_the_share_asked(labelled):
    wrong = sum(n.kind != labelled.true_kind_of[n.id] for n in labelled.notes)
    assert 0.02 * 800 <= wrong <= 0.09 * 800
    clean = generate_feedback(n=400, seed=2, label_noise=0.0)
    assert all(n.kind == clean.true_kind_of[n.id] for n in clean.notes)


def test_links_point_at_the_feature_a_note_asks_for(corpus):
    feature_ids = {f.id for f in corpus.features}
    linked = [n for n in corpus.notes if n.feature_ids]
    assert linked
    for note in linked:
        assert note.feature_ids == (corpus.feature_of[note.id],)
        assert note.feature_ids[0] in feature_ids
        assert corpus.feature_topic[note.feature_ids[0]] == corpus.topic_of[note.id]
    asking = [
        n for n in corpus.notes if n.id in corpus.feature_of and n.id not in corpus.duplicate_of
    ]
    assert 0.25 <= len([n for n in asking if n.feature_ids]) / len(asking) <= 0.45


def test_duplicates_are_light_edits_of_an_earlier_note(corpus):
    assert len(corpus.duplicate_of) == 90
    by_id = {n.id: n for n in corpus.notes}
    for copy, original in corpus.duplicate_of.items():
        assert copy > original
        assert by_id[copy].kind == by_id[original].kind
        assert by_id[copy].created_at >= by_id[original].created_at


def test_a_growing_topic_is_more_frequent_late_than_early(six_topics):
    middle = dt.datetime(2025, 1, 6, tzinfo=dt.UTC) + dt.timedelta(days=91)
    mobile = [n for n in six_topics.notes if six_topics.topic_of[n.id] == "mobile"]
    late = sum(n.created_at >= middle for n in mobile)
    assert late > 2 * (len(mobile) - late)


def test_features_are_numbered_in_topic_order():
    features = sample_features(first_id=100)
    assert [f.id for f in features] == list(range(100, 100 + len(features)))
    assert features[0].title == TOPICS[0].features[0].title


def test_arguments_are_checked():
    with pytest.raises(ValueError, match="growing_topics: unknown topic 'weather'"):
        generate_feedback(n=10, growing_topics=("weather",))
    with pytest.raises(ValueError, match="kind_weights: unknown kind 'rant'"):
        generate_feedback(n=10, kind_weights={"rant": 1.0})
    with pytest.raises(ValueError, match="n: must not be negative"):
        generate_feedback(n=-1)
