"""Visitors' accounts: the confirmation email at sign-up and what waits for it, asking for
the link again, forgotten passwords, and what forged, expired or used links get."""

from __future__ import annotations

import re
import time

import pytest
from django.contrib.auth.hashers import check_password
from django.core import mail, signing
from django.test import Client
from django.urls import reverse

from pilothouse.core.roles import Role
from pilothouse.portal import limits, tokens
from pilothouse.portal.models import (
    PortalAction,
    PortalComment,
    PortalIdea,
    PortalVisitor,
    PortalVote,
)
from pilothouse.portal.sessions import SESSION_KEY
from tests.portal.conftest import PASSWORD, make_visitor, sign_in_client

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a brand new passphrase"
LINK = re.compile(r"http://testserver(/portal/\S+/)")


def _link(message) -> str:
    return LINK.search(message.body).group(1)


def _later(monkeypatch, seconds: float) -> None:
    """Move the signing clock forward, as if the link were opened `seconds` later."""
    now = time.time()
    monkeypatch.setattr(signing.time, "time", lambda: now + seconds)


def _signup(client, email="grace@navy.example", REMOTE_ADDR="127.0.0.1", **extra):
    data = {"name": "Grace", "email": email, "password": "hopper-1906-cobol", **extra}
    return client.post(reverse("portal:signup"), data, REMOTE_ADDR=REMOTE_ADDR)


# --- sign-up and confirmation ------------------------------------------------------


def test_signup_emails_a_link_that_confirms_and_signs_in(client, committing):
    with committing():
        answer = _signup(client)
    assert answer.status_code == 302
    grace = PortalVisitor.objects.get()
    assert grace.email_confirmed_at is None
    assert SESSION_KEY not in client.session  # signed in only by the link
    [message] = mail.outbox
    assert message.to == ["grace@navy.example"]
    assert "Confirm your email address" in message.subject
    assert "Hello Grace" in message.body
    page = client.get(answer.url).text
    assert "we sent a link to grace@navy.example" in page

    confirmed = client.get(_link(message))
    assert confirmed.status_code == 200
    assert "Your email address is confirmed" in confirmed.text
    assert "You are signed in as Grace" in confirmed.text
    assert client.session[SESSION_KEY] == grace.pk
    grace.refresh_from_db()
    first = grace.email_confirmed_at
    assert first is not None
    assert client.get(_link(message)).status_code == 200  # again: still fine, unchanged
    grace.refresh_from_db()
    assert grace.email_confirmed_at == first
    assert "Send the link again" not in client.get(reverse("portal:index")).text


def test_a_taken_address_gets_the_same_answer_and_its_owner_an_email(client, visitor, committing):
    """Sign-up tells nobody whether an address has an account: the answer is the same
    as for a new address, nothing is created, and the owner is told how to get in."""
    with committing():
        fresh = _signup(Client(), email="new@navy.example")
    mail.outbox.clear()
    with committing():
        taken = _signup(client, email=visitor.email.upper())
    assert (taken.status_code, taken.url) == (fresh.status_code, fresh.url)
    assert PortalVisitor.objects.filter(email__iexact=visitor.email).count() == 1
    assert SESSION_KEY not in client.session
    page = client.get(taken.url).text
    assert f"we sent a link to {visitor.email}" in page
    assert "already signed up" not in page
    assert "is taken" not in page
    [message] = mail.outbox
    assert message.to == [visitor.email]
    assert "already have an account" in message.subject
    assert "/portal/login/" in message.body
    assert "/portal/password/" in message.body
    visitor.refresh_from_db()
    assert check_password(PASSWORD, visitor.password)  # untouched


def test_the_link_confirms_in_another_browser_and_signs_in_only_once(client, unconfirmed_visitor):
    link = reverse("portal:confirm", args=[tokens.confirmation_token(unconfirmed_visitor)])
    elsewhere = Client()
    page = elsewhere.get(link)
    assert page.status_code == 200
    assert elsewhere.session[SESSION_KEY] == unconfirmed_visitor.pk
    unconfirmed_visitor.refresh_from_db()
    assert unconfirmed_visitor.email_confirmed
    again = client.get(link)  # a confirmed link is no log-in link
    assert "Sign in</a> to continue" in again.text
    assert SESSION_KEY not in client.session


