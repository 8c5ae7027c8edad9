"""The import page (/customers/import/): who may import what, the upload and its limit,
the mapping step with its dry run and sample, the import (all or nothing, or keeping
the good rows), re-imports, the kept upload, and escaping."""

from __future__ import annotations

import os
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from pilothouse.customers import import_views
from pilothouse.customers.models import Customer, Note
from tests.customers.test_imports import csv_of
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

URL = reverse("customers:import")
MAP_URL = URL + "?step=map"
SCRIPT = "<script>alert('x')</script>"
NOTES = csv_of(
    [
        ["ID", "Feedback", "Customer ID"],
        ["N1", "Exports time out", "C1"],
        ["N2", "Love the board", ""],
    ]
)
CUSTOMERS = csv_of(
    [
        ["Customer ID", "Company", "ARR"],
        ["C5", "Globex", "5000"],
        ["C6", "Initech", "-10"],
        ["C7", "Umbrella", "7000"],
    ]
)


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path


@pytest.fixture(autouse=True)
def acme(db):
    return CustomerFactory(name="Acme", external_id="C1")


def uploads(data_dir) -> list[str]:
    folder = data_dir / "uploads"
    return sorted(path.name for path in folder.iterdir()) if folder.is_dir() else []


def upload(client, data: bytes, kind: str = "feedback", filename: str = "file.csv"):
    body = {"action": "upload", "kind": kind, "file": SimpleUploadedFile(filename, data)}
    return client.post(URL, body)


def mapping_data(response, action: str = "preview", **changes) -> dict[str, str]:
    """The mapping form of `response` as the page fills it in, with `changes`."""
    form = response.context["form"]
    data = {"action": action}
    for field in [*form.mapping_fields(), *form.option_fields()]:
        value = field.value()
        if value not in (None, False, ""):
            data[field.html_name] = "on" if value is True else str(value)
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data


def uploaded(client, data: bytes, kind: str = "feedback"):
    """Upload `data` and return the mapping step's page."""
    response = upload(client, data, kind)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response.url == MAP_URL
    return client.get(MAP_URL)


def counts(response) -> dict[str, int]:
    return dict(response.context["tiles"])


# --- who may import what ---------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(client):
    for response in (client.get(URL), client.post(URL, {"action": "upload"})):
        assert response.status_code == 302
        assert response.url.startswith(reverse("core:login") + "?next=")


def test_viewers_may_not_import(client, web_world):
    client.force_login(web_world.viewer)
    assert client.get(URL).status_code == 403
    with_file = upload(client, NOTES)
    assert with_file.status_code == 403
    assert Note.objects.count() == 0


def test_contributors_import_feedback_only(client, web_world, data_dir):
    client.force_login(web_world.contributor)
    page = client.get(URL)
    assert page.status_code == 200
    assert [value for value, _ in page.context["form"].fields["kind"].choices] == ["feedback"]
    assert upload(client, CUSTOMERS, kind="customers").status_code == 403
    assert uploads(data_dir) == []
    preview = uploaded(client, NOTES)
    assert preview.status_code == 200
    assert counts(preview)["Would create"] == 2


def test_product_managers_import_both(client, web_world):
    client.force_login(web_world.pm)
    page = client.get(URL)
    choices = [value for value, _ in page.context["form"].fields["kind"].choices]
    assert choices == ["feedback", "customers"]
    assert counts(uploaded(client, CUSTOMERS, kind="customers"))["Would create"] == 2


def test_the_section_nav_offers_import_to_those_who_may(client, web_world):
    client.force_login(web_world.contributor)
    assert f'href="{URL}"'.encode() in client.get(reverse("customers:inbox")).content
    client.force_login(web_world.viewer)
    assert f'href="{URL}"'.encode() not in client.get(reverse("customers:inbox")).content


# --- the mapping step and its dry run ----------------------------------------------------------


def test_the_dry_run_writes_nothing(client, web_world, data_dir):
    client.force_login(web_world.pm)
    preview = uploaded(client, NOTES)
    assert preview.status_code == 200
    assert counts(preview) == {
        "Would create": 2,
        "Would update": 0,
        "Unchanged": 0,
        "Would fail": 0,
    }
    again = client.post(URL, mapping_data(preview))
    assert counts(again)["Would create"] == 2
    assert Note.objects.count() == 0
    assert len(uploads(data_dir)) == 1  # kept for the next step


