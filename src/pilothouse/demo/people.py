"""The demo organization's people: the product team as a management tree, their logins,
contributors and stakeholder viewers.

The tree: the CPO (whose login is the demo user) at the root, VPs under the CPO, one
director per product line under a VP, group PMs under the directors, and the
individual PMs (principal down to associate) under the group PMs, each working on one
product. Contributors (design, research, analytics, product operations) report to
their line's director or group PMs.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password

from pilothouse.core.models import User
from pilothouse.core.roles import Role
from pilothouse.demo.clock import Clock
from pilothouse.demo.scales import Scale, allocate
from pilothouse.demo.vocabulary import (
    COMPANY_DOMAIN,
    CONTRIBUTOR_TITLES,
    FIRST_NAMES,
    LAST_NAMES,
    LineSpec,
    ProductSpec,
)
from pilothouse.people.models import Level, Person

DEMO_USERNAME = "demo"

# Shares of the individual PMs per level (the rest of the ladder is fixed by the tree).
IC_LEVELS: tuple[tuple[str, float], ...] = (
    (Level.PRINCIPAL_PM, 0.08),
    (Level.SENIOR_PM, 0.28),
    (Level.PM, 0.44),
    (Level.ASSOCIATE_PM, 0.20),
)
SENIORITY = {level: rank for rank, level in enumerate(Level.values)}  # higher is more senior
IC_TITLES = {
    Level.PRINCIPAL_PM: "Principal Product Manager",
    Level.SENIOR_PM: "Senior Product Manager",
    Level.PM: "Product Manager",
    Level.ASSOCIATE_PM: "Associate Product Manager",
}
LEADER_LEVELS = frozenset({Level.CPO, Level.VP, Level.DIRECTOR})
# A group PM looks after about this many PMs.
GROUP_SIZE = 6


@dataclass
class Member:
    """A person of the product organization and their login."""

    person: Person
    user: User

    @property
    def level(self) -> str:
        return self.person.level_id


@dataclass
class LineTeam:
    line: LineSpec
    director: Member
    group_pms: list[Member] = field(default_factory=list)
    contributors: list[Member] = field(default_factory=list)
    # Product key -> the PMs working on it, most senior first.
    product_pms: dict[str, list[Member]] = field(default_factory=dict)
    # Product key -> the group PM it falls under.
    product_group_pm: dict[str, Member] = field(default_factory=dict)

    def product_lead(self, key: str) -> Member:
        """Who owns a product: its most senior PM (principal or senior), else its group PM."""
        pms = self.product_pms.get(key, [])
        if pms and SENIORITY[pms[0].level] >= SENIORITY[Level.SENIOR_PM]:
            return pms[0]
        return self.product_group_pm[key]

    def product_team(self, key: str) -> list[Member]:
        """Everyone who may own the product's areas and features."""
        return self.product_pms.get(key) or [self.product_group_pm[key]]


@dataclass
class Org:
    cpo: Member
    vps: list[Member]
    lines: list[LineTeam]
    viewers: list[User]
    users: list[User]
    people: list[Person]

    def leaders(self) -> list[Member]:
        return [self.cpo, *self.vps, *(team.director for team in self.lines)]


class _Names:
    """Unique invented names, drawn without replacement."""

    def __init__(self, rng: random.Random, count: int) -> None:
        pairs = list(itertools.product(FIRST_NAMES, LAST_NAMES))
        if count > len(pairs):
            raise ValueError(f"the name lists give at most {len(pairs)} people")
        self._pairs = iter(rng.sample(pairs, count))

    def next(self) -> tuple[str, str]:
        return next(self._pairs)


def _login(first: str, last: str, role: str, clock: Clock, rng: random.Random) -> User:
    username = f"{first}.{last}".lower()
    return User(
        username=username,
        first_name=first,
        last_name=last,
        email=f"{username}@{COMPANY_DOMAIN}",
        role=role,
        password=make_password(None),  # no password: they are characters, not logins
        date_joined=clock.moment(clock.days_ago(rng.randint(40, 2200))),
    )


def _member(
    names: _Names,
    *,
    level: str,
    title: str,
    manager: Member | None,
    clock: Clock,
    rng: random.Random,
) -> Member:
    first, last = names.next()
    if level in LEADER_LEVELS:
        role = Role.PRODUCT_LEADER
    elif level:
        role = Role.PRODUCT_MANAGER
    else:
        role = Role.CONTRIBUTOR
    user = _login(first, last, role, clock, rng)
    joined = user.date_joined.date()
    person = Person(
        name=f"{first} {last}",
        email=user.email,
        job_title=title,
        level_id=level or None,
        manager=manager.person if manager else None,
        user=user,
        created_by=manager.user if manager else None,
        updated_by=manager.user if manager else None,
        **clock.stamps(joined, clock.days_ago(rng.randint(1, 120))),
    )
    return Member(person=person, user=user)


