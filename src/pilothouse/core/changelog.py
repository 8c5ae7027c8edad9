"""Recording of every write done through `core.writes` in the change log."""

from __future__ import annotations

import datetime as dt
import decimal
import functools
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query_utils import DeferredAttribute
from django.utils import timezone

from pilothouse.core import bulk
from pilothouse.core.models import ChangeAction, ChangeRecord, User, VersionedModel


def _plain(value: Any) -> Any:
    """A JSON-friendly form of a field value."""
    kind = type(value)
    if value is None or kind is str or kind is int or kind is bool or kind is float:
        return value
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


_PLAIN_DESCRIPTORS = (DeferredAttribute, ForeignKeyDeferredAttribute)


@functools.cache
def _logged_fields(model: type[models.Model]) -> tuple[tuple[Any, ...], ...]:
    """(field, name, attname or None, decimal exponent or None) of each logged concrete
    field; attname when the loaded value is what `value_from_object` gives."""
    skip = getattr(model, "BOOKKEEPING_FIELDS", frozenset())
    return tuple(
        (
            field,
            field.name,
            field.attname
            if field.descriptor_class in _PLAIN_DESCRIPTORS
            and type(field).value_from_object is models.Field.value_from_object
            else None,
            decimal.Decimal(1).scaleb(-field.decimal_places)
            if isinstance(field, models.DecimalField)
            else None,
        )
        for field in model._meta.concrete_fields
        if field.name not in skip
    )


def snapshot(
    instance: models.Model, *, many: Mapping[str, Iterable[Any]] | None = None
) -> dict[str, Any]:
    """The loggable state of an object: concrete fields (FKs as ids) and many-to-many ids.

    `many` ({many-to-many field: ids}) gives the links the caller already knows, which
    saves a query per field (bulk writes know them for a whole batch)."""
    state: dict[str, Any] = {}
    loaded = instance.__dict__
    for field, name, attname, exponent in _logged_fields(type(instance)):
        value = loaded[attname] if attname in loaded else field.value_from_object(instance)
        if exponent is not None and isinstance(value, decimal.Decimal):
            # 100 and 100.0000 are the same stored value: compare them at the column's scale.
            value = value.quantize(exponent)
        state[name] = _plain(value)
    if instance.pk is not None:
        for field in instance._meta.many_to_many:
            if many is not None and field.name in many:
                state[field.name] = sorted(many[field.name])
            else:
                related = getattr(instance, field.name)
                state[field.name] = sorted(related.values_list("pk", flat=True))
    return state


def diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict, dict]:
    changed = [name for name in after if before.get(name) != after.get(name)]
    return {n: before.get(n) for n in changed}, {n: after[n] for n in changed}


def record(
    *,
    actor: User | None,
    action: ChangeAction,
    instance: VersionedModel,
    before: dict[str, Any],
    after: dict[str, Any],
    object_id: int | None = None,
) -> ChangeRecord:
    return ChangeRecord.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        action=action,
        content_type=ContentType.objects.get_for_model(type(instance)),
        object_id=object_id if object_id is not None else instance.pk,
        object_repr=str(instance)[:300],
        before=before,
        after=after,
    )


def record_many(
    *,
    actor: User | None,
    action: ChangeAction,
    entries: Sequence[tuple[VersionedModel, dict[str, Any], dict[str, Any]]],
) -> int:
    """One change record per (object, before, after), all written with one statement;
    the objects may be of several models. Answers the number of records."""
    actor_id = actor.pk if actor is not None and actor.pk else None
    now = timezone.now()
    content_types: dict[type, int] = {}
    rows = []
    for instance, before, after in entries:
        model = type(instance)
        if model not in content_types:
            content_types[model] = ContentType.objects.get_for_model(model).pk
        rows.append((content_types[model], instance.pk, str(instance)[:300], before, after))
    constants = {"time": now, "actor_id": actor_id, "action": action}
    names = ["content_type_id", "object_id", "object_repr", "before", "after"]
    if not any(before for _instance, before, _after in entries):  # creations: {} each
        constants["before"] = {}
        names.remove("before")
        rows = [(ct, pk, text, after) for ct, pk, text, _before, after in rows]
    return bulk.insert_values(ChangeRecord, names, rows, constants=constants)
