"""/api/v1/changes: the change log, read-only. Records of private records (assessments,
growth plans, one-to-ones) are listed only to product leaders and admins, and those of
people hidden from the caller (a private person) are left out (core.selectors.
visible_records); secret fields (a person's cost) never enter the log at all."""

import datetime

from django.http import HttpRequest
from ninja import Query, Router, Schema

from pilothouse.api.crud import DEFAULT_LIMIT, ERRORS, MAX_LIMIT, Page
from pilothouse.core import selectors
from pilothouse.core.models import ChangeAction


class ChangeOut(Schema):
    id: int
    time: datetime.datetime
    actor: str | None
    action: ChangeAction
    object_type: str
    object_id: int
    object_repr: str
    before: dict
    after: dict

    @staticmethod
    def resolve_actor(obj) -> str | None:
        return obj.actor.username if obj.actor_id else None

    @staticmethod
    def resolve_object_type(obj) -> str:
        return obj.content_type.model


router = Router(tags=["changes"])


@router.get("", response={200: Page[ChangeOut], **ERRORS}, summary="List recent changes")
def list_changes(
    request: HttpRequest,
    object_type: str | None = Query(None, description="Model name, e.g. feature"),
    object_id: int | None = None,
    actor: str | None = Query(None, description="Username"),
    action: ChangeAction | None = None,
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
    offset: int = Query(0, ge=0),
):
    qs = selectors.change_list(
        viewer=request.user, model=object_type, object_id=object_id, actor=actor, action=action
    )
    return {"items": list(qs[offset : offset + limit]), "count": qs.count()}
