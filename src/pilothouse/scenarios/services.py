"""Every write of scenarios: scenarios and their changes (core.writes underneath),
auto-plan runs, and applying a scenario to the live roadmap through the owning apps'
services, all or nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from pilothouse.core import permissions
from pilothouse.core.errors import ConflictError
from pilothouse.core.models import User
from pilothouse.core.writes import ModelWrites
from pilothouse.delivery import services as delivery_services
from pilothouse.delivery.models import CapacityPeriod, FeatureAssignment, Team
from pilothouse.engines import planning
from pilothouse.roadmap import services as roadmap_services
from pilothouse.roadmap.models import Dependency, Feature, Release
from pilothouse.scenarios import autoplan, selectors
from pilothouse.scenarios import plan as plans
from pilothouse.scenarios.models import (
    AutoPlanRun,
    ChangeKind,
    Scenario,
    ScenarioChange,
    ScenarioStatus,
)
from pilothouse.scenarios.periods import horizon_column


class StaleChange(ConflictError):
    """A live object changed since the scenario's change was made: its message names
    the change (answered 409 like any stale version)."""

    def __init__(self, message: str, cause: ConflictError) -> None:
        super().__init__(current_version=cause.current_version, given_version=cause.given_version)
        self.args = (message,)

    def __str__(self) -> str:
        return self.args[0]


def may_apply(user: User | None) -> bool:
    """Applying changes the live roadmap for everyone: product leaders and admins only."""
    return permissions.is_portfolio_wide(user)


class ChangeWrites(ModelWrites):
    """A change remembers the version of the live object it was made against; editing
    only its note keeps that version (the change still targets what it was made for)."""

    TARGET_FIELDS = ("kind", "feature", "release", "team", "period_start")

    def prepare(self, instance: ScenarioChange | None, data: dict[str, Any]) -> dict[str, Any]:
        if instance is not None and not set(data) & set(self.TARGET_FIELDS):
            return data
        merged = {
            name: data.get(name, getattr(instance, name, None) if instance else None)
            for name in self.TARGET_FIELDS
        }
        data["base_version"] = _base_version(merged)
        return data

    def delete(self, *, actor, instance, version=None):
        status = Scenario.objects.filter(pk=instance.scenario_id).values_list("status", flat=True)
        if status.first() != ScenarioStatus.DRAFT:
            raise ValidationError({"scenario": "Only a draft scenario's changes are removed."})
        return super().delete(actor=actor, instance=instance, version=version)


def _base_version(fields: Mapping[str, Any]) -> int | None:
    kind = fields["kind"]
    if kind in {ChangeKind.DROP_FEATURE, ChangeKind.MOVE_FEATURE} and fields["feature"]:
        return getattr(fields["feature"], "version", None)
    if kind == ChangeKind.MOVE_DATE and fields["release"]:
        return getattr(fields["release"], "version", None)
    if kind == ChangeKind.CHANGE_CAPACITY and fields["team"] and fields["period_start"]:
        found = CapacityPeriod.objects.filter(
            team=fields["team"], start=fields["period_start"]
        ).values_list("version", flat=True)
        return next(iter(found), None)
    return None


scenario = ModelWrites(Scenario)
scenario_change = ChangeWrites(ScenarioChange)


# --- auto-plan runs -----------------------------------------------------------------


def _blockers(feature_ids: set[int]) -> tuple[dict[int, set[int]], set[int]]:
    """Each feature's blockers, and which of those are done. One query."""
    rows = Dependency.objects.filter(blocked_id__in=feature_ids).values_list(
        "blocked_id", "blocker_id", "blocker__stage", "blocker__completed_on"
    )
    found: dict[int, set[int]] = {}
    done = set()
    for blocked, blocker, stage, completed in rows:
        found.setdefault(blocked, set()).add(blocker)
        if completed is not None or stage in selectors.delivery_selectors.DONE_STAGES:
            done.add(blocker)
    return found, done


