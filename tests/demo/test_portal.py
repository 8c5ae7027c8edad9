"""The demo's voting portal: switched on for two products with public features, and
visitors' ideas (in every status), votes for them, and comments, one hidden."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import is_password_usable
from django.db import transaction
from django.test import Client

from pilothouse import demo
from pilothouse.portal import selectors
from pilothouse.portal.models import (
    PortalComment,
    PortalFeature,
    PortalIdea,
    PortalIdeaVote,
    PortalProduct,
    PortalVisitor,
)
from pilothouse.roadmap.models import FeatureStage
from tests.demo.conftest import TODAY

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


def _portal_rows():
    """What visitors did on the demo portal, without ids."""
    ideas = [
        (idea.product.key, idea.visitor.email, idea.title, idea.note.text, idea.created_at)
        for idea in PortalIdea.objects.select_related("product", "visitor", "note").order_by(
            "created_at", "title"
        )
    ]
    comments = list(
        PortalComment.objects.order_by("created_at").values_list(
            "visitor__email", "feature__title", "text", "hidden", "created_at"
        )
    )
    votes = sorted(PortalIdeaVote.objects.values_list("visitor__email", "idea__title"))
    return ideas, comments, votes


def test_visitors_ideas_in_every_status_and_a_hidden_comment(small_demo):
    statuses = set()
    for idea in PortalIdea.objects.select_related("product"):
        status = selectors.public_idea(idea.product, idea.pk).status
        statuses.add(status.key)
        assert idea.note.source == "portal"
        assert idea.product.portal.enabled
    assert statuses == {"under_review", "planned", "in_progress", "shipped", "declined"}
    assert PortalIdeaVote.objects.exists()
    hidden = PortalComment.objects.get(hidden=True)
    shown = PortalComment.objects.get(hidden=False)
    assert hidden.feature.portal.public
    page = Client().get(f"/portal/{hidden.feature.product.key}/features/{hidden.feature_id}/")
    assert hidden.text not in page.content.decode()
    assert PortalVisitor.objects.filter(email_confirmed_at__isnull=True).count() == 0
    for visitor in PortalVisitor.objects.all():
        assert not is_password_usable(visitor.password)  # nobody can sign in as them
    assert shown.text


@pytest.mark.django_db
def test_the_portal_activity_is_the_same_for_the_same_seed():
    built = []
    for _ in range(2):
        with transaction.atomic():
            demo.build(scale="small", seed=5, today=TODAY)
            built.append(_portal_rows())
            transaction.set_rollback(True)
    assert built[0] == built[1]
    assert built[0][0], "ideas were made"
