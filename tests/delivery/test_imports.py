"""Importing a team's work items from a CSV file: columns found by alias, re-imports that
count nothing twice, refused rows named by line and field with nothing saved, and the
API endpoint with its permission."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from pilothouse.core.models import ChangeRecord
from pilothouse.core.roles import Role
from pilothouse.delivery import selectors
from pilothouse.delivery.imports import import_work_items
from pilothouse.delivery.models import Team, WorkItem
from tests.api.helpers import assert_error
from tests.factories import ProductFactory, ProductLineFactory

pytestmark = pytest.mark.django_db
D = dt.date

EXPORT = (
    "Issue key,Summary,Resolved,Assignee\n"
    "PAY-1,Refund button,2026-03-02,ada\n"
    "PAY-2,Wallet top-up,2026-03-04,bo\n"
    "PAY-3,Receipt emails,2026-03-12,ada\n"
)


@pytest.fixture
def team():
    return Team.objects.create(name="Checkout squad")


def test_an_export_is_imported_with_its_columns_found_by_alias(team):
    result = import_work_items(team=team, source=EXPORT.encode(), filename="x.csv", actor=None)
    assert result.report.committed
    assert result.mapping == {
        "title": "Summary",
        "completed_on": "Resolved",
        "external_id": "Issue key",
    }
    assert result.ignored_columns == ["Assignee"]
    items = sorted(WorkItem.objects.values_list("external_id", "title", "completed_on", "source"))
    assert items[0] == ("PAY-1", "Refund button", D(2026, 3, 2), "csv")
    weeks = selectors.throughput(team_ids=[team.pk], first=D(2026, 3, 2), last=D(2026, 3, 9))
    assert [w.count for w in weeks[team.pk]] == [2, 1]


def test_importing_the_same_export_again_counts_nothing_twice(team):
    import_work_items(team=team, source=EXPORT.encode(), filename="x.csv", actor=None)
    changed = EXPORT.replace("Receipt emails,2026-03-12", "Receipt emails (PDF),2026-03-13")
    result = import_work_items(team=team, source=changed.encode(), filename="x.csv", actor=None)
    assert result.report.counts["unchanged"] == 2
    assert result.report.counts["updated"] == 1
    assert WorkItem.objects.count() == 3
    assert WorkItem.objects.get(external_id="PAY-3").completed_on == D(2026, 3, 13)


def test_refused_rows_are_named_and_nothing_is_saved(team):
    bad = EXPORT + "PAY-4,,2026-03-15,\nPAY-5,Late,someday,\nPAY-1,Again,2026-03-16,\n"
    before = ChangeRecord.objects.count()
    result = import_work_items(team=team, source=bad.encode(), filename="x.csv", actor=None)
    report = result.report
    assert not report.committed
    assert {(e.line, e.field) for e in report.errors} == {
        (5, "title"),
        (6, "completed_on"),
        (7, "external_id"),
    }
    assert not WorkItem.objects.exists()
    assert ChangeRecord.objects.count() == before


def test_the_api_imports_as_a_steward_and_refuses_others(team, api_as, make_user):
    pm = make_user(Role.PRODUCT_MANAGER, username="pm")
    team.products.add(ProductFactory(product_line=ProductLineFactory(owner=pm)))
    url = f"/api/v1/teams/{team.pk}/work-items/import"

    def upload(user, body=EXPORT, **fields):
        client = api_as(user).client
        data = {"file": SimpleUploadedFile("export.csv", body.encode()), **fields}
        return client.post(url, data)

    viewer = make_user(Role.VIEWER, username="viewer")
    assert_error(upload(viewer), 403)
    dry = upload(pm, dry_run="true")
    assert dry.status_code == 200, dry.content
    assert dry.json()["counts"]["created"] == 3
    assert not WorkItem.objects.exists()
    done = upload(pm)
    assert done.status_code == 200
    assert WorkItem.objects.filter(created_by=pm).count() == 3
    refused = upload(pm, body="Summary,Resolved\nx,never\n")
    body = assert_error(refused, 422, "lines.2.completed_on")
    assert "nothing was saved" in body["detail"]
    assert_error(upload(pm, body="Owner\nada\n"), 422, "mapping")
