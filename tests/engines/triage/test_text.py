"""Normalisation before vectorising."""

from __future__ import annotations

from pilothouse.engines.triage.text import STOP_WORDS, normalise


def test_normalise_keeps_the_words_and_drops_the_markup():
    text = (
        "**Export** fails: see https://example.test/t/42 or mail ops@example.test\n"
        "> quoted reply from last week\n"
        "It\u2019s `broken`  again?"
    )
    assert normalise(text) == "export fails: see url or mail email it's broken again?"


def test_negations_are_not_stop_words():
    assert {"not", "no", "cannot", "never"}.isdisjoint(STOP_WORDS)
    assert {"the", "and", "hello"} <= STOP_WORDS
