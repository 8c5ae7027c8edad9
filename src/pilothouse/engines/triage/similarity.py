"""Similar notes, likely duplicates and features to link, by TF-IDF cosine similarity.

    index = build_similarity_index(notes=notes, features=features)  # in the background
    similar_notes(index=index, note_id=42)  # [SimilarNote(note_id, score, is_likely_duplicate)]
    suggest_features(index=index, note_id=42)  # [FeatureSuggestion(feature_id, score, reasons)]
    similar_notes(index=index, text="a new note")  # a note that is not in the index yet

Notes and feature texts become L2-normalised TF-IDF vectors (word 1-2 grams, see
`text.similarity_vectorizer`), so a dot product is a cosine in [0, 1]. The index keeps the
note vectors twice: by note (to read a note's own vector) and by term (a posting list per
term), so a lookup touches only the notes sharing a term with the query: a few sparse
slices, one `bincount` and an `argpartition`, never a dense N x N product.

A feature's score for a note is the larger of two signals, both cosines:
- `feature_text`: similarity of the note to the feature's title and description;
- `linked_notes`: mean similarity of the note to the `linked_top_k` most similar notes
  already linked to the feature (the note itself left out).
Each suggestion lists the signals behind it (`reasons`) with their scores and, for linked
notes, which notes matched. Features the note is already linked to are not suggested.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import sparse

from pilothouse.engines.triage import persistence
from pilothouse.engines.triage.text import forget_pruned_terms, similarity_vectorizer
from pilothouse.engines.triage.types import (
    Dismissed,
    FeatureSuggestion,
    FeatureText,
    Note,
    SimilarNote,
    SuggestionReason,
    check_features,
    check_notes,
    dismissed_set,
)

_PERSISTED_KIND = "similarity-index"


@dataclass(frozen=True, eq=False)
class SimilarityIndex:
    """Vectors of a corpus of notes and features, built once and queried many times."""

    vectorizer: Any = field(repr=False)
    note_ids: np.ndarray = field(repr=False)  # ids in row order
    by_note: sparse.csr_matrix = field(repr=False)  # notes x terms
    by_term: sparse.csc_matrix = field(repr=False)  # the same, column-major: posting lists
    sorted_ids: np.ndarray = field(repr=False)  # note ids sorted, and their rows:
    sorted_rows: np.ndarray = field(repr=False)
    feature_ids: np.ndarray = field(repr=False)
    sorted_feature_ids: np.ndarray = field(repr=False)
    sorted_feature_positions: np.ndarray = field(repr=False)
    features_by_term: sparse.csc_matrix = field(repr=False)
    link_rows: np.ndarray = field(repr=False)  # one entry per (note, feature) link
    link_features: np.ndarray = field(repr=False)  # feature positions, same order
    built_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    build_seconds: float = 0.0

    @property
    def notes(self) -> int:
        return int(self.note_ids.shape[0])

    @property
    def features(self) -> int:
        return int(self.feature_ids.shape[0])

    @property
    def terms(self) -> int:
        return int(self.by_note.shape[1])

    def row_of(self, note_id: int) -> int | None:
        position = int(np.searchsorted(self.sorted_ids, note_id))
        if position < self.sorted_ids.shape[0] and self.sorted_ids[position] == note_id:
            return int(self.sorted_rows[position])
        return None

    def feature_position(self, feature_id: int) -> int | None:
        ids = self.sorted_feature_ids
        position = int(np.searchsorted(ids, feature_id))
        if position < ids.shape[0] and ids[position] == feature_id:
            return int(self.sorted_feature_positions[position])
        return None

    def to_bytes(self) -> bytes:
        """Serialise for the project's own storage (see `persistence` on trust)."""
        return persistence.dump(self, kind=_PERSISTED_KIND)

    @classmethod
    def from_bytes(cls, data: bytes) -> SimilarityIndex:
        """Load an index saved by `to_bytes`: only bytes the project wrote itself."""
        index = persistence.load(data, kind=_PERSISTED_KIND)
        if not isinstance(index, cls):
            raise ValueError("data: does not hold a similarity index")
        return index


