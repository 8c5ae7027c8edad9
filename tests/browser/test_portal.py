"""A visitor signs up on the public portal, votes for a public feature and comments;
the feedback inbox gets the notes (checked in the database)."""

from __future__ import annotations

import pytest

from pilothouse.customers.models import Note, NoteLink
from pilothouse.portal.models import PortalFeature, PortalProduct, PortalVisitor, PortalVote
from tests.factories import ContactFactory, CustomerFactory, FeatureFactory, ProductFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _wait_for(check, page, what: str, timeout_ms: int = 10_000) -> None:
    waited = 0
    while not check():
        if waited >= timeout_ms:
            raise AssertionError(f"timed out waiting for {what}")
        page.wait_for_timeout(100)
        waited += 100


def test_visitor_signs_up_votes_and_comments(page):
    product = ProductFactory(key="PAY", name="Payments")
    PortalProduct.objects.create(product=product, enabled=True, title="Payments ideas")
    feature = FeatureFactory(product=product, title="Export invoices to CSV", stage="planned")
    PortalFeature.objects.create(feature=feature, public=True)
    hidden = FeatureFactory(product=product, title="Internal migration")
    PortalFeature.objects.create(feature=hidden, public=False)
    acme = CustomerFactory(name="Acme")
    ContactFactory(customer=acme, email="buyer@acme.example")

    page.goto("/portal/")
    page.get_by_role("link", name="Payments ideas").click()
    page.get_by_role("link", name="Export invoices to CSV").wait_for()
    assert page.get_by_text("Internal migration").count() == 0
    page.get_by_role("link", name="Export invoices to CSV").click()
    page.get_by_role("link", name="sign up", exact=True).click()

    page.get_by_label("Name").fill("Ada Lovelace")
    page.get_by_label("Email").fill("ada@acme.example")
    page.get_by_label("Password").fill("analytical engine 1843")
    page.get_by_role("button", name="Sign up").click()
    page.get_by_text("Signed in as Ada Lovelace").wait_for()
    assert f"/portal/PAY/features/{feature.pk}/" in page.url
    visitor = PortalVisitor.objects.get()

    page.get_by_role("button", name="Vote", exact=True).click()
    page.get_by_role("button", name="Remove my vote").wait_for()
    assert page.get_by_test_id("vote-count").inner_text() == "1 vote"
    _wait_for(lambda: PortalVote.objects.filter(visitor=visitor).exists(), page, "the vote")

    page.locator("textarea[name=text]").fill("We export every month end.\n<b>Please</b>")
    page.get_by_role("button", name="Post comment").click()
    page.get_by_text("We export every month end.").wait_for()
    assert page.get_by_text("<b>Please</b>").count() == 1  # shown as text, not markup

    _wait_for(lambda: Note.objects.filter(source="portal").count() == 2, page, "two notes")
    notes = {note.text: note for note in Note.objects.filter(source="portal")}
    vote_note = notes["Voted for Export invoices to CSV"]
    comment_note = notes["We export every month end.\n<b>Please</b>"]
    for note in (vote_note, comment_note):
        assert note.author is None
        assert note.customer == acme
        assert NoteLink.objects.get(note=note).feature == feature
