"""Triage in the app: the engine (pilothouse.engines.triage) fed from the database, its
results stored back. The services and selectors of kind suggestions, similar notes and
duplicates, features to link and themes (customers.triage_themes, re-exported here);
stored state and job plumbing live in customers.triage_store.

Decisions:

- **Labels.** The kind model learns from every note whose kind is set and still active
  (the most recent `MAX_TRAINING_LABELS`). A kind that came from accepting a suggestion
  counts too: a person looked at the note and agreed, which is what a label is, and a
  team that triages by accepting would otherwise stop adding labels. Inactive kinds are
  left out, so a retired label is never suggested. The model's labels are NoteKind ids,
  so renaming a kind keeps the model. Suggestions are written for unlabelled notes only
  (a labelled note's stored suggestion is cleared).
- **Stored state.** Trained models are `TriageKindModel` rows (1-3 MB each; the latest
  few kept, one active); theme reports are `TriageThemeReport` rows. The similarity index
  is a file, `settings.DATA_DIR / "triage" / "similarity-index.bin"`, not a row: at
  500,000 notes it is about 114 MB, which a row would drag through the database driver
  on every load and copy into every backup and write-ahead log, while a file is written
  once (atomically), read once per process, and read again only when its mtime changes.
  Several app servers must share the data dir (or each run `pilothouse triage reindex`);
  without the file, lookups answer "not ready" and a rebuild is queued.
- **Background work, debounced.** The note services call `notes_changed()` when a note
  is created, deleted, or its words or kind change; on commit it queues at most one run
  of each job (a `TriageJob` row's `queued_at`, claimed by a conditional UPDATE; the run
  clears it as it starts), registered once per transaction, and the run waits
  `RETRAIN_DELAY` / `REINDEX_DELAY` when the task backend can defer, so a burst of triage
  is one run. The kind job retrains only when the labels' digest differs from the active
  model's; otherwise it suggests kinds for unlabelled notes new or edited since its last
  run. Links made on /note-links and feature edits reach the index at its next rebuild.
- **Permissions.** Reading suggestions, the status and stored themes: anyone signed in
  (who may read notes). Retraining, reindexing and computing themes: whoever may create a
  `TriageKindModel` (core.permissions: product managers, product leaders and admins).
  Accepting and dismissing go through customers.services (triagers only).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Count, Q

from pilothouse.core import permissions
from pilothouse.core.models import User
from pilothouse.customers import selectors, services, triage_store
from pilothouse.customers.models import (
    Decision,
    Note,
    NoteKind,
    NoteLink,
    SuggestionDecision,
    SuggestionKind,
    TriageJob,
    TriageJobName,
    TriageKindModel,
)
from pilothouse.customers.triage_themes import theme_notes as theme_notes
from pilothouse.customers.triage_themes import theme_report as theme_report
from pilothouse.customers.triage_themes import theme_window as theme_window
from pilothouse.customers.triage_themes import themes_compute as themes_compute
from pilothouse.engines import triage
from pilothouse.roadmap.models import Feature

MIN_LABELS = 20
MIN_PER_KIND = 3
MAX_TRAINING_LABELS = 20_000
BATCH = 2_000
RETRAIN_DELAY = dt.timedelta(seconds=30)
REINDEX_DELAY = dt.timedelta(seconds=120)
EXCERPT = 240

Progress = Callable[[str, int, int], None]


def may_run(user: User | None) -> bool:
    """May `user` retrain, reindex and compute themes?"""
    return permissions.can_create(user, parent=None, model=TriageKindModel)


def _require_run(actor: User | None) -> None:
    if actor is not None:
        permissions.require(
            may_run(actor),
            "Only product managers, product leaders and admins retrain, reindex and "
            "compute themes.",
        )


def _text(title: str, text: str) -> str | None:
    joined = f"{title}\n{text}" if title else text
    return joined if joined and joined.strip() else None


# --- the kind model ----------------------------------------------------------------


@dataclass(frozen=True)
class RetrainResult:
    trained: bool
    message: str
    model_id: int | None = None
    labelled: int = 0
    per_kind: dict[str, int] = field(default_factory=dict)
    excluded_kinds: dict[str, int] = field(default_factory=dict)
    cv_accuracy: float | None = None
    cv_folds: int = 0
    majority_baseline: float | None = None
    calibration: str = ""
    suggested: int = 0
    training_seconds: float = 0.0
    suggesting_seconds: float = 0.0
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _kind_names() -> dict[int, tuple[str, bool]]:
    rows = NoteKind.objects.values_list("pk", "name", "active")
    return {pk: (name, active) for pk, name, active in rows}


def _labelled(*fields: str):
    """The labels trained on: notes with an active kind, the most recent first."""
    return (
        Note.objects.filter(kind__active=True)
        .order_by("-submitted_at", "-id")
        .values_list("pk", "kind_id", *fields)[:MAX_TRAINING_LABELS]
    )


def _labelled_notes() -> list[triage.Note]:
    rows = _labelled("title", "text")
    return [triage.Note(pk, _text(title, raw) or "-", str(kind)) for pk, kind, title, raw in rows]


def labels_digest() -> str:
    """The engine's fingerprint of the labels now (compare with the active model's)."""
    notes = [triage.Note(pk, "-", str(kind)) for pk, kind in _labelled()]
    return triage.labels_digest(notes=notes)


def label_counts() -> dict[str, int]:
    """Labelled notes per active kind (by name)."""
    rows = (
        Note.objects.filter(kind__active=True)
        .values("kind__name")
        .annotate(n=Count("pk"))
        .order_by("kind__name")
    )
    return {row["kind__name"]: row["n"] for row in rows}


def label_shortage(per_kind: dict[str, int]) -> triage.NotEnoughLabels | None:
    """The engine's labels gate, with the thresholds training uses, without training."""
    short = {kind: n for kind, n in per_kind.items() if n < MIN_PER_KIND}
    usable = sum(n for kind, n in per_kind.items() if kind not in short)
    if usable >= MIN_LABELS and len(per_kind) - len(short) >= 2:
        return None
    return triage.NotEnoughLabels(
        labelled=sum(per_kind.values()),
        usable=usable,
        needed=MIN_LABELS,
        per_kind=dict(per_kind),
        needed_per_kind=MIN_PER_KIND,
        kinds_short=short,
    )


