"""/api/v1 endpoints of triage suggestions and themes (customers.triage does the work):

- GET  /notes/{note_id}/suggestions: kind, similar notes and duplicates, features to link
- POST /notes/{note_id}/suggestions/accept and /dismiss: {kind, target_id}
- POST /triage/retrain (?background=true queues it), POST /triage/reindex, GET /triage/status
- GET  /themes?start=&end=&period=week|month (the latest stored report, computed if
  missing and the reader may compute), POST /themes/compute

Reading is open to everyone signed in; retraining, reindexing and computing themes to
product managers, product leaders and admins; accepting and dismissing to triagers.

No `from __future__ import annotations`: ninja reads the signatures.
"""

import datetime as dt
from typing import Any, Literal

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema

from pilothouse.api import crud
from pilothouse.core import permissions
from pilothouse.customers import selectors, triage
from pilothouse.customers.api import NoteOut
from pilothouse.customers.models import Note, SuggestionKind, ThemePeriod, TriageThemeReport

# --- suggestions for a note ----------------------------------------------------------


class KindScoreOut(Schema):
    kind_id: int
    kind: str
    confidence: float


class KindSuggestionOut(Schema):
    status: Literal["ready", "labelled", "not_ready", "none_left"] = Field(
        description="ready: a suggestion; labelled: the note has a kind; not_ready: no "
        "usable model (message says why); none_left: every kind was dismissed"
    )
    message: str
    kind_id: int | None = None
    kind: str | None = None
    confidence: float | None = Field(None, description="Calibrated, in [0, 1]")
    alternatives: list[KindScoreOut] = []


class SimilarNoteOut(Schema):
    note_id: int
    score: float = Field(description="Cosine similarity of the notes' words, in [0, 1]")
    is_likely_duplicate: bool
    title: str
    excerpt: str
    state: str
    kind: str | None
    submitted_at: dt.datetime


class ReasonOut(Schema):
    signal: Literal["feature_text", "linked_notes"]
    score: float
    note_ids: list[int] = Field(description="For linked_notes: the linked notes that matched")


class FeatureSuggestionOut(Schema):
    feature_id: int
    title: str
    stage: str
    score: float
    reasons: list[ReasonOut]


class NoteSuggestionsOut(Schema):
    note_id: int
    kind: KindSuggestionOut
    similar_notes: list[SimilarNoteOut]
    features: list[FeatureSuggestionOut]
    index_ready: bool
    index_message: str


class DecisionIn(Schema):
    kind: SuggestionKind = Field(description="kind, feature or duplicate")
    target_id: int = Field(description="The NoteKind, Feature or (duplicate) Note suggested")


class DecisionOut(Schema):
    id: int
    note_id: int
    kind: str
    target_id: int
    decision: str
    decided_at: dt.datetime
    actor_id: int | None


class DecidedOut(Schema):
    decision: DecisionOut
    note: NoteOut


notes = Router(tags=["triage"])


@notes.get(
    "/{int:note_id}/suggestions",
    response={200: NoteSuggestionsOut, **crud.ERRORS},
    summary="Triage suggestions for a note, each with its score",
    operation_id="note_suggestions",
)
def note_suggestions(request: HttpRequest, note_id: int, limit: int = Query(5, ge=1, le=20)) -> Any:
    note = get_object_or_404(Note.objects.all(), pk=note_id)
    return triage.note_suggestions(note=note, limit=limit)


def _decide(request: HttpRequest, note_id: int, payload: DecisionIn, *, accept: bool) -> Any:
    note = get_object_or_404(Note.objects.all(), pk=note_id)
    decision = triage.suggestion_decide(
        actor=request.user,
        note=note,
        kind=payload.kind,
        target_id=payload.target_id,
        accept=accept,
    )
    return {"decision": decision, "note": selectors.note_list().get(pk=note_id)}


@notes.post(
    "/{int:note_id}/suggestions/accept",
    response={200: DecidedOut, **crud.ERRORS},
    summary="Accept a suggestion: set the kind, link the feature, or file as a duplicate",
    operation_id="note_suggestion_accept",
)
def note_suggestion_accept(request: HttpRequest, note_id: int, payload: DecisionIn) -> Any:
    return _decide(request, note_id, payload, accept=True)


@notes.post(
    "/{int:note_id}/suggestions/dismiss",
    response={200: DecidedOut, **crud.ERRORS},
    summary="Dismiss a suggestion: it is not suggested again",
    operation_id="note_suggestion_dismiss",
)
def note_suggestion_dismiss(request: HttpRequest, note_id: int, payload: DecisionIn) -> Any:
    return _decide(request, note_id, payload, accept=False)


# --- the kind model and the index ----------------------------------------------------


class RetrainOut(Schema):
    trained: bool
    message: str = Field(description='e.g. "not enough labels: 12 labelled, need 20"')
    model_id: int | None
    labelled: int
    per_kind: dict[str, int]
    excluded_kinds: dict[str, int]
    cv_accuracy: float | None
    cv_folds: int
    majority_baseline: float | None
    calibration: str
    suggested: int = Field(description="Unlabelled notes given a kind suggestion")
    training_seconds: float
    suggesting_seconds: float
    seconds: float


class QueuedOut(Schema):
    queued: bool = Field(description="False: a run was already queued, which will do")
    message: str


class IndexOut(Schema):
    built: bool
    message: str
    notes: int
    features: int = 0
    bytes: int = 0
    seconds: float = 0.0


