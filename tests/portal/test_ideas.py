"""Visitors' ideas on the public pages: listed unless hidden, with the status the team's
handling of the idea's inbox note gives them, and votes."""

from __future__ import annotations

import pytest
from django.urls import reverse

from pilothouse.customers.models import Note, NoteState
from pilothouse.portal import selectors
from pilothouse.portal.models import (
    PortalFeature,
    PortalIdea,
    PortalIdeaVote,
    PortalProduct,
)
from pilothouse.roadmap.models import FeatureStage
from tests.factories import FeatureFactory, NoteFactory, NoteLinkFactory, ProductFactory
from tests.portal.conftest import make_visitor, sign_in_client
from tests.web.helpers import assert_same_queries

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert('x')</script>"


def _idea(visitor, product, title="Dark mode", text="Please add a dark mode."):
    """An idea as idea_add leaves it (tested in test_submissions), without its limits."""
    note = NoteFactory(title=title, text=text, source="portal")
    return PortalIdea.objects.create(
        visitor=visitor, product=product, title=title, text=text, note=note
    )


def _public(product, stage, title="A feature", public=True):
    feature = FeatureFactory(product=product, title=title, stage=stage)
    PortalFeature.objects.create(feature=feature, public=public)
    return feature


def _status(idea):
    return selectors.public_idea(idea.product, idea.pk).status


@pytest.mark.parametrize(
    ("stage", "key", "label"),
    [
        (FeatureStage.IDEA, "under_review", "Under review"),
        (FeatureStage.CANDIDATE, "under_review", "Under review"),
        (FeatureStage.PLANNED, "planned", "Planned"),
        (FeatureStage.IN_PROGRESS, "in_progress", "In progress"),
        (FeatureStage.RELEASED, "shipped", "Shipped"),
        (FeatureStage.MEASURED, "shipped", "Shipped"),
        (FeatureStage.REJECTED, "declined", "Declined"),
    ],
)
def test_a_note_linked_to_a_public_feature_gives_its_stage(visitor, product, stage, key, label):
    idea = _idea(visitor, product)
    feature = _public(product, stage)
    NoteLinkFactory(note=idea.note, feature=feature)
    status = _status(idea)
    assert (status.key, status.label, status.feature) == (key, label, feature)


def test_statuses_from_the_note_alone(visitor, product):
    idea = _idea(visitor, product)
    assert (_status(idea).key, _status(idea).feature) == ("under_review", None)
    Note.objects.filter(pk=idea.note_id).update(state=NoteState.TRIAGED)
    assert _status(idea).key == "under_review"
    Note.objects.filter(pk=idea.note_id).update(state=NoteState.ARCHIVED)
    assert _status(idea).key == "declined"
    Note.objects.filter(pk=idea.note_id).delete()
    assert _status(idea).key == "under_review"


def test_links_visitors_may_not_see_do_not_count(visitor, product):
    idea = _idea(visitor, product)
    Note.objects.filter(pk=idea.note_id).update(state=NoteState.ARCHIVED)
    NoteLinkFactory(note=idea.note, feature=_public(product, "planned", public=False))
    NoteLinkFactory(note=idea.note, feature=FeatureFactory(product=product, stage="planned"))
    off = ProductFactory(key="OFF")
    PortalProduct.objects.create(product=off, enabled=False)
    NoteLinkFactory(note=idea.note, feature=_public(off, "planned"))
    assert (_status(idea).key, _status(idea).feature) == ("declined", None)


def test_the_furthest_public_feature_speaks(visitor, product):
    idea = _idea(visitor, product)
    NoteLinkFactory(note=idea.note, feature=_public(product, "planned", title="First step"))
    shipped = _public(product, "released", title="Shipped part")
    NoteLinkFactory(note=idea.note, feature=shipped)
    assert (_status(idea).key, _status(idea).feature) == ("shipped", shipped)


def test_a_public_feature_of_another_enabled_portal_is_linked_there(client, visitor, product):
    idea = _idea(visitor, product)
    platform = ProductFactory(key="PLAT")
    PortalProduct.objects.create(product=platform, enabled=True)
    feature = _public(platform, "in_progress", title="Platform work")
    NoteLinkFactory(note=idea.note, feature=feature)
    page = client.get(reverse("portal:product", args=["PAY"])).text
    assert reverse("portal:feature", args=["PLAT", feature.pk]) in page
    assert "In progress" in page


def test_the_product_page_lists_ideas_with_status_and_link(client, visitor, product):
    idea = _idea(visitor, product, title=f"Dark {SCRIPT}")
    planned = _public(product, "planned", title="Themes")
    NoteLinkFactory(note=idea.note, feature=planned)
    other = _idea(make_visitor("bo@x.example", "Bo"), product, title="Offline mode")
    Note.objects.filter(pk=other.note_id).update(state=NoteState.ARCHIVED)
    hidden = _idea(visitor, product, title="Hidden idea")
    PortalIdea.objects.filter(pk=hidden.pk).update(hidden=True)
    elsewhere = _idea(visitor, ProductFactory(key="ELSE"), title="Idea elsewhere")

    page = client.get(reverse("portal:product", args=["PAY"])).text
    assert SCRIPT not in page
    assert "Dark &lt;script&gt;" in page
    assert reverse("portal:idea_detail", args=["PAY", idea.pk]) in page
    assert reverse("portal:feature", args=["PAY", planned.pk]) in page
    assert "Planned" in page
    assert "Declined" in page
    assert "Offline mode" in page
    assert "Hidden idea" not in page
    assert elsewhere.title not in page


