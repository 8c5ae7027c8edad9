"""`pilothouse roadmap`: snapshots of the roadmap and what changed since.

    pilothouse roadmap snapshot [--name NAME] [--monthly] [--json]
        take a snapshot now; --monthly takes this month's automatic one unless it exists
        (for cron, when no worker runs)
    pilothouse roadmap changes (--since YYYY-MM-DD | --from ID [--to ID]) [--json]
        what changed: since the latest snapshot taken on or before a date, or from one
        snapshot to another (default: to the live roadmap). Markdown by default.

The commands run as the system (no user). Bad input exits 1 with a one-line reason.
"""

from __future__ import annotations

import argparse
import json

from pilothouse.cli.base import (
    CliError,
    Commands,
    console,
    django_setup,
    iso_date,
    validation_message,
)


def cmd_snapshot(args: argparse.Namespace) -> int:
    django_setup()
    from django.core.exceptions import ValidationError

    from pilothouse.roadmap import snapshots

    try:
        if args.monthly:
            snap = snapshots.monthly_snapshot_take()
        else:
            snap = snapshots.snapshot_take(actor=None, name=args.name or "")
    except ValidationError as exc:
        raise CliError(validation_message(exc)) from exc
    if args.json:
        body = (
            None
            if snap is None
            else {
                "id": snap.pk,
                "name": snap.name,
                "kind": snap.kind,
                "taken_at": snap.taken_at.isoformat(),
                "item_count": snap.item_count,
            }
        )
        print(json.dumps(body))
    elif snap is None:
        console.print("This month's snapshot exists already; nothing taken.")
    else:
        console.print(f"Snapshot {snap.pk} “{snap.name}”: {snap.item_count} items.")
    return 0


def cmd_changes(args: argparse.Namespace) -> int:
    django_setup()
    from django.core.exceptions import ValidationError

    from pilothouse.engines.roadmap.snapshots import to_markdown
    from pilothouse.roadmap import snapshots
    from pilothouse.roadmap.models import RoadmapSnapshot

    def snapshot(pk: int) -> RoadmapSnapshot:
        found = RoadmapSnapshot.objects.filter(pk=pk).first()
        if found is None:
            raise CliError(f"no snapshot with id {pk}")
        return found

    if (args.since is None) == (args.from_id is None):
        raise CliError("give either --since DATE or --from ID")
    try:
        before = snapshots.snapshot_at(day=args.since) if args.since else snapshot(args.from_id)
    except ValidationError as exc:
        raise CliError(validation_message(exc)) from exc
    after = snapshot(args.to_id) if args.to_id is not None else None
    result = snapshots.snapshot_diff(before=before, after=after)
    if args.json:
        print(json.dumps(snapshots.diff_json(result, before=before, after=after), default=str))
    else:
        title = f"What changed: {before.name} → {after.name if after else 'now'}"
        print(to_markdown(result, title=title))
    return 0


def register(commands: Commands) -> None:
    sub = commands.group("roadmap", "roadmap snapshots and what changed")
    snapshot = sub.add("snapshot", cmd_snapshot, "take a snapshot of the roadmap now")
    snapshot.add_argument("--name", default="")
    snapshot.add_argument("--monthly", action="store_true", help="this month's, unless taken")
    snapshot.add_argument("--json", action="store_true")
    changes = sub.add("changes", cmd_changes, "what changed since a date or a snapshot")
    changes.add_argument("--since", type=iso_date, help="YYYY-MM-DD")
    changes.add_argument("--from", dest="from_id", type=int, help="a snapshot id")
    changes.add_argument("--to", dest="to_id", type=int, help="a snapshot id (default: now)")
    changes.add_argument("--json", action="store_true")
