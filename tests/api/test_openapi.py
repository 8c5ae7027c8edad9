"""The OpenAPI document and the interactive docs."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from openapi_spec_validator import validate

from tests.api.resources import SPECS

pytestmark = pytest.mark.django_db

# The paths DESIGN.md promises, each with its list and item routes.
RESOURCE_PATHS = [
    "/product-lines",
    "/products",
    "/product-areas",
    "/objectives",
    "/key-results",
    "/initiatives",
    "/features",
    "/releases",
    "/people",
    "/customers",
    "/contacts",
    "/segments",
    "/notes",
    "/note-links",
    "/note-kinds",
    "/tags",
    "/milestones",
    "/feature-tags",
    "/dependencies",
    "/scoring-models",
    "/teams",
    "/team-members",
    "/time-off",
    "/capacity-periods",
    "/feature-assignments",
    "/work-items",
    "/scenarios",
    "/scenario-changes",
    "/metrics",
    "/metric-values",
    "/metric-targets",
    "/key-result-metrics",
    "/career-levels",
    "/competencies",
    "/expectations",
    "/assessments",
    "/assessment-ratings",
    "/growth-plans",
    "/growth-goals",
    "/check-ins",
    "/one-on-ones",
    "/action-items",
    "/open-roles",
    "/allocations",
    "/exchange-rates",
]
METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


@pytest.fixture
def spec(client) -> dict:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def operations(spec: dict):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def test_the_document_is_valid_openapi_3(spec):
    assert spec["openapi"].startswith("3.")
    validate(spec)


def test_every_resource_of_the_design_is_documented(spec):
    assert {spec_row.path for spec_row in SPECS} == set(RESOURCE_PATHS)
    for path in RESOURCE_PATHS:
        assert set(spec["paths"][f"/api/v1{path}"]) >= {"get", "post"}
        assert set(spec["paths"][f"/api/v1{path}/{{pk}}"]) >= {"get", "patch", "delete"}
    assert set(spec["paths"]["/api/v1/changes"]) == {"get"}
    assert set(spec["paths"]["/api/v1/coverage"]) == {"get"}
    assert set(spec["paths"]["/api/v1/roadmap-snapshots"]) == {"get", "post"}
    assert set(spec["paths"]["/api/v1/roadmap-snapshots/{pk}/diff"]) == {"get"}
    assert set(spec["paths"]["/api/v1/share-links"]) == {"get", "post"}
    assert set(spec["paths"]["/api/v1/share-links/{pk}/revoke"]) == {"post"}


def test_operation_ids_are_unique(spec):
    ids = Counter(operation["operationId"] for _, _, operation in operations(spec))
    assert ids
    assert [name for name, n in ids.items() if n > 1] == []


def test_every_operation_requires_authentication(spec):
    schemes = set(spec["components"]["securitySchemes"])
    assert schemes
    for path, method, operation in operations(spec):
        assert operation.get("security"), (path, method)
        for requirement in operation["security"]:
            assert set(requirement) <= schemes


def test_every_operation_documents_the_error_shape(spec):
    for path, method, operation in operations(spec):
        for status in ["401", "403", "404", "422"]:
            assert status in operation["responses"], (path, method, status)


def test_list_operations_document_paging_and_ordering(spec):
    for path in RESOURCE_PATHS:
        parameters = {p["name"] for p in spec["paths"][f"/api/v1{path}"]["get"]["parameters"]}
        assert {"limit", "offset", "ordering"} <= parameters, path


def test_patch_bodies_require_the_version(spec):
    for path in RESOURCE_PATHS:
        body = spec["paths"][f"/api/v1{path}/{{pk}}"]["patch"]["requestBody"]
        ref = body["content"]["application/json"]["schema"]["$ref"]
        schema = spec["components"]["schemas"][ref.rsplit("/", 1)[-1]]
        assert schema["required"] == ["version"], path


def test_the_docs_page_loads_nothing_from_another_host(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/api/v1/openapi.json" in html
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html, re.IGNORECASE)
    assert "cdn" not in html.lower()
    assets = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)
    assert any(asset.endswith(".js") for asset in assets)
    for asset in assets:
        assert asset.startswith("/"), asset
        assert client.get(asset).status_code == 200, asset
