"""Kind suggestions learned from the team's own labelled notes.

    result = train_kind_model(notes=notes, seed=0)
    if isinstance(result, NotEnoughLabels):
        show(result.message)            # "not enough labels: 12 labelled, need 20"
    else:
        blob = result.to_bytes()        # keep in the database; KindModel.from_bytes(blob)
        suggestions = suggest_kinds(model=result, notes=unlabelled, dismissed={(7, "bug")})

The model: TF-IDF of word 1-2 grams and character 3-5 grams, then a multinomial logistic
regression. Its probabilities are calibrated with `CalibratedClassifierCV` (temperature
scaling, which suits several classes and needs few labels; 5 stratified folds, the five
fold models averaged) once there are `calibrate_from` labels and every kind has at least
5; below that the regression's own probabilities are used. `KindModelInfo.calibration` says
which. Kinds with fewer than `min_per_kind` labels are left out of the model (listed in
`excluded_kinds`) rather than guessed from two examples; with fewer than `min_labels`
labels in the kinds kept, or fewer than two such kinds, training returns `NotEnoughLabels`.

The cross-validated accuracy (`cv_accuracy`) is measured with stratified folds on the
labelled notes (with calibration, on the calibration's own folds, at no extra cost), the
vocabulary and IDF weights being fitted once on all of them (they use no labels, so this
flatters the figure only slightly). Same notes and seed, same model.

Retraining is the app's to schedule (a background task after labels change, and on
demand): `labels_digest(notes=...)` differs from `KindModelInfo.labels_digest` once any
label was added, changed or removed. Training runs on one thread.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import sklearn
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score
from threadpoolctl import threadpool_limits

from pilothouse.engines.triage import persistence
from pilothouse.engines.triage.text import forget_pruned_terms, kind_vectorizer
from pilothouse.engines.triage.types import (
    Dismissed,
    KindEvaluation,
    KindModelInfo,
    KindScore,
    KindSuggestion,
    Note,
    NotEnoughLabels,
    check_notes,
    dismissed_set,
)

Calibration = Literal["auto", "temperature", "sigmoid", "isotonic", "none"]
_PERSISTED_KIND = "kind-model"
_UNCALIBRATED = "none (the logistic regression's own probabilities)"
_MAX_FOLDS = 5


@dataclass(frozen=True, eq=False)
class KindModel:
    """A trained kind classifier and what it was trained on (`info`)."""

    info: KindModelInfo
    vectorizer: Any = field(repr=False)
    classifier: Any = field(repr=False)

    @property
    def kinds(self) -> tuple[str, ...]:
        return self.info.kinds

    def to_bytes(self) -> bytes:
        """Serialise for the project's own database (see `persistence` on trust)."""
        return persistence.dump(self, kind=_PERSISTED_KIND)

    @classmethod
    def from_bytes(cls, data: bytes) -> KindModel:
        """Load a model saved by `to_bytes`: only bytes from the project's own database."""
        model = persistence.load(data, kind=_PERSISTED_KIND)
        if not isinstance(model, cls):
            raise ValueError("data: does not hold a kind model")
        return model

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """Probability of each kind (columns in `kinds` order) for each text."""
        return self.classifier.predict_proba(self.vectorizer.transform(list(texts)))


