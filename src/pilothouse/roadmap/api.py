"""/api/v1/features, /releases."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from ninja import Field, FilterLookup, FilterSchema, Router, Schema

from pilothouse.api import crud
from pilothouse.core.markdown import render_markdown
from pilothouse.core.models import User
from pilothouse.portfolio.models import Product, ProductArea
from pilothouse.roadmap import selectors, services
from pilothouse.roadmap.models import Feature, FeatureStage, Release, ReleaseStatus
from pilothouse.strategy.models import Initiative, Objective


class FeatureIn(Schema):
    title: str
    description: str = ""
    product_id: int
    area_id: int | None = None
    initiative_id: int | None = None
    objective_ids: list[int] = []
    owner_id: int | None = None
    stage: FeatureStage = FeatureStage.IDEA
    effort_low: Decimal | None = None
    effort_high: Decimal | None = None
    target_release_id: int | None = None
    started_on: dt.date | None = None
    completed_on: dt.date | None = None


class FeatureOut(crud.VersionedOut, FeatureIn):
    description_html: str
    demand_importance: int = Field(
        0, description="Importance score of the linked customer evidence (read-only)"
    )
    demand_arr: Decimal = Field(
        Decimal(0), description="Sum of the ARR of the customers asking for it (read-only)"
    )
    demand_requests: int = Field(0, description="Number of linked notes (read-only)")
    demand_customers: int = Field(0, description="Number of customers asking (read-only)")

    @staticmethod
    def resolve_objective_ids(obj: Feature) -> list[int]:
        return sorted(o.pk for o in obj.objectives.all())

    @staticmethod
    def resolve_description_html(obj: Feature) -> str:
        return str(render_markdown(obj.description))


class FeatureFilters(FilterSchema):
    q: Annotated[str | None, FilterLookup(["title__icontains", "description__icontains"])] = None
    product_id: int | None = None
    area_id: int | None = None
    initiative_id: int | None = None
    objective_id: Annotated[int | None, FilterLookup("objectives__id")] = None
    owner_id: int | None = None
    stage: FeatureStage | None = None
    target_release_id: int | None = None
    min_importance: Annotated[int | None, FilterLookup("demand_importance__gte")] = None
    min_arr_demand: Annotated[Decimal | None, FilterLookup("demand_arr__gte")] = None
    min_requests: Annotated[int | None, FilterLookup("demand_requests__gte")] = None


class ReleaseIn(Schema):
    product_id: int
    name: str
    target_date: dt.date | None = None
    status: ReleaseStatus = ReleaseStatus.PLANNED
    notes: str = ""


class ReleaseOut(crud.VersionedOut, ReleaseIn):
    feature_count: int = 0


class ReleaseFilters(FilterSchema):
    product_id: int | None = None
    status: ReleaseStatus | None = None
    target_after: Annotated[dt.date | None, FilterLookup("target_date__gte")] = None
    target_before: Annotated[dt.date | None, FilterLookup("target_date__lte")] = None


features = Router(tags=["roadmap"])
crud.register(
    features,
    crud.Resource(
        model=Feature,
        out=FeatureOut,
        create_in=FeatureIn,
        update_in=crud.patch_schema(FeatureIn, name="FeaturePatch"),
        filters=FeatureFilters,
        select=selectors.feature_list,
        create=services.feature.create,
        update=services.feature.update,
        delete=services.feature.delete,
        ordering=(
            "id",
            "title",
            "stage",
            "effort_low",
            "effort_high",
            "started_on",
            "completed_on",
            "created_at",
            "updated_at",
            *Feature.DEMAND_FIELDS,
        ),
        default_ordering="-updated_at",
        refs={
            "owner_id": ("owner", User),
            "product_id": ("product", Product),
            "area_id": ("area", ProductArea),
            "initiative_id": ("initiative", Initiative),
            "target_release_id": ("target_release", Release),
        },
        many={"objective_ids": ("objectives", Objective)},
    ),
)

releases = Router(tags=["roadmap"])
crud.register(
    releases,
    crud.Resource(
        model=Release,
        out=ReleaseOut,
        create_in=ReleaseIn,
        update_in=crud.patch_schema(ReleaseIn, name="ReleasePatch"),
        filters=ReleaseFilters,
        select=selectors.release_list,
        create=services.release.create,
        update=services.release.update,
        delete=services.release.delete,
        ordering=("id", "name", "target_date", "status", "created_at", "updated_at"),
        default_ordering="target_date",
        refs={"product_id": ("product", Product)},
    ),
)

ROUTERS = {"/features": features, "/releases": releases}