def test_the_link_does_not_replace_whoever_is_signed_in(visitor_client, visitor):
    other = make_visitor("o@x.example", "O", confirmed=False)
    visitor_client.get(reverse("portal:confirm", args=[tokens.confirmation_token(other)]))
    other.refresh_from_db()
    assert other.email_confirmed
    assert visitor_client.session[SESSION_KEY] == visitor.pk


def test_an_unconfirmed_visitor_votes_but_comments_and_ideas_wait(
    client, unconfirmed_visitor, public_feature
):
    sign_in_client(client, unconfirmed_visitor)
    page = client.get(reverse("portal:feature", args=["PAY", public_feature.pk])).text
    assert "Post comment" not in page
    assert "Confirm your email address (see above) to comment" in page
    assert "Send idea" not in client.get(reverse("portal:product", args=["PAY"])).text

    assert client.post(reverse("portal:vote", args=["PAY", public_feature.pk])).status_code == 302
    assert PortalVote.objects.count() == 1
    answer = client.post(
        reverse("portal:comment", args=["PAY", public_feature.pk]), {"text": "hello"}
    )
    assert answer.status_code == 403
    assert "confirm your address" in answer.text
    answer = client.post(reverse("portal:idea", args=["PAY"]), {"title": "t", "text": "x"})
    assert answer.status_code == 403
    assert not PortalComment.objects.exists()
    assert not PortalIdea.objects.exists()
    assert not PortalAction.objects.exclude(kind="vote").exists()


def test_resend_sends_a_new_link_within_limits(client, unconfirmed_visitor, committing):
    sign_in_client(client, unconfirmed_visitor)
    url = reverse("portal:confirm_resend")
    for _ in range(limits.LIMITS["confirm_email"]):
        with committing():
            answer = client.post(url, {"next": reverse("portal:product", args=["PAY"])})
        assert answer.status_code == 302
        assert answer.url == reverse("portal:product", args=["PAY"])
    assert len(mail.outbox) == 3
    assert all(m.to == [unconfirmed_visitor.email] for m in mail.outbox)
    with committing():
        answer = client.post(url)
    assert answer.status_code == 429
    assert "Too many confirmation emails" in answer.text
    assert len(mail.outbox) == 3


def test_resend_when_confirmed_sends_nothing(visitor_client, committing):
    with committing():
        answer = visitor_client.post(reverse("portal:confirm_resend"))
    assert answer.status_code == 302
    assert mail.outbox == []
    assert "confirmed already" in visitor_client.get(answer.url).text


@pytest.mark.parametrize("who", ["anonymous", "staff"])
def test_resend_needs_a_visitor(client, make_user, who):
    if who == "staff":
        client.force_login(make_user(Role.ADMIN, username="boss"))
    answer = client.post(reverse("portal:confirm_resend"))
    assert answer.status_code == 302
    assert reverse("portal:login") in answer.url
    assert client.get(reverse("portal:confirm_resend")).status_code == 405


def test_an_expired_confirmation_link(client, unconfirmed_visitor, monkeypatch):
    link = reverse("portal:confirm", args=[tokens.confirmation_token(unconfirmed_visitor)])
    _later(monkeypatch, tokens.CONFIRMATION_MAX_AGE.total_seconds() + 5)
    answer = client.get(link)
    assert answer.status_code == 400
    assert "has expired" in answer.text
    unconfirmed_visitor.refresh_from_db()
    assert not unconfirmed_visitor.email_confirmed


@pytest.mark.parametrize("kind", ["forged", "tampered", "other salt", "changed address"])
def test_a_bad_confirmation_link(client, unconfirmed_visitor, kind):
    token = tokens.confirmation_token(unconfirmed_visitor)
    if kind == "forged":
        token = "not-a-token"
    elif kind == "tampered":
        token = signing.dumps(
            {"v": unconfirmed_visitor.pk, "e": unconfirmed_visitor.email},
            key="x" * 50,
            salt=tokens.CONFIRMATION_SALT,
        )
    elif kind == "other salt":
        token = tokens.reset_token(unconfirmed_visitor)
    else:
        PortalVisitor.objects.filter(pk=unconfirmed_visitor.pk).update(email="new@else.example")
    answer = client.get(reverse("portal:confirm", args=[token]))
    assert answer.status_code == 400
    assert "This link is not valid" in answer.text
    unconfirmed_visitor.refresh_from_db()
    assert not unconfirmed_visitor.email_confirmed


