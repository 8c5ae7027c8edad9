"""POST /api/v1/imports/feedback and /imports/customers: multipart uploads, who may
import, the report, refusals (422 naming line and field), and the upload limit (413)."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from pilothouse.core.roles import Role
from pilothouse.core.tokens import token_create
from pilothouse.customers.models import Customer, Note, Tag
from tests.api.helpers import assert_error, unchanged
from tests.customers.test_imports import csv_of
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

FEEDBACK = "/api/v1/imports/feedback"
CUSTOMERS = "/api/v1/imports/customers"
NOTES = csv_of(
    [
        ["ID", "Feedback", "Customer ID", "Tags"],
        ["N1", "Exports time out", "C1", "exports"],
        ["N2", "Love the board", "", ""],
    ]
)
CUSTOMER_FILE = csv_of([["Customer ID", "Company", "ARR"], ["C5", "Globex", "5000"]])


@pytest.fixture(autouse=True)
def acme(db):
    return CustomerFactory(name="Acme", external_id="C1")


@pytest.fixture
def upload(make_user):
    """`upload(role, url, data, **fields)`: the answer to a multipart POST by a user of
    `role` (None: no credentials)."""

    def post(role, url, data, filename="notes.csv", **fields):
        headers = {}
        if role is not None:
            user = make_user(role, username=f"{role}-{make_user.__hash__()}-{len(fields)}")
            _, secret = token_create(user=user, name="tests")
            headers["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
        body = {"file": SimpleUploadedFile(filename, data), **fields}
        return Client(**headers).post(url, body)

    return post


ROLES_FEEDBACK = {
    Role.ADMIN: 200,
    Role.PRODUCT_LEADER: 200,
    Role.PRODUCT_MANAGER: 200,
    Role.CONTRIBUTOR: 200,
    Role.VIEWER: 403,
    None: 401,
}
ROLES_CUSTOMERS = {**ROLES_FEEDBACK, Role.CONTRIBUTOR: 403}


@pytest.mark.parametrize("role", list(ROLES_FEEDBACK), ids=str)
def test_who_may_import_feedback(upload, role):
    expected = ROLES_FEEDBACK[role]
    if expected == 200:
        response = upload(role, FEEDBACK, NOTES)
        assert response.status_code == 200, response.content
        assert response.json()["counts"]["created"] == 2
        assert Note.objects.count() == 2
    else:
        with unchanged(Note):
            response = upload(role, FEEDBACK, NOTES)
        assert_error(response, expected)


@pytest.mark.parametrize("role", list(ROLES_CUSTOMERS), ids=str)
def test_who_may_import_customers(upload, role):
    expected = ROLES_CUSTOMERS[role]
    if expected == 200:
        response = upload(role, CUSTOMERS, CUSTOMER_FILE)
        assert response.status_code == 200, response.content
        assert Customer.objects.get(external_id="C5").name == "Globex"
    else:
        with unchanged(Customer):
            response = upload(role, CUSTOMERS, CUSTOMER_FILE)
        assert_error(response, expected)


def test_the_report(upload):
    response = upload(Role.PRODUCT_LEADER, FEEDBACK, NOTES)
    body = response.json()
    assert body["committed"] is True
    assert body["dry_run"] is False
    assert body["counts"] == {"created": 2, "updated": 0, "unchanged": 0, "skipped": 0}
    assert body["mapping"] == {
        "text": "Feedback",
        "customer": "Customer ID",
        "tags": "Tags",
        "external_id": "ID",
    }
    assert (body["errors"], body["failed"], body["format"]) == ([], 0, "csv")
    again = upload(Role.PRODUCT_LEADER, FEEDBACK, NOTES).json()
    assert again["counts"]["unchanged"] == 2


def test_refused_rows_answer_422_naming_line_and_field_and_nothing_is_written(upload):
    data = NOTES + b"N3,Who is this?,C404,\n"
    with unchanged(Note, Tag):
        response = upload(Role.PRODUCT_LEADER, FEEDBACK, data)
    body = assert_error(response, 422, "lines.4.customer")
    assert body["detail"] == "1 of 3 rows were refused; nothing was saved."
    assert body["errors"] == [
        {
            "field": "lines.4.customer",
            "message": "line 4, column 'Customer ID': there is no customer with the external "
            "id 'C404'",
        }
    ]


def test_partial_saves_the_good_rows_and_lists_the_bad(upload):
    data = NOTES + b"N3,Who is this?,C404,\n"
    response = upload(Role.PRODUCT_LEADER, FEEDBACK, data, partial="true")
    body = response.json()
    assert response.status_code == 200
    assert (body["committed"], body["failed"], body["counts"]["created"]) == (True, 1, 2)
    assert body["errors"][0]["line"] == 4
    assert body["errors"][0]["field"] == "customer"
    assert body["errors"][0]["column"] == "Customer ID"


def test_a_dry_run_answers_the_report_and_writes_nothing(upload):
    data = NOTES + b"N3,Who is this?,C404,\n"
    with unchanged(Note, Tag):
        response = upload(Role.PRODUCT_LEADER, FEEDBACK, data, dry_run="true")
    body = response.json()
    assert response.status_code == 200
    assert (body["dry_run"], body["committed"], body["counts"]["created"]) == (True, False, 2)
    assert body["errors"][0]["line"] == 4


def test_a_mapping_and_options(upload):
    data = csv_of([["Body", "Company ref", "Other"], ["Hello", "C9", "x"]])
    mapping = json.dumps({"text": "Body", "customer": "Company ref"})
    response = upload(
        Role.PRODUCT_LEADER,
        FEEDBACK,
        data,
        mapping=mapping,
        create_customers="true",
        default_source="email",
    )
    assert response.status_code == 200, response.content
    note = Note.objects.get()
    assert (note.text, note.customer.external_id, note.source) == ("Hello", "C9", "email")
    assert response.json()["ignored_columns"] == ["Other"]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"mapping": "{not json"}, "mapping"),
        ({"mapping": json.dumps({"text": 3})}, "mapping"),
        ({"mapping": json.dumps({"text": "Nope"})}, "mapping"),
        ({"dry_run": "perhaps"}, "dry_run"),
        ({"default_source": "fax"}, "default_source"),
    ],
)
def test_bad_fields_answer_422_naming_them(upload, fields, field):
    with unchanged(Note):
        response = upload(Role.PRODUCT_LEADER, FEEDBACK, NOTES, **fields)
    assert_error(response, 422, field)


def test_an_unreadable_file_answers_422_naming_the_file(upload):
    with unchanged(Note):
        response = upload(Role.PRODUCT_LEADER, FEEDBACK, "Café\n".encode("latin-1"))
    body = assert_error(response, 422, "file")
    assert "not UTF-8" in body["errors"][0]["message"]
    response = upload(Role.PRODUCT_LEADER, FEEDBACK, b"PK\x03\x04broken", filename="x.xlsx")
    assert_error(response, 422, "file")
    big_cell = b'Feedback\n"' + b"x" * 200_000 + b'"\n'
    body = assert_error(upload(Role.PRODUCT_LEADER, FEEDBACK, big_cell), 422, "file")
    assert "longer than the limit" in body["errors"][0]["message"]


def test_a_request_without_a_file(make_user):
    user = make_user(Role.ADMIN, username="boss")
    _, secret = token_create(user=user, name="tests")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert_error(client.post(FEEDBACK, {"dry_run": "true"}), 422, "file")
    assert_error(client.post(FEEDBACK, "{}", content_type="application/json"), 422, "file")


@override_settings(IMPORT_MAX_UPLOAD_BYTES=1000)
def test_an_upload_over_the_limit_answers_413(upload):
    data = NOTES + b"N9," + b"x" * 2000 + b",,\n"
    with unchanged(Note):
        response = upload(Role.PRODUCT_LEADER, FEEDBACK, data)
    body = assert_error(response, 413, "file")
    assert body["detail"].startswith("The upload is 2,")
    assert "bytes; the limit is 1,000 bytes." in body["detail"]
    assert "Split the file, or import it on the server with `pilothouse import`" in body["detail"]


def test_an_upload_over_the_limit_is_refused_before_it_is_read(make_user, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 1024
    user = make_user(Role.ADMIN, username="boss")
    _, secret = token_create(user=user, name="tests")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    response = client.post(
        FEEDBACK,
        b"x" * 10,
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH="99999999",
    )
    body = assert_error(response, 413, "file")
    assert body["detail"].startswith("The upload is 95.4 MB; the limit is 1,024 bytes.")


def test_the_endpoints_are_documented(admin_api):
    paths = admin_api.get("/openapi.json").json()["paths"]
    for path in (FEEDBACK, CUSTOMERS):
        body = paths[path]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]
        assert body["required"] == ["file"]
        assert {"file", "mapping", "dry_run", "partial"} <= set(body["properties"])
