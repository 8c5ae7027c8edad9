"""Every write of the portal's content.

Staff side: `portal_product_set` and `portal_feature_set` go through core.writes
(permission-checked, validated, change-logged): the product's stewards, product leaders
and admins switch a portal on and mark features public. `may_manage` is the one rule for
every staff page of a product's portal (settings and moderation, see portal.moderation).

Visitor side: votes, comments and ideas. Each is refused (nothing written) when the
product's team blocked the visitor (`Blocked`), when a comment or idea comes from an
address not confirmed yet (`NotConfirmed`; votes need no confirmation), and when the
visitor or their address did too many in the last hour (`RateLimited`, portal.limits).
Each vote for a feature, comment and idea also arrives in the inbox as a note with source
"portal", written by the system (actor None) through customers.services.

Accounts (sign-up, log-in, confirmation, password reset) are in portal.accounts.
"""

from __future__ import annotations

from django.db import transaction

from pilothouse.core import permissions
from pilothouse.core.models import User
from pilothouse.core.writes import ModelWrites
from pilothouse.customers import services as customer_services
from pilothouse.customers.models import Contact, Note, NoteSource, NoteState
from pilothouse.portal.errors import Blocked, NotConfirmed
from pilothouse.portal.limits import take_slot
from pilothouse.portal.models import (
    PortalActionKind,
    PortalBlock,
    PortalComment,
    PortalFeature,
    PortalIdea,
    PortalIdeaVote,
    PortalProduct,
    PortalVisitor,
    PortalVote,
)
from pilothouse.portfolio.models import Product
from pilothouse.roadmap.models import Feature

# --- staff side --------------------------------------------------------------------

portal_product = ModelWrites(PortalProduct)
portal_feature = ModelWrites(PortalFeature)


def may_manage(user: User | None, product: Product) -> bool:
    """Whether `user` may change the product's portal: switch it on, choose its public
    features, and moderate what visitors write there. The same people who may change
    the portal's settings (its stewards, product leaders and admins), by one rule."""
    return permissions.can_change(user, PortalProduct(product=product))


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


# --- what a visitor may do -----------------------------------------------------------


def _require_not_blocked(visitor: PortalVisitor, product: Product) -> None:
    if PortalBlock.objects.filter(portal__product=product, visitor=visitor).exists():
        raise Blocked()


def _require_confirmed(visitor: PortalVisitor) -> None:
    if not visitor.email_confirmed:
        raise NotConfirmed()


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
        _require_not_blocked(visitor, feature.product)
        take_slot(PortalActionKind.VOTE, visitor=visitor, ip=ip)
        existing = (
            PortalVote.objects.select_for_update(of=("self",))
            .filter(visitor=visitor, feature=feature)
            .select_related("note")
            .first()
        )
        if existing is not None:
            note = existing.note
            existing.delete()
            if note is not None and note.state == NoteState.NEW:
                customer_services.note.delete(actor=None, instance=note)
            return False
        note = _note(visitor, title="", text=f"Voted for {feature.title}", feature=feature)
        PortalVote.objects.create(visitor=visitor, feature=feature, note=note)
        return True


def idea_vote_toggle(*, visitor: PortalVisitor, idea: PortalIdea, ip: str | None) -> bool:
    """Vote for an idea, or take the vote back; answers whether the visitor now votes.
    Counts towards the same hourly limit as votes for features."""
    with transaction.atomic():
        _require_not_blocked(visitor, idea.product)
        take_slot(PortalActionKind.VOTE, visitor=visitor, ip=ip)
        deleted, _ = PortalIdeaVote.objects.filter(visitor=visitor, idea=idea).delete()
        if deleted:
            return False
        PortalIdeaVote.objects.create(visitor=visitor, idea=idea)
        return True


def comment_add(
    *, visitor: PortalVisitor, feature: Feature, text: str, ip: str | None
) -> PortalComment:
    with transaction.atomic():
        _require_not_blocked(visitor, feature.product)
        _require_confirmed(visitor)
        take_slot(PortalActionKind.COMMENT, visitor=visitor, ip=ip)
        comment = PortalComment(visitor=visitor, feature=feature, text=_plain(text))
        comment.full_clean(exclude=["note"])
        comment.note = _note(
            visitor, title=f"Comment on {feature.title}", text=comment.text, feature=feature
        )
        comment.save()
    return comment


def idea_add(
    *, visitor: PortalVisitor, product: Product, title: str, text: str, ip: str | None
) -> PortalIdea:
    with transaction.atomic():
        _require_not_blocked(visitor, product)
        _require_confirmed(visitor)
        take_slot(PortalActionKind.IDEA, visitor=visitor, ip=ip)
        idea = PortalIdea(
            visitor=visitor, product=product, title=(title or "").strip(), text=_plain(text)
        )
        idea.full_clean(exclude=["note"])
        idea.note = _note(visitor, title=idea.title, text=idea.text, feature=None)
        idea.save()
    return idea
