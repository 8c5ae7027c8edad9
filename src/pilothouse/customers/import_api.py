"""/api/v1 endpoints for importing files: POST /imports/feedback and /imports/customers.

A multipart/form-data request with the file in the field `file` and, optionally:
`mapping` (a JSON object {field: column}; a column of null leaves the field out; fields
not named are matched to columns by name and alias), `dry_run` and `partial` (true or
false), `sheet` (XLSX), `encoding` (CSV); for feedback also `default_source`,
`create_customers` and `create_contacts`. See customers/imports.py for the fields.

Answers: 200 with the report when the import was saved or on a dry run (a dry run
lists the rows it would refuse); 422 when nothing was saved, each refused row an
error whose field is `lines.<line>.<field>` and whose message names the line and the
column; 422 also for a file that cannot be read (field `file`) or a mapping that does
not fit (field `mapping`); 413 for a file over the upload limit (settings
IMPORT_MAX_UPLOAD_BYTES, 50 MB by default: larger files go through
`pilothouse import`); 403 for those who may not create what the file holds.

Who may import: feedback, whoever may create notes (contributors, product managers,
product leaders, admins; contributors without the triage fields kind and state, feature
links or new customers and contacts, which the rows then refuse); customers, product
managers, product leaders and admins. The import runs as the caller.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Router, Schema

from pilothouse.api import crud
from pilothouse.api.errors import error_body
from pilothouse.core import permissions
from pilothouse.core.imports import MappingError
from pilothouse.core.tabular import TableError
from pilothouse.customers.imports import import_file
from pilothouse.customers.models import Customer, Note

TRUE, FALSE = {"true", "1", "yes", "on"}, {"false", "0", "no", "off", ""}


class ImportErrorOut(Schema):
    line: int | None
    field: str | None
    column: str | None
    message: str


class ImportReportOut(Schema):
    dry_run: bool
    all_or_nothing: bool
    committed: bool
    rows: int
    counts: dict[str, int]
    failed: int
    error_count: int
    errors: list[ImportErrorOut]
    fatal: str | None
    duration: float
    mapping: dict[str, str]
    ignored_columns: list[str]
    format: str


# What each import creates, and what those who may not create it are told (the API
# and the import page, customers.import_views, follow the same rule).
IMPORTS: dict[str, tuple[type[Customer | Note], str]] = {
    "feedback": (Note, "You may not add feedback notes."),
    "customers": (Customer, "Only product managers, product leaders and admins import customers."),
}


def may_import(user, kind: str) -> bool:
    """May `user` import a file of `kind` ("feedback" or "customers")?"""
    return permissions.can_create(user, parent=None, model=IMPORTS[kind][0])


def require_import(user, kind: str) -> None:
    permissions.require(may_import(user, kind), IMPORTS[kind][1])


def _max_bytes() -> int:
    return settings.IMPORT_MAX_UPLOAD_BYTES


def _megabytes(size: int) -> str:
    return f"{size / 1_048_576:,.1f} MB" if size >= 1_048_576 else f"{size:,} bytes"


def too_big_message(size: int | None) -> str:
    """Why an upload of `size` bytes (None: unknown) over the limit is refused."""
    what = f"The upload is {_megabytes(size)}" if size else "The upload is too large"
    return (
        f"{what}; the limit is {_megabytes(_max_bytes())}. Split the file, or import it on "
        "the server with `pilothouse import`."
    )


def _too_big(size: int | None) -> tuple[int, dict]:
    message = too_big_message(size)
    return 413, error_body(message, [{"field": "file", "message": message}])


def _flag(request: HttpRequest, name: str) -> bool:
    value = request.POST.get(name, "").strip().lower()
    if value in TRUE | FALSE:
        return value in TRUE
    raise ValidationError({name: f"{name} takes true or false, not {value!r}"})


def _mapping(request: HttpRequest) -> dict[str, str | None] | None:
    raw = request.POST.get("mapping", "").strip()
    if not raw:
        return None
    try:
        mapping = json.loads(raw)
    except ValueError:
        mapping = None
    if not isinstance(mapping, dict) or not all(
        isinstance(key, str) and (value is None or isinstance(value, str))
        for key, value in mapping.items()
    ):
        raise ValidationError(
            {"mapping": 'mapping takes a JSON object {"field": "column"} (null leaves a field out)'}
        )
    return mapping


def _refused(detail: str, report) -> tuple[int, dict]:
    errors = [
        {
            "field": ".".join(
                str(part) for part in ("lines", error.line, error.field) if part is not None
            ),
            "message": str(error),
        }
        for error in report.errors
    ]
    if report.fatal:
        errors.append({"field": "file", "message": report.fatal})
    return 422, error_body(detail, errors)


def _run(request: HttpRequest, kind: str, options: Callable[[], dict[str, Any]]):
    declared = request.META.get("CONTENT_LENGTH")
    if declared and declared.isdigit() and int(declared) > _max_bytes() + 64 * 1024:
        return _too_big(int(declared))  # refused before the body is read
    upload = request.FILES.get("file")
    if upload is None:
        message = "upload the file as the multipart/form-data field 'file'"
        return 422, error_body("The request is invalid.", [{"field": "file", "message": message}])
    if upload.size > _max_bytes():
        return _too_big(upload.size)
    try:
        result = import_file(
            kind=kind,
            source=upload.file,
            filename=upload.name,
            actor=request.user,
            mapping=_mapping(request),
            dry_run=_flag(request, "dry_run"),
            partial=_flag(request, "partial"),
            sheet=request.POST.get("sheet") or None,
            encoding=request.POST.get("encoding") or None,
            options=options(),
        )
    except TableError as exc:
        return 422, error_body("The file cannot be read.", [{"field": "file", "message": str(exc)}])
    except MappingError as exc:
        errors = [{"field": "mapping", "message": problem} for problem in exc.problems]
        return 422, error_body("The columns do not fit the fields.", errors)
    report = result.report
    if report.committed or (report.dry_run and report.fatal is None):
        return 200, result.as_dict()
    if report.fatal:
        return _refused(f"The file could not be read to the end: {report.fatal}", report)
    return _refused(
        f"{report.failed:,} of {report.rows:,} rows were refused; nothing was saved.", report
    )


def _body(extra: dict[str, Any]) -> dict[str, Any]:
    """The OpenAPI description of the multipart body (read by hand, see `_run`)."""
    flag = {"type": "boolean", "default": False}
    properties = {
        "file": {"type": "string", "format": "binary", "description": "CSV or XLSX"},
        "mapping": {
            "type": "string",
            "description": 'JSON object {"field": "column"}; null leaves a field out',
        },
        "dry_run": {**flag, "description": "report what would happen; save nothing"},
        "partial": {**flag, "description": "save the good rows even if some are refused"},
        "sheet": {"type": "string", "description": "XLSX: the sheet (default: the first)"},
        "encoding": {"type": "string", "description": "CSV: the encoding (default: UTF-8)"},
        **extra,
    }
    schema = {"type": "object", "required": ["file"], "properties": properties}
    return {"requestBody": {"content": {"multipart/form-data": {"schema": schema}}}}


RESPONSES = {200: ImportReportOut, 413: crud.ErrorOut, **crud.ERRORS}
imports = Router(tags=["imports"])


@imports.post(
    "/feedback",
    response=RESPONSES,
    summary="Import feedback notes from a CSV or XLSX file",
    operation_id="import_feedback",
    openapi_extra=_body(
        {
            "default_source": {"type": "string", "default": "other"},
            "create_customers": {"type": "boolean", "default": False},
            "create_contacts": {"type": "boolean", "default": False},
        }
    ),
)
def import_feedback(request: HttpRequest):
    require_import(request.user, "feedback")

    def options() -> dict[str, Any]:  # read once the size is known to be within the limit
        return {
            "default_source": request.POST.get("default_source") or "other",
            "create_customers": _flag(request, "create_customers"),
            "create_contacts": _flag(request, "create_contacts"),
        }

    return _run(request, "feedback", options)


@imports.post(
    "/customers",
    response=RESPONSES,
    summary="Import customers from a CSV or XLSX file",
    operation_id="import_customers",
    openapi_extra=_body({}),
)
def import_customers(request: HttpRequest):
    require_import(request.user, "customers")
    return _run(request, "customers", dict)


ROUTERS = {"/imports": imports}
