"""A product manager triages the feedback inbox with the keyboard alone: j/k to move,
a digit to set the kind, l + typing + Enter to link a feature, e to archive; the
database is checked after each step."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from pilothouse.core.roles import Role
from pilothouse.customers.models import Note, NoteKind, NoteLink
from tests.factories import CustomerFactory, FeatureFactory, NoteFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _wait_for(check, page, what: str, timeout_ms: int = 10_000) -> None:
    """Poll the database (the browser works through another connection) until `check`."""
    waited = 0
    while not check():
        if waited >= timeout_ms:
            raise AssertionError(f"timed out waiting for {what}")
        page.wait_for_timeout(100)
        waited += 100


def selected(note):
    """The inbox's address once `note` is selected (with whatever filters it carries)."""
    return lambda url: "/customers/inbox/?" in url and url.endswith(f"note={note.pk}")


def test_triage_notes_with_the_keyboard(page, log_in):
    UserFactory(username="pat", role=Role.PRODUCT_MANAGER, first_name="Pat")
    acme = CustomerFactory(name="Acme Corp", arr=120_000, market_segment="Enterprise")
    exports = FeatureFactory(title="CSV export of invoices")
    FeatureFactory(title="Dark mode")
    now = timezone.now()
    first = NoteFactory(
        title="Exports time out",
        text="The month-end export times out.",
        customer=acme,
        submitted_at=now,
    )
    second = NoteFactory(
        title="Invoices in EUR",
        text="We bill in EUR and GBP.",
        customer=acme,
        submitted_at=now - dt.timedelta(hours=1),
    )
    third = NoteFactory(
        title="Love the dashboard", text="Great work!", submitted_at=now - dt.timedelta(hours=2)
    )
    kinds = list(NoteKind.objects.filter(active=True))  # by position: Bug, Feature request...

    log_in("pat")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Customers").click()
    page.wait_for_url("**/customers/inbox/")
    pane = page.locator("#note-pane")

    # j selects the first note, j again the second, k goes back to the first.
    page.keyboard.press("j")
    page.wait_for_url(selected(first))
    pane.get_by_role("heading", name="Exports time out").wait_for()
    page.keyboard.press("j")
    page.wait_for_url(selected(second))
    pane.get_by_role("heading", name="Invoices in EUR").wait_for()
    page.keyboard.press("k")
    page.wait_for_url(selected(first))
    pane.get_by_role("heading", name="Exports time out").wait_for()
    assert page.locator(f"#note-row-{first.pk}").get_attribute("aria-current") == "true"

    # 2 sets the second kind.
    page.keyboard.press("2")
    pane.locator('button[aria-pressed="true"]', has_text=kinds[1].name).wait_for()
    first.refresh_from_db()
    assert first.kind == kinds[1]
    assert page.locator("#inbox-status").inner_text() == f"Kind set to {kinds[1].name}."

    # Shortcuts do not fire while typing: "e" typed into the search box archives nothing.
    page.keyboard.press("/")
    page.keyboard.type("e")
    page.keyboard.press("Escape")
    page.wait_for_timeout(300)
    first.refresh_from_db()
    assert first.state == "new"

    # l focuses the feature picker; type part of a title; Enter links the first match.
    page.keyboard.press("l")
    picker = pane.get_by_label("Link to a feature")
    assert picker.evaluate("el => el === document.activeElement")
    page.keyboard.type("csv exp")
    page.keyboard.press("Enter")
    pane.locator(".note-link", has_text="CSV export of invoices").wait_for()
    _wait_for(lambda: NoteLink.objects.filter(note=first, feature=exports).exists(), page, "link")
    # The row is refreshed by an out-of-band swap that may settle after the pane's.
    page.locator(f"#note-row-{first.pk}").get_by_text("CSV export of invoices").wait_for()

    # e archives the note, and the inbox moves on to the next one.
    page.keyboard.press("e")
    _wait_for(lambda: Note.objects.get(pk=first.pk).state == "archived", page, "the note archived")
    page.wait_for_url(selected(second))
    pane.get_by_role("heading", name="Invoices in EUR").wait_for()
    assert "Archived" in page.locator(f"#note-row-{first.pk}").inner_text()

    # t marks the second note triaged and moves on to the third.
    page.keyboard.press("t")
    _wait_for(lambda: Note.objects.get(pk=second.pk).state == "triaged", page, "triaged")
    page.wait_for_url(selected(third))

    # ? opens the help, which lists the kinds with their keys.
    page.keyboard.press("?")
    help_dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    help_dialog.wait_for()
    assert f"Set the kind to {kinds[0].name}" in help_dialog.inner_text()
    page.keyboard.press("Escape")

    first.refresh_from_db()
    third.refresh_from_db()
    assert (first.state, first.kind, first.version) == ("archived", kinds[1], 3)
    assert (third.state, third.kind) == ("new", None)
