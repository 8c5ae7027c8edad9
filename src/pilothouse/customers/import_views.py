"""The import page, /customers/import/: feedback notes or customers from a CSV or XLSX
file, in three steps on one URL.

1. Upload the file and say what it holds (the kinds offered are those the user may
   import, by the rule of the API: customers.import_api.may_import).
2. `?step=map`: the file's columns, a select per field of the import pre-filled by the
   automatic mapping (by name and alias), and a dry run with that mapping: what would
   be created, updated, left unchanged or refused, the first refused rows by line and
   column, and the first rows as read. Changing the selects and pressing "Preview"
   runs the dry run again.
3. "Import" runs it for real (all or nothing unless "Keep the good rows") and shows
   the report; when nothing was saved, the mapping step is shown again with the
   refusals.

Between the steps the file is kept on the server, never sent back by the browser: it
is written under settings.DATA_DIR / "uploads" as `import-<random>.upload`, readable
only by the server's user, and its random name lives only in the user's session (the
page never takes a file name or path from the request). It is removed when the import
is saved, when the user starts over or uploads another file, and after an hour:
a session's stale upload is dropped when it is next asked for, and every upload
sweeps away any upload older than an hour.

The import itself is customers.imports.import_file, as for the API and the CLI; the
upload limit is settings.IMPORT_MAX_UPLOAD_BYTES.
"""

from __future__ import annotations

import itertools
import os
import re
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from pilothouse.api.uploads import too_big_message
from pilothouse.core import permissions
from pilothouse.core.imports import FieldSpec, MappingError, RowOutcome, resolve_mapping
from pilothouse.core.tabular import TableError, read_table
from pilothouse.customers.import_api import may_import, require_import
from pilothouse.customers.imports import HANDLERS, ImportResult, import_file
from pilothouse.customers.models import NoteSource

KINDS = {"feedback": "Feedback notes", "customers": "Customers"}
SESSION_KEY = "customers_import"
MAX_AGE = 60 * 60  # seconds an upload is kept
SAMPLE_ROWS = 5
ERRORS_SHOWN = 50
SAMPLE_CELL_CHARS = 80
_TOKEN = re.compile(r"[0-9a-f]{32}")
NOT_IMPORTED = ""


