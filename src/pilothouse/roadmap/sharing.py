"""Share links: a read-only roadmap for people without an account.

The token is 256 random bits shown once; only its digest is stored (core.tokens.digest),
so the database alone does not open a link. A link may have an expiry and a password
(hashed like a user's), and can be revoked. Every visit is logged with its outcome, and
wrong passwords are limited per link and client address.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from pilothouse.core.models import User
from pilothouse.core.tokens import digest
from pilothouse.core.writes import ModelWrites
from pilothouse.roadmap.filters import RoadmapFilters
from pilothouse.roadmap.models import (
    ShareAccessOutcome,
    ShareAudience,
    ShareLink,
    ShareLinkAccess,
    ShareView,
)

TOKEN_BYTES = 32
MIN_PASSWORD = 8
WRONG_PASSWORD_WINDOW = dt.timedelta(minutes=15)
WRONG_PASSWORD_LIMIT = 10


class ShareLinkWrites(ModelWrites):
    def prepare(self, instance: ShareLink | None, data: dict[str, Any]) -> dict[str, Any]:
        if "filters" in data:
            data["filters"] = RoadmapFilters.parse(data["filters"] or {}).to_json()
        if "password" in data:
            password = data.pop("password")
            if password is not None:  # None: keep; "": remove; text: set
                if password and len(password) < MIN_PASSWORD:
                    raise ValidationError(
                        {"password": f"Use at least {MIN_PASSWORD} characters, or none."}
                    )
                data["password_hash"] = make_password(password) if password else ""
        expires = data.get("expires_at")
        if expires is not None and instance is None and expires <= timezone.now():
            raise ValidationError({"expires_at": "The expiry is in the past."})
        return data


share_link = ShareLinkWrites(ShareLink)


def share_link_create(
    *,
    actor: User | None,
    name: str,
    view: str = ShareView.TIMELINE,
    audience: str = ShareAudience.INTERNAL,
    filters: dict[str, Any] | None = None,
    expires_at: dt.datetime | None = None,
    password: str = "",
) -> tuple[ShareLink, str]:
    """Make a link; answers it and its token, which is not stored and is shown once."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    link = share_link.create(
        actor=actor,
        data={
            "name": (name or "").strip(),
            "view": view,
            "audience": audience,
            "filters": filters or {},
            "expires_at": expires_at,
            "password": password or "",
            "token_prefix": token[:8],
            "token_digest": digest(token),
        },
    )
    return link, token


def share_link_revoke(*, actor: User | None, instance: ShareLink, version: int | None) -> ShareLink:
    if instance.revoked_at is not None:
        return instance
    return share_link.update(
        actor=actor, instance=instance, version=version, data={"revoked_at": timezone.now()}
    )


class ShareClosed(Exception):
    """The link exists but may not be shown: revoked, expired, or too many wrong passwords."""


@dataclass(frozen=True)
class ShareVisit:
    link: ShareLink
    outcome: str

    @property
    def shown(self) -> bool:
        return self.outcome == ShareAccessOutcome.SHOWN


def share_link_find(token: str) -> ShareLink | None:
    if not token or len(token) > 100:
        return None
    return ShareLink.objects.filter(token_digest=digest(token)).first()


def share_link_visit(
    *,
    link: ShareLink,
    password: str | None,
    unlocked: bool,
    address: str | None,
    user_agent: str = "",
) -> ShareVisit:
    """Decide whether a visit may see the roadmap, and log it.

    `unlocked`: the visitor's session already passed this link's password. Raises
    `ShareClosed` (after logging) when the link is revoked or expired or the address
    tried too many wrong passwords.
    """
    now = timezone.now()

    def log(outcome: str) -> ShareVisit:
        with transaction.atomic():
            ShareLinkAccess.objects.create(
                link=link, outcome=outcome, address=address, user_agent=user_agent[:200]
            )
            if outcome == ShareAccessOutcome.SHOWN:
                ShareLink.objects.filter(pk=link.pk).update(
                    last_access_at=now, access_count=F("access_count") + 1
                )
        return ShareVisit(link=link, outcome=outcome)

    if link.revoked_at is not None:
        log(ShareAccessOutcome.REVOKED)
        raise ShareClosed("This link was revoked by its owner.")
    if link.expires_at is not None and link.expires_at <= now:
        log(ShareAccessOutcome.EXPIRED)
        raise ShareClosed(f"This link expired on {timezone.localtime(link.expires_at):%Y-%m-%d}.")
    if not link.has_password or unlocked:
        return log(ShareAccessOutcome.SHOWN)
    if password is None:
        return log(ShareAccessOutcome.PASSWORD_ASKED)
    recent_failures = ShareLinkAccess.objects.filter(
        link=link,
        address=address,
        outcome=ShareAccessOutcome.WRONG_PASSWORD,
        time__gte=now - WRONG_PASSWORD_WINDOW,
    ).count()
    if recent_failures >= WRONG_PASSWORD_LIMIT:
        raise ShareClosed("Too many wrong passwords. Please try again in a few minutes.")
    if check_password(password, link.password_hash):
        return log(ShareAccessOutcome.SHOWN)
    return log(ShareAccessOutcome.WRONG_PASSWORD)
