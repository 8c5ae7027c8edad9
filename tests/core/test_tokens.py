"""API tokens: shown once, stored as a digest, revocable, refused for inactive users."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pilothouse.core import selectors, tokens
from pilothouse.core.models import ApiToken
from pilothouse.core.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def user(make_user):
    return make_user(Role.PRODUCT_MANAGER, username="scripter")


def test_create_returns_the_secret_once_and_stores_its_digest(user):
    token, secret = tokens.token_create(user=user, name=" ci ")
    assert secret.startswith("ph_")
    assert len(secret) >= 40
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.name == "ci"
    assert stored.user == user
    assert stored.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert stored.prefix == secret[:9]
    assert secret.startswith(stored.prefix)
    assert stored.last_used_at is None
    assert stored.is_active
    assert str(stored) == f"ci ({stored.prefix}…)"


def test_the_secret_is_nowhere_in_the_database(user):
    _, secret = tokens.token_create(user=user, name="deploy")
    tokens.token_authenticate(secret)
    found = []
    for model in apps.get_models():
        for row in model._default_manager.values():
            if any(secret in str(value) or secret[3:] in str(value) for value in row.values()):
                found.append(model.__name__)
    assert found == []
    # And the digest, which is stored, does not give the secret back by itself.
    assert ApiToken.objects.filter(digest=tokens.digest(secret)).exists()


def test_each_token_is_different(user):
    secrets = {tokens.token_create(user=user)[1] for _ in range(5)}
    assert len(secrets) == 5
    assert ApiToken.objects.filter(user=user).count() == 5
    assert set(ApiToken.objects.values_list("name", flat=True)) == {"api"}


def test_a_name_longer_than_100_characters_is_refused(user):
    with pytest.raises(ValueError, match=r"^name:"):
        tokens.token_create(user=user, name="n" * 101)
    assert not ApiToken.objects.exists()
    tokens.token_create(user=user, name="n" * 100)


def test_authenticate_answers_the_user(user):
    _, secret = tokens.token_create(user=user)
    assert tokens.token_authenticate(secret) == user


@pytest.mark.parametrize("secret", ["", "ph_", "ph_wrong", "nope", "Bearer ph_x"])
def test_unknown_secrets_are_refused(user, secret):
    tokens.token_create(user=user)
    assert tokens.token_authenticate(secret) is None


def test_a_secret_without_the_prefix_is_refused_without_a_query(user):
    _, secret = tokens.token_create(user=user)
    with CaptureQueriesContext(connection) as queries:
        assert tokens.token_authenticate(secret[3:]) is None
    assert len(queries) == 0


def test_a_revoked_token_is_refused(user):
    token, secret = tokens.token_create(user=user)
    tokens.token_revoke(token=token)
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert not token.is_active
    assert tokens.token_authenticate(secret) is None


def test_revoking_twice_keeps_the_first_time(user):
    token, _ = tokens.token_create(user=user)
    tokens.token_revoke(token=token)
    first = ApiToken.objects.get(pk=token.pk).revoked_at
    tokens.token_revoke(token=ApiToken.objects.get(pk=token.pk))
    assert ApiToken.objects.get(pk=token.pk).revoked_at == first


def test_revoking_one_token_keeps_the_others(user):
    first, first_secret = tokens.token_create(user=user)
    _, second_secret = tokens.token_create(user=user)
    tokens.token_revoke(token=first)
    assert tokens.token_authenticate(first_secret) is None
    assert tokens.token_authenticate(second_secret) == user


def test_an_inactive_users_token_is_refused(user):
    _, secret = tokens.token_create(user=user)
    user.is_active = False
    user.save()
    assert tokens.token_authenticate(secret) is None
    user.is_active = True
    user.save()
    assert tokens.token_authenticate(secret) == user


def test_last_used_at_is_set_on_use(user):
    token, secret = tokens.token_create(user=user)
    before = timezone.now()
    tokens.token_authenticate(secret)
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert before <= token.last_used_at <= timezone.now()


def test_last_used_at_is_not_rewritten_within_a_minute(user):
    token, secret = tokens.token_create(user=user)
    recent = timezone.now() - dt.timedelta(seconds=30)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=recent)
    with CaptureQueriesContext(connection) as queries:
        for _ in range(3):
            assert tokens.token_authenticate(secret) == user
    assert len(queries) == 3  # one read each, no write
    assert not any(q["sql"].lstrip().upper().startswith("UPDATE") for q in queries)
    token.refresh_from_db()
    assert token.last_used_at == recent


def test_last_used_at_is_rewritten_after_a_minute(user):
    token, secret = tokens.token_create(user=user)
    old = timezone.now() - dt.timedelta(minutes=1, seconds=5)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=old)
    tokens.token_authenticate(secret)
    token.refresh_from_db()
    assert token.last_used_at > old + dt.timedelta(minutes=1)


def test_token_list_is_the_users_own_newest_first(user, make_user):
    first, _ = tokens.token_create(user=user, name="first")
    tokens.token_create(user=user, name="second")
    tokens.token_create(user=make_user(Role.VIEWER), name="other")
    ApiToken.objects.filter(pk=first.pk).update(created_at=timezone.now() - dt.timedelta(days=1))
    assert [t.name for t in selectors.token_list(user=user)] == ["second", "first"]
