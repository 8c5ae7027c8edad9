"""API tokens: created once (the secret is shown once), stored as a digest, revocable."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from pilothouse.core.models import ApiToken, User

TOKEN_PREFIX = "ph_"
# Writing last_used_at on every request would turn each read into a write.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def digest(secret: str) -> str:
    # The secret is 256 random bits, so a fast hash is enough (no brute-forcing).
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def token_create(*, user: User, name: str = "") -> tuple[ApiToken, str]:
    """Create a token for `user`; returns it and the secret, which is never stored."""
    name = (name or "api").strip()
    if len(name) > 100:
        raise ValueError("name: at most 100 characters")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=secret[: len(TOKEN_PREFIX) + 6], digest=digest(secret)
    )
    return token, secret


def token_revoke(*, token: ApiToken) -> ApiToken:
    with transaction.atomic():
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
    return token


def token_authenticate(secret: str) -> User | None:
    """The active user behind a bearer secret, or None."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=digest(secret), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
