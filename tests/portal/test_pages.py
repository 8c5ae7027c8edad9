"""The public pages for anonymous and signed-in visitors, and who reaches what."""

from __future__ import annotations

import pytest
from django.urls import reverse

from pilothouse.core.roles import Role
from pilothouse.portal.models import PortalFeature, PortalProduct, PortalVisitor, PortalVote
from pilothouse.portal.sessions import SESSION_KEY
from tests.factories import FeatureFactory, ProductFactory
from tests.portal.conftest import PASSWORD
from tests.web.helpers import assert_same_queries

pytestmark = pytest.mark.django_db


def test_anonymous_visitor_sees_enabled_products_and_public_features(
    client, product, public_feature, private_feature
):
    ProductFactory(key="OFF", name="Hidden product")
    page = client.get(reverse("portal:index"))
    assert page.status_code == 200
    assert "Payments portal" in page.text
    assert "Hidden product" not in page.text

    page = client.get(reverse("portal:product", args=["PAY"]))
    assert page.status_code == 200
    assert "Export to CSV" in page.text
    assert "Planned" in page.text
    assert "Secret acquisition plan" not in page.text
    assert "Sign in</a> or" in page.text  # no idea form without signing in

    page = client.get(reverse("portal:feature", args=["PAY", public_feature.pk]))
    assert page.status_code == 200
    assert "to vote and comment" in page.text


def test_features_sorted_by_votes(client, product, public_feature, visitor):
    other = FeatureFactory(product=product, title="Apple Pay")
    PortalFeature.objects.create(feature=other, public=True)
    PortalVote.objects.create(visitor=visitor, feature=public_feature)
    page = client.get(reverse("portal:product", args=["PAY"])).text
    assert page.index("Export to CSV") < page.index("Apple Pay")


def test_disabled_product_and_private_feature_answer_404(client, product, private_feature):
    assert client.get(reverse("portal:product", args=["NOPE"])).status_code == 404
    assert (
        client.get(reverse("portal:feature", args=["PAY", private_feature.pk])).status_code == 404
    )
    unmarked = FeatureFactory(product=product)
    assert client.get(reverse("portal:feature", args=["PAY", unmarked.pk])).status_code == 404
    PortalProduct.objects.filter(product=product).update(enabled=False)
    assert client.get(reverse("portal:product", args=["PAY"])).status_code == 404
    assert client.get(reverse("portal:index")).text.count("Payments portal") == 0


def test_feature_of_another_product_answers_404(client, product):
    elsewhere = FeatureFactory(title="Other product's feature")
    PortalFeature.objects.create(feature=elsewhere, public=True)
    assert client.get(reverse("portal:feature", args=["PAY", elsewhere.pk])).status_code == 404


def test_signup_then_login_and_logout(client, product):
    answer = client.post(
        reverse("portal:signup"),
        {"name": "Grace", "email": "Grace@Navy.example", "password": "hopper-1906-cobol"},
    )
    assert answer.status_code == 302
    grace = PortalVisitor.objects.get()
    assert grace.email == "grace@navy.example"
    assert grace.password != "hopper-1906-cobol"
    assert SESSION_KEY not in client.session  # the emailed link signs in
    good = client.post(
        reverse("portal:login"), {"email": "grace@navy.example", "password": "hopper-1906-cobol"}
    )
    assert good.status_code == 302
    assert client.session[SESSION_KEY] == grace.pk
    assert "_auth_user_id" not in client.session  # never a staff log-in
    assert "Signed in as Grace" in client.get(reverse("portal:index")).text

    client.post(reverse("portal:logout"))
    assert SESSION_KEY not in client.session
    assert client.get(reverse("portal:logout")).status_code == 405

    bad = client.post(reverse("portal:login"), {"email": "grace@navy.example", "password": "x"})
    assert bad.status_code == 400
    assert "not right" in bad.text
    good = client.post(
        reverse("portal:login"), {"email": "GRACE@navy.example", "password": "hopper-1906-cobol"}
    )
    assert good.status_code == 302
    assert client.session[SESSION_KEY] == grace.pk


def test_signup_with_a_taken_email_creates_nothing_whatever_its_case(client, visitor):
    answer = client.post(
        reverse("portal:signup"),
        {"name": "Again", "email": "ADA@acme.example", "password": "another-long-pass"},
    )
    assert answer.status_code == 302  # the same answer as for a new address
    assert PortalVisitor.objects.count() == 1
    assert SESSION_KEY not in client.session


