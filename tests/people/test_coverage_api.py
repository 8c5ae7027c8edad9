"""/api/v1/coverage within the API's query budget: the token, then the coverage's reads
(lines, products with what their areas say, objectives, initiatives, open roles), the
same for a little and a lot of data, and the single points of failure the merged
products-and-areas read decides."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pilothouse.people.models import RoleGap
from tests.api.conftest import api_as  # noqa: F401
from tests.factories import (
    InitiativeFactory,
    ObjectiveFactory,
    ProductAreaFactory,
    ProductFactory,
    ProductLineFactory,
)
from tests.people.hiring_support import build_staff, make_role, owner

pytestmark = pytest.mark.django_db
API_QUERY_BUDGET = 6  # benchmarks/budgets.json, "api"


def grow(n: int) -> None:
    """n lines, each with an owned product of two areas (one owned by someone else
    every other line), an unowned product, an objective, an initiative and a role."""
    for index in range(n):
        pm = owner(f"Pat {index}")
        line = ProductLineFactory(owner=pm)
        product = ProductFactory(product_line=line, owner=pm)
        ProductAreaFactory(product=product, owner=pm)
        ProductAreaFactory(product=product, owner=owner("Other") if index % 2 else pm)
        ProductFactory(product_line=line)
        ObjectiveFactory(owner=pm)
        InitiativeFactory(owner=pm)
        make_role(gap=RoleGap.NO_OWNER, product_line=line)


def read(client) -> tuple[int, list[str], dict]:
    with CaptureQueriesContext(connection) as context:
        response = client.get("/coverage")
    assert response.status_code == 200
    # Each query's table: that of its first column ("SELECT "table"."column", ...).
    tables = [query["sql"].split('"')[1] for query in context]
    return len(context), tables, response.json()


@pytest.mark.parametrize(("role", "extra"), [("product_leader", 0), ("viewer", 1)])
def test_coverage_reads_within_the_api_budget_whatever_the_data(api_as, role, extra):  # noqa: F811
    client = api_as(build_staff().of(role))
    read(client)  # fills the process-wide caches
    grow(3)
    small, tables, _ = read(client)
    grow(30)
    large, _, body = read(client)
    assert small == large == API_QUERY_BUDGET + extra
    assert tables[-5:] == [
        "portfolio_productline",
        "portfolio_product",
        "strategy_objective",
        "strategy_initiative",
        "people_openrole",
    ]
    # Every other line rests on its owner (both areas theirs): 17 of the 33.
    assert body["counts"][RoleGap.SINGLE_POINT] == 17


def test_an_area_owned_by_someone_else_keeps_a_product_off_the_single_points(api_as):  # noqa: F811
    ada, bob = owner("Ada Lane"), owner("Bob Ray")
    line = ProductLineFactory(owner=bob)
    alone = ProductFactory(name="Alone", product_line=line, owner=ada)
    ProductAreaFactory(product=alone, owner=ada)
    ProductAreaFactory(product=alone, owner=ada)
    helped = ProductFactory(name="Helped", product_line=line, owner=ada)
    ProductAreaFactory(product=helped, owner=ada)
    ProductAreaFactory(product=helped, owner=bob)
    _, _, body = read(api_as(build_staff().product_leader))
    single = [f for f in body["findings"] if f["gap"] == RoleGap.SINGLE_POINT]
    assert [finding["product_ids"] for finding in single] == [[alone.pk]]
    assert "nobody else owns any of its 2 areas" in single[0]["text"]
