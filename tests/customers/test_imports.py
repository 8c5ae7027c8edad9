"""Importing feedback notes and customers (customers/imports.py): the fields, re-imports,
all or nothing, dry runs, demand figures, and a fixed number of queries per row."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook

from pilothouse.core.changelog import BATCH_OBJECT_ID, id_ranges
from pilothouse.core.imports import RowOutcome
from pilothouse.core.models import ChangeAction, ChangeRecord
from pilothouse.core.selectors import object_history_described
from pilothouse.customers.imports import import_file
from pilothouse.customers.models import Contact, Customer, Note, NoteKind, NoteLink, Tag
from pilothouse.roadmap.models import Feature
from tests.api.helpers import changes_of, unchanged
from tests.factories import ContactFactory, CustomerFactory, FeatureFactory, UserFactory

pytestmark = pytest.mark.django_db

CREATED, UPDATED, UNCHANGED = RowOutcome.CREATED, RowOutcome.UPDATED, RowOutcome.UNCHANGED
HEADER = ["ID", "Feedback", "Title", "Source", "Submitted", "Customer ID", "Email", "Tags", "Type"]


def csv_of(rows: list[list[object]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode()


def feedback(*rows: list[object], header=HEADER) -> bytes:
    return csv_of([header, *rows])


def run(data: bytes, actor, *, kind="feedback", mapping=None, **options):
    flags = {name: options.pop(name) for name in ("dry_run", "partial") if name in options}
    batch_size = options.pop("batch_size", 1000)
    return import_file(
        kind=kind,
        source=data,
        actor=actor,
        mapping=mapping,
        options=options,
        batch_size=batch_size,
        **flags,
    ).report


def note_records():
    return ChangeRecord.objects.filter(content_type=ContentType.objects.get_for_model(Note))


@pytest.fixture
def acme():
    customer = CustomerFactory(name="Acme", external_id="C1", arr=Decimal(1000))
    ContactFactory(customer=customer, name="Ana", email="ana@acme.example")
    return customer


ROWS = (
    ["N1", "Exports time out", "Slow exports", "Support", "2026-01-05", "C1", "", "", "bug"],
    ["N2", "Love the new board", "", "survey", "2026-01-06 09:30", "", "", "ux; board", "Praise"],
    ["N3", "Can we get SSO?", "", "", "2026-01-07", "C1", "ANA@acme.example", "sso", ""],
)


# --- feedback: the fields ---------------------------------------------------------------------


def test_a_feedback_file_creates_notes_with_every_field(leader, acme):
    report = run(feedback(*ROWS), leader)
    assert report.committed
    assert report.counts[CREATED] == 3
    notes = {note.external_id: note for note in Note.objects.all()}
    first, second, third = notes["N1"], notes["N2"], notes["N3"]
    assert (first.text, first.title, first.source) == (
        "Exports time out",
        "Slow exports",
        "support",
    )
    assert first.submitted_at.date() == dt.date(2026, 1, 5)
    assert (first.customer, first.kind.name, first.state) == (acme, "Bug", "new")
    assert first.author == leader
    assert second.source == "survey"
    assert second.submitted_at.hour == 9
    assert second.customer is None
    assert second.kind.name == "Praise"
    assert sorted(t.name for t in second.tags.all()) == ["board", "ux"]
    assert third.source == "other"  # the default source
    assert third.contact == Contact.objects.get(email="ana@acme.example")
    assert third.kind is None
    assert {t.name for t in Tag.objects.all()} == {"board", "ux", "sso"}


def test_the_change_log_records_the_batch_and_each_notes_creation_by_it(leader, acme):
    run(feedback(*ROWS), leader)
    notes = sorted(Note.objects.values_list("pk", flat=True))
    batch = note_records().get(object_id=BATCH_OBJECT_ID)
    assert (batch.action, batch.actor, batch.before) == (ChangeAction.CREATE, leader, {})
    assert batch.after == {"count": 3, "ids": id_ranges(notes)}
    assert batch.object_repr == "3 notes (import)"
    for pk in notes:  # each note's history starts with its creation by that batch
        note = Note.objects.get(pk=pk)
        (record,) = object_history_described(instance=note)
        assert (record.action, record.actor, record.time) == (
            ChangeAction.CREATE,
            leader,
            batch.time,
        )
        assert record.object_repr == str(note)
        assert [(c.label, c.after) for c in record.field_changes] == [
            ("import", f"batch {batch.pk}: 3 notes")
        ]
    tags = changes_of(Tag, BATCH_OBJECT_ID).get()  # the tags created along: the same way
    assert tags.after == {"count": 3, "ids": id_ranges(Tag.objects.values_list("pk", flat=True))}
    record = changes_of(Tag, Tag.objects.get(name="ux").pk).get()
    assert record.after == {"import": f"batch {tags.pk}: 3 tags"}


def test_the_default_source_is_an_option(leader, acme):
    run(feedback(ROWS[2]), leader, default_source="email")
    assert Note.objects.get().source == "email"


def test_existing_tags_are_found_ignoring_case(leader, acme):
    tag = Tag.objects.create(name="SSO")
    run(feedback(ROWS[2]), leader)
    assert list(Note.objects.get().tags.all()) == [tag]
    assert Tag.objects.count() == 1


def test_xlsx_files_with_real_dates(leader, acme):
    book = Workbook()
    book.active.append(["Note", "Submitted", "Customer ID", "ID"])
    book.active.append(["From a spreadsheet", dt.date(2026, 2, 1), "C1", 17])
    book.active.append(["With a time", dt.datetime(2026, 2, 2, 14, 5), None, 18])
    buffer = io.BytesIO()
    book.save(buffer)
    report = run(buffer.getvalue(), leader)
    assert report.counts[CREATED] == 2
    first = Note.objects.get(external_id="17")
    assert (first.text, first.customer, first.submitted_at.date()) == (
        "From a spreadsheet",
        acme,
        dt.date(2026, 2, 1),
    )
    assert Note.objects.get(external_id="18").submitted_at.hour == 14


# --- feedback: customers and contacts ---------------------------------------------------------


def test_files_without_ids_name_their_customers(leader, acme):
    header = ["Text", "Company"]
    report = run(feedback(["By name", "acme"], header=header), leader)
    assert report.committed
    assert Note.objects.get().customer == acme
    CustomerFactory(name="ACME")
    report = run(feedback(["Which one?", "Acme"], header=header), leader)
    assert str(report.errors[0]) == (
        "line 2, column 'Company': 2 customers are named 'Acme'; give customer ids (external "
        "ids) to tell them apart"
    )
    report = run(feedback(["Who?", "Initech"], header=header), leader)
    assert str(report.errors[0]) == "line 2, column 'Company': there is no customer named 'Initech'"


def test_missing_customers_and_contacts_can_be_created(leader, acme):
    header = ["Text", "Customer ID", "Customer name", "Email", "Requester"]
    rows = [
        ["One", "C9", "Initech", "bob@initech.example", "Bob"],
        ["Two", "C9", "", "bob@initech.example", ""],
        ["Three", "C1", "", "new@acme.example", ""],
    ]
    data = feedback(*rows, header=header)
    with unchanged(Note, Customer, Contact):
        report = run(data, leader)
    assert [str(error) for error in report.errors] == [
        "line 2, column 'Customer ID': there is no customer with the external id 'C9'",
        "line 3, column 'Customer ID': there is no customer with the external id 'C9'",
        "line 4, column 'Email': the customer 'Acme' has no contact with the email "
        "'new@acme.example'",
    ]
    report = run(data, leader, create_customers=True, create_contacts=True)
    assert report.counts[CREATED] == 3
    initech = Customer.objects.get(external_id="C9")
    assert initech.name == "Initech"
    bob = Contact.objects.get(email="bob@initech.example")
    assert (bob.customer, bob.name) == (initech, "Bob")
    assert Contact.objects.get(email="new@acme.example").name == "new"
    assert {n.contact for n in Note.objects.filter(customer=initech)} == {bob}
    assert changes_of(Customer, initech.pk).get().action == ChangeAction.CREATE


def test_a_contact_that_cannot_be_created_refuses_the_rows_that_need_it(leader, acme):
    header = ["Text", "Customer ID", "Customer name", "Email"]
    rows = [
        ["One", "C1", "", "not-an-email"],
        ["Two", "C1", "", "NOT-AN-EMAIL"],  # the same new contact
        ["Three", "C1", "", "fine@acme.example"],
        ["Four", "C9", "Initech", "bad@"],  # a new customer, needed by this row only
    ]
    data = feedback(*rows, header=header)
    options = {"create_customers": True, "create_contacts": True}
    with unchanged(Note, Customer, Contact):
        report = run(data, leader, **options)
    assert not report.committed
    assert [(e.line, e.field, e.column) for e in report.errors] == [
        (2, "contact_email", "Email"),
        (3, "contact_email", "Email"),
        (5, "contact_email", "Email"),
    ]
    assert str(report.errors[0]) == (
        "line 2, column 'Email': cannot create the contact: Enter a valid email address."
    )

    report = run(data, leader, partial=True, **options)
    assert (report.counts[CREATED], report.failed) == (1, 3)
    assert list(Note.objects.values_list("text", flat=True)) == ["Three"]
    assert set(Contact.objects.values_list("email", flat=True)) == {
        "ana@acme.example",
        "fine@acme.example",
    }
    assert not Customer.objects.filter(external_id="C9").exists()


def test_a_contact_must_belong_to_the_notes_customer(leader, acme):
    other = CustomerFactory(external_id="C2")
    ContactFactory(customer=other, email="zoe@other.example")
    report = run(feedback(["N1", "Hi", "", "", "", "C1", "zoe@other.example", "", ""]), leader)
    assert report.errors[0].field == "contact_email"
    assert "the customer 'Acme' has no contact with the email 'zoe@other.example'" in str(
        report.errors[0]
    )
    report = run(feedback(["N1", "Hi", "", "", "", "", "zoe@other.example", "", ""]), leader)
    assert "a contact needs the note's customer" in str(report.errors[0])


# --- re-imports ---------------------------------------------------------------------------------


def test_a_second_import_of_the_same_file_changes_nothing(leader, acme):
    data = feedback(*ROWS)
    run(data, leader)
    versions = dict(Note.objects.values_list("external_id", "version"))
    records = ChangeRecord.objects.count()
    report = run(data, leader)
    assert report.committed
    assert report.counts == {CREATED: 0, UPDATED: 0, UNCHANGED: 3, RowOutcome.SKIPPED: 0}
    assert ChangeRecord.objects.count() == records
    assert dict(Note.objects.values_list("external_id", "version")) == versions


def test_a_changed_row_updates_its_note_with_one_change_record(leader, acme):
    run(feedback(*ROWS), leader)
    changed = [list(row) for row in ROWS]
    changed[1][1] = "Love the new board, really"
    changed[1][7] = "ux"
    report = run(feedback(*changed), leader)
    assert (report.counts[UPDATED], report.counts[UNCHANGED]) == (1, 2)
    note = Note.objects.get(external_id="N2")
    assert (note.text, note.version) == ("Love the new board, really", 2)
    assert [t.name for t in note.tags.all()] == ["ux"]
    record = changes_of(Note, note.pk).get(action=ChangeAction.UPDATE)
    board = Tag.objects.get(name="board").pk
    assert record.before["text"] == "Love the new board"
    assert record.after["text"] == "Love the new board, really"
    assert board in record.before["tags"]
    assert board not in record.after["tags"]
    assert Note.objects.count() == 3


def test_fields_without_a_column_are_left_alone(leader, acme):
    run(feedback(*ROWS), leader)
    report = run(csv_of([["ID", "Feedback"], ["N1", "Exports time out"]]), leader)
    assert report.counts[UNCHANGED] == 1
    note = Note.objects.get(external_id="N1")
    assert (note.title, note.customer, note.kind.name) == ("Slow exports", acme, "Bug")


def test_moving_a_note_to_another_customer_drops_the_old_contact(leader, acme):
    run(feedback(ROWS[2]), leader)
    CustomerFactory(external_id="C2")
    report = run(csv_of([["ID", "Text", "Customer ID"], ["N3", "Can we get SSO?", "C2"]]), leader)
    assert report.counts[UPDATED] == 1
    note = Note.objects.get()
    assert (note.customer.external_id, note.contact) == ("C2", None)


# --- all or nothing, partial, dry run -----------------------------------------------------------

BAD = ["N4", "Broken date", "", "", "05/01/2026", "C1", "", "orphan-tag", ""]


def test_one_bad_row_and_nothing_is_written(leader, acme):
    with unchanged(Note, Tag, Customer, Contact):
        report = run(feedback(*ROWS, BAD), leader)
    assert not report.committed
    assert report.failed == 1
    assert [str(e) for e in report.errors] == [
        "line 5, column 'Submitted': '05/01/2026' is not a date and time; use YYYY-MM-DD HH:MM, "
        "optionally with a time zone (+02:00 or Z)"
    ]
    assert report.errors[0].as_dict()["field"] == "submitted_at"


def test_a_nul_character_in_a_cell_is_refused_with_its_line_and_column(leader, acme):
    nul = ["n-nul", "Crashes when \x00 is typed", "", "support", "", "", "", "", ""]
    with unchanged(Note, Tag, Customer, Contact):
        report = run(feedback(*ROWS, nul), leader)
    assert not report.committed
    assert [str(e) for e in report.errors] == [
        "line 5, column 'Feedback': the cell contains a NUL character, which cannot be stored"
    ]


def test_partial_keeps_the_good_rows_and_nothing_of_the_bad(leader, acme):
    report = run(feedback(*ROWS, BAD), leader, partial=True)
    assert report.committed
    assert (report.counts[CREATED], report.failed) == (3, 1)
    assert sorted(Note.objects.values_list("external_id", flat=True)) == ["N1", "N2", "N3"]
    assert not Tag.objects.filter(name="orphan-tag").exists()
    assert note_records().exclude(object_id=BATCH_OBJECT_ID).count() == 3


def test_a_dry_run_reports_what_would_happen_and_writes_nothing(leader, acme):
    with unchanged(Note, Tag, Customer, Contact):
        report = run(feedback(*ROWS), leader, dry_run=True, create_contacts=True)
    assert report.dry_run
    assert not report.committed
    assert report.counts[CREATED] == 3
    assert report.summary().endswith("dry run: nothing was saved")


# --- who may import what ---------------------------------------------------------------------


def test_contributors_import_notes_but_not_triage_fields(contributor, acme):
    report = run(feedback(ROWS[1], ROWS[2]), contributor)
    assert [str(e) for e in report.errors] == [
        "line 2, column 'Type': only product managers, product leaders and admins set a note's kind"
    ]
    report = run(feedback(ROWS[2]), contributor)
    assert report.committed
    assert Note.objects.get().author == contributor
    report = run(
        csv_of([["Text", "Customer ID"], ["New customer", "C7"]]),
        contributor,
        create_customers=True,
    )
    assert "you may not create customers" in str(report.errors[0])


def test_contributors_may_not_change_other_peoples_notes(leader, contributor, acme):
    run(feedback(ROWS[0]), leader)
    changed = list(ROWS[0])
    changed[1] = "Edited"
    report = run(feedback(changed), contributor)
    assert str(report.errors[0]) == ("line 2: you may not change the note 'Slow exports'")


def test_viewers_import_nothing(viewer, acme):
    with unchanged(Note, Tag):
        report = run(feedback(*ROWS), viewer)
    assert report.failed == 3
    assert [str(e) for e in report.errors] == [
        "line 2, column 'Type': only product managers, product leaders and admins set a "
        "note's kind",
        "line 3, column 'Type': only product managers, product leaders and admins set a "
        "note's kind",
        "line 3, column 'Tags': you may not create tags",
        "line 4, column 'Tags': you may not create tags",
    ]
    with unchanged(Note):
        report = run(csv_of([["Text"], ["Hello"]]), viewer)
    assert [str(e) for e in report.errors] == ["line 2: You do not have permission to do this."]


# --- feature links and demand -----------------------------------------------------------------


def test_a_features_column_links_notes_and_updates_demand_once_committed(
    leader, acme, django_capture_on_commit_callbacks
):
    feature, other = FeatureFactory(), FeatureFactory()
    header = ["ID", "Text", "Customer ID", "Features"]
    rows = [
        ["N1", "Exports", "C1", f"{feature.pk}"],
        ["N2", "Both", "C1", f"{feature.pk}; {other.pk}"],
    ]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        report = run(feedback(*rows, header=header), leader)
    assert report.counts[CREATED] == 2
    assert len(callbacks) == 1  # one recomputation for the whole import
    assert NoteLink.objects.count() == 3
    feature.refresh_from_db()
    assert (feature.demand_requests, feature.demand_customers, feature.demand_arr) == (
        2,
        1,
        Decimal(1000),
    )
    with django_capture_on_commit_callbacks(execute=True):
        report = run(feedback(*rows, header=header), leader)
    assert report.counts[UNCHANGED] == 2
    assert NoteLink.objects.count() == 3
    report = run(feedback(["N3", "Nope", "", "12345, x"], header=header), leader)
    assert str(report.errors[0]) == (
        "line 2, column 'Features': there is no feature with the id '12345', 'x'"
    )


def test_a_customers_arr_import_updates_the_demand_of_its_features(
    leader, acme, django_capture_on_commit_callbacks
):
    feature = FeatureFactory()
    header = ["ID", "Text", "Customer ID", "Features"]
    with django_capture_on_commit_callbacks(execute=True):
        run(feedback(["N1", "Exports", "C1", str(feature.pk)], header=header), leader)
    customers = csv_of([["Customer ID", "Company", "ARR"], ["C1", "Acme", "250000"]])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        report = run(customers, leader, kind="customers")
    assert report.counts[UPDATED] == 1
    assert len(callbacks) == 1
    feature.refresh_from_db()
    assert feature.demand_arr == Decimal(250000)


def test_contributors_may_not_link_features(contributor, acme):
    feature = FeatureFactory()
    report = run(csv_of([["Text", "Features"], ["Link me", str(feature.pk)]]), contributor)
    assert "only product managers, product leaders and admins link notes" in str(report.errors[0])


# --- customers ----------------------------------------------------------------------------------

CUSTOMERS = csv_of(
    [
        ["Customer ID", "Company", "Segment", "Plan", "ARR", "Region", "Owner", "Since"],
        ["C1", "Acme", "Enterprise", "Scale", "120000.50", "EMEA", "leader", "2020-03-01"],
        ["C2", "Globex", "SMB", "", "0", "NA", "", ""],
        ["", "Initech", "", "", "", "", "pm@example.org", ""],
    ]
)


def test_a_customer_file_creates_and_then_leaves_customers_alone(leader, pm):
    pm.email = "PM@example.org"
    pm.save()
    report = run(CUSTOMERS, leader, kind="customers")
    assert report.counts[CREATED] == 3
    acme = Customer.objects.get(external_id="C1")
    assert (acme.name, acme.market_segment, acme.plan, acme.arr, acme.region) == (
        "Acme",
        "Enterprise",
        "Scale",
        Decimal("120000.50"),
        "EMEA",
    )
    assert (acme.account_owner, acme.created) == (leader, dt.date(2020, 3, 1))
    initech = Customer.objects.get(name="Initech")
    assert (initech.external_id, initech.account_owner) == (None, pm)
    records = ChangeRecord.objects.count()
    report = run(CUSTOMERS, leader, kind="customers")
    assert report.counts[UNCHANGED] == 3
    assert ChangeRecord.objects.count() == records


def test_customers_without_ids_are_matched_by_name_and_take_an_id_when_given(leader):
    legacy = CustomerFactory(name="Hooli")
    report = run(csv_of([["Name", "Plan"], ["hooli", "Pro"]]), leader, kind="customers")
    assert report.counts[UPDATED] == 1
    legacy.refresh_from_db()
    assert (legacy.name, legacy.plan) == ("hooli", "Pro")
    report = run(csv_of([["Name", "ID"], ["Hooli", "H-1"]]), leader, kind="customers")
    assert report.counts[UPDATED] == 1
    legacy.refresh_from_db()
    assert (legacy.external_id, Customer.objects.count()) == ("H-1", 1)


def test_customer_rows_are_checked(leader):
    data = csv_of(
        [
            ["Customer ID", "Company", "ARR", "Owner"],
            ["C1", "Acme", "-5", ""],
            ["C2", "Globex", "10", "nobody"],
            ["C3", "", "10", ""],
            ["", "Twice", "", ""],
            ["", "twice", "", ""],
        ]
    )
    with unchanged(Customer):
        report = run(data, leader, kind="customers")
    assert [str(e) for e in report.errors] == [
        "line 2, column 'ARR': '-5' is negative; this field takes zero or more",
        "line 3, column 'Owner': there is no active user with the username or email 'nobody'",
        "line 4, column 'Company': a value is required",
        "line 6, column 'Company': line 5 of the file is the same customer; keep one of them",
    ]


def test_product_managers_import_customers_and_contributors_do_not(pm, contributor):
    data = csv_of([["Customer ID", "Company"], ["C1", "Acme"], ["C2", "Globex"]])
    assert run(data, pm, kind="customers").counts[CREATED] == 2
    with unchanged(Customer):
        report = run(data.replace(b"Acme", b"Acme Corp"), contributor, kind="customers")
    assert [str(e) for e in report.errors] == ["line 2: you may not change the customer 'Acme'"]
    with unchanged(Customer):
        report = run(csv_of([["Company"], ["Initech"]]), contributor, kind="customers")
    assert [str(e) for e in report.errors] == ["line 2: You do not have permission to do this."]


# --- queries per row --------------------------------------------------------------------------


def queries_per_row(count: int, actor, *, update: bool = False) -> float:
    """Queries of an import of `count` rows, less those of an empty import, per row."""
    ContentType.objects.get_for_model(Note)
    users = [UserFactory(), UserFactory()]
    del users

    def rows(n: int, text: str) -> bytes:
        data = [["ID", "Text", "Customer ID", "Email", "Tags", "Type", "Submitted"]]
        data += [
            [
                f"{count}-{i}",
                text,
                f"C-{i % 7}",
                f"p{i % 3}@c{i % 7}.example",
                f"t{i % 5}",
                "bug",
                "2026-01-02",
            ]
            for i in range(n)
        ]
        return csv_of(data)

    def measure(n: int, text: str, outcome: RowOutcome = CREATED) -> int:
        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            report = run(rows(n, text), actor, batch_size=50)
        assert report.committed, report.errors[:3]
        assert report.counts[outcome] == n
        return len(captured)

    if update:
        measure(count, "first")
    return (measure(count, "second", UPDATED if update else CREATED) - measure(0, "")) / count


@pytest.mark.parametrize("update", [False, True], ids=["create", "update"])
def test_queries_per_row_do_not_grow_with_the_file(leader, update):
    for i in range(7):
        customer = CustomerFactory(external_id=f"C-{i}")
        for j in range(3):
            ContactFactory(customer=customer, email=f"p{j}@c{i}.example")
    for i in range(5):
        Tag.objects.create(name=f"t{i}")
    NoteKind.objects.get(name="Bug")
    small = queries_per_row(50, leader, update=update)
    large = queries_per_row(500, leader, update=update)
    # A batch costs a fixed number of queries; customers and tags found by one batch are
    # not looked up again by the next, so a longer file costs, if anything, less per row.
    assert large <= small < 0.5


def test_features_are_not_touched_by_a_plain_feedback_import(leader, acme):
    feature = FeatureFactory()
    run(feedback(*ROWS), leader)
    assert Feature.objects.get(pk=feature.pk).version == feature.version