# --- the forms ------------------------------------------------------------------------------


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label="The file holds", widget=forms.RadioSelect)
    file = forms.FileField(
        label="CSV or XLSX file",
        help_text="The first row names the columns. CSV files in UTF-8.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.xlsm,text/csv"}),
    )

    def __init__(self, *args: Any, kinds: Sequence[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(kind, KINDS[kind]) for kind in kinds]
        if len(kinds) == 1:
            self.fields["kind"].initial = kinds[0]

    def clean_file(self) -> UploadedFile:
        upload = self.cleaned_data["file"]
        if upload.size > settings.IMPORT_MAX_UPLOAD_BYTES:
            raise ValidationError(too_big_message(upload.size), code="too_big")
        return upload


def _label(spec: FieldSpec) -> str:
    return spec.name.replace("_", " ").capitalize() + (" (required)" if spec.required else "")


class MappingForm(forms.Form):
    """A select per field of the import (`map_<field>`: a column, or none), then the
    import's options."""

    partial = forms.BooleanField(
        label="Keep the good rows",
        required=False,
        help_text="Save the rows that can be saved even when others are refused. "
        "Without it, nothing is saved if any row is refused.",
    )

    def __init__(
        self,
        *args: Any,
        kind: str,
        fields: Sequence[FieldSpec],
        columns: Sequence[str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.specs = list(fields)
        choices = [(NOT_IMPORTED, "— not imported —"), *((column, column) for column in columns)]
        mapped = {}
        for spec in self.specs:
            mapped[f"map_{spec.name}"] = forms.ChoiceField(
                label=_label(spec), choices=choices, required=False, help_text=spec.help
            )
        self.fields = {**mapped, **self.fields}
        if kind == "feedback":
            self.fields["default_source"] = forms.ChoiceField(
                label="Source of rows without one",
                choices=NoteSource.choices,
                initial=NoteSource.OTHER,
            )
            self.fields["create_customers"] = forms.BooleanField(
                label="Create the customers the file names but Pilothouse does not know",
                required=False,
            )
            self.fields["create_contacts"] = forms.BooleanField(
                label="Create the contacts the file names but Pilothouse does not know",
                required=False,
            )

    def mapping_fields(self) -> list[forms.BoundField]:
        return [self[f"map_{spec.name}"] for spec in self.specs]

    def option_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if not name.startswith("map_")]

    def values(self) -> dict[str, Any]:
        """The form's data once valid, else its initial values."""
        if self.is_bound and self.is_valid():
            return self.cleaned_data
        return {name: self.get_initial_for_field(self.fields[name], name) for name in self.fields}

    def mapping(self) -> dict[str, str | None]:
        values = self.values()
        return {spec.name: values.get(f"map_{spec.name}") or None for spec in self.specs}

    def options(self) -> dict[str, Any]:
        values = self.values()
        return {
            name: values.get(name)
            for name in ("default_source", "create_customers", "create_contacts")
            if name in self.fields
        }

    def partial_import(self) -> bool:
        return bool(self.values().get("partial"))


# --- the uploaded file between the steps ----------------------------------------------------


def upload_dir() -> Path:
    return Path(settings.DATA_DIR) / "uploads"


@dataclass(frozen=True)
class StoredUpload:
    token: str
    kind: str
    filename: str

    @property
    def path(self) -> Path:
        return upload_dir() / f"import-{self.token}.upload"


def sweep_uploads(now: float | None = None) -> None:
    """Remove the uploads older than MAX_AGE, whoever's they were."""
    limit = (now if now is not None else time.time()) - MAX_AGE
    directory = upload_dir()
    if not directory.is_dir():
        return
    for path in directory.glob("import-*.upload"):
        try:
            if path.stat().st_mtime < limit:
                path.unlink(missing_ok=True)
        except OSError:
            continue  # removed meanwhile, or not ours to remove


def _discard(request: HttpRequest) -> None:
    entry = request.session.pop(SESSION_KEY, None)
    if isinstance(entry, dict) and _TOKEN.fullmatch(str(entry.get("token", ""))):
        StoredUpload(entry["token"], "", "").path.unlink(missing_ok=True)


def _store(request: HttpRequest, upload: UploadedFile, kind: str) -> StoredUpload:
    _discard(request)
    sweep_uploads()
    directory = upload_dir()
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    stored = StoredUpload(secrets.token_hex(16), kind, Path(upload.name or "upload").name)
    descriptor = os.open(stored.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    request.session[SESSION_KEY] = {
        "token": stored.token,
        "kind": kind,
        "filename": stored.filename,
        "user": request.user.pk,
        "at": time.time(),
    }
    return stored


def _stored(request: HttpRequest) -> StoredUpload | None:
    """The session's upload, if it is still there, the user's and under an hour old."""
    entry = request.session.get(SESSION_KEY)
    if not isinstance(entry, dict):
        return None
    fresh = isinstance(entry.get("at"), int | float) and time.time() - entry["at"] < MAX_AGE
    if (
        not fresh
        or entry.get("user") != request.user.pk
        or entry.get("kind") not in KINDS
        or not _TOKEN.fullmatch(str(entry.get("token", "")))
    ):
        _discard(request)
        return None
    stored = StoredUpload(entry["token"], entry["kind"], str(entry.get("filename", "")))
    if not stored.path.is_file():
        request.session.pop(SESSION_KEY, None)
        return None
    return stored


# --- reading and running --------------------------------------------------------------------


def _guess(columns: Sequence[str], fields: Sequence[FieldSpec]) -> dict[str, str]:
    """The automatic mapping; where it does not fit as a whole (a required field without a
    column, an ambiguity), each field's own match, for the user to settle."""
    try:
        return resolve_mapping(columns=columns, fields=fields)
    except MappingError:
        guess: dict[str, str] = {}
        for spec in fields:
            try:
                guess.update(
                    resolve_mapping(columns=columns, fields=[replace(spec, required=False)])
                )
            except MappingError:
                continue
        return guess


@dataclass
class Sample:
    columns: list[str]
    rows: list[tuple[int, list[Any]]]  # (line, the cells in the order of the columns)


def _sample(stored: StoredUpload) -> Sample:
    with (
        stored.path.open("rb") as source,
        read_table(source=source, filename=stored.filename) as table,
    ):
        columns = list(table.columns)
        rows = [
            (row.line, [row.values.get(column) for column in columns])
            for row in itertools.islice(table.rows(), SAMPLE_ROWS)
        ]
    return Sample(columns, rows)


def _run(request: HttpRequest, stored: StoredUpload, form: MappingForm, *, dry_run: bool):
    """The import's result, or (None, the messages saying why it could not run)."""
    with stored.path.open("rb") as source:
        try:
            result = import_file(
                kind=stored.kind,
                source=source,
                filename=stored.filename,
                actor=request.user,
                mapping=form.mapping(),
                dry_run=dry_run,
                partial=form.partial_import(),
                options=form.options(),
            )
        except MappingError as exc:
            return None, list(exc.problems)
        except ValidationError as exc:  # the file (TableError) or an option
            return None, [str(exc) if isinstance(exc, TableError) else m for m in exc.messages]
    return result, []


def _tiles(result: ImportResult, *, dry_run: bool) -> list[tuple[str, int]]:
    counts = result.report.counts
    names = (
        {"created": "Would create", "updated": "Would update", "unchanged": "Unchanged"}
        if dry_run
        else {"created": "Created", "updated": "Updated", "unchanged": "Unchanged"}
    )
    tiles = [(label, counts.get(RowOutcome(outcome), 0)) for outcome, label in names.items()]
    if counts.get(RowOutcome.SKIPPED):
        tiles.append(("Skipped", counts[RowOutcome.SKIPPED]))
    tiles.append(("Would fail" if dry_run else "Refused", result.report.failed))
    return tiles


def _context(result: ImportResult | None, *, dry_run: bool) -> dict[str, Any]:
    if result is None:
        return {"result": None}
    report = result.report
    return {
        "result": result,
        "report": report,
        "tiles": _tiles(result, dry_run=dry_run),
        "errors": report.errors[:ERRORS_SHOWN],
        "more_errors": max(report.error_count - ERRORS_SHOWN, 0),
    }


# --- the page -------------------------------------------------------------------------------


def _kinds(request: HttpRequest) -> list[str]:
    return [kind for kind in KINDS if may_import(request.user, kind)]


def _step_url() -> str:
    return reverse("customers:import") + "?step=map"


def _upload_page(request: HttpRequest, form: UploadForm, status: int = 200) -> HttpResponse:
    context = {
        "form": form,
        "limit": settings.IMPORT_MAX_UPLOAD_BYTES,
        "stored": _stored(request),
    }
    return render(request, "customers/import.html", context, status=status)


def _mapping_page(
    request: HttpRequest,
    stored: StoredUpload,
    data: Any = None,
    *,
    refused: ImportResult | None = None,
    problems: Sequence[str] = (),
    status: int = 200,
) -> HttpResponse:
    """Step 2: the mapping form and a dry run with its mapping (or, after an import that
    saved nothing, that import's report)."""
    base = {"stored": stored, "kind_label": KINDS[stored.kind]}
    try:
        sample = _sample(stored)
    except TableError as exc:
        context = {**base, "file_error": str(exc), "form": None}
        return render(request, "customers/import_preview.html", context, status=422)
    fields = HANDLERS[stored.kind].fields
    guess = _guess(sample.columns, fields)
    initial = {f"map_{spec.name}": guess.get(spec.name, NOT_IMPORTED) for spec in fields}
    form = MappingForm(
        data, kind=stored.kind, fields=fields, columns=sample.columns, initial=initial
    )
    problems = list(problems)
    if refused is not None:
        result, dry_run = refused, False
    elif form.is_bound and not form.is_valid():
        result, dry_run = None, True
    else:
        dry_run = True
        result, found = _run(request, stored, form, dry_run=True)
        problems += found
    context = {
        **base,
        **_context(result, dry_run=dry_run),
        "form": form,
        "sample": sample,
        "problems": problems,
        "dry_run": dry_run,
        "cell_chars": SAMPLE_CELL_CHARS,
    }
    return render(request, "customers/import_preview.html", context, status=status)


def _upload(request: HttpRequest, kinds: list[str]) -> HttpResponse:
    form = UploadForm(request.POST, request.FILES, kinds=kinds)
    kind = request.POST.get("kind")
    if kind in KINDS and kind not in kinds:
        require_import(request.user, kind)  # refused: says why
    if not form.is_valid():
        too_big = any(e.code == "too_big" for e in form.errors.as_data().get("file", []))
        return _upload_page(request, form, status=413 if too_big else 200)
    _store(request, form.cleaned_data["file"], form.cleaned_data["kind"])
    return redirect(_step_url())


def _import(request: HttpRequest, stored: StoredUpload) -> HttpResponse:
    fields = HANDLERS[stored.kind].fields
    try:
        columns = _sample(stored).columns
    except TableError:
        return _mapping_page(request, stored, request.POST)
    form = MappingForm(request.POST, kind=stored.kind, fields=fields, columns=columns)
    if not form.is_valid():
        return _mapping_page(request, stored, request.POST)
    result, problems = _run(request, stored, form, dry_run=False)
    if result is None:
        return _mapping_page(request, stored, request.POST, problems=problems, status=422)
    if not result.report.committed:
        return _mapping_page(request, stored, request.POST, refused=result, status=422)
    _discard(request)
    context = {
        **_context(result, dry_run=False),
        "stored": stored,
        "kind_label": KINDS[stored.kind],
        "list_url": reverse(
            "customers:inbox" if stored.kind == "feedback" else "customers:customer_list"
        ),
    }
    return render(request, "customers/import_report.html", context)


def import_page(request: HttpRequest) -> HttpResponse:
    kinds = _kinds(request)
    permissions.require(bool(kinds), "You may not import files.")
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "upload":
            return _upload(request, kinds)
        if action == "restart":
            _discard(request)
            return redirect("customers:import")
        stored = _stored(request)
        if stored is None:
            messages.warning(
                request,
                "The uploaded file is no longer kept (uploads last an hour); upload it again.",
            )
            return redirect("customers:import")
        require_import(request.user, stored.kind)
        if action == "import":
            return _import(request, stored)
        return _mapping_page(request, stored, request.POST)
    if request.GET.get("step") == "map":
        stored = _stored(request)
        if stored is None:
            return redirect("customers:import")
        require_import(request.user, stored.kind)
        return _mapping_page(request, stored)
    return _upload_page(request, UploadForm(kinds=kinds))
