"""/api/v1 endpoints for importing files: POST /imports/feedback and /imports/customers.

The upload, its options and the answers are those of every import (api/uploads.py);
fields not named in `mapping` are matched to columns by name and alias. Feedback also
takes `default_source`, `create_customers` and `create_contacts`. See
customers/imports.py for the fields. 403 for those who may not create what the file
holds.

Who may import: feedback, whoever may create notes (contributors, product managers,
product leaders, admins; contributors without the triage fields kind and state, feature
links or new customers and contacts, which the rows then refuse); customers, product
managers, product leaders and admins. The import runs as the caller.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from pilothouse.api.uploads import (
    RESPONSES,
    flag,
    run_file_import,
    upload_body,
)
from pilothouse.core import permissions
from pilothouse.customers.imports import import_file
from pilothouse.customers.models import Customer, Note

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


def _run(request: HttpRequest, kind: str, options):
    return run_file_import(
        request, import_file, sheets=True, extra=lambda: {"kind": kind, "options": options()}
    )


imports = Router(tags=["imports"])


@imports.post(
    "/feedback",
    response=RESPONSES,
    summary="Import feedback notes from a CSV or XLSX file",
    operation_id="import_feedback",
    openapi_extra=upload_body(
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
            "create_customers": flag(request, "create_customers"),
            "create_contacts": flag(request, "create_contacts"),
        }

    return _run(request, "feedback", options)


@imports.post(
    "/customers",
    response=RESPONSES,
    summary="Import customers from a CSV or XLSX file",
    operation_id="import_customers",
    openapi_extra=upload_body({}),
)
def import_customers(request: HttpRequest):
    require_import(request.user, "customers")
    return _run(request, "customers", dict)


ROUTERS = {"/imports": imports}
