"""Why fixed dates cannot be met, in words naming features, teams and periods.

When the model is infeasible, only fixed dates can be the cause: with every unfixed
feature left out, nothing else is required. The solver names a set of fixed dates that
cannot hold together (its sufficient assumptions for infeasibility). That set need not be
minimal, and presolve can blur it, so it is shrunk here one date at a time: a date is
dropped when the others still cannot hold without it, each check a small feasibility
model of those fixed features and the blockers they need. What remains is a conflict in
which every date matters, and `describe` puts it into sentences: a fixed feature before
its fixed blocker, a blocker that cannot be ready in time, a team overbooked in one
period, or overbooked over a span of periods once blockers are counted.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence

from ortools.sat.python import cp_model

from pilothouse.engines.planning import units
from pilothouse.engines.planning.checks import CheckedProblem
from pilothouse.engines.planning.model import build_model, solver_for

PREFIX = "Fixed dates cannot be met: "
# Each feasibility check of the shrinking gets at least this long, even past the limit.
MIN_CHECK_SECONDS = 0.2


def listing(ids: Iterable[object]) -> str:
    """'3', '3 and 5', '3, 5 and 8'."""
    names = [str(i) for i in ids]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def features_word(ids: Sequence[object]) -> str:
    return f"feature {ids[0]}" if len(ids) == 1 else f"features {listing(ids)}"


def format_weeks(unit_count: int) -> str:
    return f"{units.weeks(unit_count):,.2f}".rstrip("0").rstrip(".")


def _needed(checked: CheckedProblem, fixed: Iterable[int]) -> set[int]:
    """The fixed features and every blocker they need first, transitively."""
    needed: set[int] = set()
    stack = list(fixed)
    while stack:
        fid = stack.pop()
        if fid not in needed:
            needed.add(fid)
            stack.extend(checked.blockers[fid])
    return needed


def _infeasible(
    checked: CheckedProblem, allowed: dict[int, tuple[int, ...]], fixed: list[int], limit: float
) -> bool:
    plan = build_model(
        checked, allowed, assume=fixed, only=_needed(checked, fixed), objective=False
    )
    solver = solver_for(time_limit_s=limit, workers=1, seed=0)
    return solver.solve(plan.model) == cp_model.INFEASIBLE


def minimal_conflict(
    checked: CheckedProblem,
    allowed: dict[int, tuple[int, ...]],
    suggested: Iterable[int],
    *,
    deadline: float,
) -> list[int]:
    """A set of fixed features whose dates cannot all hold, each one needed for that.

    Starts from the solver's `suggested` set (all fixed features if it is empty or turns
    out to be feasible on its own). A check that runs out of time keeps its date, and no
    check starts after the deadline: the answer is then still a conflict, perhaps not a
    minimal one (a large plan with hundreds of fixed dates would otherwise take minutes).
    """
    fixed = [fid for fid in checked.order if checked.features[fid].fixed_period is not None]
    named = set(suggested)
    conflict = [fid for fid in fixed if fid in named]

    def time_left() -> float:
        return deadline - time.perf_counter()

    def limit() -> float:
        return max(time_left(), MIN_CHECK_SECONDS)

    if not conflict or (time_left() > 0 and not _infeasible(checked, allowed, conflict, limit())):
        conflict = fixed
    position = 0
    while position < len(conflict) and time_left() > 0:
        trial = conflict[:position] + conflict[position + 1 :]
        if trial and _infeasible(checked, allowed, trial, limit()):
            conflict = trial
        else:
            position += 1
    return conflict


def _blocker_paths(checked: CheckedProblem, fid: int) -> list[tuple[int, tuple[int, ...]]]:
    """Every blocker f needs first, transitively, with the features in between."""
    found: list[tuple[int, tuple[int, ...]]] = []
    seen = {fid}
    stack: list[tuple[int, tuple[int, ...]]] = [(b, ()) for b in checked.blockers[fid]]
    while stack:
        blocker, through = stack.pop()
        if blocker in seen:
            continue
        seen.add(blocker)
        found.append((blocker, through))
        stack.extend((b, (*through, blocker)) for b in checked.blockers[blocker])
    return sorted(found)


def _dependency_reasons(checked: CheckedProblem, conflict: list[int]) -> list[str]:
    label = checked.label
    reasons = []
    in_conflict = set(conflict)
    for fid in conflict:
        period = checked.features[fid].fixed_period
        assert period is not None
        for blocker, through in _blocker_paths(checked, fid):
            other = checked.features[blocker]
            via = f" (through {features_word(through)})" if through else ""
            start = f"feature {fid} is fixed in {label(period)} but its blocker {blocker}{via}"
            if blocker in in_conflict and other.fixed_period is not None:
                if other.fixed_period > period:
                    reasons.append(f"{start} is fixed later, in {label(other.fixed_period)}")
            elif other.earliest_period > period:
                reasons.append(f"{start} cannot start before {label(other.earliest_period)}")
            elif all(
                checked.effort[blocker] > checked.capacity[(other.team, p)]
                for p in range(other.earliest_period, period + 1)
            ):
                reasons.append(
                    f"{start} ({format_weeks(checked.effort[blocker])} person-weeks) fits in "
                    f"the capacity of team {other.team} in no period up to {label(period)}"
                )
    return reasons


def _period_reasons(checked: CheckedProblem, conflict: list[int]) -> list[str]:
    slots: dict[tuple[str, int], list[int]] = {}
    for fid in conflict:
        feature = checked.features[fid]
        assert feature.fixed_period is not None
        slots.setdefault((feature.team, feature.fixed_period), []).append(fid)
    reasons = []
    for (team, period), ids in sorted(slots.items()):
        effort = sum(checked.effort[fid] for fid in ids)
        if effort > checked.capacity[(team, period)]:
            reasons.append(
                f"Team {team} has {format_weeks(checked.capacity[(team, period)])} person-weeks "
                f"in {checked.label(period)} but {features_word(sorted(ids))} "
                f"{'is' if len(ids) == 1 else 'are'} fixed there with {format_weeks(effort)} "
                "person-weeks"
            )
    return reasons


def _window_reasons(
    checked: CheckedProblem, allowed: dict[int, tuple[int, ...]], conflict: list[int]
) -> list[str]:
    """A team whose work that must fall within a span of periods is more than its capacity
    over that span: the fixed features of the conflict (in their period) and the blockers
    they need first (between the first period each could take and the fixed date of what
    waits for it). The shortest such span per team."""
    window: dict[int, tuple[int, int]] = {}
    for fid in conflict:
        period = checked.features[fid].fixed_period
        assert period is not None
        window[fid] = (period, period)
    for fid in conflict:
        due = window[fid][1]
        for item in _needed(checked, [fid]) - set(conflict):
            first = allowed[item][0] if allowed[item] else checked.features[item].earliest_period
            last = min(window[item][1], due) if item in window else due
            window[item] = (first, last)
    count = len(checked.problem.periods)
    reasons = []
    for team in checked.teams:
        spans = sorted((p - s, s, p) for s in range(count) for p in range(s, count))
        for _, start, end in spans:
            items = sorted(
                i
                for i, (first, last) in window.items()
                if _team(checked, i) == team and start <= first and last <= end
            )
            need = sum(checked.effort[i] for i in items)
            have = sum(checked.capacity[(team, p)] for p in range(start, end + 1))
            if items and need > have:
                span = (
                    f"in {checked.label(start)}"
                    if start == end
                    else f"from {checked.label(start)} to {checked.label(end)}"
                )
                fixed = [i for i in items if i in conflict]
                blockers = [i for i in items if i not in conflict]
                parts = [f"{listing(fixed)} (fixed)"] if fixed else []
                if blockers:
                    parts.append(f"{listing(blockers)} (needed first by fixed features)")
                noun = "feature" if len(items) == 1 else "features"
                reasons.append(
                    f"Team {team} has {format_weeks(have)} person-weeks {span} but needs "
                    f"{format_weeks(need)} there for {noun} {' and '.join(parts)}"
                )
                break
    return reasons


def _team(checked: CheckedProblem, fid: int) -> str:
    return checked.features[fid].team


def describe(
    checked: CheckedProblem, allowed: dict[int, tuple[int, ...]], conflict: list[int]
) -> tuple[str, ...]:
    """Sentences saying why the fixed dates of `conflict` cannot all be met."""
    reasons = _dependency_reasons(checked, conflict) + _period_reasons(checked, conflict)
    if not reasons:
        reasons = _window_reasons(checked, allowed, conflict)
    if not reasons:
        dates = [
            f"{fid} ({checked.features[fid].team}, "
            f"{checked.label(checked.features[fid].fixed_period)})"  # type: ignore[arg-type]
            for fid in conflict
        ]
        one = len(dates) == 1
        reasons = [
            f"{'feature' if one else 'features'} {listing(dates)}, with the blockers "
            f"{'it needs' if one else 'they need'} first, {'leaves' if one else 'leave'} no "
            "plan within capacity"
        ]
    lines = [PREFIX + reason for reason in reasons]
    return tuple(lines)
