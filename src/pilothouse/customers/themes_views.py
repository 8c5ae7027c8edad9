"""The themes page: recurring pain points among the notes no feature covers yet."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from pilothouse.core import permissions
from pilothouse.customers import triage
from pilothouse.customers.models import ThemePeriod, TriageThemeReport


class ThemeWindowForm(forms.Form):
    start = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    period = forms.ChoiceField(choices=ThemePeriod.choices, initial=ThemePeriod.WEEK)


def _window(form: ThemeWindowForm) -> tuple[dt.date | None, dt.date | None, str]:
    data = form.cleaned_data
    return data.get("start"), data.get("end"), data.get("period") or ThemePeriod.WEEK


def _themes(report: TriageThemeReport) -> list[dict]:
    """The stored themes, each with its representative notes and a 0-100 scale for bars."""
    notes = triage.theme_notes(report)
    themes = []
    for theme in report.report.get("themes", []):
        counts = theme["trend"]["counts"]
        peak = max(counts, default=0) or 1
        growth = theme["trend"].get("growth")
        themes.append(
            {
                **theme,
                "growth_percent": None if growth is None else round(100 * growth),
                "representatives": [
                    notes[pk] for pk in theme["representative_note_ids"] if pk in notes
                ],
                "bars": [
                    (start, count, round(100 * count / peak))
                    for start, count in zip(theme["trend"]["period_starts"], counts, strict=True)
                ],
            }
        )
    return themes


def themes(request: HttpRequest) -> HttpResponse:
    form = ThemeWindowForm(request.GET or {"period": ThemePeriod.WEEK})
    report, error = None, None
    if form.is_valid():
        start, end, period = _window(form)
        try:
            start, end, period = triage.theme_window(start, end, period)
            report = triage.theme_report(start=start, end=end, period=period)
        except ValidationError as exc:
            error = " ".join(exc.messages)
    context = {
        "form": form,
        "report": report,
        "themes": _themes(report) if report else [],
        "error": error,
        "window": (start, end, period) if form.is_valid() and error is None else None,
        "can_compute": permissions.can_create(request.user, parent=None, model=TriageThemeReport),
    }
    return render(request, "customers/themes.html", context)


@require_POST
def themes_compute(request: HttpRequest) -> HttpResponse:
    form = ThemeWindowForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The window is invalid: " + form.errors.as_text())
        return redirect("customers:themes")
    start, end, period = _window(form)
    try:
        report = triage.themes_compute(actor=request.user, start=start, end=end, period=period)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("customers:themes")
    count = len(report.report.get("themes", []))
    messages.success(
        request, f"Found {count} theme{'s' if count != 1 else ''} in {report.notes} notes."
    )
    query = f"?start={report.start}&end={report.end}&period={report.period}"
    return redirect(reverse("customers:themes") + query)
