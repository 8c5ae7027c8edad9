"""The messages the portal sends to visitors. Each is sent once the transaction that
asked for it commits (a sign-up that rolls back sends nothing); a mail server that is
down is logged and leaves the visitor a "send again" button, never a failed page."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable

from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from pilothouse.portal import tokens
from pilothouse.portal.models import PortalVisitor

logger = logging.getLogger(__name__)

# Turns a path into an absolute URL on the site the visitor used (the request's
# build_absolute_uri), so links in the messages lead back to it.
Absolute = Callable[[str], str]


def _send(visitor: PortalVisitor, template: str, context: dict) -> bool:
    context = {"visitor": visitor, **context}
    subject = " ".join(render_to_string(f"portal/email/{template}_subject.txt", context).split())
    body = render_to_string(f"portal/email/{template}.txt", context)
    try:
        send_mail(subject, body, None, [visitor.email])
    except (smtplib.SMTPException, OSError):
        logger.exception("Could not send the %s email to visitor %s", template, visitor.pk)
        return False
    return True


def send_confirmation(visitor: PortalVisitor, *, absolute: Absolute) -> bool:
    link = absolute(reverse("portal:confirm", args=[tokens.confirmation_token(visitor)]))
    days = tokens.CONFIRMATION_MAX_AGE.days
    return _send(visitor, "confirm", {"link": link, "days": days})


def send_password_reset(visitor: PortalVisitor, *, absolute: Absolute) -> bool:
    link = absolute(reverse("portal:password_reset", args=[tokens.reset_token(visitor)]))
    minutes = int(tokens.RESET_MAX_AGE.total_seconds() // 60)
    return _send(visitor, "password_reset", {"link": link, "minutes": minutes})


def send_account_exists(visitor: PortalVisitor, *, absolute: Absolute) -> bool:
    """Someone tried to sign up with an address that has an account: tell its owner how
    to get in, rather than telling whoever tried that the address is taken."""
    login = absolute(reverse("portal:login"))
    forgot = absolute(reverse("portal:password_forgot"))
    return _send(visitor, "account_exists", {"login": login, "forgot": forgot})


def after_commit(send: Callable[..., bool], visitor: PortalVisitor, *, absolute: Absolute) -> None:
    transaction.on_commit(lambda: send(visitor, absolute=absolute))
