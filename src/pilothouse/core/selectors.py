"""Reads of core data: change history, users, tokens."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import QuerySet

from pilothouse.core.models import ApiToken, ChangeRecord, User


def change_list(
    *,
    model: str | None = None,
    object_id: int | None = None,
    actor: str | None = None,
    action: str | None = None,
) -> QuerySet[ChangeRecord]:
    """Change records, newest first; `model` is a model name such as "feature"."""
    qs = ChangeRecord.objects.select_related("actor", "content_type")
    if model:
        qs = qs.filter(content_type__model=model.lower())
    if object_id is not None:
        qs = qs.filter(object_id=object_id)
    if actor:
        qs = qs.filter(actor__username=actor)
    if action:
        qs = qs.filter(action=action)
    return qs


def object_history(*, instance: models.Model, limit: int = 50) -> list[ChangeRecord]:
    content_type = ContentType.objects.get_for_model(type(instance))
    return list(
        ChangeRecord.objects.select_related("actor").filter(
            content_type=content_type, object_id=instance.pk
        )[:limit]
    )


def user_list() -> QuerySet[User]:
    return User.objects.order_by("username")


def token_list(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at")


@dataclass(frozen=True)
class FieldChange:
    """One changed field of a change record, ready to show: labels, not ids or codes."""

    name: str
    label: str
    before: str
    after: str


def _readable(value: Any, *, choices: dict, names: dict) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(_readable(item, choices=choices, names=names) for item in value)
    if not isinstance(value, Hashable):
        return str(value)
    if value in names:
        return names[value]
    return str(choices.get(value, value))


def _ids(value: Any) -> list:
    values = value if isinstance(value, list) else [value]
    return [v for v in values if v is not None]


def describe_changes(records: Sequence[ChangeRecord]) -> Sequence[ChangeRecord]:
    """Give each record `field_changes`: its changed fields as `FieldChange`s.

    Choice codes become their labels and referenced ids the names of the objects
    (one query per referenced model, whatever the number of records); an object
    deleted since shows as "#id".
    """
    # (record, [(name, label, choices, related model, before, after)])
    plans: list[tuple[ChangeRecord, list[tuple]]] = []
    wanted: dict[type[models.Model], set] = {}
    for record in records:
        model = ContentType.objects.get_for_id(record.content_type_id).model_class()
        plan = []
        for name, before, after in record.changed_fields:
            try:
                field = model._meta.get_field(name) if model is not None else None
            except FieldDoesNotExist:
                field = None
            label = str(getattr(field, "verbose_name", name.replace("_", " ")))
            related = field.related_model if field is not None and field.is_relation else None
            choices = dict(field.flatchoices) if field is not None and field.choices else {}
            if related is not None:
                wanted.setdefault(related, set()).update(_ids(before) + _ids(after))
            plan.append((name, label, choices, related, before, after))
        plans.append((record, plan))
    names: dict[type[models.Model], dict] = {
        model: {obj.pk: str(obj) for obj in model._default_manager.filter(pk__in=ids)}
        for model, ids in wanted.items()
        if ids
    }
    for record, plan in plans:
        changes = []
        for name, label, choices, related, before, after in plan:
            known: dict = {}
            if related is not None:
                # Ids of objects deleted since still deserve a mention.
                known = {i: f"#{i}" for i in _ids(before) + _ids(after)}
                known.update(names.get(related, {}))
            changes.append(
                FieldChange(
                    name=name,
                    label=label,
                    before=_readable(before, choices=choices, names=known),
                    after=_readable(after, choices=choices, names=known),
                )
            )
        record.field_changes = changes
    return records


def object_history_described(*, instance: models.Model, limit: int = 50) -> list[ChangeRecord]:
    """`object_history` with readable field changes, for the history panel."""
    return list(describe_changes(object_history(instance=instance, limit=limit)))


def active_users(*, including: Iterable[int] = ()) -> QuerySet[User]:
    """Users who may be chosen as owners: the active ones, plus any already chosen."""
    return User.objects.filter(models.Q(is_active=True) | models.Q(pk__in=list(including)))


def existing_objects(
    model: type[models.Model], ids: Iterable[int], queryset: QuerySet | None = None
) -> dict[int, models.Model]:
    """The objects among `ids` that still exist, by id, in one query."""
    qs = queryset if queryset is not None else model._default_manager.all()
    return {obj.pk: obj for obj in qs.filter(pk__in=list(ids))}
