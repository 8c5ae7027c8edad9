"""The table the API test matrices run over: one row per REST resource.

Each row says how to make one object (with its relations filled), a valid create
body and patch, and the ways a body can be wrong with the field the error must
name. Everything is built inside `World`, where the product manager `pm` owns the
product line, so stewards every object under it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models

from pilothouse.core.models import User
from pilothouse.people.models import Level, Person
from pilothouse.portfolio.models import LifecycleStage, Product, ProductArea, ProductLine
from pilothouse.roadmap.models import Feature, FeatureStage, Release
from pilothouse.strategy.models import (
    Initiative,
    InitiativeStatus,
    KeyResult,
    Objective,
    ObjectiveScope,
)
from tests.factories import (
    FeatureFactory,
    InitiativeFactory,
    KeyResultFactory,
    ObjectiveFactory,
    PersonFactory,
    ProductAreaFactory,
    ProductFactory,
    ProductLineFactory,
    ReleaseFactory,
    UserFactory,
)

UNKNOWN_ID = 987_654


@dataclass(frozen=True, kw_only=True)
class World:
    pm: User
    line: ProductLine
    product: Product
    area: ProductArea
    release: Release
    objective: Objective
    key_result: KeyResult
    initiative: Initiative
    feature: Feature
    person: Person
    other_line: ProductLine
    other_product: Product


def build_world(pm: User) -> World:
    line = ProductLineFactory(owner=pm, name="Payments")
    product = ProductFactory(product_line=line, name="Checkout", key="CHK")
    area = ProductAreaFactory(product=product, name="Wallets")
    release = ReleaseFactory(product=product, name="2026.2", target_date=dt.date(2026, 6, 30))
    objective = ObjectiveFactory(scope=ObjectiveScope.PRODUCT, product=product, title="Convert")
    key_result = KeyResultFactory(objective=objective)
    initiative = InitiativeFactory(owner=pm, title="One click")
    initiative.objectives.add(objective)
    feature = FeatureFactory(
        product=product, area=area, initiative=initiative, target_release=release
    )
    feature.objectives.add(objective)
    other_line = ProductLineFactory(name="Growth")
    return World(
        pm=pm,
        line=line,
        product=product,
        area=area,
        release=release,
        objective=objective,
        key_result=key_result,
        initiative=initiative,
        feature=feature,
        person=PersonFactory(name="Grace Manager"),
        other_line=other_line,
        other_product=ProductFactory(product_line=other_line, key="OTH"),
    )


# --- how to make one object of each resource, relations filled ------------------------


def make_product_line(w: World) -> ProductLine:
    return ProductLineFactory(owner=w.pm, description="A line")


def make_product(w: World) -> Product:
    return ProductFactory(product_line=w.line, owner=w.pm, arr=1000)


def make_area(w: World) -> ProductArea:
    return ProductAreaFactory(product=w.product, owner=w.pm)


def make_objective(w: World) -> Objective:
    return ObjectiveFactory(
        scope=ObjectiveScope.PRODUCT, product=w.product, owner=w.pm, parent=w.objective
    )


def make_key_result(w: World) -> KeyResult:
    return KeyResultFactory(objective=w.objective, unit="%")


def make_initiative(w: World) -> Initiative:
    initiative = InitiativeFactory(owner=w.pm, start_date=dt.date(2026, 1, 1))
    initiative.objectives.add(w.objective)
    return initiative


def make_feature(w: World) -> Feature:
    feature = FeatureFactory(
        product=w.product,
        area=w.area,
        initiative=w.initiative,
        owner=w.pm,
        target_release=w.release,
        description="Some *markdown*",
    )
    feature.objectives.add(w.objective)
    return feature


def make_release(w: World) -> Release:
    release = ReleaseFactory(product=w.product, target_date=dt.date(2026, 9, 30))
    FeatureFactory(product=w.product, target_release=release)
    return release


def make_person(w: World) -> Person:
    return PersonFactory(manager=w.person, user=UserFactory(), level_id=Level.PM, job_title="PM")


# --- filter cases: (query params, the ids the list must answer) -----------------------


def filter_product_lines(w: World) -> tuple[dict, list[int]]:
    line = ProductLineFactory(name=f"Zeta platform {ProductLine.objects.count()}")
    return {"q": "zeta"}, [line.pk]


def filter_products(w: World) -> tuple[dict, list[int]]:
    product = ProductFactory(product_line=w.other_line, stage=LifecycleStage.GROWTH)
    return {"stage": "growth"}, [product.pk]


def filter_areas(w: World) -> tuple[dict, list[int]]:
    area = ProductAreaFactory(product=w.other_product)
    return {"product_id": w.other_product.pk}, [area.pk]


def filter_objectives(w: World) -> tuple[dict, list[int]]:
    company = ObjectiveFactory(scope=ObjectiveScope.COMPANY)
    return {"scope": "company"}, [company.pk]


def filter_key_results(w: World) -> tuple[dict, list[int]]:
    objective = ObjectiveFactory()
    key_result = KeyResultFactory(objective=objective)
    return {"objective_id": objective.pk}, [key_result.pk]


def filter_initiatives(w: World) -> tuple[dict, list[int]]:
    objective = ObjectiveFactory()
    initiative = InitiativeFactory()
    initiative.objectives.add(objective)
    return {"objective_id": objective.pk}, [initiative.pk]


def filter_features(w: World) -> tuple[dict, list[int]]:
    objective = ObjectiveFactory()
    feature = FeatureFactory(product=w.product)
    feature.objectives.add(objective, w.objective)
    return {"objective_id": objective.pk}, [feature.pk]


def filter_releases(w: World) -> tuple[dict, list[int]]:
    late = ReleaseFactory(product=w.product, target_date=dt.date(2027, 3, 1))
    return {"target_after": "2027-01-01"}, [late.pk]


def filter_people(w: World) -> tuple[dict, list[int]]:
    boss = PersonFactory(level_id=Level.DIRECTOR)
    report = PersonFactory(manager=boss)
    return {"manager_id": boss.pk}, [report.pk]


@dataclass(frozen=True, kw_only=True)
class Spec:
    path: str
    model: type[models.Model]
    make: Callable[[World], models.Model]
    create: Callable[[World], dict[str, Any]]
    patch: dict[str, Any]
    # A value pydantic refuses, a required field to leave out, a field holding ids,
    # a string field and its maximum length (None: no text of the resource is bounded).
    bad_type: tuple[str, Any]
    required: str
    unknown_ref: str | None  # None: the resource refers to nothing by id
    too_long: tuple[str, int] | None
    # A body with the right types that the model refuses, and the field named.
    invalid: Callable[[World], tuple[dict[str, Any], str]]
    filter_case: Callable[[World], tuple[dict[str, Any], list[int]]]
    order_field: str
    # Makes another object refer to this one so that deleting it must be refused.
    protect: Callable[[models.Model], Any] | None = None
    # Whether the world's product manager may create this (under what they steward)
    # and change the objects `make` builds.
    pm_creates: bool
    pm_changes: bool
    # For resources whose rules are not stewardship: (matrix role, method) -> allowed.
    allowed: Callable[[str, str], bool] | None = None
    # Private records (people.privacy): the objects `make` builds are about a report of
    # the world's product manager, so only they, product leaders and admins see them;
    # to anyone else they are not listed and answer 404.
    private: bool = False
    # The API field naming the private record a new one hangs under (a goal's plan_id):
    # to whoever may not see that record, its id is unknown (422), not forbidden.
    private_parent: str | None = None

    @property
    def id(self) -> str:
        return self.path.strip("/")

    def unknown_ref_value(self) -> Any:
        return [UNKNOWN_ID] if self.unknown_ref.endswith("_ids") else UNKNOWN_ID


SPECS: list[Spec] = [
    Spec(
        path="/product-lines",
        model=ProductLine,
        make=make_product_line,
        create=lambda w: {"name": "Platform", "description": "Shared", "owner_id": w.pm.pk},
        patch={"description": "All shared services"},
        bad_type=("owner_id", "somebody"),
        required="name",
        unknown_ref="owner_id",
        too_long=("name", 120),
        invalid=lambda w: ({"name": w.line.name}, "name"),
        filter_case=filter_product_lines,
        order_field="name",
        protect=lambda line: ProductFactory(product_line=line),
        pm_creates=False,
        pm_changes=True,
    ),
    Spec(
        path="/products",
        model=Product,
        make=make_product,
        create=lambda w: {
            "name": "Invoicing",
            "key": "INV",
            "product_line_id": w.line.pk,
            "description": "Bills",
            "stage": "build",
            "kind": "platform",
            "owner_id": w.pm.pk,
            "arr": "1250.50",
        },
        patch={"name": "Invoicing 2", "stage": "growth"},
        bad_type=("arr", "a lot"),
        required="key",
        unknown_ref="product_line_id",
        too_long=("name", 120),
        invalid=lambda w: ({"name": "Lower", "key": "lower", "product_line_id": w.line.pk}, "key"),
        filter_case=filter_products,
        order_field="key",
        protect=lambda product: FeatureFactory(product=product),
        pm_creates=True,
        pm_changes=True,
    ),
    Spec(
        path="/product-areas",
        model=ProductArea,
        make=make_area,
        create=lambda w: {"product_id": w.product.pk, "name": "Refunds", "owner_id": w.pm.pk},
        patch={"name": "Refunds and disputes"},
        bad_type=("product_id", "checkout"),
        required="product_id",
        unknown_ref="product_id",
        too_long=("name", 120),
        invalid=lambda w: ({"product_id": w.product.pk, "name": ""}, "name"),
        filter_case=filter_areas,
        order_field="name",
        pm_creates=True,
        pm_changes=True,
    ),
    Spec(
        path="/objectives",
        model=Objective,
        make=make_objective,
        create=lambda w: {
            "title": "Grow conversion",
            "scope": "product",
            "product_id": w.product.pk,
            "period": "2026-Q3",
            "owner_id": w.pm.pk,
            "parent_id": w.objective.pk,
            "status": "draft",
        },
        patch={"title": "Grow conversion a lot", "status": "achieved"},
        bad_type=("period", 2026),
        required="period",
        unknown_ref="parent_id",
        too_long=("title", 200),
        invalid=lambda w: ({"title": "Soon", "period": "2026-Q5"}, "period"),
        filter_case=filter_objectives,
        order_field="title",
        protect=lambda objective: ObjectiveFactory(parent=objective),
        pm_creates=True,
        pm_changes=True,
    ),
    Spec(
        path="/key-results",
        model=KeyResult,
        make=make_key_result,
        create=lambda w: {
            "objective_id": w.objective.pk,
            "title": "Activation rate",
            "unit": "%",
            "start_value": "10",
            "target_value": "40",
            "current_value": "20",
            "direction": "increase",
        },
        patch={"current_value": "50.5000", "title": "Activation"},
        bad_type=("target_value", "forty"),
        required="target_value",
        unknown_ref="objective_id",
        too_long=("title", 200),
        invalid=lambda w: (
            {"objective_id": w.objective.pk, "title": "Flat", "start_value": 5, "target_value": 5},
            "target_value",
        ),
        filter_case=filter_key_results,
        order_field="title",
        pm_creates=True,
        pm_changes=True,
    ),
    Spec(
        path="/initiatives",
        model=Initiative,
        make=make_initiative,
        create=lambda w: {
            "title": "Self-serve onboarding",
            "description": "Less sales touch",
            "owner_id": w.pm.pk,
            "status": "active",
            "objective_ids": [w.objective.pk],
            "start_date": "2026-01-01",
            "end_date": "2026-06-30",
        },
        patch={"status": InitiativeStatus.DONE.value, "end_date": "2026-12-31"},
        bad_type=("start_date", "soon"),
        required="title",
        unknown_ref="objective_ids",
        too_long=("title", 200),
        invalid=lambda w: (
            {"title": "Backwards", "start_date": "2026-05-01", "end_date": "2026-04-01"},
            "end_date",
        ),
        filter_case=filter_initiatives,
        order_field="title",
        pm_creates=False,
        pm_changes=True,
    ),
    Spec(
        path="/features",
        model=Feature,
        make=make_feature,
        create=lambda w: {
            "title": "Single sign-on",
            "description": "**SAML** and OIDC",
            "product_id": w.product.pk,
            "area_id": w.area.pk,
            "initiative_id": w.initiative.pk,
            "objective_ids": [w.objective.pk],
            "owner_id": w.pm.pk,
            "stage": "candidate",
            "effort_low": "2.0",
            "effort_high": "5.5",
            "target_release_id": w.release.pk,
        },
        patch={"title": "Single sign-on for all", "stage": FeatureStage.CANDIDATE.value},
        bad_type=("objective_ids", "1,2"),
        required="product_id",
        unknown_ref="target_release_id",
        too_long=("title", 200),
        invalid=lambda w: (
            {"title": "Odd", "product_id": w.product.pk, "effort_low": 8, "effort_high": 3},
            "effort_high",
        ),
        filter_case=filter_features,
        order_field="title",
        pm_creates=True,
        pm_changes=True,
    ),
    Spec(
        path="/releases",
        model=Release,
        make=make_release,
        create=lambda w: {
            "product_id": w.product.pk,
            "name": "2026.3",
            "target_date": "2026-09-01",
            "status": "in_progress",
            "notes": "Autumn",
        },
        patch={"name": "2026.3 autumn", "status": "released"},
        bad_type=("target_date", "tomorrow"),
        required="name",
        unknown_ref="product_id",
        too_long=("name", 120),
        invalid=lambda w: ({"product_id": w.product.pk, "name": ""}, "name"),
        filter_case=filter_releases,
        order_field="name",
        pm_creates=True,
        pm_changes=True,
    ),
    Spec(
        path="/people",
        model=Person,
        make=make_person,
        create=lambda w: {
            "name": "Ada Lovelace",
            "email": "ada@example.com",
            "job_title": "Senior PM",
            "level": "senior_pm",
            "manager_id": w.person.pk,
            "location": "Lisbon",
            "start_date": "2024-03-01",
            "employment_type": "part_time",
            "fte": "0.80",
            "cost_per_year": "150000.00",
            "cost_currency": "EUR",
            "private": False,
        },
        patch={"job_title": "Principal PM", "level": "principal_pm", "location": "Porto"},
        bad_type=("fte", "most"),
        required="name",
        unknown_ref="manager_id",
        too_long=("name", 120),
        invalid=lambda w: ({"name": "Nobody", "email": "not-an-address"}, "email"),
        filter_case=filter_people,
        order_field="name",
        pm_creates=False,
        pm_changes=False,
    ),
]

# The customer voice's resources (they need Spec and World, defined above).
from tests.customers.resources import CUSTOMER_SPECS  # noqa: E402

SPECS.extend(CUSTOMER_SPECS)

# Prioritization's scoring models (tests/prioritization/resources.py).
from tests.prioritization.resources import PRIORITIZATION_SPECS  # noqa: E402

SPECS.extend(PRIORITIZATION_SPECS)

# Milestones, feature tags and dependencies.
from tests.roadmap.resources import ROADMAP_SPECS  # noqa: E402

SPECS.extend(ROADMAP_SPECS)

# Teams, capacity and throughput (tests/delivery/resources.py).
from tests.delivery.resources import DELIVERY_SPECS  # noqa: E402

SPECS.extend(DELIVERY_SPECS)

# Scenarios and their changes (tests/scenarios/resources.py).
from tests.scenarios.resources import SCENARIO_SPECS  # noqa: E402

SPECS.extend(SCENARIO_SPECS)

# The metric catalog: metrics, values, targets, key results that follow a metric.
from tests.metrics.resources import METRIC_SPECS  # noqa: E402

SPECS.extend(METRIC_SPECS)

# The career ladder and the private growth records (tests/api/people_resources.py).
from tests.api.people_resources import PEOPLE_SPECS  # noqa: E402

SPECS.extend(PEOPLE_SPECS)

# The hiring plan's open roles (tests/people/hiring_resources.py).
from tests.people.hiring_resources import HIRING_SPECS  # noqa: E402

SPECS.extend(HIRING_SPECS)

# Allocations and exchange rates (tests/delivery/allocation_resources.py).
from tests.delivery.allocation_resources import ALLOCATION_SPECS  # noqa: E402

SPECS.extend(ALLOCATION_SPECS)

SPEC_IDS = [spec.id for spec in SPECS]
PROTECTED_SPECS = [spec for spec in SPECS if spec.protect is not None]
BOUNDED_SPECS = [spec for spec in SPECS if spec.too_long is not None]
