"""Triage through the API: the "Done when" path (kinds, labelled notes, a retrain run by
the CLI, suggestions read back) with its measured accuracy; suggestions leaving out what
was decided; accepting and dismissing; status; themes; query counts.

Also the fixtures the other triage test modules share (a data dir of the test's own, and
generated feedback written straight to the database).
"""

from __future__ import annotations

import json
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pilothouse import cli
from pilothouse.customers import triage, triage_store
from pilothouse.customers.models import (
    Decision,
    Note,
    NoteKind,
    NoteLink,
    NoteState,
    SuggestionDecision,
    TriageKindModel,
    TriageThemeReport,
)
from pilothouse.engines.triage.sample import KIND_WEIGHTS, generate_feedback, sample_features
from pilothouse.engines.triage.sample_topics import TOPICS
from pilothouse.roadmap.models import Feature
from tests.api.helpers import assert_error
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


# --- shared fixtures and helpers -------------------------------------------------------


def _forget_loaded_state() -> None:
    triage_store._model_cache.clear()
    triage_store._index_cache.update(key=None, index=None, problem="")


@pytest.fixture(autouse=True)
def triage_dir(settings, tmp_path):
    """Each test keeps its index file in a folder of its own and loads nothing cached."""
    settings.DATA_DIR = tmp_path
    _forget_loaded_state()
    yield tmp_path
    _forget_loaded_state()


def kinds_by_label() -> dict[str, NoteKind]:
    """The default note kinds are the sample's kinds, capitalised."""
    return {kind.name.lower(): kind for kind in NoteKind.objects.all()}


def seed(sample, *, labelled: bool = True, features: bool = True) -> dict[int, Note]:
    """Write generated notes (and the sample's features and links) to the database;
    answers {sample note id: Note}."""
    kinds = kinds_by_label()
    feature_rows: dict[int, Feature] = {}
    if features:
        product = ProductFactory()
        existing = {f.title: f for f in Feature.objects.filter(product=product)}
        for spec in sample_features():
            feature_rows[spec.id] = existing.get(spec.title) or Feature.objects.create(
                title=spec.title, description=spec.description, product=product
            )
    rows = Note.objects.bulk_create(
        Note(
            text=note.text,
            submitted_at=note.created_at,
            kind=kinds[note.kind] if labelled else None,
        )
        for note in sample.notes
    )
    by_id = {note.id: row for note, row in zip(sample.notes, rows, strict=True)}
    NoteLink.objects.bulk_create(
        NoteLink(note=by_id[note.id], feature=feature_rows[feature_id])
        for note in sample.notes
        for feature_id in note.feature_ids
        if feature_id in feature_rows
    )
    return by_id


@pytest.fixture
def in_process_cli(monkeypatch):
    """Run `pilothouse.cli.main` on the test database: Django is set up already, and
    setting it up again would point logging at a captured stream that pytest closes."""
    import django

    monkeypatch.setattr(django, "setup", lambda *args, **kwargs: None)
    return cli.main


@pytest.fixture
def user_of(make_user):
    return lambda role: make_user(role, username=f"the_{role}")


# --- the "Done when" path, through the API alone ---------------------------------------


