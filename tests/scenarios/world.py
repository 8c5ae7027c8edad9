"""A small plan checked by hand: one product, two releases, one team with 10
person-weeks a quarter in Q1 and Q2 2027, three features, and "today" 15 January 2027.

- f1 (4-6 weeks, release R1 on 31 March): delivered in Q1;
- f2 (8 weeks, in the "next" column): delivered in Q2;
- f3 (6-10 weeks, not scheduled): delivered in no period.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pilothouse.delivery import services as delivery_services
from pilothouse.delivery.models import FeatureAssignment, Team, WorkItem
from pilothouse.prioritization.models import ScoringModel
from pilothouse.roadmap.models import Feature, Release
from pilothouse.scenarios import services
from pilothouse.scenarios.models import Scenario
from tests.factories import FeatureFactory, ProductFactory, ReleaseFactory
from tests.prioritization.factories import CustomModelFactory, ScoringModelFactory

TODAY = dt.date(2027, 1, 15)
Q1, Q2 = dt.date(2027, 1, 1), dt.date(2027, 4, 1)


@dataclass
class World:
    team: Team
    r1: Release
    r2: Release
    f1: Feature
    f2: Feature
    f3: Feature
    scenario: Scenario


def build(*, weekly_items: int = 1) -> World:
    product = ProductFactory(name="Checkout")
    r1 = ReleaseFactory(product=product, name="R1", target_date=dt.date(2027, 3, 31))
    r2 = ReleaseFactory(product=product, name="R2", target_date=dt.date(2027, 6, 30))
    team = Team.objects.create(name="Payments")
    for start in (Q1, Q2):
        delivery_services.capacity_period.create(
            actor=None,
            data={"team": team, "granularity": "quarter", "start": start, "person_weeks": 10},
        )
    f1 = FeatureFactory(
        product=product, title="F1", effort_low=4, effort_high=6, target_release=r1, stage="planned"
    )
    f2 = FeatureFactory(
        product=product, title="F2", effort_low=8, effort_high=8, horizon="next", stage="planned"
    )
    f3 = FeatureFactory(product=product, title="F3", effort_low=6, effort_high=10, stage="idea")
    for rank, feature in enumerate((f1, f2, f3)):
        FeatureAssignment.objects.create(feature=feature, team=team, queue_rank=rank)
    # A steady pace: `weekly_items` items every week of the 26 before today's week.
    monday = TODAY - dt.timedelta(days=TODAY.weekday())
    for week in range(1, 27):
        for n in range(weekly_items):
            WorkItem.objects.create(
                team=team, title=f"w{week}.{n}", completed_on=monday - dt.timedelta(weeks=week)
            )
    scenario = services.scenario.create(
        actor=None,
        data={"name": "What if", "granularity": "quarter", "first_period": Q1, "period_count": 2},
    )
    return World(team=team, r1=r1, r2=r2, f1=f1, f2=f2, f3=f3, scenario=scenario)


def scoring_model(*, live: bool) -> ScoringModel:
    """A model whose scores are stored (RICE), or a live one: its formula reads a
    feature's high estimate, so its scores are computed when read."""
    if not live:
        return ScoringModelFactory()
    return CustomModelFactory(
        formula="value * effort_high",
        input_fields=[{"name": "value", "label": "Value", "min": 1, "max": 10, "help": ""}],
    )