def _by_name(counts: dict[str, int], names: dict[int, tuple[str, bool]]) -> dict[str, int]:
    return {names.get(int(label), (f"kind {label}", False))[0]: n for label, n in counts.items()}


def kind_model_retrain(*, actor: User | None, progress: Progress | None = None) -> RetrainResult:
    """Train on the labels, store the model as the active one, then write the kind
    suggestion of every unlabelled note in batches. With too few labels, store nothing
    and answer the engine's reason."""
    _require_run(actor)
    started = time.perf_counter()
    names = _kind_names()
    result = triage.train_kind_model(
        notes=_labelled_notes(), min_labels=MIN_LABELS, min_per_kind=MIN_PER_KIND
    )
    if isinstance(result, triage.NotEnoughLabels):
        per_kind = _by_name(result.per_kind, names)
        named = label_shortage(per_kind)  # the engine's reason, naming kinds, not ids
        return RetrainResult(
            trained=False,
            message=named.message if named else result.message,
            labelled=result.labelled,
            per_kind=per_kind,
            seconds=time.perf_counter() - started,
        )
    info = result.info
    stored = {
        "labelled": info.labelled,
        "kinds": [
            {"id": int(label), "name": names[int(label)][0], "count": info.per_kind[label]}
            for label in info.kinds
        ],
        "per_kind": _by_name(info.per_kind, names),
        "excluded_kinds": _by_name(info.excluded_kinds, names),
        "calibration": info.calibration,
        "cv_accuracy": info.cv_accuracy,
        "cv_folds": info.cv_folds,
        "majority_baseline": info.majority_baseline,
        "trained_at": info.trained_at.isoformat(),
        "training_seconds": info.training_seconds,
        "labels_digest": info.labels_digest,
        "seed": info.seed,
        "sklearn_version": info.sklearn_version,
    }
    record = triage_store.kind_model_store(model=result, info=stored, actor=actor)
    suggesting = time.perf_counter()
    suggested = _write_suggestions(result, Note.objects.filter(kind__isnull=True), progress)
    _write_suggestions(None, Note.objects.filter(kind__isnull=False, suggested_kind__isnull=False))
    done = time.perf_counter()
    TriageKindModel.objects.filter(pk=record.pk).update(
        info={**stored, "suggested": suggested, "seconds": done - started}
    )
    return RetrainResult(
        trained=True,
        message=f"trained on {info.labelled} labels in {len(info.kinds)} kinds",
        model_id=record.pk,
        labelled=info.labelled,
        per_kind=stored["per_kind"],
        excluded_kinds=stored["excluded_kinds"],
        cv_accuracy=info.cv_accuracy,
        cv_folds=info.cv_folds,
        majority_baseline=info.majority_baseline,
        calibration=info.calibration,
        suggested=suggested,
        training_seconds=info.training_seconds,
        suggesting_seconds=done - suggesting,
        seconds=done - started,
    )


