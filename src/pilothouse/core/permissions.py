"""Who may do what. Views, the API and the CLI all ask here; nothing else decides.

- admin and product leader: read and change everything;
- product manager: change what they steward (they own it, or own its product or
  product line; see `VersionedModel.steward_ids`), and create under what they steward;
- contributor and viewer: read only (contributors gain feedback and votes later).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from pilothouse.core.models import User, VersionedModel
from pilothouse.core.roles import PORTFOLIO_WIDE_ROLES, STEWARD_ROLES, Role


def _active(user: User | None) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def can_view(user: User | None) -> bool:
    return _active(user)


def is_portfolio_wide(user: User | None) -> bool:
    return _active(user) and user.role in PORTFOLIO_WIDE_ROLES


def is_admin(user: User | None) -> bool:
    return _active(user) and user.role == Role.ADMIN


def can_change(user: User | None, obj: VersionedModel) -> bool:
    if is_portfolio_wide(user):
        return True
    return _active(user) and user.role in STEWARD_ROLES and user.pk in obj.steward_ids()


def can_create(user: User | None, *, parent: VersionedModel | None) -> bool:
    """May `user` create an object that hangs under `parent` (None: a top-level object)?"""
    if is_portfolio_wide(user):
        return True
    if parent is None:
        return False
    return can_change(user, parent)


def can_create_any(user: User | None) -> bool:
    """Whether to offer a "new" button at all; the real check happens on submit."""
    return _active(user) and user.role in PORTFOLIO_WIDE_ROLES | STEWARD_ROLES


def require(allowed: bool, message: str = "You do not have permission to do this.") -> None:
    if not allowed:
        raise PermissionDenied(message)
