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

from django.db import models, router, transaction
from django.db.models import F
from django.db.models.deletion import Collector

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
            permissions.require(
                permissions.can_create(actor, parent=instance.permission_parent(), model=model)
            )
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
    """Delete an object, and log what the deletion does to others: objects deleted with it
    (on_delete=CASCADE) and objects whose reference to it is cleared (SET_NULL)."""
    with transaction.atomic():
        if actor is not None:
            permissions.require(permissions.can_change(actor, instance))
        current = lock(instance=instance, version=version)
        collector = Collector(using=router.db_for_write(type(current)), origin=current)
        collector.collect([current])  # raises ProtectedError while others depend on it
        cascaded = _cascaded_deletions(collector, origin=current)
        cleared = _cleared_references(collector)
        # (object, id, last state) before the deletion clears the instances' ids.
        gone = [(obj, obj.pk, changelog.snapshot(obj)) for obj in [current, *cascaded]]
        collector.delete()
        for obj, object_id, state in gone:
            changelog.record(
                actor=actor,
                action=ChangeAction.DELETE,
                instance=obj,
                before=state,
                after={},
                object_id=object_id,
            )
        for obj, field_name, old_value in cleared:
            changelog.record(
                actor=actor,
                action=ChangeAction.UPDATE,
                instance=obj,
                before={field_name: old_value},
                after={field_name: None},
            )
        by_model: dict[type[VersionedModel], set[int]] = {}
        for obj, _field, _old in cleared:
            by_model.setdefault(type(obj), set()).add(obj.pk)
        for model, pks in by_model.items():
            model._default_manager.filter(pk__in=pks).update(version=F("version") + 1)


def _cascaded_deletions(collector: Collector, *, origin: models.Model) -> list[VersionedModel]:
    objects: list[VersionedModel] = []
    for model, instances in collector.data.items():
        if issubclass(model, VersionedModel):
            objects.extend(obj for obj in instances if obj is not origin)
    for queryset in collector.fast_deletes:
        if issubclass(queryset.model, VersionedModel):
            objects.extend(queryset)
    return objects


def _cleared_references(collector: Collector) -> list[tuple[VersionedModel, str, Any]]:
    """(object, field name, old id) for every reference the deletion sets to NULL."""
    cleared: list[tuple[VersionedModel, str, Any]] = []
    for (field, value), batches in collector.field_updates.items():
        if value is not None or not issubclass(field.model, VersionedModel):
            continue
        for batch in batches:
            for obj in batch:
                cleared.append((obj, field.name, field.value_from_object(obj)))
    return cleared


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
