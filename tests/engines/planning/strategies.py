"""Hypothesis strategies for planning problems: small ones for brute force, larger ones
for the properties every plan must have."""

from __future__ import annotations

from hypothesis import strategies as st

from pilothouse.engines.planning import PlanFeature, PlanProblem
from pilothouse.engines.planning.units import capacity_units, effort_units

DONE = (900, 901)


@st.composite
def problems(
    draw: st.DrawFn,
    *,
    max_features: int = 6,
    teams: tuple[str, ...] = ("A", "B"),
    periods: int = 3,
    efforts: st.SearchStrategy[float] = st.sampled_from([0.5, 1.0, 2.0, 3.0, 4.5, 6.0]),
    capacities: st.SearchStrategy[float] = st.sampled_from([0.0, 2.5, 4.0, 6.0, 10.0]),
    fixed_share: float = 0.3,
) -> PlanProblem:
    """Acyclic blockers (always an earlier feature of the list, or done), a few fixed
    dates and earliest periods; every team has capacity entries (some may be 0)."""
    # Near the largest size: small problems say little (the empty one is tested apart).
    count = draw(st.integers(max(1, max_features - 3), max_features))
    ids = draw(st.lists(st.integers(1, 99), unique=True, min_size=count, max_size=count))
    capacity = {(team, p): draw(capacities) for team in teams for p in range(periods)}
    features = []
    for position, fid in enumerate(ids):
        earlier = ids[:position]
        blockers = draw(st.lists(st.sampled_from([*earlier, *DONE]), max_size=2, unique=True))
        earliest = draw(st.sampled_from([0, 0, 0, *range(periods)]))
        team = draw(st.sampled_from(teams))
        effort = draw(efforts)
        fixed = None
        if draw(st.floats(0, 1)) < fixed_share:
            fixed = draw(st.integers(earliest, periods - 1))
            # A fixed feature alone overflowing its period is a PlanningError, tested apart;
            # compared as the engine counts (effort rounded up, capacity down).
            if effort_units(effort) > capacity_units(capacity[(team, fixed)]):
                fixed = None
        features.append(
            PlanFeature(
                id=fid,
                team=team,
                effort=effort,
                value=draw(st.integers(0, 100_000)) / 100,
                blockers=tuple(blockers),
                fixed_period=fixed,
                earliest_period=earliest,
            )
        )
    return PlanProblem(
        periods=tuple(f"2027-Q{p + 1}" for p in range(periods)),
        capacity=capacity,
        features=tuple(draw(st.permutations(features))),
        done=frozenset(DONE),
    )


# Efforts and capacities that are not whole hundredths, to exercise the rounding.
rough_efforts = st.floats(0.001, 30.0, allow_nan=False)
rough_capacities = st.one_of(st.just(0.0), st.floats(0.0, 60.0, allow_nan=False))