def test_a_script_labels_notes_retrains_and_reads_back_suggestions(
    leader, api_as, capsys, in_process_cli
):
    api = api_as(leader)
    training = generate_feedback(n=300, seed=5)
    held_out = generate_feedback(n=120, seed=6, first_id=10_000)

    # The team's own labels: replace the default kinds by the sample's.
    for kind in api.get("/note-kinds", {"limit": 100}).json()["items"]:
        assert api.delete(f"/note-kinds/{kind['id']}").status_code == 204
    kind_ids = {}
    for name in KIND_WEIGHTS:
        response = api.post("/note-kinds", {"name": name})
        assert response.status_code == 201, response.content
        kind_ids[name] = response.json()["id"]
    for note in training.notes:
        body = {"text": note.text, "kind_id": kind_ids[note.kind], "source": "support"}
        assert api.post("/notes", body).status_code == 201
    truth = {}
    for note in held_out.notes:
        response = api.post("/notes", {"text": note.text})
        assert response.status_code == 201
        truth[response.json()["id"]] = note.kind

    capsys.readouterr()
    assert in_process_cli(["triage", "retrain", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["trained"] is True
    assert result["labelled"] == 300
    assert result["suggested"] == 120
    assert set(result["per_kind"]) == set(KIND_WEIGHTS)

    suggested = {}
    for offset in (0, 500):
        page = api.get("/notes", {"limit": 500, "offset": offset}).json()["items"]
        for item in page:
            if item["id"] in truth:
                assert item["kind"] is None
                assert 0 < item["suggested_kind_confidence"] <= 1
                suggested[item["id"]] = item["suggested_kind"]
    assert set(suggested) == set(truth)
    accuracy = sum(suggested[pk] == truth[pk] for pk in truth) / len(truth)
    commonest = Counter(note.kind for note in training.notes).most_common(1)[0][0]
    baseline = sum(kind == commonest for kind in truth.values()) / len(truth)
    print(f"\nkind suggestions, 300 labels: accuracy {accuracy:.3f}, baseline {baseline:.3f}")
    # Measured: accuracy 0.825 against a majority baseline of 0.292 (120 held-out notes).
    assert accuracy >= baseline + 0.25

    pk = next(iter(truth))
    answer = api.get(f"/notes/{pk}/suggestions").json()
    stored = Note.objects.get(pk=pk)
    assert answer["kind"]["status"] == "ready"
    assert answer["kind"]["kind_id"] == stored.suggested_kind_id
    assert answer["kind"]["confidence"] == pytest.approx(stored.suggested_kind_confidence)
    assert len(answer["kind"]["alternatives"]) == 4
    status = api.get("/triage/status").json()
    assert status["suggestions_ready"] is True
    assert status["model_up_to_date"] is True
    assert status["with_suggestion"] == 120


def test_status_and_retrain_before_enough_labels_say_so(leader, api_as):
    seed(generate_feedback(n=12, seed=1), features=False)
    api = api_as(leader)
    status = api.get("/triage/status").json()
    assert status["suggestions_ready"] is False
    assert status["message"].startswith("not enough labels: 12 labelled, need 20")
    retrained = api.post("/triage/retrain", {})
    assert retrained.status_code == 200
    assert retrained.json()["trained"] is False
    assert retrained.json()["message"] == status["message"]
    assert not TriageKindModel.objects.exists()
    note = Note.objects.first()
    Note.objects.filter(pk=note.pk).update(kind=None)
    kind = api.get(f"/notes/{note.pk}/suggestions").json()["kind"]
    assert kind["status"] == "not_ready"
    assert kind["message"].startswith("not enough labels: 11 labelled")


# --- suggestions, accepting and dismissing ---------------------------------------------


@pytest.fixture
def corpus(leader):
    """240 notes (a tenth of them light edits of another), links to features; the last
    40 unlabelled; a trained model and a built index."""
    sample = generate_feedback(n=240, seed=21, duplicate_share=0.1, link_share=0.5)
    notes = seed(sample)
    Note.objects.filter(pk__in=[notes[n.id].pk for n in sample.notes[-40:]]).update(kind=None)
    assert triage.kind_model_retrain(actor=leader).trained
    triage.similarity_index_rebuild(actor=leader)
    return sample, notes


def _note_with(api, notes, predicate):
    for row in notes.values():
        answer = api.get(f"/notes/{row.pk}/suggestions").json()
        if predicate(answer):
            return row, answer
    raise AssertionError("no note has such suggestions")


def test_dismissed_duplicates_are_left_out_both_ways(corpus, leader, api_as):
    sample, notes = corpus
    api = api_as(leader)
    copy, original = next(iter(sample.duplicate_of.items()))
    answer = api.get(f"/notes/{notes[copy].pk}/suggestions").json()
    assert answer["index_ready"] is True
    top = answer["similar_notes"][0]
    assert top["note_id"] == notes[original].pk
    assert top["is_likely_duplicate"] is True
    assert 0.8 <= top["score"] <= 1
    scores = [item["score"] for item in answer["similar_notes"]]
    assert scores == sorted(scores, reverse=True)

    body = {"kind": "duplicate", "target_id": notes[original].pk}
    dismissed = api.post(f"/notes/{notes[copy].pk}/suggestions/dismiss", body)
    assert dismissed.status_code == 200, dismissed.content
    assert dismissed.json()["decision"]["decision"] == "dismissed"
    after = api.get(f"/notes/{notes[copy].pk}/suggestions").json()
    assert notes[original].pk not in {item["note_id"] for item in after["similar_notes"]}
    other_side = api.get(f"/notes/{notes[original].pk}/suggestions").json()
    assert notes[copy].pk not in {item["note_id"] for item in other_side["similar_notes"]}
    assert Note.objects.get(pk=notes[copy].pk).state == NoteState.NEW  # nothing else


def test_features_linked_or_dismissed_are_left_out_and_accepting_links(corpus, leader, api_as):
    _, notes = corpus
    api = api_as(leader)
    note, answer = _note_with(api, notes, lambda a: len(a["features"]) >= 2)
    first, second = answer["features"][:2]
    assert first["score"] >= second["score"] > 0
    assert first["reasons"]
    assert {r["signal"] for r in first["reasons"]} <= {"feature_text", "linked_notes"}
    linked_before = set(NoteLink.objects.filter(note=note).values_list("feature_id", flat=True))
    assert not linked_before & {item["feature_id"] for item in answer["features"]}

    body = {"kind": "feature", "target_id": first["feature_id"]}
    assert api.post(f"/notes/{note.pk}/suggestions/dismiss", body).status_code == 200
    body = {"kind": "feature", "target_id": second["feature_id"]}
    accepted = api.post(f"/notes/{note.pk}/suggestions/accept", body)
    assert accepted.status_code == 200, accepted.content
    assert second["feature_id"] in accepted.json()["note"]["feature_ids"]
    assert NoteLink.objects.filter(note=note, feature_id=second["feature_id"]).exists()
    shown = {
        item["feature_id"] for item in api.get(f"/notes/{note.pk}/suggestions").json()["features"]
    }
    assert not shown & {first["feature_id"], second["feature_id"]}
    assert SuggestionDecision.objects.filter(note=note).count() == 2


def test_accepting_and_dismissing_kinds(corpus, leader, api_as):
    api = api_as(leader)
    unlabelled = list(Note.objects.filter(kind__isnull=True).order_by("pk"))
    note, other = unlabelled[0], unlabelled[1]
    before = api.get(f"/notes/{note.pk}/suggestions").json()["kind"]
    body = {"kind": "kind", "target_id": before["kind_id"]}
    dismissed = api.post(f"/notes/{note.pk}/suggestions/dismiss", body)
    assert dismissed.status_code == 200
    after = api.get(f"/notes/{note.pk}/suggestions").json()["kind"]
    assert after["kind_id"] == before["alternatives"][0]["kind_id"]
    assert after["kind_id"] != before["kind_id"]
    assert dismissed.json()["note"]["suggested_kind_id"] == after["kind_id"]

    target = api.get(f"/notes/{other.pk}/suggestions").json()["kind"]["kind_id"]
    accepted = api.post(
        f"/notes/{other.pk}/suggestions/accept", {"kind": "kind", "target_id": target}
    )
    assert accepted.status_code == 200
    shown = accepted.json()["note"]
    assert shown["kind_id"] == target
    assert shown["suggested_kind_id"] is None
    assert api.get(f"/notes/{other.pk}/suggestions").json()["kind"]["status"] == "labelled"
    assert SuggestionDecision.objects.get(note=other).decision == Decision.ACCEPTED


def test_accepting_a_duplicate_archives_the_note_with_the_originals_links(corpus, leader, api_as):
    sample, notes = corpus
    api = api_as(leader)
    copy, original = next(
        (c, o)
        for c, o in sample.duplicate_of.items()
        if NoteLink.objects.filter(note=notes[o]).exists()
    )
    body = {"kind": "duplicate", "target_id": notes[original].pk}
    accepted = api.post(f"/notes/{notes[copy].pk}/suggestions/accept", body)
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["note"]["state"] == "archived"
    wanted = set(NoteLink.objects.filter(note=notes[original]).values_list("feature_id", flat=True))
    assert wanted <= set(accepted.json()["note"]["feature_ids"])


def test_bad_decisions_name_the_field(corpus, leader, api_as):
    _, notes = corpus
    api = api_as(leader)
    note = next(iter(notes.values()))
    assert_error(
        api.post(f"/notes/{note.pk}/suggestions/accept", {"kind": "x", "target_id": 1}), 422, "kind"
    )
    assert_error(
        api.post(f"/notes/{note.pk}/suggestions/accept", {"kind": "feature", "target_id": 999999}),
        422,
        "target_id",
    )
    assert_error(
        api.post(
            f"/notes/{note.pk}/suggestions/accept", {"kind": "duplicate", "target_id": note.pk}
        ),
        422,
        "target_id",
    )
    assert_error(api.get("/notes/999999/suggestions"), 404)
    assert not SuggestionDecision.objects.exists()


def test_suggestions_cost_the_same_queries_for_5_and_50_notes(leader, api_as):
    seed(generate_feedback(n=60, seed=9), features=False)  # labels to learn from
    assert triage.kind_model_retrain(actor=None).trained
    api = api_as(leader)

    def measure(count: int) -> tuple[int, dict]:
        made = seed(
            generate_feedback(n=count, seed=8, duplicate_share=0.1, link_share=0.5), labelled=False
        )
        triage.similarity_index_rebuild()
        note = made[min(made)]
        SuggestionDecision.objects.create(note=note, kind="kind", target_id=1, decision="dismissed")
        api.get(f"/notes/{note.pk}/suggestions")  # loads the index file
        with CaptureQueriesContext(connection) as queries:
            answer = api.get(f"/notes/{note.pk}/suggestions").json()
        return len(queries), answer

    small, small_answer = measure(5)
    large, large_answer = measure(50)
    assert small_answer["kind"]["status"] == large_answer["kind"]["status"] == "ready"
    assert len(large_answer["similar_notes"]) > len(small_answer["similar_notes"]) > 0
    assert large == small


# --- themes ----------------------------------------------------------------------------


def test_themes_have_terms_size_trend_and_representative_notes(leader, viewer, api_as):
    four = ("warehouse", "reporting", "mobile", "access")
    sample = generate_feedback(
        n=240,
        seed=31,
        link_share=0.0,
        kind_weights={kind: w for kind, w in KIND_WEIGHTS.items() if kind != "other"},
        topic_weights={t.key: (1.0 if t.key in four else 0.0) for t in TOPICS},
        growing_topics=("mobile",),
    )
    seed(sample, features=False)
    window = {"start": "2025-01-06", "end": "2025-07-06", "period": "month"}
    reader = api_as(viewer)
    assert_error(reader.get("/themes", window), 404)
    assert not TriageThemeReport.objects.exists()

    api = api_as(leader)
    report = api.get("/themes", window)
    assert report.status_code == 200, report.content
    body = report.json()
    assert body["notes"] == 240
    assert len(body["themes"]) >= 3
    for theme in body["themes"]:
        assert theme["terms"]
        assert theme["label"]
        assert theme["size"] >= 5
        assert theme["trend"]["direction"] in {"rising", "falling", "flat"}
        assert sum(theme["trend"]["counts"]) == theme["size"]
        assert len(theme["trend"]["period_starts"]) == 7
        assert 1 <= len(theme["representative_notes"]) <= 3
        assert theme["representative_notes"][0]["excerpt"]
        assert theme["note_ids"] is None
    assert sum(theme["size"] for theme in body["themes"]) + body["unassigned"] == 240
    assert reader.get("/themes", window).json()["id"] == body["id"]  # stored, not recomputed
    with_ids = reader.get("/themes", {**window, "note_ids": "true"}).json()
    assert len(with_ids["themes"][0]["note_ids"]) == with_ids["themes"][0]["size"]
    again = api.post("/themes/compute", window)
    assert again.status_code == 201
    assert again.json()["id"] != body["id"]
    assert_error(api.get("/themes", {"start": "2025-02-01", "end": "2025-01-01"}), 422, "end")
    assert_error(api.get("/themes", {"period": "year"}), 422, "period")


def test_an_unauthenticated_client_gets_401(anonymous_api):
    for path in ("/notes/1/suggestions", "/triage/status", "/themes"):
        assert_error(anonymous_api.get(path), 401)
    assert_error(anonymous_api.post("/triage/retrain", {}), 401)
