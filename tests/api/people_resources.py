"""The product team's rows of the API test matrices (the table of tests/api/resources.py):
the career ladder, and the private growth records.

The ladder is written by product leaders and admins only. The private records `make`
builds are about a report of the world's product manager (their Person manages the
subject), so that manager sees, creates and changes them; to the other product manager,
a contributor and a viewer they do not exist (not listed, 404).

tests/api/resources.py imports this module after defining Spec and World; import the
rows through it (`from tests.api.resources import SPECS`), not from here.
"""

from __future__ import annotations

import datetime as dt
import itertools

from pilothouse.people.models import (
    ActionItem,
    Assessment,
    AssessmentRating,
    CareerLevel,
    CheckIn,
    Competency,
    Expectation,
    GrowthGoal,
    GrowthPlan,
    Level,
    OneOnOne,
    Person,
)
from tests.api.resources import Spec, World
from tests.factories import PersonFactory

_serial = itertools.count(1)


def level(key: str) -> CareerLevel:
    return CareerLevel.objects.get(key=key)


def competency(key: str = "discovery") -> Competency:
    return Competency.objects.get(key=key)


def manager(w: World) -> Person:
    """The world's product manager as a person of the organization."""
    found = Person.objects.filter(user=w.pm).first()
    return found or PersonFactory(user=w.pm, name="Pat Lead", level_id=Level.GROUP_PM)


def report(w: World) -> Person:
    """A new report of the world's product manager."""
    return PersonFactory(manager=manager(w), level_id=Level.PM)


# --- the ladder -------------------------------------------------------------------------


def make_level(w: World, **fields) -> CareerLevel:
    n = next(_serial)
    values = {"key": f"level-{n}", "name": f"Level {n}", "rank": 20 + n, **fields}
    return CareerLevel.objects.create(**values)


def filter_levels(w: World) -> tuple[dict, list[int]]:
    found = make_level(w, name=f"Zeta {next(_serial)} staff")
    return {"q": found.name.lower()}, [found.pk]


def make_competency(w: World, **fields) -> Competency:
    n = next(_serial)
    values = {"key": f"skill-{n}", "name": f"Skill {n}", "position": 20 + n, **fields}
    return Competency.objects.create(**values)


def filter_competencies(w: World) -> tuple[dict, list[int]]:
    make_competency(w, name=f"Negotiation {next(_serial)}")
    found = Competency.objects.filter(name__icontains="negotiation").values_list("pk", flat=True)
    return {"q": "negotiation"}, list(found)


def protect_competency(skill: Competency) -> AssessmentRating:
    assessment = Assessment.objects.create(
        person=PersonFactory(), level=level("pm"), period="2026 H1", assessed_on=dt.date(2026, 6, 1)
    )
    return AssessmentRating.objects.create(assessment=assessment, competency=skill, rating=3)


def make_expectation(w: World) -> Expectation:
    return Expectation.objects.create(
        level=level("pm"), competency=make_competency(w), text="Runs discovery with help"
    )


def filter_expectations(w: World) -> tuple[dict, list[int]]:
    staff = make_level(w)
    expectation = Expectation.objects.create(
        level=staff, competency=make_competency(w), text="Sets the bar"
    )
    return {"level": staff.key}, [expectation.pk]


# --- private records ----------------------------------------------------------------------


def make_assessment(w: World, **fields) -> Assessment:
    values = {
        "person": report(w),
        "level": level("pm"),
        "period": "2026 H1",
        "assessed_on": dt.date(2026, 6, 15),
        "assessor": manager(w),
        "summary": "Solid discovery",
        **fields,
    }
    return Assessment.objects.create(**values)


def filter_assessments(w: World) -> tuple[dict, list[int]]:
    found = make_assessment(w, period="2027 H1")
    return {"period": "2027 H1"}, [found.pk]


def make_rating(w: World, **fields) -> AssessmentRating:
    values = {"assessment": make_assessment(w), "competency": competency(), "rating": 3, **fields}
    return AssessmentRating.objects.create(evidence="Ran interviews", **values)


def filter_ratings(w: World) -> tuple[dict, list[int]]:
    return {"rating": 1}, [make_rating(w, rating=1).pk]


def make_plan(w: World, **fields) -> GrowthPlan:
    values = {
        "person": report(w),
        "title": "Towards senior PM",
        "target_level": level("senior_pm"),
        "start": dt.date(2026, 1, 1),
        **fields,
    }
    return GrowthPlan.objects.create(**values)


def filter_plans(w: World) -> tuple[dict, list[int]]:
    return {"status": "stopped"}, [make_plan(w, status="stopped").pk]


def make_goal(w: World, **fields) -> GrowthGoal:
    values = {
        "plan": make_plan(w),
        "competency": competency("strategy"),
        "description": "Write the line's strategy",
        "due": dt.date(2026, 9, 30),
        **fields,
    }
    return GrowthGoal.objects.create(**values)


