"""A generator of seeded planning problems that look like a product organization's backlog.

    problem = sample_problem(features=300, teams=8, periods=4, seed=42)

Efforts are skewed as real estimates are: mostly a few person-weeks, a tail up to half a
year (1 to 26, in half weeks). Values are RICE scores (reach x impact x confidence /
effort) with reach spread over two orders of magnitude. About `blocked_share` of the
features wait for one or two others (always lower ids, so there is no cycle; a fifth of
those blockers are already delivered, in `done`). Each team's capacity per period is
`load` times its share of the demand, varied by +-10 %, so that not everything fits and
choices matter. `fixed` features without blockers get a committed period, never taking
more than half of their team's capacity there, so the problem stays feasible.

Used by the benchmark and the tests; the same arguments give the same problem.
"""

from __future__ import annotations

import random

from pilothouse.engines.planning.problem import PlanFeature, PlanProblem

TEAM_NAMES = (
    "Payments",
    "Platform",
    "Mobile",
    "Growth",
    "Data",
    "Identity",
    "Search",
    "Integrations",
    "Reporting",
    "Billing",
)
DONE_OFFSET = 100_000


def period_labels(count: int, first_year: int = 2027) -> tuple[str, ...]:
    return tuple(f"{first_year + i // 4}-Q{i % 4 + 1}" for i in range(count))


def team_names(count: int) -> tuple[str, ...]:
    return tuple(TEAM_NAMES[i] if i < len(TEAM_NAMES) else f"Team {i + 1}" for i in range(count))


def _effort(rng: random.Random) -> float:
    weeks = min(26.0, max(1.0, rng.lognormvariate(1.3, 0.8)))
    return round(weeks * 2) / 2


def _rice(rng: random.Random, effort: float) -> float:
    reach = 10 ** rng.uniform(2, 4)
    impact = rng.choice((0.25, 0.5, 1.0, 2.0, 3.0))
    confidence = rng.choice((0.5, 0.8, 1.0))
    return round(reach * impact * confidence / effort, 2)


def sample_problem(
    *,
    features: int = 300,
    teams: int = 8,
    periods: int = 4,
    seed: int = 42,
    blocked_share: float = 0.15,
    load: float = 0.7,
    fixed: int = 6,
) -> PlanProblem:
    rng = random.Random(seed)
    names = team_names(teams)
    labels = period_labels(periods)
    # Teams of uneven size, as in a real organization.
    weights = [rng.uniform(0.5, 1.5) for _ in names]
    rows = []
    done: set[int] = set()
    for fid in range(1, features + 1):
        effort = _effort(rng)
        blockers: list[int] = []
        if fid > 2 and rng.random() < blocked_share:
            for _ in range(rng.choice((1, 1, 2))):
                if rng.random() < 0.2:
                    blocker = DONE_OFFSET + fid
                    done.add(blocker)
                else:
                    blocker = rng.randrange(1, fid)
                if blocker not in blockers:
                    blockers.append(blocker)
        rows.append(
            {
                "id": fid,
                "team": rng.choices(names, weights)[0],
                "effort": effort,
                "value": _rice(rng, effort),
                "blockers": tuple(blockers),
            }
        )

    demand = {team: sum(r["effort"] for r in rows if r["team"] == team) for team in names}
    capacity = {
        (team, period): round(max(1.0, demand[team] * load / periods * rng.uniform(0.9, 1.1)))
        for team in names
        for period in range(periods)
    }
    committed: dict[tuple[str, int], float] = {}
    free = [r for r in rows if not r["blockers"]]
    for row in rng.sample(free, min(fixed, len(free))):
        period = rng.randrange(periods)
        slot = (row["team"], period)
        if committed.get(slot, 0.0) + row["effort"] <= capacity[slot] / 2:
            committed[slot] = committed.get(slot, 0.0) + row["effort"]
            row["fixed_period"] = period
    return PlanProblem(
        periods=labels,
        capacity=capacity,
        features=tuple(PlanFeature(**row) for row in rows),
        done=frozenset(done),
    )
