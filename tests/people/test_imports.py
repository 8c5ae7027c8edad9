"""Importing people from an HR export: creating, updating by email, mapping columns, the
reporting lines within the file, dry runs, and who may import."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied

from pilothouse.core.imports import RowOutcome
from pilothouse.core.models import ChangeRecord
from pilothouse.core.roles import Role
from pilothouse.people.imports import import_people
from pilothouse.people.models import EmploymentType, Person
from tests.factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

HEADER = [
    "Email",
    "Name",
    "Title",
    "Level",
    "Manager",
    "Location",
    "Start date",
    "Employment type",
    "FTE",
    "Cost",
    "Currency",
    "Private",
]


def csv_of(rows: list[list[object]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode()


def people_file(*rows: list[object], header=HEADER) -> bytes:
    return csv_of([header, *rows])


def run(data: bytes, actor=None, **options):
    return import_people(source=data, filename="people.csv", actor=actor, **options)


def counts(result) -> dict[str, int]:
    return {outcome.value: n for outcome, n in result.report.counts.items() if n}


TEAM = people_file(
    # The report comes before the manager: the file is read whole before it is written.
    ["ana@example.com", "Ana Ortiz", "Product Manager", "pm", "bo@example.com", "Berlin",
     "2024-03-01", "full time", "1", "98000", "EUR", "no"],
    ["bo@example.com", "Bo Lind", "Group PM", "Group PM / product lead", "", "London",
     "2021-09-15", "Part-time", "80%", "120000", "gbp", "no"],
    ["cy@example.com", "Cy Moreau", "Associate PM", "ASSOCIATE_PM", "ana@example.com", "Paris",
     "2026-07-01", "Contractor", "0.5", "", "", "yes"],
)  # fmt: skip


def test_a_file_creates_people_with_every_field_and_their_reporting_lines(leader):
    result = run(TEAM, leader)
    assert result.report.committed
    assert counts(result) == {"created": 3}
    ana, bo, cy = (Person.objects.get(email=f"{n}@example.com") for n in ("ana", "bo", "cy"))
    assert ana.manager == bo
    assert cy.manager == ana
    assert bo.manager is None
    assert (ana.level_id, bo.level_id, cy.level_id) == ("pm", "group_pm", "associate_pm")
    assert ana.job_title == "Product Manager"
    assert ana.location == "Berlin"
    assert ana.start_date == dt.date(2024, 3, 1)
    assert bo.employment_type == EmploymentType.PART_TIME
    assert bo.fte == Decimal("0.80")
    assert (bo.cost_per_year, bo.cost_currency) == (Decimal("120000"), "GBP")
    assert cy.employment_type == EmploymentType.CONTRACTOR
    assert cy.fte == Decimal("0.50")
    assert cy.cost_per_year is None
    assert cy.private
    assert not ana.private
    assert ana.created_by == leader


def test_each_new_person_is_logged_without_their_cost(leader):
    run(TEAM, leader)
    records = ChangeRecord.objects.filter(content_type__model="person", action="create")
    assert records.count() == 3
    for record in records:
        assert record.actor == leader
        assert "cost_per_year" not in record.after
        assert "cost_currency" not in record.after
    bo = records.get(object_repr="Bo Lind")
    assert bo.after["fte"] == "0.80"
    assert bo.after["email"] == "bo@example.com"


def test_a_dry_run_reports_what_would_happen_and_writes_nothing(leader):
    PersonFactory(email="bo@example.com", name="Bo Lind")
    result = run(TEAM, leader, dry_run=True)
    assert not result.report.committed
    assert counts(result) == {"created": 2, "updated": 1}
    assert Person.objects.count() == 1
    assert not ChangeRecord.objects.exists()


def test_a_reimport_updates_people_by_email_whatever_the_case(leader):
    run(TEAM, leader)
    again = people_file(
        ["ANA@Example.com", "Ana Ortiz", "Senior Product Manager", "senior_pm",
         "bo@example.com", "Berlin", "2024-03-01", "full time", "1", "98000", "EUR", "no"],
        ["bo@example.com", "Bo Lind", "Group PM", "group_pm", "", "London",
         "2021-09-15", "part time", "0.8", "120000", "GBP", "no"],
    )  # fmt: skip
    result = run(again, leader)
    assert counts(result) == {"updated": 1, "unchanged": 1}
    ana = Person.objects.get(email="ana@example.com")  # the email keeps its case
    assert (ana.job_title, ana.level_id, ana.version) == ("Senior Product Manager", "senior_pm", 2)
    assert Person.objects.count() == 3
    update = ChangeRecord.objects.get(action="update")
    assert update.before == {"job_title": "Product Manager", "level": "pm"}


def test_a_change_of_cost_alone_is_saved_and_logged_without_the_amount(leader):
    person = PersonFactory(email="dee@example.com", cost_per_year=100_000, cost_currency="USD")
    data = csv_of([["Email", "Cost"], ["dee@example.com", "110000"]])
    result = run(data, leader)
    assert counts(result) == {"updated": 1}
    person.refresh_from_db()
    assert person.cost_per_year == Decimal("110000")
    assert person.version == 2
    record = ChangeRecord.objects.get(action="update", object_id=person.pk)
    assert "110000" not in str(record.after) + str(record.before)


def test_unmapped_fields_are_left_alone_and_empty_cells_clear(leader):
    boss = PersonFactory(email="boss@example.com")
    person = PersonFactory(
        email="eve@example.com",
        name="Eve",
        job_title="PM",
        location="Oslo",
        manager=boss,
        level_id="pm",
    )
    data = csv_of([["Email", "Title", "Manager", "Name"], ["eve@example.com", "", "", ""]])
    assert counts(run(data, leader)) == {"updated": 1}
    person.refresh_from_db()
    assert person.job_title == ""  # mapped, empty: cleared
    assert person.manager is None
    assert person.name == "Eve"  # an empty name keeps the name
    assert person.location == "Oslo"  # not mapped: left as it is
    assert person.level_id == "pm"


def test_hr_style_headers_are_recognized_and_first_and_last_names_joined(leader):
    data = csv_of(
        [
            ["Work Email", "First Name", "Last Name", "Job Title", "Reports To", "Hire Date",
             "Office", "Annual Cost", "Cost Currency"],
            ["fay@example.com", "Fay", "Nakamura", "PM", "", "2023-01-09", "Tokyo", "9000000",
             "JPY"],
        ]
    )  # fmt: skip
    result = run(data, leader)
    assert result.mapping["email"] == "Work Email"
    assert result.mapping["manager"] == "Reports To"
    fay = Person.objects.get()
    assert fay.name == "Fay Nakamura"
    assert (fay.start_date, fay.location) == (dt.date(2023, 1, 9), "Tokyo")
    assert (fay.cost_per_year, fay.cost_currency) == (Decimal("9000000"), "JPY")


def test_an_explicit_mapping_names_the_columns(leader):
    data = csv_of([["Mail", "Who", "Boss"], ["gil@example.com", "Gil", ""]])
    result = run(data, leader, mapping={"email": "Mail", "name": "Who", "manager": "Boss"})
    assert result.report.committed
    assert result.ignored_columns == []
    assert Person.objects.get().name == "Gil"


def test_an_xlsx_export_imports_like_a_csv(leader):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Email", "Name", "Start date", "FTE", "Cost", "Currency"])
    sheet.append(["hal@example.com", "Hal", dt.datetime(2022, 5, 2), 0.6, 150000, "CAD"])
    out = io.BytesIO()
    book.save(out)
    result = import_people(source=out.getvalue(), filename="people.xlsx", actor=None)
    assert result.report.committed, result.report.errors
    hal = Person.objects.get()
    assert (hal.start_date, hal.fte, hal.cost_currency) == (
        dt.date(2022, 5, 2),
        Decimal("0.60"),
        "CAD",
    )


def test_a_new_person_is_linked_to_the_login_with_their_email(leader):
    login = UserFactory(username="ida", email="Ida@Example.com")
    run(csv_of([["Email", "Name"], ["ida@example.com", "Ida"]]), leader)
    assert Person.objects.get().user == login


def test_the_file_may_swap_a_manager_and_their_report(leader):
    """Written managers first, a swap passes through no momentary cycle."""
    old_boss = PersonFactory(email="jo@example.com")
    report = PersonFactory(email="kim@example.com", manager=old_boss)
    data = csv_of(
        [["Email", "Manager"], ["jo@example.com", "kim@example.com"], ["kim@example.com", ""]]
    )
    result = run(data, leader)
    assert result.report.committed, result.report.errors
    old_boss.refresh_from_db()
    report.refresh_from_db()
    assert report.manager is None
    assert old_boss.manager == report


@pytest.mark.parametrize("role", [Role.ADMIN, Role.PRODUCT_LEADER])
def test_leaders_and_admins_import(make_user, role):
    result = run(csv_of([["Email", "Name"], ["lee@example.com", "Lee"]]), make_user(role))
    assert result.report.counts[RowOutcome.CREATED] == 1


@pytest.mark.parametrize("role", [Role.PRODUCT_MANAGER, Role.CONTRIBUTOR, Role.VIEWER])
def test_nobody_else_imports_people(make_user, role):
    with pytest.raises(PermissionDenied, match="product leaders and admins"):
        run(TEAM, make_user(role))
    assert not Person.objects.exists()
