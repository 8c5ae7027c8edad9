"""A canonical dump of everything the demo generator writes, for comparing two builds.

Primary and foreign keys are replaced by the row's rank in its table (by id), so two
builds compare equal whatever ids the database handed out. Password hashes (salted)
and last logins are left out.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from pilothouse.core.models import User
from pilothouse.customers.models import Contact, Customer, Note, NoteKind, NoteLink, Segment, Tag
from pilothouse.people.models import Person
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
)
SKIPPED_FIELDS = frozenset({"password", "last_login"})


def canonical_dump() -> dict[str, list[tuple[Any, ...]]]:
    ranks = {
        model: {
            pk: rank
            for rank, pk in enumerate(model.objects.order_by("pk").values_list("pk", flat=True))
        }
        for model in DUMPED_MODELS
    }
    dump: dict[str, list[tuple[Any, ...]]] = {}
    for model in DUMPED_MODELS:
        fields = [f for f in model._meta.concrete_fields if f.name not in SKIPPED_FIELDS]
        rows = model.objects.order_by("pk").values_list(*(f.attname for f in fields))
        dump[model._meta.label] = [
            tuple(
                ranks[model][value]
                if field.primary_key
                else ranks[field.related_model][value]
                if field.is_relation and value is not None
                else value
                for field, value in zip(fields, row, strict=True)
            )
            for row in rows
        ]
    return dump