def _dismissed_kinds(note_ids: Iterable[int]) -> set[tuple[int, int | str]]:
    """Dismissed (note id, kind) pairs in the engine's terms (kinds as label strings)."""
    pairs = selectors.suggestion_decided_pairs(kind=SuggestionKind.KIND, note_ids=note_ids)
    return {(note_id, str(target)) for note_id, target in pairs}


def _write_suggestions(model: triage.KindModel | None, notes, progress=None) -> int:
    """Store the kind suggestion of each of `notes` (model None: clear them), in batches
    by id; dismissed kinds are left out. Answers how many notes got a suggestion."""
    total = notes.count() if progress else 0
    done = suggested = last = 0
    while rows := list(
        notes.filter(pk__gt=last).order_by("pk").values_list("pk", "title", "text")[:BATCH]
    ):
        last = rows[-1][0]
        found: dict[int, tuple[int, float]] = {}
        if model is not None:
            batch = [
                triage.Note(pk, text) for pk, title, raw in rows if (text := _text(title, raw))
            ]
            dismissed = _dismissed_kinds([note.id for note in batch])
            for item in triage.suggest_kinds(model=model, notes=batch, dismissed=dismissed):
                found[item.note_id] = (int(item.kind), min(max(item.confidence, 0.0), 1.0))
        services.note_kind_suggestions_set(
            suggestions={pk: found.get(pk, (None, None)) for pk, *_ in rows}
        )
        suggested += len(found)
        done += len(rows)
        if progress:
            progress("Suggesting kinds", done, total)
    return suggested


def kind_suggestions_refresh(*, force: bool = False) -> dict[str, Any]:
    """The kind job: retrain if the labels changed since the active model was trained (or
    it cannot be used, or `force`); otherwise suggest kinds for the unlabelled notes that
    are new or were edited since the job last ran."""
    with triage_store.job_run(TriageJobName.KIND_SUGGESTIONS, queued=True) as (since, outcome):
        model_id, model, _ = triage_store.active_kind_model()
        trained_on = TriageKindModel.objects.filter(pk=model_id).values_list(
            "labels_digest", flat=True
        )
        if force or model is None or trained_on.first() != labels_digest():
            outcome.update(kind_model_retrain(actor=None).as_dict())
        else:
            fresh = Q(suggested_kind__isnull=True)
            if since is not None:
                fresh |= Q(updated_at__gte=since)
            notes = Note.objects.filter(fresh, kind__isnull=True)
            suggested = _write_suggestions(model, notes)
            outcome.update(trained=False, message="labels unchanged", suggested=suggested)
    return outcome


# --- background jobs ---------------------------------------------------------------


def _enqueue_kind_job() -> bool:
    from pilothouse.customers import tasks  # tasks import this module

    name = TriageJobName.KIND_SUGGESTIONS
    return triage_store.enqueue(name, tasks.kind_suggestions_refresh, delay=RETRAIN_DELAY)


def _enqueue_index_job() -> bool:
    from pilothouse.customers import tasks

    name = TriageJobName.SIMILARITY_INDEX
    return triage_store.enqueue(name, tasks.similarity_index_refresh, delay=REINDEX_DELAY)


