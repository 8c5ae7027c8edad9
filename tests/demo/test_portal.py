"""The demo's voting portal: switched on for two products with public features."""

from __future__ import annotations

from django.test import Client

from pilothouse.portal.models import PortalFeature, PortalProduct
from pilothouse.roadmap.models import FeatureStage

PUBLIC_STAGES = {FeatureStage.PLANNED, FeatureStage.IN_PROGRESS, FeatureStage.RELEASED}


def test_the_portal_is_on_for_two_products_with_their_public_features(small_demo):
    enabled = list(PortalProduct.objects.filter(enabled=True).select_related("product"))
    assert len(enabled) == small_demo.portal_products == 2
    public = list(PortalFeature.objects.filter(public=True).select_related("feature"))
    assert len(public) == small_demo.portal_features
    assert public, "some features are public"
    products = {portal.product_id for portal in enabled}
    assert {entry.feature.product_id for entry in public} <= products
    assert {entry.feature.stage for entry in public} <= PUBLIC_STAGES


def test_an_anonymous_visitor_sees_the_demo_portal(small_demo):
    portal = PortalProduct.objects.filter(enabled=True).select_related("product").first()
    feature = (
        PortalFeature.objects.filter(public=True, feature__product=portal.product)
        .select_related("feature")
        .first()
    )
    page = Client().get(f"/portal/{portal.product.key}/")
    assert page.status_code == 200
    assert feature.feature.title in page.content.decode()
