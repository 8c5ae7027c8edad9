"""Visitors' accounts: sign-up, log-in, address confirmation and password reset.

A visitor's session holds their id and `session_hash` (a digest of their password hash),
so that a new password signs out every other session, as Django does for staff.
"""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from pilothouse.portal import emails, tokens
from pilothouse.portal.limits import take_slot
from pilothouse.portal.models import PortalAction, PortalActionKind, PortalVisitor


def session_hash(visitor: PortalVisitor) -> str:
    return salted_hmac(
        "pilothouse.portal.session", visitor.password, algorithm="sha256"
    ).hexdigest()


def visitor_signup(
    *, email: str, name: str, password: str, ip: str | None, absolute: emails.Absolute
) -> None:
    """Create the visitor and email them a link to confirm their address; opening it
    signs them in.

    The answer never tells whether the address was taken: then nothing is created and the
    address's owner gets a message saying how to sign in or reset the password instead.
    The attempt takes its slot (per client address and per email address) in a
    transaction of its own, so that refused attempts count too."""
    email = (email or "").strip().lower()
    with transaction.atomic():
        take_slot(PortalActionKind.SIGNUP, ip=ip, email=email)
    with transaction.atomic():
        existing = PortalVisitor.objects.filter(email__iexact=email).first()
        hashed = make_password(password)  # on both paths, so both take as long
        if existing is not None:
            if existing.is_active:
                emails.after_commit(emails.send_account_exists, existing, absolute=absolute)
            return
        visitor = PortalVisitor(email=email, name=(name or "").strip())
        visitor.password = hashed
        visitor.full_clean()
        visitor.save()
        emails.after_commit(emails.send_confirmation, visitor, absolute=absolute)


def visitor_authenticate(*, email: str, password: str, ip: str | None) -> PortalVisitor | None:
    """The active visitor with this email and password, or None.

    Every attempt takes a slot of the failed log-ins of the address first, so concurrent
    guesses cannot slip past the limit; a successful one gives it back. The password is
    checked outside the transaction, which stays short."""
    with transaction.atomic():
        attempt = take_slot(PortalActionKind.LOGIN_FAILED, ip=ip)
    visitor = PortalVisitor.objects.filter(email__iexact=(email or "").strip()).first()
    if visitor is None or not visitor.is_active or not check_password(password, visitor.password):
        if visitor is None:
            make_password(password)  # take as long as a real check
        return None
    PortalAction.objects.filter(pk=attempt.pk).delete()
    visitor.last_login = timezone.now()
    PortalVisitor.objects.filter(pk=visitor.pk).update(last_login=visitor.last_login)
    return visitor


# --- address confirmation ----------------------------------------------------------


def confirmation_resend(
    *, visitor: PortalVisitor, ip: str | None, absolute: emails.Absolute
) -> bool:
    """Email a new confirmation link; False (nothing sent) if the address is confirmed."""
    if visitor.email_confirmed:
        return False
    with transaction.atomic():
        take_slot(PortalActionKind.CONFIRMATION_EMAIL, visitor=visitor, ip=ip)
        emails.after_commit(emails.send_confirmation, visitor, absolute=absolute)
    return True


def email_confirm(*, token: str) -> tuple[PortalVisitor, bool]:
    """Mark the address the token was sent to as confirmed, once, and answer the visitor
    and whether this opening confirmed it (the one that may sign them in; opening the
    link again changes nothing). InvalidLink if the token is forged, expired or stale."""
    visitor = tokens.confirmation_visitor(token)
    if visitor.email_confirmed:
        return visitor, False
    confirmed_at = timezone.now()
    first = PortalVisitor.objects.filter(pk=visitor.pk, email_confirmed_at__isnull=True).update(
        email_confirmed_at=confirmed_at
    )
    visitor.email_confirmed_at = confirmed_at
    return visitor, bool(first)


# --- password reset ----------------------------------------------------------------


def password_reset_request(*, email: str, ip: str | None, absolute: emails.Absolute) -> None:
    """Email a reset link if an active visitor has this address. Answers the same either
    way; the limits count per client address and per email address, whether or not
    anyone signed up with it, so that a refusal tells nothing either."""
    email = (email or "").strip()
    with transaction.atomic():
        take_slot(PortalActionKind.PASSWORD_RESET, ip=ip, email=email)
        visitor = PortalVisitor.objects.filter(email__iexact=email, is_active=True).first()
        if visitor is not None:
            emails.after_commit(emails.send_password_reset, visitor, absolute=absolute)


def password_reset_complete(*, token: str, password: str) -> PortalVisitor:
    """Set the new password of the visitor the token is for, and answer them (to sign
    in). The link proves they read mail at the address, so it also confirms it.
    InvalidLink if the token cannot be used; ValidationError naming `password` if
    Django's password validators refuse it; in both cases nothing changes."""
    with transaction.atomic():
        visitor = tokens.reset_visitor(token, for_update=True)
        try:
            password_validation.validate_password(password, user=visitor)
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from exc
        now = timezone.now()
        visitor.password = make_password(password)
        visitor.last_login = now
        visitor.email_confirmed_at = visitor.email_confirmed_at or now
        visitor.save(update_fields=["password", "last_login", "email_confirmed_at"])
    return visitor