def build_similarity_index(
    *, notes: Iterable[Note], features: Iterable[FeatureText] = ()
) -> SimilarityIndex:
    """Fit the vocabulary on the notes and feature texts, and index both.

    The links to features are read from each note's `feature_ids`; a link to a feature
    not given in `features` is ignored.
    """
    started = time.perf_counter()
    items = check_notes(notes)
    feature_items = check_features(features)
    if not items:
        raise ValueError("notes: at least one note is needed to build an index")
    vectorizer = similarity_vectorizer(documents=len(items) + len(feature_items))
    texts = [note.text for note in items] + [feature.text for feature in feature_items]
    vectors = vectorizer.fit_transform(texts).astype(np.float32)
    forget_pruned_terms(vectorizer)
    by_note = sparse.csr_matrix(vectors[: len(items)])
    feature_vectors = vectors[len(items) :]

    note_ids = np.fromiter((note.id for note in items), dtype=np.int64, count=len(items))
    order = np.argsort(note_ids, kind="stable")
    feature_ids = np.array([feature.id for feature in feature_items], dtype=np.int64)
    feature_order = np.argsort(feature_ids, kind="stable")
    feature_position = {feature.id: i for i, feature in enumerate(feature_items)}
    rows, positions = [], []
    for row, note in enumerate(items):
        for feature_id in note.feature_ids:
            position = feature_position.get(feature_id)
            if position is not None:
                rows.append(row)
                positions.append(position)
    link_rows = np.array(rows, dtype=np.int32)
    link_features = np.array(positions, dtype=np.int32)

    return SimilarityIndex(
        vectorizer=vectorizer,
        note_ids=note_ids,
        by_note=by_note,
        by_term=by_note.tocsc(),
        sorted_ids=note_ids[order],
        sorted_rows=order.astype(np.int32),
        feature_ids=feature_ids,
        sorted_feature_ids=feature_ids[feature_order],
        sorted_feature_positions=feature_order.astype(np.int32),
        features_by_term=sparse.csc_matrix(feature_vectors),
        link_rows=link_rows,
        link_features=link_features,
        build_seconds=time.perf_counter() - started,
    )


def _query(index: SimilarityIndex, note_id: int | None, text: str | None):
    """The query's terms and weights, and its own row in the index (or None)."""
    if (note_id is None) == (text is None):
        raise ValueError("note_id, text: give exactly one of them")
    if text is not None:
        if not isinstance(text, str) or not text.strip():
            raise ValueError("text: must not be empty")
        vector = sparse.csr_matrix(index.vectorizer.transform([text]))
        return vector.indices, vector.data.astype(np.float64), None
    if isinstance(note_id, bool) or not isinstance(note_id, int):
        raise ValueError(f"note_id: must be an integer id, got {note_id!r}")
    row = index.row_of(note_id)
    if row is None:
        raise ValueError(f"note_id: note {note_id} is not in the index")
    start, end = index.by_note.indptr[row], index.by_note.indptr[row + 1]
    terms = index.by_note.indices[start:end]
    return terms, index.by_note.data[start:end].astype(np.float64), row


