"""Votes, comments and ideas: what they write, the inbox notes they make, and the abuse
controls (honeypot, rate limits, size limits, escaping)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from pilothouse.core.models import ChangeRecord
from pilothouse.customers.models import Note, NoteLink, NoteState
from pilothouse.portal import limits, services
from pilothouse.portal.errors import RateLimited
from pilothouse.portal.models import (
    PortalAction,
    PortalComment,
    PortalIdea,
    PortalVisitor,
    PortalVote,
)
from tests.factories import ContactFactory, CustomerFactory
from tests.portal.conftest import make_visitor

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert('x')</script>"


def _vote(client, feature):
    return client.post(reverse("portal:vote", args=["PAY", feature.pk]))


def _comment(client, feature, text, **extra):
    return client.post(reverse("portal:comment", args=["PAY", feature.pk]), {"text": text, **extra})


def _idea(client, title, text, **extra):
    return client.post(
        reverse("portal:idea", args=["PAY"]), {"title": title, "text": text, **extra}
    )


def test_vote_makes_a_linked_portal_note_and_unvote_takes_it_back(visitor_client, public_feature):
    assert _vote(visitor_client, public_feature).status_code == 302
    vote = PortalVote.objects.get()
    note = Note.objects.get()
    assert (note.source, note.text, note.author, note.customer) == (
        "portal",
        "Voted for Export to CSV",
        None,
        None,
    )
    link = NoteLink.objects.get()
    assert (link.note, link.feature, link.importance) == (note, public_feature, None)
    assert vote.note == note
    assert ChangeRecord.objects.filter(object_id=note.pk, action="create", actor=None).exists()
    page = visitor_client.get(reverse("portal:feature", args=["PAY", public_feature.pk]))
    assert "1 vote" in page.text
    assert "Remove my vote" in page.text

    _vote(visitor_client, public_feature)
    assert not PortalVote.objects.exists()
    assert not Note.objects.exists()


def test_unvote_keeps_a_note_the_team_triaged(visitor_client, public_feature):
    _vote(visitor_client, public_feature)
    Note.objects.update(state=NoteState.TRIAGED)
    _vote(visitor_client, public_feature)
    assert not PortalVote.objects.exists()
    assert Note.objects.count() == 1


def test_comment_makes_a_linked_note_and_is_shown_escaped(visitor_client, public_feature):
    text = f"Please {SCRIPT}\nsecond line"
    assert _comment(visitor_client, public_feature, text).status_code == 302
    comment = PortalComment.objects.get()
    assert comment.note.source == "portal"
    assert comment.note.text == text.strip()
    assert NoteLink.objects.get().feature == public_feature
    page = visitor_client.get(reverse("portal:feature", args=["PAY", public_feature.pk])).text
    assert SCRIPT not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;<br>second line" in page


def test_hidden_comment_is_not_shown(visitor_client, public_feature):
    _comment(visitor_client, public_feature, "rude words")
    PortalComment.objects.update(hidden=True)
    page = visitor_client.get(reverse("portal:feature", args=["PAY", public_feature.pk]))
    assert "rude words" not in page.text


def test_idea_makes_an_unlinked_note_and_titles_are_escaped(
    visitor_client, product, public_feature
):
    assert _idea(visitor_client, f"Dark {SCRIPT}", f"Body {SCRIPT}").status_code == 302
    idea = PortalIdea.objects.get()
    assert (idea.note.title, idea.note.text, idea.note.source) == (
        f"Dark {SCRIPT}",
        f"Body {SCRIPT}",
        "portal",
    )
    assert not NoteLink.objects.exists()
    page = visitor_client.get(reverse("portal:product", args=["PAY"]) + "?idea=sent").text
    assert "your idea was sent" in page
    assert SCRIPT not in page


def test_notes_find_the_customer_by_email_domain(visitor_client, visitor, public_feature):
    acme = CustomerFactory(name="Acme")
    ContactFactory(customer=acme, email="bob@ACME.example")
    _vote(visitor_client, public_feature)
    note = Note.objects.get()
    assert note.customer == acme
    assert note.contact is None


def test_notes_take_the_contact_with_the_same_email(visitor_client, visitor, public_feature):
    contact = ContactFactory(email="Ada@acme.example")
    ContactFactory(email="someone@acme.example")
    _comment(visitor_client, public_feature, "Yes please")
    note = Note.objects.get()
    assert (note.customer, note.contact) == (contact.customer, contact)


@pytest.mark.parametrize("kind", ["comment", "idea", "signup"])
def test_honeypot_refuses_silently(client, visitor_client, public_feature, kind):
    before = PortalVisitor.objects.count()
    if kind == "comment":
        answer = _comment(visitor_client, public_feature, "hello", website="http://spam")
    elif kind == "idea":
        answer = _idea(visitor_client, "t", "x", website="spam")
    else:
        visitor_client.post(reverse("portal:logout"))
        answer = client.post(
            reverse("portal:signup"),
            {
                "name": "Bot",
                "email": "bot@spam.example",
                "password": "spam-spam-spam",
                "website": "x",
            },
        )
    assert answer.status_code == 400
    assert not Note.objects.exists()
    assert not PortalComment.objects.exists()
    assert not PortalIdea.objects.exists()
    assert PortalVisitor.objects.count() == before
    assert not PortalAction.objects.exists()


def test_size_limits_are_field_errors(visitor_client, public_feature):
    answer = _comment(visitor_client, public_feature, "x" * 2_001)
    assert answer.status_code == 400
    assert "at most 2000 characters" in answer.text
    answer = _idea(visitor_client, "t" * 201, "y" * 5_001)
    assert answer.status_code == 400
    assert "at most 200 characters" in answer.text
    assert "at most 5000 characters" in answer.text
    answer = _comment(visitor_client, public_feature, "   ")
    assert answer.status_code == 400
    assert "This field is required" in answer.text
    assert not Note.objects.exists()
    assert not PortalComment.objects.exists()
    assert not PortalIdea.objects.exists()


def test_vote_flood_from_one_visitor_is_refused(visitor_client, public_feature, monkeypatch):
    monkeypatch.setitem(limits.LIMITS, "vote", 3)
    for _ in range(3):
        assert _vote(visitor_client, public_feature).status_code == 302
    answer = _vote(visitor_client, public_feature)
    assert answer.status_code == 429
    assert "Too many votes in the last hour" in answer.text
    assert PortalVote.objects.count() == 1
    assert Note.objects.count() == 1


def test_default_vote_limit_is_thirty_per_hour(visitor_client, product, visitor):
    from pilothouse.portal.models import PortalFeature
    from tests.factories import FeatureFactory

    features = [FeatureFactory(product=product) for _ in range(31)]
    PortalFeature.objects.bulk_create([PortalFeature(feature=f, public=True) for f in features])
    for feature in features[:30]:
        assert _vote(visitor_client, feature).status_code == 302
    assert _vote(visitor_client, features[30]).status_code == 429
    assert PortalVote.objects.count() == 30
    assert Note.objects.count() == 30


def test_limits_count_per_address_across_visitors(client, visitor, public_feature, monkeypatch):
    monkeypatch.setitem(limits.LIMITS, "comment", 2)
    other = make_visitor("eve@else.example", "Eve")
    for who in [visitor, other]:
        services.comment_add(visitor=who, feature=public_feature, text="hi", ip="10.0.0.9")
    with pytest.raises(RateLimited):
        services.comment_add(visitor=other, feature=public_feature, text="hi", ip="10.0.0.9")
    services.comment_add(visitor=other, feature=public_feature, text="hi", ip="10.0.0.10")
    assert PortalComment.objects.count() == 3
    assert Note.objects.count() == 3


def test_idea_and_signup_limits(client, visitor_client, product, monkeypatch):
    for _ in range(5):
        assert _idea(visitor_client, "Idea", "text").status_code == 302
    answer = _idea(visitor_client, "Idea", "text")
    assert answer.status_code == 429
    assert "Too many ideas" in answer.text
    assert PortalIdea.objects.count() == 5
    assert Note.objects.count() == 5

    visitor_client.post(reverse("portal:logout"))
    for number in range(6):
        answer = client.post(
            reverse("portal:signup"),
            {"name": "N", "email": f"n{number}@x.example", "password": "long enough pass"},
        )
    assert answer.status_code == 429
    assert "Too many sign-ups" in answer.text
    assert PortalVisitor.objects.count() == 1 + 5


def test_failed_logins_are_limited(client, visitor):
    for _ in range(10):
        client.post(reverse("portal:login"), {"email": visitor.email, "password": "wrong"})
    answer = client.post(
        reverse("portal:login"), {"email": visitor.email, "password": "a long visitor password"}
    )
    assert answer.status_code == 429
