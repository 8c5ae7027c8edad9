"""Triage services: retraining after label changes, debounced; the stored state (models
kept, the index file reloaded when it changes, a stale model); the refresh of new notes;
and the `pilothouse triage` commands (in process, and once as a user runs them)."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import time

import pytest
from django.db import connection
from django.utils import timezone

from pilothouse.customers import services, triage, triage_store
from pilothouse.customers.models import NoteKind, TriageJob, TriageKindModel
from pilothouse.engines.triage import persistence
from pilothouse.engines.triage.sample import generate_feedback
from tests.cli.test_cli import run
from tests.customers.test_triage_api import in_process_cli, seed, triage_dir  # noqa: F401
from tests.factories import NoteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed():` runs the block's on-commit callbacks and forgets them, as a
    commit would (the test's own transaction never commits)."""

    @contextlib.contextmanager
    def commit():
        start = len(connection.run_on_commit)
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            yield callbacks
        del connection.run_on_commit[start:]

    return commit


@pytest.fixture
def deferred_tasks(settings):
    """A task backend that keeps what is queued instead of running it."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    from django_tasks import task_backends

    return task_backends["default"]


def queued(backend, name: str) -> list:
    return [result for result in backend.results if result.task.name == name]


@pytest.fixture
def bug():
    return NoteKind.objects.get(name="Bug")


# --- debounce --------------------------------------------------------------------------


def test_two_label_changes_queue_one_retrain(deferred_tasks, committed, leader, bug):
    first, second, third = NoteFactory(), NoteFactory(), NoteFactory()
    for note in (first, second):
        with committed():
            services.note.update(actor=leader, instance=note, version=None, data={"kind": bug})
    runs = queued(deferred_tasks, "kind_suggestions_refresh")
    assert len(runs) == 1
    assert runs[0].task.run_after >= timezone.now() + dt.timedelta(seconds=20)  # waits a while
    assert TriageJob.objects.get(name="kind_suggestions").queued_at is not None
    assert queued(deferred_tasks, "similarity_index_refresh") == []  # no words changed

    triage.kind_suggestions_refresh()  # the worker runs it: the flag is cleared
    assert TriageJob.objects.get(name="kind_suggestions").queued_at is None
    with committed():
        services.note.update(actor=leader, instance=third, version=None, data={"kind": bug})
    assert len(queued(deferred_tasks, "kind_suggestions_refresh")) == 2


def test_a_run_queued_long_ago_is_presumed_lost(deferred_tasks, committed, leader, bug):
    TriageJob.objects.create(
        name="kind_suggestions", queued_at=timezone.now() - dt.timedelta(hours=2)
    )
    with committed():
        services.note.update(actor=leader, instance=NoteFactory(), version=None, data={"kind": bug})
    assert len(queued(deferred_tasks, "kind_suggestions_refresh")) == 1


def test_one_transaction_registers_one_callback(leader, bug, django_capture_on_commit_callbacks):
    notes = [NoteFactory() for _ in range(5)]
    with django_capture_on_commit_callbacks() as callbacks:
        services.note_bulk(
            actor=leader, note_ids=[n.pk for n in notes], action="set_kind", value=bug.pk
        )
    assert callbacks == [triage._enqueue_kind_job]
    with django_capture_on_commit_callbacks() as callbacks:
        services.note.update(
            actor=leader, instance=notes[0], version=None, data={"state": "triaged"}
        )
    assert callbacks == []  # neither kind nor words changed
    with django_capture_on_commit_callbacks() as callbacks:
        services.note.update(actor=leader, instance=notes[0], version=None, data={"text": "New"})
    # The same transaction already waits to queue the kind job: only the index job is new.
    assert callbacks == [triage._enqueue_index_job]


def test_labelling_through_the_services_retrains_and_reindexes(committed, leader):
    sample = generate_feedback(n=40, seed=2)
    kinds = {kind.name.lower(): kind for kind in NoteKind.objects.all()}
    with committed():
        for note in sample.notes:
            services.note.create(actor=leader, data={"text": note.text, "kind": kinds[note.kind]})
        unlabelled = services.note.create(actor=leader, data={"text": sample.notes[0].text})
    assert TriageKindModel.objects.filter(active=True).count() == 1
    assert TriageJob.objects.get(name="kind_suggestions").runs == 1
    assert triage_store.index_info()["notes"] == 41
    unlabelled.refresh_from_db()
    assert unlabelled.suggested_kind is not None

    # Labels unchanged: a new note only gets its suggestion, no retrain.
    with committed():
        later = services.note.create(actor=leader, data={"text": sample.notes[1].text})
    job = TriageJob.objects.get(name="kind_suggestions")
    assert job.last_result["message"] == "labels unchanged"
    assert job.last_result["suggested"] == 1
    assert TriageKindModel.objects.count() == 1
    later.refresh_from_db()
    assert later.suggested_kind_confidence is not None


# --- stored state ----------------------------------------------------------------------


def test_the_latest_models_are_kept_and_one_is_active():
    seed(generate_feedback(n=40, seed=3), features=False)
    ids = [triage.kind_model_retrain(actor=None).model_id for _ in range(4)]
    assert list(TriageKindModel.objects.values_list("pk", flat=True)) == ids[::-1][:3]
    assert TriageKindModel.objects.get(active=True).pk == ids[-1]
    stored = TriageKindModel.objects.get(active=True).info
    assert sum(stored["per_kind"].values()) == 40
    assert stored["labelled"] == 40 - sum(stored["excluded_kinds"].values())
    assert {kind["name"] for kind in stored["kinds"]} <= set(stored["per_kind"])
    assert 0 < stored["cv_accuracy"] <= 1
    assert stored["calibration"]
    assert len(stored["labels_digest"]) == 64


def test_a_model_from_another_scikit_learn_is_retrained(committed, leader):
    seed(generate_feedback(n=40, seed=3), features=False)
    triage.kind_model_retrain(actor=None)
    header = json.dumps({"kind": "kind-model", "format_version": 1, "sklearn": "0.1"})
    TriageKindModel.objects.update(data=persistence.MAGIC + header.encode() + b"\n...")
    triage_store._model_cache.clear()
    status = triage.triage_status()
    assert status["suggestions_ready"] is False
    assert "scikit-learn 0.1" in status["message"]
    assert "retrain" in status["message"]
    outcome = triage.kind_suggestions_refresh()
    assert outcome["trained"] is True
    assert triage.triage_status()["suggestions_ready"] is True


def test_the_index_is_loaded_once_and_again_when_the_file_changes():
    seed(generate_feedback(n=30, seed=4), features=False)
    index, problem = triage.similarity_index()
    assert index is None
    assert "not been built" in problem
    triage.similarity_index_rebuild()
    first, _ = triage.similarity_index()
    assert first.notes == 30
    assert triage.similarity_index()[0] is first  # not read again
    seed(generate_feedback(n=10, seed=5), features=False)
    time.sleep(0.01)
    triage.similarity_index_rebuild()
    second, _ = triage.similarity_index()
    assert second is not first
    assert second.notes == 40
    assert sorted(os.listdir(triage_store.index_path().parent)) == [
        "similarity-index.bin",
        "similarity-index.json",
    ]


def test_a_damaged_index_file_is_not_used_and_a_rebuild_is_queued(
    django_capture_on_commit_callbacks,
):
    seed(generate_feedback(n=30, seed=4), features=False)
    triage.similarity_index_rebuild()
    triage_store.index_path().write_bytes(b"not an index")
    with django_capture_on_commit_callbacks() as callbacks:
        index, problem = triage.similarity_index()
    assert index is None
    assert "cannot be used" in problem
    assert callbacks == [triage._enqueue_index_job]


def test_a_note_not_yet_indexed_gets_suggestions_from_its_words():
    sample = generate_feedback(n=60, seed=6, duplicate_share=0.1)
    seed(sample)
    triage.similarity_index_rebuild()
    copy = next(iter(sample.duplicate_of))
    fresh = NoteFactory(text=sample.notes[copy - 1].text)
    found = triage.note_suggestions(note=fresh)
    assert found.index_ready is True
    assert fresh.pk not in {item.note_id for item in found.similar_notes}
    assert found.similar_notes[0].is_likely_duplicate


# --- the commands ----------------------------------------------------------------------


def test_retrain_status_themes_and_reindex_in_process(in_process_cli, capsys):  # noqa: F811
    assert in_process_cli(["triage", "retrain"]) == 0
    assert capsys.readouterr().out.strip() == (
        "Not retrained: not enough labels: 0 labelled, need 20; need 2 kinds with at least "
        "3 labels each, have 0."
    )
    seed(generate_feedback(n=120, seed=7, link_share=0.0), features=False)
    assert in_process_cli(["triage", "retrain"]) == 0
    out = capsys.readouterr().out
    assert "Trained on 120 labels (Bug " in out
    assert "Cross-validated accuracy: 0." in out
    assert in_process_cli(["triage", "reindex"]) == 0
    assert "Indexed 120 notes and 0 features" in capsys.readouterr().out
    assert in_process_cli(["triage", "status"]) == 0
    out = capsys.readouterr().out
    assert "Kind suggestions: kind suggestions are ready." in out
    assert "Similarity index: the similarity index is ready (120 notes" in out
    window = ["--start", "2025-01-06", "--end", "2025-07-06", "--period", "month"]
    assert in_process_cli(["triage", "themes", *window]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Themes of 120 unlinked notes from 2025-01-06 to 2025-07-06")
    assert " 1. " in out
    assert in_process_cli(["triage", "themes", *window, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["notes"] == 120


def test_a_bad_window_is_one_line_and_exit_code_1(in_process_cli, capsys):  # noqa: F811
    code = in_process_cli(["triage", "themes", "--start", "2025-02-01", "--end", "2025-01-01"])
    assert code == 1
    assert capsys.readouterr().err.strip() == "pilothouse: error: end: must not be before start"


def test_retrain_as_a_user_runs_it(tmp_path):
    assert run("init", data_dir=tmp_path).returncode == 0
    retrain = run("triage", "retrain", "--json", data_dir=tmp_path)
    assert retrain.returncode == 0, retrain.stderr
    body = json.loads(retrain.stdout)
    assert body["trained"] is False
    assert body["message"].startswith("not enough labels: 0 labelled, need 20")
