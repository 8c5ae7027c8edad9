"""Importing a team's completed work items from a CSV or XLSX file (an export of the
team's tracker), so that its throughput history has data before any integration exists.

`import_work_items(team=..., source=...)` maps the columns (by name and alias, or as the
caller says) and runs `core.imports.run_import` with `WorkItemHandler`: one transaction,
all or nothing unless `partial`, nothing written on a dry run, every refused row named by
line and field. Rows are written in bulk (core.bulkimport), logged by batch.

Fields: title (required), completed_on (required, a date), external_id (the item's id
in the tracker). A row whose external id the team already has updates that item (or
leaves it alone when nothing differs), so importing the same export twice counts
nothing twice; the same id twice in one file is refused. Items get the source "csv".
Whoever may create the team's work items imports them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pilothouse.core import bulk
from pilothouse.core.bulkimport import BulkRowHandler, Kept
from pilothouse.core.file_imports import ImportResult, import_file
from pilothouse.core.imports import (
    ColumnMapping,
    FieldKind,
    FieldSpec,
    RowOutcome,
)
from pilothouse.core.models import User
from pilothouse.core.tabular import DEFAULT_LIMITS, Row, TableLimits
from pilothouse.delivery.models import Team, WorkItem, WorkItemSource

WORK_ITEM_FIELDS = (
    FieldSpec(
        "title",
        required=True,
        aliases=("summary", "name", "subject", "issue", "story", "task"),
        max_length=200,
    ),
    FieldSpec(
        "completed_on",
        kind=FieldKind.DATE,
        required=True,
        aliases=(
            "completed",
            "completed at",
            "completion date",
            "done",
            "done date",
            "resolved",
            "resolution date",
            "closed",
            "closed at",
        ),
    ),
    FieldSpec(
        "external_id",
        aliases=("id", "key", "issue key", "issue id", "ticket", "ticket id", "external id"),
        max_length=120,
    ),
)


class WorkItemHandler(BulkRowHandler):
    model = WorkItem
    fields = WORK_ITEM_FIELDS
    identity = "external_id"

    def __init__(self, *, actor: User | None, team: Team) -> None:
        super().__init__(actor=actor)
        self.team = team
        self.existing: dict[str, WorkItem] = {}

    def prepare(self, batch: Sequence[Mapping[str, Any]]) -> None:
        ids = sorted({values["external_id"] for values in batch if values.get("external_id")})
        self.existing = {}
        for chunk in bulk.chunks(ids):
            found = WorkItem.objects.select_for_update().filter(
                team=self.team, external_id__in=chunk
            )
            self.existing.update((item.external_id, item) for item in found)

    def apply(self, row: Row, values: dict[str, Any]) -> RowOutcome | None:
        data = {"title": values["title"], "completed_on": values["completed_on"]}
        item = self.existing.get(values.get("external_id") or "")
        if item is None:
            self.keep(
                Kept(
                    row,
                    {
                        **data,
                        "team": self.team,
                        "external_id": values.get("external_id") or None,
                        "source": WorkItemSource.CSV,
                    },
                )
            )
            return None
        changed = {name: value for name, value in data.items() if getattr(item, name) != value}
        if not changed:
            return RowOutcome.UNCHANGED
        self.require_change(item)
        self.keep(Kept(row, changed, item))
        return None


def import_work_items(
    *,
    team: Team,
    source: Any,
    actor: User | None,
    filename: str | None = None,
    mapping: ColumnMapping | Mapping[str, str | None] | None = None,
    dry_run: bool = False,
    partial: bool = False,
    encoding: str | None = None,
    limits: TableLimits = DEFAULT_LIMITS,
    batch_size: int = 1000,
) -> ImportResult:
    """Import a file of `team`'s completed work items as `actor` (None: the system).
    Answers the report with the mapping used, as the customer imports do. A file that
    cannot be read or a mapping that does not fit raises (TableError, MappingError):
    nothing is written."""
    return import_file(
        make_handler=lambda: WorkItemHandler(actor=actor, team=team),
        source=source,
        filename=filename,
        mapping=mapping,
        dry_run=dry_run,
        partial=partial,
        encoding=encoding,
        limits=limits,
        batch_size=batch_size,
    )
