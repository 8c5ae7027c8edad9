"""/api/v1/share-links: read-only roadmap links for people without an account.

POST answers the link's address once (`url`); afterwards only its first characters are
shown. PATCH changes the name, view, filters, audience, expiry or password; POST
/{id}/revoke closes it for good; GET /{id}/accesses is its access log.

No `from __future__ import annotations`: ninja reads the signatures.
"""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Field, Query, Router, Schema

from pilothouse.api import crud
from pilothouse.core import permissions
from pilothouse.roadmap import sharing
from pilothouse.roadmap.models import (
    ShareAccessOutcome,
    ShareAudience,
    ShareLink,
    ShareLinkAccess,
    ShareView,
)

router = Router(tags=["roadmap"])


class ShareLinkIn(Schema):
    name: str
    view: ShareView = ShareView.TIMELINE
    audience: ShareAudience = ShareAudience.INTERNAL
    filters: dict[str, Any] = Field(
        {},
        description="product_line, product, objective, initiative, owner, tag (ids), stage",
    )
    expires_at: dt.datetime | None = None
    password: str = Field("", description="Empty for none; at least 8 characters")


class ShareLinkPatch(Schema):
    version: int
    name: str | None = None
    view: ShareView | None = None
    audience: ShareAudience | None = None
    filters: dict[str, Any] | None = None
    expires_at: dt.datetime | None = None
    password: str | None = Field(None, description="Empty removes it; omitted keeps it")


class ShareLinkOut(crud.VersionedOut):
    name: str
    view: ShareView
    audience: ShareAudience
    filters: dict[str, Any]
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None
    token_prefix: str
    has_password: bool
    last_access_at: dt.datetime | None
    access_count: int


class ShareLinkCreatedOut(ShareLinkOut):
    url: str = Field(description="The link's address; shown this once, never stored")


class ShareAccessOut(Schema):
    time: dt.datetime
    outcome: ShareAccessOutcome
    address: str | None
    user_agent: str


@router.get("", response={200: crud.Page[ShareLinkOut], **crud.ERRORS}, summary="List links")
def share_link_list(
    request: HttpRequest,
    active: bool | None = Query(None, description="Only links not revoked (true) or revoked"),
    limit: int = Query(crud.DEFAULT_LIMIT, ge=1, le=crud.MAX_LIMIT),
    offset: int = Query(0, ge=0),
):
    qs = ShareLink.objects.all()
    if active is not None:
        qs = qs.filter(revoked_at__isnull=active)
    return {"items": list(qs[offset : offset + limit]), "count": qs.count()}


@router.post("", response={201: ShareLinkCreatedOut, **crud.ERRORS}, summary="Make a link")
def share_link_create(request: HttpRequest, payload: ShareLinkIn):
    link, token = sharing.share_link_create(actor=request.user, **payload.dict())
    link.url = request.build_absolute_uri(reverse("roadmap:shared", args=[token]))
    return 201, link


@router.get("/{int:pk}", response={200: ShareLinkOut, **crud.ERRORS}, summary="Get a link")
def share_link_get(request: HttpRequest, pk: int):
    return get_object_or_404(ShareLink, pk=pk)


@router.patch("/{int:pk}", response={200: ShareLinkOut, **crud.ERRORS}, summary="Change a link")
def share_link_update(request: HttpRequest, pk: int, payload: ShareLinkPatch):
    fields = payload.dict(exclude_unset=True)
    version = fields.pop("version")
    return sharing.share_link.update(
        actor=request.user,
        instance=get_object_or_404(ShareLink, pk=pk),
        version=version,
        data=fields,
    )


@router.post(
    "/{int:pk}/revoke", response={200: ShareLinkOut, **crud.ERRORS}, summary="Revoke a link"
)
def share_link_revoke(request: HttpRequest, pk: int, version: int | None = None):
    link = get_object_or_404(ShareLink, pk=pk)
    return sharing.share_link_revoke(actor=request.user, instance=link, version=version)


@router.delete("/{int:pk}", response={204: None, **crud.ERRORS}, summary="Delete a link")
def share_link_delete(request: HttpRequest, pk: int, version: int | None = None):
    link = get_object_or_404(ShareLink, pk=pk)
    sharing.share_link.delete(actor=request.user, instance=link, version=version)
    return 204, None


@router.get(
    "/{int:pk}/accesses",
    response={200: crud.Page[ShareAccessOut], **crud.ERRORS},
    summary="A link's access log",
)
def share_link_accesses(
    request: HttpRequest,
    pk: int,
    limit: int = Query(crud.DEFAULT_LIMIT, ge=1, le=crud.MAX_LIMIT),
    offset: int = Query(0, ge=0),
):
    link = get_object_or_404(ShareLink, pk=pk)
    # The log holds visitors' addresses: only those who may change the link read it.
    permissions.require(permissions.can_change(request.user, link))
    qs = ShareLinkAccess.objects.filter(link=link)
    return {"items": list(qs[offset : offset + limit]), "count": qs.count()}


ROUTERS = {"/share-links": router}
