"""The import page, /people/import/: who sees it, the preview, the import, refusals."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from pilothouse.core.models import ChangeRecord
from pilothouse.core.roles import Role
from pilothouse.people.models import Person
from tests.api.helpers import unchanged
from tests.people.test_imports import csv_of

pytestmark = pytest.mark.django_db

URL = "/people/import/"
GOOD = csv_of(
    [
        ["Email", "Name", "Reports to"],
        ["ana@example.com", "Ana Ortiz", "bo@example.com"],
        ["bo@example.com", "Bo Lind", ""],
    ]
)


def post(client, data, **fields):
    return client.post(URL, {"file": SimpleUploadedFile("people.csv", data), **fields})


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.ADMIN, 200),
        (Role.PRODUCT_LEADER, 200),
        (Role.PRODUCT_MANAGER, 403),
        (Role.CONTRIBUTOR, 403),
        (Role.VIEWER, 403),
    ],
)
def test_only_leaders_and_admins_see_the_page(make_user, as_user, role, status):
    client = as_user(make_user(role))
    assert client.get(URL).status_code == status
    with unchanged(Person, ChangeRecord):
        assert post(client, GOOD, dry_run="on").status_code == status


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/login" in response["Location"]


def test_the_form_lists_every_field_and_previews_by_default(leader, as_user):
    page = as_user(leader).get(URL).content.decode()
    for name in ("email", "manager", "cost_per_year", "cost_currency", "private"):
        assert f'name="map_{name}"' in page
    checkbox = re.search(r'<input[^>]*name="dry_run"[^>]*>', page).group(0)
    assert "checked" in checkbox


def test_a_preview_shows_what_would_happen_and_saves_nothing(leader, as_user):
    with unchanged(Person, ChangeRecord):
        response = post(as_user(leader), GOOD, dry_run="on")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Preview: nothing was saved" in page
    assert "2 would be created" in page
    assert "manager ← “Reports to”" in page


def test_an_import_saves_and_reports(leader, as_user):
    response = post(as_user(leader), GOOD)
    assert response.status_code == 200
    assert "Imported" in response.content.decode()
    assert Person.objects.get(email="ana@example.com").manager.name == "Bo Lind"


def test_refused_rows_are_listed_by_line_and_column(leader, as_user):
    bad = csv_of([["Email", "Name", "Currency", "Cost"], ["ana@example.com", "Ana", "XYZ", "5"]])
    with unchanged(Person, ChangeRecord):
        response = post(as_user(leader), bad)
    assert response.status_code == 422
    page = response.content.decode()
    assert "Nothing was saved" in page
    assert "unknown currency" in page
    assert "<td>Currency</td>" in page


def test_a_mapping_given_on_the_form_is_used(leader, as_user):
    data = csv_of([["Mail", "Who"], ["cy@example.com", "Cy"]])
    response = post(as_user(leader), data, map_email="Mail", map_name="Who")
    assert response.status_code == 200
    assert Person.objects.get().name == "Cy"
    response = post(as_user(leader), data, map_email="Nope")
    assert response.status_code == 422
    assert "there is no column" in response.content.decode()


@override_settings(IMPORT_MAX_UPLOAD_BYTES=10)
def test_a_file_over_the_limit_is_refused(leader, as_user):
    with unchanged(Person, ChangeRecord):
        response = post(as_user(leader), GOOD)
    assert response.status_code == 413


def test_a_file_that_cannot_be_read_is_refused_and_changes_nothing(leader, as_user):
    with unchanged(Person, ChangeRecord):
        response = as_user(leader).post(
            URL, {"file": SimpleUploadedFile("people.xlsx", b"not a workbook")}
        )
    assert response.status_code == 422
    assert "The file cannot be read" in response.content.decode()
