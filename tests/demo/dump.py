"""A canonical dump of everything the demo generator writes, for comparing two builds.

Primary and foreign keys are replaced by the row's rank in its table (by id), so two
builds compare equal whatever ids the database handed out (a key that names its row by
another unique field, a person's level, is kept as it is). Password hashes (salted)
and last logins are left out.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from pilothouse.core.models import User
from pilothouse.customers.models import Contact, Customer, Note, NoteKind, NoteLink, Segment, Tag
from pilothouse.delivery.models import Allocation
from pilothouse.people.models import (
    ActionItem,
    Assessment,
    AssessmentRating,
    CheckIn,
    GrowthGoal,
    GrowthPlan,
    OneOnOne,
    OpenRole,
    Person,
)
from pilothouse.portfolio.models import Product, ProductArea, ProductLine
from pilothouse.roadmap.models import Feature, Release
from pilothouse.strategy.models import Initiative, KeyResult, Objective

DUMPED_MODELS: tuple[type[models.Model], ...] = (
    User,
    Person,
    ProductLine,
    Product,
    ProductArea,
    Objective,
    KeyResult,
    Initiative,
    Initiative.objectives.through,
    Release,
    Feature,
    Feature.objectives.through,
    Customer,
    Contact,
    Segment,
    Tag,
    NoteKind,
    Note,
    Note.tags.through,
    NoteLink,
    Assessment,
    AssessmentRating,
    GrowthPlan,
    GrowthGoal,
    CheckIn,
    OneOnOne,
    ActionItem,
    Allocation,
    OpenRole,
)
SKIPPED_FIELDS = frozenset({"password", "last_login"})


def _ranked(field: models.Field) -> bool:
    """Whether the field holds an id (its own or another row's by primary key)."""
    if field.primary_key:
        return True
    return field.is_relation and field.target_field.primary_key


def canonical_dump() -> dict[str, list[tuple[Any, ...]]]:
    ranks: dict[type[models.Model], dict[Any, int]] = {}

    def rank(model: type[models.Model], pk: Any) -> int:
        if model not in ranks:
            ids = model._default_manager.order_by("pk").values_list("pk", flat=True)
            ranks[model] = {value: index for index, value in enumerate(ids)}
        return ranks[model][pk]

    dump: dict[str, list[tuple[Any, ...]]] = {}
    for model in DUMPED_MODELS:
        fields = [f for f in model._meta.concrete_fields if f.name not in SKIPPED_FIELDS]
        rows = model.objects.order_by("pk").values_list(*(f.attname for f in fields))
        dump[model._meta.label] = [
            tuple(
                value
                if value is None or not _ranked(field)
                else rank(model if field.primary_key else field.related_model, value)
                for field, value in zip(fields, row, strict=True)
            )
            for row in rows
        ]
    return dump
