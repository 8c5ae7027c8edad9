"""A small roadmap for the tests of the roadmap views: dated features in two products,
a dependency that conflicts, milestones, and a board."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from pilothouse.portfolio.models import Product
from pilothouse.roadmap.models import Dependency, Feature, FeatureTag, Milestone, Release
from pilothouse.strategy.models import Initiative, Objective
from tests.factories import (
    FeatureFactory,
    InitiativeFactory,
    ObjectiveFactory,
    ProductFactory,
    ReleaseFactory,
    UserFactory,
)


def days(n: int) -> dt.date:
    """A day `n` days from today (before it if negative)."""
    return timezone.localdate() + dt.timedelta(days=n)


@dataclass
class Roadmap:
    pay: Product
    crm: Product
    soon: Release  # Pay, in 20 days
    later: Release  # Pay, in 60 days
    crm_release: Release  # Crm, in 30 days
    objective: Objective
    initiative: Initiative
    tag: FeatureTag
    running: Feature  # Pay: started 10 days ago, in `soon`: a window
    waiting: Feature  # Pay: only a release date (`later`); blocks `running`
    open_ended: Feature  # Crm: started 5 days ago, no end date
    crm_planned: Feature  # Crm: in `crm_release`, owned by ana
    undated: Feature  # Crm: no dates at all: not on the timeline
    conference: Milestone  # every product, in 15 days
    pay_audit: Milestone  # Pay only, in 40 days


def build_roadmap() -> Roadmap:
    ana = UserFactory(username="ana", first_name="Ana", last_name="Alves")
    pay = ProductFactory(name="Pay", key="PAY")
    crm = ProductFactory(name="Crm", key="CRM")
    soon = ReleaseFactory(product=pay, name="Pay 1", target_date=days(20))
    later = ReleaseFactory(product=pay, name="Pay 2", target_date=days(60))
    crm_release = ReleaseFactory(product=crm, name="Crm 1", target_date=days(30))
    objective = ObjectiveFactory(title="Grow payments")
    initiative = InitiativeFactory(title="Checkout bet")
    tag = FeatureTag.objects.create(name="compliance")
    running = FeatureFactory(
        title="Apple Pay",
        product=pay,
        stage="in_progress",
        started_on=days(-10),
        target_release=soon,
        horizon="now",
        horizon_rank=0,
        initiative=initiative,
    )
    running.objectives.add(objective)
    waiting = FeatureFactory(
        title="Bank transfer",
        product=pay,
        stage="planned",
        target_release=later,
        horizon="next",
        horizon_rank=0,
    )
    waiting.tags.add(tag)
    open_ended = FeatureFactory(
        title="Contacts import",
        product=crm,
        stage="in_progress",
        started_on=days(-5),
        horizon="now",
        horizon_rank=1024,
    )
    crm_planned = FeatureFactory(
        title="Deduplication",
        product=crm,
        stage="planned",
        owner=ana,
        target_release=crm_release,
        horizon="later",
    )
    undated = FeatureFactory(title="Dark mode", product=crm, stage="candidate")
    # Apple Pay ships in 20 days but waits for Bank transfer, which ships in 60.
    Dependency.objects.create(blocker=waiting, blocked=running)
    conference = Milestone.objects.create(name="User conference", date=days(15))
    pay_audit = Milestone.objects.create(name="Pay audit", date=days(40))
    pay_audit.products.add(pay)
    return Roadmap(
        pay=pay,
        crm=crm,
        soon=soon,
        later=later,
        crm_release=crm_release,
        objective=objective,
        initiative=initiative,
        tag=tag,
        running=running,
        waiting=waiting,
        open_ended=open_ended,
        crm_planned=crm_planned,
        undated=undated,
        conference=conference,
        pay_audit=pay_audit,
    )
