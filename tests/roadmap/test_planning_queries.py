"""The roadmap views cost a fixed number of queries whatever the number of features,
releases, milestones and dependencies."""

from __future__ import annotations

import pytest
from django.urls import reverse

from pilothouse.roadmap.models import Dependency, Milestone
from tests.factories import (
    FeatureFactory,
    ObjectiveFactory,
    ProductAreaFactory,
    ProductFactory,
    ReleaseFactory,
    UserFactory,
)
from tests.roadmap.planning_data import days
from tests.web.helpers import assert_same_queries

HORIZONS = ("now", "next", "later", "")
PAGE_QUERY_BUDGET = 15  # as benchmarks/budgets.json: session, user, filter choices, reads


def grow(n: int, *, products, objective, foundation) -> None:
    """`n` more features spread over the products, with releases, owners, areas, board
    places, dependencies and milestones. Every feature waits for `foundation`, which no
    view shows, and every other release has a milestone on its day, so that each page
    reads blockers it does not show and milestones' products at any size (an empty list
    costs Django no query, which would make a small page cheaper than a large one)."""
    for i in range(n):
        product = products[i % len(products)]
        release = ReleaseFactory(product=product, target_date=days(10 + i))
        feature = FeatureFactory(
            product=product,
            area=ProductAreaFactory(product=product, owner=UserFactory()),
            owner=UserFactory(),
            stage=["in_progress", "planned", "candidate"][i % 3],
            started_on=days(-i) if i % 3 == 0 else None,
            target_release=release,
            horizon=HORIZONS[i % 4],
            horizon_rank=i,
        )
        feature.objectives.add(objective)
        Dependency.objects.create(blocker=foundation, blocked=feature)
        if i % 2 == 0:
            Milestone.objects.create(name=f"M{i}", date=days(10 + i)).products.add(product)


@pytest.fixture
def portfolio(db):
    products = [ProductFactory(), ProductFactory()]
    world = {
        "products": products,
        "objective": ObjectiveFactory(),
        "foundation": FeatureFactory(title="Foundation", product=products[0], stage="idea"),
    }
    grow(5, **world)
    return world


@pytest.mark.parametrize(
    ("view", "query"),
    [
        ("timeline", {}),
        ("timeline", {"lanes": "objective", "scale": "quarter"}),
        ("timeline", {"lanes": "initiative", "stage": "planned"}),
        ("board", {}),
        ("board", {"more": "now", "stage": "planned"}),
        ("board", {"backlog": "open"}),
        ("release_plan", {}),
        ("release_plan", {"show": "all", "stage": "planned"}),
        ("milestone_list", {}),
    ],
)
@pytest.mark.parametrize("role", ["leader", "product_manager"])
def test_the_views_cost_the_same_queries_for_5_and_50_features(
    client, make_user, portfolio, view, query, role
):
    user = make_user(role if role != "leader" else "product_leader")
    client.force_login(user)
    url = reverse(f"roadmap:{view}")
    count = assert_same_queries(
        lambda: client.get(url, query),
        lambda: grow(45, **portfolio),
    )
    assert count <= PAGE_QUERY_BUDGET, count


def test_unfolding_the_list_off_the_board_costs_the_same_queries(client, make_user, portfolio):
    waiting = FeatureFactory(product=portfolio["products"][0], stage="planned")
    Dependency.objects.create(blocker=portfolio["foundation"], blocked=waiting)
    client.force_login(make_user("product_manager"))
    url = reverse("roadmap:board")
    headers = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "board-backlog-list"}
    assert_same_queries(lambda: client.get(url, **headers), lambda: grow(45, **portfolio))


def test_a_later_page_of_the_release_plan_costs_the_same_queries(client, make_user, portfolio):
    grow(20, **portfolio)  # past the first page already
    client.force_login(make_user())
    url = reverse("roadmap:release_plan")
    assert_same_queries(
        lambda: client.get(url, {"show": "all", "page": "2"}), lambda: grow(30, **portfolio)
    )


def test_a_board_move_costs_the_same_queries_for_5_and_50_features(client, make_user, portfolio):
    from pilothouse.roadmap.models import Feature

    client.force_login(make_user("product_leader"))
    moved = FeatureFactory(product=portfolio["products"][0], horizon="next")

    def move():
        moved.refresh_from_db()
        client.post(
            reverse("roadmap:board_move", args=[moved.pk]),
            {"version": moved.version, "direction": "left" if moved.horizon == "next" else "right"},
            HTTP_HX_REQUEST="true",
        )

    assert_same_queries(move, lambda: grow(45, **portfolio))
    assert Feature.objects.get(pk=moved.pk).version > 1


def test_the_exports_cost_the_same_queries_for_5_and_50_features(client, make_user, portfolio):
    client.force_login(make_user())
    url = reverse("roadmap:timeline_export", args=["json"])
    assert_same_queries(lambda: client.get(url), lambda: grow(45, **portfolio))
