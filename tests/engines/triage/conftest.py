"""Generated feedback shared by the triage tests (built once per session: generation is
deterministic, so every test sees the same notes)."""

from __future__ import annotations

import pytest

from pilothouse.engines.triage import build_similarity_index
from pilothouse.engines.triage.sample import KIND_WEIGHTS, generate_feedback

SIX_TOPICS = ("quotes", "warehouse", "reporting", "search", "mobile", "access")


@pytest.fixture(scope="session")
def labelled():
    """800 labelled notes to learn from (5% of labels deliberately wrong)."""
    return generate_feedback(n=800, seed=11)


@pytest.fixture(scope="session")
def held_out():
    """1,500 notes generated independently, never trained on."""
    return generate_feedback(n=1_500, seed=12, first_id=100_000)


@pytest.fixture(scope="session")
def corpus():
    """3,000 notes, 3% of them light edits of another note, a third of requests linked."""
    return generate_feedback(n=3_000, seed=21, duplicate_share=0.03, link_share=0.35)


@pytest.fixture(scope="session")
def index(corpus):
    return build_similarity_index(notes=corpus.notes, features=corpus.features)


@pytest.fixture(scope="session")
def six_topics():
    """600 unlinked notes about six product areas; mobile grows over the half-year."""
    from pilothouse.engines.triage.sample_topics import TOPICS

    return generate_feedback(
        n=600,
        seed=31,
        link_share=0.0,
        kind_weights={kind: w for kind, w in KIND_WEIGHTS.items() if kind != "other"},
        topic_weights={t.key: (1.0 if t.key in SIX_TOPICS else 0.0) for t in TOPICS},
        growing_topics=("mobile",),
    )
