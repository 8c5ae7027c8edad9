"""What HR knows about the demo's people: where they work, since when, on what terms
(full time, part time, contractors, an intern), their FTE and their yearly cost in the
currency of their office. Who is not announced yet is demo.private_people.

Offices cluster by product line (each line has a home office, where its director and
most of its team sit); costs follow the level (or the craft, for designers,
researchers and analysts), the office's pay level and currency, and the FTE. Leaders
are full-time employees at the company's headquarters or a line's home office.

Runs on the planned organization before it is saved, from its own random stream, so it
changes nothing else the generator draws.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from pilothouse.demo.people import LineTeam, Member, Org
from pilothouse.people.models import EmploymentType, Level


@dataclass(frozen=True)
class Office:
    city: str
    currency: str
    pay: float  # local pay level against the headquarters (1.0)
    rate: float  # units of `currency` per US dollar
    rounding: int  # costs are round figures of this many units


HEADQUARTERS = Office("Chicago", "USD", 1.00, 1.0, 1000)
OFFICES: tuple[Office, ...] = (
    HEADQUARTERS,
    Office("London", "GBP", 0.82, 0.79, 1000),
    Office("Berlin", "EUR", 0.72, 0.92, 1000),
    Office("New York", "USD", 1.10, 1.0, 1000),
    Office("Toronto", "CAD", 0.74, 1.37, 1000),
    Office("Amsterdam", "EUR", 0.76, 0.92, 1000),
    Office("Austin", "USD", 0.94, 1.0, 1000),
    Office("Dublin", "EUR", 0.78, 0.92, 1000),
    Office("Stockholm", "SEK", 0.70, 10.5, 10_000),
    Office("Lisbon", "EUR", 0.52, 0.92, 1000),
    Office("Warsaw", "PLN", 0.46, 3.95, 1000),
    Office("Bengaluru", "INR", 0.30, 83.5, 100_000),
    Office("Sydney", "AUD", 0.78, 1.52, 1000),
)
# Fully loaded yearly cost at headquarters (USD), by level and, without one, by craft.
LEVEL_COST: dict[str, int] = {
    Level.ASSOCIATE_PM: 128_000,
    Level.PM: 168_000,
    Level.SENIOR_PM: 212_000,
    Level.PRINCIPAL_PM: 262_000,
    Level.GROUP_PM: 255_000,
    Level.DIRECTOR: 305_000,
    Level.VP: 390_000,
    Level.CPO: 490_000,
}
CRAFT_COST: dict[str, int] = {
    "Product Designer": 158_000,
    "Senior Product Designer": 198_000,
    "UX Researcher": 162_000,
    "Product Analyst": 146_000,
    "Product Operations Manager": 152_000,
    "Content Designer": 140_000,
}
INTERN_COST = 62_000
CONTRACTOR_PREMIUM = 1.15  # a day rate costs more than the salary it stands in for
# Years in the company, by level (contributors: as a PM).
TENURE_YEARS: dict[str, tuple[float, float]] = {
    Level.CPO: (4.0, 7.0),
    Level.VP: (2.5, 6.5),
    Level.DIRECTOR: (2.0, 6.0),
    Level.GROUP_PM: (1.5, 5.5),
    Level.PRINCIPAL_PM: (2.0, 7.5),
    Level.SENIOR_PM: (1.0, 5.0),
    Level.PM: (0.4, 3.5),
    Level.ASSOCIATE_PM: (0.2, 1.6),
}
PART_TIME_FTE = (Decimal("0.50"), Decimal("0.60"), Decimal("0.80"))
CONTRACTOR_FTE = (Decimal("1.00"), Decimal("1.00"), Decimal("0.80"), Decimal("0.50"))
# Shares of the people below the leaders on other terms than full time.
CONTRACTOR_SHARE = {"pm": 0.03, "contributor": 0.12}
PART_TIME_SHARE = {"pm": 0.05, "contributor": 0.08}
STAY_HOME_SHARE = 0.65  # of a line's people, those at its home office


def describe_people(*, org: Org, today: dt.date, seed: int) -> None:
    """Fill in location, start date, employment type, FTE and cost of every planned person
    (nothing is saved here)."""
    rng = random.Random(f"people-details-{seed}")
    homes = _line_homes(len(org.lines))
    _describe(org.cpo, office=HEADQUARTERS, today=today, rng=rng, terms="leader")
    for index, vp in enumerate(org.vps):
        office = HEADQUARTERS if index == 0 else homes[index % len(homes)]
        _describe(vp, office=office, today=today, rng=rng, terms="leader")
    for team, home in zip(org.lines, homes, strict=True):
        _describe(team.director, office=home, today=today, rng=rng, terms="leader")
        for member in _line_members(team):
            office = home if rng.random() < STAY_HOME_SHARE else _any_office(rng)
            kind = "pm" if member.level else "contributor"
            _describe(member, office=office, today=today, rng=rng, terms=_terms(kind, rng))
    _ensure_every_employment_type(org, today=today, rng=rng)


def _line_homes(count: int) -> list[Office]:
    """Each line's home office: headquarters first, then the larger offices in turn."""
    pool = OFFICES[:6]
    return [pool[index % len(pool)] for index in range(count)]