def filter_goals(w: World) -> tuple[dict, list[int]]:
    return {"status": "dropped"}, [make_goal(w, status="dropped").pk]


def make_check_in(w: World, **fields) -> CheckIn:
    values = {"plan": make_plan(w), "held_on": dt.date(2026, 3, 2), "notes": "On track", **fields}
    return CheckIn.objects.create(**values)


def filter_check_ins(w: World) -> tuple[dict, list[int]]:
    return {"held_after": "2027-01-01"}, [make_check_in(w, held_on=dt.date(2027, 2, 1)).pk]


def make_one_on_one(w: World, **fields) -> OneOnOne:
    values = {
        "person": report(w),
        "with_person": manager(w),
        "held_on": dt.date(2026, 4, 1),
        "notes": "Talked about the launch",
        **fields,
    }
    return OneOnOne.objects.create(**values)


def filter_one_on_ones(w: World) -> tuple[dict, list[int]]:
    return {"held_after": "2027-01-01"}, [make_one_on_one(w, held_on=dt.date(2027, 1, 5)).pk]


def make_action(w: World, **fields) -> ActionItem:
    values = {
        "one_on_one": make_one_on_one(w),
        "text": "Send the launch plan",
        "owner": manager(w),
        "due": dt.date(2026, 4, 15),
        **fields,
    }
    return ActionItem.objects.create(**values)


def filter_actions(w: World) -> tuple[dict, list[int]]:
    return {"done": "true"}, [make_action(w, done=True).pk]


def portfolio_wide(role: str, method: str) -> bool:
    return role in {"admin", "product_leader"}