def train_kind_model(
    *,
    notes: Iterable[Note],
    min_labels: int = 20,
    min_per_kind: int = 3,
    calibration: Calibration = "auto",
    calibrate_from: int = 100,
    cross_validate: bool = True,
    regularisation: float = 5.0,
    seed: int = 0,
    now: dt.datetime | None = None,
) -> KindModel | NotEnoughLabels:
    """Train on the labelled notes among `notes` (those with a kind); unlabelled are ignored.

    `regularisation` is the logistic regression's C (larger fits the labels more closely).
    `calibration`: "auto" calibrates with temperature scaling when there are enough labels
    (see the module docstring), "temperature", "sigmoid" or "isotonic" force a method
    (still needing 2 labels per kind), "none" uses the regression's own probabilities.
    """
    if min_labels < 2:
        raise ValueError("min_labels: must be at least 2")
    if min_per_kind < 1:
        raise ValueError("min_per_kind: must be at least 1")
    if calibration not in ("auto", "temperature", "sigmoid", "isotonic", "none"):
        raise ValueError(f"calibration: unknown method {calibration!r}")
    if regularisation <= 0:
        raise ValueError("regularisation: must be positive")
    started = time.perf_counter()
    labelled = [note for note in check_notes(notes) if note.kind is not None]
    per_kind = dict(sorted(Counter(note.kind for note in labelled).items()))
    short = {kind: count for kind, count in per_kind.items() if count < min_per_kind}
    kept = [note for note in labelled if note.kind not in short]
    if len(kept) < min_labels or len(per_kind) - len(short) < 2:
        return NotEnoughLabels(
            labelled=len(labelled),
            usable=len(kept),
            needed=min_labels,
            per_kind=per_kind,
            needed_per_kind=min_per_kind,
            kinds_short=short,
        )
    counts = Counter(note.kind for note in kept)
    with threadpool_limits(limits=1):  # leave the other core to the web workers
        vectorizer, classifier, described, cv_accuracy, cv_folds = _fit(
            kept,
            calibration=calibration,
            calibrate_from=calibrate_from,
            cross_validate=cross_validate,
            regularisation=regularisation,
            seed=seed,
        )
    info = KindModelInfo(
        labelled=len(kept),
        per_kind=per_kind,
        kinds=tuple(str(kind) for kind in classifier.classes_),
        excluded_kinds=short,
        calibration=described,
        cv_accuracy=cv_accuracy,
        cv_folds=cv_folds,
        majority_baseline=counts.most_common(1)[0][1] / len(kept),
        trained_at=now or dt.datetime.now(dt.UTC),
        training_seconds=time.perf_counter() - started,
        seed=seed,
        sklearn_version=sklearn.__version__,
        labels_digest=_digest(labelled),
    )
    return KindModel(info=info, vectorizer=vectorizer, classifier=classifier)


def _fit(
    kept: list[Note],
    *,
    calibration: Calibration,
    calibrate_from: int,
    cross_validate: bool,
    regularisation: float,
    seed: int,
) -> tuple[Any, Any, str, float | None, int]:
    """The vectoriser, the classifier, how it is calibrated, and its CV accuracy and folds."""
    y = np.array([note.kind for note in kept])
    smallest = min(Counter(y.tolist()).values())
    vectorizer = kind_vectorizer(labelled=len(kept))
    X = vectorizer.fit_transform([note.text for note in kept])
    forget_pruned_terms(vectorizer)
    regression = LogisticRegression(C=regularisation, max_iter=1000, tol=1e-4)
    method = _calibration_method(
        calibration, labelled=len(kept), smallest=smallest, floor=calibrate_from
    )
    if method == "none":
        cv_accuracy, cv_folds = None, 0
        if cross_validate and smallest >= 2:
            cv_folds = min(_MAX_FOLDS, smallest)
            folds = StratifiedKFold(n_splits=cv_folds, shuffle=True, random_state=seed)
            cv_accuracy = float(cross_val_score(regression, X, y, cv=folds, n_jobs=1).mean())
        classifier = regression.fit(X, y)
        return vectorizer, classifier, _UNCALIBRATED, cv_accuracy, cv_folds
    folds_count = min(_MAX_FOLDS, smallest)
    folds = StratifiedKFold(n_splits=folds_count, shuffle=True, random_state=seed)
    classifier = CalibratedClassifierCV(
        regression, method=method, cv=folds, ensemble=True, n_jobs=1
    ).fit(X, y)
    described = f"{method} (CalibratedClassifierCV, {folds_count} stratified folds)"
    if not cross_validate:
        return vectorizer, classifier, described, None, 0
    accuracy = _out_of_fold_accuracy(classifier, folds, X, y)
    return vectorizer, classifier, described, accuracy, folds_count


def labels_digest(*, notes: Iterable[Note]) -> str:
    """A fingerprint of the labels among `notes`: compare with `KindModelInfo.labels_digest`.

    The app retrains in the background when the digest of its current labels differs from
    the one the model was trained on (labels added, changed or removed).
    """
    return _digest([note for note in check_notes(notes) if note.kind is not None])


