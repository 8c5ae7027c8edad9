"""Typed inputs and outputs of the triage engine (frozen dataclasses).

Inputs (`Note`, `FeatureText`) check themselves when built and raise a `ValueError` that
names the field; collections of them are checked by `check_notes` and `check_features`
(duplicate ids, wrong types). Outputs carry every score they were ranked by, so the app
can show it next to the suggestion.

Ids are the database's integer primary keys. A dismissed suggestion is a pair
`(note_id, target)`: the target is another note's id (similar notes and duplicates), a
feature's id (feature suggestions) or a kind (kind suggestions).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Literal

Dismissed = Collection[tuple[int, int | str]]

ReasonSignal = Literal["feature_text", "linked_notes"]
TrendDirection = Literal["rising", "falling", "flat"]


def _check_id(value: object, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name}: must be an integer id, got {value!r}")


def _check_text(value: object, name: str) -> None:
    if not isinstance(value, str):
        raise ValueError(f"{name}: must be a string, got {type(value).__name__}")
    if not value.strip():
        raise ValueError(f"{name}: must not be empty")


# --- Inputs ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Note:
    """A feedback note as the engine sees it.

    `kind` is the team's label (None while unlabelled); `feature_ids` are the features
    the note is already linked to as evidence.
    """

    id: int
    text: str
    kind: str | None = None
    created_at: dt.datetime | None = None
    feature_ids: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        _check_id(self.id, "id")
        _check_text(self.text, f"text (note {self.id})")
        if self.kind is not None:
            _check_text(self.kind, f"kind (note {self.id})")
        if self.created_at is not None and not isinstance(self.created_at, dt.datetime):
            raise ValueError(f"created_at (note {self.id}): must be a datetime")
        if not isinstance(self.feature_ids, tuple):
            object.__setattr__(self, "feature_ids", tuple(self.feature_ids))
        for feature_id in self.feature_ids:
            _check_id(feature_id, f"feature_ids (note {self.id})")


@dataclass(frozen=True)
class FeatureText:
    """A feature's words: its title and (optional) description."""

    id: int
    title: str
    description: str = ""

    def __post_init__(self) -> None:
        _check_id(self.id, "id")
        _check_text(self.title, f"title (feature {self.id})")
        if not isinstance(self.description, str):
            raise ValueError(f"description (feature {self.id}): must be a string")

    @property
    def text(self) -> str:
        return f"{self.title}. {self.description}".strip()


def check_notes(notes: Iterable[Note], *, field_name: str = "notes") -> tuple[Note, ...]:
    """Return the notes as a tuple, or raise ValueError naming the field and the fault."""
    if isinstance(notes, (str, bytes)):
        raise ValueError(f"{field_name}: must be a sequence of Note, got a string")
    items = tuple(notes)
    seen: set[int] = set()
    for position, note in enumerate(items):
        if not isinstance(note, Note):
            raise ValueError(f"{field_name}[{position}]: must be a Note, got {type(note).__name__}")
        if note.id in seen:
            raise ValueError(f"{field_name}[{position}].id: duplicate note id {note.id}")
        seen.add(note.id)
    return items


def check_features(features: Iterable[FeatureText]) -> tuple[FeatureText, ...]:
    """Return the features as a tuple, or raise ValueError naming the field and the fault."""
    items = tuple(features)
    seen: set[int] = set()
    for position, feature in enumerate(items):
        if not isinstance(feature, FeatureText):
            raise ValueError(
                f"features[{position}]: must be a FeatureText, got {type(feature).__name__}"
            )
        if feature.id in seen:
            raise ValueError(f"features[{position}].id: duplicate feature id {feature.id}")
        seen.add(feature.id)
    return items


def dismissed_set(dismissed: Dismissed | None) -> frozenset[tuple[int, int | str]]:
    """Normalise the dismissed pairs to a frozenset, checking their shape."""
    if not dismissed:
        return frozenset()
    pairs = []
    for position, pair in enumerate(dismissed):
        if not isinstance(pair, tuple) or len(pair) != 2:
            raise ValueError(f"dismissed[{position}]: must be a (note_id, target) pair")
        pairs.append(pair)
    return frozenset(pairs)


# --- Kind suggestions --------------------------------------------------------------------


@dataclass(frozen=True)
class KindScore:
    kind: str
    confidence: float