def _scores(by_term: sparse.csc_matrix, terms: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Cosine of the query with every row: the weighted sum of the query terms' postings."""
    size = by_term.shape[0]
    if terms.size == 0:
        return np.zeros(size)
    starts, ends = by_term.indptr[terms], by_term.indptr[terms + 1]
    rows = np.concatenate([by_term.indices[s:e] for s, e in zip(starts, ends, strict=True)])
    values = np.concatenate(
        [by_term.data[s:e] * w for s, e, w in zip(starts, ends, weights, strict=True)]
    )
    return np.bincount(rows, weights=values, minlength=size)


def _top(scores: np.ndarray, ids: np.ndarray, limit: int, min_score: float) -> np.ndarray:
    """Positions of the `limit` best scores above `min_score`, best first (ties by id)."""
    candidates = np.flatnonzero(scores > min_score)
    if candidates.size > limit:
        keep = np.argpartition(-scores[candidates], limit - 1)[:limit]
        candidates = candidates[keep]
    order = np.lexsort((ids[candidates], -scores[candidates]))
    return candidates[order]


def _check_limits(limit: int, min_score: float) -> None:
    if not isinstance(limit, int) or limit < 1:
        raise ValueError("limit: must be a positive integer")
    if not 0 <= min_score < 1:
        raise ValueError("min_score: must be in [0, 1)")


def similar_notes(
    *,
    index: SimilarityIndex,
    note_id: int | None = None,
    text: str | None = None,
    limit: int = 10,
    min_score: float = 0.1,
    duplicate_threshold: float = 0.8,
    dismissed: Dismissed | None = None,
) -> list[SimilarNote]:
    """The notes most similar to a note of the index (`note_id`) or to a new `text`.

    A note scoring at least `duplicate_threshold` is flagged as a likely duplicate.
    Dismissed `(note_id, other_note_id)` pairs are left out in either order.
    """
    _check_limits(limit, min_score)
    if not 0 < duplicate_threshold <= 1:
        raise ValueError("duplicate_threshold: must be in (0, 1]")
    terms, weights, row = _query(index, note_id, text)
    scores = _scores(index.by_term, terms, weights)
    if row is not None:
        scores[row] = 0.0
        for first, second in dismissed_set(dismissed):
            other = second if first == note_id else first if second == note_id else None
            other_row = index.row_of(other) if isinstance(other, int) else None
            if other_row is not None:
                scores[other_row] = 0.0
    return [
        SimilarNote(
            note_id=int(index.note_ids[position]),
            score=round(float(min(scores[position], 1.0)), 6),
            is_likely_duplicate=bool(scores[position] >= duplicate_threshold),
        )
        for position in _top(scores, index.note_ids, limit, min_score)
    ]


def suggest_features(
    *,
    index: SimilarityIndex,
    note_id: int | None = None,
    text: str | None = None,
    limit: int = 5,
    min_score: float = 0.1,
    linked_top_k: int = 3,
    dismissed: Dismissed | None = None,
) -> list[FeatureSuggestion]:
    """Features to link a note to, best first, each with its score and reasons.

    Dismissed `(note_id, feature_id)` pairs and the features the note is already linked
    to are left out.
    """
    _check_limits(limit, min_score)
    if linked_top_k < 1:
        raise ValueError("linked_top_k: must be at least 1")
    if index.features == 0:
        return []
    terms, weights, row = _query(index, note_id, text)
    text_scores = _scores(index.features_by_term, terms, weights)
    linked_scores, linked_features, linked_rows = _linked_scores(
        index, terms, weights, row, linked_top_k
    )
    combined = np.maximum(text_scores, linked_scores)
    if row is not None:
        combined[index.link_features[index.link_rows == row]] = 0.0
        for first, second in dismissed_set(dismissed):
            position = index.feature_position(second) if first == note_id else None
            if position is not None:
                combined[position] = 0.0
    suggestions = []
    for position in _top(combined, index.feature_ids, limit, min_score):
        reasons = []
        if text_scores[position] > 0:
            reasons.append(SuggestionReason("feature_text", round(float(text_scores[position]), 6)))
        if linked_scores[position] > 0:
            rows = linked_rows[linked_features == position]
            reasons.append(
                SuggestionReason(
                    "linked_notes",
                    round(float(linked_scores[position]), 6),
                    tuple(int(note) for note in index.note_ids[rows]),
                )
            )
        reasons.sort(key=lambda reason: -reason.score)
        suggestions.append(
            FeatureSuggestion(
                feature_id=int(index.feature_ids[position]),
                score=round(float(min(combined[position], 1.0)), 6),
                reasons=tuple(reasons),
            )
        )
    return suggestions


def _linked_scores(
    index: SimilarityIndex,
    terms: np.ndarray,
    weights: np.ndarray,
    row: int | None,
    top_k: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per feature, the mean of the top-k similarities to its linked notes.

    Also returns the links kept (feature positions and note rows, best first within a
    feature), so a suggestion can say which notes matched.
    """
    result = np.zeros(index.features)
    empty = np.zeros(0, dtype=np.int32)
    if index.link_rows.size == 0:
        return result, empty, empty
    note_scores = _scores(index.by_term, terms, weights)
    if row is not None:
        note_scores[row] = 0.0
    link_scores = note_scores[index.link_rows]
    hit = np.flatnonzero(link_scores > 0)
    if hit.size == 0:
        return result, empty, empty
    features = index.link_features[hit]
    scores = link_scores[hit]
    rows = index.link_rows[hit]
    order = np.lexsort((rows, -scores, features))
    features, scores, rows = features[order], scores[order], rows[order]
    group_start = np.flatnonzero(np.r_[True, features[1:] != features[:-1]])
    group_size = np.diff(np.r_[group_start, features.size])
    rank = np.arange(features.size) - np.repeat(group_start, group_size)
    keep = rank < top_k
    features, scores, rows = features[keep], scores[keep], rows[keep]
    sums = np.bincount(features, weights=scores, minlength=index.features)
    counts = np.bincount(features, minlength=index.features)
    np.divide(sums, counts, out=result, where=counts > 0)
    return result, features, rows
