"""Bad feedback and customer files (issue 3, "Bad input"): each gets a clear message
naming the line and the column or field, and nothing is written (rows and change log)."""

from __future__ import annotations

import pytest

from pilothouse.core.imports import MappingError
from pilothouse.core.tabular import TableError
from pilothouse.customers.imports import import_file
from pilothouse.customers.models import NOTE_TEXT_MAX, Contact, Customer, Note, Tag
from tests.api.helpers import unchanged
from tests.customers.test_imports import csv_of, run
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

MODELS = (Note, Customer, Contact, Tag)
HEADER = ["ID", "Feedback", "Submitted", "Customer ID", "Tags"]


@pytest.fixture(autouse=True)
def acme(db):
    return CustomerFactory(name="Acme", external_id="C1")


def good(n: int = 3) -> list[list[str]]:
    return [[f"N{i}", f"Note {i}", f"2026-01-0{i}", "C1", "a"] for i in range(1, n + 1)]


def refused(data: bytes, actor, **options) -> list[str]:
    """The messages of the refused rows of an import that must change nothing."""
    with unchanged(*MODELS):
        report = run(data, actor, **options)
    assert not report.committed
    return [str(error) for error in report.errors]


def test_wrong_encoding(leader):
    data = csv_of([HEADER, *good(2)]) + "N3,Café au lait,2026-01-03,C1,\n".encode("latin-1")
    with unchanged(*MODELS), pytest.raises(TableError) as caught:
        run(data, leader)
    assert str(caught.value) == (
        "line 4: not UTF-8 (byte 0xE9 at offset 6); save the file as UTF-8"
    )
    utf16 = "\ufeffID,Feedback\nN1,Hello\n".encode("utf-16")
    with unchanged(*MODELS), pytest.raises(TableError, match="UTF-16; save it as UTF-8"):
        run(utf16, leader)
    report = import_file(kind="feedback", source=data, actor=leader, encoding="latin-1").report
    assert report.committed
    assert Note.objects.get(external_id="N3").text == "Café au lait"


def test_missing_columns(leader):
    data = csv_of([["ID", "Submitted"], ["N1", "2026-01-01"]])
    with unchanged(*MODELS), pytest.raises(MappingError) as caught:
        run(data, leader)
    assert str(caught.value).startswith(
        "no column for the required field 'text' (looked for 'text', 'note', 'feedback'"
    )


def test_unknown_columns_and_fields_in_the_mapping(leader):
    data = csv_of([HEADER, *good(1)])
    with unchanged(*MODELS), pytest.raises(MappingError) as caught:
        run(data, leader, mapping={"text": "Body", "colour": "Tags"})
    assert caught.value.problems[0].startswith(
        "there is no column 'Body'; the columns are 'ID', 'Feedback'"
    )
    assert caught.value.problems[1].startswith("'colour' is not a field of this import")


def test_columns_that_match_no_field_are_listed_and_left_alone(leader):
    data = csv_of([[*HEADER, "Sentiment"], [*good(1)[0], "positive"]])
    result = import_file(kind="feedback", source=data, actor=leader)
    assert result.report.committed
    assert result.as_dict()["ignored_columns"] == ["Sentiment"]


def test_bad_dates(leader):
    rows = good(3)
    rows[1][2] = "2026-02-30"
    rows[2][2] = "next tuesday"
    assert refused(csv_of([HEADER, *rows]), leader) == [
        "line 3, column 'Submitted': '2026-02-30' is not a date and time; use YYYY-MM-DD "
        "HH:MM, optionally with a time zone (+02:00 or Z)",
        "line 4, column 'Submitted': 'next tuesday' is not a date and time; use YYYY-MM-DD "
        "HH:MM, optionally with a time zone (+02:00 or Z)",
    ]


def test_negative_arr(leader):
    data = csv_of(
        [["Customer ID", "Company", "ARR"], ["C2", "Globex", "10"], ["C3", "Hooli", "-1"]]
    )
    assert refused(data, leader, kind="customers") == [
        "line 3, column 'ARR': '-1' is negative; this field takes zero or more"
    ]


def test_unknown_customer_ids(leader):
    rows = good(3)
    rows[0][3] = "C404"
    rows[2][3] = "c1"  # ids are exact
    assert refused(csv_of([HEADER, *rows]), leader) == [
        "line 2, column 'Customer ID': there is no customer with the external id 'C404'",
        "line 4, column 'Customer ID': there is no customer with the external id 'c1'",
    ]


def test_duplicate_external_ids(leader):
    rows = [*good(3), ["N1", "Again", "2026-01-09", "C1", ""]]
    assert refused(csv_of([HEADER, *rows]), leader) == [
        "line 5, column 'ID': 'N1' appears twice in the file, on line 2 and on line 5; keep one"
    ]
    customers = csv_of([["Customer ID", "Company"], ["C7", "A"], ["C7", "B"]])
    assert refused(customers, leader, kind="customers") == [
        "line 3, column 'Customer ID': 'C7' appears twice in the file, on line 2 and on line 3; "
        "keep one"
    ]


def test_a_ten_megabyte_cell(leader):
    data = csv_of([HEADER, *good(2)]) + b'N3,"' + b"x" * 10_000_000 + b'",2026-01-03,C1,\n'
    for partial in (False, True):
        with unchanged(*MODELS):
            report = run(data, leader, partial=partial)
        assert not report.committed
        assert report.fatal == (
            "line 4, column 'Feedback': the cell is longer than the limit of 100,000 characters"
        )


def test_a_text_over_the_notes_limit(leader):
    rows = good(2)
    rows[1][1] = "y" * (NOTE_TEXT_MAX + 1)
    (message,) = refused(csv_of([HEADER, *rows]), leader)
    assert message.startswith("line 3, column 'Feedback': 'yyyy")
    assert message.endswith("is 50,001 characters long; the limit is 50,000")


def test_malformed_csv(leader):
    unclosed = csv_of([HEADER, *good(1)]) + b'N2,"never closed,2026-01-02,C1,\n'
    with unchanged(*MODELS):
        report = run(unclosed, leader, partial=True)
    assert report.fatal == ('line 3: a quoted cell starting here is never closed (no closing ")')
    ragged = csv_of([HEADER, *good(1), ["N2", "Too", "2026-01-02", "C1", "", "extra"]])
    with unchanged(*MODELS):
        report = run(ragged, leader, partial=True)
    assert report.fatal.startswith("line 3: the row has 6 cells but the header names 5 columns")
    with unchanged(*MODELS), pytest.raises(TableError, match="the file is empty"):
        run(b"", leader)


def test_unknown_kinds_name_the_kinds(leader):
    data = csv_of([["Text", "Type"], ["Hello", "rant"]])
    assert refused(data, leader) == [
        "line 2, column 'Type': 'rant' is not a note kind; the kinds are 'Bug', 'Feature "
        "request', 'Improvement', 'Praise', 'Question', 'Other'"
    ]


def test_too_many_and_too_long_tags(leader):
    data = csv_of(
        [["Text", "Tags"], ["Many", ";".join(f"t{i}" for i in range(21))], ["Long", "x" * 51]]
    )
    assert refused(data, leader) == [
        "line 2, column 'Tags': at most 20 tags on a note",
        "line 3, column 'Tags': 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...' is 51 characters "
        "long; the limit is 50",
    ]


def test_a_bad_default_source(leader):
    with unchanged(*MODELS), pytest.raises(Exception, match="'fax' is not one of"):
        run(csv_of([["Text"], ["Hi"]]), leader, default_source="fax")