def _line_members(team: LineTeam) -> list[Member]:
    pms = [member for members in team.product_pms.values() for member in members]
    return [*team.group_pms, *pms, *team.contributors]


def _any_office(rng: random.Random) -> Office:
    return rng.choices(OFFICES, weights=[6, 4, 4, 3, 2, 2, 2, 2, 1, 1, 1, 1, 1])[0]


def _terms(kind: str, rng: random.Random) -> str:
    draw = rng.random()
    if draw < CONTRACTOR_SHARE[kind]:
        return EmploymentType.CONTRACTOR
    if draw < CONTRACTOR_SHARE[kind] + PART_TIME_SHARE[kind]:
        return EmploymentType.PART_TIME
    return EmploymentType.FULL_TIME


def _describe(
    member: Member, *, office: Office, today: dt.date, rng: random.Random, terms: str
) -> None:
    person = member.person
    if terms == "leader":
        terms = EmploymentType.FULL_TIME
    person.location = office.city
    person.employment_type = terms
    person.fte = _fte(terms, rng)
    low, high = TENURE_YEARS.get(member.level or Level.PM, TENURE_YEARS[Level.PM])
    started = today - dt.timedelta(days=round(rng.uniform(low, high) * 365))
    # Never after the record was made: HR files a person on their first day at the latest.
    person.start_date = min(started, person.created_at.date())
    person.cost_currency = office.currency
    person.cost_per_year = _cost(member, office=office, rng=rng)


def _fte(terms: str, rng: random.Random) -> Decimal:
    if terms == EmploymentType.PART_TIME:
        return rng.choice(PART_TIME_FTE)
    if terms == EmploymentType.CONTRACTOR:
        return rng.choice(CONTRACTOR_FTE)
    return Decimal("1.00")


def _cost(member: Member, *, office: Office, rng: random.Random) -> Decimal:
    person = member.person
    if person.employment_type == EmploymentType.INTERN:
        base = INTERN_COST
    elif member.level:
        base = LEVEL_COST[member.level]
    else:
        base = CRAFT_COST.get(person.job_title, 150_000)
    if person.employment_type == EmploymentType.CONTRACTOR:
        base *= CONTRACTOR_PREMIUM
    local = base * office.pay * office.rate * rng.uniform(0.92, 1.08) * float(person.fte)
    return Decimal(round(local / office.rounding) * office.rounding)


def _ensure_every_employment_type(org: Org, *, today: dt.date, rng: random.Random) -> None:
    """Even the small organization shows each kind of contract: the first contributors
    take the ones that no one has yet (an intern is always one of them)."""
    people = [m for team in org.lines for m in _line_members(team)]
    present = {m.person.employment_type for m in people}
    contributors = [m for team in org.lines for m in team.contributors] or people
    full_time = [m for m in contributors if m.person.employment_type == EmploymentType.FULL_TIME]
    for terms in (EmploymentType.INTERN, EmploymentType.PART_TIME, EmploymentType.CONTRACTOR):
        if terms in present or not full_time:
            continue
        member = full_time.pop()
        person = member.person
        person.employment_type = terms
        person.fte = _fte(terms, rng)
        if terms == EmploymentType.INTERN:  # a summer-to-winter internship, filed on day one
            person.job_title = f"{person.job_title} (intern)"
            started = today - dt.timedelta(days=rng.randint(60, 150))
            if started > person.start_date:
                person.start_date = started
                filed = dt.datetime.combine(started, dt.time(9, 15), tzinfo=dt.UTC)
                person.created_at = member.user.date_joined = filed
                person.updated_at = max(person.updated_at, filed)
        office = next(o for o in OFFICES if o.city == person.location)
        person.cost_per_year = _cost(member, office=office, rng=rng)
