"""A small organization for the web tests: two product lines, each looked after by its
own product manager, with one of everything in each, plus the five kinds of user."""

from __future__ import annotations

from dataclasses import dataclass

from pilothouse.core.models import User
from pilothouse.core.roles import Role
from pilothouse.people.models import Person
from pilothouse.portfolio.models import Product, ProductArea, ProductLine
from pilothouse.roadmap.models import Feature, Release
from pilothouse.strategy.models import Initiative, KeyResult, Objective, ObjectiveScope
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


@dataclass
class Holdings:
    """What one product manager looks after (or what they do not, for the other one)."""

    line: ProductLine
    product: Product
    area: ProductArea
    feature: Feature
    release: Release
    objective: Objective
    key_result: KeyResult
    initiative: Initiative


@dataclass
class World:
    admin: User
    leader: User
    pm: User
    other_pm: User
    contributor: User
    viewer: User
    mine: Holdings  # looked after by `pm`
    theirs: Holdings  # looked after by `other_pm`
    person: Person
    manager: Person

    def user(self, role: str) -> User:
        return {
            "admin": self.admin,
            "product_leader": self.leader,
            "product_manager": self.pm,
            "contributor": self.contributor,
            "viewer": self.viewer,
        }[role]


def _holdings(owner: User, key: str) -> Holdings:
    line = ProductLineFactory(name=f"{key} line", owner=owner)
    product = ProductFactory(name=f"{key} product", key=key, product_line=line)
    objective = ObjectiveFactory(
        title=f"{key} objective", scope=ObjectiveScope.PRODUCT, product=product, owner=owner
    )
    return Holdings(
        line=line,
        product=product,
        area=ProductAreaFactory(name=f"{key} area", product=product),
        feature=FeatureFactory(title=f"{key} feature", product=product),
        release=ReleaseFactory(name=f"{key} 1.0", product=product),
        objective=objective,
        key_result=KeyResultFactory(objective=objective, title=f"{key} key result"),
        initiative=InitiativeFactory(title=f"{key} initiative", owner=owner),
    )


def build_world() -> World:
    pm = UserFactory(username="pm", role=Role.PRODUCT_MANAGER, first_name="Pat")
    other_pm = UserFactory(username="otherpm", role=Role.PRODUCT_MANAGER)
    manager = PersonFactory(name="Morgan Manager")
    return World(
        admin=UserFactory(username="admin", role=Role.ADMIN),
        leader=UserFactory(username="leader", role=Role.PRODUCT_LEADER),
        pm=pm,
        other_pm=other_pm,
        contributor=UserFactory(username="contributor", role=Role.CONTRIBUTOR),
        viewer=UserFactory(username="viewer", role=Role.VIEWER),
        mine=_holdings(pm, "MINE"),
        theirs=_holdings(other_pm, "THEIRS"),
        person=PersonFactory(name="Robin Report", manager=manager),
        manager=manager,
    )
