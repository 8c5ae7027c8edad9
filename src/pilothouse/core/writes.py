"""The one write path: every domain service creates, updates and deletes through here.

Each function checks the actor's permission (`core.permissions`; an actor of
None is the system itself: the demo generator, migrations), validates the whole
object (`full_clean`), runs in one transaction, checks the optimistic-lock
`version`, bumps it, stamps the actor and records the change in the change log.
A failure raises before anything is written, so nothing is ever half-written.

`create_many` and `update_many` do the same for many objects of one model at once
(imports): the same checks, with the queries done for a batch rather than per object,
and the rows, links and change records written with bulk statements.
"""

from __future__ import annotations

import operator
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any, TypeVar

from django.core.exceptions import (
    NON_FIELD_ERRORS,
    ObjectDoesNotExist,
    PermissionDenied,
    ValidationError,
)
from django.db import models, router, transaction
from django.db.models import F
from django.db.models.deletion import Collector
from django.utils import timezone

from pilothouse.core import bulk, changelog, permissions
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
        hidden_before = changelog.secrets(current)
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
        if not new and changelog.secrets(current) == hidden_before:
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


# --- many objects at once ------------------------------------------------------------------
#
# The checks are those of `create` and `update`, arranged so that a batch costs a fixed
# number of queries (see core.bulk): permission once per distinct permission parent,
# validation as `full_clean` with the queries done for the batch; the rows, their
# many-to-many links and their change records are written with bulk statements.


class RefusedRows(ValidationError):
    """Rows of a bulk write that were refused; nothing was written.

    `errors` maps the index of each refused row to its ValidationError (naming the
    fields) or PermissionDenied; as a ValidationError its fields are `rows[3].name`.
    """

    def __init__(self, errors: Mapping[int, Exception]) -> None:
        self.errors = dict(sorted(errors.items()))
        messages: dict[str, list[str]] = {}
        for index, exc in self.errors.items():
            if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
                for name, texts in exc.message_dict.items():
                    where = f"rows[{index}]" + ("" if name == NON_FIELD_ERRORS else f".{name}")
                    messages.setdefault(where, []).extend(texts)
            elif isinstance(exc, ValidationError):
                messages.setdefault(f"rows[{index}]", []).extend(exc.messages)
            else:
                text = str(exc) or "You do not have permission to do this."
                messages.setdefault(f"rows[{index}]", []).append(text)
        super().__init__(messages)


def _permission_key(parent: models.Model | None) -> Any:
    if parent is None:
        return None
    return (type(parent), parent.pk) if parent.pk is not None else id(parent)


def build_many(*, model: type[M], actor: User | None, rows: Sequence[Mapping[str, Any]]) -> list[M]:
    """An object of `model` from each row (field -> value), stamped with the actor, not yet
    checked: `check_built` checks them, `insert_many` writes them."""
    return bulk.build(model, rows, constants={"created_by": actor, "updated_by": actor})


def check_built(
    *,
    model: type[M],
    actor: User | None,
    objects: Sequence[M],
    rows: Sequence[Mapping[str, Any]],
    free: Collection[str] = (),
) -> dict[int, Exception]:
    """Check objects that `build_many` made from `rows` as `create` would: permission (once
    per distinct permission parent) and validation (`free`: unique fields whose values
    the caller found free in the database, see `bulk.validate_many`). Answers {index:
    ValidationError or PermissionDenied} of the refused ones."""
    errors: dict[int, Exception] = {}
    allowed: dict[Any, bool] = {}
    for index, obj in enumerate(objects):
        if actor is None:
            continue
        try:
            parent = obj.permission_parent()
        except ObjectDoesNotExist:
            continue  # a related id that does not exist: the validation names it
        key = _permission_key(parent)
        if key not in allowed:
            allowed[key] = permissions.can_create(actor, parent=parent, model=model)
        if not allowed[key]:
            errors[index] = PermissionDenied("You do not have permission to do this.")
    names: dict[tuple[str, ...], frozenset[str]] = {}  # rows mostly share their keys
    given = []
    for row in rows:
        key = tuple(row)
        if key not in names:
            names[key] = frozenset(row.keys() | {"created_by", "updated_by"})
        given.append(names[key])
    errors.update(bulk.validate_many(model, objects, skip=errors, given=given, free=free))
    return dict(sorted(errors.items()))


