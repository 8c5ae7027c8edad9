"""The signed tokens in the links the portal emails to visitors.

- Address confirmation: the visitor's id and email address, signed with a timestamp;
  valid for CONFIRMATION_MAX_AGE, and only for the address it was sent to.
- Password reset: the visitor's id and a digest of their password hash, last log-in and
  email address, signed with a timestamp; valid for RESET_MAX_AGE and only once, since
  setting the new password (or signing in) changes what the digest covers; the pattern
  of Django's PasswordResetTokenGenerator, with the portal's own expiry.
"""

from __future__ import annotations

import datetime as dt

from django.core import signing
from django.utils.crypto import constant_time_compare, salted_hmac

from pilothouse.portal.errors import InvalidLink
from pilothouse.portal.models import PortalVisitor

CONFIRMATION_SALT = "pilothouse.portal.confirm-email"
CONFIRMATION_MAX_AGE = dt.timedelta(days=3)
RESET_SALT = "pilothouse.portal.password-reset"
RESET_MAX_AGE = dt.timedelta(hours=1)

NOT_VALID = "This link is not valid. Copy the whole link from the email, or ask for a new one."


def _load(token: str, *, salt: str, max_age: dt.timedelta, expired: str) -> dict:
    try:
        payload = signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise InvalidLink(expired, expired=True) from exc
    except signing.BadSignature as exc:
        raise InvalidLink(NOT_VALID) from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("v"), int):
        raise InvalidLink(NOT_VALID)
    return payload


# --- address confirmation ----------------------------------------------------------


def confirmation_token(visitor: PortalVisitor) -> str:
    return signing.dumps({"v": visitor.pk, "e": visitor.email}, salt=CONFIRMATION_SALT)


def confirmation_visitor(token: str) -> PortalVisitor:
    """The visitor whose address the token confirms; InvalidLink if it is forged,
    expired, or for an address the visitor no longer has."""
    payload = _load(
        token,
        salt=CONFIRMATION_SALT,
        max_age=CONFIRMATION_MAX_AGE,
        expired="This confirmation link has expired. Sign in and ask for a new one.",
    )
    visitor = PortalVisitor.objects.filter(pk=payload["v"], is_active=True).first()
    if visitor is None or not constant_time_compare(str(payload.get("e")), visitor.email):
        raise InvalidLink(NOT_VALID)
    return visitor


# --- password reset ----------------------------------------------------------------


def _state_digest(visitor: PortalVisitor) -> str:
    last_login = (
        visitor.last_login.replace(microsecond=0, tzinfo=None) if visitor.last_login else ""
    )
    state = f"{visitor.pk}|{visitor.password}|{last_login}|{visitor.email}"
    return salted_hmac(RESET_SALT, state, algorithm="sha256").hexdigest()[:32]


def reset_token(visitor: PortalVisitor) -> str:
    return signing.dumps({"v": visitor.pk, "s": _state_digest(visitor)}, salt=RESET_SALT)


def reset_visitor(token: str, *, for_update: bool = False) -> PortalVisitor:
    """The visitor whose password the token may reset; InvalidLink if it is forged,
    expired or used already. `for_update` locks the visitor's row (inside a transaction),
    so that two submissions of one link cannot both pass."""
    payload = _load(
        token,
        salt=RESET_SALT,
        max_age=RESET_MAX_AGE,
        expired="This password reset link has expired. Ask for a new one.",
    )
    visitors = PortalVisitor.objects.filter(pk=payload["v"], is_active=True)
    visitor = (visitors.select_for_update() if for_update else visitors).first()
    if visitor is None or not constant_time_compare(str(payload.get("s")), _state_digest(visitor)):
        raise InvalidLink(
            "This password reset link has been used already or is no longer valid. "
            "Ask for a new one."
        )
    return visitor
