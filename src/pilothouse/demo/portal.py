"""The demo's voting portal: switched on for two revenue products, with the features
customers may see (planned, in progress, released) marked public.

Written through the portal services (change-logged) after the bulk rows, so its own
timestamps are the time of the build; no visitor, vote or comment is invented: the
portal starts empty, ready for a first visitor to sign up.
"""

from __future__ import annotations

from pilothouse.demo.portfolio import Portfolio
from pilothouse.demo.roadmap import Roadmap
from pilothouse.portal import services as portal_services
from pilothouse.portfolio.models import LifecycleStage, ProductKind
from pilothouse.roadmap.models import FeatureStage

PORTAL_PRODUCTS = 2
PUBLIC_FEATURES_PER_PRODUCT = 15
PUBLIC_STAGES = (FeatureStage.PLANNED, FeatureStage.IN_PROGRESS, FeatureStage.RELEASED)
LIVE_STAGES = (LifecycleStage.LAUNCH, LifecycleStage.GROWTH, LifecycleStage.MATURE)


def create_portal(*, portfolio: Portfolio, roadmap: Roadmap) -> tuple[int, int]:
    """Switch the portal on and mark features public; returns (products, features)."""
    chosen = [
        demo.product
        for demo in sorted(portfolio.products, key=lambda demo: demo.product.key)
        if demo.product.kind == ProductKind.REVENUE and demo.product.stage in LIVE_STAGES
    ][:PORTAL_PRODUCTS]
    public = 0
    for product in chosen:
        portal_services.portal_product_set(
            actor=None,
            product=product,
            enabled=True,
            title=f"{product.name} ideas and roadmap",
            intro=(
                f"Tell us what would make **{product.name}** better. Vote for the features "
                "you need, comment on how you would use them, or send us a new idea."
            ),
        )
        features = [
            feature
            for feature in roadmap.features
            if feature.product_id == product.pk and feature.stage in PUBLIC_STAGES
        ][:PUBLIC_FEATURES_PER_PRODUCT]
        for feature in features:
            portal_services.portal_feature_set(actor=None, feature=feature, public=True)
        public += len(features)
    return len(chosen), public
