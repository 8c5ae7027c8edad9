"""Dependencies between features: writes (refusing cycles) and schedule conflicts.

A dependency `blocker -> blocked` says the blocked feature cannot be done before its
blocker. The graph rules (cycles, conflicts, date propagation) live in
engines.roadmap.dependencies; this module feeds it from the database.

A feature is planned to finish at its target release's date (or when it was completed),
and starts on `started_on` when work began. A dependent planned to finish before its
blocker, or started while its blocker is still unfinished, is a conflict, flagged on the
roadmap and in the API.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from pilothouse.core import locks
from pilothouse.core.models import User
from pilothouse.core.writes import ModelWrites
from pilothouse.engines.roadmap.dependencies import Conflict, Window, find_cycle, schedule_conflicts
from pilothouse.roadmap.models import Dependency, Feature

LOCK_NAME = "roadmap.dependencies"

CONFLICT_MESSAGES = {
    "blocked_ends_before_blocker": "planned to finish ({blocked_date}) before its blocker "
    "{blocker} ({blocker_end})",
    "blocked_starts_before_blocker_ends": "started ({blocked_date}) before its blocker "
    "{blocker} finishes ({blocker_end})",
    "blocker_unscheduled": "scheduled, but its blocker {blocker} is not",
}


class DependencyWrites(ModelWrites):
    """Adding a dependency is refused when it would close a cycle; the message names the
    features around the cycle. The pair is fixed once made: to change it, remove it and
    add another."""

    def create(self, *, actor: User | None, data: Any, m2m: Any = None) -> Dependency:
        with transaction.atomic():
            locks.serialize(LOCK_NAME)  # two new edges could close a cycle together
            _refuse_cycle(
                blocker_id=data.get("blocker_id") or _pk(data.get("blocker")),
                blocked_id=data.get("blocked_id") or _pk(data.get("blocked")),
            )
            return super().create(actor=actor, data=data, m2m=m2m)

    def prepare(self, instance: Any, data: dict[str, Any]) -> dict[str, Any]:
        if instance is not None:
            for name in ("blocker", "blocked"):
                value = data.get(name, data.get(f"{name}_id"))
                if value is not None and _pk(value) != getattr(instance, f"{name}_id"):
                    raise ValidationError(
                        {name: "A dependency's features are fixed: remove it and add another."}
                    )
        return data


def _pk(value: Any) -> int | None:
    return value.pk if isinstance(value, Feature) else value


def _refuse_cycle(*, blocker_id: int | None, blocked_id: int | None) -> None:
    if blocker_id is None or blocked_id is None:
        return  # full_clean names the missing field
    if blocker_id == blocked_id:
        raise ValidationError({"blocked": "A feature cannot block itself."})
    edges = Dependency.objects.values_list("blocker_id", "blocked_id")
    cycle = find_cycle(edges=edges.iterator(chunk_size=5000), new_edge=(blocker_id, blocked_id))
    if cycle:
        titles = dict(Feature.objects.filter(pk__in=set(cycle)).values_list("pk", "title"))
        path = " → ".join(f"{titles.get(pk, pk)} (#{pk})" for pk in cycle)
        raise ValidationError({"blocked": f"This dependency would close a cycle: {path}."})


dependency = DependencyWrites(Dependency)


def feature_window(feature: Feature) -> Window:
    """When a feature is planned: from its start to its completion, or to its release."""
    release = feature.target_release
    end = feature.completed_on or (release.target_date if release is not None else None)
    start = feature.started_on
    if start is not None and end is not None and start > end:
        start = None  # started after its release's date: the release date is what is late
    return Window(start=start, end=end)


def conflicts_for(*, features: Iterable[Feature]) -> dict[int, list[str]]:
    """{feature id: [what is wrong with its schedule]} for the given features, read in two
    queries whatever their number: their blockers, then the blockers' schedules."""
    features = list(features)
    if not features:
        return {}
    by_id = {f.pk: f for f in features}
    edges = list(
        Dependency.objects.filter(blocked_id__in=by_id).values_list("blocker_id", "blocked_id")
    )
    if not edges:
        return {}
    missing = {blocker for blocker, _ in edges} - by_id.keys()
    blockers = Feature.objects.filter(pk__in=missing).select_related("target_release")
    return conflict_sentences(edges=edges, features={**by_id, **{b.pk: b for b in blockers}})


# What a schedule conflict reads of a dependency and its blocker (with the blocker's
# release): the columns to load for conflict_sentences and decorate_conflicts.
CONFLICT_COLUMNS = (
    "blocker_id",
    "blocked_id",
    "blocker__title",
    "blocker__started_on",
    "blocker__completed_on",
    "blocker__target_release__target_date",
)


def conflict_sentences(
    *, edges: list[tuple[int, int]], features: dict[int, Feature]
) -> dict[int, list[str]]:
    """{blocked id: [sentences]} for these edges, from features already read (each with
    its target release): no query."""
    schedule = {pk: feature_window(f) for pk, f in features.items()}
    titles = {pk: f.title for pk, f in features.items()}
    found: dict[int, list[str]] = {}
    for conflict in schedule_conflicts(edges=edges, schedule=schedule):
        found.setdefault(conflict.blocked, []).append(describe(conflict, titles=titles))
    return found


def decorate_conflicts(features: list[Feature]) -> None:
    """Set `schedule_conflicts` on each feature (a list of sentences; empty if none).
    The features come with their `blocked_by` prefetched with each blocker and its
    release (selectors.feature_api_list): no query."""
    by_id = {f.pk: f for f in features}
    edges = []
    for f in features:
        for d in f.blocked_by.all():
            edges.append((d.blocker_id, f.pk))
            by_id.setdefault(d.blocker_id, d.blocker)
    found = conflict_sentences(edges=edges, features=by_id) if edges else {}
    for feature in features:
        feature.schedule_conflicts = found.get(feature.pk, [])


def describe(conflict: Conflict, *, titles: dict[int, str]) -> str:
    text = CONFLICT_MESSAGES[conflict.reason].format(
        blocker=f"“{titles.get(conflict.blocker, conflict.blocker)}”",
        blocker_end=conflict.blocker_end.isoformat() if conflict.blocker_end else "unscheduled",
        blocked_date=conflict.blocked_date.isoformat() if conflict.blocked_date else "",
    )
    return text[0].upper() + text[1:]
