"""/api/v1/objectives, /key-results, /initiatives."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from ninja import FilterLookup, FilterSchema, Router, Schema

from pilothouse.api import crud
from pilothouse.core.models import User
from pilothouse.portfolio.models import Product, ProductLine
from pilothouse.strategy import selectors, services
from pilothouse.strategy.models import (
    Direction,
    Initiative,
    InitiativeStatus,
    KeyResult,
    Objective,
    ObjectiveScope,
    ObjectiveStatus,
)


class ObjectiveIn(Schema):
    title: str
    description: str = ""
    scope: ObjectiveScope = ObjectiveScope.COMPANY
    product_line_id: int | None = None
    product_id: int | None = None
    period: str
    owner_id: int | None = None
    parent_id: int | None = None
    status: ObjectiveStatus = ObjectiveStatus.ACTIVE


class ObjectiveOut(crud.VersionedOut, ObjectiveIn):
    pass


class ObjectiveFilters(FilterSchema):
    q: Annotated[str | None, FilterLookup("title__icontains")] = None
    scope: ObjectiveScope | None = None
    period: str | None = None
    status: ObjectiveStatus | None = None
    product_id: int | None = None
    product_line_id: int | None = None
    owner_id: int | None = None
    parent_id: int | None = None


class KeyResultIn(Schema):
    objective_id: int
    title: str
    unit: str = ""
    start_value: Decimal = Decimal(0)
    target_value: Decimal
    current_value: Decimal = Decimal(0)
    direction: Direction = Direction.INCREASE


class KeyResultOut(crud.VersionedOut, KeyResultIn):
    progress: float


class KeyResultFilters(FilterSchema):
    objective_id: int | None = None


class InitiativeIn(Schema):
    title: str
    description: str = ""
    owner_id: int | None = None
    status: InitiativeStatus = InitiativeStatus.PROPOSED
    objective_ids: list[int] = []
    start_date: dt.date | None = None
    end_date: dt.date | None = None


class InitiativeOut(crud.VersionedOut, InitiativeIn):
    @staticmethod
    def resolve_objective_ids(obj: Initiative) -> list[int]:
        return sorted(o.pk for o in obj.objectives.all())


class InitiativeFilters(FilterSchema):
    q: Annotated[str | None, FilterLookup("title__icontains")] = None
    status: InitiativeStatus | None = None
    owner_id: int | None = None
    objective_id: Annotated[int | None, FilterLookup("objectives__id")] = None


OWNER = {"owner_id": ("owner", User)}

objectives = Router(tags=["strategy"])
crud.register(
    objectives,
    crud.Resource(
        model=Objective,
        out=ObjectiveOut,
        create_in=ObjectiveIn,
        update_in=crud.patch_schema(ObjectiveIn, name="ObjectivePatch"),
        filters=ObjectiveFilters,
        select=selectors.objective_list,
        create=services.objective.create,
        update=services.objective.update,
        delete=services.objective.delete,
        ordering=("id", "title", "period", "status", "created_at", "updated_at"),
        default_ordering="period",
        refs={
            **OWNER,
            "product_id": ("product", Product),
            "product_line_id": ("product_line", ProductLine),
            "parent_id": ("parent", Objective),
        },
    ),
)

key_results = Router(tags=["strategy"])
crud.register(
    key_results,
    crud.Resource(
        model=KeyResult,
        out=KeyResultOut,
        create_in=KeyResultIn,
        update_in=crud.patch_schema(KeyResultIn, name="KeyResultPatch"),
        filters=KeyResultFilters,
        select=selectors.key_result_list,
        create=services.key_result.create,
        update=services.key_result.update,
        delete=services.key_result.delete,
        ordering=("id", "title", "created_at", "updated_at"),
        default_ordering="id",
        refs={"objective_id": ("objective", Objective)},
    ),
)

initiatives = Router(tags=["strategy"])
crud.register(
    initiatives,
    crud.Resource(
        model=Initiative,
        out=InitiativeOut,
        create_in=InitiativeIn,
        update_in=crud.patch_schema(InitiativeIn, name="InitiativePatch"),
        filters=InitiativeFilters,
        select=selectors.initiative_list,
        create=services.initiative.create,
        update=services.initiative.update,
        delete=services.initiative.delete,
        ordering=("id", "title", "status", "start_date", "end_date", "created_at", "updated_at"),
        default_ordering="title",
        refs=OWNER,
        many={"objective_ids": ("objectives", Objective)},
    ),
)

ROUTERS = {"/objectives": objectives, "/key-results": key_results, "/initiatives": initiatives}
