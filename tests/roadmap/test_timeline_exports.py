"""The timeline's exports: SVG, PNG and PDF rendered from its Vega-Lite specification
(vl-convert, offline), and the specification itself as JSON."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from pilothouse.roadmap import charts
from tests.factories import FeatureFactory
from tests.roadmap.planning_data import build_roadmap

MAGIC = {"png": b"\x89PNG\r\n\x1a\n", "pdf": b"%PDF-"}


@pytest.fixture
def roadmap(db):
    return build_roadmap()


def export(client, fmt: str, **query):
    return client.get(reverse("roadmap:timeline_export", args=[fmt]), query)


@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [("svg", "image/svg+xml"), ("png", "image/png"), ("pdf", "application/pdf")],
)
def test_the_timeline_exports_as_a_picture(as_user, viewer, roadmap, fmt, content_type):
    response = export(as_user(viewer), fmt, scale="quarter", **{"from": "2026-Q4"})
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == (
        f'attachment; filename="roadmap-timeline-2026-Q4-to-2027-Q3.{fmt}"'
    )
    body = response.content
    if fmt == "svg":
        assert body.lstrip().startswith(b"<svg")
        assert b"</svg>" in body
    else:
        assert body.startswith(MAGIC[fmt])


def test_the_svg_shows_the_features_lanes_and_milestones(as_user, viewer, roadmap):
    svg = export(as_user(viewer), "svg").content.decode()
    for text in ("Apple Pay", "Bank transfer", "Contacts import", "Deduplication"):
        assert text in svg
    assert "User conference" in svg
    assert "Today" in svg
    assert "Roadmap timeline," in svg


def test_the_json_export_is_the_vega_lite_specification(as_user, viewer, roadmap):
    response = export(as_user(viewer), "json", product=roadmap.pay.pk)
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].endswith('.vl.json"')
    spec = json.loads(response.content)
    assert spec["$schema"] == charts.VEGA_LITE_SCHEMA
    bars, conflicts, rules, names = spec["layer"]
    assert bars["mark"]["type"] == "bar"
    assert [row["title"] for row in bars["data"]["values"]] == ["Apple Pay", "Bank transfer"]
    assert bars["encoding"]["x2"] == {"field": "end"}
    assert [row["title"] for row in conflicts["data"]["values"]] == ["Apple Pay"]
    assert rules["mark"]["type"] == "rule"
    assert {m["name"] for m in names["data"]["values"]} == {"User conference", "Pay audit", "Today"}
    assert "Filters: Product: Pay (PAY)" in spec["title"]["subtitle"][0]


def test_an_export_says_when_it_draws_only_some_items(as_user, viewer, roadmap, monkeypatch):
    monkeypatch.setattr(charts, "EXPORT_MAX_ITEMS", 3)
    spec = json.loads(export(as_user(viewer), "json").content)
    assert len(spec["layer"][0]["data"]["values"]) == 3
    assert "Showing 3 of 4 items" in spec["title"]["subtitle"][1]


def test_titles_that_repeat_get_rows_of_their_own(as_user, viewer, roadmap):
    FeatureFactory(title="Apple Pay", product=roadmap.crm, target_release=roadmap.crm_release)
    spec = json.loads(export(as_user(viewer), "json").content)
    labels = [row["label"] for row in spec["layer"][0]["data"]["values"]]
    assert len(labels) == len(set(labels)) == 5


def test_an_empty_window_still_exports(as_user, viewer, roadmap):
    response = export(as_user(viewer), "svg", **{"from": "2001-01"})
    assert response.status_code == 200
    assert "No features are planned in this window." in response.content.decode()


def test_a_bad_parameter_is_refused_rather_than_exported(as_user, viewer, roadmap):
    response = export(as_user(viewer), "png", product="abc", scale="week")
    assert response.status_code == 400
    text = response.content.decode()
    assert "Product: Expected an id, got 'abc'." in text
    assert "Scale: Expected month or quarter" in text


def test_an_unknown_format_is_not_found(as_user, viewer, roadmap):
    assert export(as_user(viewer), "gif").status_code == 404


def test_the_page_links_its_exports_with_its_filters(as_user, viewer, roadmap):
    html = as_user(viewer).get(reverse("roadmap:timeline"), {"scale": "quarter"}).content.decode()
    for fmt in ("svg", "png", "pdf", "json"):
        assert f'href="/roadmap/timeline.{fmt}?scale=quarter"' in html
