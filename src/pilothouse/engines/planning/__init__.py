"""The planning engine: which features go in which period, for the most value.

Pure Python over OR-Tools CP-SAT; no Django. The app passes features (team, effort,
value, blockers, committed dates), the periods and each team's capacity per period, and
gets a proposed plan back: a scenario to look at, never a change to the live roadmap.

    from pilothouse.engines import planning

    problem = planning.PlanProblem(
        periods=("2027-Q1", "2027-Q2"),
        capacity={("Payments", 0): 30, ("Payments", 1): 30},
        features=(planning.PlanFeature(id=12, team="Payments", effort=8, value=40),),
    )
    result = planning.auto_plan(problem, time_limit_s=10)
    result.status          # "optimal" | "feasible" | "infeasible" | "unknown"
    result.placements      # {12: 0}: feature id -> period index, None = not in the horizon
    result.gap             # 0.0 when optimal; None when there is no plan
    result.explanation     # sentences: which fixed dates conflict, what limited the plan

Bad input raises `PlanningError` (a ValueError) naming the feature, team or period. The
rules and the scaling to whole numbers are in docs/autoplan.md.
"""

from pilothouse.engines.planning.problem import (
    PLAN_STATUSES,
    PlanFeature,
    PlanningError,
    PlanProblem,
    PlanResult,
    PlanStatus,
)
from pilothouse.engines.planning.solve import auto_plan

__all__ = [
    "PLAN_STATUSES",
    "PlanFeature",
    "PlanProblem",
    "PlanResult",
    "PlanStatus",
    "PlanningError",
    "auto_plan",
]
