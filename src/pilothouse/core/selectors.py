"""Reads of core data: change history (and which records a change feed shows whom), users,
tokens."""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Q, QuerySet
from django.utils.module_loading import autodiscover_modules

from pilothouse.core import permissions
from pilothouse.core.models import ApiToken, ChangeRecord, User

# --- who sees which change records ----------------------------------------------------
#
# A change feed (the recent-changes page, /api/v1/changes, the home page) shows the
# records of a model marked PRIVATE_RECORDS (assessments, growth plans, one-to-ones)
# only to the portfolio-wide roles; an object's own history is shown on its page, which
# checks who may see it. Beyond that, the app that owns a rule about single objects (a
# private person) registers, per model, the objects a user may not see: their records
# are left out of feeds, and their names out of other records' descriptions.

HiddenObjects = Callable[[User | None], "Collection[int] | QuerySet"]
_hidden_objects: dict[type[models.Model], HiddenObjects] = {}


@functools.cache
def _discover_rules() -> None:
    # An app states such rules in its `privacy` module, found as Django finds `admin`
    # modules, so that a feed never runs before the rules are known.
    autodiscover_modules("privacy")


def hide_in_change_feeds(model: type[models.Model], hidden_ids: HiddenObjects) -> None:
    """Leave the objects `hidden_ids(user)` answers out of what change feeds show `user`.
    The function should cost a fixed number of queries (or answer a queryset of ids)."""
    _hidden_objects[model] = hidden_ids


def _of_model(model: type[models.Model]) -> Q:
    # Through the content type's natural key, already joined: no query for its id.
    return Q(
        content_type__app_label=model._meta.app_label, content_type__model=model._meta.model_name
    )


def private_record_models() -> list[type[models.Model]]:
    return [model for model in apps.get_models() if getattr(model, "PRIVATE_RECORDS", False)]


def visible_records(qs: QuerySet[ChangeRecord], viewer: User | None) -> QuerySet[ChangeRecord]:
    """The records of `qs` that a change feed may show `viewer` (None: anyone)."""
    if permissions.is_portfolio_wide(viewer):
        return qs
    _discover_rules()
    hidden = Q()
    for model in private_record_models():
        hidden |= _of_model(model)
    for model, hidden_ids in _hidden_objects.items():
        hidden |= _of_model(model) & Q(object_id__in=hidden_ids(viewer))
    return qs.exclude(hidden) if hidden else qs


def change_list(
    *,
    viewer: User | None = None,
    model: str | None = None,
    object_id: int | None = None,
    actor: str | None = None,
    action: str | None = None,
) -> QuerySet[ChangeRecord]:
    """Change records `viewer` may see in a feed, newest first; `model` is a model name
    such as "feature". Without a viewer, only the records anyone may see."""
    qs = visible_records(ChangeRecord.objects.select_related("actor", "content_type"), viewer)
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


def describe_changes(
    records: Sequence[ChangeRecord], *, viewer: User | None = None
) -> Sequence[ChangeRecord]:
    """Give each record `field_changes`: its changed fields as `FieldChange`s.

    Choice codes become their labels and referenced ids the names of the objects
    (one query per referenced model, whatever the number of records); an object
    deleted since, or one `viewer` may not see (see hide_in_change_feeds), shows as "#id".
    """
    # (record, [(name, label, choices, (related model, key field), before, after)])
    plans: list[tuple[ChangeRecord, list[tuple]]] = []
    wanted: dict[tuple[type[models.Model], str], set] = {}
    for record in records:
        model = ContentType.objects.get_for_id(record.content_type_id).model_class()
        plan = []
        for name, before, after in record.changed_fields:
            try:
                field = model._meta.get_field(name) if model is not None else None
            except FieldDoesNotExist:
                field = None
            label = str(getattr(field, "verbose_name", name.replace("_", " ")))
            related = _referenced(field)
            choices = dict(field.flatchoices) if field is not None and field.choices else {}
            if related is not None:
                wanted.setdefault(related, set()).update(_ids(before) + _ids(after))
            plan.append((name, label, choices, related, before, after))
        plans.append((record, plan))
    names: dict[tuple[type[models.Model], str], dict] = {
        (model, key): {getattr(obj, key): str(obj) for obj in _nameable(model, key, ids, viewer)}
        for (model, key), ids in wanted.items()
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


def _referenced(field: Any) -> tuple[type[models.Model], str] | None:
    """The model a logged field refers to, and the field of it the log holds: its id, or
    the field a foreign key points at (a level by its key)."""
    if field is None or not field.is_relation or field.related_model is None:
        return None
    if isinstance(field, models.ForeignKey):
        return field.related_model, field.target_field.attname
    return field.related_model, field.related_model._meta.pk.attname


def _nameable(model: type[models.Model], key: str, values: set, viewer: User | None) -> QuerySet:
    qs = model._default_manager.filter(**{f"{key}__in": values})
    _discover_rules()
    hidden_ids = _hidden_objects.get(model)
    if hidden_ids is not None and not permissions.is_portfolio_wide(viewer):
        qs = qs.exclude(pk__in=hidden_ids(viewer))
    return qs


def object_history_described(
    *, instance: models.Model, limit: int = 50, viewer: User | None = None
) -> list[ChangeRecord]:
    """`object_history` with readable field changes, for the history panel (the page
    has checked that `viewer` may see the object; see describe_changes for the names)."""
    records = object_history(instance=instance, limit=limit)
    return list(describe_changes(records, viewer=viewer))


def active_users(*, including: Iterable[int] = ()) -> QuerySet[User]:
    """Users who may be chosen as owners: the active ones, plus any already chosen."""
    return User.objects.filter(models.Q(is_active=True) | models.Q(pk__in=list(including)))


def existing_objects(
    model: type[models.Model], ids: Iterable[int], queryset: QuerySet | None = None
) -> dict[int, models.Model]:
    """The objects among `ids` that still exist, by id, in one query."""
    qs = queryset if queryset is not None else model._default_manager.all()
    return {obj.pk: obj for obj in qs.filter(pk__in=list(ids))}