def _digest(labelled: Sequence[Note]) -> str:
    pairs = sorted((note.id, note.kind) for note in labelled)
    return hashlib.sha256(repr(pairs).encode()).hexdigest()


def _out_of_fold_accuracy(
    classifier: CalibratedClassifierCV, folds: StratifiedKFold, X: Any, y: np.ndarray
) -> float:
    """Accuracy of each fold's regression on the fold it was not trained on.

    With `ensemble=True`, `calibrated_classifiers_` holds one fitted regression per split,
    in the order of `folds.split` (deterministic for a seeded splitter): the
    cross-validation comes free with the calibration.
    """
    hits = 0
    pairs = classifier.calibrated_classifiers_
    for (_, test), pair in zip(folds.split(X, y), pairs, strict=True):
        predicted = pair.estimator.predict(X[test])
        if predicted.dtype.kind in "iu":  # temperature scaling fits on encoded labels
            predicted = classifier.classes_[predicted]
        hits += int((predicted == y[test]).sum())
    return hits / len(y)


def _calibration_method(requested: Calibration, *, labelled: int, smallest: int, floor: int) -> str:
    if requested == "none":
        return "none"
    if requested == "auto":
        return "temperature" if labelled >= floor and smallest >= _MAX_FOLDS else "none"
    if smallest < 2:
        raise ValueError(f"calibration: {requested} needs at least 2 labels of every kind")
    return requested


def suggest_kinds(
    *,
    model: KindModel,
    notes: Iterable[Note],
    dismissed: Dismissed | None = None,
    alternatives: int = 2,
) -> list[KindSuggestion]:
    """The most likely kind of each note, in the order given, with its confidence.

    A `(note_id, kind)` pair in `dismissed` is never suggested again for that note: the
    next most likely kind is suggested instead (with its own, lower, confidence). A note
    whose every kind was dismissed gets no suggestion.
    """
    if not isinstance(model, KindModel):
        raise ValueError("model: must be a KindModel, not a NotEnoughLabels status")
    if alternatives < 0:
        raise ValueError("alternatives: must not be negative")
    items = check_notes(notes)
    if not items:
        return []
    skip = dismissed_set(dismissed)
    kinds = model.kinds
    probabilities = model.probabilities([note.text for note in items])
    suggestions = []
    for note, row in zip(items, probabilities, strict=True):
        ranked = [
            KindScore(kinds[i], float(row[i]))
            for i in np.argsort(-row, kind="stable")
            if (note.id, kinds[i]) not in skip
        ]
        if ranked:
            best = ranked[0]
            suggestions.append(
                KindSuggestion(
                    note_id=note.id,
                    kind=best.kind,
                    confidence=best.confidence,
                    alternatives=tuple(ranked[1 : 1 + alternatives]),
                )
            )
    return suggestions


def evaluate_kind_model(*, model: KindModel, notes: Iterable[Note]) -> KindEvaluation:
    """Accuracy of the model on labelled notes (held out from its training), with baseline.

    The baseline is the accuracy of always answering the kind most frequent in training.
    A note labelled with a kind the model does not know counts as a miss.
    """
    labelled = [note for note in check_notes(notes) if note.kind is not None]
    if not labelled:
        raise ValueError("notes: no labelled notes to evaluate on")
    probabilities = model.probabilities([note.text for note in labelled])
    predicted = np.array(model.kinds)[probabilities.argmax(axis=1)]
    truth = np.array([note.kind for note in labelled])
    known = {kind: model.info.per_kind[kind] for kind in model.kinds}
    majority = max(known.items(), key=lambda item: (item[1], item[0]))[0]
    recall = {
        kind: float((predicted[truth == kind] == kind).mean())
        for kind in sorted(set(truth.tolist()))
    }
    return KindEvaluation(
        notes=len(labelled),
        accuracy=float((predicted == truth).mean()),
        majority_baseline=float((truth == majority).mean()),
        mean_confidence=float(probabilities.max(axis=1).mean()),
        per_kind_recall=recall,
    )
