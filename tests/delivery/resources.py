"""Delivery's rows of the API test matrices (tests/api/resources.py).

Teams are created by product leaders and admins; the world's product manager changes
a team working on the product they look after, and creates and changes its members,
capacity periods and work items. Assigning a feature is for whoever may change the
feature. Time off belongs with the people records: product leaders and admins only.

tests/api/resources.py imports this module after defining Spec and World; import the
rows through it (`from tests.api.resources import SPECS`), not from here.
"""

from __future__ import annotations

import datetime as dt
import itertools

from pilothouse.delivery import workdays
from pilothouse.delivery.models import (
    CapacityPeriod,
    FeatureAssignment,
    Team,
    TeamMember,
    TimeOff,
    WorkItem,
)
from tests.api.resources import Spec, World
from tests.factories import FeatureFactory, PersonFactory

_serial = itertools.count(1)


def portfolio_wide(role: str, method: str) -> bool:
    return role in {"admin", "product_leader"}


def make_team(w: World, **fields) -> Team:
    team = Team.objects.create(name=f"Team {next(_serial)}", description="Builds", **fields)
    team.products.add(w.product)
    return team


def filter_teams(w: World) -> tuple[dict, list[int]]:
    team = Team.objects.create(name=f"Other {next(_serial)}")
    team.products.add(w.other_product)
    found = Team.objects.filter(products=w.other_product).values_list("pk", flat=True)
    return {"product_id": w.other_product.pk}, list(found)


def make_member(w: World) -> TeamMember:
    return TeamMember.objects.create(team=make_team(w), person=PersonFactory(), allocation=60)


def filter_members(w: World) -> tuple[dict, list[int]]:
    person = PersonFactory()
    member = TeamMember.objects.create(team=make_team(w), person=person, allocation=40)
    return {"person_id": person.pk}, [member.pk]


def make_time_off(w: World) -> TimeOff:
    return TimeOff.objects.create(
        person=PersonFactory(), start=dt.date(2026, 7, 6), end=dt.date(2026, 7, 17)
    )


def filter_time_off(w: World) -> tuple[dict, list[int]]:
    person = PersonFactory()
    away = TimeOff.objects.create(
        person=person, start=dt.date(2027, 1, 4), end=dt.date(2027, 1, 8), note="Ski"
    )
    return {"person_id": person.pk}, [away.pk]


def make_period(w: World, *, team: Team | None = None, start=dt.date(2026, 7, 1)):
    return CapacityPeriod.objects.create(
        team=team or make_team(w),
        granularity="quarter",
        start=start,
        end=workdays.period_end(start, "quarter"),
    )


def filter_periods(w: World) -> tuple[dict, list[int]]:
    team = make_team(w)
    period = make_period(w, team=team, start=dt.date(2027, 1, 1))
    return {"team_id": team.pk}, [period.pk]


def make_assignment(w: World) -> FeatureAssignment:
    feature = FeatureFactory(product=w.product, effort_low=2, effort_high=4)
    return FeatureAssignment.objects.create(
        feature=feature, team=make_team(w), queue_rank=next(_serial)
    )


def filter_assignments(w: World) -> tuple[dict, list[int]]:
    team = make_team(w)
    assignment = FeatureAssignment.objects.create(
        feature=FeatureFactory(product=w.product), team=team
    )
    return {"team_id": team.pk}, [assignment.pk]


def make_work_item(w: World) -> WorkItem:
    return WorkItem.objects.create(
        team=make_team(w),
        title=f"Ticket {next(_serial)}",
        completed_on=dt.date(2026, 3, 1) + dt.timedelta(days=next(_serial) % 50),
    )


def filter_work_items(w: World) -> tuple[dict, list[int]]:
    team = make_team(w)
    item = WorkItem.objects.create(
        team=team, title="Imported", completed_on=dt.date(2026, 2, 3), source="jira"
    )
    return {"team_id": team.pk}, [item.pk]


