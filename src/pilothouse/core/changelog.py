"""Recording of every write done through `core.writes` in the change log."""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from pilothouse.core.models import ChangeAction, ChangeRecord, User, VersionedModel


def _plain(value: Any) -> Any:
    """A JSON-friendly form of a field value."""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def _field_value(field: models.Field, instance: models.Model) -> Any:
    value = field.value_from_object(instance)
    if isinstance(field, models.DecimalField) and isinstance(value, decimal.Decimal):
        # 100 and 100.0000 are the same stored value: compare them at the column's scale.
        value = value.quantize(decimal.Decimal(1).scaleb(-field.decimal_places))
    return value


def snapshot(instance: models.Model) -> dict[str, Any]:
    """The loggable state of an object: concrete fields (FKs as ids) and many-to-many ids."""
    skip = getattr(instance, "BOOKKEEPING_FIELDS", frozenset())
    state: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if field.name in skip:
            continue
        state[field.name] = _plain(_field_value(field, instance))
    if instance.pk is not None:
        for field in instance._meta.many_to_many:
            state[field.name] = sorted(getattr(instance, field.name).values_list("pk", flat=True))
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
