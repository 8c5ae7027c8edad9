"""The rate limits: counting per visitor, per client address (behind proxies or not) and
per email address; old actions forgotten; and no two concurrent requests both taking the
last slot (on PostgreSQL, with real threads)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from pilothouse.portal import limits, services
from pilothouse.portal.errors import RateLimited
from pilothouse.portal.models import PortalAction, PortalComment, PortalVisitor
from tests.portal.conftest import make_visitor, sign_in_client

SLOT = "comment"


def _take(**who):
    with transaction.atomic():
        return limits.take_slot(SLOT, **who)


@pytest.mark.django_db
def test_slots_count_per_visitor_address_and_email(monkeypatch, visitor):
    monkeypatch.setitem(limits.LIMITS, SLOT, 2)
    other = make_visitor("o@x.example", "O")
    _take(visitor=visitor, ip="10.0.0.1")
    _take(visitor=visitor, ip="10.0.0.2")
    with pytest.raises(RateLimited):
        _take(visitor=visitor, ip="10.0.0.3")  # the visitor's two are used
    _take(visitor=other, ip="10.0.0.1")
    with pytest.raises(RateLimited):
        _take(visitor=make_visitor("p@x.example", "P"), ip="10.0.0.1")  # the address's two
    _take(email="Someone@X.example")
    _take(email="someone@x.example ")
    with pytest.raises(RateLimited):
        _take(email="SOMEONE@x.example")
    assert PortalAction.objects.count() == 5


@pytest.mark.django_db(transaction=True)
def test_a_slot_needs_a_transaction(visitor):
    with pytest.raises(RuntimeError):
        limits.take_slot(SLOT, visitor=visitor)


@pytest.mark.django_db
def test_the_hour_slides_and_old_actions_are_forgotten(monkeypatch, visitor):
    monkeypatch.setitem(limits.LIMITS, SLOT, 1)
    earlier = timezone.now() - dt.timedelta(minutes=61)
    PortalAction.objects.create(kind=SLOT, visitor=visitor, created_at=earlier)
    ancient = PortalAction.objects.create(
        kind=SLOT, visitor=visitor, created_at=timezone.now() - dt.timedelta(days=2)
    )
    _take(visitor=visitor)  # the earlier one is outside the hour
    with pytest.raises(RateLimited):
        _take(visitor=visitor)
    assert not PortalAction.objects.filter(pk=ancient.pk).exists()
    assert PortalAction.objects.count() == 2


@pytest.mark.django_db
def test_a_refused_write_gives_its_slot_back(monkeypatch, visitor, public_feature):
    monkeypatch.setitem(limits.LIMITS, SLOT, 1)
    with pytest.raises(ValidationError):
        services.comment_add(visitor=visitor, feature=public_feature, text="x" * 2_001, ip=None)
    assert not PortalAction.objects.exists()
    services.comment_add(visitor=visitor, feature=public_feature, text="fits", ip=None)
    assert PortalComment.objects.count() == 1


# --- the client's address ----------------------------------------------------------


def _comment_from(client, feature, forwarded: str, remote: str = "192.0.2.1"):
    return client.post(
        reverse("portal:comment", args=["PAY", feature.pk]),
        {"text": "hi"},
        HTTP_X_FORWARDED_FOR=forwarded,
        REMOTE_ADDR=remote,
    )


@pytest.mark.django_db
def test_without_proxies_the_forwarded_header_is_ignored(settings, visitor, public_feature):
    settings.TRUSTED_PROXIES = 0
    client = sign_in_client(Client(), visitor)
    _comment_from(client, public_feature, forwarded="203.0.113.7")
    _comment_from(client, public_feature, forwarded="203.0.113.8, 198.51.100.1")
    assert list(PortalAction.objects.values_list("ip", flat=True)) == ["192.0.2.1"] * 2


@pytest.mark.django_db
def test_behind_proxies_the_address_is_counted_from_the_right(settings, visitor, public_feature):
    settings.TRUSTED_PROXIES = 2
    client = sign_in_client(Client(), visitor)
    # The client forged the first entry; the two proxies appended theirs.
    _comment_from(client, public_feature, forwarded="10.9.9.9, 203.0.113.7, 172.16.0.2")
    _comment_from(client, public_feature, forwarded="203.0.113.7, 172.16.0.2")
    assert list(PortalAction.objects.values_list("ip", flat=True)) == ["203.0.113.7"] * 2


@pytest.mark.django_db
def test_flooding_from_one_address_behind_a_proxy(settings, monkeypatch, public_feature):
    settings.TRUSTED_PROXIES = 1
    monkeypatch.setitem(limits.LIMITS, SLOT, 2)
    answers = []
    for number in range(3):  # a new visitor each time, all from one address
        client = sign_in_client(Client(), make_visitor(f"bot{number}@x.example", "Bot"))
        answers.append(_comment_from(client, public_feature, forwarded="203.0.113.7"))
    assert [a.status_code for a in answers] == [302, 302, 429]
    assert "Too many comments in the last hour" in answers[2].text
    other = sign_in_client(Client(), make_visitor("fine@x.example", "Fine"))
    assert _comment_from(other, public_feature, forwarded="203.0.113.8").status_code == 302
    assert PortalComment.objects.count() == 3


# --- concurrency -------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_cannot_both_take_the_last_slot(monkeypatch, product, public_feature):
    """Eight threads, each with its own connection, try to comment at once when one slot
    is left for their shared address. The lock makes them take turns; without it they
    would all count the same free slot (the pause between count and write makes sure the
    race would happen). On PostgreSQL the advisory lock does it; on SQLite (a file
    database in the tests, see tests/settings.py) the IMMEDIATE write transactions."""
    threads_count = 8
    monkeypatch.setitem(limits.LIMITS, SLOT, 3)
    visitors = [make_visitor(f"t{n}@x.example", f"T{n}") for n in range(threads_count)]
    PortalAction.objects.bulk_create([PortalAction(kind=SLOT, ip="203.0.113.7") for _ in range(2)])
    record = PortalAction.objects.create

    def slow_record(**fields):
        threading.Event().wait(0.05)  # widen the gap between counting and recording
        return record(**fields)

    monkeypatch.setattr(PortalAction.objects, "create", slow_record)
    start = threading.Barrier(threads_count)
    outcomes: list[str] = []

    def attempt(who: PortalVisitor) -> None:
        try:
            start.wait()
            services.comment_add(visitor=who, feature=public_feature, text="me", ip="203.0.113.7")
            outcomes.append("written")
        except RateLimited:
            outcomes.append("refused")
        except Exception as exc:
            outcomes.append(repr(exc))
        finally:
            connection.close()

    workers = [threading.Thread(target=attempt, args=(who,)) for who in visitors]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert sorted(outcomes) == ["refused"] * (threads_count - 1) + ["written"]
    assert PortalComment.objects.count() == 1
    assert PortalAction.objects.filter(kind=SLOT, ip="203.0.113.7").count() == 3