def auto_plan_run(
    *,
    actor: User | None,
    data: Mapping[str, Any],
    team_ids: list[int] | None = None,
    today: dt.date | None = None,
    workers: int = 2,
) -> AutoPlanRun:
    """Plan the live roadmap with the engine and record the run. With a plan, the
    proposal becomes a draft scenario whose changes move and drop features to match it;
    without one (infeasible dates, bad input the engine refuses, no plan in time) only
    the run is written, with its status and the engine's explanation."""
    if actor is not None:
        permissions.require(permissions.can_create(actor, parent=None, model=AutoPlanRun))
    today = today or timezone.localdate()
    known = Team.objects.filter(pk__in=team_ids or ()).values_list("pk", flat=True)
    unknown = sorted(set(team_ids or ()) - set(known))
    if unknown:
        raise ValidationError({"team_ids": f"Unknown teams: {', '.join(map(str, unknown))}."})
    run = AutoPlanRun(**data)
    run.full_clean(exclude=["scenario"])
    live = selectors.live_plan(periods=run.periods(), today=today, team_ids=team_ids or None)
    values = selectors.feature_values(scoring_model=run.scoring_model, feature_ids=live.items)
    blockers, done = _blockers(set(live.items))
    built = autoplan.build_problem(
        live,
        values=values,
        blockers=blockers,
        done=done,
        keep_committed_dates=run.keep_committed_dates,
    )
    result: dict[str, Any] = {"notes": built.notes}
    try:
        answer = planning.auto_plan(
            built.problem, time_limit_s=run.time_limit_s, workers=workers, seed=0
        )
    except planning.PlanningError as exc:
        result.update(status="error", explanation=[str(exc)])
        answer = None
    else:
        result.update(
            status=answer.status,
            value=answer.value if answer.status in {"optimal", "feasible"} else None,
            bound=answer.bound,
            gap=answer.gap,
            solve_seconds=round(answer.solve_seconds, 3),
            explanation=list(answer.explanation),
            placements={str(pk): period for pk, period in answer.placements.items()},
        )
    with transaction.atomic():
        run = auto_plan.create(actor=actor, data={**data, **result}, m2m={"teams": team_ids or []})
        if answer is not None and answer.status in {"optimal", "feasible"}:
            proposed = _propose(actor=actor, run=run, live=live, answer=answer, today=today)
            run = auto_plan.update(
                actor=actor, instance=run, version=run.version, data={"scenario": proposed}
            )
    return run


def _propose(
    *, actor, run: AutoPlanRun, live: plans.Plan, answer: planning.PlanResult, today: dt.date
) -> Scenario:
    status = "optimal" if answer.status == "optimal" else f"gap {answer.gap:.1%}"
    made = scenario.create(
        actor=actor,
        data={
            "name": f"Auto-plan run {run.pk} ({status})",
            "description": "Proposed by the planner.\n\n"
            + "\n".join(f"- {line}" for line in run.explanation),
            "granularity": run.granularity,
            "first_period": run.first_period,
            "period_count": run.period_count,
            "scoring_model": run.scoring_model,
        },
    )
    proposed = autoplan.proposal(live, answer.placements, today=today)
    features = Feature.objects.in_bulk([change.feature_id for change in proposed])
    for change in proposed:
        scenario_change.create(
            actor=actor,
            data={
                "scenario": made,
                "kind": change.kind,
                "feature": features[change.feature_id],
                "period_start": change.period_start,
            },
        )
    return made


auto_plan = ModelWrites(AutoPlanRun)


# --- applying a scenario ------------------------------------------------------------


def _named(change: ScenarioChange, exc: Exception) -> str:
    detail = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
    return f"Change {change.pk} ({change.get_kind_display().lower()}): {detail}"


