"""A whole file through one importer: read the table, map its columns to the handler's
fields, run the rows (core.imports) and answer the report with the mapping it used. Every
file import of the apps (customers, feedback, work items, metric values, experiment
statistics) goes through `import_file`, so they read, map and report alike."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pilothouse.core import bulk
from pilothouse.core.imports import (
    ColumnMapping,
    ImportReport,
    RowHandler,
    resolve_mapping,
    run_import,
)
from pilothouse.core.tabular import DEFAULT_LIMITS, TableLimits, read_table


@dataclass
class ImportResult:
    """The report of an import with the mapping it used (the shape of every import's
    answer over the API, on the command line and on the import pages)."""

    report: ImportReport
    mapping: dict[str, str]  # field -> column
    columns: list[str]
    format: str

    @property
    def ignored_columns(self) -> list[str]:
        """Columns that no field takes."""
        used = set(self.mapping.values())
        return [column for column in self.columns if column not in used]

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.report.as_dict(),
            "mapping": self.mapping,
            "ignored_columns": self.ignored_columns,
            "format": self.format,
        }


def import_file(
    *,
    make_handler: Callable[[], RowHandler],
    source: Any,
    filename: str | None = None,
    mapping: ColumnMapping | Mapping[str, str | None] | None = None,
    dry_run: bool = False,
    partial: bool = False,
    sheet: str | None = None,
    encoding: str | None = None,
    limits: TableLimits = DEFAULT_LIMITS,
    batch_size: int = 1000,
    progress: Callable[[int, int | None], None] | None = None,
) -> ImportResult:
    """Import the file `source` with the handler `make_handler` makes, all-or-nothing
    unless `partial`. A file that cannot be read or a mapping that does not fit its
    columns raises (TableError, MappingError): nothing is written. What happened to each
    row is in the report, its errors in line order (conversion errors are found before
    the other errors of their batch)."""
    with (
        bulk.large_writes(),
        read_table(
            source=source, filename=filename, sheet=sheet, limits=limits, encoding=encoding
        ) as table,
    ):
        handler = make_handler()
        columns = resolve_mapping(columns=table.columns, fields=handler.fields, mapping=mapping)
        report = run_import(
            rows=table.rows(),
            handler=handler,
            dry_run=dry_run,
            all_or_nothing=not partial,
            progress=progress,
            batch_size=batch_size,
            mapping=columns,
            total=table.row_estimate,
        )
        report.errors.sort(key=lambda error: error.line or 0)
        return ImportResult(report, columns, list(table.columns), table.format)
