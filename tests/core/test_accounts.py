"""core/accounts.py: creating users, changing roles and status, passwords."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from pilothouse.core import accounts
from pilothouse.core.models import ChangeAction, ChangeRecord, User
from pilothouse.core.roles import Role
from tests.api.helpers import changes_of, unchanged

pytestmark = pytest.mark.django_db

STRONG = "tidal-copper-lantern-42"


def test_the_system_creates_a_user(db):
    user = accounts.user_create(
        actor=None,
        username=" ada ",
        role=Role.PRODUCT_LEADER,
        email=" ada@example.com ",
        password=STRONG,
    )
    user.refresh_from_db()
    assert (user.username, user.email, user.role) == ("ada", "ada@example.com", "product_leader")
    assert user.check_password(STRONG)
    record = changes_of(User, user.pk).get()
    assert record.action == ChangeAction.CREATE
    assert record.actor is None
    assert record.after == {
        "username": "ada",
        "email": "ada@example.com",
        "role": "product_leader",
        "is_active": True,
    }


def test_the_password_is_never_in_the_change_log(admin_user):
    user = accounts.user_create(actor=admin_user, username="bob", role=Role.VIEWER, password=STRONG)
    accounts.user_set_password(user=user, password="another-" + STRONG)
    for record in ChangeRecord.objects.all():
        assert "password" not in record.before
        assert "password" not in record.after
        assert STRONG not in str(record.after)


def test_an_admin_creates_a_user(admin_user):
    user = accounts.user_create(actor=admin_user, username="c", role=Role.VIEWER, password=STRONG)
    assert changes_of(User, user.pk).get().actor == admin_user


@pytest.mark.parametrize("role", [Role.PRODUCT_LEADER, Role.PRODUCT_MANAGER, Role.VIEWER])
def test_only_an_admin_creates_users(make_user, role):
    actor = make_user(role)
    with unchanged(User), pytest.raises(PermissionDenied):
        accounts.user_create(actor=actor, username="new", role=Role.ADMIN, password=STRONG)


def test_a_user_without_a_password_cannot_log_in(db):
    user = accounts.user_create(actor=None, username="sso", role=Role.VIEWER, password=None)
    assert not user.has_usable_password()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"role": "superuser"}, "role"),
        ({"password": "short"}, "password"),
        ({"password": "password123"}, "password"),
        ({"password": "dora-the-explorer", "username": "dora-the-explorer"}, "password"),
        ({"username": "  "}, "username"),
        ({"username": "has space"}, "username"),
        ({"email": "not-an-email"}, "email"),
    ],
)
def test_bad_account_data_is_refused_naming_the_field(db, kwargs, field):
    arguments = {"username": "fine", "role": Role.VIEWER, "password": STRONG, **kwargs}
    with unchanged(User), pytest.raises(ValidationError) as caught:
        accounts.user_create(actor=None, **arguments)
    assert field in caught.value.message_dict


def test_a_taken_username_is_refused(make_user):
    make_user(username="taken")
    with unchanged(User), pytest.raises(ValidationError) as caught:
        accounts.user_create(actor=None, username="taken", role=Role.VIEWER, password=STRONG)
    assert "username" in caught.value.message_dict


def test_the_strength_check_can_be_skipped(db):
    user = accounts.user_create(
        actor=None,
        username="demo",
        role=Role.VIEWER,
        password="demo",
        check_password_strength=False,
    )
    assert user.check_password("demo")


def test_a_role_change_is_recorded(admin_user, make_user):
    user = make_user(Role.VIEWER, username="promoted")
    accounts.user_update(actor=admin_user, user=user, role=Role.PRODUCT_MANAGER)
    user.refresh_from_db()
    assert user.role == Role.PRODUCT_MANAGER
    record = changes_of(User, user.pk).get()
    assert record.action == ChangeAction.UPDATE
    assert record.actor == admin_user
    assert (record.before, record.after) == ({"role": "viewer"}, {"role": "product_manager"})


def test_deactivation_and_email_change_are_recorded(admin_user, make_user):
    user = make_user(Role.VIEWER, username="leaving", email="old@example.com")
    accounts.user_update(actor=admin_user, user=user, is_active=False, email=" new@example.com ")
    record = changes_of(User, user.pk).get()
    assert record.before == {"is_active": True, "email": "old@example.com"}
    assert record.after == {"is_active": False, "email": "new@example.com"}


def test_an_update_that_changes_nothing_is_not_recorded(admin_user, make_user):
    user = make_user(Role.VIEWER)
    accounts.user_update(actor=admin_user, user=user, role=Role.VIEWER, is_active=True)
    assert not changes_of(User, user.pk).exists()


def test_only_an_admin_changes_users(leader, make_user):
    user = make_user(Role.VIEWER)
    with unchanged(User), pytest.raises(PermissionDenied):
        accounts.user_update(actor=leader, user=user, role=Role.ADMIN)


@pytest.mark.parametrize(
    "change", [{"role": Role.PRODUCT_LEADER}, {"role": Role.VIEWER}, {"is_active": False}]
)
def test_an_admin_cannot_demote_or_deactivate_themselves(admin_user, change):
    with unchanged(User), pytest.raises(ValidationError):
        accounts.user_update(actor=admin_user, user=admin_user, **change)


def test_an_admin_may_change_their_own_email(admin_user):
    accounts.user_update(actor=admin_user, user=admin_user, email="me@example.com", role="admin")
    admin_user.refresh_from_db()
    assert admin_user.email == "me@example.com"


def test_an_unknown_role_on_update_is_refused(admin_user, make_user):
    user = make_user(Role.VIEWER)
    with unchanged(User), pytest.raises(ValidationError) as caught:
        accounts.user_update(actor=admin_user, user=user, role="owner")
    assert "role" in caught.value.message_dict


def test_an_invalid_email_on_update_is_refused(admin_user, make_user):
    user = make_user(Role.VIEWER)
    with unchanged(User), pytest.raises(ValidationError) as caught:
        accounts.user_update(actor=admin_user, user=user, email="nope")
    assert "email" in caught.value.message_dict


def test_set_password_checks_strength(make_user):
    user = make_user(Role.VIEWER)
    with pytest.raises(ValidationError) as caught:
        accounts.user_set_password(user=user, password="123")
    assert "password" in caught.value.message_dict
    user.refresh_from_db()
    assert user.check_password("correct horse battery staple")
    accounts.user_set_password(user=user, password=STRONG)
    user.refresh_from_db()
    assert user.check_password(STRONG)
    accounts.user_set_password(user=user, password="x", check_strength=False)
    user.refresh_from_db()
    assert user.check_password("x")