# --- forgotten password ------------------------------------------------------------


def _forgot(client, email):
    return client.post(reverse("portal:password_forgot"), {"email": email})


def test_forgot_answers_the_same_whether_or_not_the_address_exists(client, visitor, committing):
    with committing():
        known = _forgot(client, "ADA@acme.example")
        unknown = _forgot(client, "nobody@acme.example")
    assert known.status_code == unknown.status_code == 200
    assert known.text.replace("ADA@acme.example", "") == unknown.text.replace(
        "nobody@acme.example", ""
    )
    assert "If an account uses this address" in known.text
    [message] = mail.outbox
    assert message.to == [visitor.email]
    assert "Reset your password" in message.subject


def test_reset_sets_the_password_signs_in_and_works_once(client, unconfirmed_visitor, committing):
    with committing():
        _forgot(client, unconfirmed_visitor.email)
    link = _link(mail.outbox[0])
    form = client.get(link)
    assert form.status_code == 200
    assert "Choose a new password" in form.text
    answer = client.post(link, {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    assert answer.status_code == 302
    assert client.session[SESSION_KEY] == unconfirmed_visitor.pk
    assert "Your new password is set" in client.get(answer.url).text
    unconfirmed_visitor.refresh_from_db()
    assert unconfirmed_visitor.email_confirmed  # the link proved the mailbox
    assert (
        Client()
        .post(
            reverse("portal:login"), {"email": unconfirmed_visitor.email, "password": NEW_PASSWORD}
        )
        .status_code
        == 302
    )

    again = client.post(
        link, {"password": "yet another passphrase", "password_again": "yet another passphrase"}
    )
    assert again.status_code == 400
    assert "used already" in again.text
    assert client.get(link).status_code == 400


def test_a_reset_signs_out_the_other_sessions(visitor):
    elsewhere = sign_in_client(Client(), visitor)
    assert "Signed in as Ada" in elsewhere.get(reverse("portal:index")).text
    link = reverse("portal:password_reset", args=[tokens.reset_token(visitor)])
    Client().post(link, {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    assert "Signed in as Ada" not in elsewhere.get(reverse("portal:index")).text


@pytest.mark.parametrize(
    ("password", "again", "message"),
    [
        ("short", "short", "too short"),
        ("12345678901", "12345678901", "entirely numeric"),
        ("password123", "password123", "too common"),
        ("ada@acme.example", "ada@acme.example", "too similar"),
        (NEW_PASSWORD, "something else entirely", "The two passwords differ"),
    ],
)
def test_reset_validates_the_new_password(client, visitor, password, again, message):
    link = reverse("portal:password_reset", args=[tokens.reset_token(visitor)])
    answer = client.post(link, {"password": password, "password_again": again})
    assert answer.status_code == 400
    assert message in answer.text
    visitor.refresh_from_db()
    assert visitor.password != ""
    assert client.session.get(SESSION_KEY) is None
    assert (
        client.post(
            reverse("portal:login"), {"email": visitor.email, "password": PASSWORD}
        ).status_code
        == 302
    )  # the old password still works


def test_an_expired_reset_link(client, visitor, monkeypatch):
    link = reverse("portal:password_reset", args=[tokens.reset_token(visitor)])
    _later(monkeypatch, tokens.RESET_MAX_AGE.total_seconds() + 5)
    answer = client.post(link, {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    assert answer.status_code == 400
    assert "has expired" in answer.text
    assert "Ask for a new password reset link" in answer.text
    assert client.session.get(SESSION_KEY) is None


@pytest.mark.parametrize("kind", ["forged", "confirmation token", "signed in since", "inactive"])
def test_a_bad_reset_link(client, visitor, kind):
    token = tokens.reset_token(visitor)
    if kind == "forged":
        token = token[:-3] + "abc"
    elif kind == "confirmation token":
        token = tokens.confirmation_token(visitor)
    elif kind == "signed in since":
        client.post(reverse("portal:login"), {"email": visitor.email, "password": PASSWORD})
        client.post(reverse("portal:logout"))
    else:
        PortalVisitor.objects.filter(pk=visitor.pk).update(is_active=False)
    link = reverse("portal:password_reset", args=[token])
    answer = client.post(link, {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    assert answer.status_code == 400
    visitor.refresh_from_db()
    assert visitor.password != ""
    assert not client.session.get(SESSION_KEY)


def test_forgot_is_limited_per_address_whether_or_not_it_exists(client, visitor, committing):
    for email in [visitor.email, "nobody@acme.example"]:
        for number in range(limits.LIMITS["password_reset"]):
            with committing():
                answer = Client(REMOTE_ADDR=f"10.0.1.{number}").post(
                    reverse("portal:password_forgot"), {"email": email}
                )
            assert answer.status_code == 200
        with committing():
            answer = Client(REMOTE_ADDR="10.0.2.1").post(
                reverse("portal:password_forgot"), {"email": email.upper()}
            )
        assert answer.status_code == 429
        assert "Too many password reset requests" in answer.text
    assert len(mail.outbox) == 5
    kept = " ".join(PortalAction.objects.values_list("email_digest", flat=True))
    assert visitor.email not in kept
    assert "nobody" not in kept


def test_forgot_is_limited_per_client(client, committing):
    for number in range(limits.LIMITS["password_reset"]):
        assert _forgot(client, f"n{number}@acme.example").status_code == 200
    answer = _forgot(client, "another@acme.example")
    assert answer.status_code == 429


def test_forgot_refuses_bots_and_bad_addresses(client, visitor, committing):
    with committing():
        bot = client.post(
            reverse("portal:password_forgot"), {"email": visitor.email, "website": "x"}
        )
        bad = _forgot(client, "not an address")
    assert bot.status_code == 400
    assert bad.status_code == 400
    assert "Enter a valid email address" in bad.text
    assert mail.outbox == []
    assert not PortalAction.objects.exists()


def test_the_login_page_offers_the_forgotten_password(client):
    assert reverse("portal:password_forgot") in client.get(reverse("portal:login")).text


def test_a_mail_server_that_is_down_does_not_break_signup(client, committing, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise ConnectionRefusedError("no SMTP here")

    monkeypatch.setattr("pilothouse.portal.emails.send_mail", broken)
    with committing():
        answer = _signup(client)
    assert answer.status_code == 302
    assert PortalVisitor.objects.count() == 1
    assert "Could not send the confirm email" in caplog.text


def test_the_session_of_a_deactivated_visitor_ends(visitor_client, visitor):
    PortalVisitor.objects.filter(pk=visitor.pk).update(is_active=False)
    assert "Signed in as" not in visitor_client.get(reverse("portal:index")).text


def test_another_visitor_cannot_be_confirmed_with_my_link(client, unconfirmed_visitor):
    other = make_visitor("o@x.example", "O", confirmed=False)
    token = signing.dumps(
        {"v": other.pk, "e": unconfirmed_visitor.email}, salt=tokens.CONFIRMATION_SALT
    )
    assert client.get(reverse("portal:confirm", args=[token])).status_code == 400
    other.refresh_from_db()
    assert not other.email_confirmed


def test_without_smtp_the_messages_are_files_in_the_outbox(client, settings, tmp_path, committing):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "outbox")
    with committing():
        _signup(client)
    [written] = list((tmp_path / "outbox").iterdir())
    text = written.read_text()
    assert "To: grace@navy.example" in text
    assert "/portal/confirm/" in text


def test_signups_for_one_address_are_limited_whatever_the_client(client, monkeypatch, committing):
    monkeypatch.setitem(limits.LIMITS, "signup", 2)
    for number in range(2):
        with committing():
            answer = _signup(client, REMOTE_ADDR=f"198.51.100.{number}")
        assert answer.status_code == 302
    answer = _signup(client, REMOTE_ADDR="198.51.100.9")
    assert answer.status_code == 429
    assert len(mail.outbox) == 2  # one confirmation, then one "you have an account"


def test_signups_of_taken_addresses_count_towards_the_limit(client, visitor, monkeypatch):
    monkeypatch.setitem(limits.LIMITS, "signup", 2)
    for _ in range(2):
        assert _signup(client, email=visitor.email).status_code == 302  # taken, not told
    answer = _signup(client, email="fresh@navy.example")
    assert answer.status_code == 429
    assert PortalVisitor.objects.count() == 1
