"""The demo's planning layer: launch dates, the now / next / later board, Kano categories,
feature tags, dependencies, the rough plan of the "later" column (demo.rough_plan),
milestones, and two monthly roadmap snapshots from the past so that "what changed" has
a story to tell on the first visit.

It runs after the roadmap is written and draws from its own random stream, so adding it
changed nothing else the generator makes. The past snapshots are made from today's
roadmap by undoing plausible changes (items added since, moves between horizons, dates
that slipped, work that started), the way the roadmap would have looked.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass

from django.utils import timezone

from pilothouse.core.ordering import RANK_STEP
from pilothouse.demo.clock import Clock, quarter_of
from pilothouse.demo.portfolio import Portfolio
from pilothouse.demo.roadmap import Roadmap
from pilothouse.demo.rough_plan import plan_beyond_next
from pilothouse.engines.roadmap.snapshots import RoadmapItem, item_to_json
from pilothouse.portfolio.models import Product
from pilothouse.roadmap.models import (
    Dependency,
    Feature,
    FeatureStage,
    FeatureTag,
    Horizon,
    KanoCategory,
    Milestone,
    RoadmapSnapshot,
    SnapshotKind,
)
from pilothouse.roadmap.snapshots import live_items, quarter

F = FeatureStage
UPCOMING = frozenset({F.IDEA, F.CANDIDATE, F.PLANNED, F.IN_PROGRESS})
TAGS = (
    "mobile",
    "enterprise",
    "compliance",
    "performance",
    "accessibility",
    "integrations",
    "security",
    "self-serve",
    "ai-assist",
    "reporting",
)
KANO_WEIGHTS = {
    KanoCategory.ONE_DIMENSIONAL: 35,
    KanoCategory.ATTRACTIVE: 25,
    KanoCategory.MUST_BE: 25,
    KanoCategory.INDIFFERENT: 10,
    KanoCategory.REVERSE: 3,
    KanoCategory.QUESTIONABLE: 2,
}
# (name, days from today, how many products it concerns, description)
MILESTONES = (
    ("Pricing and packaging change", 25, 3, "New plans go live for new customers."),
    ("Customer advisory board", 48, 0, "Roadmap review with twelve key accounts."),
    ("SOC 2 Type II audit window", 70, 4, "Evidence collection closes at the end of the week."),
    ("Annual user conference", 120, 5, "Keynote launches; demos must be production-ready."),
    ("Fiscal year end", 160, 0, "Budget and headcount for next year are locked."),
    ("EU Accessibility Act deadline", 210, 3, "Public-facing products must conform."),
)


@dataclass(frozen=True)
class PlanningSummary:
    tags: int
    dependencies: int
    milestones: int
    snapshots: int


def create_planning(
    *, portfolio: Portfolio, roadmap: Roadmap, clock: Clock, seed: int, batch_size: int
) -> PlanningSummary:
    rng = random.Random(f"planning-{seed}")
    _launch_dates(portfolio=portfolio, roadmap=roadmap, batch_size=batch_size)
    _board_and_kano(roadmap=roadmap, clock=clock, rng=rng, batch_size=batch_size)
    tags = _tags(roadmap=roadmap, rng=rng, batch_size=batch_size)
    dependencies = _dependencies(roadmap=roadmap, rng=rng, batch_size=batch_size)
    plan_beyond_next(
        roadmap=roadmap,
        dependencies=dependencies,
        clock=clock,
        seed=seed,
        batch_size=batch_size,
    )
    milestones = _milestones(portfolio=portfolio, clock=clock, rng=rng)
    snapshots = _past_snapshots(clock=clock, rng=rng)
    return PlanningSummary(
        tags=tags, dependencies=len(dependencies), milestones=milestones, snapshots=snapshots
    )


def _launch_dates(*, portfolio: Portfolio, roadmap: Roadmap, batch_size: int) -> None:
    """A product launched a month before its first release; products still being built
    have none yet."""
    first: dict[int, dt.date] = {}
    for release in roadmap.releases:
        if release.target_date is not None:
            known = first.get(release.product_id)
            first[release.product_id] = (
                min(known, release.target_date) if known else release.target_date
            )
    launched = [
        demo.product
        for demo in portfolio.products
        if demo.spec.stage not in {"discovery", "build"} and demo.product.pk in first
    ]
    for product in launched:
        product.launch_date = first[product.pk] - dt.timedelta(days=30)
    Product.objects.bulk_update(launched, ["launch_date"], batch_size=batch_size)


def _horizon(feature: Feature, *, clock: Clock, rng: random.Random) -> str:
    """The column a feature's stage and date put it in: planned work due after next
    quarter is "later", like most candidates."""
    if feature.stage == F.IN_PROGRESS:
        return Horizon.NOW
    if feature.stage == F.PLANNED:
        release = feature.target_release
        if release is None:
            return Horizon.NEXT
        if release.target_date <= clock.days_ahead(75):
            return Horizon.NOW
        return (
            Horizon.NEXT if release.target_date <= quarter_of(clock.today, 1).end else Horizon.LATER
        )
    if feature.stage == F.CANDIDATE:
        return Horizon.LATER if rng.random() < 0.7 else ""
    if feature.stage == F.IDEA:
        return Horizon.LATER if rng.random() < 0.12 else ""
    return ""


def _board_and_kano(*, roadmap: Roadmap, clock: Clock, rng: random.Random, batch_size: int) -> None:
    columns: dict[str, list[Feature]] = defaultdict(list)
    kinds, weights = list(KANO_WEIGHTS), list(KANO_WEIGHTS.values())
    for feature in roadmap.features:
        feature.horizon = _horizon(feature, clock=clock, rng=rng)
        if feature.horizon:
            columns[feature.horizon].append(feature)
        if feature.stage != F.REJECTED and rng.random() < 0.35:
            feature.kano = rng.choices(kinds, weights=weights)[0]
    for cards in columns.values():
        rng.shuffle(cards)
        for index, card in enumerate(cards):
            card.horizon_rank = index * RANK_STEP
    Feature.objects.bulk_update(
        roadmap.features, ["horizon", "horizon_rank", "kano"], batch_size=batch_size
    )


def _tags(*, roadmap: Roadmap, rng: random.Random, batch_size: int) -> int:
    tags = FeatureTag.objects.bulk_create([FeatureTag(name=name) for name in TAGS])
    through = Feature.tags.through
    links = []
    for feature in roadmap.features:
        if rng.random() < 0.4:
            for tag in rng.sample(tags, k=rng.choice((1, 1, 2))):
                links.append(through(feature_id=feature.pk, featuretag_id=tag.pk))
    through.objects.bulk_create(links, batch_size=batch_size)
    return len(tags)


def _dependencies(*, roadmap: Roadmap, rng: random.Random, batch_size: int) -> list[Dependency]:
    """Within each product, some upcoming work waits for other upcoming work. A blocker
    always comes earlier in the roadmap's order, so the graph has no cycle; some
    dependents due by next quarter are planned too early, which the roadmap then flags
    (the rough plan beyond it respects the blockers: demo.rough_plan)."""
    upcoming: dict[int, list[Feature]] = defaultdict(list)
    for feature in roadmap.features:
        if feature.stage in {F.CANDIDATE, F.PLANNED, F.IN_PROGRESS}:
            upcoming[feature.product_id].append(feature)
    rows = []
    for features in upcoming.values():
        for index, feature in enumerate(features):
            if index and rng.random() < 0.12:
                blocker = features[rng.randrange(index)]
                rows.append(Dependency(blocker_id=blocker.pk, blocked_id=feature.pk))
    return Dependency.objects.bulk_create(rows, batch_size=batch_size)


def _milestones(*, portfolio: Portfolio, clock: Clock, rng: random.Random) -> int:
    products = [demo.product for demo in portfolio.products if demo.spec.stage != "retired"]
    for name, days, count, description in MILESTONES:
        milestone = Milestone.objects.create(
            name=name, date=clock.days_ahead(days), description=description
        )
        if count:
            milestone.products.set(rng.sample(products, k=min(count, len(products))))
    return len(MILESTONES)


def _past_snapshots(*, clock: Clock, rng: random.Random) -> int:
    """The monthly snapshots of the last two months, rebuilt from today's roadmap."""
    items = live_items()
    first_of_month = clock.today.replace(day=1)
    taken = []
    for months_back, share in ((2, 1.0), (1, 0.5)):
        start = first_of_month
        for _ in range(months_back):
            start = (start - dt.timedelta(days=1)).replace(day=1)
        older = _undo_changes(items, rng=rng, share=share)
        moment = timezone.make_aware(dt.datetime.combine(start, dt.time(6, 0)))
        taken.append(
            RoadmapSnapshot(
                name=f"Monthly snapshot, {start:%B %Y}",
                kind=SnapshotKind.MONTHLY,
                taken_at=moment,
                month=f"{start:%Y-%m}",
                items=[item_to_json(item) for item in older],
                item_count=len(older),
            )
        )
    RoadmapSnapshot.objects.bulk_create(taken)
    return len(taken)


def _undo_changes(
    items: list[RoadmapItem], *, rng: random.Random, share: float
) -> list[RoadmapItem]:
    """The roadmap before some of today's changes: `share` scales how many are undone."""
    older = []
    for item in items:
        roll = rng.random() / share
        if roll < 0.08:
            continue  # added since
        if roll < 0.16 and item.horizon == Horizon.NOW:
            item = dataclasses.replace(item, horizon=Horizon.NEXT)
        elif roll < 0.22 and item.end is not None and item.stage in UPCOMING:
            earlier = item.end - dt.timedelta(days=rng.randint(14, 45))
            start = item.start if item.start is None or item.start <= earlier else None
            item = dataclasses.replace(item, start=start, end=earlier, period=quarter(earlier))
        elif roll < 0.27 and item.stage == F.IN_PROGRESS:
            item = dataclasses.replace(item, stage=F.PLANNED, start=None)
        older.append(item)
    return older