def test_the_automatic_mapping_prefills_the_selects(client, web_world):
    client.force_login(web_world.pm)
    form = uploaded(client, NOTES).context["form"]
    assert form["map_text"].value() == "Feedback"
    assert form["map_external_id"].value() == "ID"
    assert form["map_customer"].value() == "Customer ID"
    assert form["map_title"].value() == ""


def test_the_mapping_chosen_in_the_form_is_used(client, web_world):
    client.force_login(web_world.pm)
    data = csv_of([["ID", "Feedback", "Remark"], ["N1", "auto text", "chosen text"]])
    preview = uploaded(client, data)
    chosen = mapping_data(preview, map_text="Remark")
    again = client.post(URL, chosen)
    assert again.context["form"]["map_text"].value() == "Remark"
    assert again.context["result"].mapping["text"] == "Remark"
    done = client.post(URL, {**chosen, "action": "import"})
    assert done.status_code == 200, done.content.decode()[:2000]
    assert list(Note.objects.values_list("text", flat=True)) == ["chosen text"]


def test_a_mapping_that_does_not_fit_is_explained(client, web_world):
    client.force_login(web_world.pm)
    preview = uploaded(client, NOTES)
    response = client.post(URL, mapping_data(preview, map_text=None))
    assert response.status_code == 200
    assert "no column for the required field" in response.content.decode()
    assert response.context["result"] is None
    refused = client.post(URL, mapping_data(preview, action="import", map_text=None))
    assert refused.status_code == 422
    assert Note.objects.count() == 0


def test_per_row_errors_show_their_line_and_column(client, web_world):
    client.force_login(web_world.pm)
    preview = uploaded(client, CUSTOMERS, kind="customers")
    assert counts(preview)["Would fail"] == 1
    [error] = preview.context["errors"]
    assert (error.line, error.column, error.field) == (3, "ARR", "arr")
    page = preview.content.decode()
    assert '<td class="number">3</td>' in page
    assert "<td>ARR</td>" in page
    assert Customer.objects.count() == 1


def test_the_sample_shows_the_first_rows_as_read(client, web_world):
    client.force_login(web_world.pm)
    sample = uploaded(client, CUSTOMERS, kind="customers").context["sample"]
    assert sample.columns == ["Customer ID", "Company", "ARR"]
    assert sample.rows[0] == (2, ["C5", "Globex", "5000"])
    assert len(sample.rows) == 3


def test_cells_are_escaped_in_the_preview(client, web_world):
    client.force_login(web_world.pm)
    data = csv_of([["Feedback", SCRIPT], [SCRIPT, "x"], ["", SCRIPT]])
    preview = uploaded(client, data)
    page = preview.content.decode()
    assert SCRIPT not in page
    assert "&lt;script&gt;" in page
    assert counts(preview)["Would fail"] == 1  # the row without text


# --- importing -----------------------------------------------------------------------------


def test_all_or_nothing_refuses_and_writes_nothing(client, web_world, data_dir):
    client.force_login(web_world.pm)
    preview = uploaded(client, CUSTOMERS, kind="customers")
    response = client.post(URL, mapping_data(preview, action="import"))
    assert response.status_code == 422
    assert "nothing was saved" in response.content.decode()
    assert response.context["report"].committed is False
    assert response.context["errors"][0].line == 3
    assert set(Customer.objects.values_list("name", flat=True)) == {"Acme"}
    assert len(uploads(data_dir)) == 1  # kept, to try again


def test_keeping_the_good_rows(client, web_world, data_dir):
    client.force_login(web_world.pm)
    preview = uploaded(client, CUSTOMERS, kind="customers")
    response = client.post(URL, mapping_data(preview, action="import", partial="on"))
    assert response.status_code == 200
    assert counts(response)["Created"] == 2
    assert counts(response)["Refused"] == 1
    assert set(Customer.objects.values_list("name", flat=True)) == {"Acme", "Globex", "Umbrella"}
    assert "customers_import" not in client.session
    assert uploads(data_dir) == []  # removed once saved


