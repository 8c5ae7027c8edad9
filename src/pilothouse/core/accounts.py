"""Writes to user accounts: creation, role and status changes, passwords.

Users are not versioned domain objects, but their creation and role changes are
still recorded in the change log (never the password).
"""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from pilothouse.core import changelog, permissions
from pilothouse.core.models import ChangeAction, User
from pilothouse.core.roles import Role

LOGGED_FIELDS = ("username", "email", "role", "is_active")


def _state(user: User) -> dict:
    return {name: getattr(user, name) for name in LOGGED_FIELDS}


def user_create(
    *,
    actor: User | None,
    username: str,
    role: str,
    email: str = "",
    password: str | None,
    check_password_strength: bool = True,
) -> User:
    """Create a login. `actor` None is the system (CLI, demo); otherwise an admin."""
    if actor is not None:
        permissions.require(permissions.is_admin(actor), "Only an admin may create users.")
    if role not in Role.values:
        raise ValidationError(
            {"role": f"unknown role {role!r}; choose from: " + ", ".join(Role.values)}
        )
    user = User(username=(username or "").strip(), email=(email or "").strip(), role=role)
    if password and check_password_strength:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from exc
    with transaction.atomic():
        user.full_clean(exclude=["password"])
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
        changelog.record(
            actor=actor, action=ChangeAction.CREATE, instance=user, before={}, after=_state(user)
        )
    return user


def user_update(
    *,
    actor: User | None,
    user: User,
    role: str | None = None,
    is_active: bool | None = None,
    email: str | None = None,
) -> User:
    if actor is not None:
        permissions.require(permissions.is_admin(actor), "Only an admin may change users.")
        if user.pk == actor.pk and (is_active is False or (role and role != Role.ADMIN)):
            raise ValidationError({"role": "You cannot demote or deactivate yourself."})
    if role is not None and role not in Role.values:
        raise ValidationError({"role": f"unknown role {role!r}"})
    with transaction.atomic():
        current = User.objects.select_for_update().get(pk=user.pk)
        before = _state(current)
        if role is not None:
            current.role = role
        if is_active is not None:
            current.is_active = is_active
        if email is not None:
            current.email = email.strip()
        current.full_clean(exclude=["password"])
        current.save()
        old, new = changelog.diff(before, _state(current))
        if new:
            changelog.record(
                actor=actor, action=ChangeAction.UPDATE, instance=current, before=old, after=new
            )
    return current


def user_set_password(*, user: User, password: str, check_strength: bool = True) -> None:
    if check_strength:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    user.save(update_fields=["password"])
