"""The import page, /people/import/: people from an HR export (CSV or XLSX).

One form: the file, the column of each field (empty: found by name or alias), "Preview
only" (on by default: a dry run reporting what would be created, updated, left
unchanged or refused, row by row) and "Keep the good rows". The import itself is
people.imports.import_people, as for the API; only product leaders and admins see the
page.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from pilothouse.api.uploads import too_big_message
from pilothouse.core import permissions
from pilothouse.core.imports import import_upload
from pilothouse.people.imports import NOT_ALLOWED, PEOPLE_FIELDS, import_people, may_import

ERRORS_SHOWN = 100


class PeopleImportForm(forms.Form):
    file = forms.FileField(
        label="CSV or XLSX file",
        help_text="One row per person; the first row names the columns. CSV files in UTF-8.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.xlsm,text/csv"}),
    )
    dry_run = forms.BooleanField(
        label="Preview only",
        required=False,
        initial=True,
        help_text="Check the file and show what would change; save nothing.",
    )
    partial = forms.BooleanField(
        label="Keep the good rows",
        required=False,
        help_text="Save the rows that can be saved even when others are refused. Without "
        "it, nothing is saved if any row is refused.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for spec in PEOPLE_FIELDS:
            aliases = f" (or {', '.join(spec.aliases[:3])})" if spec.aliases else ""
            self.fields[f"map_{spec.name}"] = forms.CharField(
                label=f"Column of “{spec.name}”" + (" (required)" if spec.required else ""),
                required=False,
                max_length=200,
                help_text=" ".join(filter(None, [spec.help, f"Empty: found by name{aliases}."])),
            )

    def clean_file(self) -> UploadedFile:
        upload = self.cleaned_data["file"]
        if upload.size > settings.IMPORT_MAX_UPLOAD_BYTES:
            raise ValidationError(too_big_message(upload.size), code="too_big")
        return upload

    def mapping_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith("map_")]

    def option_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if not name.startswith("map_")]

    def mapping(self) -> dict[str, str] | None:
        given = {
            spec.name: column
            for spec in PEOPLE_FIELDS
            if (column := self.cleaned_data.get(f"map_{spec.name}"))
        }
        return given or None


def import_page(request: HttpRequest) -> HttpResponse:
    """GET: the form. POST: run the import (or its preview) and show the report; 422 when
    nothing could be saved, 413 for a file over the upload limit."""
    permissions.require(may_import(request.user), NOT_ALLOWED)
    result = None
    problem = None
    status = 200
    if request.method == "POST":
        form = PeopleImportForm(request.POST, request.FILES)
        if form.is_valid():
            result, problem = import_upload(import_people, form=form, actor=request.user)
            refused = result is not None and not result.report.committed
            if problem or (refused and not (result.report.dry_run and not result.report.fatal)):
                status = 422
        elif any(e.code == "too_big" for e in form.errors.as_data().get("file", [])):
            status = 413
    else:
        form = PeopleImportForm()
    context = {
        "form": form,
        "result": result,
        "problem": problem,
        "errors": result.report.errors[:ERRORS_SHOWN] if result else [],
        "mapping_given": any(request.POST.get(f"map_{spec.name}") for spec in PEOPLE_FIELDS),
    }
    return render(request, "people/import_people.html", context, status=status)
