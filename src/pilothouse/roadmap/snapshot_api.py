"""/api/v1/roadmap-snapshots: take, list, read and delete snapshots, and their diffs.

- GET  /roadmap-snapshots, POST /roadmap-snapshots {"name": ...} takes one now
- GET  /roadmap-snapshots/{id} (with its items), DELETE /roadmap-snapshots/{id}
- GET  /roadmap-snapshots/{id}/diff?against={id}|live[&format=markdown]
- GET  /roadmap-snapshots/since?date=YYYY-MM-DD[&format=markdown]: what changed in the live
  roadmap since the latest snapshot taken on or before that date

No `from __future__ import annotations`: ninja reads the signatures.
"""

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema

from pilothouse.api import crud
from pilothouse.engines.roadmap.snapshots import CHANGE_KINDS, RoadmapDiff, to_markdown
from pilothouse.roadmap import snapshots
from pilothouse.roadmap.models import RoadmapSnapshot, SnapshotKind

router = Router(tags=["roadmap"])


class SnapshotIn(Schema):
    name: str = Field("", description="Defaults to the date and time")


class SnapshotOut(crud.VersionedOut):
    name: str
    kind: SnapshotKind
    taken_at: dt.datetime
    item_count: int


class SnapshotDetailOut(SnapshotOut):
    items: list[dict[str, Any]]


class DiffOut(Schema):
    before: int
    after: int | None = Field(description="Snapshot id, or null for the live roadmap")
    counts: dict[str, int]
    changes: dict[str, list[dict[str, Any]]] = Field(
        description="One list per kind of change: " + ", ".join(CHANGE_KINDS)
    )


def _diff_answer(
    result: RoadmapDiff,
    *,
    before: RoadmapSnapshot,
    after: RoadmapSnapshot | None,
    format: str,
) -> Any:
    if format == "markdown":
        later = after.name if after is not None else "now"
        text = to_markdown(result, title=f"What changed: {before.name} → {later}")
        return HttpResponse(text, content_type="text/markdown; charset=utf-8")
    return snapshots.diff_json(result, before=before, after=after)


def _listing():
    return RoadmapSnapshot.objects.defer("items")


@router.get("", response={200: crud.Page[SnapshotOut], **crud.ERRORS}, summary="List snapshots")
def snapshot_list(
    request: HttpRequest,
    kind: SnapshotKind | None = None,
    limit: int = Query(crud.DEFAULT_LIMIT, ge=1, le=crud.MAX_LIMIT),
    offset: int = Query(0, ge=0),
):
    qs = _listing()
    if kind:
        qs = qs.filter(kind=kind)
    return {"items": list(qs[offset : offset + limit]), "count": qs.count()}


@router.post("", response={201: SnapshotOut, **crud.ERRORS}, summary="Take a snapshot now")
def snapshot_create(request: HttpRequest, payload: SnapshotIn):
    snap = snapshots.snapshot_take(actor=request.user, name=payload.name)
    return 201, snap


@router.get(
    "/since",
    response={200: DiffOut, **crud.ERRORS},
    summary="What changed since a date",
    openapi_extra={"responses": {200: {"content": {"text/markdown": {}}}}},
)
def snapshot_since(
    request: HttpRequest, date: dt.date, format: Literal["json", "markdown"] = "json"
):
    before = snapshots.snapshot_at(day=date)
    result = snapshots.snapshot_diff(before=before, after=None)
    return _diff_answer(result, before=before, after=None, format=format)


@router.get("/{int:pk}", response={200: SnapshotDetailOut, **crud.ERRORS}, summary="Get a snapshot")
def snapshot_get(request: HttpRequest, pk: int):
    return get_object_or_404(RoadmapSnapshot, pk=pk)


@router.delete("/{int:pk}", response={204: None, **crud.ERRORS}, summary="Delete a snapshot")
def snapshot_delete(request: HttpRequest, pk: int, version: int | None = None):
    snapshots.snapshot.delete(
        actor=request.user, instance=get_object_or_404(_listing(), pk=pk), version=version
    )
    return 204, None


@router.get(
    "/{int:pk}/diff",
    response={200: DiffOut, **crud.ERRORS},
    summary="What changed between two snapshots, or since a snapshot",
)
def snapshot_diff(
    request: HttpRequest,
    pk: int,
    against: str = Query("live", description="Another snapshot's id, or 'live'"),
    format: Literal["json", "markdown"] = "json",
):
    before = get_object_or_404(RoadmapSnapshot, pk=pk)
    after = None
    if against != "live":
        if not against.isdigit():
            raise ValidationError({"against": "A snapshot id or 'live'."})
        after = get_object_or_404(RoadmapSnapshot, pk=int(against))
    result = snapshots.snapshot_diff(before=before, after=after)
    return _diff_answer(result, before=before, after=after, format=format)


ROUTERS = {"/roadmap-snapshots": router}
