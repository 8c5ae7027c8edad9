"""Recording of every write done through `core.writes` in the change log.

Each create, update and delete gets a record with the object's state before and after
(`record`, `record_many`). The objects an import creates are logged by batch instead
(`record_batch`): one record for the batch with the number and the ids of the objects,
and for each object a lean record naming that batch, so that its history still starts
with its creation by the import; its fields are those of its first version.
"""

from __future__ import annotations

import datetime as dt
import decimal
import functools
import operator
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query_utils import DeferredAttribute
from django.utils import timezone

from pilothouse.core import bulk
from pilothouse.core.models import ChangeAction, ChangeRecord, User, VersionedModel

_PLAIN_TYPES = frozenset({type(None), str, int, bool, float})


def _plain(value: Any) -> Any:
    """A JSON-friendly form of a field value."""
    if type(value) in _PLAIN_TYPES:
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
    skip = getattr(model, "BOOKKEEPING_FIELDS", frozenset()) | getattr(
        model, "SECRET_FIELDS", frozenset()
    )
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
        if type(value) in _PLAIN_TYPES:
            state[name] = value
            continue
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


def secrets(instance: models.Model) -> dict[str, Any]:
    """The values of the object's SECRET_FIELDS: compared to tell a change, never logged."""
    return {name: getattr(instance, name) for name in getattr(instance, "SECRET_FIELDS", ())}


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
        object_repr=_described(instance, object_id),
        before=before,
        after=after,
    )


def _described(instance: models.Model, object_id: int | None) -> str:
    """The object's name; a deleted one (Django clears the id of what it deletes) is
    named as it was, with its id, for a name that shows it."""
    if instance.pk is not None or object_id is None:
        return str(instance)[:300]
    instance.pk = object_id
    try:
        return str(instance)[:300]
    finally:
        instance.pk = None


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


BATCH_OBJECT_ID = 0  # the object id of a record about a batch of objects, not one of them


def id_ranges(ids: Iterable[int]) -> list[list[int]]:
    """Ids as runs of consecutive ones, [first, last] each: 4, 5, 6, 9 -> [[4, 6], [9, 9]]."""
    runs: list[list[int]] = []
    for pk in sorted(ids):
        if runs and pk == runs[-1][1] + 1:
            runs[-1][1] = pk
        else:
            runs.append([pk, pk])
    return runs


def record_batch(*, actor: User | None, objects: Sequence[VersionedModel], source: str) -> int:
    """Log the creation of many objects of one model written together by `source` (e.g.
    "import"): one record for the batch (object id BATCH_OBJECT_ID, after: the count and
    the ids as `id_ranges`) and one per object whose after names the batch, all written
    with two statements. Answers the number of records."""
    if not objects:
        return 0
    model = type(objects[0])
    ids = list(map(operator.attrgetter(model._meta.pk.attname), objects))
    actor_id = actor.pk if actor is not None and actor.pk else None
    content_type = ContentType.objects.get_for_model(model)
    count = f"{len(objects):,} {model._meta.verbose_name_plural}"
    batch = ChangeRecord.objects.create(
        actor_id=actor_id,
        action=ChangeAction.CREATE,
        content_type=content_type,
        object_id=BATCH_OBJECT_ID,
        object_repr=f"{count} ({source})"[:300],
        before={},
        after={"count": len(objects), "ids": id_ranges(ids)},
    )
    constants = {
        "time": batch.time,
        "actor_id": actor_id,
        "action": ChangeAction.CREATE,
        "content_type_id": content_type.pk,
        "before": {},
        "after": {source: f"batch {batch.pk}: {count}"},
    }
    rows = [(pk, str(obj)[:300]) for pk, obj in zip(ids, objects, strict=True)]
    return 1 + bulk.insert_values(ChangeRecord, ["object_id", "object_repr"], rows, constants)
