"""A small product team with one person's private records, for the page tests.

    Grace (PM role, director)        Oren (leader's own record, no reports)
    ├── Mona (PM role, Pia's manager)
    │   ├── Pia (PM role): cost, an assessment, a growth plan, a one-to-one with Mona
    │   └── Cora (contributor)
    └── Uma (PM role, unrelated to Pia)

plus an admin, a product leader and a viewer with no Person record. Every private value
holds a marker string (SECRETS) so a test can assert it is absent from a page or a file.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from pilothouse.core.models import User
from pilothouse.core.roles import Role
from pilothouse.people import services
from pilothouse.people.models import (
    Assessment,
    Competency,
    GrowthPlan,
    Level,
    OneOnOne,
    Person,
    Rating,
)
from tests.factories import PersonFactory, UserFactory

COST = Decimal("187654.32")
SECRETS = {
    "cost": "187,654.32",  # as the person page shows it
    "assessment": "Assessment-marker: ships reliably",
    "evidence": "Evidence-marker: ran the pricing study",
    "plan": "Plan-marker: grow into senior",
    "goal": "Goal-marker: own the metric tree",
    "check_in": "Check-in-marker: good progress",
    "one_on_one": "One-to-one-marker: talked about scope",
    "action": "Action-marker: draft the strategy memo",
}


@dataclass
class GrowthWorld:
    admin: User
    leader: User
    grace: Person
    mona: Person
    pia: Person
    cora: Person
    uma: Person
    viewer: User
    assessment: Assessment
    plan: GrowthPlan
    one_on_one: OneOnOne

    def user(self, role_name: str) -> User:
        """The login of one of the matrix's roles."""
        return {
            "admin": self.admin,
            "product leader": self.leader,
            "the person": self.pia.user,
            "their manager": self.mona.user,
            "the manager's manager": self.grace.user,
            "an unrelated PM": self.uma.user,
            "a contributor": self.cora.user,
            "a viewer": self.viewer,
        }[role_name]


ROLES_WHO_SEE = ["admin", "product leader", "the person", "their manager", "the manager's manager"]
ROLES_WHO_DO_NOT = ["an unrelated PM", "a contributor", "a viewer"]


def _member(name: str, role: str, *, manager: Person | None, level: str | None) -> Person:
    user = UserFactory(username=name.lower(), role=role, first_name=name)
    return PersonFactory(
        name=f"{name} Example",
        email=f"{name.lower()}@example.com",
        user=user,
        manager=manager,
        level_id=level,
        job_title=f"{name}'s title",
    )


def build_growth_world() -> GrowthWorld:
    admin = UserFactory(username="root", role=Role.ADMIN)
    leader = UserFactory(username="lead", role=Role.PRODUCT_LEADER)
    viewer = UserFactory(username="vic", role=Role.VIEWER)
    grace = _member("Grace", Role.PRODUCT_MANAGER, manager=None, level=Level.DIRECTOR)
    mona = _member("Mona", Role.PRODUCT_MANAGER, manager=grace, level=Level.GROUP_PM)
    pia = _member("Pia", Role.PRODUCT_MANAGER, manager=mona, level=Level.PM)
    cora = _member("Cora", Role.CONTRIBUTOR, manager=mona, level=None)
    uma = _member("Uma", Role.PRODUCT_MANAGER, manager=grace, level=Level.SENIOR_PM)
    services.person.update(
        actor=None,
        instance=pia,
        version=pia.version,
        data={"cost_per_year": COST, "cost_currency": "EUR", "location": "Lisbon"},
    )
    pia.refresh_from_db()

    assessment = services.assessment.create(
        actor=None,
        data={
            "person": pia,
            "level": pia.level,
            "period": "2026 H1",
            "assessed_on": dt.date(2026, 6, 30),
            "assessor": mona,
            "summary": SECRETS["assessment"],
        },
    )
    for competency in Competency.objects.order_by("position"):
        services.assessment_rating.create(
            actor=None,
            data={
                "assessment": assessment,
                "competency": competency,
                "rating": Rating.EXCEEDS if competency.key != "analytics" else Rating.MEETS,
                "evidence": SECRETS["evidence"] if competency.key == "discovery" else "",
            },
        )
    plan = services.growth_plan.create(
        actor=None,
        data={
            "person": pia,
            "title": SECRETS["plan"],
            "start": dt.date(2026, 7, 1),
            "summary": "",
        },
    )
    services.growth_goal.create(actor=None, data={"plan": plan, "description": SECRETS["goal"]})
    services.check_in.create(
        actor=None,
        data={"plan": plan, "held_on": dt.date(2026, 8, 1), "notes": SECRETS["check_in"]},
    )
    meeting = services.one_on_one.create(
        actor=None,
        data={
            "person": pia,
            "with_person": mona,
            "held_on": dt.date(2026, 8, 3),
            "notes": SECRETS["one_on_one"],
        },
    )
    services.action_item.create(
        actor=None, data={"one_on_one": meeting, "text": SECRETS["action"], "owner": pia}
    )
    return GrowthWorld(
        admin=admin,
        leader=leader,
        grace=grace,
        mona=mona,
        pia=pia,
        cora=cora,
        uma=uma,
        viewer=viewer,
        assessment=assessment,
        plan=plan,
        one_on_one=meeting,
    )
