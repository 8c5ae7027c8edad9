"""The product team: people and reporting lines, the career ladder, private growth records
(assessments, growth plans, one-to-ones) and the hiring plan."""

from pilothouse.people.models.growth import (
    Assessment,
    AssessmentRating,
    CheckIn,
    GoalStatus,
    GrowthGoal,
    GrowthPlan,
    PlanStatus,
    Rating,
)
from pilothouse.people.models.hiring import OpenRole, OpenRoleStatus, RoleGap, RolePriority
from pilothouse.people.models.ladder import CareerLevel, Competency, Expectation, Level, Track
from pilothouse.people.models.one_on_ones import ActionItem, OneOnOne
from pilothouse.people.models.person import EmploymentType, Person, chain_user_ids
from pilothouse.people.models.private import PrivateRecord

__all__ = [
    "ActionItem",
    "Assessment",
    "AssessmentRating",
    "CareerLevel",
    "CheckIn",
    "Competency",
    "EmploymentType",
    "Expectation",
    "GoalStatus",
    "GrowthGoal",
    "GrowthPlan",
    "Level",
    "OneOnOne",
    "OpenRole",
    "OpenRoleStatus",
    "Person",
    "PlanStatus",
    "PrivateRecord",
    "Rating",
    "RoleGap",
    "RolePriority",
    "Track",
    "chain_user_ids",
]
