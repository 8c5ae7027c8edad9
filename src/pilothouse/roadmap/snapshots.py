"""Roadmap snapshots and "what changed": taking them, and comparing them.

A snapshot copies every feature on the roadmap (placed on the now / next / later board or
in a release, and not rejected) as an `engines.roadmap.snapshots.RoadmapItem`. Two
snapshots, or a snapshot and the live roadmap, are compared by the engine's `diff`.

Snapshots are taken on demand and once a month automatically: `monthly_snapshot_take`
is idempotent (one per calendar month, enforced by a unique constraint), and the worker's
scheduler calls it (see core.schedules); `pilothouse roadmap snapshot --monthly` does the
same from cron.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from pilothouse.core.models import User
from pilothouse.core.writes import ModelWrites
from pilothouse.engines.roadmap.snapshots import (
    CHANGE_KINDS,
    RoadmapDiff,
    RoadmapItem,
    diff,
    item_from_json,
    item_to_json,
)
from pilothouse.roadmap.dependencies import feature_window
from pilothouse.roadmap.models import Feature, FeatureStage, RoadmapSnapshot, SnapshotKind

snapshot = ModelWrites(RoadmapSnapshot)


def on_roadmap() -> Q:
    """Features that are on the roadmap: placed on the board or in a release, not rejected."""
    return (~Q(horizon="") | Q(target_release__isnull=False)) & ~Q(stage=FeatureStage.REJECTED)


def quarter(day: dt.date | None) -> str | None:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}" if day else None


def live_items(*, features: QuerySet[Feature] | None = None) -> list[RoadmapItem]:
    """The roadmap as it stands, as snapshot items (one query)."""
    qs = (features if features is not None else Feature.objects.all()).filter(on_roadmap())
    rows = qs.select_related("product", "target_release", "owner").only(
        "id",
        "title",
        "stage",
        "horizon",
        "started_on",
        "completed_on",
        "product__name",
        "target_release__name",
        "target_release__target_date",
        "owner__username",
        "owner__first_name",
        "owner__last_name",
    )
    return [_item(feature) for feature in rows.order_by("id").iterator(chunk_size=2000)]


def _item(feature: Feature) -> RoadmapItem:
    release = feature.target_release
    window = feature_window(feature)
    return RoadmapItem(
        id=feature.pk,
        title=feature.title,
        product=feature.product.name,
        release=release.name if release is not None else None,
        period=quarter(window.end),
        horizon=feature.horizon or None,
        stage=feature.stage,
        start=window.start,
        end=window.end,
        owner=str(feature.owner) if feature.owner_id else None,
    )


def snapshot_take(
    *,
    actor: User | None,
    name: str = "",
    kind: str = SnapshotKind.MANUAL,
    now: dt.datetime | None = None,
) -> RoadmapSnapshot:
    """Copy the live roadmap into a new snapshot."""
    now = now or timezone.now()
    items = live_items()
    local = timezone.localtime(now)
    month = local.strftime("%Y-%m") if kind == SnapshotKind.MONTHLY else ""
    default_name = (
        f"Monthly snapshot, {local:%B %Y}"
        if kind == SnapshotKind.MONTHLY
        else f"Snapshot of {local:%Y-%m-%d %H:%M}"
    )
    return snapshot.create(
        actor=actor,
        data={
            "name": (name or "").strip() or default_name,
            "kind": kind,
            "taken_at": now,
            "month": month,
            "items": [item_to_json(item) for item in items],
            "item_count": len(items),
        },
    )


def monthly_snapshot_take(*, now: dt.datetime | None = None) -> RoadmapSnapshot | None:
    """Take this month's automatic snapshot unless it exists. Answers the new snapshot,
    or None when the month already has one (also when another process just took it)."""
    now = now or timezone.now()
    month = timezone.localtime(now).strftime("%Y-%m")
    if RoadmapSnapshot.objects.filter(kind=SnapshotKind.MONTHLY, month=month).exists():
        return None
    try:
        with transaction.atomic():
            return snapshot_take(actor=None, kind=SnapshotKind.MONTHLY, now=now)
    except IntegrityError:
        return None  # a concurrent scheduler won the race: the month has its snapshot


def snapshot_items(snap: RoadmapSnapshot) -> list[RoadmapItem]:
    return [item_from_json(row) for row in snap.items]


def snapshot_diff(*, before: RoadmapSnapshot, after: RoadmapSnapshot | None) -> RoadmapDiff:
    """What changed from `before` to `after` (None: the live roadmap)."""
    later = snapshot_items(after) if after is not None else live_items()
    return diff(before=snapshot_items(before), after=later)


def diff_json(
    result: RoadmapDiff, *, before: RoadmapSnapshot, after: RoadmapSnapshot | None
) -> dict[str, Any]:
    """A diff as the API and `pilothouse roadmap changes --json` answer it."""
    return {
        "before": before.pk,
        "after": after.pk if after is not None else None,
        "counts": result.counts,
        "changes": {
            kind: [dataclasses.asdict(entry) for entry in getattr(result, kind)]
            for kind in CHANGE_KINDS
        },
    }


def snapshot_at(*, day: dt.date) -> RoadmapSnapshot:
    """The latest snapshot taken on or before `day`, to compare "since" that date."""
    end = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))
    found = RoadmapSnapshot.objects.filter(taken_at__lt=end).order_by("-taken_at").first()
    if found is None:
        first = RoadmapSnapshot.objects.order_by("taken_at").values_list("taken_at", flat=True)
        first_taken = first.first()
        hint = (
            f"the first was taken on {timezone.localtime(first_taken):%Y-%m-%d}"
            if first_taken
            else "none has been taken yet"
        )
        raise ValidationError({"since": f"No snapshot was taken on or before {day}; {hint}."})
    return found
