"""The demo roadmap: releases in the past and the future, and features in every stage.

Features follow their product's lifecycle (a product in discovery has mostly ideas, a
retired one only shipped or rejected work). Shipped features belong to a past release
and were started and completed before its date; features in progress started in the
past and aim at a future release.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from pilothouse.delivery import workdays
from pilothouse.demo.clock import Clock
from pilothouse.demo.phrases import (
    FEATURE_QUALIFIERS,
    FEATURE_TITLES,
    OUT_OF_SCOPE,
    PROBLEMS,
    PROPOSALS,
    REJECTION_REASONS,
    RELEASE_INTROS,
    SUCCESS,
)
from pilothouse.demo.portfolio import DemoProduct, Portfolio
from pilothouse.demo.scales import Scale, allocate
from pilothouse.demo.strategy import Strategy
from pilothouse.portfolio.models import LifecycleStage, ProductKind
from pilothouse.roadmap.models import Feature, FeatureStage, Release, ReleaseStatus
from pilothouse.strategy.models import Initiative, InitiativeStatus, Objective

S, F = LifecycleStage, FeatureStage
FEATURE_STAGES = [stage.value for stage in FeatureStage]
# Weights of each feature stage (in FeatureStage order) for a product of each lifecycle stage.
STAGE_MIX: dict[str, tuple[int, ...]] = {
    #           idea cand plan prog rel  meas rej
    S.DISCOVERY: (50, 30, 12, 4, 0, 0, 10),
    S.BUILD: (20, 15, 28, 22, 6, 0, 6),
    S.LAUNCH: (15, 10, 20, 18, 25, 5, 6),
    S.GROWTH: (15, 10, 14, 12, 26, 13, 8),
    S.MATURE: (12, 8, 10, 8, 30, 22, 10),
    S.SUNSET: (4, 3, 6, 4, 38, 30, 15),
    S.RETIRED: (0, 0, 0, 0, 45, 35, 20),
}
# How much roadmap a product carries, relative to the others.
VOLUME = {
    S.DISCOVERY: 0.3,
    S.BUILD: 0.6,
    S.LAUNCH: 0.8,
    S.GROWTH: 1.5,
    S.MATURE: 1.4,
    S.SUNSET: 0.6,
    S.RETIRED: 0.4,
}
KIND_VOLUME = {ProductKind.REVENUE: 1.0, ProductKind.PLATFORM: 0.8, ProductKind.INTERNAL: 0.5}
EFFORTS = (0.5, 1, 1, 2, 2, 3, 3, 4, 5, 6, 8, 10, 13)
MIN_FEATURES = 5


@dataclass
class ProductReleases:
    past: list[Release] = field(default_factory=list)  # oldest first, all released
    future: list[Release] = field(default_factory=list)  # soonest first, none cancelled
    cancelled: list[Release] = field(default_factory=list)
    # Planned releases after the firm ones, up to the end of the planning year.
    tentative: list[Release] = field(default_factory=list)

    @property
    def all(self) -> list[Release]:
        return [*self.past, *self.cancelled, *self.future, *self.tentative]


@dataclass
class Roadmap:
    releases: list[Release]
    features: list[Feature]
    objective_links: int


def _plan_releases(demo: DemoProduct, scale: Scale, clock: Clock, rng: random.Random):
    stage = demo.spec.stage
    cadence = rng.randint(28, 56)
    past_count = {S.DISCOVERY: 0, S.BUILD: 1, S.LAUNCH: rng.randint(2, 3)}.get(
        stage, rng.randint(3, 5) if stage == S.RETIRED else rng.randint(*scale.past_releases)
    )
    future_count = {S.DISCOVERY: 1, S.SUNSET: 1, S.RETIRED: 0}.get(
        stage, rng.randint(*scale.future_releases)
    )
    major = {
        S.DISCOVERY: 0,
        S.BUILD: 0,
        S.LAUNCH: 1,
        S.GROWTH: rng.randint(2, 4),
        S.MATURE: rng.randint(5, 8),
        S.SUNSET: rng.randint(8, 11),
        S.RETIRED: rng.randint(3, 6),
    }[stage]
    minor = rng.randint(0, 3) if major else 1
    last_past = clock.days_ago(rng.randint(300, 500) if stage == S.RETIRED else rng.randint(3, 25))
    # No release before the product existed.
    age = (last_past - demo.product.created_at.date()).days
    past_count = min(past_count, max(1, age // cadence)) if past_count else 0

    plan: list[tuple[dt.date, str]] = []
    for i in range(past_count):
        offset = cadence * (past_count - 1 - i) + (rng.randint(-4, 4) if i < past_count - 1 else 0)
        plan.append((last_past - dt.timedelta(days=offset), ReleaseStatus.RELEASED))
    first_future = clock.days_ahead(rng.randint(6, 30))
    if stage == S.SUNSET:  # a release that was dropped when the sunset was decided
        plan.append((first_future, ReleaseStatus.CANCELLED))
        first_future += dt.timedelta(days=cadence)
    for i in range(future_count):
        status = ReleaseStatus.IN_PROGRESS if i == 0 else ReleaseStatus.PLANNED
        plan.append((first_future + dt.timedelta(days=cadence * i), status))
    firm = len(plan)
    if future_count and stage not in {S.DISCOVERY, S.SUNSET, S.RETIRED}:
        # Releases pencilled in to the end of the planning year, so that the later
        # quarters carry demand too: candidates are slotted into them.
        last_day = _planning_year_end(clock.today)
        target = plan[-1][0] + dt.timedelta(days=cadence)
        while target <= last_day:
            plan.append((target, ReleaseStatus.PLANNED))
            target += dt.timedelta(days=cadence)

    releases = ProductReleases()
    owner = demo.lead.user
    for index, (target, status) in enumerate(plan):
        released = status == ReleaseStatus.RELEASED
        release = Release(
            product=demo.product,
            name=f"{major}.{minor + index}",
            target_date=target,
            status=status,
            created_by=owner,
            updated_by=owner,
            **clock.stamps(
                target - dt.timedelta(days=rng.randint(40, 100)),
                target if released else clock.days_ago(rng.randint(1, 20)),
            ),
        )
        if released:
            releases.past.append(release)
        elif status == ReleaseStatus.CANCELLED:
            release.notes = "Cancelled: its scope moved into the final release."
            releases.cancelled.append(release)
        elif index < firm:
            releases.future.append(release)
        else:
            releases.tentative.append(release)
    return releases


def _planning_year_end(today: dt.date) -> dt.date:
    """The last day of the third quarter after this one: teams plan capacity for this
    quarter and the next three (demo.delivery)."""
    start = workdays.period_containing(today, workdays.QUARTER)[0]
    for _ in range(3):
        start = workdays.period_end(start, workdays.QUARTER) + dt.timedelta(days=1)
    return workdays.period_end(start, workdays.QUARTER)


class _FeatureWriter:
    """Plans the features of one product."""

    def __init__(
        self,
        *,
        demo: DemoProduct,
        releases: ProductReleases,
        strategy: Strategy,
        initiatives: dict[str, list[Initiative]],
        clock: Clock,
        rng: random.Random,
    ) -> None:
        self.demo, self.releases, self.clock, self.rng = demo, releases, clock, rng
        self.initiatives = initiatives
        current, following = strategy.quarters
        self.current_start = current.start
        key = demo.spec.key
        self.objective_now = strategy.product_objectives.get((key, current.label))
        self.objective_next = strategy.product_objectives.get((key, following.label))
        line_objectives = strategy.line_objectives.get(
            (demo.product.product_line.name, current.label), []
        )
        self.line_objective = line_objectives[0] if line_objectives else None
        self.created_floor = demo.product.created_at.date()
        weights = list(STAGE_MIX[demo.spec.stage])
        if not releases.past:  # nothing can have shipped yet
            weights[FEATURE_STAGES.index(F.RELEASED)] = 0
            weights[FEATURE_STAGES.index(F.MEASURED)] = 0
        self.weights = weights
        self.personas = demo.team.line.personas

    def titles(self, count: int) -> list[str]:
        """`count` titles, unique within the product, mostly without a qualifier."""
        nouns = self.demo.spec.nouns
        plain = [t.format(obj=n) for t in FEATURE_TITLES for n in nouns]
        qualified = [
            t.format(obj=n) + q
            for t in FEATURE_TITLES
            for n in nouns
            for q in FEATURE_QUALIFIERS[1:]
        ]
        take_plain = min(len(plain), math.ceil(count * 0.75))
        titles = self.rng.sample(plain, take_plain)
        titles += self.rng.sample(qualified, min(len(qualified), count - take_plain))
        for extra in range(count - len(titles)):  # a product with a very long backlog
            titles.append(f"{self.rng.choice(plain)} (follow-up {extra + 1})")
        self.rng.shuffle(titles)
        return titles

    def description(self, stage: str, title: str) -> str:
        rng = self.rng
        persona = rng.choice(self.personas)
        words = {
            "persona": persona,
            "Persona": persona[0].upper() + persona[1:],
            "obj": self._object_of(title),
            "product": self.demo.spec.name,
            "n": rng.randint(12, 140),
            "k": rng.randint(4, 9),
            "limit": rng.choice((100, 250, 500, 1000)),
            "pct": rng.randint(15, 45),
            "sec": rng.choice((30, 45, 60, 90)),
            "deals": rng.randint(3, 12),
        }
        problem = rng.choice(PROBLEMS).format(**words)
        if stage == F.IDEA:
            return "" if rng.random() < 0.1 else f"### Problem\n\n{problem}\n"
        if stage == F.REJECTED:
            return f"### Problem\n\n{problem}\n\n> {rng.choice(REJECTION_REASONS)}\n"
        bullets = "\n".join(f"- {p.format(**words)}" for p in rng.sample(PROPOSALS, 3))
        text = (
            f"### Problem\n\n{problem}\n\n### Proposal\n\n{bullets}\n\n"
            f"**Out of scope:** {rng.choice(OUT_OF_SCOPE)}.\n\n"
            f"**Success looks like:** {rng.choice(SUCCESS).format(**words)}\n"
        )
        if stage == F.MEASURED:
            adoption = rng.randint(8, 60)
            verdict = "above" if adoption >= words["pct"] else "below"
            text += (
                f"\n### Result\n\nMeasured {rng.randint(3, 8)} weeks after release: {adoption}% "
                f"of eligible accounts use it weekly, {verdict} the {words['pct']}% we aimed for.\n"
            )
        return text

    def _object_of(self, title: str) -> str:
        for noun in sorted(self.demo.spec.nouns, key=len, reverse=True):
            if noun in title:
                return noun
        return self.demo.spec.nouns[0]

    def effort(self, stage: str) -> tuple[Decimal | None, Decimal | None]:
        if stage == F.IDEA and self.rng.random() < 0.45:
            return None, None
        low = self.rng.choice(EFFORTS)
        high = max(low, round(low * self.rng.uniform(1.2, 2.5) * 2) / 2)
        return Decimal(str(low)), Decimal(str(high))

    def feature(self, title: str, stage: str) -> tuple[Feature, list[Objective]]:
        rng, clock = self.rng, self.clock
        demo, releases = self.demo, self.releases
        area = rng.choice(demo.areas) if demo.areas and rng.random() < 0.85 else None
        owner = area.owner if area and rng.random() < 0.6 else rng.choice(demo.members).user
        low, high = self.effort(stage)
        release, started, completed = None, None, None
        created = clock.days_ago(rng.randint(2, 500))
        updated = clock.days_ago(rng.randint(1, 60))
        if stage in {F.RELEASED, F.MEASURED}:
            pool = releases.past
            if stage == F.MEASURED and len(pool) > 1:
                pool = pool[: max(1, len(pool) - 1)]  # measured needs time after release
            release = rng.choice(pool)
            completed = release.target_date - dt.timedelta(days=rng.randint(0, 10))
            weeks = float((low or 1) + (high or 1)) / 2
            started = completed - dt.timedelta(days=max(2, round(weeks * 7 / rng.uniform(1.5, 3))))
            created = started - dt.timedelta(days=rng.randint(7, 120))
            extra = rng.randint(14, 60) if stage == F.MEASURED else rng.randint(0, 5)
            updated = completed + dt.timedelta(days=extra)
        elif stage == F.IN_PROGRESS:
            if releases.future:
                in_next = rng.random() < 0.7
                release = releases.future[0] if in_next else rng.choice(releases.future)
            started = clock.days_ago(rng.randint(1, 70))
            created = started - dt.timedelta(days=rng.randint(7, 150))
            updated = clock.days_ago(rng.randint(1, 10))
        elif stage == F.PLANNED and releases.future and rng.random() < 0.8:
            later = releases.tentative and rng.random() < 0.35
            release = rng.choice(releases.tentative if later else releases.future)
        elif stage == F.CANDIDATE and releases.tentative and rng.random() < 0.6:
            release = rng.choice(releases.tentative)  # pencilled in for later in the year
        created = max(created, self.created_floor)
        if started is not None:
            created = min(created, started)
        feature = Feature(
            title=title,
            description=self.description(stage, title),
            product=demo.product,
            area=area,
            owner=owner,
            stage=stage,
            effort_low=low,
            effort_high=high,
            target_release=release,
            started_on=started,
            completed_on=completed,
            initiative=self.initiative(stage),
            created_by=owner,
            updated_by=owner,
            **clock.stamps(created, updated),
        )
        return feature, self.objectives(stage, completed)

    def initiative(self, stage: str) -> Initiative | None:
        rng = self.rng
        if stage in {F.PLANNED, F.IN_PROGRESS} and rng.random() < 0.3:
            pool = self.initiatives.get(InitiativeStatus.ACTIVE)
        elif stage in {F.RELEASED, F.MEASURED} and rng.random() < 0.2:
            pool = self.initiatives.get(InitiativeStatus.DONE) or self.initiatives.get(
                InitiativeStatus.ACTIVE
            )
        elif stage == F.CANDIDATE and rng.random() < 0.15:
            pool = self.initiatives.get(InitiativeStatus.PROPOSED)
        else:
            pool = None
        return rng.choice(pool) if pool else None

    def objectives(self, stage: str, completed: dt.date | None) -> list[Objective]:
        rng = self.rng
        chosen: list[Objective | None] = []
        if stage in {F.CANDIDATE, F.PLANNED, F.IN_PROGRESS} and rng.random() < 0.45:
            later = stage != F.IN_PROGRESS and rng.random() < 0.25
            chosen.append(self.objective_next if later else self.objective_now)
        elif completed is not None and completed >= self.current_start and rng.random() < 0.4:
            chosen.append(self.objective_now)
        if stage != F.REJECTED and rng.random() < 0.1:
            chosen.append(self.line_objective)
        return [o for o in dict.fromkeys(chosen) if o is not None]

    def plan(self, count: int, *, showcase: bool) -> list[tuple[Feature, list[Objective]]]:
        titles = self.titles(count)
        stages = self.rng.choices(FEATURE_STAGES, weights=self.weights, k=count)
        if showcase:  # every feature stage appears at least once in this product
            stages[: len(FEATURE_STAGES)] = FEATURE_STAGES
        return [self.feature(title, stage) for title, stage in zip(titles, stages, strict=True)]


def _release_notes(release: Release, titles: list[str], rng: random.Random) -> str:
    if release.status == ReleaseStatus.RELEASED:
        if not titles:
            return "A maintenance release: fixes and performance improvements."
        bullets = "\n".join(f"- {title}" for title in titles[:6])
        return f"{rng.choice(RELEASE_INTROS)}\n\n**Highlights**\n\n{bullets}\n"
    if release.status == ReleaseStatus.IN_PROGRESS:
        return "Release candidate in testing; the scope is frozen."
    return release.notes


def create_roadmap(
    *,
    portfolio: Portfolio,
    strategy: Strategy,
    scale: Scale,
    clock: Clock,
    rng: random.Random,
    progress: Callable[[str, int, int], None],
) -> Roadmap:
    plans = {demo.spec.key: _plan_releases(demo, scale, clock, rng) for demo in portfolio.products}
    initiatives: dict[str, list[Initiative]] = {}
    for initiative in strategy.initiatives:
        initiatives.setdefault(initiative.status, []).append(initiative)

    weights = [VOLUME[d.spec.stage] * KIND_VOLUME[d.spec.kind] for d in portfolio.products]
    counts = allocate(scale.features, weights, minimum=MIN_FEATURES)
    showcase = next(
        (d for d in portfolio.products if d.spec.stage == S.GROWTH), portfolio.products[0]
    )
    planned: list[tuple[Feature, list[Objective]]] = []
    for demo, count in zip(portfolio.products, counts, strict=True):
        writer = _FeatureWriter(
            demo=demo,
            releases=plans[demo.spec.key],
            strategy=strategy,
            initiatives=initiatives,
            clock=clock,
            rng=rng,
        )
        planned.extend(writer.plan(count, showcase=demo is showcase))

    shipped: dict[int, list[str]] = {}
    for feature, _ in planned:
        if feature.target_release is not None and feature.stage in {F.RELEASED, F.MEASURED}:
            shipped.setdefault(id(feature.target_release), []).append(feature.title)
    releases = [release for plan in plans.values() for release in plan.all]
    for release in releases:
        release.notes = _release_notes(release, shipped.get(id(release), []), rng)
    Release.objects.bulk_create(releases, batch_size=scale.batch_size)
    progress("releases", len(releases), len(releases))

    features = [feature for feature, _ in planned]
    total = len(features)
    progress("features", 0, total)
    for start in range(0, total, scale.batch_size):
        Feature.objects.bulk_create(features[start : start + scale.batch_size])
        progress("features", min(total, start + scale.batch_size), total)

    through = Feature.objectives.through
    links = [
        through(feature_id=feature.pk, objective_id=objective.pk)
        for feature, objectives in planned
        for objective in objectives
    ]
    progress("links", 0, len(links))
    through.objects.bulk_create(links, batch_size=scale.batch_size)
    progress("links", len(links), len(links))
    return Roadmap(releases=releases, features=features, objective_links=len(links))