PEOPLE_SPECS: list[Spec] = [
    Spec(
        path="/career-levels",
        model=CareerLevel,
        make=make_level,
        create=lambda w: {
            "key": "staff_pm",
            "name": "Staff PM",
            "track": "ic",
            "rank": 4,
            "summary": "Leads the hardest problems without reports",
        },
        patch={"name": "Staff product manager", "summary": "Sets direction across teams"},
        bad_type=("rank", "high"),
        required="key",
        unknown_ref=None,
        too_long=("name", 80),
        invalid=lambda w: ({"key": "has spaces", "name": "Odd", "rank": 1}, "key"),
        filter_case=filter_levels,
        order_field="rank",
        protect=lambda staff: PersonFactory(level_id=staff.key),
        pm_creates=False,
        pm_changes=False,
        allowed=portfolio_wide,
    ),
    Spec(
        path="/competencies",
        model=Competency,
        make=make_competency,
        create=lambda w: {
            "key": "influence",
            "name": "Influence",
            "description": "Moving people without authority",
            "position": 9,
        },
        patch={"name": "Influence and negotiation", "position": 10},
        bad_type=("position", "first"),
        required="name",
        unknown_ref=None,
        too_long=("name", 80),
        invalid=lambda w: ({"key": "discovery", "name": "Discovery again"}, "key"),
        filter_case=filter_competencies,
        order_field="position",
        protect=protect_competency,
        pm_creates=False,
        pm_changes=False,
        allowed=portfolio_wide,
    ),
    Spec(
        path="/expectations",
        model=Expectation,
        make=make_expectation,
        create=lambda w: {
            "level_id": level("senior_pm").pk,
            "competency_id": make_competency(w).pk,
            "text": "Runs discovery for a product alone",
        },
        patch={"text": "Runs discovery for a product line"},
        bad_type=("level_id", "senior"),
        required="text",
        unknown_ref="competency_id",
        too_long=None,
        invalid=lambda w: (
            {"level_id": level("pm").pk, "competency_id": make_competency(w).pk, "text": ""},
            "text",
        ),
        filter_case=filter_expectations,
        order_field="id",
        pm_creates=False,
        pm_changes=False,
        allowed=portfolio_wide,
    ),
    Spec(
        path="/assessments",
        model=Assessment,
        make=make_assessment,
        create=lambda w: {
            "person_id": report(w).pk,
            "level_id": level("pm").pk,
            "period": "2026 H2",
            "assessed_on": "2026-12-10",
            "assessor_id": manager(w).pk,
            "summary": "Ready for more scope",
        },
        patch={"summary": "Ready for senior scope", "period": "2026 H2 final"},
        bad_type=("assessed_on", "yesterday"),
        required="assessed_on",
        unknown_ref="person_id",
        too_long=("period", 40),
        invalid=lambda w: (
            {
                "person_id": report(w).pk,
                "level_id": level("pm").pk,
                "period": "",
                "assessed_on": "2026-12-10",
            },
            "period",
        ),
        filter_case=filter_assessments,
        order_field="assessed_on",
        pm_creates=True,
        pm_changes=True,
        private=True,
    ),
    Spec(
        path="/assessment-ratings",
        model=AssessmentRating,
        make=make_rating,
        create=lambda w: {
            "assessment_id": make_assessment(w).pk,
            "competency_id": competency("analytics").pk,
            "rating": 4,
            "evidence": "Built the activation dashboard",
        },
        patch={"rating": 2, "evidence": "Needed help with the dashboard"},
        bad_type=("rating", "great"),
        required="rating",
        unknown_ref="assessment_id",
        too_long=None,
        invalid=lambda w: (
            {"assessment_id": make_assessment(w).pk, "competency_id": competency().pk, "rating": 0},
            "rating",
        ),
        filter_case=filter_ratings,
        order_field="rating",
        pm_creates=True,
        pm_changes=True,
        private=True,
        private_parent="assessment_id",
    ),
    Spec(
        path="/growth-plans",
        model=GrowthPlan,
        make=make_plan,
        create=lambda w: {
            "person_id": report(w).pk,
            "title": "Towards principal PM",
            "target_level_id": level("principal_pm").pk,
            "start": "2026-02-01",
            "end": "2026-12-31",
            "status": "active",
            "summary": "Lead the platform strategy",
        },
        patch={"title": "Towards principal product manager", "status": "completed"},
        bad_type=("start", "soon"),
        required="title",
        unknown_ref="target_level_id",
        too_long=("title", 200),
        invalid=lambda w: (
            {
                "person_id": report(w).pk,
                "title": "Back",
                "start": "2026-05-01",
                "end": "2026-04-01",
            },
            "end",
        ),
        filter_case=filter_plans,
        order_field="start",
        pm_creates=True,
        pm_changes=True,
        private=True,
    ),
    Spec(
        path="/growth-goals",
        model=GrowthGoal,
        make=make_goal,
        create=lambda w: {
            "plan_id": make_plan(w).pk,
            "competency_id": competency("communication").pk,
            "description": "Present the roadmap to the executives",
            "status": "in_progress",
            "due": "2026-09-30",
        },
        patch={"status": "done", "description": "Presented the roadmap"},
        bad_type=("due", "later"),
        required="description",
        unknown_ref="plan_id",
        too_long=None,
        invalid=lambda w: ({"plan_id": make_plan(w).pk, "description": ""}, "description"),
        filter_case=filter_goals,
        order_field="due",
        pm_creates=True,
        pm_changes=True,
        private=True,
        private_parent="plan_id",
    ),
    Spec(
        path="/check-ins",
        model=CheckIn,
        make=make_check_in,
        create=lambda w: {"plan_id": make_plan(w).pk, "held_on": "2026-03-01", "notes": "Good"},
        patch={"notes": "Behind on the interviews goal"},
        bad_type=("held_on", "monday"),
        required="notes",
        unknown_ref="plan_id",
        too_long=None,
        invalid=lambda w: (
            {"plan_id": make_plan(w).pk, "held_on": "2026-03-01", "notes": ""},
            "notes",
        ),
        filter_case=filter_check_ins,
        order_field="held_on",
        pm_creates=True,
        pm_changes=True,
        private=True,
        private_parent="plan_id",
    ),
    Spec(
        path="/one-on-ones",
        model=OneOnOne,
        make=make_one_on_one,
        create=lambda w: {
            "person_id": report(w).pk,
            "with_person_id": manager(w).pk,
            "held_on": "2026-04-08",
            "notes": "Career goals",
        },
        patch={"notes": "Career goals and the launch", "held_on": "2026-04-09"},
        bad_type=("held_on", "today"),
        required="with_person_id",
        unknown_ref="with_person_id",
        too_long=None,
        invalid=lambda w: _same_two(w),
        filter_case=filter_one_on_ones,
        order_field="held_on",
        pm_creates=True,
        pm_changes=True,
        private=True,
    ),
    Spec(
        path="/action-items",
        model=ActionItem,
        make=make_action,
        create=lambda w: {
            "one_on_one_id": make_one_on_one(w).pk,
            "text": "Book the design review",
            "owner_id": manager(w).pk,
            "due": "2026-05-01",
            "done": False,
        },
        patch={"done": True, "text": "Booked the design review"},
        bad_type=("done", "maybe"),
        required="text",
        unknown_ref="one_on_one_id",
        too_long=("text", 300),
        invalid=lambda w: ({"one_on_one_id": make_one_on_one(w).pk, "text": ""}, "text"),
        filter_case=filter_actions,
        order_field="due",
        pm_creates=True,
        pm_changes=True,
        private=True,
        private_parent="one_on_one_id",
    ),
]


def _same_two(w: World) -> tuple[dict, str]:
    someone = report(w).pk
    body = {"person_id": someone, "with_person_id": someone, "held_on": "2026-04-08"}
    return body, "with_person_id"
