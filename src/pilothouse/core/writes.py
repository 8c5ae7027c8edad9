"""The one write path: every domain service creates, updates and deletes through here.

Each function checks the actor's permission (`core.permissions`; an actor of
None is the system itself: the demo generator, migrations), validates the whole
object (`full_clean`), runs in one transaction, checks the optimistic-lock
`version`, bumps it, stamps the actor and records the change in the change log.
A failure raises before anything is written, so nothing is ever half-written.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from django.db import models, transaction

from pilothouse.core import changelog, permissions
from pilothouse.core.errors import ConflictError
from pilothouse.core.models import ChangeAction, User, VersionedModel

M = TypeVar("M", bound=VersionedModel)


def _set_many(instance: models.Model, m2m: Mapping[str, Any] | None) -> None:
    for name, values in (m2m or {}).items():
        getattr(instance, name).set(values)


def create(
    *,
    model: type[M],
    actor: User | None,
    data: Mapping[str, Any],
    m2m: Mapping[str, Any] | None = None,
) -> M:
    with transaction.atomic():
        instance = model(**data)
        if actor is not None:
            permissions.require(permissions.can_create(actor, parent=instance.permission_parent()))
        instance.created_by = actor
        instance.updated_by = actor
        instance.full_clean()
        instance.save()
        _set_many(instance, m2m)
        changelog.record(
            actor=actor,
            action=ChangeAction.CREATE,
            instance=instance,
            before={},
            after=changelog.snapshot(instance),
        )
    return instance


def lock(*, instance: M, version: int | None) -> M:
    """Re-read the row under a lock and refuse a stale version. Call inside a transaction."""
    current = type(instance)._default_manager.select_for_update().get(pk=instance.pk)
    if version is not None and current.version != version:
        raise ConflictError(current_version=current.version, given_version=version)
    return current


def update(
    *,
    instance: M,
    actor: User | None,
    version: int | None,
    data: Mapping[str, Any],
    m2m: Mapping[str, Any] | None = None,
) -> M:
    """Apply `data` (field -> value) to the object whose client-side version is `version`."""
    with transaction.atomic():
        if actor is not None:
            permissions.require(permissions.can_change(actor, instance))
        current = lock(instance=instance, version=version)
        parent_before = current.permission_parent()
        before = changelog.snapshot(current)
        for name, value in data.items():
            setattr(current, name, value)
        parent_after = current.permission_parent()
        if actor is not None and parent_after != parent_before:
            permissions.require(
                permissions.can_create(actor, parent=parent_after),
                "You may not move this under an object you do not look after.",
            )
        current.full_clean()
        _set_many(current, m2m)
        after = changelog.snapshot(current)
        old, new = changelog.diff(before, after)
        if not new:
            return current  # nothing changed: no new version, no log entry
        current.version += 1
        current.updated_by = actor
        current.save()
        changelog.record(
            actor=actor,
            action=ChangeAction.UPDATE,
            instance=current,
            before=old,
            after=new,
        )
    return current


def delete(*, instance: VersionedModel, actor: User | None, version: int | None = None) -> None:
    with transaction.atomic():
        if actor is not None:
            permissions.require(permissions.can_change(actor, instance))
        current = lock(instance=instance, version=version)
        before = changelog.snapshot(current)
        object_id = current.pk
        current.delete()
        changelog.record(
            actor=actor,
            action=ChangeAction.DELETE,
            instance=current,
            before=before,
            after={},
            object_id=object_id,
        )


class ModelWrites:
    """The create/update/delete services of one model, for apps to expose by name.

    `services.product.create(actor=..., data=...)` reads well at the call site and
    keeps the domain modules free of near-identical wrapper functions. A model with
    its own rules subclasses this and overrides `check` (called with the object as it
    would be saved, inside the transaction) or a whole method.
    """

    def __init__(self, model: type[VersionedModel]) -> None:
        self.model = model

    def create(
        self, *, actor: User | None, data: Mapping[str, Any], m2m: Mapping[str, Any] | None = None
    ) -> VersionedModel:
        return create(model=self.model, actor=actor, data=self.prepare(None, dict(data)), m2m=m2m)

    def update(
        self,
        *,
        actor: User | None,
        instance: VersionedModel,
        version: int | None,
        data: Mapping[str, Any],
        m2m: Mapping[str, Any] | None = None,
    ) -> VersionedModel:
        return update(
            instance=instance,
            actor=actor,
            version=version,
            data=self.prepare(instance, dict(data)),
            m2m=m2m,
        )

    def delete(
        self, *, actor: User | None, instance: VersionedModel, version: int | None = None
    ) -> None:
        delete(instance=instance, actor=actor, version=version)

    def prepare(self, instance: VersionedModel | None, data: dict[str, Any]) -> dict[str, Any]:
        """Domain rules on the incoming fields (instance is None on create); may raise."""
        return data
