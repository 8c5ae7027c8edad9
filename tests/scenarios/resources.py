"""Scenarios' rows of the API test matrices (tests/api/resources.py).

Product managers create scenarios and change the ones they wrote (and those
scenarios' changes); product leaders and admins change any. The objects built here
are written by the world's product manager.

tests/api/resources.py imports this module after defining Spec and World; import the
rows through it (`from tests.api.resources import SPECS`), not from here.
"""

from __future__ import annotations

import datetime as dt
import itertools

from pilothouse.scenarios.models import Scenario, ScenarioChange
from tests.api.resources import Spec, World
from tests.factories import FeatureFactory

_serial = itertools.count(1)
FIRST = dt.date(2027, 1, 1)


def scenario_writers(role: str, method: str) -> bool:
    """Every product manager drafts scenarios; only their author changes them."""
    if role in {"admin", "product_leader", "pm_owner"}:
        return True
    return role == "pm_other" and method == "create"


def make_scenario(w: World, name: str | None = None) -> Scenario:
    return Scenario.objects.create(
        name=name or f"Scenario {next(_serial)}",
        first_period=FIRST,
        period_count=2,
        created_by=w.pm,
    )


def filter_scenarios(w: World) -> tuple[dict, list[int]]:
    make_scenario(w, name=f"Zebra {next(_serial)}")
    found = Scenario.objects.filter(name__icontains="zebra").values_list("pk", flat=True)
    return {"q": "zebra"}, list(found)


def make_change(w: World) -> ScenarioChange:
    return ScenarioChange.objects.create(
        scenario=make_scenario(w),
        kind="drop_feature",
        feature=FeatureFactory(product=w.product),
        created_by=w.pm,
    )


def filter_changes(w: World) -> tuple[dict, list[int]]:
    ScenarioChange.objects.create(
        scenario=make_scenario(w), kind="add_team", team_name=f"New {next(_serial)}", person_weeks=3
    )
    found = ScenarioChange.objects.filter(kind="add_team").values_list("pk", flat=True)
    return {"kind": "add_team"}, list(found)


SCENARIO_SPECS = [
    Spec(
        path="/scenarios",
        model=Scenario,
        make=make_scenario,
        create=lambda w: {"name": "Plan B", "first_period": "2027-01-01", "period_count": 2},
        patch={"name": "Plan C", "description": "Fewer bets"},
        bad_type=("period_count", "four"),
        required="name",
        unknown_ref="scoring_model_id",
        too_long=("name", 120),
        invalid=lambda w: ({"name": "Odd", "first_period": "2027-02-01"}, "first_period"),
        filter_case=filter_scenarios,
        order_field="name",
        pm_creates=True,
        pm_changes=True,
        allowed=scenario_writers,
    ),
    Spec(
        path="/scenario-changes",
        model=ScenarioChange,
        make=make_change,
        create=lambda w: {
            "scenario_id": make_scenario(w).pk,
            "kind": "drop_feature",
            "feature_id": FeatureFactory(product=w.product).pk,
        },
        patch={"note": "Not this year"},
        bad_type=("period_start", "spring"),
        required="kind",
        unknown_ref="feature_id",
        too_long=("note", 200),
        invalid=lambda w: (
            {"scenario_id": make_scenario(w).pk, "kind": "drop_feature"},
            "feature_id",
        ),
        filter_case=filter_changes,
        order_field="kind",
        pm_creates=True,
        pm_changes=True,
    ),
]
