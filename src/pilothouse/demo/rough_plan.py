"""The demo's rough plan beyond next quarter: most cards of the "later" column are
pencilled in to a release of the two quarters after next, the quarters the teams'
capacity periods cover (demo.delivery), so that demand, the timeline by team and the
scenario comparison show a plan there, busier in some quarters than in others.

- Planned features in "later" keep their release; candidates are pencilled in at
  CANDIDATE_SHARE; ideas, not shaped yet, and the other candidates stay unscheduled.
  Together that is about half to two thirds of the column.
- Each product spreads its plan over the two quarters in its own way (PROFILES): one
  front-loads, another builds up to a big push, so that some teams are at risk or
  over-committed in one quarter and comfortable in the other.
- A feature is never planned before its blockers: it goes to a release whose quarter
  starts on or after every blocker's planned end, and stays unscheduled if a blocker has
  no date. Blockers come before their dependents in the roadmap's order (demo.planning),
  so one pass settles the blockers first.

Runs from its own random stream after the dependencies are drawn; the features' target
releases are rewritten in bulk (no change records).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Sequence

from pilothouse.demo.clock import Clock, Quarter, quarter_of
from pilothouse.demo.roadmap import Roadmap
from pilothouse.roadmap.models import Dependency, Feature, FeatureStage, Horizon, Release
from pilothouse.roadmap.models import ReleaseStatus as R

F = FeatureStage
QUARTERS_AFTER_NEXT = 2  # capacity periods cover this quarter and the next three
CANDIDATE_SHARE = 0.8
# Weights of the quarters after next, one profile drawn per product.
PROFILES = ((3, 1), (2, 1), (1, 1), (1, 2), (1, 3))
OPEN_RELEASES = frozenset({R.PLANNED, R.IN_PROGRESS})


def quarters_after_next(today: dt.date) -> list[Quarter]:
    return [quarter_of(today, 2 + index) for index in range(QUARTERS_AFTER_NEXT)]


def plan_beyond_next(
    *,
    roadmap: Roadmap,
    dependencies: Sequence[Dependency],
    clock: Clock,
    seed: int,
    batch_size: int,
) -> int:
    """Pencil the "later" features in (see the module); returns how many have a release."""
    rng = random.Random(f"rough-plan-{seed}")
    quarters = quarters_after_next(clock.today)
    slots = _release_slots(roadmap.releases, quarters)
    blockers: dict[int, list[Feature]] = defaultdict(list)
    by_pk = {feature.pk: feature for feature in roadmap.features}
    for dependency in dependencies:
        blockers[dependency.blocked_id].append(by_pk[dependency.blocker_id])
    profiles: dict[int, tuple[int, ...]] = {}
    changed: list[Feature] = []
    planned = 0
    for feature in roadmap.features:
        if feature.horizon != Horizon.LATER:
            continue
        if feature.product_id not in profiles:
            profiles[feature.product_id] = rng.choice(PROFILES)
        before = feature.target_release
        release = _choose(
            feature,
            options=slots.get(feature.product_id, []),
            quarters=quarters,
            blocker_ends=[_end(blocker) for blocker in blockers.get(feature.pk, ())],
            weights=profiles[feature.product_id],
            rng=rng,
        )
        feature.target_release = release
        planned += release is not None
        if release is not before:
            changed.append(feature)
    Feature.objects.bulk_update(changed, ["target_release"], batch_size=batch_size)
    return planned


def _release_slots(
    releases: Sequence[Release], quarters: Sequence[Quarter]
) -> dict[int, list[list[Release]]]:
    """{product id: [its open releases in each quarter]}, soonest first."""
    slots: dict[int, list[list[Release]]] = {}
    for release in sorted(releases, key=lambda r: (r.target_date, r.pk)):
        if release.status not in OPEN_RELEASES:
            continue
        for index, quarter in enumerate(quarters):
            if quarter.start <= release.target_date <= quarter.end:
                by_quarter = slots.setdefault(release.product_id, [[] for _ in quarters])
                by_quarter[index].append(release)
    return slots


def _end(feature: Feature) -> dt.date | None:
    """When a feature is planned to be done (as roadmap.dependencies reads it)."""
    release = feature.target_release
    return feature.completed_on or (release.target_date if release is not None else None)


def _choose(
    feature: Feature,
    *,
    options: Sequence[Sequence[Release]],
    quarters: Sequence[Quarter],
    blocker_ends: Sequence[dt.date | None],
    weights: Sequence[int],
    rng: random.Random,
) -> Release | None:
    share = {F.PLANNED: 1.0, F.CANDIDATE: CANDIDATE_SHARE}.get(feature.stage, 0.0)
    if rng.random() >= share or not options or None in blocker_ends:
        return None
    earliest = max((end for end in blocker_ends if end is not None), default=None)
    open_quarters = [
        index
        for index, quarter in enumerate(quarters)
        if options[index] and (earliest is None or quarter.start >= earliest)
    ]
    if not open_quarters:
        return None
    current = feature.target_release
    for index in open_quarters:
        if current in options[index] and feature.stage == F.PLANNED:
            return current  # a planned feature keeps its date when it may
    index = rng.choices(open_quarters, weights=[weights[i] for i in open_quarters])[0]
    return rng.choice(options[index])