def test_a_reimport_leaves_everything_unchanged(client, web_world):
    client.force_login(web_world.pm)
    first = client.post(URL, mapping_data(uploaded(client, NOTES), action="import"))
    assert counts(first)["Created"] == 2
    preview = uploaded(client, NOTES)
    assert counts(preview)["Unchanged"] == 2
    second = client.post(URL, mapping_data(preview, action="import"))
    assert second.status_code == 200
    assert counts(second) == {"Created": 0, "Updated": 0, "Unchanged": 2, "Refused": 0}
    assert Note.objects.count() == 2


def test_feedback_options_reach_the_import(client, web_world):
    client.force_login(web_world.pm)
    data = csv_of([["Feedback", "Customer name"], ["Please add dark mode", "Newco"]])
    preview = uploaded(client, data)
    assert counts(preview)["Would fail"] == 1  # an unknown customer
    chosen = mapping_data(preview, action="import", create_customers="on", default_source="support")
    assert client.post(URL, chosen).status_code == 200
    note = Note.objects.get()
    assert (note.customer.name, note.source) == ("Newco", "support")


# --- the upload ------------------------------------------------------------------------------


def test_a_file_over_the_limit_is_refused(client, web_world, settings, data_dir):
    settings.IMPORT_MAX_UPLOAD_BYTES = 20
    client.force_login(web_world.pm)
    response = upload(client, NOTES)
    assert response.status_code == 413
    assert "the limit is 20 bytes" in response.content.decode()
    assert uploads(data_dir) == []
    assert Note.objects.count() == 0


def test_a_file_that_cannot_be_read(client, web_world):
    client.force_login(web_world.pm)
    response = uploaded(client, b"PK\x03\x04 not really a spreadsheet", kind="feedback")
    assert response.status_code == 422
    assert response.context["file_error"]


def test_the_upload_is_the_sessions_own(client, web_world, data_dir):
    client.force_login(web_world.pm)
    uploaded(client, NOTES)
    [name] = uploads(data_dir)
    token = client.session["customers_import"]["token"]
    assert name == f"import-{token}.upload"
    assert oct((data_dir / "uploads" / name).stat().st_mode & 0o777) == "0o600"
    other = type(client)()
    other.force_login(web_world.other_pm)
    assert other.get(MAP_URL).status_code == 302  # nothing uploaded in this session
    assert other.post(URL, {"action": "import"}).status_code == 302
    assert Note.objects.count() == 0


def test_starting_over_removes_the_upload(client, web_world, data_dir):
    client.force_login(web_world.pm)
    uploaded(client, NOTES)
    assert client.post(URL, {"action": "restart"}).status_code == 302
    assert uploads(data_dir) == []
    assert client.get(MAP_URL).status_code == 302


def test_uploads_older_than_an_hour_are_removed(client, web_world, data_dir):
    client.force_login(web_world.pm)
    uploaded(client, NOTES)
    [name] = uploads(data_dir)
    session = client.session
    session["customers_import"]["at"] = time.time() - import_views.MAX_AGE - 1
    session.save()
    assert client.get(MAP_URL).status_code == 302  # too old: gone
    assert uploads(data_dir) == []
    uploaded(client, NOTES)
    [stale] = uploads(data_dir)
    old = time.time() - import_views.MAX_AGE - 60
    os.utime(data_dir / "uploads" / stale, (old, old))
    uploaded(client, CUSTOMERS, kind="customers")  # every upload sweeps the stale ones
    assert stale not in uploads(data_dir)
    assert len(uploads(data_dir)) == 1
    assert name != stale


def test_contributors_may_not_carry_on_with_a_customer_upload(client, web_world):
    """A session's upload is checked against the user at every step."""
    client.force_login(web_world.pm)
    uploaded(client, CUSTOMERS, kind="customers")
    session = client.session
    entry = session["customers_import"]
    entry["user"] = web_world.contributor.pk
    client.force_login(web_world.contributor)
    session = client.session
    session["customers_import"] = entry
    session.save()
    assert client.get(MAP_URL).status_code == 403
    assert client.post(URL, {"action": "import"}).status_code == 403
    assert Customer.objects.count() == 1
