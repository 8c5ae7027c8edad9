"""POST /api/v1/people/import: people from an HR export (CSV or XLSX).

The upload, its options (`mapping`, `dry_run`, `partial`, `sheet`, `encoding`) and the
answers are those of every import (api/uploads.py); fields not named in `mapping` are
matched to columns by name and alias. See people/imports.py for the fields and rules.
Only product leaders and admins import people (403 for the others, before the file is
read). The import runs as the caller.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from pilothouse.api.uploads import RESPONSES, run_file_import, upload_body
from pilothouse.core import permissions
from pilothouse.people.imports import NOT_ALLOWED, import_people, may_import

imports = Router(tags=["people"])


@imports.post(
    "/import",
    response=RESPONSES,
    summary="Import people from an HR export (CSV or XLSX), matched by email",
    operation_id="people_import",
    openapi_extra=upload_body({}),
)
def people_import(request: HttpRequest):
    permissions.require(may_import(request.user), NOT_ALLOWED)
    return run_file_import(request, import_people, sheets=True)


ROUTERS: dict[str, Router] = {"/people": imports}
