"""/api/v1/career-levels, /competencies, /expectations: the career ladder. Everyone
reads it; product leaders and admins change it (mounted through people.growth_api).

No `from __future__ import annotations`: ninja reads the endpoint signatures.
"""

from typing import Annotated

from django.db.models import Q
from ninja import Field, FilterLookup, FilterSchema, Router, Schema

from pilothouse.api import crud
from pilothouse.people import growth_selectors, services
from pilothouse.people.models import CareerLevel, Competency, Expectation, Track

# --- levels -----------------------------------------------------------------------------


class CareerLevelIn(Schema):
    key: str = Field(description="A short code used by people, imports and the API: pm")
    name: str
    track: Track = Track.IC
    rank: int = Field(description="Seniority: higher is more senior")
    summary: str = ""


class CareerLevelOut(crud.VersionedOut, CareerLevelIn):
    pass


class CareerLevelFilters(FilterSchema):
    q: Annotated[str | None, FilterLookup(["name__icontains", "key__icontains"])] = None
    track: Track | None = None


career_levels = Router(tags=["ladder"])
crud.register(
    career_levels,
    crud.Resource(
        model=CareerLevel,
        out=CareerLevelOut,
        create_in=CareerLevelIn,
        update_in=crud.patch_schema(CareerLevelIn, name="CareerLevelPatch"),
        filters=CareerLevelFilters,
        select=growth_selectors.career_level_list,
        create=services.career_level.create,
        update=services.career_level.update,
        delete=services.career_level.delete,
        ordering=("id", "key", "name", "rank", "track", "created_at", "updated_at"),
        default_ordering="rank",
    ),
)

# --- competencies -------------------------------------------------------------------------


class CompetencyIn(Schema):
    key: str = Field(description="A short code, e.g. discovery")
    name: str
    description: str = ""
    position: int = Field(0, description="Order on the ladder")


class CompetencyOut(crud.VersionedOut, CompetencyIn):
    pass


class CompetencyFilters(FilterSchema):
    q: Annotated[str | None, FilterLookup(["name__icontains", "key__icontains"])] = None
    level: str | None = Field(
        None, description="A level's key: the competencies it has an expectation for"
    )

    def filter_level(self, value: str | None) -> Q:
        if not value:
            return Q()
        return Q(expectations__level=services.level_by_key(value.strip()))


competencies = Router(tags=["ladder"])
crud.register(
    competencies,
    crud.Resource(
        model=Competency,
        out=CompetencyOut,
        create_in=CompetencyIn,
        update_in=crud.patch_schema(CompetencyIn, name="CompetencyPatch"),
        filters=CompetencyFilters,
        select=growth_selectors.competency_list,
        create=services.competency.create,
        update=services.competency.update,
        delete=services.competency.delete,
        ordering=("id", "key", "name", "position", "created_at", "updated_at"),
        default_ordering="position",
    ),
)

# --- expectations ---------------------------------------------------------------------------


class ExpectationIn(Schema):
    level_id: int = Field(description="A career level's id")
    competency_id: int
    text: str = Field(description="What the level is expected to do in this area")


class ExpectationOut(crud.VersionedOut, ExpectationIn):
    level: str = Field(description="The level's key")
    competency: str = Field(description="The competency's key")

    @staticmethod
    def resolve_level(obj: Expectation) -> str:
        return obj.level.key

    @staticmethod
    def resolve_competency(obj: Expectation) -> str:
        return obj.competency.key


class ExpectationFilters(FilterSchema):
    level_id: int | None = None
    level: Annotated[str | None, FilterLookup("level__key")] = Field(
        None, description="A level's key"
    )
    competency_id: int | None = None
    q: Annotated[str | None, FilterLookup("text__icontains")] = None


expectations = Router(tags=["ladder"])
crud.register(
    expectations,
    crud.Resource(
        model=Expectation,
        out=ExpectationOut,
        create_in=ExpectationIn,
        update_in=crud.patch_schema(ExpectationIn, name="ExpectationPatch"),
        filters=ExpectationFilters,
        select=growth_selectors.expectation_list,
        create=services.expectation.create,
        update=services.expectation.update,
        delete=services.expectation.delete,
        ordering=("id", "created_at", "updated_at"),
        default_ordering="level__rank",
        refs={"level_id": ("level", CareerLevel), "competency_id": ("competency", Competency)},
    ),
)

ROUTERS = {
    "/career-levels": career_levels,
    "/competencies": competencies,
    "/expectations": expectations,
}
