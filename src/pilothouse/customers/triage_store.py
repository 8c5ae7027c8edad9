"""Where triage keeps its state, and the plumbing of its background jobs (used by
customers.triage; see its docstring for the reasons behind each choice).

- Trained kind models: `TriageKindModel` rows (the latest `KEEP_MODELS`, one active),
  loaded once per process.
- The similarity index: a file in `settings.DATA_DIR / "triage"`, written atomically
  (a temporary file in the same folder, fsync, rename) with a JSON sidecar describing
  it, loaded once per process and again whenever its mtime or size changes.
- Background jobs: a `TriageJob` row per job whose `queued_at` is the debounce flag,
  claimed by a conditional UPDATE so that only one request queues a run.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from pilothouse.core.models import User
from pilothouse.customers.models import TriageJob, TriageKindModel
from pilothouse.engines import triage

KEEP_MODELS = 3
LOST_AFTER = dt.timedelta(hours=1)  # a run queued this long ago is presumed lost
INDEX_FILE, INDEX_META = "similarity-index.bin", "similarity-index.json"

_lock = threading.Lock()
_model_cache: dict[int, triage.KindModel | str] = {}
_index_cache: dict[str, Any] = {"key": None, "index": None, "problem": ""}


# --- kind models -------------------------------------------------------------------


def kind_model_store(
    *, model: triage.KindModel, info: dict[str, Any], actor: User | None
) -> TriageKindModel:
    """Store a trained model as the active one and forget all but the latest few."""
    with transaction.atomic():
        TriageKindModel.objects.filter(active=True).update(active=False)
        record = TriageKindModel.objects.create(
            data=model.to_bytes(),
            info=info,
            active=True,
            labels_digest=model.info.labels_digest,
            labelled=model.info.labelled,
            cv_accuracy=model.info.cv_accuracy,
            trained_at=model.info.trained_at,
            trained_by=actor if actor is not None and actor.pk else None,
            training_seconds=model.info.training_seconds,
        )
        keep = list(TriageKindModel.objects.values_list("pk", flat=True)[:KEEP_MODELS])
        TriageKindModel.objects.exclude(pk__in=keep).delete()
    with _lock:
        _model_cache.clear()
        _model_cache[record.pk] = model
    return record


def active_kind_model() -> tuple[int | None, triage.KindModel | None, str]:
    """(stored id, loaded model, why there is none) of the active model: one query once
    the process has loaded it."""
    pk = TriageKindModel.objects.filter(active=True).values_list("pk", flat=True).first()
    if pk is None:
        return None, None, "no kind model has been trained yet"
    with _lock:
        cached = _model_cache.get(pk)
    if cached is None:
        data = TriageKindModel.objects.values_list("data", flat=True).get(pk=pk)
        try:
            cached = triage.KindModel.from_bytes(bytes(data))
        except ValueError as error:  # StaleModelError included: a retrain mends it
            cached = f"the stored kind model cannot be used ({error})"
        with _lock:
            _model_cache.clear()
            _model_cache[pk] = cached
    if isinstance(cached, str):
        return pk, None, cached
    return pk, cached, ""


# --- the similarity index file -----------------------------------------------------


def index_path() -> Path:
    return Path(settings.DATA_DIR) / "triage" / INDEX_FILE


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def index_write(index: triage.SimilarityIndex, *, seconds: float) -> dict[str, Any]:
    """Write the index and its sidecar; answers the sidecar."""
    data = index.to_bytes()
    path = index_path()
    _write_atomically(path, data)
    meta = {
        "built": True,
        "message": f"indexed {index.notes} notes and {index.features} features",
        "built_at": index.built_at.isoformat(),
        "notes": index.notes,
        "features": index.features,
        "links": int(index.link_rows.shape[0]),
        "terms": index.terms,
        "bytes": len(data),
        "build_seconds": round(index.build_seconds, 3),
        "seconds": round(seconds, 3),
    }
    _write_atomically(path.with_name(INDEX_META), json.dumps(meta).encode())
    return meta


def index_remove() -> None:
    path = index_path()
    path.unlink(missing_ok=True)
    path.with_name(INDEX_META).unlink(missing_ok=True)


def index_info() -> dict[str, Any] | None:
    """The sidecar of the index file (None if there is none)."""
    try:
        return json.loads(index_path().with_name(INDEX_META).read_text())
    except (OSError, ValueError):
        return None


def index_load() -> tuple[triage.SimilarityIndex | None, str]:
    """(index, why there is none): read from the file once per process, and again when
    the file changed (a stat per call)."""
    path = index_path()
    try:
        stat = path.stat()
    except OSError:
        return None, "the similarity index has not been built yet"
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    with _lock:
        if _index_cache["key"] != key:
            index, problem = None, ""
            try:
                index = triage.SimilarityIndex.from_bytes(path.read_bytes())
            except (OSError, ValueError) as error:  # StaleModelError included
                problem = f"the similarity index cannot be used ({error}); it is being rebuilt"
            _index_cache.update(key=key, index=index, problem=problem)
        return _index_cache["index"], _index_cache["problem"]


# --- background jobs ---------------------------------------------------------------


class job_run:
    """Record a run of a job in its TriageJob row: start, end, result or error. A run
    that was queued (`queued=True`) clears the debounce flag as it starts, so changes
    made while it runs queue the next one."""

    def __init__(self, name: str, *, queued: bool) -> None:
        self.name, self.queued = name, queued
        self.outcome: dict[str, Any] = {}

    def __enter__(self) -> tuple[dt.datetime | None, dict[str, Any]]:
        job, _ = TriageJob.objects.get_or_create(name=self.name)
        changes: dict[str, Any] = {"started_at": timezone.now(), "runs": F("runs") + 1}
        if self.queued:
            changes["queued_at"] = None
        TriageJob.objects.filter(pk=job.pk).update(**changes)
        return job.started_at, self.outcome

    def __exit__(self, kind, error, traceback) -> None:
        changes: dict[str, Any] = {
            "finished_at": timezone.now(),
            "last_error": "" if error is None else f"{kind.__name__}: {error}",
        }
        if error is None:
            changes["last_result"] = json.loads(json.dumps(self.outcome, default=str))
        TriageJob.objects.filter(name=self.name).update(**changes)


def on_commit_once(callback: Callable[[], Any]) -> None:
    """`transaction.on_commit`, unless this transaction already waits to run `callback`
    (a bulk triage of 500 notes queues one job, not 500)."""
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(
        entry[1] is callback for entry in connection.run_on_commit
    ):
        return
    transaction.on_commit(callback)


def _claim(name: str) -> bool:
    """Mark a run of the job as queued; False if one already is (the debounce)."""
    now = timezone.now()
    free = Q(queued_at__isnull=True) | Q(queued_at__lt=now - LOST_AFTER)
    if TriageJob.objects.filter(free, name=name).update(queued_at=now):
        return True
    if TriageJob.objects.filter(name=name).exists():
        return False
    try:
        with transaction.atomic():
            TriageJob.objects.create(name=name, queued_at=now)
    except IntegrityError:  # created meanwhile by another request, which queued a run
        return False
    return True


def enqueue(name: str, task, *, delay: dt.timedelta, **kwargs: Any) -> bool:
    """Queue `task` unless a run of the job is queued already; it runs after `delay` if
    the task backend can defer. Answers whether it queued one."""
    if not _claim(name):
        return False
    if delay and task.get_backend().supports_defer:
        task = task.using(run_after=timezone.now() + delay)
    try:
        task.enqueue(**kwargs)
    except Exception:
        TriageJob.objects.filter(name=name).update(queued_at=None)
        raise
    return True
