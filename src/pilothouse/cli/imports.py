"""`pilothouse import`: import customers, feedback notes or people from a CSV or XLSX file.

    pilothouse import customers FILE [options]
    pilothouse import feedback FILE [options] [--default-source S] [--create-customers]
                                              [--create-contacts]
    pilothouse import people FILE [options]

Options: --map COLUMN=FIELD (repeatable; other fields are matched to columns by name
and alias), --skip FIELD (leave a field out though a column matches it), --dry-run
(report what would happen, save nothing), --partial (save the good rows, report the
bad; the default is all or nothing), --sheet NAME (XLSX), --encoding NAME (CSV files
that are not UTF-8), --user USERNAME (import as this user: their permissions apply and
they author the new notes; without it the import runs as the system), --json (the
report as one JSON object), --show-errors N (how many refused rows to list).

A progress bar (rows done of the estimated total) runs on the terminal. The exit code
is 0 when every row was saved (or, on a dry run, would be), 1 when a row was refused,
nothing was saved, or the file, the mapping or the user is wrong (one line on stderr),
and 2 when the command line itself is wrong (argparse's usage error).
See customers/imports.py and people/imports.py for the fields and the rules of
re-imports.
"""

from __future__ import annotations

import argparse
import functools
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from pilothouse.cli.base import CliError, Commands, console, django_setup, errors

if TYPE_CHECKING:
    from pilothouse.core.file_imports import ImportResult


@contextmanager
def _progress(enabled: bool, label: str) -> Iterator[Callable[[int, int | None], None] | None]:
    """A progress bar on the terminal (stderr, so that --json output stays clean)."""
    if not enabled or not errors.is_terminal:
        yield None
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    with Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("rows"),
        TimeElapsedColumn(),
        console=errors,
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=None)

        def report(done: int, total: int | None) -> None:
            bar.update(task, completed=done, total=max(total, done) if total else None)

        yield report


def _user(username: str | None):
    if username is None:
        return None
    from pilothouse.core.models import User

    user = User.objects.filter(username=username).first()
    if user is None:
        raise CliError(f"--user: no user named {username!r}")
    if not user.is_active:
        raise CliError(f"--user: {username!r} is deactivated")
    return user


def _mapping(args: argparse.Namespace):
    from pilothouse.core.imports import ColumnMapping, MappingError

    try:
        pairs = ColumnMapping.parse(args.map).items
    except MappingError as exc:
        raise CliError(f"--map: {exc}") from exc
    return ColumnMapping(pairs + tuple((name, None) for name in args.skip))


def _summary(kind: str, path: Path, result, shown: int) -> list[str]:
    report = result.report
    counts = report.counts
    rate = report.rows / report.duration if report.duration else 0.0
    lines = [
        f"{'Checked' if report.dry_run else 'Imported'} {kind} from {path.name} "
        f"({result.format}, {report.rows:,} rows): {counts['created']:,} created, "
        f"{counts['updated']:,} updated, {counts['unchanged']:,} unchanged, "
        f"{counts['skipped']:,} skipped, {report.failed:,} failed in "
        f"{report.duration:.2f} s ({rate:,.0f} rows/s).",
        "Columns: "
        + ", ".join(f"{field} <- '{column}'" for field, column in result.mapping.items()),
    ]
    if result.ignored_columns:
        lines.append("Ignored columns: " + ", ".join(f"'{c}'" for c in result.ignored_columns))
    if report.fatal:
        lines.append(f"Stopped: {report.fatal}")
    if report.error_count:
        lines.append(f"{report.failed:,} rows were refused:")
        lines += [f"  {error}" for error in report.errors[:shown]]
        if report.error_count > shown:
            lines.append(f"  and {report.error_count - shown:,} more")
    if report.committed:
        lines.append("Saved." + (" The refused rows were left out." if report.failed else ""))
    elif report.dry_run:
        lines.append("Dry run: nothing was saved.")
    elif report.fatal:
        lines.append("Nothing was saved.")
    else:
        lines.append(
            "Nothing was saved (all or nothing): correct these rows, or import with --partial "
            "to save the others."
        )
    return lines


