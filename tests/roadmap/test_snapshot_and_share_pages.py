"""Snapshot pages, share-link pages and the feature page's dependencies: who may see and
do what, what they show, and what they cost in queries."""

from __future__ import annotations

from contextlib import nullcontext

import pytest
from django.test import Client

from pilothouse.roadmap import services, sharing, snapshots
from pilothouse.roadmap.models import Dependency, RoadmapSnapshot, ShareLink
from tests.api.helpers import unchanged
from tests.factories import FeatureFactory, ProductFactory
from tests.web.helpers import assert_same_queries

pytestmark = pytest.mark.django_db

ROLES = ["admin", "product_leader", "product_manager", "contributor", "viewer"]
WRITERS = {"admin", "product_leader", "product_manager"}


@pytest.fixture
def user_of(make_user):
    return lambda role: make_user(role, username=f"user-{role}")


@pytest.fixture
def snap(db):
    FeatureFactory(title="On the board", horizon="next")
    return snapshots.snapshot_take(actor=None, name="Baseline")


@pytest.mark.parametrize("role", ROLES)
def test_every_signed_in_role_reads_the_snapshot_pages(role, user_of, as_user, snap):
    client = as_user(user_of(role))
    for url in (
        "/roadmap/snapshots/",
        f"/roadmap/snapshots/{snap.pk}/",
        f"/roadmap/changes/?before={snap.pk}&after=live",
        "/roadmap/share-links/",
    ):
        assert client.get(url).status_code == 200, url


def test_anonymous_visitors_are_sent_to_log_in(snap):
    for url in (
        "/roadmap/snapshots/",
        f"/roadmap/snapshots/{snap.pk}/",
        "/roadmap/changes/",
        "/roadmap/share-links/",
        "/roadmap/share-links/new/",
    ):
        response = Client().get(url)
        assert response.status_code == 302, url
        assert "/login/" in response["Location"]


@pytest.mark.parametrize("role", ROLES)
def test_who_may_take_a_snapshot_from_the_page(role, user_of, as_user, snap):
    client = as_user(user_of(role))
    if role in WRITERS:
        response = client.post("/roadmap/snapshots/take/", {"name": "Board review"})
        assert response.status_code == 302
        assert RoadmapSnapshot.objects.filter(name="Board review").exists()
    else:
        with unchanged(RoadmapSnapshot):
            assert client.post("/roadmap/snapshots/take/", {"name": "x"}).status_code == 403


@pytest.mark.parametrize("role", ROLES)
def test_a_snapshot_is_deleted_by_its_author_or_a_leader(role, user_of, as_user, make_user):
    author = make_user("product_manager", username="author")
    mine = snapshots.snapshot_take(actor=author, name="Mine")
    client = as_user(user_of(role))
    may = role in {"admin", "product_leader"}
    with nullcontext() if may else unchanged(RoadmapSnapshot):
        response = client.post(f"/roadmap/snapshots/{mine.pk}/delete/")
    assert response.status_code == (302 if may else 403)
    own = as_user(author).post(f"/roadmap/snapshots/{mine.pk}/delete/") if not may else None
    assert own is None or own.status_code == 302


def test_the_changes_page_lists_the_move_and_offers_markdown(snap, as_user, leader):
    feature = FeatureFactory(title="Fresh", horizon="later")
    moved = snapshots.live_items()[0]
    services.feature_move(
        actor=None, instance=type(feature).objects.get(pk=moved.id), version=None, horizon="now"
    )
    client = as_user(leader)
    page = client.get(f"/roadmap/changes/?before={snap.pk}&after=live").content.decode()
    assert f'data-change="moved" data-feature="{moved.id}"' in page
    assert f'data-change="added" data-feature="{feature.pk}"' in page
    markdown = client.get(f"/roadmap/changes/?before={snap.pk}&after=live&format=markdown")
    assert markdown["Content-Type"].startswith("text/markdown")
    assert "Fresh" in markdown.content.decode()
    bad = client.get("/roadmap/changes/?since=yesterday").content.decode()
    assert "Not a date" in bad


