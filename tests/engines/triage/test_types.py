"""Inputs check themselves and name the field at fault."""

from __future__ import annotations

import datetime as dt

import pytest

from pilothouse.engines.triage import FeatureText, Note, train_kind_model
from pilothouse.engines.triage.types import check_features, check_notes, dismissed_set


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"id": 1, "text": ""}, r"text \(note 1\): must not be empty"),
        ({"id": 1, "text": "   \n"}, r"text \(note 1\): must not be empty"),
        ({"id": 1, "text": None}, r"text \(note 1\): must be a string"),
        ({"id": "1", "text": "x"}, r"id: must be an integer id, got '1'"),
        ({"id": True, "text": "x"}, r"id: must be an integer id"),
        ({"id": 1, "text": "x", "kind": ""}, r"kind \(note 1\): must not be empty"),
        ({"id": 1, "text": "x", "created_at": "2025-01-01"}, r"created_at \(note 1\)"),
        ({"id": 1, "text": "x", "feature_ids": ("a",)}, r"feature_ids \(note 1\)"),
    ],
)
def test_a_bad_note_names_its_field(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Note(**kwargs)


def test_feature_ids_become_a_tuple():
    note = Note(1, "x", feature_ids=[3, 4])
    assert note.feature_ids == (3, 4)
    assert hash(note)  # frozen and hashable


def test_a_bad_feature_names_its_field():
    with pytest.raises(ValueError, match=r"title \(feature 2\): must not be empty"):
        FeatureText(2, " ")
    with pytest.raises(ValueError, match=r"description \(feature 2\): must be a string"):
        FeatureText(2, "Title", None)
    assert FeatureText(2, "Title", "Words.").text == "Title. Words."


def test_collections_are_checked():
    with pytest.raises(ValueError, match=r"notes\[2\]\.id: duplicate note id 1"):
        check_notes([Note(1, "a"), Note(2, "b"), Note(1, "c")])
    with pytest.raises(ValueError, match=r"notes: must be a sequence of Note, got a string"):
        check_notes("text")
    with pytest.raises(ValueError, match=r"features\[0\]: must be a FeatureText, got Note"):
        check_features([Note(1, "a")])
    with pytest.raises(ValueError, match=r"dismissed\[0\]: must be a \(note_id, target\) pair"):
        dismissed_set([(1, 2, 3)])
    assert dismissed_set(None) == frozenset()


def test_engine_functions_are_keyword_only():
    with pytest.raises(TypeError):
        train_kind_model([Note(1, "a", "bug")])  # type: ignore[misc]


def test_notes_are_frozen():
    note = Note(1, "a", created_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC))
    with pytest.raises(AttributeError):
        note.text = "b"  # type: ignore[misc]
