"""/api/v1/features, /releases, /milestones, /feature-tags, /dependencies.

Snapshots and share links have their own routers (snapshot_api.py, sharing_api.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, FilterLookup, FilterSchema, Router, Schema

from pilothouse.api import crud
from pilothouse.core.markdown import render_markdown
from pilothouse.core.models import User
from pilothouse.portfolio.models import Product, ProductArea
from pilothouse.roadmap import dependencies, selectors, services
from pilothouse.roadmap.models import (
    Dependency,
    Feature,
    FeatureStage,
    FeatureTag,
    Horizon,
    KanoCategory,
    Milestone,
    Release,
    ReleaseStatus,
)
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
    horizon: Horizon | Literal[""] = Field("", description="now, next, later, or empty")
    horizon_rank: float = Field(
        0,
        description="Order within the horizon, lower first; a feature that joins a column "
        "without one goes to its top",
    )
    kano: KanoCategory | Literal[""] = ""
    tag_ids: list[int] = []


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
    blocked_by: list[int] = Field([], description="Features that must be done first")
    schedule_conflicts: list[str] = Field(
        [], description="How the feature is planned before a blocker is done (read-only)"
    )

    @staticmethod
    def resolve_objective_ids(obj: Feature) -> list[int]:
        return sorted(o.pk for o in obj.objectives.all())

    @staticmethod
    def resolve_tag_ids(obj: Feature) -> list[int]:
        return sorted(t.pk for t in obj.tags.all())

    @staticmethod
    def resolve_blocked_by(obj: Feature) -> list[int]:
        return sorted(d.blocker_id for d in obj.blocked_by.all())

    @staticmethod
    def resolve_schedule_conflicts(obj: Feature) -> list[str]:
        return getattr(obj, "schedule_conflicts", [])

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
    horizon: Horizon | None = None
    kano: KanoCategory | None = None
    tag_id: Annotated[int | None, FilterLookup("tags__id")] = None


class ReleaseIn(Schema):
    product_id: int
    name: str
    target_date: dt.date | None = None
    status: ReleaseStatus = ReleaseStatus.PLANNED
    notes: str = ""


class ReleaseOut(crud.VersionedOut, ReleaseIn):
    feature_count: int = 0


class MilestoneIn(Schema):
    name: str
    date: dt.date
    description: str = ""
    product_ids: list[int] = []


class MilestoneOut(crud.VersionedOut, MilestoneIn):
    @staticmethod
    def resolve_product_ids(obj: Milestone) -> list[int]:
        return sorted(p.pk for p in obj.products.all())


class MilestoneFilters(FilterSchema):
    product_id: Annotated[int | None, FilterLookup("products__id")] = None
    after: Annotated[dt.date | None, FilterLookup("date__gte")] = None
    before: Annotated[dt.date | None, FilterLookup("date__lte")] = None


class FeatureTagIn(Schema):
    name: str


class FeatureTagOut(crud.VersionedOut, FeatureTagIn):
    pass


class FeatureTagFilters(FilterSchema):
    q: Annotated[str | None, FilterLookup("name__icontains")] = None
    feature_id: Annotated[int | None, FilterLookup("features__id")] = None


class DependencyIn(Schema):
    blocker: int = Field(description="The feature that must be done first")
    blocked: int = Field(description="The feature that waits for it")
    note: str = ""


class DependencyOut(crud.VersionedOut, DependencyIn):
    @staticmethod
    def resolve_blocker(obj: Dependency) -> int:
        return obj.blocker_id

    @staticmethod
    def resolve_blocked(obj: Dependency) -> int:
        return obj.blocked_id


class DependencyFilters(FilterSchema):
    blocker: Annotated[int | None, FilterLookup("blocker_id")] = None
    blocked: Annotated[int | None, FilterLookup("blocked_id")] = None
    feature: Annotated[int | None, FilterLookup(["blocker_id", "blocked_id"])] = None


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
        select=selectors.feature_api_list,
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
            "horizon",
            "horizon_rank",
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
        many={"objective_ids": ("objectives", Objective), "tag_ids": ("tags", FeatureTag)},
        decorate=dependencies.decorate_conflicts,
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

milestones = Router(tags=["roadmap"])
crud.register(
    milestones,
    crud.Resource(
        model=Milestone,
        out=MilestoneOut,
        create_in=MilestoneIn,
        update_in=crud.patch_schema(MilestoneIn, name="MilestonePatch"),
        filters=MilestoneFilters,
        select=selectors.milestone_list,
        create=services.milestone.create,
        update=services.milestone.update,
        delete=services.milestone.delete,
        ordering=("id", "name", "date", "created_at", "updated_at"),
        default_ordering="date",
        many={"product_ids": ("products", Product)},
    ),
)

feature_tags = Router(tags=["roadmap"])
crud.register(
    feature_tags,
    crud.Resource(
        model=FeatureTag,
        out=FeatureTagOut,
        create_in=FeatureTagIn,
        update_in=crud.patch_schema(FeatureTagIn, name="FeatureTagPatch"),
        filters=FeatureTagFilters,
        select=FeatureTag.objects.all,
        create=services.feature_tag.create,
        update=services.feature_tag.update,
        delete=services.feature_tag.delete,
        ordering=("id", "name"),
        default_ordering="name",
    ),
)

dependency_router = Router(tags=["roadmap"])
crud.register(
    dependency_router,
    crud.Resource(
        model=Dependency,
        out=DependencyOut,
        create_in=DependencyIn,
        update_in=crud.patch_schema(DependencyIn, name="DependencyPatch"),
        filters=DependencyFilters,
        select=selectors.dependency_list,
        create=dependencies.dependency.create,
        update=dependencies.dependency.update,
        delete=dependencies.dependency.delete,
        ordering=("id", "created_at"),
        default_ordering="id",
        refs={"blocker": ("blocker", Feature), "blocked": ("blocked", Feature)},
    ),
)

ROUTERS = {
    "/features": features,
    "/releases": releases,
    "/milestones": milestones,
    "/feature-tags": feature_tags,
    "/dependencies": dependency_router,
}