def _ic_levels(count: int, rng: random.Random) -> list[str]:
    shares = allocate(count, [share for _, share in IC_LEVELS])
    levels = [level for (level, _), n in zip(IC_LEVELS, shares, strict=True) for _ in range(n)]
    rng.shuffle(levels)
    return levels


def plan_org(
    *,
    scale: Scale,
    catalogue: Sequence[tuple[LineSpec, Sequence[ProductSpec]]],
    clock: Clock,
    rng: random.Random,
) -> Org:
    """The whole organization in memory (nothing saved yet)."""
    names = _Names(rng, scale.people + scale.viewers)
    contributors = round(scale.people * scale.contributor_share)
    product_side = scale.people - contributors
    below_directors = product_side - 1 - scale.vice_presidents - len(catalogue)
    line_shares = allocate(below_directors, [len(products) for _, products in catalogue])
    group_pm_counts = [max(1, math.ceil(share / (GROUP_SIZE + 1))) for share in line_shares]
    ic_levels = _ic_levels(below_directors - sum(group_pm_counts), rng)
    contributor_shares = allocate(contributors, [len(products) for _, products in catalogue])

    cpo = _member(
        names, level=Level.CPO, title="Chief Product Officer", manager=None, clock=clock, rng=rng
    )
    cpo.user.username = DEMO_USERNAME
    vps = [
        _member(names, level=Level.VP, title="VP of Product", manager=cpo, clock=clock, rng=rng)
        for _ in range(scale.vice_presidents)
    ]
    if len(vps) > 1:  # each VP looks after some lines; the title says which
        for index, vp in enumerate(vps):
            lines = [line.name for j, (line, _) in enumerate(catalogue) if j % len(vps) == index]
            vp.person.job_title = "VP of Product, " + ", ".join(lines)

    teams: list[LineTeam] = []
    ic_iter = iter(ic_levels)
    for index, ((line, products), share, group_count, contributor_count) in enumerate(
        zip(catalogue, line_shares, group_pm_counts, contributor_shares, strict=True)
    ):
        director = _member(
            names,
            level=Level.DIRECTOR,
            title=f"Director of Product, {line.name}",
            manager=vps[index % len(vps)],
            clock=clock,
            rng=rng,
        )
        team = LineTeam(line=line, director=director)
        for g in range(group_count):
            covered = [p.name for j, p in enumerate(products) if j % group_count == g]
            covered = covered or [products[g % len(products)].name]
            team.group_pms.append(
                _member(
                    names,
                    level=Level.GROUP_PM,
                    title="Group Product Manager, " + ", ".join(covered),
                    manager=director,
                    clock=clock,
                    rng=rng,
                )
            )
        for j, product in enumerate(products):
            team.product_group_pm[product.key] = team.group_pms[j % group_count]
            team.product_pms[product.key] = []
        # Individual PMs: dealt round-robin over the products, reporting to the
        # product's group PM; with more group PMs than products, over the group PMs.
        for k in range(share - group_count):
            level = next(ic_iter)
            if group_count > len(products):
                manager = team.group_pms[k % group_count]
                product = products[(k % group_count) % len(products)]
            else:
                product = products[k % len(products)]
                manager = team.product_group_pm[product.key]
            member = _member(
                names, level=level, title=IC_TITLES[level], manager=manager, clock=clock, rng=rng
            )
            team.product_pms[product.key].append(member)
        for key, pms in team.product_pms.items():
            team.product_pms[key] = sorted(pms, key=lambda m: -SENIORITY[m.level])
        for _ in range(contributor_count):
            manager = rng.choice([director, *team.group_pms])
            team.contributors.append(
                _member(
                    names,
                    level="",
                    title=rng.choice(CONTRIBUTOR_TITLES),
                    manager=manager,
                    clock=clock,
                    rng=rng,
                )
            )
        teams.append(team)

    viewers = []
    for _ in range(scale.viewers):
        first, last = names.next()
        viewers.append(_login(first, last, Role.VIEWER, clock, rng))

    members = [cpo, *vps]
    for team in teams:
        members.append(team.director)
        members.extend(team.group_pms)
        for pms in team.product_pms.values():
            members.extend(pms)
        members.extend(team.contributors)
    return Org(
        cpo=cpo,
        vps=vps,
        lines=teams,
        viewers=viewers,
        users=[m.user for m in members] + viewers,
        people=[m.person for m in members],
    )


def save_org(org: Org, *, batch_size: int) -> None:
    """Insert the logins, then the people tier by tier (managers before their reports)."""
    User.objects.bulk_create(org.users, batch_size=batch_size)
    tiers: dict[int, list[Person]] = {}
    depth: dict[int, int] = {}
    for person in org.people:  # managers come before their reports in org.people
        level = 0 if person.manager is None else depth[id(person.manager)] + 1
        depth[id(person)] = level
        tiers.setdefault(level, []).append(person)
    # bulk_create picks up the primary keys the users and managers got on insert.
    for level in sorted(tiers):
        Person.objects.bulk_create(tiers[level], batch_size=batch_size)