def test_idea_page(client, visitor, product):
    idea = _idea(visitor, product, text=f"Body {SCRIPT}\nline two")
    page = client.get(reverse("portal:idea_detail", args=["PAY", idea.pk]))
    assert page.status_code == 200
    assert "Under review" in page.text
    assert "Body &lt;script&gt;" in page.text
    assert SCRIPT not in page.text
    assert "to vote" in page.text  # anonymous: sign in to vote
    elsewhere = _idea(visitor, ProductFactory(key="ELSE"))
    assert client.get(reverse("portal:idea_detail", args=["PAY", elsewhere.pk])).status_code == 404
    assert client.get(reverse("portal:idea_detail", args=["PAY", 999])).status_code == 404


def test_voting_for_an_idea_and_taking_it_back(client, visitor, product):
    idea = _idea(visitor, product)
    voter = make_visitor("vo@x.example", "Vo", confirmed=False)  # votes need no confirmation
    sign_in_client(client, voter)
    url = reverse("portal:idea_vote", args=["PAY", idea.pk])
    notes_before = Note.objects.count()
    assert client.post(url).status_code == 302
    assert PortalIdeaVote.objects.get().visitor == voter
    page = client.get(reverse("portal:idea_detail", args=["PAY", idea.pk])).text
    assert "1 vote" in page
    assert "Remove my vote" in page
    assert "You voted" in client.get(reverse("portal:product", args=["PAY"])).text
    assert client.post(url).status_code == 302
    assert not PortalIdeaVote.objects.exists()
    assert Note.objects.count() == notes_before  # idea votes make no notes


def test_ideas_sort_by_votes_then_newest(client, visitor, product):
    older = _idea(visitor, product, title="Older idea")
    newer = _idea(visitor, product, title="Newer idea")
    page = client.get(reverse("portal:product", args=["PAY"])).text
    assert page.index("Newer idea") < page.index("Older idea")
    PortalIdeaVote.objects.create(visitor=visitor, idea=older)
    page = client.get(reverse("portal:product", args=["PAY"])).text
    assert page.index("Older idea") < page.index("Newer idea")
    assert newer.pk


@pytest.mark.parametrize("kind", ["anonymous", "staff"])
def test_only_visitors_vote_for_ideas(client, make_user, visitor, product, kind):
    idea = _idea(visitor, product)
    if kind == "staff":
        client.force_login(make_user("admin", username="boss"))
    answer = client.post(reverse("portal:idea_vote", args=["PAY", idea.pk]))
    assert answer.status_code == 302
    assert reverse("portal:login") in answer.url
    assert not PortalIdeaVote.objects.exists()


def test_a_hidden_idea_takes_no_votes(visitor_client, visitor, product):
    idea = _idea(visitor, product)
    PortalIdea.objects.filter(pk=idea.pk).update(hidden=True)
    answer = visitor_client.post(reverse("portal:idea_vote", args=["PAY", idea.pk]))
    assert answer.status_code == 404
    assert not PortalIdeaVote.objects.exists()


def test_ideas_are_paginated(client, visitor, product):
    for number in range(23):
        PortalIdea.objects.create(
            visitor=visitor, product=product, title=f"Idea {number}", text="t"
        )
    first = client.get(reverse("portal:product", args=["PAY"])).text
    second = client.get(reverse("portal:product", args=["PAY"]), {"page": 2}).text
    assert "Page 1 of 2" in first
    assert "Page 2 of 2" in second
    assert first.count("/portal/PAY/ideas/") + second.count("/portal/PAY/ideas/") >= 23


def test_product_page_with_ideas_costs_fixed_queries(visitor_client, visitor, product):
    def add(count: int) -> None:
        for _ in range(count):
            idea = _idea(visitor, product)
            NoteLinkFactory(note=idea.note, feature=_public(product, "in_progress"))
            PortalIdeaVote.objects.create(visitor=visitor, idea=idea)

    add(3)
    url = reverse("portal:product", args=["PAY"])
    assert_same_queries(lambda: visitor_client.get(url), lambda: add(12))


def test_idea_page_costs_fixed_queries(visitor_client, visitor, product):
    idea = _idea(visitor, product)

    def add(count: int) -> None:
        for number in range(count):
            NoteLinkFactory(note=idea.note, feature=_public(product, "planned", title=f"F{number}"))
            PortalIdeaVote.objects.create(
                visitor=make_visitor(f"x{number}{count}@x.example", "X"), idea=idea
            )

    add(2)
    url = reverse("portal:idea_detail", args=["PAY", idea.pk])
    assert_same_queries(lambda: visitor_client.get(url), lambda: add(20))
