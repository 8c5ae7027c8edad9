"""Every read of the portal pages, each a fixed number of queries."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from pilothouse.portal.models import PortalComment, PortalProduct, PortalVisitor, PortalVote
from pilothouse.portfolio.models import Product
from pilothouse.roadmap.models import Feature


def visitor(visitor_id: object) -> PortalVisitor | None:
    """The active visitor with this id (from the session), or None."""
    if not isinstance(visitor_id, int):
        return None
    return PortalVisitor.objects.filter(pk=visitor_id, is_active=True).first()


def enabled_portals() -> QuerySet[PortalProduct]:
    return PortalProduct.objects.filter(enabled=True).select_related("product")


def enabled_portal(key: str) -> PortalProduct:
    """The enabled portal of the product with this key; 404 otherwise."""
    found = enabled_portals().filter(product__key=key).first()
    if found is None:
        raise Http404("No such portal.")
    return found


def public_features(product: Product) -> QuerySet[Feature]:
    """The product's public features with their vote and comment counts, most votes first."""
    return (
        Feature.objects.filter(product=product, portal__public=True)
        .annotate(
            votes=Count("portal_votes", distinct=True),
            comments=Count(
                "portal_comments", filter=Q(portal_comments__hidden=False), distinct=True
            ),
        )
        .order_by("-votes", "title", "id")
    )


def public_feature(product: Product, feature_id: int) -> Feature:
    found = public_features(product).filter(pk=feature_id).first()
    if found is None:
        raise Http404("No such feature.")
    return found


def voted_feature_ids(visitor: PortalVisitor | None, features: list[Feature]) -> set[int]:
    if visitor is None or not features:
        return set()
    return set(
        PortalVote.objects.filter(
            visitor=visitor, feature_id__in=[f.pk for f in features]
        ).values_list("feature_id", flat=True)
    )


def feature_comments(feature: Feature) -> QuerySet[PortalComment]:
    return PortalComment.objects.filter(feature=feature, hidden=False).select_related("visitor")


def manage_features(product: Product) -> QuerySet[Feature]:
    """Every feature of the product, with its portal row (if any), for the staff page."""
    return Feature.objects.filter(product=product).select_related("portal").order_by("title", "id")
