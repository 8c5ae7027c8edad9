"""The board's and the release plan's exports: SVG, PNG and PDF rendered from their
Vega-Lite specifications, and the specifications themselves as JSON."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from pilothouse.roadmap import charts, planning
from tests.conftest import ROLES
from tests.factories import FeatureFactory, ObjectiveFactory, ProductFactory, ReleaseFactory
from tests.roadmap.planning_data import build_roadmap
from tests.roadmap.test_planning_queries import grow
from tests.web.helpers import assert_same_queries

MAGIC = {"png": b"\x89PNG\r\n\x1a\n", "pdf": b"%PDF-"}
EXPORTS = {"board": "roadmap-board", "release_plan": "roadmap-release-plan"}


@pytest.fixture
def roadmap(db):
    return build_roadmap()


def export(client, view: str, fmt: str, **query):
    return client.get(reverse(f"roadmap:{view}_export", args=[fmt]), query)


def spec_of(client, view: str, **query) -> dict:
    response = export(client, view, "json", **query)
    assert response.status_code == 200
    return json.loads(response.content)


def texts(layer: dict, field: str) -> list[str]:
    return [row[field] for row in layer["data"]["values"]]


@pytest.mark.parametrize("view", EXPORTS)
@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [
        ("svg", "image/svg+xml"),
        ("png", "image/png"),
        ("pdf", "application/pdf"),
        ("json", "application/json"),
    ],
)
def test_each_view_exports_in_each_format(as_user, viewer, roadmap, view, fmt, content_type):
    response = export(as_user(viewer), view, fmt)
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    extension = charts.EXTENSIONS[fmt]
    assert response["Content-Disposition"] == (
        f'attachment; filename="{EXPORTS[view]}.{extension}"'
    )
    body = response.content
    if fmt == "svg":
        assert body.lstrip().startswith(b"<svg")
        assert b"</svg>" in body
    elif fmt == "json":
        assert json.loads(body)["$schema"] == charts.VEGA_LITE_SCHEMA
    else:
        assert body.startswith(MAGIC[fmt])


def test_the_board_svg_shows_its_columns_and_cards(as_user, viewer, roadmap):
    svg = export(as_user(viewer), "board", "svg").content.decode()
    for text in ("Now (2)", "Next (1)", "Later (1)", "Apple Pay", "Bank transfer", "Crm"):
        assert text in svg
    assert "Dark mode" not in svg  # not on the board


def test_the_board_spec_has_three_columns_of_cards_coloured_by_stage(as_user, viewer, roadmap):
    spec = spec_of(as_user(viewer), "board")
    titles, products, notes = spec["layer"]
    assert titles["encoding"]["x"]["scale"]["domain"] == ["Now (2)", "Next (1)", "Later (1)"]
    rows = titles["data"]["values"]
    assert [(r["column"], r["row"], r["title"]) for r in rows] == [
        ("Now (2)", 0, "Apple Pay"),
        ("Now (2)", 1, "Contacts import"),
        ("Next (1)", 0, "Bank transfer"),
        ("Later (1)", 0, "Deduplication"),
    ]
    assert titles["encoding"]["color"]["field"] == "stage"
    assert rows[0]["stage"] == "In progress"
    assert texts(products, "product") == ["Pay", "Crm", "Pay", "Crm"]
    assert notes["data"]["values"] == []


def test_the_board_export_applies_the_filters(as_user, viewer, roadmap):
    spec = spec_of(as_user(viewer), "board", product=roadmap.pay.pk)
    assert texts(spec["layer"][0], "full_title") == ["Apple Pay", "Bank transfer"]
    assert "Filters: Product: Pay (PAY)" in spec["title"]["subtitle"][0]
    assert spec["layer"][2]["data"]["values"] == [
        {"column": "Later (0)", "row": 0, "text": "Nothing later."}
    ]


def test_the_board_export_has_the_pages_caps_and_says_so(as_user, viewer, roadmap, monkeypatch):
    monkeypatch.setattr(planning, "COLUMN_CAP", 1)
    client = as_user(viewer)
    spec = spec_of(client, "board")
    assert texts(spec["layer"][0], "title") == ["Apple Pay", "Bank transfer", "Deduplication"]
    assert "Showing 3 of 4 cards" in spec["title"]["subtitle"][1]
    [note] = spec["layer"][2]["data"]["values"]
    assert note["column"] == "Now (2)"
    assert note["row"] == 1
    assert note["text"].startswith("+ 1 more")
    expanded = spec_of(client, "board", more="now")  # "show more", as on the page
    assert len(expanded["layer"][0]["data"]["values"]) == 4


def test_the_release_plan_spec_puts_releases_on_a_time_axis(as_user, viewer, roadmap):
    spec = spec_of(as_user(viewer), "release_plan")
    points, names, rules, labels = spec["layer"]
    assert points["mark"]["type"] == "point"
    assert points["encoding"]["x"]["type"] == "temporal"
    assert points["encoding"]["y"]["field"] == "product"
    assert points["encoding"]["size"]["field"] == "features"
    assert points["encoding"]["color"]["field"] == "status"
    rows = {row["full_name"]: row for row in points["data"]["values"]}
    assert list(rows) == ["Pay 1", "Crm 1", "Pay 2"]
    assert rows["Pay 1"]["date"] == roadmap.soon.target_date.isoformat()
    assert rows["Pay 1"]["product"] == "Pay"
    assert rows["Pay 1"]["features"] == 1
    assert rows["Pay 1"]["conflicts"] == 1
    assert texts(names, "name") == ["Pay 1", "Crm 1", "Pay 2"]
    assert rules["mark"]["type"] == "rule"
    assert set(texts(labels, "name")) == {"User conference", "Pay audit", "Today"}


def test_the_release_plan_export_applies_the_filters(as_user, viewer, roadmap):
    client = as_user(viewer)
    spec = spec_of(client, "release_plan", product=roadmap.crm.pk)
    assert texts(spec["layer"][0], "full_name") == ["Crm 1"]
    assert "Pay audit" not in texts(spec["layer"][3], "name")
    assert "Filters: Product: Crm (CRM)" in spec["title"]["subtitle"][0]
    # A filter on features keeps only the releases that have such features.
    owned = spec_of(client, "release_plan", stage="planned")
    assert texts(owned["layer"][0], "full_name") == ["Crm 1", "Pay 2"]


def test_the_release_plan_export_names_undated_releases_and_pages(as_user, viewer, roadmap):
    ReleaseFactory(product=roadmap.pay, name="Pay someday", target_date=None)
    spec = spec_of(as_user(viewer), "release_plan")
    assert "Pay someday" not in texts(spec["layer"][0], "full_name")
    assert "No date yet, not drawn: Pay someday (Pay)." in spec["title"]["subtitle"]


@pytest.mark.parametrize("view", EXPORTS)
def test_a_bad_parameter_is_refused_rather_than_exported(as_user, viewer, roadmap, view):
    response = export(as_user(viewer), view, "png", product="abc")
    assert response.status_code == 400
    assert "Product: Expected an id, got 'abc'." in response.content.decode()


def test_a_bad_show_is_refused_by_the_release_plan_export(as_user, viewer, roadmap):
    response = export(as_user(viewer), "release_plan", "svg", show="never")
    assert response.status_code == 400
    assert "Show upcoming or all releases" in response.content.decode()


@pytest.mark.parametrize("view", EXPORTS)
def test_an_unknown_format_is_not_found(as_user, viewer, roadmap, view):
    assert export(as_user(viewer), view, "gif").status_code == 404


@pytest.mark.parametrize("view", EXPORTS)
def test_anonymous_visitors_are_sent_to_log_in(client, roadmap, view):
    response = export(client, view, "svg")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("view", EXPORTS)
def test_every_role_may_export(as_user, make_user, roadmap, view, role):
    assert export(as_user(make_user(role)), view, "json").status_code == 200


@pytest.mark.parametrize("view", EXPORTS)
def test_the_page_links_its_exports_with_its_filters(as_user, viewer, roadmap, view):
    query = {"product": roadmap.pay.pk}
    html = as_user(viewer).get(reverse(f"roadmap:{view}"), query).content.decode()
    path = reverse(f"roadmap:{view}_export", args=["x"])[:-1]
    for fmt in ("svg", "png", "pdf", "json"):
        assert f'href="{path}{fmt}?product={roadmap.pay.pk}"' in html


@pytest.mark.parametrize("view", EXPORTS)
def test_the_exports_cost_the_same_queries_for_5_and_50_features(client, make_user, db, view):
    products = [ProductFactory(), ProductFactory()]
    world = {
        "products": products,
        "objective": ObjectiveFactory(),
        "foundation": FeatureFactory(title="Foundation", product=products[0], stage="idea"),
    }
    grow(5, **world)
    client.force_login(make_user("product_manager"))
    url = reverse(f"roadmap:{view}_export", args=["json"])
    assert_same_queries(lambda: client.get(url), lambda: grow(45, **world))
