"""File imports over the API: every `POST .../import` endpoint reads its upload and
answers the same way.

A multipart/form-data request with the file in the field `file` and, optionally,
`mapping` (a JSON object {field: column}; a column of null leaves the field out),
`dry_run` and `partial` (true or false), `sheet` (XLSX) and `encoding` (CSV).

Answers: 200 with the report when the import was saved or on a dry run; 422 when nothing
was saved, each refused row an error whose field is `lines.<line>.<field>`; 422 also for
a file that cannot be read (field `file`) or a mapping that does not fit (field
`mapping`); 413 for a file over the upload limit (settings IMPORT_MAX_UPLOAD_BYTES:
larger files go through `pilothouse import`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest
from ninja import Schema

from pilothouse.api import crud
from pilothouse.api.errors import error_body
from pilothouse.core.imports import MappingError
from pilothouse.core.tabular import TableError

TRUE, FALSE = {"true", "1", "yes", "on"}, {"false", "0", "no", "off", ""}
# Room for the multipart envelope around a file that is just within the limit.
ENVELOPE_BYTES = 64 * 1024


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


RESPONSES = {200: ImportReportOut, 413: crud.ErrorOut, **crud.ERRORS}


def max_bytes() -> int:
    return settings.IMPORT_MAX_UPLOAD_BYTES


def _megabytes(size: int) -> str:
    return f"{size / 1_048_576:,.1f} MB" if size >= 1_048_576 else f"{size:,} bytes"


def too_big_message(size: int | None) -> str:
    """Why an upload of `size` bytes (None: unknown) over the limit is refused."""
    what = f"The upload is {_megabytes(size)}" if size else "The upload is too large"
    return (
        f"{what}; the limit is {_megabytes(max_bytes())}. Split the file, or import it on "
        "the server with `pilothouse import`."
    )


def flag(request: HttpRequest, name: str) -> bool:
    """The true/false form field `name` (absent: false); ValidationError naming it."""
    value = request.POST.get(name, "").strip().lower()
    if value in TRUE | FALSE:
        return value in TRUE
    raise ValidationError({name: f"{name} takes true or false, not {value!r}"})


def mapping(request: HttpRequest) -> dict[str, str | None] | None:
    raw = request.POST.get("mapping", "").strip()
    if not raw:
        return None
    try:
        found = json.loads(raw)
    except ValueError:
        found = None
    if not isinstance(found, dict) or not all(
        isinstance(key, str) and (value is None or isinstance(value, str))
        for key, value in found.items()
    ):
        raise ValidationError(
            {"mapping": 'mapping takes a JSON object {"field": "column"} (null leaves a field out)'}
        )
    return found


def _too_big(size: int | None) -> tuple[int, dict]:
    message = too_big_message(size)
    return 413, error_body(message, [{"field": "file", "message": message}])


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


def run_upload(request: HttpRequest, run: Callable[[UploadedFile], Any]):
    """Check the upload's size, call `run(upload)` and turn the import result it gives
    (its `report` and `as_dict()`) into the answer.

    `run` reads the options it needs from the request itself (`flag`, `mapping`): only
    once the upload is known to be within the limit."""
    declared = request.META.get("CONTENT_LENGTH")
    if declared and declared.isdigit() and int(declared) > max_bytes() + ENVELOPE_BYTES:
        return _too_big(int(declared))  # refused before the body is read
    upload = request.FILES.get("file")
    if upload is None:
        message = "upload the file as the multipart/form-data field 'file'"
        return 422, error_body("The request is invalid.", [{"field": "file", "message": message}])
    if upload.size > max_bytes():
        return _too_big(upload.size)
    try:
        result = run(upload)
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


def run_file_import(
    request: HttpRequest,
    importer: Callable[..., Any],
    *,
    sheets: bool = False,
    extra: Callable[[], dict[str, Any]] = dict,
):
    """`run_upload` for an importer that takes the options every file import shares (the
    file, the actor, the mapping, dry run, partial, the encoding, and the sheet when it
    reads XLSX sheets) and those `extra()` gives (read, like the others, once the upload
    is known to be within the limit)."""

    def run(upload: UploadedFile) -> Any:
        options: dict[str, Any] = {
            "source": upload.file,
            "filename": upload.name,
            "actor": request.user,
            "mapping": mapping(request),
            "dry_run": flag(request, "dry_run"),
            "partial": flag(request, "partial"),
            "encoding": request.POST.get("encoding") or None,
        }
        if sheets:
            options["sheet"] = request.POST.get("sheet") or None
        return importer(**options, **extra())

    return run_upload(request, run)


def upload_body(extra: dict[str, Any]) -> dict[str, Any]:
    """The OpenAPI description of the multipart body (read by hand, see `run_upload`)."""
    boolean = {"type": "boolean", "default": False}
    properties = {
        "file": {"type": "string", "format": "binary", "description": "CSV or XLSX"},
        "mapping": {
            "type": "string",
            "description": 'JSON object {"field": "column"}; null leaves a field out',
        },
        "dry_run": {**boolean, "description": "report what would happen; save nothing"},
        "partial": {**boolean, "description": "save the good rows even if some are refused"},
        "sheet": {"type": "string", "description": "XLSX: the sheet (default: the first)"},
        "encoding": {"type": "string", "description": "CSV: the encoding (default: UTF-8)"},
        **extra,
    }
    schema = {"type": "object", "required": ["file"], "properties": properties}
    return {"requestBody": {"content": {"multipart/form-data": {"schema": schema}}}}
