"""Where the change log links the portal's moderated objects: their moderation page."""

from __future__ import annotations

from django.urls import reverse

from pilothouse.core.views import register_object_page
from pilothouse.portal.models import PortalBlock, PortalComment, PortalIdea


def _moderation(key: str, anchor: str) -> str:
    return reverse("portal:moderation", args=[key]) + f"#{anchor}"


def register() -> None:
    register_object_page(
        PortalComment,
        lambda c: _moderation(c.feature.product.key, f"comment-{c.pk}"),
        queryset=lambda: PortalComment.objects.select_related("feature__product"),
    )
    register_object_page(
        PortalIdea,
        lambda i: _moderation(i.product.key, f"idea-{i.pk}"),
        queryset=lambda: PortalIdea.objects.select_related("product"),
    )
    register_object_page(
        PortalBlock,
        lambda b: _moderation(b.portal.product.key, "blocked-heading"),
        queryset=lambda: PortalBlock.objects.select_related("portal__product"),
    )