class StatusOut(Schema):
    suggestions_ready: bool
    message: str
    labelled: int
    labels_per_kind: dict[str, int]
    min_labels: int
    min_per_kind: int
    unlabelled: int
    with_suggestion: int
    model: dict[str, Any] | None = Field(description="The active model's training record")
    model_up_to_date: bool = Field(description="Trained on the labels as they are now")
    index: dict[str, Any]
    jobs: dict[str, Any]


def _require_run(request: HttpRequest) -> None:
    permissions.require(
        triage.may_run(request.user),
        "Only product managers, product leaders and admins retrain, reindex and compute themes.",
    )


runs = Router(tags=["triage"])


@runs.post(
    "/retrain",
    response={200: RetrainOut, 202: QueuedOut, **crud.ERRORS},
    summary="Retrain the kind model now (or queue it) and refresh the suggestions",
    operation_id="triage_retrain",
)
def triage_retrain(request: HttpRequest, background: bool = False) -> Any:
    _require_run(request)
    if background:
        queued = triage.kind_retrain_background(actor=request.user)
        message = "retrain queued" if queued else "a retrain is already queued"
        return 202, {"queued": queued, "message": message}
    return 200, triage.kind_model_retrain(actor=request.user).as_dict()


@runs.post(
    "/reindex",
    response={200: IndexOut, 202: QueuedOut, **crud.ERRORS},
    summary="Rebuild the similarity index now (or queue it)",
    operation_id="triage_reindex",
)
def triage_reindex(request: HttpRequest, background: bool = False) -> Any:
    _require_run(request)
    if background:
        queued = triage.similarity_index_background(actor=request.user)
        message = "rebuild queued" if queued else "a rebuild is already queued"
        return 202, {"queued": queued, "message": message}
    return 200, triage.similarity_index_rebuild(actor=request.user)


@runs.get(
    "/status",
    response={200: StatusOut, **crud.ERRORS},
    summary="The kind model, the labels, the index and the background jobs",
    operation_id="triage_status",
)
def triage_status(request: HttpRequest) -> Any:
    return triage.triage_status()


# --- themes --------------------------------------------------------------------------


class TrendOut(Schema):
    period: str
    period_starts: list[dt.date]
    counts: list[int]
    slope: float = Field(description="Notes per period, per period")
    growth: float | None = Field(description="Second half's rate over the first's, minus 1")
    p_value: float
    direction: Literal["rising", "falling", "flat"]


class ThemeNoteOut(Schema):
    note_id: int
    title: str
    excerpt: str
    submitted_at: dt.datetime
    kind: str | None


class ThemeOut(Schema):
    label: str
    terms: list[str]
    size: int
    trend: TrendOut
    representative_notes: list[ThemeNoteOut]
    note_ids: list[int] | None = Field(None, description="With ?note_ids=true")


class ThemeReportOut(Schema):
    id: int
    start: dt.date
    end: dt.date
    period: str
    computed_at: dt.datetime
    notes: int = Field(description="Unlinked, unarchived notes in the window")
    unassigned: int
    silhouette: float | None
    seconds: float
    themes: list[ThemeOut]


class WindowIn(Schema):
    start: dt.date | None = Field(None, description="Default: 12 periods before end")
    end: dt.date | None = Field(None, description="Default: today")
    period: ThemePeriod = ThemePeriod.WEEK


def _report_out(stored: TriageThemeReport, *, with_ids: bool) -> dict[str, Any]:
    found = triage.theme_notes(stored)
    report = stored.report
    return {
        "id": stored.pk,
        "start": stored.start,
        "end": stored.end,
        "period": stored.period,
        "computed_at": stored.computed_at,
        "notes": stored.notes,
        "unassigned": report.get("unassigned", 0),
        "silhouette": report.get("silhouette"),
        "seconds": stored.seconds,
        "themes": [
            {
                **theme,
                "note_ids": theme["note_ids"] if with_ids else None,
                "representative_notes": [
                    {
                        "note_id": note.pk,
                        "title": note.title,
                        "excerpt": triage.excerpt(note.text),
                        "submitted_at": note.submitted_at,
                        "kind": note.kind.name if note.kind_id else None,
                    }
                    for pk in theme["representative_note_ids"]
                    if (note := found.get(pk)) is not None
                ],
            }
            for theme in report.get("themes", [])
        ],
    }


themes = Router(tags=["triage"])


@themes.get(
    "",
    response={200: ThemeReportOut, **crud.ERRORS},
    summary="The themes of a window (the latest report; computed if missing)",
    operation_id="theme_report",
)
def theme_report(
    request: HttpRequest,
    window: Query[WindowIn],
    note_ids: bool = Query(False, description="Include every theme's note ids"),
) -> Any:
    stored = triage.theme_report(start=window.start, end=window.end, period=window.period)
    if stored is None:
        if not triage.may_run(request.user):
            detail = (
                "No theme report for this window yet; a product manager, product leader or "
                "admin computes it (POST /api/v1/themes/compute)."
            )
            raise Http404(detail)
        stored = triage.themes_compute(
            actor=request.user, start=window.start, end=window.end, period=window.period
        )
    return _report_out(stored, with_ids=note_ids)


@themes.post(
    "/compute",
    response={201: ThemeReportOut, **crud.ERRORS},
    summary="Compute and store the themes of a window",
    operation_id="theme_compute",
)
def theme_compute(request: HttpRequest, payload: WindowIn, note_ids: bool = False) -> Any:
    stored = triage.themes_compute(
        actor=request.user, start=payload.start, end=payload.end, period=payload.period
    )
    return 201, _report_out(stored, with_ids=note_ids)


ROUTERS = {"/notes": notes, "/triage": runs, "/themes": themes}
