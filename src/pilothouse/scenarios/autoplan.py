"""The planning engine's problem built from the live plan (no database here), and the
scenario changes that turn the live plan into the engine's answer.

- Features: the not-done features in the chosen teams' queues. Effort is the midpoint
  of the low and high estimates; features without both are left out (listed). An
  estimate of 0 counts as a hundredth of a person-week, the engine's smallest unit.
- Value: the score under the chosen model; unscored features are worth 0 (listed), a
  negative score counts as 0. Without a model every feature is worth 1.
- Blockers from the roadmap's dependencies: done ones go into `done`; a blocker outside
  the problem that is not done (another team's, unestimated) keeps the feature out of
  the plan (listed), and so on down the chain, so the engine is never asked to wait
  for something it cannot plan.
- Capacity: delivery's capacity per team and period; a team without any is known with
  0 weeks, so its features fit nowhere and the engine says so.
- Committed dates (when kept): a feature whose release date falls in the horizon is
  fixed to the period of that date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from pilothouse.engines import planning
from pilothouse.scenarios import periods as horizon_periods
from pilothouse.scenarios import plan as plans

MIN_EFFORT = 0.01


@dataclass
class Built:
    problem: planning.PlanProblem
    notes: list[str] = field(default_factory=list)


def _ids(ids: Iterable[int]) -> str:
    return ", ".join(str(pk) for pk in sorted(ids))


def build_problem(
    live: plans.Plan,
    *,
    values: Mapping[int, float | None],
    blockers: Mapping[int, set[int]],
    done: set[int],
    keep_committed_dates: bool,
) -> Built:
    """`blockers` maps a feature id to the ids of its blockers; `done` holds the ids
    of those blockers that are done."""
    notes = []
    unestimated = {pk for pk, item in live.items.items() if item.effort is None}
    if unestimated:
        notes.append(f"Left out without both estimates: features {_ids(unestimated)}.")
    candidates = set(live.items) - unestimated
    stuck: set[int] = set()
    while True:  # a feature waiting for one that cannot be planned cannot be planned
        newly = {
            pk
            for pk in candidates - stuck
            if any(
                b not in done and (b not in candidates or b in stuck) for b in blockers.get(pk, ())
            )
        }
        if not newly:
            break
        stuck |= newly
    if stuck:
        notes.append(
            f"Left out, blocked by work outside the plan that is not done: features {_ids(stuck)}."
        )
    planned = candidates - stuck
    unscored = {pk for pk in planned if values.get(pk) is None}
    if unscored:
        notes.append(f"Not scored, worth 0: features {_ids(unscored)}.")
    features = []
    for pk in sorted(planned):
        item = live.items[pk]
        fixed = None
        if keep_committed_dates:
            fixed = horizon_periods.index_of(live.periods, item.release_date)
        features.append(
            planning.PlanFeature(
                id=pk,
                team=live.team_names[item.team],
                effort=max(item.effort, MIN_EFFORT),
                value=max(values.get(pk) or 0.0, 0.0),
                blockers=tuple(sorted(b for b in blockers.get(pk, ()) if b in planned)),
                fixed_period=fixed,
            )
        )
    capacity = {
        (name, period.index): 0.0
        for key, name in live.team_names.items()
        for period in live.periods
    }
    for (key, index), weeks in live.capacity.items():
        capacity[(live.team_names[key], index)] = max(weeks, 0.0)
    used_done = {b for pk in planned for b in blockers.get(pk, ()) if b in done}
    problem = planning.PlanProblem(
        periods=tuple(period.label for period in live.periods),
        capacity=capacity,
        features=tuple(features),
        done=frozenset(used_done),
    )
    return Built(problem=problem, notes=notes)


@dataclass(frozen=True)
class Proposed:
    kind: str  # move_feature or drop_feature
    feature_id: int
    period_start: dt.date | None = None


def proposal(
    live: plans.Plan, placements: Mapping[int, int | None], *, today: dt.date
) -> list[Proposed]:
    """The changes that make the live plan match the engine's placements: a feature in
    another period than its live one is moved there; one the engine left out that the
    live plan delivers within the horizon is dropped."""
    changes = []
    for pk in sorted(placements):
        item = live.items[pk]
        now = live.period_of(item, today=today)
        target = placements[pk]
        if target is not None and target != now:
            changes.append(Proposed("move_feature", pk, live.periods[target].start))
        elif target is None and now is not None:
            changes.append(Proposed("drop_feature", pk))
    return changes
