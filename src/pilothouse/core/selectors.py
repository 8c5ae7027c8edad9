"""Reads of core data: change history, users, tokens."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
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