def check_many(
    *,
    model: type[M],
    actor: User | None,
    rows: Sequence[Mapping[str, Any]],
    free: Collection[str] = (),
) -> tuple[list[M], dict[int, Exception]]:
    """Build an object of `model` from each row (field -> value) and check it as `create`
    would (`build_many`, then `check_built`). Writes nothing; answers the objects and
    {index: ValidationError or PermissionDenied} of the refused ones. Write the accepted
    ones with `insert_many`. Give related objects as instances: a permission parent
    given by id is read for each row."""
    objects = build_many(model=model, actor=actor, rows=rows)
    errors = check_built(model=model, actor=actor, objects=objects, rows=rows, free=free)
    return objects, errors


def insert_many(
    *,
    actor: User | None,
    objects: Sequence[M],
    m2m: Sequence[Mapping[str, Iterable[Any]] | None] | None = None,
    batch: str | None = None,
) -> list[M]:
    """Write new objects of one model that `check_many` accepted (and stamped with the
    actor; related objects the caller created meanwhile are picked up): one bulk insert,
    the many-to-many links (`m2m[i]`: {field: objects or ids} of `objects[i]`) in bulk,
    and one change record each with the object's state, in a bulk insert; or, given
    `batch` (what writes them: "import"), the batch's records of `changelog.record_batch`.
    Answers the objects, with their ids."""
    if not objects:
        return []
    model = type(objects[0])
    if any(type(obj) is not model for obj in objects):
        raise TypeError("insert_many: the objects must all be of one model")
    names = bulk.link_fields(model)
    given = list(m2m) if m2m is not None else [None] * len(objects)
    with transaction.atomic():
        bulk.insert(objects)
        pks = list(map(operator.attrgetter(model._meta.pk.attname), objects))
        if None in pks:
            raise RuntimeError("the database did not return the ids of the new rows")
        links = [
            (pk, name, bulk.ids_of(values))
            for pk, m in zip(pks, given, strict=True)
            if m
            for name, values in m.items()
            if name in names
        ]
        bulk.add_links(model, links)
        if batch is not None:
            changelog.record_batch(actor=actor, objects=objects, source=batch)
        else:
            many = [{name: bulk.ids_of((m or {}).get(name, ())) for name in names} for m in given]
            changelog.record_many(
                actor=actor,
                action=ChangeAction.CREATE,
                entries=[
                    (obj, {}, changelog.snapshot(obj, many=linked))
                    for obj, linked in zip(objects, many, strict=True)
                ],
            )
    return list(objects)


def create_many(
    *,
    model: type[M],
    actor: User | None,
    rows: Sequence[Mapping[str, Any]],
    m2m: Sequence[Mapping[str, Iterable[Any]] | None] | None = None,
) -> list[M]:
    """`create` for many rows at once, all or nothing: RefusedRows (naming each refused
    row by index, and its fields) if any row is refused, else the new objects."""
    objects, errors = check_many(model=model, actor=actor, rows=rows)
    if errors:
        raise RefusedRows(errors)
    return insert_many(actor=actor, objects=objects, m2m=m2m)


def _fields_state(obj: models.Model) -> tuple[dict[str, Any], dict[str, Any]]:
    return (
        {
            f.attname: obj.__dict__[f.attname]
            for f in obj._meta.concrete_fields
            if f.attname in obj.__dict__
        },
        dict(obj._state.fields_cache),
    )


def _restore(obj: models.Model, state: tuple[dict[str, Any], dict[str, Any]]) -> None:
    values, cache = state
    obj.__dict__.update(values)
    obj._state.fields_cache = dict(cache)


