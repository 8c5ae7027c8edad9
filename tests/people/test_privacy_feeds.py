"""Change feeds (core.selectors.change_list: the recent-changes page, the home page and
/api/v1/changes) and private data: records of private records (PRIVATE_RECORDS) only
for product leaders and admins, a private person's records only for those who may see
them, and a person's cost nowhere."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from pilothouse.core import selectors
from pilothouse.core.roles import Role
from pilothouse.people import services
from pilothouse.people.models import CareerLevel, Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(make_user):
    """A lead with a report, who has an assessment, and a private hire under the lead."""
    lead_user = make_user(Role.PRODUCT_MANAGER, username="lead")
    lead = services.person.create(actor=None, data={"name": "Lena Lead", "user": lead_user})
    report = services.person.create(
        actor=None,
        data={
            "name": "Rafa Report",
            "manager": lead,
            "cost_per_year": Decimal("99000"),
            "cost_currency": "EUR",
        },
    )
    hire = services.person.create(
        actor=None, data={"name": "Hugo Hidden", "manager": lead, "private": True}
    )
    assessment = services.assessment.create(
        actor=None,
        data={
            "person": report,
            "level": CareerLevel.objects.get(key="pm"),
            "period": "2026 H1",
            "assessed_on": dt.date(2026, 6, 1),
            "summary": "Quiet but sharp",
        },
    )
    return {"lead": lead_user, "report": report, "hire": hire, "assessment": assessment}


def kinds(records) -> set[tuple[str, int]]:
    return {(record.content_type.model, record.object_id) for record in records}


@pytest.mark.parametrize("role", [Role.ADMIN, Role.PRODUCT_LEADER])
def test_portfolio_wide_roles_see_every_record(team, make_user, role):
    shown = kinds(selectors.change_list(viewer=make_user(role, username="wide")))
    assert ("assessment", team["assessment"].pk) in shown
    assert ("person", team["hire"].pk) in shown


def test_a_manager_sees_their_private_report_but_not_private_records_in_a_feed(team):
    shown = kinds(selectors.change_list(viewer=team["lead"]))
    assert ("person", team["hire"].pk) in shown
    assert ("assessment", team["assessment"].pk) not in shown
    assert ("person", team["report"].pk) in shown


@pytest.mark.parametrize("role", [Role.PRODUCT_MANAGER, Role.CONTRIBUTOR, Role.VIEWER])
def test_others_see_neither(team, make_user, role):
    viewer = make_user(role, username="other")
    records = selectors.change_list(viewer=viewer)
    shown = kinds(records)
    assert ("person", team["hire"].pk) not in shown
    assert ("assessment", team["assessment"].pk) not in shown
    assert ("person", team["report"].pk) in shown
    assert records.count() == len(list(records))
    # Filtering by type or id does not bring them back.
    assert not selectors.change_list(viewer=viewer, model="assessment").exists()
    assert not selectors.change_list(
        viewer=viewer, model="person", object_id=team["hire"].pk
    ).exists()


def test_without_a_viewer_a_feed_shows_only_what_anyone_may_see(team):
    shown = kinds(selectors.change_list())
    assert ("assessment", team["assessment"].pk) not in shown
    assert ("person", team["hire"].pk) not in shown
    assert ("person", team["report"].pk) in shown


def test_a_hidden_person_is_named_by_id_in_other_records(team, make_user):
    """Moving someone under the private hire: the change names the hire only to those who
    may see them."""
    moved = services.person.create(actor=None, data={"name": "Mo Moved"})
    services.person.update(actor=None, instance=moved, version=None, data={"manager": team["hire"]})
    record = selectors.change_list(model="person", object_id=moved.pk, action="update").get()

    def described(viewer) -> str:
        (change,) = selectors.describe_changes([record], viewer=viewer)[0].field_changes
        return change.after

    assert described(make_user(Role.PRODUCT_LEADER, username="lea")) == "Hugo Hidden"
    assert described(team["lead"]) == "Hugo Hidden"
    assert described(make_user(Role.VIEWER, username="vic")) == f"#{team['hire'].pk}"
    assert described(None) == f"#{team['hire'].pk}"


def test_the_cost_is_never_logged(team):
    report = Person.objects.get(pk=team["report"].pk)
    services.person.update(
        actor=None, instance=report, version=None, data={"cost_per_year": Decimal("101000")}
    )
    records = selectors.change_list(model="person", object_id=report.pk)
    assert records.count() == 2  # created, then changed: recorded without the value
    for record in records:
        assert not {"cost_per_year", "cost_currency"} & (set(record.before) | set(record.after))
        assert "99000" not in str(record.after)
        assert "101000" not in str(record.after)


@pytest.mark.parametrize("role", [Role.PRODUCT_MANAGER, Role.CONTRIBUTOR, Role.VIEWER])
def test_the_recent_changes_and_home_pages_leave_private_records_out(
    team, make_user, as_user, role
):
    client = as_user(make_user(role, username="reader"))
    for url in ("/changes/", "/"):
        html = client.get(url).content.decode()
        assert "Lena Lead" in html or url == "/"  # the page does list changes
        assert "Assessment 2026 H1" not in html
        assert "Hugo Hidden" not in html
        assert "99000" not in html


def test_a_level_change_is_described_by_the_levels_names(team):
    """A person's level is logged by its key (the column holds it), and named by the level."""
    report = Person.objects.get(pk=team["report"].pk)
    services.person.update(actor=None, instance=report, version=None, data={"level": "pm"})
    services.person.update(actor=None, instance=report, version=None, data={"level": "senior_pm"})
    record = selectors.change_list(model="person", object_id=report.pk, action="update").first()
    (change,) = selectors.describe_changes([record])[0].field_changes
    assert (change.before, change.after) == ("Product manager", "Senior PM")
