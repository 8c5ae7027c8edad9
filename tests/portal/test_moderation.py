"""Moderation of a product's portal: hiding and showing comments and ideas, blocking
visitors (and hiding all they wrote), the change log, the moderation page, and who may
and who may not."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from pilothouse.core.models import ChangeRecord
from pilothouse.core.roles import Role
from pilothouse.portal import moderation, services
from pilothouse.portal.errors import Blocked
from pilothouse.portal.models import (
    PortalBlock,
    PortalComment,
    PortalFeature,
    PortalIdea,
    PortalProduct,
    PortalVote,
)
from tests.factories import FeatureFactory, ProductFactory
from tests.portal.conftest import make_visitor, sign_in_client
from tests.web.helpers import assert_same_queries

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert('x')</script>"
# Who is tried on every staff page and action, and who may.
STAFF = ["admin", "product_leader", "steward", "other_pm", "contributor", "viewer"]
ALLOWED = {"admin", "product_leader", "steward"}


@pytest.fixture
def steward(make_user, product):
    user = make_user(Role.PRODUCT_MANAGER, username="steward")
    product.owner = user
    product.save()
    return user


@pytest.fixture
def staff(make_user, steward):
    """A user for each name of STAFF; `other_pm` looks after another product."""
    other_pm = make_user(Role.PRODUCT_MANAGER, username="other-pm")
    ProductFactory(key="OWN", owner=other_pm)
    users = {
        "admin": make_user(Role.ADMIN, username="admin"),
        "product_leader": make_user(Role.PRODUCT_LEADER, username="leader"),
        "steward": steward,
        "other_pm": other_pm,
        "contributor": make_user(Role.CONTRIBUTOR, username="contributor"),
        "viewer": make_user(Role.VIEWER, username="viewer"),
    }
    return users.__getitem__


@pytest.fixture
def comment(visitor, public_feature):
    return PortalComment.objects.create(visitor=visitor, feature=public_feature, text="Rude words")


@pytest.fixture
def idea(visitor, product):
    return PortalIdea.objects.create(visitor=visitor, product=product, title="Dark mode", text="x")


def _hidden(obj) -> bool:
    obj.refresh_from_db()
    return obj.hidden


# --- services ----------------------------------------------------------------------


def test_hiding_a_comment_is_change_logged_once(steward, comment, public_feature, client):
    moderation.comment_set_hidden(actor=steward, comment=comment, hidden=True)
    moderation.comment_set_hidden(actor=steward, comment=comment, hidden=True)  # no change
    assert _hidden(comment)
    record = ChangeRecord.objects.get()
    assert (record.actor, record.action, record.object_id) == (steward, "update", comment.pk)
    assert (record.before, record.after) == ({"hidden": False}, {"hidden": True})
    assert record.content_type.model == "portalcomment"
    page = client.get(reverse("portal:feature", args=["PAY", public_feature.pk])).text
    assert "Rude words" not in page

    moderation.comment_set_hidden(actor=steward, comment=comment, hidden=False)
    assert not _hidden(comment)
    assert ChangeRecord.objects.count() == 2
    assert (
        "Rude words" in client.get(reverse("portal:feature", args=["PAY", public_feature.pk])).text
    )


def test_hiding_an_idea_takes_it_off_the_public_pages(steward, idea, client):
    assert "Dark mode" in client.get(reverse("portal:product", args=["PAY"])).text
    moderation.idea_set_hidden(actor=steward, idea=idea, hidden=True)
    assert "Dark mode" not in client.get(reverse("portal:product", args=["PAY"])).text
    assert client.get(reverse("portal:idea_detail", args=["PAY", idea.pk])).status_code == 404
    assert ChangeRecord.objects.get().after == {"hidden": True}


@pytest.mark.parametrize("name", STAFF)
def test_who_may_moderate(staff, name, comment, idea, portal, visitor):
    actor = staff(name)
    calls = [
        lambda: moderation.comment_set_hidden(actor=actor, comment=comment, hidden=True),
        lambda: moderation.idea_set_hidden(actor=actor, idea=idea, hidden=True),
        lambda: moderation.visitor_block(actor=actor, portal=portal, visitor=visitor),
        lambda: moderation.visitor_hide_content(actor=actor, portal=portal, visitor=visitor),
    ]
    for call in calls:
        if name in ALLOWED:
            call()
        else:
            with pytest.raises(PermissionDenied):
                call()
    assert _hidden(comment) == _hidden(idea) == (name in ALLOWED)
    assert PortalBlock.objects.exists() == (name in ALLOWED)
    assert ChangeRecord.objects.exists() == (name in ALLOWED)


def test_moderation_follows_the_rule_of_the_settings_page(staff, product):
    for name in STAFF:
        assert services.may_manage(staff(name), product) == (name in ALLOWED)


def test_block_and_hide_everything_in_one_action(steward, portal, visitor, public_feature, idea):
    mine = [
        PortalComment.objects.create(visitor=visitor, feature=public_feature, text=f"c{n}")
        for n in range(3)
    ]
    already_hidden = PortalComment.objects.create(
        visitor=visitor, feature=public_feature, text="old", hidden=True
    )
    someone = make_visitor("bob@else.example", "Bob")
    theirs = PortalComment.objects.create(visitor=someone, feature=public_feature, text="fine")
    elsewhere = FeatureFactory(title="On another product")
    PortalFeature.objects.create(feature=elsewhere, public=True)
    other_product = PortalComment.objects.create(visitor=visitor, feature=elsewhere, text="ok")

    block = moderation.visitor_block(
        actor=steward, portal=portal, visitor=visitor, reason="spam", hide_content=True
    )
    assert (block.portal, block.visitor, block.reason, block.created_by) == (
        portal,
        visitor,
        "spam",
        steward,
    )
    assert all(_hidden(c) for c in mine)
    assert _hidden(idea)
    assert _hidden(already_hidden)
    assert not _hidden(theirs)
    assert not _hidden(other_product)  # moderation is per product
    logged = list(ChangeRecord.objects.values_list("content_type__model", "action", "after"))
    assert logged.count(("portalcomment", "update", {"hidden": True})) == 3
    assert logged.count(("portalidea", "update", {"hidden": True})) == 1
    assert ("portalblock", "create") in {(model, action) for model, action, _ in logged}
    assert len(logged) == 5

    # Blocking again changes nothing; unblocking keeps the content hidden.
    moderation.visitor_block(actor=steward, portal=portal, visitor=visitor)
    assert PortalBlock.objects.count() == 1
    moderation.visitor_unblock(actor=steward, block=block)
    assert not PortalBlock.objects.exists()
    assert _hidden(idea)
    assert ChangeRecord.objects.filter(action="delete").count() == 1


def test_a_blocked_visitor_can_sign_in_but_not_vote_comment_or_send_ideas(
    client, steward, portal, visitor, public_feature, idea
):
    moderation.visitor_block(actor=steward, portal=portal, visitor=visitor)
    answer = client.post(
        reverse("portal:login"), {"email": visitor.email, "password": "a long visitor password"}
    )
    assert answer.status_code == 302
    page = client.get(reverse("portal:feature", args=["PAY", public_feature.pk])).text
    assert "has blocked your account" in page
    assert "Post comment" not in page
    product_page = client.get(reverse("portal:product", args=["PAY"])).text
    assert "Send idea" not in product_page
    before = ChangeRecord.objects.count()
    for url, data in [
        (reverse("portal:vote", args=["PAY", public_feature.pk]), {}),
        (reverse("portal:comment", args=["PAY", public_feature.pk]), {"text": "hello"}),
        (reverse("portal:idea", args=["PAY"]), {"title": "t", "text": "x"}),
        (reverse("portal:idea_vote", args=["PAY", idea.pk]), {}),
    ]:
        answer = client.post(url, data)
        assert answer.status_code == 403
        assert "blocked your account" in answer.text
    assert not PortalVote.objects.exists()
    assert PortalComment.objects.count() == 0
    assert PortalIdea.objects.count() == 1
    assert ChangeRecord.objects.count() == before
    with pytest.raises(Blocked):
        services.idea_add(visitor=visitor, product=portal.product, title="t", text="x", ip=None)


def test_a_block_is_per_product(steward, portal, visitor, make_user):
    other = ProductFactory(key="OTHER")
    PortalProduct.objects.create(product=other, enabled=True)
    feature = FeatureFactory(product=other)
    PortalFeature.objects.create(feature=feature, public=True)
    moderation.visitor_block(actor=steward, portal=portal, visitor=visitor)
    services.comment_add(visitor=visitor, feature=feature, text="still welcome", ip=None)
    assert PortalComment.objects.get().feature == feature


# --- the moderation page and its actions -------------------------------------------


def _urls(comment, idea, visitor):
    return {
        "page": reverse("portal:moderation", args=["PAY"]),
        "comment": reverse("portal:comment_hidden", args=["PAY", comment.pk]),
        "idea": reverse("portal:idea_hidden", args=["PAY", idea.pk]),
        "block": reverse("portal:visitor_block", args=["PAY", visitor.pk]),
        "unblock": reverse("portal:visitor_unblock", args=["PAY", visitor.pk]),
    }


@pytest.mark.parametrize("name", STAFF)
def test_moderation_page_and_actions_permissions(client, staff, name, comment, idea, visitor):
    client.force_login(staff(name))
    urls = _urls(comment, idea, visitor)
    allowed = name in ALLOWED
    assert client.get(urls["page"]).status_code == (200 if allowed else 403)
    assert client.post(urls["comment"], {"hidden": "1"}).status_code == (302 if allowed else 403)
    assert client.post(urls["idea"], {"hidden": "1"}).status_code == (302 if allowed else 403)
    assert client.post(urls["block"], {}).status_code == (302 if allowed else 403)
    assert PortalBlock.objects.exists() == allowed
    assert client.post(urls["unblock"], {}).status_code == (302 if allowed else 403)
    assert _hidden(comment) == _hidden(idea) == allowed
    assert not PortalBlock.objects.exists()


def test_moderation_needs_a_staff_log_in(client, comment, idea, visitor):
    urls = _urls(comment, idea, visitor)
    for method, url in [("get", urls["page"])] + [("post", urls[k]) for k in urls if k != "page"]:
        answer = getattr(client, method)(url, {"hidden": "1"})
        assert answer.status_code == 302
        assert answer.url.startswith(reverse("core:login"))
    assert not _hidden(comment)
    assert not PortalBlock.objects.exists()


def test_a_visitor_session_is_not_staff(client, comment, idea, visitor):
    sign_in_client(client, visitor)
    urls = _urls(comment, idea, visitor)
    assert client.get(urls["page"]).url.startswith(reverse("core:login"))
    answer = client.post(urls["comment"], {"hidden": "1"})
    assert answer.url.startswith(reverse("core:login"))
    assert not _hidden(comment)


def test_actions_are_post_only(client, steward, comment, idea, visitor):
    client.force_login(steward)
    for key, url in _urls(comment, idea, visitor).items():
        if key != "page":
            assert client.get(url).status_code == 405


def test_another_products_objects_are_not_found_through_this_page(client, steward, visitor):
    other = ProductFactory(key="ELSE")
    PortalProduct.objects.create(product=other, enabled=True)
    feature = FeatureFactory(product=other)
    foreign_comment = PortalComment.objects.create(visitor=visitor, feature=feature, text="x")
    foreign_idea = PortalIdea.objects.create(visitor=visitor, product=other, title="t", text="x")
    client.force_login(steward)  # looks after PAY, not ELSE
    answer = client.post(
        reverse("portal:comment_hidden", args=["PAY", foreign_comment.pk]), {"hidden": "1"}
    )
    assert answer.status_code == 404
    answer = client.post(
        reverse("portal:idea_hidden", args=["PAY", foreign_idea.pk]), {"hidden": "1"}
    )
    assert answer.status_code == 404
    assert client.get(reverse("portal:moderation", args=["ELSE"])).status_code == 403
    assert not _hidden(foreign_comment)
    assert not _hidden(foreign_idea)


def test_a_product_without_a_portal_has_no_moderation_page(client, steward, make_user):
    ProductFactory(key="NONE", owner=steward)
    client.force_login(steward)
    assert client.get(reverse("portal:moderation", args=["NONE"])).status_code == 404


def test_the_page_lists_newest_first_with_filters_and_escapes(
    client, steward, visitor, public_feature
):
    first = PortalComment.objects.create(visitor=visitor, feature=public_feature, text=SCRIPT)
    second = PortalIdea.objects.create(
        visitor=visitor, product=public_feature.product, title=f"Idea {SCRIPT}", text="body"
    )
    third = PortalComment.objects.create(
        visitor=visitor, feature=public_feature, text="Hidden one", hidden=True
    )
    client.force_login(steward)
    url = reverse("portal:moderation", args=["PAY"])
    page = client.get(url).text
    assert SCRIPT not in page
    assert page.index(f'id="comment-{third.pk}"') < page.index(f'id="idea-{second.pk}"')
    assert page.index(f'id="idea-{second.pk}"') < page.index(f'id="comment-{first.pk}"')
    hidden_only = client.get(url, {"shown": "hidden"}).text
    assert f'id="comment-{third.pk}"' in hidden_only
    assert f'id="comment-{first.pk}"' not in hidden_only
    visible_ideas = client.get(url, {"shown": "visible", "kind": "idea"}).text
    assert f'id="idea-{second.pk}"' in visible_ideas
    assert 'id="comment-' not in visible_ideas
    assert client.get(url, {"shown": "bogus"}).status_code == 200  # bad filters show all


def test_one_click_hide_from_the_page_keeps_the_filters(client, steward, comment):
    client.force_login(steward)
    back = reverse("portal:moderation", args=["PAY"]) + "?shown=visible"
    answer = client.post(
        reverse("portal:comment_hidden", args=["PAY", comment.pk]), {"hidden": "1", "next": back}
    )
    assert answer.url == back
    assert _hidden(comment)
    page = client.get(back)
    assert "The comment is hidden." in page.text
    answer = client.post(
        reverse("portal:comment_hidden", args=["PAY", comment.pk]),
        {"hidden": "0", "next": "https://evil.example/"},
    )
    assert answer.url == reverse("portal:moderation", args=["PAY"])
    assert not _hidden(comment)


def test_block_from_the_page_with_hiding(client, steward, comment, idea, visitor):
    client.force_login(steward)
    answer = client.post(
        reverse("portal:visitor_block", args=["PAY", visitor.pk]),
        {"reason": "Insults", "hide_content": "on"},
    )
    assert answer.status_code == 302
    assert PortalBlock.objects.get().reason == "Insults"
    assert _hidden(comment)
    assert _hidden(idea)
    page = client.get(reverse("portal:moderation", args=["PAY"])).text
    assert "everything they wrote here is hidden" in page
    assert "Unblock" in page
    assert "Insults" in page


def test_an_oversized_block_reason_is_refused_and_nothing_written(client, steward, visitor):
    client.force_login(steward)
    answer = client.post(
        reverse("portal:visitor_block", args=["PAY", visitor.pk]), {"reason": "r" * 301}
    )
    assert answer.status_code == 302
    assert not PortalBlock.objects.exists()
    assert "at most 300 characters" in client.get(answer.url).text


def test_unknown_objects_answer_404(client, steward, portal):
    client.force_login(steward)
    for name, args in [
        ("portal:comment_hidden", ["PAY", 999]),
        ("portal:idea_hidden", ["PAY", 999]),
        ("portal:visitor_block", ["PAY", 999]),
        ("portal:visitor_unblock", ["PAY", 999]),
    ]:
        assert client.post(reverse(name, args=args), {"hidden": "1"}).status_code == 404


def test_the_manage_page_links_to_moderation(client, steward, portal):
    client.force_login(steward)
    page = client.get(reverse("portal:manage", args=["PAY"])).text
    assert reverse("portal:moderation", args=["PAY"]) in page


def test_the_change_log_links_to_the_moderation_page(client, steward, comment, admin_user):
    moderation.comment_set_hidden(actor=steward, comment=comment, hidden=True)
    client.force_login(admin_user)
    page = client.get(reverse("core:change_list")).text
    assert reverse("portal:moderation", args=["PAY"]) + f"#comment-{comment.pk}" in page


def test_moderation_page_costs_fixed_queries(client, steward, portal, public_feature):
    visitors = []

    def add(count: int) -> None:
        for _ in range(count):
            who = make_visitor(f"v{len(visitors)}@example.com", f"V{len(visitors)}")
            visitors.append(who)
            PortalComment.objects.create(visitor=who, feature=public_feature, text="c")
            PortalIdea.objects.create(visitor=who, product=portal.product, title="i", text="t")
            PortalBlock.objects.create(portal=portal, visitor=who)

    add(3)
    client.force_login(steward)
    url = reverse("portal:moderation", args=["PAY"])
    assert_same_queries(lambda: client.get(url), lambda: add(30))
    assert client.get(url).text.count('data-testid="moderation-item"') == 25


def test_hiding_all_a_blocked_visitor_wrote_later(client, steward, portal, visitor, comment, idea):
    moderation.visitor_block(actor=steward, portal=portal, visitor=visitor)
    assert not _hidden(comment)
    client.force_login(steward)
    page = client.get(reverse("portal:moderation", args=["PAY"])).text
    assert "Hide all Ada wrote" in page
    client.post(reverse("portal:visitor_block", args=["PAY", visitor.pk]), {"hide_content": "on"})
    assert _hidden(comment)
    assert _hidden(idea)
    assert PortalBlock.objects.count() == 1
