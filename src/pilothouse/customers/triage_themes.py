"""Themes: clusters of the unlinked, unarchived notes of a window (the triage engine's
`find_themes`), stored as `TriageThemeReport` rows. Re-exported by customers.triage.

A window is a start and an end date (both included, UTC) and a period (week or month)
for the trends. Notes already linked to a feature have a home and archived ones were
dealt with, so neither takes part. The latest `KEEP_THEME_REPORTS` reports of a window
are kept.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import asdict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from pilothouse.core import permissions
from pilothouse.core.models import User
from pilothouse.customers.models import (
    Note,
    NoteLink,
    NoteState,
    ThemePeriod,
    TriageThemeReport,
)
from pilothouse.engines import triage
from pilothouse.engines.triage.themes import theme_label

KEEP_THEME_REPORTS = 3
MAX_THEME_DAYS = 1_100
CHUNK = 2_000


def theme_window(
    start: dt.date | None, end: dt.date | None, period: str
) -> tuple[dt.date, dt.date, str]:
    """The window asked for, with defaults (12 weeks, or 12 months, up to today)."""
    if period not in ThemePeriod.values:
        raise ValidationError({"period": f"must be one of: {', '.join(ThemePeriod.values)}"})
    end = end or timezone.now().date()
    start = start or end - dt.timedelta(days=83 if period == ThemePeriod.WEEK else 364)
    if end < start:
        raise ValidationError({"end": "must not be before start"})
    if (end - start).days > MAX_THEME_DAYS:
        raise ValidationError({"start": f"a window is at most {MAX_THEME_DAYS} days long"})
    return start, end, period


def _window_notes(start: dt.date, end: dt.date) -> list[triage.Note]:
    midnight = dt.time(tzinfo=dt.UTC)
    rows = (
        Note.objects.filter(
            submitted_at__gte=dt.datetime.combine(start, midnight),
            submitted_at__lt=dt.datetime.combine(end + dt.timedelta(days=1), midnight),
        )
        .exclude(state=NoteState.ARCHIVED)
        .exclude(Exists(NoteLink.objects.filter(note=OuterRef("pk"))))
        .values_list("pk", "title", "text", "submitted_at")
    )
    notes = []
    for pk, title, text, submitted in rows.iterator(chunk_size=CHUNK):
        joined = f"{title}\n{text}" if title else text
        if joined and joined.strip():
            notes.append(triage.Note(pk, joined, created_at=submitted.astimezone(dt.UTC)))
    return notes


def themes_compute(
    *,
    actor: User | None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    period: str = ThemePeriod.WEEK,
) -> TriageThemeReport:
    """Find the themes of the window and store the report (product managers, leaders
    and admins; None is the system)."""
    if actor is not None:
        permissions.require(
            permissions.can_create(actor, parent=None, model=TriageThemeReport),
            "Only product managers, product leaders and admins compute themes.",
        )
    start, end, period = theme_window(start, end, period)
    began = time.perf_counter()
    notes = _window_notes(start, end)
    found = triage.find_themes(notes=notes, start=start, end=end, period=period)
    texts = {note.id: note.text for note in notes}
    report = {
        "notes": found.notes,
        "silhouette": found.silhouette,
        "unassigned": len(found.unassigned_note_ids),
        "themes": [
            {
                "label": _label(theme, texts),
                "terms": list(theme.terms),
                "size": theme.size,
                "note_ids": list(theme.note_ids),
                "representative_note_ids": list(theme.representative_note_ids),
                "trend": {
                    **asdict(theme.trend),
                    "period_starts": [day.isoformat() for day in theme.trend.period_starts],
                    "counts": list(theme.trend.counts),
                },
            }
            for theme in found.themes
        ],
    }
    with transaction.atomic():
        stored = TriageThemeReport.objects.create(
            start=start,
            end=end,
            period=period,
            computed_by=actor if actor is not None and actor.pk else None,
            notes=found.notes,
            seconds=time.perf_counter() - began,
            report=report,
        )
        window = TriageThemeReport.objects.filter(start=start, end=end, period=period)
        keep = list(window.values_list("pk", flat=True)[:KEEP_THEME_REPORTS])
        window.exclude(pk__in=keep).delete()
    return stored


def _label(theme: triage.Theme, texts: dict[int, str]) -> str:
    """The theme in its notes' words, read from the notes closest to its centre first."""
    first = theme.representative_note_ids
    ids = [*first, *(pk for pk in theme.note_ids if pk not in first)]
    return theme_label(theme.terms, (texts[pk] for pk in ids))


def theme_report(
    *, start: dt.date | None = None, end: dt.date | None = None, period: str = ThemePeriod.WEEK
) -> TriageThemeReport | None:
    """The latest stored report of the window (None if it was never computed)."""
    start, end, period = theme_window(start, end, period)
    return TriageThemeReport.objects.filter(start=start, end=end, period=period).first()


def theme_notes(report: TriageThemeReport) -> dict[int, Note]:
    """The representative notes of a report's themes (one query); notes deleted since
    the report are missing."""
    ids = [
        pk for theme in report.report.get("themes", []) for pk in theme["representative_note_ids"]
    ]
    return Note.objects.select_related("kind").in_bulk(ids)