def test_snapshot_pages_cost_the_same_queries_whatever_the_count(as_user, leader):
    client = as_user(leader)

    def grow():
        for index in range(20):
            FeatureFactory(horizon="now", title=f"F{index}")
            snapshots.snapshot_take(actor=None, name=f"S{index}")

    first = snapshots.snapshot_take(actor=None, name="First")
    assert_same_queries(lambda: client.get("/roadmap/snapshots/"), grow)
    assert_same_queries(lambda: client.get(f"/roadmap/snapshots/{first.pk}/"), lambda: None)
    assert_same_queries(
        lambda: client.get(f"/roadmap/changes/?before={first.pk}&after=live"),
        lambda: [FeatureFactory(horizon="next") for _ in range(20)],
    )


@pytest.mark.parametrize("role", ROLES)
def test_who_may_make_a_share_link_from_the_page(role, user_of, as_user):
    client = as_user(user_of(role))
    form = client.get("/roadmap/share-links/new/?view=board&product=")
    if role not in WRITERS:
        assert form.status_code == 403
        with unchanged(ShareLink):
            refused = client.post("/roadmap/share-links/new/", {"name": "x", "view": "board"})
        assert refused.status_code == 403
        return
    assert form.status_code == 200
    made = client.post(
        "/roadmap/share-links/new/",
        {"name": "For the board", "view": "board", "audience": "public"},
    )
    assert made.status_code == 200
    link = ShareLink.objects.get(name="For the board")
    page = made.content.decode()
    assert "/roadmap/shared/" in page
    assert "will not be shown again" in page
    assert link.audience == "public"


def test_a_share_link_keeps_the_filters_it_was_made_with(as_user, leader):
    product = ProductFactory()
    client = as_user(leader)
    form = client.get(f"/roadmap/share-links/new/?view=timeline&product={product.pk}")
    assert product.name in form.content.decode()
    client.post(
        "/roadmap/share-links/new/",
        {"name": "Filtered", "view": "timeline", "audience": "internal", "product": product.pk},
    )
    assert ShareLink.objects.get(name="Filtered").filters == {"product": product.pk}
    with unchanged(ShareLink):
        bad = client.post(
            "/roadmap/share-links/new/",
            {"name": "Bad", "view": "board", "audience": "internal", "product": "abc"},
        )
    assert "Expected an id" in bad.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_a_links_access_log_is_for_its_author_and_leaders(role, user_of, as_user, make_user):
    author = make_user("product_manager", username="link-author")
    link, _token = sharing.share_link_create(actor=author, name="Quarterly")
    client = as_user(user_of(role))
    may = role in {"admin", "product_leader"}
    assert client.get(f"/roadmap/share-links/{link.pk}/").status_code == (200 if may else 403)
    assert as_user(author).get(f"/roadmap/share-links/{link.pk}/").status_code == 200
    client = as_user(user_of(role))
    response = client.post(f"/roadmap/share-links/{link.pk}/revoke/", {"version": link.version})
    assert response.status_code == (302 if may else 403)
    link.refresh_from_db()
    assert (link.revoked_at is not None) == may


@pytest.mark.parametrize("role", ROLES)
def test_who_may_add_and_remove_a_blocker_on_the_feature_page(role, user_of, as_user):
    user = user_of(role)
    product = ProductFactory(owner=user if role == "product_manager" else None)
    feature = FeatureFactory(product=product, title="Dependent")
    blocker = FeatureFactory(product=product, title="Foundation")
    client = as_user(user)
    page = client.get(f"/roadmap/features/{feature.pk}/").content.decode()
    assert ("Add a blocker" in page) == (role in WRITERS)
    if role not in WRITERS:
        with unchanged(Dependency):
            response = client.post(
                f"/roadmap/features/{feature.pk}/blockers/", {"blocker": blocker.pk}
            )
        assert response.status_code == 403
        return
    client.post(f"/roadmap/features/{feature.pk}/blockers/", {"blocker": f"#{blocker.pk}"})
    dependency = Dependency.objects.get(blocker=blocker, blocked=feature)
    page = client.get(f"/roadmap/features/{feature.pk}/").content.decode()
    assert "Foundation" in page
    cycle = client.post(
        f"/roadmap/features/{blocker.pk}/blockers/", {"blocker": feature.pk}, follow=True
    )
    assert "would close a cycle" in cycle.content.decode()
    client.post(f"/roadmap/dependencies/{dependency.pk}/remove/")
    assert not Dependency.objects.exists()
