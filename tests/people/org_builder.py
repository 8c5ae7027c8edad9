"""A large reporting tree built fast (bulk inserts, tier by tier), for the org chart's
query-count, timing and browser tests."""

from __future__ import annotations

import itertools

from pilothouse.people.models import Level, Person

FIRST = [
    "Ada", "Ben", "Cleo", "Dev", "Eli", "Fay", "Gus", "Hana", "Ivo", "Jun",
    "Kai", "Lea", "Milo", "Nia", "Omar", "Pia", "Quin", "Rosa", "Sami", "Tara",
]  # fmt: skip
LAST = [
    "Abbott", "Baker", "Castro", "Dahl", "Eze", "Fischer", "Garcia", "Holm", "Ito", "Jensen",
    "Khan", "Lund", "Moreau", "Novak", "Okafor", "Park", "Quist", "Rossi", "Sato", "Tran",
]  # fmt: skip
# Each manager gets this many reports, filled breadth first: 1 + 6 + 36 + 216 + ...
FAN_OUT = 6
LEVEL_BY_DEPTH = (Level.CPO, Level.VP, Level.DIRECTOR, Level.GROUP_PM)


def org_names(count: int) -> list[str]:
    names = [f"{first} {last}" for last, first in itertools.product(LAST, FIRST)]
    if count > len(names):
        raise ValueError(f"at most {len(names)} names")
    return names[:count]


def build_org(count: int, *, prefix: str = "") -> list[Person]:
    """`count` people in one tree: the first is the top, and each next person reports to
    the earliest manager with fewer than FAN_OUT reports. Answers them in that order."""
    people: list[Person] = []
    for index, name in enumerate(org_names(count)):
        manager = people[(index - 1) // FAN_OUT] if index else None
        depth = 0
        walk = manager
        while walk is not None:
            depth += 1
            walk = walk.manager
        level = LEVEL_BY_DEPTH[depth] if depth < len(LEVEL_BY_DEPTH) else Level.PM
        people.append(
            Person(
                name=f"{prefix}{name}",
                email=f"{prefix}{name}".lower().replace(" ", ".") + "@example.com",
                job_title=f"Title of {name}",
                level_id=level,
                manager=manager,
            )
        )
    tiers: dict[int, list[Person]] = {}
    depth_of: dict[int, int] = {}
    for person in people:
        depth = 0 if person.manager is None else depth_of[id(person.manager)] + 1
        depth_of[id(person)] = depth
        tiers.setdefault(depth, []).append(person)
    for depth in sorted(tiers):
        for person in tiers[depth]:
            person.manager_id = person.manager.pk if person.manager else None
        Person.objects.bulk_create(tiers[depth], batch_size=500)
    return people
