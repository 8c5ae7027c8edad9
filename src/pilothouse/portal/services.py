"""Every write of the portal.

Staff side: `portal_product_set` and `portal_feature_set` go through core.writes
(permission-checked, validated, change-logged): the product's stewards, product leaders
and admins switch a portal on and mark features public.

Visitor side: signing up, votes, comments and ideas. Each is refused with `RateLimited`
(nothing written) when the visitor or their address did too many of them in the last
hour, and each vote, comment and idea also arrives in the inbox as a note with source
"portal", written by the system (actor None) through customers.services.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from pilothouse.core.models import User
from pilothouse.core.writes import ModelWrites
from pilothouse.customers import services as customer_services
from pilothouse.customers.models import Contact, Note, NoteSource
from pilothouse.portal.models import (
    PortalAction,
    PortalActionKind,
    PortalComment,
    PortalFeature,
    PortalIdea,
    PortalProduct,
    PortalVisitor,
    PortalVote,
)
from pilothouse.portfolio.models import Product
from pilothouse.roadmap.models import Feature

WINDOW = dt.timedelta(hours=1)
KEEP_ACTIONS = dt.timedelta(days=1)
# At most this many of each action per visitor, and per client address, in an hour.
LIMITS: dict[str, int] = {
    PortalActionKind.SIGNUP: 5,
    PortalActionKind.LOGIN_FAILED: 10,
    PortalActionKind.VOTE: 30,
    PortalActionKind.COMMENT: 10,
    PortalActionKind.IDEA: 5,
}
_NOUNS = {
    PortalActionKind.SIGNUP: "sign-ups",
    PortalActionKind.LOGIN_FAILED: "failed log-ins",
    PortalActionKind.VOTE: "votes",
    PortalActionKind.COMMENT: "comments",
    PortalActionKind.IDEA: "ideas",
}


class RateLimited(Exception):
    """Too many actions of one kind in the last hour; nothing was written."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        super().__init__(
            f"Too many {_NOUNS[kind]} in the last hour (at most {LIMITS[kind]}). "
            "Please try again later."
        )


# --- staff side --------------------------------------------------------------------

portal_product = ModelWrites(PortalProduct)
portal_feature = ModelWrites(PortalFeature)


def portal_product_set(
    *, actor: User | None, product: Product, enabled: bool, title: str = "", intro: str = ""
) -> PortalProduct:
    """Switch a product's portal on or off and set its title and intro."""
    data = {"enabled": enabled, "title": (title or "").strip(), "intro": intro or ""}
    existing = PortalProduct.objects.filter(product=product).first()
    if existing is None:
        return portal_product.create(actor=actor, data={"product": product, **data})
    return portal_product.update(actor=actor, instance=existing, version=None, data=data)


def portal_feature_set(*, actor: User | None, feature: Feature, public: bool) -> PortalFeature:
    """Mark a feature public on its product's portal, or take it off."""
    existing = PortalFeature.objects.filter(feature=feature).first()
    if existing is None:
        return portal_feature.create(actor=actor, data={"feature": feature, "public": public})
    return portal_feature.update(
        actor=actor, instance=existing, version=None, data={"public": public}
    )


# --- rate limits -------------------------------------------------------------------


def _check_limit(kind: str, *, visitor: PortalVisitor | None, ip: str | None) -> None:
    since = timezone.now() - WINDOW
    recent = PortalAction.objects.filter(kind=kind, created_at__gte=since)
    if visitor is not None and recent.filter(visitor=visitor).count() >= LIMITS[kind]:
        raise RateLimited(kind)
    if ip and recent.filter(ip=ip).count() >= LIMITS[kind]:
        raise RateLimited(kind)


def _record(kind: str, *, visitor: PortalVisitor | None, ip: str | None) -> None:
    now = timezone.now()
    PortalAction.objects.filter(created_at__lt=now - KEEP_ACTIONS).delete()
    PortalAction.objects.create(kind=kind, visitor=visitor, ip=ip or None, created_at=now)


# --- visitors ----------------------------------------------------------------------


def visitor_signup(*, email: str, name: str, password: str, ip: str | None) -> PortalVisitor:
    email = (email or "").strip().lower()
    with transaction.atomic():
        _check_limit(PortalActionKind.SIGNUP, visitor=None, ip=ip)
        if PortalVisitor.objects.filter(email__iexact=email).exists():
            raise ValidationError({"email": "Someone already signed up with this email."})
        visitor = PortalVisitor(email=email, name=(name or "").strip())
        visitor.password = make_password(password)
        visitor.full_clean()
        visitor.save()
        _record(PortalActionKind.SIGNUP, visitor=visitor, ip=ip)
    return visitor


