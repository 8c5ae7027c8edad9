"""Moderation of a product's portal by its team: hiding and showing comments and ideas,
and blocking visitors.

Who may: `services.may_manage`, the rule of the portal's settings page. Blocks are
PortalBlock objects written through core.writes (permission, validation, change log).
Comments and ideas are the visitors' rows, not versioned objects, so the hidden flag is
changed here, under a row lock, with the change log written the way core.writes writes
it: one record per object changed, naming the staff member, before and after.
"""

from __future__ import annotations

from django.db import transaction

from pilothouse.core import changelog, permissions
from pilothouse.core.models import ChangeAction, User
from pilothouse.core.writes import ModelWrites
from pilothouse.portal.models import (
    PortalBlock,
    PortalComment,
    PortalIdea,
    PortalProduct,
    PortalVisitor,
)
from pilothouse.portal.services import may_manage
from pilothouse.portfolio.models import Product

NOT_ALLOWED = "Only those who look after this product moderate its portal."

portal_block = ModelWrites(PortalBlock)


def _require(actor: User | None, product: Product) -> None:
    if actor is not None:
        permissions.require(may_manage(actor, product), NOT_ALLOWED)


def _set_hidden(actor: User | None, model, obj, hidden: bool):
    current = model.objects.select_for_update().get(pk=obj.pk)
    if current.hidden == hidden:
        return current  # nothing changes: no log entry
    current.hidden = hidden
    current.save(update_fields=["hidden"])
    changelog.record(
        actor=actor,
        action=ChangeAction.UPDATE,
        instance=current,
        before={"hidden": not hidden},
        after={"hidden": hidden},
    )
    return current


def comment_set_hidden(
    *, actor: User | None, comment: PortalComment, hidden: bool
) -> PortalComment:
    """Hide a comment from the public pages, or show it again."""
    _require(actor, comment.feature.product)
    with transaction.atomic():
        return _set_hidden(actor, PortalComment, comment, hidden)


def idea_set_hidden(*, actor: User | None, idea: PortalIdea, hidden: bool) -> PortalIdea:
    """Hide an idea from the public pages, or show it again. Its inbox note stays."""
    _require(actor, idea.product)
    with transaction.atomic():
        return _set_hidden(actor, PortalIdea, idea, hidden)


def visitor_hide_content(
    *, actor: User | None, portal: PortalProduct, visitor: PortalVisitor
) -> int:
    """Hide every comment and idea the visitor wrote on this portal; answers how many
    were visible. One change record each, written together."""
    _require(actor, portal.product)
    with transaction.atomic():
        comments = list(
            PortalComment.objects.select_for_update()
            .filter(visitor=visitor, feature__product=portal.product, hidden=False)
            .order_by("id")
        )
        ideas = list(
            PortalIdea.objects.select_for_update()
            .filter(visitor=visitor, product=portal.product, hidden=False)
            .order_by("id")
        )
        PortalComment.objects.filter(pk__in=[c.pk for c in comments]).update(hidden=True)
        PortalIdea.objects.filter(pk__in=[i.pk for i in ideas]).update(hidden=True)
        changed = [*comments, *ideas]
        for obj in changed:
            obj.hidden = True
        if changed:
            changelog.record_many(
                actor=actor,
                action=ChangeAction.UPDATE,
                entries=[(obj, {"hidden": False}, {"hidden": True}) for obj in changed],
            )
    return len(changed)


def visitor_block(
    *,
    actor: User | None,
    portal: PortalProduct,
    visitor: PortalVisitor,
    reason: str = "",
    hide_content: bool = False,
) -> PortalBlock:
    """Block the visitor on this portal (they can still sign in and read, but no longer
    vote, comment or send ideas there); with `hide_content`, also hide everything they
    wrote on it. Blocking someone blocked already changes only what `hide_content` asks."""
    _require(actor, portal.product)
    with transaction.atomic():
        block = PortalBlock.objects.filter(portal=portal, visitor=visitor).first()
        if block is None:
            block = portal_block.create(
                actor=actor,
                data={"portal": portal, "visitor": visitor, "reason": (reason or "").strip()},
            )
        if hide_content:
            visitor_hide_content(actor=actor, portal=portal, visitor=visitor)
    return block


def visitor_unblock(*, actor: User | None, block: PortalBlock) -> None:
    """Let the visitor vote, comment and send ideas on the portal again. What was
    hidden stays hidden."""
    portal_block.delete(actor=actor, instance=block)