def scenario_apply(
    *, actor: User | None, instance: Scenario, version: int | None, today: dt.date | None = None
) -> Scenario:
    """Make the scenario's changes to the live roadmap through the owning apps' services,
    in one transaction, each write change-logged with the actor; then mark it applied.
    A refused write (permission, a live object changed since the change was made,
    validation) applies nothing, and the error names the change."""
    if actor is not None:
        permissions.require(may_apply(actor), "Only product leaders and admins apply scenarios.")
    today = today or timezone.localdate()
    with transaction.atomic():
        current = Scenario.objects.select_for_update().get(pk=instance.pk)
        if version is not None and current.version != version:
            raise ConflictError(current_version=current.version, given_version=version)
        if current.status != ScenarioStatus.DRAFT:
            raise ValidationError(
                {"status": f"This scenario is {current.status}: only drafts apply."}
            )
        changes = selectors.changes_of(scenario=current)
        periods = {period.start: period for period in current.periods()}
        live = selectors.live_plan(periods=current.periods(), today=today)
        changed = plans.applied(live, selectors.change_specs(changes))
        added: dict[str, Team] = {}
        for change in sorted(changes, key=lambda c: plans.ORDER.get(c.kind, 9)):
            try:
                _apply_one(
                    actor, change, periods=periods, changed=changed, added=added, today=today
                )
            except ConflictError as exc:
                raise StaleChange(_named(change, exc), exc) from exc
            except PermissionDenied as exc:
                raise PermissionDenied(_named(change, exc)) from exc
            except ValidationError as exc:
                raise ValidationError({"changes": _named(change, exc)}) from exc
        return scenario.update(
            actor=actor,
            instance=current,
            version=current.version,
            data={
                "status": ScenarioStatus.APPLIED,
                "applied_at": timezone.now(),
                "applied_by": actor,
            },
        )


def _apply_one(
    actor, change: ScenarioChange, *, periods, changed: plans.Plan, added, today
) -> None:
    kind = change.kind
    if kind == ChangeKind.MOVE_DATE:
        roadmap_services.release.update(
            actor=actor,
            instance=change.release,
            version=change.base_version,
            data={"target_date": change.target_date},
        )
    elif kind == ChangeKind.DROP_FEATURE:
        roadmap_services.feature.update(
            actor=actor,
            instance=change.feature,
            version=change.base_version,
            data={"horizon": "", "target_release": None},
        )
        # The team stops working on it too: the scenario counted none of its team's
        # time for it, so the releases behind it get the dates the scenario showed.
        queued = FeatureAssignment.objects.filter(feature_id=change.feature_id).first()
        if queued is not None:
            delivery_services.assignment.delete(
                actor=actor, instance=queued, version=queued.version
            )
    elif kind == ChangeKind.MOVE_FEATURE:
        period = periods[change.period_start]
        item = changed.items.get(change.feature_id)
        release_id = item.release_id if item is not None else None
        release = Release.objects.filter(pk=release_id).first() if release_id else None
        feature = roadmap_services.feature.update(
            actor=actor,
            instance=change.feature,
            version=change.base_version,
            data={
                "horizon": horizon_column(period, today=today),
                "target_release": release,
            },
        )
        if change.team_id is not None:
            _assign(actor, feature, change.team)
    elif kind == ChangeKind.ADD_TEAM:
        team = delivery_services.team.create(actor=actor, data={"name": change.team_name.strip()})
        added[team.name] = team
        for period in periods.values():
            delivery_services.capacity_period.create(
                actor=actor,
                data={
                    "team": team,
                    "granularity": change.scenario.granularity,
                    "start": period.start,
                    "person_weeks": change.person_weeks,
                    "note": f"From scenario {change.scenario}",
                },
            )
    elif kind == ChangeKind.CHANGE_CAPACITY:
        existing = CapacityPeriod.objects.filter(
            team=change.team, start=change.period_start
        ).first()
        if existing is None:
            delivery_services.capacity_period.create(
                actor=actor,
                data={
                    "team": change.team,
                    "granularity": change.scenario.granularity,
                    "start": change.period_start,
                    "person_weeks": change.person_weeks,
                },
            )
        else:
            delivery_services.capacity_period.update(
                actor=actor,
                instance=existing,
                version=change.base_version
                if change.base_version is not None
                else existing.version,
                data={"person_weeks": change.person_weeks},
            )


def _assign(actor, feature: Feature, team: Team) -> None:
    current = FeatureAssignment.objects.filter(feature=feature).first()
    if current is None:
        delivery_services.assignment.create(actor=actor, data={"feature": feature, "team": team})
    elif current.team_id != team.pk:
        delivery_services.assignment.update(
            actor=actor, instance=current, version=current.version, data={"team": team}
        )
