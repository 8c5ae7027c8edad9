"""Who may do what. Views, the API and the CLI all ask here; nothing else decides.

- admin and product leader: read and change everything;
- product manager: change what they steward (they own it, or own its product or
  product line; see `VersionedModel.steward_ids`), and create under what they steward;
- contributor and viewer: read only, except where a model opens itself wider (below);
- private records (a person's assessments, growth plans, one-to-ones and cost): only the
  person, their management chain, product leaders and admins see them (can_view_private).

A model may open itself to more roles with class attributes (all optional; absent
means the empty set), so that the rules stay here without core knowing the model:

- `EDITOR_ROLES`: roles that may create, change and delete any object of the model
  (e.g. product managers edit every customer, not only ones they steward);
- `CREATOR_ROLES`: roles that may create objects of the model, and change and delete
  the ones they wrote themselves (the object's `author_ids()`, by default its creator),
  e.g. contributors submit feedback notes and edit their own;
- `EDITOR_FIELDS`: fields that only those who may change *any* such object may set
  (editors and stewards): an author may not set them on their own object (e.g. the
  triage fields of a note).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied

from pilothouse.core.models import User, VersionedModel
from pilothouse.core.roles import PORTFOLIO_WIDE_ROLES, STEWARD_ROLES, Role

_NONE: frozenset[str] = frozenset()


def _active(user: User | None) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def _roles(model: type[VersionedModel] | VersionedModel, name: str) -> frozenset[str]:
    return frozenset(getattr(model, name, _NONE))


def can_view(user: User | None) -> bool:
    return _active(user)


def is_portfolio_wide(user: User | None) -> bool:
    return _active(user) and user.role in PORTFOLIO_WIDE_ROLES


def is_admin(user: User | None) -> bool:
    return _active(user) and user.role == Role.ADMIN


def _edits_any(user: User | None, obj: VersionedModel) -> bool:
    """May change this object whoever wrote it: portfolio-wide, an editor role, a steward."""
    if is_portfolio_wide(user):
        return True
    if not _active(user):
        return False
    if user.role in _roles(obj, "EDITOR_ROLES"):
        return True
    return user.role in STEWARD_ROLES and user.pk in obj.steward_ids()


def can_change(user: User | None, obj: VersionedModel) -> bool:
    if _edits_any(user, obj):
        return True
    return (
        _active(user) and user.role in _roles(obj, "CREATOR_ROLES") and user.pk in obj.author_ids()
    )


def can_set_fields(user: User | None, obj: VersionedModel, fields: Iterable[str]) -> bool:
    """May `user` set these fields of `obj` (as it will be saved)? Only those who may
    change any such object set the model's `EDITOR_FIELDS`; the other fields need no
    more than `can_change` / `can_create`."""
    if not set(fields) & _roles(obj, "EDITOR_FIELDS"):
        return True
    return _edits_any(user, obj)


def can_create(
    user: User | None,
    *,
    parent: VersionedModel | None,
    model: type[VersionedModel] | None = None,
) -> bool:
    """May `user` create an object (of `model`, if given) that hangs under `parent`
    (None: a top-level object)?"""
    if is_portfolio_wide(user):
        return True
    if (
        model is not None
        and _active(user)
        and user.role in _roles(model, "EDITOR_ROLES") | _roles(model, "CREATOR_ROLES")
    ):
        return True
    if parent is None:
        return False
    return can_change(user, parent)


def can_create_any(user: User | None, model: type[VersionedModel] | None = None) -> bool:
    """Whether to offer a "new" button at all; the real check happens on submit."""
    if model is not None and can_create(user, parent=None, model=model):
        return True
    return _active(user) and user.role in PORTFOLIO_WIDE_ROLES | STEWARD_ROLES


def can_view_private(user: User | None, obj: VersionedModel) -> bool:
    """May `user` see a private record (an assessment, a growth plan, a one-to-one, a
    person's cost)? Product leaders and admins, and whoever the record names in its
    `private_viewer_ids()`: the person and their management chain. Lists filter with the
    same rule through people.privacy, whose tests hold it to this one."""
    if is_portfolio_wide(user):
        return True
    return _active(user) and user.pk in obj.private_viewer_ids()


def require(allowed: bool, message: str = "You do not have permission to do this.") -> None:
    if not allowed:
        raise PermissionDenied(message)