@dataclass(frozen=True)
class KindSuggestion:
    """The most likely kind of a note, with its calibrated confidence in [0, 1].

    `alternatives` are the next most likely kinds (best first), dismissed kinds left out.
    """

    note_id: int
    kind: str
    confidence: float
    alternatives: tuple[KindScore, ...] = ()


@dataclass(frozen=True)
class NotEnoughLabels:
    """Why no kind model could be trained yet: the status to show instead of suggestions.

    `labelled` counts every labelled note; `usable` only those whose kind has at least
    `needed_per_kind` labels (the kinds in `kinds_short` have fewer). Training needs
    `needed` usable labels in at least two kinds.
    """

    labelled: int
    usable: int
    needed: int
    per_kind: dict[str, int]
    needed_per_kind: int
    kinds_short: dict[str, int] = field(default_factory=dict)

    @property
    def message(self) -> str:
        if self.labelled < self.needed:
            text = f"not enough labels: {self.labelled} labelled, need {self.needed}"
        else:
            text = (
                f"not enough labels: {self.usable} of {self.labelled} labelled notes are in "
                f"kinds with at least {self.needed_per_kind} labels, need {self.needed}"
            )
        usable_kinds = len(self.per_kind) - len(self.kinds_short)
        if usable_kinds < 2:
            text += (
                f"; need 2 kinds with at least {self.needed_per_kind} labels each,"
                f" have {usable_kinds}"
            )
        if self.kinds_short:
            shortages = ", ".join(f"{kind} {count}" for kind, count in self.kinds_short.items())
            text += f" (too few to learn yet: {shortages})"
        return text

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class KindModelInfo:
    """What a trained kind model was trained on and how well it did.

    `labelled` counts the labels trained on (in `kinds`); `per_kind` counts every label,
    including the kinds left out for having too few (`excluded_kinds`). `calibration`
    says how confidences are calibrated, `cv_accuracy` is the cross-validated accuracy
    over `cv_folds` stratified folds (None when a kind has a single label or
    cross-validation was not asked for), `majority_baseline` the accuracy of always
    answering the most frequent kind. `labels_digest` fingerprints the labels trained on
    (see `kinds.labels_digest`).
    """

    labelled: int
    per_kind: dict[str, int]
    kinds: tuple[str, ...]
    excluded_kinds: dict[str, int]
    calibration: str
    cv_accuracy: float | None
    cv_folds: int
    majority_baseline: float
    trained_at: dt.datetime
    training_seconds: float
    seed: int
    sklearn_version: str
    labels_digest: str


@dataclass(frozen=True)
class KindEvaluation:
    """Quality of a kind model on labelled notes it was not trained on."""

    notes: int
    accuracy: float
    majority_baseline: float
    mean_confidence: float
    per_kind_recall: dict[str, float]


# --- Similar notes and feature suggestions -----------------------------------------------


@dataclass(frozen=True)
class SimilarNote:
    note_id: int
    score: float
    is_likely_duplicate: bool


@dataclass(frozen=True)
class SuggestionReason:
    """One signal behind a feature suggestion: its score and, for linked notes, which."""

    signal: ReasonSignal
    score: float
    note_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class FeatureSuggestion:
    feature_id: int
    score: float
    reasons: tuple[SuggestionReason, ...]


# --- Themes ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Trend:
    """Counts of a theme per period, and how they move.

    `slope` is the least-squares slope of the per-period rate (notes per full period;
    periods cut by the window's edges are scaled up to a full period), `growth` the
    relative change of the mean rate from the first half of the periods to the second
    (None when the first half is empty), `p_value` the slope's two-sided p-value, and
    `direction` "rising" or "falling" when p < 0.05, else "flat".
    """

    period: Literal["week", "month"]
    period_starts: tuple[dt.date, ...]
    counts: tuple[int, ...]
    slope: float
    growth: float | None
    p_value: float
    direction: TrendDirection


@dataclass(frozen=True)
class Theme:
    terms: tuple[str, ...]
    size: int
    note_ids: tuple[int, ...]
    representative_note_ids: tuple[int, ...]
    trend: Trend

    @property
    def label(self) -> str:
        return ", ".join(self.terms[:3])


@dataclass(frozen=True)
class ThemeReport:
    """Themes found among the notes of a window, largest first."""

    start: dt.date
    end: dt.date
    notes: int
    themes: tuple[Theme, ...]
    unassigned_note_ids: tuple[int, ...] = ()
    silhouette: float | None = None