DELIVERY_SPECS: list[Spec] = [
    Spec(
        path="/teams",
        model=Team,
        make=make_team,
        create=lambda w: {
            "name": f"Checkout squad {next(_serial)}",
            "description": "Owns the checkout",
            "product_ids": [w.product.pk],
            "lead_id": w.person.pk,
        },
        patch={"description": "Owns checkout and wallets"},
        bad_type=("product_ids", "checkout"),
        required="name",
        unknown_ref="lead_id",
        too_long=("name", 120),
        invalid=lambda w: ({"name": ""}, "name"),
        filter_case=filter_teams,
        order_field="name",
        protect=None,
        pm_creates=False,
        pm_changes=True,
    ),
    Spec(
        path="/team-members",
        model=TeamMember,
        make=make_member,
        create=lambda w: {
            "team_id": make_team(w).pk,
            "person_id": PersonFactory().pk,
            "allocation": 50,
        },
        patch={"allocation": 80},
        bad_type=("allocation", "half"),
        required="person_id",
        unknown_ref="team_id",
        too_long=("role", 60),
        invalid=lambda w: (
            {"team_id": make_team(w).pk, "person_id": w.person.pk, "allocation": 120},
            "allocation",
        ),
        filter_case=filter_members,
        order_field="allocation",
        pm_creates=True,
        pm_changes=True,
    ),
    Spec(
        path="/time-off",
        model=TimeOff,
        make=make_time_off,
        create=lambda w: {
            "person_id": w.person.pk,
            "start": "2026-08-03",
            "end": "2026-08-14",
            "note": "Summer",
        },
        patch={"end": "2026-08-21"},
        bad_type=("start", "monday"),
        required="end",
        unknown_ref="person_id",
        too_long=("note", 200),
        invalid=lambda w: (
            {"person_id": w.person.pk, "start": "2026-08-14", "end": "2026-08-03"},
            "end",
        ),
        filter_case=filter_time_off,
        order_field="start",
        pm_creates=False,
        pm_changes=False,
        allowed=portfolio_wide,
    ),
    Spec(
        path="/capacity-periods",
        model=CapacityPeriod,
        make=make_period,
        create=lambda w: {
            "team_id": make_team(w).pk,
            "granularity": "quarter",
            "start": "2026-10-01",
            "person_weeks": "38.0",
        },
        patch={"person_weeks": "41.5"},
        bad_type=("start", "autumn"),
        required="start",
        unknown_ref="team_id",
        too_long=("note", 200),
        invalid=lambda w: (
            {"team_id": make_team(w).pk, "granularity": "quarter", "start": "2026-11-01"},
            "start",
        ),
        filter_case=filter_periods,
        order_field="start",
        pm_creates=True,
        pm_changes=True,
    ),
    Spec(
        path="/feature-assignments",
        model=FeatureAssignment,
        make=make_assignment,
        create=lambda w: {
            "feature_id": FeatureFactory(product=w.product).pk,
            "team_id": make_team(w).pk,
        },
        patch={"queue_rank": 5.5},
        bad_type=("queue_rank", "first"),
        required="feature_id",
        unknown_ref="team_id",
        too_long=("note", 200),
        invalid=lambda w: (
            {"feature_id": make_assignment(w).feature_id, "team_id": make_team(w).pk},
            "feature_id",
        ),
        filter_case=filter_assignments,
        order_field="queue_rank",
        pm_creates=True,
        pm_changes=True,
    ),
    Spec(
        path="/work-items",
        model=WorkItem,
        make=make_work_item,
        create=lambda w: {
            "team_id": make_team(w).pk,
            "title": "Refund button",
            "completed_on": "2026-04-02",
            "external_id": "PAY-12",
            "source": "manual",
        },
        patch={"title": "Refund button (web)"},
        bad_type=("completed_on", "yesterday"),
        required="completed_on",
        unknown_ref="team_id",
        too_long=("title", 200),
        invalid=lambda w: (
            {
                "team_id": make_team(w).pk,
                "title": "Odd",
                "completed_on": "2026-04-02",
                "source": "Jira Cloud!",
            },
            "source",
        ),
        filter_case=filter_work_items,
        order_field="completed_on",
        pm_creates=True,
        pm_changes=True,
    ),
]