def test_login_ignores_an_unsafe_next(client, visitor):
    answer = client.post(
        reverse("portal:login"),
        {"email": visitor.email, "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert answer.status_code == 302
    assert answer.url == reverse("portal:index")


def test_inactive_visitor_is_signed_out(visitor_client, visitor, product, public_feature):
    visitor.is_active = False
    visitor.save()
    answer = visitor_client.post(reverse("portal:vote", args=["PAY", public_feature.pk]))
    assert answer.status_code == 302
    assert reverse("portal:login") in answer.url
    assert not PortalVote.objects.exists()


def test_anonymous_cannot_vote_comment_or_send_ideas(client, product, public_feature):
    for name, args in [
        ("portal:vote", ["PAY", public_feature.pk]),
        ("portal:comment", ["PAY", public_feature.pk]),
        ("portal:idea", ["PAY"]),
    ]:
        answer = client.post(reverse(name, args=args), {"text": "hi", "title": "t"})
        assert answer.status_code == 302
        assert reverse("portal:login") in answer.url
    assert not PortalVote.objects.exists()


@pytest.mark.parametrize("role", [role.value for role in Role])
def test_staff_session_is_not_a_portal_visitor(client, make_user, role, product, public_feature):
    client.force_login(make_user(role, username=f"staff-{role}"))
    page = client.get(reverse("portal:feature", args=["PAY", public_feature.pk]))
    assert page.status_code == 200
    assert "to vote and comment" in page.text
    answer = client.post(reverse("portal:vote", args=["PAY", public_feature.pk]))
    assert answer.status_code == 302
    assert reverse("portal:login") in answer.url
    assert not PortalVote.objects.exists()


@pytest.mark.parametrize("url", ["/", "/customers/", "/portal/manage/PAY/", "/changes/"])
def test_visitor_never_reaches_staff_pages(visitor_client, product, url):
    answer = visitor_client.get(url)
    assert answer.status_code == 302
    assert answer.url.startswith(reverse("core:login"))


def test_visitor_never_reaches_the_api(visitor_client, product):
    assert visitor_client.get("/api/v1/notes").status_code == 401


def test_csrf_is_required(visitor, product, public_feature):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    session = strict.session
    session[SESSION_KEY] = visitor.pk
    session.save()
    answer = strict.post(reverse("portal:vote", args=["PAY", public_feature.pk]))
    assert answer.status_code == 403
    assert not PortalVote.objects.exists()


def test_product_page_costs_fixed_queries(visitor_client, product, visitor):
    def add(count: int) -> None:
        for _ in range(count):
            feature = FeatureFactory(product=product)
            PortalFeature.objects.create(feature=feature, public=True)
            PortalVote.objects.create(visitor=visitor, feature=feature)

    add(5)
    url = reverse("portal:product", args=["PAY"])
    assert_same_queries(lambda: visitor_client.get(url), lambda: add(45))
    assert visitor_client.get(url).text.count("You voted") == 50


@pytest.mark.parametrize("role", [role.value for role in Role])
def test_staff_sessions_are_not_visitors_on_the_new_pages(
    client, make_user, role, product, visitor
):
    from pilothouse.portal.models import PortalIdea, PortalIdeaVote

    idea = PortalIdea.objects.create(visitor=visitor, product=product, title="Idea", text="t")
    client.force_login(make_user(role, username=f"staff-{role}"))
    page = client.get(reverse("portal:idea_detail", args=["PAY", idea.pk]))
    assert page.status_code == 200
    assert "to vote" in page.text
    for name, args in [("portal:idea_vote", ["PAY", idea.pk]), ("portal:confirm_resend", [])]:
        answer = client.post(reverse(name, args=args))
        assert answer.status_code == 302
        assert reverse("portal:login") in answer.url
    assert not PortalIdeaVote.objects.exists()
    assert client.get(reverse("portal:password_forgot")).status_code == 200
    assert "_auth_user_id" in client.session  # the staff log-in is untouched


def test_the_public_account_pages_are_open(client, product):
    for name in ["portal:signup", "portal:login", "portal:password_forgot"]:
        assert client.get(reverse(name)).status_code == 200