def kind_retrain_soon() -> None:
    """Queue one kind job when the transaction commits, unless one is queued already."""
    triage_store.on_commit_once(_enqueue_kind_job)


def similarity_index_rebuild_soon() -> None:
    """Queue one index rebuild when the transaction commits, unless one is queued."""
    triage_store.on_commit_once(_enqueue_index_job)


def notes_changed(*, labels: bool, text: bool) -> None:
    """The note services' hook: a note's kind changed (`labels`), or its words (`text`:
    created, edited, deleted). Retrains or refreshes suggestions, and reindexes, soon."""
    if labels or text:
        kind_retrain_soon()
    if text:
        similarity_index_rebuild_soon()


def kind_retrain_background(*, actor: User | None) -> bool:
    """Queue a retrain to run now; False if a run of the kind job is queued already."""
    _require_run(actor)
    from pilothouse.customers import tasks

    name = TriageJobName.KIND_SUGGESTIONS
    task = tasks.kind_suggestions_refresh
    return triage_store.enqueue(name, task, delay=dt.timedelta(0), force=True)


def similarity_index_background(*, actor: User | None) -> bool:
    """Queue an index rebuild to run now; False if one is queued already."""
    _require_run(actor)
    from pilothouse.customers import tasks

    name = TriageJobName.SIMILARITY_INDEX
    return triage_store.enqueue(name, tasks.similarity_index_refresh, delay=dt.timedelta(0))


# --- the similarity index ----------------------------------------------------------


def similarity_index_rebuild(
    *, actor: User | None = None, progress: Progress | None = None
) -> dict[str, Any]:
    """Index every note and feature (with the notes' links) and write the index file."""
    _require_run(actor)
    started = time.perf_counter()
    links: dict[int, list[int]] = {}
    for note_id, feature_id in NoteLink.objects.values_list("note_id", "feature_id").iterator():
        links.setdefault(note_id, []).append(feature_id)
    total = Note.objects.count() if progress else 0
    notes: list[triage.Note] = []
    last = 0
    while rows := list(
        Note.objects.filter(pk__gt=last)
        .order_by("pk")
        .values_list("pk", "title", "text")[: BATCH * 5]
    ):
        last = rows[-1][0]
        notes.extend(
            triage.Note(pk, text, feature_ids=tuple(links.get(pk, ())))
            for pk, title, raw in rows
            if (text := _text(title, raw))
        )
        if progress:
            progress("Reading notes", len(notes), total)
    features = [
        triage.FeatureText(pk, title, description or "")
        for pk, title, description in Feature.objects.values_list("pk", "title", "description")
        if title and title.strip()
    ]
    if not notes:
        triage_store.index_remove()
        return {"built": False, "message": "no notes to index", "notes": 0}
    if progress:
        progress("Building the index", 0, 1)
    index = triage.build_similarity_index(notes=notes, features=features)
    meta = triage_store.index_write(index, seconds=time.perf_counter() - started)
    if progress:
        progress("Building the index", 1, 1)
    return meta


def similarity_index_refresh() -> dict[str, Any]:
    """The index job."""
    with triage_store.job_run(TriageJobName.SIMILARITY_INDEX, queued=True) as (_, outcome):
        outcome.update(similarity_index_rebuild())
    return outcome


def similarity_index() -> tuple[triage.SimilarityIndex | None, str]:
    """The similarity index, or None and why. Without one, a rebuild is queued if the
    file is unusable or the index job never ran (after that, note changes queue it)."""
    index, problem = triage_store.index_load()
    if index is None and (
        triage_store.index_path().exists()
        or not TriageJob.objects.filter(name=TriageJobName.SIMILARITY_INDEX, runs__gt=0).exists()
    ):
        similarity_index_rebuild_soon()
    return index, problem


# --- suggestions for one note ------------------------------------------------------


