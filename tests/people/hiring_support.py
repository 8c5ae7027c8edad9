"""Builders of the coverage and hiring tests: owners with a person record, open roles,
and one login of each role with the people records that make a product manager someone's
manager (for the privacy of private people records)."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pilothouse.core.models import User
from pilothouse.core.roles import Role
from pilothouse.people.models import CareerLevel, Level, OpenRole, Person
from tests.factories import PersonFactory, UserFactory

_serial = itertools.count(1)
ROLE_NAMES = ["admin", "product_leader", "product_manager", "contributor", "viewer"]
SEES_BUDGET = {"admin", "product_leader"}


def owner(name: str, *, role: str = Role.PRODUCT_MANAGER, private: bool = False, **person):
    """A login with its person record named `name`."""
    user = UserFactory(username=f"{name.split()[0].lower()}{next(_serial)}", role=role)
    PersonFactory(name=name, user=user, private=private, **person)
    return user


def level(key: str = Level.PM) -> CareerLevel:
    return CareerLevel.objects.get(key=key)


def make_role(**fields: Any) -> OpenRole:
    """An open role written directly (tests of the writes go through people.hiring)."""
    values: dict[str, Any] = {
        "title": f"Role {next(_serial)}",
        "level": level(),
    }
    values.update(fields)
    if values.get("budget_per_year") is not None and not values.get("budget_currency"):
        values["budget_currency"] = "EUR"
    return OpenRole.objects.create(**values)


@dataclass
class Staff:
    """One login of each role; the product manager manages `report`."""

    admin: User
    product_leader: User
    product_manager: User
    contributor: User
    viewer: User
    manager: Person  # the product manager's person record
    report: Person

    def of(self, role: str) -> User:
        return getattr(self, role)


def build_staff() -> Staff:
    users = {name: UserFactory(username=f"staff-{name}", role=name) for name in ROLE_NAMES}
    manager = PersonFactory(name="Mona Manager", user=users["product_manager"])
    report = PersonFactory(name="Rex Report", manager=manager)
    return Staff(**users, manager=manager, report=report)


def quarter_start(year: int, quarter: int) -> dt.date:
    return dt.date(year, 3 * quarter - 2, 1)


BUDGET = Decimal("150000.00")
