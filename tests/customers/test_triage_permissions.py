"""Who may do what with triage, for every role on every endpoint: reading is open to
everyone signed in; retraining, reindexing and computing themes to product managers,
leaders and admins; accepting and dismissing to triagers. A refusal is 403 in the error
shape and changes nothing."""

from __future__ import annotations

import pytest

from pilothouse.core.roles import Role
from pilothouse.customers import triage, triage_store
from pilothouse.customers.models import (
    Note,
    NoteKind,
    NoteLink,
    SuggestionDecision,
    TriageJob,
    TriageKindModel,
    TriageThemeReport,
)
from pilothouse.engines.triage.sample import generate_feedback
from tests.api.helpers import assert_error, unchanged
from tests.customers.test_triage_api import seed, triage_dir  # noqa: F401 (autouse)

pytestmark = pytest.mark.django_db

ROLES = [role.value for role in Role]
RUNNERS = {Role.ADMIN, Role.PRODUCT_LEADER, Role.PRODUCT_MANAGER}
WINDOW = {"start": "2025-01-06", "end": "2025-07-06", "period": "month"}


@pytest.fixture
def user_of(make_user):
    return lambda role: make_user(role, username=f"the_{role}")


@pytest.fixture
def notes():
    """60 generated notes, the last 20 unlabelled; a model and an index."""
    made = seed(generate_feedback(n=60, seed=4, duplicate_share=0.1, link_share=0.5))
    Note.objects.filter(pk__in=[row.pk for row in list(made.values())[-20:]]).update(kind=None)
    assert triage.kind_model_retrain(actor=None).trained
    triage.similarity_index_rebuild()
    return Note.objects.filter(kind__isnull=True).order_by("pk")


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_suggestions_status_and_stored_themes(role, user_of, api_as, notes):
    triage.themes_compute(actor=None, start=None, end=None, period="week")
    api = api_as(user_of(role))
    answer = api.get(f"/notes/{notes[0].pk}/suggestions")
    assert answer.status_code == 200
    assert answer.json()["kind"]["status"] == "ready"
    assert api.get("/triage/status").status_code == 200
    assert api.get("/themes").status_code == 200


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("kind", ["kind", "feature", "duplicate"])
def test_dismissing_and_accepting_suggestions(role, kind, user_of, api_as, notes):
    api = api_as(user_of(role))
    for note in notes:  # one with every kind of suggestion
        found = triage.note_suggestions(note=note)
        if found.features and found.similar_notes:
            break
    target = {
        "kind": found.kind.kind_id,
        "feature": found.features[0].feature_id,
        "duplicate": found.similar_notes[0].note_id,
    }[kind]
    body = {"kind": kind, "target_id": target}
    for action in ("dismiss", "accept"):
        path = f"/notes/{note.pk}/suggestions/{action}"
        if role in RUNNERS:
            response = api.post(path, body)
            assert response.status_code == 200, response.content
            assert response.json()["decision"]["decision"] == f"{action}ed"
            decided = SuggestionDecision.objects.get(note=note, kind=kind, target_id=target)
            assert decided.decision == f"{action}ed"
        else:
            with unchanged(Note, SuggestionDecision, NoteLink):
                assert_error(api.post(path, body), 403)


@pytest.mark.parametrize("role", ROLES)
def test_retraining_now(role, user_of, api_as, notes):
    api = api_as(user_of(role))
    if role in RUNNERS:
        answer = api.post("/triage/retrain", {})
        assert answer.status_code == 200
        assert answer.json()["trained"] is True
        assert TriageKindModel.objects.filter(active=True).get().trained_by.role == role
    else:
        with unchanged(TriageKindModel, Note, TriageJob):
            assert_error(api.post("/triage/retrain", {}), 403)


@pytest.mark.parametrize("role", ROLES)
def test_retraining_in_the_background(role, user_of, api_as, notes):
    api = api_as(user_of(role))
    if role in RUNNERS:
        answer = api.post("/triage/retrain?background=true", {})
        assert answer.status_code == 202
        assert answer.json()["queued"] is True
        assert TriageJob.objects.get(name="kind_suggestions").runs == 1  # tests run tasks at once
    else:
        with unchanged(TriageKindModel, TriageJob):
            assert_error(api.post("/triage/retrain?background=true", {}), 403)


@pytest.mark.parametrize("role", ROLES)
def test_reindexing(role, user_of, api_as, notes):
    api = api_as(user_of(role))
    written = triage_store.index_path().stat().st_mtime_ns
    if role in RUNNERS:
        answer = api.post("/triage/reindex", {})
        assert answer.status_code == 200
        assert answer.json()["notes"] == 60
    else:
        assert_error(api.post("/triage/reindex", {}), 403)
        assert_error(api.post("/triage/reindex?background=true", {}), 403)
        assert triage_store.index_path().stat().st_mtime_ns == written
        assert not TriageJob.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_computing_themes(role, user_of, api_as, notes):
    api = api_as(user_of(role))
    if role in RUNNERS:
        assert api.get("/themes", WINDOW).status_code == 200  # computed as it was missing
        assert api.post("/themes/compute", WINDOW).status_code == 201
        assert TriageThemeReport.objects.count() == 2
    else:
        with unchanged(TriageThemeReport):
            assert_error(api.get("/themes", WINDOW), 404)
            assert_error(api.post("/themes/compute", WINDOW), 403)


def test_an_inactive_kind_is_never_suggested(api_as, leader, notes):
    api = api_as(leader)
    note = notes[0]
    best = api.get(f"/notes/{note.pk}/suggestions").json()["kind"]
    NoteKind.objects.filter(pk=best["kind_id"]).update(active=False)
    after = api.get(f"/notes/{note.pk}/suggestions").json()["kind"]
    assert after["kind_id"] != best["kind_id"]
    assert best["kind_id"] not in {a["kind_id"] for a in after["alternatives"]}