@dataclass(frozen=True)
class KindAdvice:
    """The kind suggestion of a note. status: ready (a suggestion), labelled (the note
    has a kind), not_ready (no usable model: `message` says why), none_left (every kind
    dismissed)."""

    status: str
    message: str = ""
    kind_id: int | None = None
    kind: str | None = None
    confidence: float | None = None
    alternatives: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True)
class SimilarNoteAdvice:
    note_id: int
    score: float
    is_likely_duplicate: bool
    title: str
    excerpt: str
    state: str
    kind: str | None
    submitted_at: dt.datetime


@dataclass(frozen=True)
class FeatureAdvice:
    feature_id: int
    title: str
    stage: str
    score: float
    reasons: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class NoteSuggestions:
    note_id: int
    kind: KindAdvice
    similar_notes: list[SimilarNoteAdvice]
    features: list[FeatureAdvice]
    index_ready: bool
    index_message: str = ""


def _decided(note: Note) -> dict[str, set[int]]:
    """Targets to leave out, per suggestion kind: dismissed kinds; features and duplicate
    notes decided either way (duplicates in both directions)."""
    rows = SuggestionDecision.objects.filter(
        Q(note=note) | Q(kind=SuggestionKind.DUPLICATE, target_id=note.pk)
    ).values_list("note_id", "kind", "target_id", "decision")
    out: dict[str, set[int]] = {kind: set() for kind in SuggestionKind.values}
    for note_id, kind, target, decision in rows:
        if kind == SuggestionKind.KIND and decision != Decision.DISMISSED:
            continue
        out[kind].add(note_id if note_id != note.pk else target)
    return out


def _kind_advice(note: Note, text: str, dismissed: set[int], alternatives: int) -> KindAdvice:
    if note.kind_id is not None:
        return KindAdvice("labelled", "the note has a kind")
    _, model, problem = triage_store.active_kind_model()
    if model is None:
        shortage = label_shortage(label_counts())
        return KindAdvice("not_ready", shortage.message if shortage else problem)
    names = _kind_names()
    usable = {label for label in model.kinds if names.get(int(label), ("", False))[1]}
    skip = {(note.pk, label) for label in model.kinds if label not in usable}
    skip |= {(note.pk, str(kind_id)) for kind_id in dismissed}
    found = triage.suggest_kinds(
        model=model, notes=[triage.Note(note.pk, text)], dismissed=skip, alternatives=alternatives
    )
    if not found:
        return KindAdvice("none_left", "every kind the model knows was dismissed for this note")
    best = found[0]
    return KindAdvice(
        "ready",
        kind_id=int(best.kind),
        kind=names[int(best.kind)][0],
        confidence=round(best.confidence, 6),
        alternatives=tuple(
            {"kind_id": int(a.kind), "kind": names[int(a.kind)][0], "confidence": a.confidence}
            for a in best.alternatives
        ),
    )


def note_suggestions(*, note: Note, limit: int = 5) -> NoteSuggestions:
    """A note's kind suggestion (with alternatives), similar notes (likely duplicates
    flagged) and features to link, each with its score; dismissed suggestions, decided
    duplicates and the features the note is linked to are left out. A fixed number of
    queries, whatever the number of notes."""
    text = _text(note.title, note.text) or "-"
    decided = _decided(note)
    kind = _kind_advice(note, text, decided[SuggestionKind.KIND], alternatives=limit - 1)
    index, problem = similarity_index()
    if index is None:
        return NoteSuggestions(note.pk, kind, [], [], index_ready=False, index_message=problem)
    in_index = index.row_of(note.pk) is not None
    query: dict[str, Any] = {"note_id": note.pk} if in_index else {"text": text}
    skip_notes = decided[SuggestionKind.DUPLICATE] | {note.pk}
    linked = set(NoteLink.objects.filter(note=note).values_list("feature_id", flat=True))
    skip_features = decided[SuggestionKind.FEATURE] | linked
    similar = triage.similar_notes(
        index=index,
        limit=limit * 2 + len(skip_notes),
        dismissed={(note.pk, other) for other in skip_notes} if in_index else None,
        **query,
    )
    similar = [item for item in similar if item.note_id not in skip_notes]
    features = triage.suggest_features(
        index=index,
        limit=limit * 2 + len(skip_features),
        dismissed={(note.pk, other) for other in skip_features} if in_index else None,
        **query,
    )
    features = [item for item in features if item.feature_id not in skip_features]
    notes = Note.objects.select_related("kind").in_bulk([item.note_id for item in similar])
    found = Feature.objects.only("id", "title", "stage").in_bulk(
        [item.feature_id for item in features]
    )
    return NoteSuggestions(
        note_id=note.pk,
        kind=kind,
        similar_notes=[
            SimilarNoteAdvice(
                note_id=item.note_id,
                score=item.score,
                is_likely_duplicate=item.is_likely_duplicate,
                title=other.title,
                excerpt=excerpt(other.text),
                state=other.state,
                kind=other.kind.name if other.kind_id else None,
                submitted_at=other.submitted_at,
            )
            for item in similar
            if (other := notes.get(item.note_id)) is not None
        ][:limit],
        features=[
            FeatureAdvice(
                feature_id=item.feature_id,
                title=feature.title,
                stage=feature.stage,
                score=item.score,
                reasons=tuple(
                    {"signal": r.signal, "score": r.score, "note_ids": list(r.note_ids)}
                    for r in item.reasons
                ),
            )
            for item in features
            if (feature := found.get(item.feature_id)) is not None
        ][:limit],
        index_ready=True,
    )


def excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= EXCERPT else flat[: EXCERPT - 1] + "…"


def suggestion_decide(
    *, actor: User | None, note: Note, kind: str, target_id: int, accept: bool
) -> SuggestionDecision:
    """Accept (do what it says, customers.services.suggestion_accept) or dismiss a
    suggestion, then keep the stored kind suggestion and the index in step: a dismissed
    kind gives way to the next best; an accepted kind clears it; accepted links reach the
    similarity index at its next (queued) rebuild."""
    decide = services.suggestion_accept if accept else services.suggestion_dismiss
    with transaction.atomic():
        decision = decide(actor=actor, note=note, kind=kind, target_id=target_id)
        if kind == SuggestionKind.KIND:
            _, model, _ = triage_store.active_kind_model()
            labelled = Note.objects.filter(pk=note.pk, kind__isnull=False).exists()
            _write_suggestions(None if labelled else model, Note.objects.filter(pk=note.pk))
        elif accept:
            similarity_index_rebuild_soon()
    return decision


# --- status ------------------------------------------------------------------------


def triage_status() -> dict[str, Any]:
    """What a product team needs to know about triage: the active model and what it was
    trained on, the labels now, whether suggestions are ready (or why not), the index,
    and the background jobs."""
    per_kind = label_counts()
    shortage = label_shortage(per_kind)
    model_id, model, problem = triage_store.active_kind_model()
    info = TriageKindModel.objects.filter(pk=model_id).values_list("info", flat=True).first()
    current = labels_digest() if model is not None else None
    if model is not None:
        message = "kind suggestions are ready"
    elif shortage is not None:
        message = shortage.message
    else:
        message = problem + "; retrain to get suggestions"
    index, index_problem = similarity_index()
    jobs = {
        job.name: {
            "queued_at": job.queued_at,
            "started_at": job.started_at,
            "finished_at": job.finished_at,
            "runs": job.runs,
            "last_error": job.last_error,
            "last_result": job.last_result,
        }
        for job in TriageJob.objects.all()
    }
    return {
        "suggestions_ready": model is not None,
        "message": message,
        "labelled": sum(per_kind.values()),
        "labels_per_kind": per_kind,
        "min_labels": MIN_LABELS,
        "min_per_kind": MIN_PER_KIND,
        "unlabelled": Note.objects.filter(kind__isnull=True).count(),
        "with_suggestion": Note.objects.filter(
            kind__isnull=True, suggested_kind__isnull=False
        ).count(),
        "model": None if model_id is None else {"id": model_id, **(info or {})},
        "model_up_to_date": current is not None
        and info is not None
        and info.get("labels_digest") == current,
        "index": {
            **(triage_store.index_info() or {}),
            "ready": index is not None,
            "message": index_problem or "the similarity index is ready",
        },
        "jobs": jobs,
    }
