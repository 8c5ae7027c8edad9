"""Bad HR exports: each refusal names the row and the column, and nothing is saved (or,
keeping the good rows, only the good rows)."""

from __future__ import annotations

import pytest

from pilothouse.core.imports import MappingError
from pilothouse.core.models import ChangeRecord
from pilothouse.core.tabular import TableLimits
from pilothouse.people.imports import import_people
from pilothouse.people.models import Person
from tests.api.helpers import unchanged
from tests.factories import PersonFactory
from tests.people.test_imports import counts, csv_of, run

pytestmark = pytest.mark.django_db


def refused(data: bytes, leader, **options) -> list[tuple[int, str | None, str]]:
    """Run an import that must save nothing; (line, column, message) of each refusal."""
    with unchanged(Person, ChangeRecord):
        result = run(data, leader, **options)
    assert not result.report.committed
    return [(e.line, e.column, str(e)) for e in result.report.errors]


def only(errors, line: int, column: str) -> str:
    found = [message for at, col, message in errors if (at, col) == (line, column)]
    assert found, errors
    return found[0]


def test_the_same_email_twice_is_refused_naming_both_lines(leader):
    data = csv_of(
        [
            ["Email", "Name"],
            ["ana@example.com", "Ana"],
            ["bo@example.com", "Bo"],
            ["Ana@Example.com", "Ana again"],
            ["bo@example.com", "Bo again"],
        ]
    )
    errors = refused(data, leader)
    assert len(errors) == 2
    assert "on line 2 and on line 4" in only(errors, 4, "Email")
    assert "on line 3 and on line 5" in only(errors, 5, "Email")


def test_an_unknown_level_lists_the_ladder(leader):
    errors = refused(csv_of([["Email", "Name", "Level"], ["a@example.com", "A", "wizard"]]), leader)
    message = only(errors, 2, "Level")
    assert "no level 'wizard' on the ladder" in message
    assert "senior_pm (Senior PM)" in message


def test_an_unknown_currency_is_refused(leader):
    data = csv_of([["Email", "Name", "Cost", "Currency"], ["a@example.com", "A", "100", "EURO"]])
    assert "unknown currency 'EURO'" in only(refused(data, leader), 2, "Currency")


def test_a_cost_without_a_currency_is_refused(leader):
    data = csv_of([["Email", "Name", "Cost"], ["a@example.com", "A", "100"]])
    errors = refused(data, leader)
    assert errors[0][0] == 2
    assert "currency" in errors[0][2]


def test_a_manager_found_neither_in_the_file_nor_here_is_refused(leader):
    PersonFactory(email="known@example.com")
    data = csv_of(
        [
            ["Email", "Name", "Manager"],
            ["a@example.com", "A", "known@example.com"],
            ["b@example.com", "B", "ghost@example.com"],
            ["c@example.com", "C", "not an email"],
            ["d@example.com", "D", "d@example.com"],
        ]
    )
    errors = refused(data, leader)
    assert [line for line, _c, _m in errors] == [3, 4, 5]
    assert "no one has the email 'ghost@example.com'" in only(errors, 3, "Manager")
    assert "give the manager's email" in only(errors, 4, "Manager")
    assert "their own manager" in only(errors, 5, "Manager")


def test_a_management_cycle_in_the_file_refuses_each_row_on_it(leader):
    data = csv_of(
        [
            ["Email", "Name", "Manager"],
            ["a@example.com", "A", "b@example.com"],
            ["b@example.com", "B", "c@example.com"],
            ["c@example.com", "C", "a@example.com"],
            ["d@example.com", "D", "a@example.com"],  # below the cycle, not on it
        ]
    )
    errors = refused(data, leader)
    assert {line for line, _c, _m in errors} >= {2, 3, 4}
    message = only(errors, 2, "Manager")
    assert "management cycle: a@example.com → b@example.com → c@example.com → a@example.com" in (
        message
    )


def test_a_cycle_through_people_already_here_is_refused(leader):
    boss = PersonFactory(email="boss@example.com")
    PersonFactory(email="report@example.com", manager=boss)
    data = csv_of([["Email", "Manager"], ["boss@example.com", "report@example.com"]])
    message = only(refused(data, leader), 2, "Manager")
    assert "boss@example.com → report@example.com → boss@example.com" in message


def test_bad_cells_name_their_column(leader):
    data = csv_of(
        [
            ["Email", "Name", "Start date", "FTE", "Employment type", "Cost", "Private"],
            ["not-an-email", "A", "2024-02-30", "1.5", "gig", "-5", "maybe"],
        ]
    )
    errors = refused(data, leader)
    columns = {column for _line, column, _m in errors}
    # Conversion errors (date, cost, private) come first; the rest once a row converts.
    assert {"Start date", "Cost", "Private"} <= columns
    data = csv_of(
        [
            ["Email", "Name", "FTE", "Employment type"],
            ["not-an-email", "A", "1.5", "gig"],
        ]
    )
    errors = refused(data, leader)
    assert "not an email address" in only(errors, 2, "Email")
    assert "from 0.05 to 1" in only(errors, 2, "FTE")
    assert "full time, part time, contractor or intern" in only(errors, 2, "Employment type")


def test_a_new_person_needs_a_name(leader):
    errors = refused(csv_of([["Email", "Title"], ["a@example.com", "PM"]]), leader)
    assert errors[0][0] == 2
    assert "a new person needs a name" in errors[0][2]


def test_the_report_of_a_row_whose_manager_was_refused_says_so(leader):
    data = csv_of(
        [
            ["Email", "Name", "Manager", "Level"],
            ["a@example.com", "A", "", "wizard"],
            ["b@example.com", "B", "a@example.com", ""],
        ]
    )
    errors = refused(data, leader)
    assert "the manager's row (line 2) was refused" in only(errors, 3, "Manager")
    # A manager refused when written (a cost without its currency) refuses the reports too.
    data = csv_of(
        [
            ["Email", "Name", "Manager", "Cost"],
            ["b@example.com", "B", "a@example.com", ""],
            ["a@example.com", "A", "", "100"],
        ]
    )
    errors = refused(data, leader)
    assert "Give the currency of the cost" in only(errors, 3, None)
    assert "the manager's row (line 3) was refused" in only(errors, 2, "Manager")


def test_keeping_the_good_rows_saves_them_alone(leader):
    data = csv_of(
        [
            ["Email", "Name", "Level"],
            ["a@example.com", "A", "pm"],
            ["b@example.com", "B", "wizard"],
        ]
    )
    result = run(data, leader, partial=True)
    assert result.report.committed
    assert counts(result) == {"created": 1}
    assert result.report.failed == 1
    assert list(Person.objects.values_list("email", flat=True)) == ["a@example.com"]


def test_a_file_without_an_email_column_is_refused_before_reading(leader):
    with pytest.raises(MappingError, match="required field 'email'"):
        run(csv_of([["Name"], ["A"]]), leader)
    assert not Person.objects.exists()


def test_a_file_over_the_row_limit_saves_nothing(leader):
    rows = [["Email", "Name"]] + [[f"p{n}@example.com", f"P {n}"] for n in range(6)]
    with unchanged(Person, ChangeRecord):
        result = import_people(
            source=csv_of(rows), filename="p.csv", actor=leader, limits=TableLimits(max_rows=5)
        )
    assert not result.report.committed
    assert result.report.fatal
