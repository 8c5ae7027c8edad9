"""Snapshot pages: the list, taking one, one snapshot's items, and "what changed"
between two snapshots, or between a snapshot (or a date) and the live roadmap."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from pilothouse.core import permissions
from pilothouse.engines.roadmap.snapshots import CHANGE_KINDS, to_markdown
from pilothouse.roadmap import snapshots
from pilothouse.roadmap.models import RoadmapSnapshot

SNAPSHOTS_PER_PAGE = 50
ITEMS_PER_PAGE = 100
CHANGE_TITLES = {
    "added": "Added to the roadmap",
    "removed": "Removed from the roadmap",
    "moved": "Moved",
    "slipped": "Slipped",
    "pulled_in": "Pulled in",
    "scheduled": "Given a date",
    "unscheduled": "Date removed",
    "stage_changed": "Stage changed",
    "renamed": "Renamed",
    "owner_changed": "Owner changed",
}


def snapshot_list(request: HttpRequest) -> HttpResponse:
    qs = RoadmapSnapshot.objects.defer("items").select_related("created_by")
    page = Paginator(qs, SNAPSHOTS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "page_obj": page,
        "snapshots": page.object_list,
        "can_take": permissions.can_create(request.user, parent=None, model=RoadmapSnapshot),
    }
    return render(request, "roadmap/snapshot_list.html", context)


@require_POST
def snapshot_take(request: HttpRequest) -> HttpResponse:
    try:
        snap = snapshots.snapshot_take(actor=request.user, name=request.POST.get("name", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("roadmap:snapshot_list")
    messages.success(request, f"Snapshot “{snap.name}” taken: {snap.item_count} items.")
    return redirect("roadmap:snapshot_detail", pk=snap.pk)


def snapshot_detail(request: HttpRequest, pk: int) -> HttpResponse:
    snap = get_object_or_404(RoadmapSnapshot, pk=pk)
    items = sorted(
        snapshots.snapshot_items(snap), key=lambda i: (i.product.casefold(), i.title.casefold())
    )
    page = Paginator(items, ITEMS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "snapshot": snap,
        "page_obj": page,
        "items": page.object_list,
        "others": RoadmapSnapshot.objects.exclude(pk=pk).defer("items")[:100],
        "can_delete": permissions.can_change(request.user, snap),
    }
    return render(request, "roadmap/snapshot_detail.html", context)


def snapshot_delete(request: HttpRequest, pk: int) -> HttpResponse:
    snap = get_object_or_404(RoadmapSnapshot.objects.defer("items"), pk=pk)
    if not permissions.can_change(request.user, snap):
        raise PermissionDenied("You may not delete this snapshot.")
    if request.method == "POST":
        snapshots.snapshot.delete(actor=request.user, instance=snap)
        messages.success(request, f"Snapshot “{snap.name}” deleted.")
        return redirect("roadmap:snapshot_list")
    return render(
        request,
        "core/confirm_delete.html",
        {
            "object": snap,
            "noun": "snapshot",
            "title": f"Delete {snap.name}",
            "cancel_url": reverse("roadmap:snapshot_detail", args=[pk]),
        },
    )


def _chosen(raw: str | None, name: str) -> RoadmapSnapshot | None:
    if not raw or raw == "live":
        return None
    if not raw.isdigit():
        raise ValidationError({name: "Choose a snapshot."})
    found = RoadmapSnapshot.objects.filter(pk=int(raw)).first()
    if found is None:
        raise Http404("No such snapshot.")
    return found


def snapshot_compare(request: HttpRequest) -> HttpResponse:
    """What changed: `?before=ID&after=ID|live`, or `?since=YYYY-MM-DD` (against live).
    `&format=markdown` answers the Markdown summary as a file."""
    error = ""
    result = before = after = None
    since = request.GET.get("since", "")
    try:
        if since:
            try:
                day = dt.date.fromisoformat(since)
            except ValueError:
                raise ValidationError({"since": f"Not a date (YYYY-MM-DD): {since!r}."}) from None
            before = snapshots.snapshot_at(day=day)
        else:
            before = _chosen(request.GET.get("before"), "before")
        if before is not None:
            after = _chosen(request.GET.get("after"), "after")
            result = snapshots.snapshot_diff(before=before, after=after)
    except ValidationError as exc:
        error = " ".join(exc.messages)
    title = f"What changed: {before.name} → {after.name if after else 'now'}" if before else ""
    if result is not None and request.GET.get("format") == "markdown":
        response = HttpResponse(to_markdown(result, title=title), content_type="text/markdown")
        response["Content-Disposition"] = 'attachment; filename="roadmap-changes.md"'
        return response
    sections = []
    if result is not None:
        sections = [
            (kind, CHANGE_TITLES[kind], getattr(result, kind))
            for kind in CHANGE_KINDS
            if getattr(result, kind)
        ]
    context = {
        "choices": RoadmapSnapshot.objects.defer("items")[:200],
        "before": before,
        "after": after,
        "since": since,
        "error": error,
        "result": result,
        "sections": sections,
        "title": title,
        "query": request.GET.urlencode(),
    }
    return render(request, "roadmap/snapshot_compare.html", context)
