"""POST /api/v1/teams/{id}/work-items/import: a team's completed work items from a CSV
or XLSX file (see delivery/imports.py for the fields and the re-import rules).

The upload, its options and the answers are those of every import (api/uploads.py);
403 for those who may not add the team's work items.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router

from pilothouse.api.uploads import (
    RESPONSES,
    run_file_import,
    upload_body,
)
from pilothouse.core import permissions
from pilothouse.delivery.imports import import_work_items
from pilothouse.delivery.models import Team, WorkItem

router = Router(tags=["delivery"])


@router.post(
    "/{int:pk}/work-items/import",
    response=RESPONSES,
    summary="Import a team's completed work items from a CSV or XLSX file",
    operation_id="team_work_items_import",
    openapi_extra=upload_body({}),
)
def work_items_import(request: HttpRequest, pk: int):
    team = get_object_or_404(Team, pk=pk)
    permissions.require(
        permissions.can_create(request.user, parent=team, model=WorkItem),
        "You may not add this team's work items.",
    )

    return run_file_import(request, import_work_items, extra=lambda: {"team": team})
