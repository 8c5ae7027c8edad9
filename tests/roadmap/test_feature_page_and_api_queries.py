"""The feature page's dependencies panel and the features API: what they show of
blockers and schedule conflicts, and their fixed query counts."""

from __future__ import annotations

import datetime as dt

import pytest

from pilothouse.core.tokens import token_create
from pilothouse.roadmap.dependency_views import dependency_panel
from pilothouse.roadmap.models import Dependency
from tests.api.conftest import ApiClient
from tests.factories import FeatureFactory, ProductFactory, ReleaseFactory
from tests.web.helpers import assert_same_queries, count_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_api(make_user) -> ApiClient:
    _, secret = token_create(user=make_user("admin", username="admin"), name="tests")
    return ApiClient(secret)


@pytest.fixture
def planned():
    """A feature due in March waiting for one due in September, and blocking another."""
    product = ProductFactory()
    early = ReleaseFactory(product=product, name="Early", target_date=dt.date(2026, 3, 1))
    late = ReleaseFactory(product=product, name="Late", target_date=dt.date(2026, 9, 1))
    feature = FeatureFactory(product=product, title="Widget", target_release=early)
    blocker = FeatureFactory(product=product, title="Platform", target_release=late)
    blocked = FeatureFactory(product=product, title="Gadget")
    Dependency.objects.create(blocker=blocker, blocked=feature)
    Dependency.objects.create(blocker=feature, blocked=blocked)
    return {"product": product, "feature": feature, "blocker": blocker, "blocked": blocked}


def _link(feature, count):
    def grow():
        for index in range(count):
            Dependency.objects.create(
                blocker=FeatureFactory(product=feature.product, title=f"Before {index}"),
                blocked=feature,
            )
            Dependency.objects.create(
                blocker=feature,
                blocked=FeatureFactory(product=feature.product, title=f"After {index}"),
            )

    return grow


def test_the_panel_reads_both_sides_of_a_feature_in_one_query(planned):
    feature = planned["feature"]
    panel = dependency_panel(feature=feature)
    assert [d.blocker for d in panel["blockers"]] == [planned["blocker"]]
    assert [d.blocked for d in panel["blocking"]] == [planned["blocked"]]
    assert panel["conflicts"] == [
        "Planned to finish (2026-03-01) before its blocker “Platform” (2026-09-01)"
    ]
    assert [title for _pk, title in panel["blocker_choices"]] == ["Gadget"]
    # Its blockers and what it blocks in one query, the choices in another.
    assert count_queries(lambda: dependency_panel(feature=feature)) == 2
    _link(feature, 4)()
    panel = dependency_panel(feature=feature)
    assert len(panel["blockers"]) == len(panel["blocking"]) == 5
    assert [d.blocker_id for d in panel["blockers"]] == sorted(
        d.blocker_id for d in panel["blockers"]
    )
    assert all(d.blocked_id == feature.pk for d in panel["blockers"])
    assert all(d.blocker_id == feature.pk for d in panel["blocking"])
    assert count_queries(lambda: dependency_panel(feature=feature)) == 2


def test_the_feature_page_shows_both_sides_at_a_fixed_cost(planned, as_user, make_user):
    client = as_user(make_user("admin", username="boss"))
    feature = planned["feature"]
    url = f"/roadmap/features/{feature.pk}/"
    page = client.get(url).content.decode()
    waits, blocks = page.split("<h3>Waits for</h3>")[1].split("<h3>Blocks</h3>")
    assert "Platform" in waits
    assert "Late" in waits
    assert "Gadget" in blocks
    assert "Platform" not in blocks
    assert "Planned to finish (2026-03-01) before its blocker" in page
    assert_same_queries(lambda: client.get(url), _link(feature, 10))


def test_the_features_api_reads_the_blockers_with_the_page(planned, admin_api):
    """The schedule conflicts of a page need the blockers off the page too: they come
    with the page's dependencies, not from a query of their own."""
    blocked = planned["feature"]
    response = admin_api.get("/features", {"ordering": "id", "limit": 1, "offset": 0})
    assert response.json()["items"][0]["id"] == blocked.pk
    item = response.json()["items"][0]
    assert item["blocked_by"] == [planned["blocker"].pk]
    assert item["schedule_conflicts"] == [
        "Planned to finish (2026-03-01) before its blocker “Platform” (2026-09-01)"
    ]


def test_the_features_api_list_costs_six_queries_whatever_the_size(planned, admin_api):
    def page():
        response = admin_api.get("/features", {"limit": 50})
        assert response.status_code == 200

    def grow():
        late = ReleaseFactory(product=planned["product"], target_date=dt.date(2027, 1, 1))
        for index in range(45):
            feature = FeatureFactory(product=planned["product"], title=f"Grown {index}")
            blocker = FeatureFactory(product=planned["product"], target_release=late)
            Dependency.objects.create(blocker=blocker, blocked=feature)

    # The token, the page, its objectives, tags and blockers (with their releases), the
    # count.
    assert assert_same_queries(page, grow) == 6