def update_many(
    *,
    actor: User | None,
    changes: Sequence[tuple[M, Mapping[str, Any]]],
    m2m: Sequence[Mapping[str, Iterable[Any]] | None] | None = None,
) -> list[M]:
    """`update` for many objects of one model at once, all or nothing: apply each
    (object, data) pair (and `m2m[i]`: {field: objects or ids} replacing those links).

    The objects must have been read (all their fields, and their permission parent) in
    the caller's transaction, locked with select_for_update where the database has row
    locks; there is no version
    check: an import applies to objects as they are. Permission per object (and to move
    it under another permission parent, once per parent), validation as `check_many`;
    a refusal raises RefusedRows and leaves the objects as they were. The objects that
    change get version + 1, updated_by and one change record; the others are not
    written. Answers the objects that changed.
    """
    if not changes:
        return []
    model = type(changes[0][0])
    objects = [obj for obj, _data in changes]
    if any(type(obj) is not model for obj in objects):
        raise TypeError("update_many: the objects must all be of one model")
    given = list(m2m) if m2m is not None else [None] * len(objects)
    current = bulk.links_of(model, [obj.pk for obj in objects]) if bulk.link_fields(model) else {}
    saved = [_fields_state(obj) for obj in objects]
    errors: dict[int, Exception] = {}
    allowed: dict[Any, bool] = {}
    befores = []
    for index, (obj, data) in enumerate(changes):
        links = {name: ids.get(obj.pk, []) for name, ids in current.items()}
        befores.append((changelog.snapshot(obj, many=links), links, changelog.secrets(obj)))
        if actor is not None and not permissions.can_change(actor, obj):
            errors[index] = PermissionDenied("You do not have permission to do this.")
        parent_before = obj.permission_parent()
        for name, value in data.items():
            setattr(obj, name, value)
        parent = obj.permission_parent()
        if actor is not None and index not in errors and parent != parent_before:
            key = _permission_key(parent)
            if key not in allowed:
                allowed[key] = permissions.can_create(actor, parent=parent)
            if not allowed[key]:
                errors[index] = PermissionDenied(
                    "You may not move this under an object you do not look after."
                )
    setting = [data.keys() for _obj, data in changes]
    errors.update(bulk.validate_many(model, objects, skip=errors, given=setting))
    if errors:
        for obj, state in zip(objects, saved, strict=True):
            _restore(obj, state)
        raise RefusedRows(errors)
    now = timezone.now()
    changed: list[M] = []
    entries = []
    fields: set[str] = set()
    relinked: list[tuple[Any, str, list]] = []
    for obj, (before, links, hidden), new_links in zip(objects, befores, given, strict=True):
        links = {**links, **{name: bulk.ids_of(ids) for name, ids in (new_links or {}).items()}}
        old, new = changelog.diff(before, changelog.snapshot(obj, many=links))
        # A change to a secret field alone is a change (saved and versioned), unlogged.
        secret = [name for name, value in changelog.secrets(obj).items() if hidden[name] != value]
        if not new and not secret:
            continue
        fields.update(secret)
        obj.version += 1
        obj.updated_by = actor
        obj.updated_at = now
        changed.append(obj)
        entries.append((obj, old, new))
        fields.update(name for name in new if name not in current)
        relinked += [(obj.pk, name, links[name]) for name in new if name in current]
    if not changed:
        return []
    with transaction.atomic():
        # In batches: one UPDATE's CASE expression grows with its rows, and its cost with
        # their square (tens of thousands in one statement do not finish on PostgreSQL).
        model._default_manager.bulk_update(
            changed,
            sorted(fields | {"version", "updated_by", "updated_at"}),
            batch_size=bulk.ROWS_PER_UPDATE,
        )
        link_fields = bulk.link_fields(model)
        for name in {name for _pk, name, _ids in relinked}:
            through, source, _target = link_fields[name]
            pks = [pk for pk, field, _ids in relinked if field == name]
            for chunk in bulk.chunks(pks):
                through._default_manager.filter(**{f"{source}__in": chunk}).delete()
        bulk.add_links(model, relinked)
        changelog.record_many(actor=actor, action=ChangeAction.UPDATE, entries=entries)
    return changed