def visitor_authenticate(*, email: str, password: str, ip: str | None) -> PortalVisitor | None:
    """The active visitor with this email and password, or None (a failed attempt
    counts towards the limit of failed log-ins per address)."""
    _check_limit(PortalActionKind.LOGIN_FAILED, visitor=None, ip=ip)
    visitor = PortalVisitor.objects.filter(email__iexact=(email or "").strip()).first()
    if visitor is None or not visitor.is_active or not check_password(password, visitor.password):
        if visitor is None:
            make_password(password)  # take as long as a real check
        _record(PortalActionKind.LOGIN_FAILED, visitor=None, ip=ip)
        return None
    PortalVisitor.objects.filter(pk=visitor.pk).update(last_login=timezone.now())
    return visitor


# --- votes, comments, ideas --------------------------------------------------------


def _customer_and_contact(visitor: PortalVisitor) -> dict:
    """The contact with the visitor's email, else a customer with a contact at the
    visitor's email domain; none if nothing matches."""
    contact = Contact.objects.filter(email__iexact=visitor.email).select_related("customer").first()
    if contact is not None:
        return {"customer": contact.customer, "contact": contact}
    domain = visitor.domain
    if not domain:
        return {"customer": None}
    contact = (
        Contact.objects.filter(email__iendswith="@" + domain)
        .select_related("customer")
        .order_by("id")
        .first()
    )
    return {"customer": contact.customer if contact else None}


def _note(visitor: PortalVisitor, *, title: str, text: str, feature: Feature | None) -> Note:
    data = {
        "title": title[:200],
        "text": text,
        "source": NoteSource.PORTAL,
        "author": None,
        **_customer_and_contact(visitor),
    }
    note = customer_services.note.create(actor=None, data=data)
    if feature is not None:
        customer_services.note_link.create(
            actor=None, data={"note": note, "feature": feature, "importance": None}
        )
    return note


def _plain(text: str) -> str:
    """Text as typed, with line endings made one kind and the ends trimmed."""
    return (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def vote_toggle(*, visitor: PortalVisitor, feature: Feature, ip: str | None) -> bool:
    """Vote for the feature, or take the vote back; answers whether the visitor now votes.

    Taking a vote back also deletes the inbox note the vote made, unless the team has
    triaged it already.
    """
    with transaction.atomic():
        _check_limit(PortalActionKind.VOTE, visitor=visitor, ip=ip)
        _record(PortalActionKind.VOTE, visitor=visitor, ip=ip)
        existing = (
            PortalVote.objects.select_for_update(of=("self",))
            .filter(visitor=visitor, feature=feature)
            .select_related("note")
            .first()
        )
        if existing is not None:
            note = existing.note
            existing.delete()
            if note is not None and note.state == "new":
                customer_services.note.delete(actor=None, instance=note)
            return False
        note = _note(visitor, title="", text=f"Voted for {feature.title}", feature=feature)
        PortalVote.objects.create(visitor=visitor, feature=feature, note=note)
        return True


def comment_add(
    *, visitor: PortalVisitor, feature: Feature, text: str, ip: str | None
) -> PortalComment:
    with transaction.atomic():
        _check_limit(PortalActionKind.COMMENT, visitor=visitor, ip=ip)
        comment = PortalComment(visitor=visitor, feature=feature, text=_plain(text))
        comment.full_clean(exclude=["note"])
        comment.note = _note(
            visitor, title=f"Comment on {feature.title}", text=comment.text, feature=feature
        )
        comment.save()
        _record(PortalActionKind.COMMENT, visitor=visitor, ip=ip)
    return comment


def idea_add(
    *, visitor: PortalVisitor, product: Product, title: str, text: str, ip: str | None
) -> PortalIdea:
    with transaction.atomic():
        _check_limit(PortalActionKind.IDEA, visitor=visitor, ip=ip)
        idea = PortalIdea(visitor=visitor, product=product, title=title.strip(), text=_plain(text))
        idea.full_clean(exclude=["note"])
        idea.note = _note(visitor, title=idea.title, text=idea.text, feature=None)
        idea.save()
        _record(PortalActionKind.IDEA, visitor=visitor, ip=ip)
    return idea
