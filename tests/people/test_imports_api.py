"""POST /api/v1/people/import: who may import, the report, dry runs, the mapping, and
refusals (422 naming line and field; nothing saved)."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from pilothouse.core.models import ChangeRecord
from pilothouse.core.roles import Role
from pilothouse.core.tokens import token_create
from pilothouse.people.models import Person
from tests.api.helpers import assert_error, unchanged
from tests.people.test_imports import csv_of

pytestmark = pytest.mark.django_db

URL = "/api/v1/people/import"
GOOD = csv_of(
    [
        ["Email", "Name", "Manager", "Cost", "Currency"],
        ["ana@example.com", "Ana", "bo@example.com", "90000", "EUR"],
        ["bo@example.com", "Bo", "", "120000", "GBP"],
    ]
)
BAD = csv_of(
    [
        ["Email", "Name", "Level"],
        ["ana@example.com", "Ana", "pm"],
        ["ana@example.com", "Ana again", "wizard"],
    ]
)


@pytest.fixture
def upload(make_user):
    """`upload(role, data, **fields)`: the answer to a multipart POST by a user of `role`
    (None: no credentials)."""

    def post(role, data, filename="people.csv", **fields):
        headers = {}
        if role is not None:
            user = make_user(role, username=f"importer-{role}")
            _, secret = token_create(user=user, name="tests")
            headers["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
        body = {"file": SimpleUploadedFile(filename, data), **fields}
        return Client(**headers).post(URL, body)

    return post


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.ADMIN, 200),
        (Role.PRODUCT_LEADER, 200),
        (Role.PRODUCT_MANAGER, 403),
        (Role.CONTRIBUTOR, 403),
        (Role.VIEWER, 403),
        (None, 401),
    ],
)
def test_only_leaders_and_admins_import(upload, role, status):
    if status == 200:
        response = upload(role, GOOD)
        assert response.status_code == 200, response.content
        assert Person.objects.count() == 2
        return
    with unchanged(Person, ChangeRecord):
        response = upload(role, GOOD)
    assert_error(response, status)


def test_the_report_answers_what_was_done(upload):
    response = upload(Role.PRODUCT_LEADER, GOOD)
    body = response.json()
    assert body["committed"] is True
    assert body["counts"]["created"] == 2
    assert body["mapping"]["manager"] == "Manager"
    assert body["format"] == "csv"
    assert Person.objects.get(email="ana@example.com").manager.email == "bo@example.com"


def test_a_dry_run_saves_nothing(upload):
    with unchanged(Person, ChangeRecord):
        response = upload(Role.PRODUCT_LEADER, GOOD, dry_run="true")
    assert response.status_code == 200
    body = response.json()
    assert body["dry_run"] is True
    assert body["committed"] is False
    assert body["counts"]["created"] == 2


def test_a_mapping_names_the_columns(upload):
    data = csv_of([["Mail", "Who"], ["cy@example.com", "Cy"]])
    response = upload(Role.ADMIN, data, mapping=json.dumps({"email": "Mail", "name": "Who"}))
    assert response.status_code == 200, response.content
    assert Person.objects.get().name == "Cy"


def test_refused_rows_answer_422_naming_line_and_field(upload):
    with unchanged(Person, ChangeRecord):
        response = upload(Role.PRODUCT_LEADER, BAD)
    body = assert_error(response, 422, "lines.3.email")
    fields = {error["field"] for error in body["errors"]}
    assert fields == {"lines.3.email"}  # a duplicate is refused before its level is read
    assert "1 of 2 rows were refused" in body["detail"]


def test_a_file_that_does_not_fit_is_refused(upload):
    with unchanged(Person, ChangeRecord):
        response = upload(Role.PRODUCT_LEADER, csv_of([["Name"], ["Ana"]]))
    assert_error(response, 422, "mapping")
    response = upload(Role.PRODUCT_LEADER, b"\xff\xfe\x00garbage", filename="people.xlsx")
    assert_error(response, 422, "file")


def test_the_endpoint_is_documented(client):
    spec = client.get("/api/v1/openapi.json").json()
    operation = spec["paths"][URL]["post"]
    assert operation["operationId"] == "people_import"
    assert "multipart/form-data" in operation["requestBody"]["content"]
