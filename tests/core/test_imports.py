"""Import mapping, cell conversion and the runner (core/imports.py), exercised with a small
handler that imports product lines through the portfolio services (core.writes)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook

from pilothouse.core.imports import (
    ColumnMapping,
    FieldSpec,
    MappingError,
    RowError,
    RowHandler,
    RowOutcome,
    convert_row,
    resolve_mapping,
    run_import,
)
from pilothouse.core.models import ChangeRecord, User
from pilothouse.core.tabular import Row, TableLimits, read_table
from pilothouse.portfolio import services as portfolio
from pilothouse.portfolio.models import ProductLine
from tests.api.helpers import unchanged

CREATED, UPDATED, UNCHANGED = RowOutcome.CREATED, RowOutcome.UPDATED, RowOutcome.UNCHANGED


class ProductLineImport(RowHandler):
    """Product lines by name, with a description and an owner given by username."""

    fields = (
        FieldSpec("name", required=True, aliases=("product line", "line"), max_length=200),
        FieldSpec("description", aliases=("summary",)),
        FieldSpec("owner", aliases=("owner username", "lead")),
    )
    identity = "name"

    def __init__(self, actor: User | None = None) -> None:
        self.actor = actor
        self.batches: list[int] = []

    def prepare(self, batch):
        self.batches.append(len(batch))
        names = {values["name"] for values in batch}
        self.lines = {line.name: line for line in ProductLine.objects.filter(name__in=names)}
        owners = {values.get("owner") for values in batch} - {None}
        self.users = {user.username: user for user in User.objects.filter(username__in=owners)}

    def apply(self, row, values):
        # A field without a column is absent from `values`: left as it is.
        data = {"description": values["description"] or ""} if "description" in values else {}
        owner = values.get("owner")
        if owner is not None:
            if owner not in self.users:
                raise ValidationError({"owner": f"there is no user '{owner}'"})
            data["owner"] = self.users[owner]
        line = self.lines.get(values["name"])
        if line is None:
            portfolio.product_line.create(actor=self.actor, data={"name": values["name"], **data})
            return CREATED
        saved = portfolio.product_line.update(
            actor=self.actor, instance=line, version=None, data=data
        )
        return UPDATED if saved.version != line.version else UNCHANGED


def csv_of(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode()


def import_file(data: bytes, *, handler=None, mapping=None, dry_run=False, **kwargs):
    handler = handler or ProductLineImport()
    with read_table(source=data, limits=kwargs.pop("limits", TableLimits())) as table:
        columns = resolve_mapping(columns=table.columns, fields=handler.fields, mapping=mapping)
        return run_import(
            rows=table.rows(),
            handler=handler,
            dry_run=dry_run,
            mapping=columns,
            total=table.row_estimate,
            **kwargs,
        )


LINES = csv_of(
    [
        ["Name", "Summary", "Owner"],
        ["Payments", "Money in", "leader"],
        ["Growth", "", ""],
        ["Platform", "Shared services", "leader"],
    ]
)
BAD_LINES = csv_of(
    [
        ["Name", "Summary", "Owner"],
        ["Payments", "Money in", "leader"],
        ["Growth", "", "nobody"],
        ["X" * 130, "", ""],
        ["Platform", "Shared services", "leader"],
    ]
)


# --- column mapping -------------------------------------------------------------------------


def test_map_pairs_are_column_equals_field():
    mapping = ColumnMapping.parse(["Line name=name", "a=b = description"])
    assert mapping.items == (("name", "Line name"), ("description", "a=b"))
    for bad in ["name", "=name", "Name="]:
        with pytest.raises(MappingError, match=f"'{bad}' is not COLUMN=FIELD"):
            ColumnMapping.parse([bad])


def test_columns_are_matched_by_name_and_alias_ignoring_case_and_spacing():
    columns = ["Product Line", "SUMMARY", "owner_username", "Notes"]
    assert resolve_mapping(columns=columns, fields=ProductLineImport.fields) == {
        "name": "Product Line",
        "description": "SUMMARY",
        "owner": "owner_username",
    }


def test_explicit_pairs_win_and_the_other_fields_are_still_matched():
    columns = ["Title", "Description", "Lead", "Owner"]
    mapping = ColumnMapping.parse(["title=name", "Owner=owner"])  # names match as in auto
    assert resolve_mapping(columns=columns, fields=ProductLineImport.fields, mapping=mapping) == {
        "name": "Title",
        "description": "Description",
        "owner": "Owner",
    }
    left_out = {"name": "Title", "description": None, "owner": "Lead"}
    assert resolve_mapping(columns=columns, fields=ProductLineImport.fields, mapping=left_out) == {
        "name": "Title",
        "owner": "Lead",
    }


def test_mapping_problems_are_all_named():
    mapping = ColumnMapping.parse(["Nope=name", "Owner=boss", "Owner=owner", "Summary=owner"])
    with pytest.raises(MappingError) as caught:
        resolve_mapping(
            columns=["Owner", "Summary"], fields=ProductLineImport.fields, mapping=mapping
        )
    assert caught.value.problems == [
        "there is no column 'Nope'; the columns are 'Owner', 'Summary'",
        "'boss' is not a field of this import; the fields are 'name', 'description', 'owner'",
        "the column 'Owner' is mapped twice ('boss' and 'owner')",
        "the field 'owner' is given twice ('Owner' and 'Summary')",
    ]
    with pytest.raises(MappingError) as caught:
        resolve_mapping(columns=["Summary", "Lead"], fields=ProductLineImport.fields)
    assert str(caught.value) == (
        "no column for the required field 'name' (looked for 'name', 'product line', 'line'); "
        "map one"
    )


def test_ambiguous_automatic_matches_are_refused():
    with pytest.raises(MappingError, match="'name' matches the columns 'Name', 'NAME'; map one"):
        resolve_mapping(columns=["Name", "NAME"], fields=ProductLineImport.fields)
    fields = [FieldSpec("email", aliases=("contact",)), FieldSpec("phone", aliases=("contact",))]
    with pytest.raises(MappingError, match="'Contact' matches the fields 'email' and 'phone'"):
        resolve_mapping(columns=["Contact"], fields=fields)
    fields = [FieldSpec("contact"), FieldSpec("email", aliases=("contact",))]
    assert resolve_mapping(columns=["Contact"], fields=fields) == {"contact": "Contact"}


# --- converting cells -------------------------------------------------------------------------


def convert(kind, cell, **spec):
    values, errors = convert_row(
        Row(7, {"Cell": cell}), {"value": "Cell"}, [FieldSpec("value", kind=kind, **spec)]
    )
    return [str(error) for error in errors] if errors else values["value"]


def test_dates_are_iso_and_refusals_name_line_and_column():
    values, errors = convert_row(
        Row(7, {"Submitted": "31/02/2026"}),
        {"submitted": "Submitted"},
        [FieldSpec("submitted", kind="date")],
    )
    assert values == {}
    assert errors == [
        RowError(7, "'31/02/2026' is not a date; use YYYY-MM-DD", "submitted", "Submitted")
    ]
    assert str(errors[0]) == (
        "line 7, column 'Submitted': '31/02/2026' is not a date; use YYYY-MM-DD"
    )
    assert convert("date", "2026-02-28") == dt.date(2026, 2, 28)
    assert convert("date", "2026-02-31") == [
        "line 7, column 'Cell': '2026-02-31' is not a date; use YYYY-MM-DD"
    ]
    assert convert("date", dt.date(2026, 3, 1)) == dt.date(2026, 3, 1)
    assert convert("date", dt.datetime(2026, 3, 1)) == dt.date(2026, 3, 1)
    assert "has a time of day" in convert("date", dt.datetime(2026, 3, 1, 9))[0]


def test_datetimes_are_iso_and_made_aware():
    moment = convert("datetime", "2026-03-01T10:30:00Z")
    assert moment == dt.datetime(2026, 3, 1, 10, 30, tzinfo=dt.UTC)
    local = convert("datetime", "2026-03-01 10:30")
    assert local.tzinfo is not None
    assert local.replace(tzinfo=None) == dt.datetime(2026, 3, 1, 10, 30)
    assert convert("datetime", dt.datetime(2026, 3, 1, 8)).tzinfo is not None
    assert "is not a date and time; use YYYY-MM-DD HH:MM" in convert("datetime", "yesterday")[0]


def test_decimals_refuse_ambiguous_separators_and_unwanted_negatives():
    assert convert("decimal", "1.5") == Decimal("1.5")
    assert convert("decimal", 1234.5) == Decimal("1234.5")
    assert convert("decimal", " 12 ") == Decimal("12")
    ambiguous = (
        "is ambiguous: write numbers without thousands separators and with a dot for "
        "decimals (1234.5)"
    )
    for text in ["1,5", "1,000", "1.234,5", "1 234"]:
        assert convert("decimal", text) == [f"line 7, column 'Cell': '{text}' {ambiguous}"]
    assert convert("decimal", "-5") == [
        "line 7, column 'Cell': '-5' is negative; this field takes zero or more"
    ]
    assert convert("decimal", "-5", negative=True) == Decimal("-5")
    assert convert("decimal", "€5") == ["line 7, column 'Cell': '€5' is not a number"]
    assert convert("decimal", dt.date(2026, 1, 1))[0].endswith("is not a number")


def test_whole_numbers():
    assert convert("int", "12") == 12
    assert convert("int", 7) == 7
    assert convert("int", 3.0) == 3
    assert convert("int", "1.5") == ["line 7, column 'Cell': '1.5' is not a whole number"]
    assert "is ambiguous" in convert("int", "1,5")[0]
    assert "is negative" in convert("int", -1)[0]
    assert convert("int", "-1", negative=True) == -1


def test_booleans_choices_lists_and_text():
    assert [convert("bool", text) for text in ["yes", "No", "1", "0", "TRUE", True]] == [
        True,
        False,
        True,
        False,
        True,
        True,
    ]
    assert "is not yes or no" in convert("bool", "maybe")[0]
    sources = (("support", "Support ticket"), ("sales", "Sales call"))
    assert convert("choice", "SALES CALL", choices=sources) == "sales"
    assert convert("choice", "Support", choices=sources) == "support"
    assert convert("choice", "phone", choices=sources) == [
        "line 7, column 'Cell': 'phone' is not one of 'support', 'sales'"
    ]
    assert convert("list", "a, b; a,,") == ["a", "b"]
    assert convert("list", "Sales call;support", choices=sources) == ["sales", "support"]
    assert "'fax' is not one of" in convert("list", "sales, fax", choices=sources)[0]
    assert convert("text", 10234) == "10234"
    assert convert("text", 3.0) == "3"
    assert convert("text", "  padded ") == "padded"
    assert convert("text", "abcdef", max_length=5) == [
        "line 7, column 'Cell': 'abcdef' is 6 characters long; the limit is 5"
    ]


def test_empty_cells_are_none_unless_required():
    assert convert("int", "   ") is None
    assert convert("int", None, required=True) == ["line 7, column 'Cell': a value is required"]
    with pytest.raises(ValueError, match="needs choices"):
        FieldSpec("source", kind="choice")
    with pytest.raises(ValueError, match="'colour' is not a valid FieldKind"):
        FieldSpec("x", kind="colour")


# --- running ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_import_creates_rows_through_the_services_and_logs_them(leader):
    report = import_file(LINES)
    assert report.committed
    assert report.rows == 3
    assert report.counts == {CREATED: 3, UPDATED: 0, UNCHANGED: 0, RowOutcome.SKIPPED: 0}
    assert report.errors == []
    assert report.duration > 0
    lines = {line.name: line for line in ProductLine.objects.all()}
    assert set(lines) == {"Payments", "Growth", "Platform"}
    assert lines["Payments"].owner == leader
    assert lines["Growth"].owner is None
    assert ChangeRecord.objects.count() == 3


@pytest.mark.django_db
def test_reimport_updates_by_identity_and_leaves_the_rest_unchanged(leader):
    import_file(LINES)
    assert import_file(LINES).counts[UNCHANGED] == 3
    changed = LINES.replace(b"Money in", b"Money in and out")
    report = import_file(changed)
    assert (report.counts[UPDATED], report.counts[UNCHANGED]) == (1, 2)
    assert ProductLine.objects.get(name="Payments").description == "Money in and out"
    assert ChangeRecord.objects.count() == 4


@pytest.mark.django_db
def test_dry_run_writes_nothing_not_even_the_change_log(leader):
    with unchanged(ProductLine, User):
        report = import_file(LINES, dry_run=True)
    assert report.counts[CREATED] == 3
    assert not report.committed
    assert report.summary() == (
        "3 rows: 3 created, 0 updated, 0 unchanged, 0 skipped, 0 refused; "
        "dry run: nothing was saved"
    )


@pytest.mark.django_db
def test_all_or_nothing_rolls_everything_back_when_one_row_fails(leader):
    with unchanged(ProductLine):
        report = import_file(BAD_LINES)
    assert not report.committed
    assert report.failed == 2
    assert report.errors == [
        RowError(3, "there is no user 'nobody'", "owner", "Owner"),
        RowError(4, "Ensure this value has at most 120 characters (it has 130).", "name", "Name"),
    ]
    assert json.loads(json.dumps(report.as_dict()))["counts"]["created"] == 2
    assert report.as_dict()["errors"][0] == {
        "line": 3,
        "field": "owner",
        "column": "Owner",
        "message": "line 3, column 'Owner': there is no user 'nobody'",
    }


@pytest.mark.django_db
def test_partial_mode_keeps_the_good_rows_and_reports_the_bad(leader):
    report = import_file(BAD_LINES, all_or_nothing=False)
    assert report.committed
    assert (report.counts[CREATED], report.failed) == (2, 2)
    assert [error.line for error in report.errors] == [3, 4]
    assert set(ProductLine.objects.values_list("name", flat=True)) == {"Payments", "Platform"}
    assert ChangeRecord.objects.count() == 2


@pytest.mark.django_db
def test_the_same_identity_twice_in_a_file_is_refused_naming_both_lines(leader):
    data = LINES + b"Payments,Again,\n"
    with unchanged(ProductLine):
        report = import_file(data)
    assert [str(error) for error in report.errors] == [
        "line 5, column 'Name': 'Payments' appears twice in the file, on line 2 and on "
        "line 5; keep one"
    ]


@pytest.mark.django_db
def test_conversion_errors_and_permission_refusals_are_row_errors(viewer, leader):
    data = csv_of([["Name", "Owner"], ["", "leader"], ["Growth", ""]])
    report = import_file(data, all_or_nothing=False)
    assert [str(error) for error in report.errors] == ["line 2, column 'Name': a value is required"]
    with unchanged(ProductLine):
        report = import_file(LINES, handler=ProductLineImport(actor=viewer))
    assert report.failed == 3
    assert str(report.errors[0]) == "line 2: You do not have permission to do this."


@pytest.mark.django_db
def test_an_unreadable_file_changes_nothing_even_in_partial_mode(leader):
    broken = LINES + b"Later,row,leader,extra\n"
    with unchanged(ProductLine):
        report = import_file(broken, all_or_nothing=False)
    assert report.fatal == (
        "line 5: the row has 4 cells but the header names 3 columns; "
        "remove the extra cells or name their column"
    )
    assert not report.committed
    assert report.summary().endswith("; nothing was saved")
    with unchanged(ProductLine):
        report = import_file(LINES, limits=TableLimits(max_rows=2), all_or_nothing=False)
    assert report.fatal == "line 4: the file has more than 2 rows; split it"


@pytest.mark.django_db
def test_progress_batches_and_the_error_cap(leader):
    rows = [["Name", "Owner"]] + [[f"Line {i}", "nobody"] for i in range(5)]
    calls = []
    handler = ProductLineImport()
    report = import_file(
        csv_of(rows),
        handler=handler,
        batch_size=2,
        max_errors=2,
        progress=lambda done, total: calls.append((done, total)),
    )
    assert calls == [(0, 5), (2, 5), (4, 5), (5, 5)]
    assert handler.batches == [2, 2, 1]
    assert (report.failed, report.error_count, len(report.errors)) == (5, 5, 2)


@pytest.mark.django_db
def test_rows_keyed_by_field_name_need_no_mapping(leader):
    rows = [Row(1, {"name": "Api line", "owner": "leader"}), Row(2, {"name": "Other"})]
    report = run_import(rows=rows, handler=ProductLineImport(), dry_run=False)
    assert report.counts[CREATED] == 2
    assert ProductLine.objects.get(name="Api line").owner == leader


@pytest.mark.django_db
def test_xlsx_import_end_to_end(leader):
    book = Workbook()
    book.active.append(["Line", "Lead", "Notes"])
    book.active.append(["Payments", "leader", 12])
    book.active.append(["Growth", None, None])
    buffer = io.BytesIO()
    book.save(buffer)
    report = import_file(buffer.getvalue())
    assert report.committed
    assert report.counts[CREATED] == 2
    assert ProductLine.objects.get(name="Payments").owner == leader


@pytest.mark.django_db(transaction=True)
def test_rollback_and_commit_at_the_top_level_transaction(leader):
    import_file(LINES, dry_run=True)
    import_file(BAD_LINES)
    assert ProductLine.objects.count() == ChangeRecord.objects.count() == 0
    import_file(LINES)
    assert ProductLine.objects.count() == ChangeRecord.objects.count() == 3


def queries_per_row(count: int, username: str, *, update: bool = False) -> float:
    """Queries of an import of `count` rows, less those of an empty import, per row."""
    ContentType.objects.get_for_model(ProductLine)  # the cache the change log reads

    def run(n: int, description: str, outcome: RowOutcome = CREATED) -> int:
        rows = [["Name", "Summary", "Owner"]]
        rows += [[f"Line {count}-{i}", description, username] for i in range(n)]
        reset_queries()  # the log keeps 9,000 queries: start each count from empty
        with CaptureQueriesContext(connection) as captured:
            report = import_file(csv_of(rows), batch_size=50)
        assert report.committed
        assert report.counts[outcome] == n
        return len(captured)

    if update:
        run(count, "first")
    return (run(count, "second", UPDATED if update else CREATED) - run(0, "")) / count


@pytest.mark.django_db
@pytest.mark.parametrize("update", [False, True], ids=["create", "update"])
def test_queries_per_row_stay_constant_with_batched_lookups(leader, update):
    assert queries_per_row(50, leader.username, update=update) == queries_per_row(
        500, leader.username, update=update
    )
