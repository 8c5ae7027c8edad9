"""The themes page: who may see and compute themes, what a computed report shows, bad
windows, escaping and a fixed number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from pilothouse.core.roles import Role
from pilothouse.customers.models import Note, TriageThemeReport
from pilothouse.engines.triage.sample import generate_feedback
from tests.factories import NoteFactory
from tests.web.helpers import assert_same_queries

pytestmark = pytest.mark.django_db

COMPUTERS = {Role.ADMIN, Role.PRODUCT_LEADER, Role.PRODUCT_MANAGER}
THEMES = reverse("customers:themes")
COMPUTE = reverse("customers:themes_compute")
SCRIPT = "<script>alert('x')</script>"


def _window() -> dict[str, str]:
    end = timezone.now().date()
    return {"start": str(end - dt.timedelta(days=83)), "end": str(end), "period": "week"}


def _feedback(count: int, *, seed: int = 3) -> None:
    """Unlinked notes spread over the window, written about a handful of topics."""
    end = timezone.now().date()
    sample = generate_feedback(n=count, seed=seed, start=end - dt.timedelta(days=80), days=80)
    for note in sample.notes:
        NoteFactory(
            text=note.text,
            submitted_at=dt.datetime.combine(note.created_at.date(), dt.time(12), tzinfo=dt.UTC),
        )


def test_anonymous_visitors_are_sent_to_the_login(client):
    response = client.get(THEMES)
    assert response.status_code == 302
    assert reverse("core:login") in response["Location"]
    assert client.post(COMPUTE, _window()).status_code == 302
    assert not TriageThemeReport.objects.exists()


@pytest.mark.parametrize("role", [role.value for role in Role])
def test_everyone_reads_and_only_triagers_compute(client, make_user, role):
    _feedback(60)
    client.force_login(make_user(role))
    page = client.get(THEMES, _window())
    assert page.status_code == 200
    assert ("Compute themes" in page.content.decode()) == (role in COMPUTERS)

    response = client.post(COMPUTE, _window())
    if role in COMPUTERS:
        assert response.status_code == 302
        assert TriageThemeReport.objects.count() == 1
    else:
        assert response.status_code == 403
        assert not TriageThemeReport.objects.exists()


def test_a_computed_report_shows_its_themes_with_terms_trend_and_notes(client, leader):
    _feedback(120)
    client.force_login(leader)
    response = client.post(COMPUTE, _window(), follow=True)
    report = TriageThemeReport.objects.get()
    themes = report.report["themes"]
    assert themes, "the sample feedback should form at least one theme"
    html = response.content.decode()
    assert f"{report.notes} notes clustered into {len(themes)} theme" in html
    first = themes[0]
    assert first["label"]
    assert f'">{first["label"]}</h2>' in html  # its label, in the notes' own words
    assert ", ".join(first["terms"]) in html
    if report.report["unassigned"]:
        assert f"({report.report['unassigned']} recur too little to join one)" in html
    assert f"trend <strong>{first['trend']['direction']}</strong>" in html
    representative = Note.objects.get(pk=first["representative_note_ids"][0])
    assert reverse("customers:note_detail", args=[representative.pk]) in html
    assert html.count('class="trend-bar"') == sum(len(t["trend"]["counts"]) for t in themes)


def test_a_bad_window_says_why_and_computes_nothing(client, leader):
    client.force_login(leader)
    window = {**_window(), "start": "2026-12-31", "end": "2026-01-01"}
    page = client.get(THEMES, window)
    assert "must not be before start" in page.content.decode()
    client.post(COMPUTE, window)
    assert not TriageThemeReport.objects.exists()
    page = client.get(THEMES, {**_window(), "period": "fortnight"})
    assert "Select a valid choice" in page.content.decode()


def test_note_text_is_escaped(client, leader):
    _feedback(60)
    for _ in range(8):
        NoteFactory(text=f"{SCRIPT} export fails on large invoices export fails again")
    client.force_login(leader)
    html = client.post(COMPUTE, _window(), follow=True).content.decode()
    assert SCRIPT not in html


def test_the_page_costs_the_same_queries_for_small_and_large_reports(client, leader):
    client.force_login(leader)
    _feedback(40, seed=5)
    client.post(COMPUTE, _window())

    def grow() -> None:
        _feedback(160, seed=6)
        client.post(COMPUTE, _window())

    assert_same_queries(lambda: client.get(THEMES, _window()), grow)
