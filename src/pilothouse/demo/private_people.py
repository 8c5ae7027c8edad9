"""The demo's people who are not announced yet (`private`): new hires who start within
weeks, and people about to leave; about one in a hundred, at least two.

They are junior PMs without reports who lead no product, chosen once the rest of the
organization exists so that nothing public gives them away: preferably people on no
delivery team, and a new hire's product areas and features (which the roadmap stage
dealt to every PM of a product) go to their product's lead. A new hire was filed a few
days ago, when the offer was signed; their login is ready for day one.

Runs from its own random stream; the rows are changed with a few updates.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from pilothouse.core.models import User
from pilothouse.delivery.models import TeamMember
from pilothouse.demo.people import Member, Org
from pilothouse.demo.portfolio import Portfolio
from pilothouse.people.models import Level, Person
from pilothouse.portfolio.models import ProductArea
from pilothouse.roadmap.models import Feature

PRIVATE_SHARE = 0.01


@dataclass(frozen=True)
class Details:
    """Who is private, for the stages that follow."""

    unannounced: list[Member]  # hired, starting soon, not announced yet
    leaving: list[Member]  # leaving soon, not announced yet


def keep_private(*, org: Org, portfolio: Portfolio, today: dt.date, seed: int) -> Details:
    rng = random.Random(f"private-people-{seed}")
    members = set(TeamMember.objects.values_list("person_id", flat=True))
    managers = set(Person.objects.exclude(manager=None).values_list("manager_id", flat=True))
    candidates = [
        (member.person.pk in members, member.person.email, member, demo)
        for demo in portfolio.products
        for member in demo.members
        if member is not demo.lead
        and member.level in (Level.PM, Level.ASSOCIATE_PM)
        and member.person.pk not in managers
    ]
    count = min(len(candidates), max(2, round(len(org.people) * PRIVATE_SHARE)))
    rng.shuffle(candidates)
    candidates.sort(key=lambda c: c[0])  # people on no delivery team first
    chosen = sorted(candidates[:count], key=lambda c: c[1])
    unannounced, leaving = chosen[::2], chosen[1::2]
    for _on_team, _email, member, demo in unannounced:
        _hire(member, lead=demo.lead, today=today, rng=rng)
    Person.objects.filter(pk__in=[c[2].person.pk for c in leaving]).update(private=True)
    for _on_team, _email, member, _demo in leaving:
        member.person.private = True
    return Details(unannounced=[c[2] for c in unannounced], leaving=[c[2] for c in leaving])


def _hire(member: Member, *, lead: Member, today: dt.date, rng: random.Random) -> None:
    person, user = member.person, member.user
    person.private = True
    person.start_date = today + dt.timedelta(days=rng.randint(18, 45))
    filed = dt.datetime.combine(
        today - dt.timedelta(days=rng.randint(3, 12)), dt.time(10, 30), tzinfo=dt.UTC
    )
    person.created_at = person.updated_at = user.date_joined = filed
    Person.objects.filter(pk=person.pk).update(
        private=True, start_date=person.start_date, created_at=filed, updated_at=filed
    )
    User.objects.filter(pk=user.pk).update(date_joined=filed)
    for model in (ProductArea, Feature):
        for name in ("owner", "created_by", "updated_by"):
            model.objects.filter(**{name: user}).update(**{name: lead.user})
