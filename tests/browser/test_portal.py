"""A visitor signs up on the public portal, confirms their address through the emailed
link, votes for a public feature, comments and sends an idea that is then listed; the
product's steward hides the comment from the moderation page. The inbox notes and the
moderation are checked in the database."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from pilothouse.core.models import ChangeRecord
from pilothouse.core.roles import Role
from pilothouse.customers.models import Note, NoteLink
from pilothouse.portal.models import (
    PortalComment,
    PortalFeature,
    PortalIdea,
    PortalProduct,
    PortalVisitor,
    PortalVote,
)
from tests.factories import (
    ContactFactory,
    CustomerFactory,
    FeatureFactory,
    ProductFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

CONFIRM_LINK = re.compile(r"https?://\S+/portal/confirm/\S+/")


def _wait_for(check, page, what: str, timeout_ms: int = 10_000) -> None:
    waited = 0
    while not check():
        if waited >= timeout_ms:
            raise AssertionError(f"timed out waiting for {what}")
        page.wait_for_timeout(100)
        waited += 100


def test_visitor_signs_up_confirms_votes_comments_and_sends_an_idea(page, log_in):
    steward = UserFactory(username="pat", role=Role.PRODUCT_MANAGER, first_name="Pat")
    product = ProductFactory(key="PAY", name="Payments", owner=steward)
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
    page.get_by_text("we sent a link to ada@acme.example").wait_for()
    assert f"/portal/PAY/features/{feature.pk}/" in page.url
    assert page.get_by_text("Signed in as").count() == 0  # the emailed link signs in

    # Open the link the live server emailed (the tests' in-memory outbox).
    _wait_for(lambda: len(mail.outbox) == 1, page, "the confirmation email")
    assert mail.outbox[0].to == ["ada@acme.example"]
    page.goto(CONFIRM_LINK.search(mail.outbox[0].body).group(0))
    page.get_by_role("heading", name="Your email address is confirmed").wait_for()
    page.get_by_text("You are signed in as Ada Lovelace").wait_for()
    visitor = PortalVisitor.objects.get()
    assert visitor.email_confirmed

    page.goto(f"/portal/PAY/features/{feature.pk}/")
    page.get_by_role("button", name="Vote", exact=True).click()
    page.get_by_role("button", name="Remove my vote").wait_for()
    assert page.get_by_test_id("vote-count").inner_text() == "1 vote"
    _wait_for(lambda: PortalVote.objects.filter(visitor=visitor).exists(), page, "the vote")

    page.goto(f"/portal/PAY/features/{feature.pk}/")
    page.locator("textarea[name=text]").fill("We export every month end.\n<b>Please</b>")
    page.get_by_role("button", name="Post comment").click()
    page.get_by_text("We export every month end.").wait_for()
    assert page.get_by_text("<b>Please</b>").count() == 1  # shown as text, not markup

    # An idea, listed on the product page with its status.
    page.get_by_role("link", name="← Payments ideas").click()
    page.get_by_label("Title").fill("Pay invoices by bank transfer")
    page.get_by_label("Describe your idea").fill("Our suppliers want SEPA transfers.")
    page.get_by_role("button", name="Send idea").click()
    page.get_by_text("your idea was sent to the team").wait_for()
    ideas = page.get_by_test_id("ideas")
    ideas.get_by_role("link", name="Pay invoices by bank transfer").wait_for()
    assert "Under review" in ideas.inner_text()
    idea = PortalIdea.objects.get()
    assert (idea.visitor, idea.note.source) == (visitor, "portal")

    _wait_for(lambda: Note.objects.filter(source="portal").count() == 3, page, "three notes")
    notes = {note.text: note for note in Note.objects.filter(source="portal")}
    vote_note = notes["Voted for Export invoices to CSV"]
    comment_note = notes["We export every month end.\n<b>Please</b>"]
    for note in (vote_note, comment_note):
        assert note.author is None
        assert note.customer == acme
        assert NoteLink.objects.get(note=note).feature == feature

    # The steward hides the comment from the moderation page; the public page drops it.
    log_in("pat")
    page.goto("/portal/manage/PAY/")
    page.get_by_role("link", name="Moderate comments and ideas").click()
    comment = PortalComment.objects.get()
    item = page.locator(f"#comment-{comment.pk}")
    item.get_by_role("button", name="Hide").click()
    page.get_by_text("The comment is hidden.").wait_for()
    page.locator(f"#comment-{comment.pk}").get_by_role("button", name="Show").wait_for()
    _wait_for(lambda: PortalComment.objects.get().hidden, page, "the comment hidden")
    assert ChangeRecord.objects.filter(actor=steward, object_id=comment.pk).exists()
    page.goto(f"/portal/PAY/features/{feature.pk}/")
    page.get_by_text("No comments yet.").wait_for()
    assert page.get_by_text("We export every month end.").count() == 0
