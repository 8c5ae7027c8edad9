"""Rate limits of the portal: at most so many actions of each kind per visitor, per
client address and (for password resets) per email address, in a sliding hour.

`take_slot` counts and records in one step. Two requests arriving together must not both
see the last free slot, so it first takes a lock per visitor, address and email address
(core.locks: an advisory lock on PostgreSQL; on SQLite write transactions already run
one at a time, IMMEDIATE) and holds it until the caller's transaction ends. The action
is recorded in that same transaction, so a request that fails later (a validation
error, say) gives its slot back with everything else it wrote.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from pilothouse.core import locks
from pilothouse.portal.errors import RateLimited
from pilothouse.portal.models import PortalAction, PortalActionKind, PortalVisitor

WINDOW = dt.timedelta(hours=1)
KEEP_ACTIONS = dt.timedelta(days=1)
PRUNE_BATCH = 1_000
# At most this many of each action per visitor, per client address and per email
# address (where those apply), in an hour.
LIMITS: dict[str, int] = {
    PortalActionKind.SIGNUP: 5,
    PortalActionKind.LOGIN_FAILED: 10,
    PortalActionKind.VOTE: 30,
    PortalActionKind.COMMENT: 10,
    PortalActionKind.IDEA: 5,
    PortalActionKind.CONFIRMATION_EMAIL: 3,
    PortalActionKind.PASSWORD_RESET: 5,
}
NOUNS = {
    PortalActionKind.SIGNUP: "sign-ups",
    PortalActionKind.LOGIN_FAILED: "failed log-ins",
    PortalActionKind.VOTE: "votes",
    PortalActionKind.COMMENT: "comments",
    PortalActionKind.IDEA: "ideas",
    PortalActionKind.CONFIRMATION_EMAIL: "confirmation emails",
    PortalActionKind.PASSWORD_RESET: "password reset requests",
}


def email_digest(email: str) -> str:
    """A keyed digest of an email address: what the action table keeps instead of it."""
    normalized = (email or "").strip().lower()
    return salted_hmac("pilothouse.portal.limits", normalized, algorithm="sha256").hexdigest()


def take_slot(
    kind: str,
    *,
    visitor: PortalVisitor | None = None,
    ip: str | None = None,
    email: str | None = None,
) -> PortalAction:
    """Refuse with RateLimited if the visitor, the address or the email address already
    did `kind` as often as allowed in the last hour; else record one more and return it.

    Call inside a transaction.atomic block: the locks and the record belong to it.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("take_slot must run inside a transaction")
    digest = email_digest(email) if email else ""
    scopes = []
    if visitor is not None:
        scopes.append((f"visitor:{visitor.pk}", {"visitor": visitor}))
    if ip:
        scopes.append((f"ip:{ip}", {"ip": ip}))
    if digest:
        scopes.append((f"email:{digest}", {"email_digest": digest}))
    # Always in the same order, so that two transactions never wait for each other.
    for name, _filters in sorted(scopes, key=lambda scope: scope[0]):
        locks.serialize(f"portal-limit:{kind}:{name}")
    now = timezone.now()
    recent = PortalAction.objects.filter(kind=kind, created_at__gte=now - WINDOW)
    for _name, filters in scopes:
        if recent.filter(**filters).count() >= LIMITS[kind]:
            raise RateLimited(
                kind,
                f"Too many {NOUNS[kind]} in the last hour (at most {LIMITS[kind]}). "
                "Please try again later.",
            )
    _forget_old_actions(now)
    return PortalAction.objects.create(
        kind=kind, visitor=visitor, ip=ip or None, email_digest=digest, created_at=now
    )


def _forget_old_actions(now: dt.datetime) -> None:
    """Delete actions older than a day, a batch at a time. Rows another transaction is
    deleting are skipped rather than waited for: two requests pruning together must not
    deadlock on each other's rows."""
    stale = (
        PortalAction.objects.filter(created_at__lt=now - KEEP_ACTIONS)
        .select_for_update(skip_locked=True)
        .values_list("pk", flat=True)[:PRUNE_BATCH]
    )
    ids = list(stale)
    if ids:
        PortalAction.objects.filter(pk__in=ids).delete()