def _importer(kind: str, options: dict) -> Callable[..., ImportResult]:
    """The import function of `kind`, taking the file and the options every import shares
    (called after Django is set up: the apps' modules need it)."""
    if kind == "people":
        from pilothouse.people.imports import import_people

        return import_people
    from pilothouse.customers.imports import import_file

    return functools.partial(import_file, kind=kind, options=options)


def _run(args: argparse.Namespace, kind: str, options: dict) -> int:
    path = Path(args.file)
    if not path.is_file():
        raise CliError(f"{path}: no such file")
    if args.show_errors < 0:
        raise CliError("--show-errors: must not be negative")
    django_setup()
    from django.core.exceptions import PermissionDenied, ValidationError

    from pilothouse.cli.base import validation_message
    from pilothouse.core.imports import MappingError
    from pilothouse.core.tabular import TableError

    user = _user(args.user)
    mapping = _mapping(args)
    run_import = _importer(kind, options)
    try:
        with _progress(not args.json, f"Importing {path.name}") as progress:
            result = run_import(
                source=path,
                actor=user,
                mapping=mapping,
                dry_run=args.dry_run,
                partial=args.partial,
                sheet=args.sheet,
                encoding=args.encoding,
                progress=progress,
            )
    except TableError as exc:
        raise CliError(f"{path.name}: {exc}") from exc
    except MappingError as exc:
        raise CliError(f"mapping: {exc}") from exc
    except ValidationError as exc:
        raise CliError(validation_message(exc)) from exc
    except PermissionDenied as exc:
        raise CliError(f"--user: {exc}") from exc
    report = result.report
    if args.json:
        print(json.dumps({"kind": kind, "file": str(path), **result.as_dict()}, default=str))
    else:
        for line in _summary(kind, path, result, args.show_errors):
            console.print(line, markup=False)
    succeeded = report.fatal is None and report.failed == 0
    return 0 if succeeded and (report.committed or report.dry_run) else 1


def cmd_import_feedback(args: argparse.Namespace) -> int:
    options = {
        "default_source": args.default_source,
        "create_customers": args.create_customers,
        "create_contacts": args.create_contacts,
    }
    return _run(args, "feedback", options)


def cmd_import_customers(args: argparse.Namespace) -> int:
    return _run(args, "customers", {})


def cmd_import_people(args: argparse.Namespace) -> int:
    return _run(args, "people", {})


def _arguments(command: argparse.ArgumentParser) -> None:
    command.add_argument("file", help="a CSV (UTF-8 unless --encoding) or XLSX file")
    command.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="COLUMN=FIELD",
        help="take FIELD from COLUMN (repeatable); other fields are matched by name",
    )
    command.add_argument(
        "--skip",
        action="append",
        default=[],
        metavar="FIELD",
        help="leave FIELD out even if a column matches it (repeatable)",
    )
    command.add_argument("--dry-run", action="store_true", help="report only, save nothing")
    command.add_argument(
        "--partial", action="store_true", help="save the good rows even if some are refused"
    )
    command.add_argument("--sheet", help="the XLSX sheet to read (default: the first)")
    command.add_argument("--encoding", help="the CSV file's encoding (default: UTF-8)")
    command.add_argument("--user", help="import as this user (default: the system)")
    command.add_argument("--json", action="store_true", help="print the report as JSON")
    command.add_argument(
        "--show-errors", type=int, default=20, metavar="N", help="refused rows to list"
    )


def register(commands: Commands) -> None:
    group = commands.group("import", "import customers, feedback notes or people from CSV or XLSX")
    feedback = group.add(
        "feedback",
        cmd_import_feedback,
        "import feedback notes; a re-import updates notes by external id",
    )
    _arguments(feedback)
    feedback.add_argument(
        "--default-source",
        default="other",
        metavar="SOURCE",
        help="the source of rows that give none: interview, support, sales, survey, "
        "app_review, portal, email or other (the default)",
    )
    feedback.add_argument(
        "--create-customers",
        action="store_true",
        help="create the customers the file names but the database does not know",
    )
    feedback.add_argument(
        "--create-contacts",
        action="store_true",
        help="create the contacts (by email) a customer does not have yet",
    )
    customers = group.add(
        "customers", cmd_import_customers, "import customers; a re-import updates by external id"
    )
    _arguments(customers)
    people = group.add(
        "people",
        cmd_import_people,
        "import people from an HR export (product leaders and admins); a re-import "
        "updates people by email",
    )
    _arguments(people)
