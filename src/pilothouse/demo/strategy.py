"""The demo strategy: objectives for the current and the next quarter cascading from the
company to product lines to products, their key results, and initiatives."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal

from pilothouse.demo.clock import Clock, Quarter, quarter_of
from pilothouse.demo.people import Org
from pilothouse.demo.phrases import (
    COMPANY_OBJECTIVES,
    INITIATIVES,
    KEY_RESULTS,
    LINE_OBJECTIVES,
    OBJECTIVE_DESCRIPTIONS,
    PRODUCT_OBJECTIVES,
    KeyResultSpec,
)
from pilothouse.demo.portfolio import DemoProduct, Portfolio
from pilothouse.demo.scales import Scale
from pilothouse.portfolio.models import LifecycleStage, ProductKind
from pilothouse.strategy.models import (
    Direction,
    Initiative,
    InitiativeStatus,
    KeyResult,
    Objective,
    ObjectiveScope,
    ObjectiveStatus,
)

S = LifecycleStage
# Units counted in whole numbers; the others keep decimals.
WHOLE_UNITS = frozenset(
    {
        "accounts",
        "tickets",
        "ms",
        "interviews",
        "customers",
        "bugs",
        "escalations",
        "teams",
        "incidents",
        "days",
        "hours",
        "credits",
        "deals",
        "points",
        "seconds",
        "sessions",
        "products",
        "USD",
    }
)


@dataclass
class Strategy:
    quarters: list[Quarter]
    objectives: list[Objective] = field(default_factory=list)
    key_results: list[KeyResult] = field(default_factory=list)
    initiatives: list[Initiative] = field(default_factory=list)
    initiative_links: int = 0
    # (product key, quarter label) -> the product's objective.
    product_objectives: dict[tuple[str, str], Objective] = field(default_factory=dict)
    # (line name, quarter label) -> the line's objectives.
    line_objectives: dict[tuple[str, str], list[Objective]] = field(default_factory=dict)


def _phase(demo: DemoProduct) -> str | None:
    """Which pool of product objectives and key results fits a product (None: none)."""
    stage, kind = demo.spec.stage, demo.spec.kind
    if stage == S.RETIRED:
        return None
    if stage == S.SUNSET:
        return "sunset"
    if kind == ProductKind.PLATFORM:
        return "platform"
    if kind == ProductKind.INTERNAL:
        return "internal"
    if stage == S.LAUNCH:
        return "launch"
    return "early" if stage in {S.DISCOVERY, S.BUILD} else "scale"


def _number(value: float, unit: str) -> Decimal:
    if unit == "USD" and abs(value) >= 10_000:
        return Decimal(round(value, -3))
    if unit in WHOLE_UNITS:
        return Decimal(round(value))
    return Decimal(str(round(value, 2)))


def _key_result(
    spec: KeyResultSpec, *, objective: Objective, progress: float, rng: random.Random, **words
) -> KeyResult:
    start = _number(rng.uniform(*spec.start), spec.unit)
    amount = rng.uniform(spec.low, spec.high)
    if spec.mode == "mul":
        target = _number(float(start) * amount, spec.unit)
    elif spec.mode == "add":
        target = _number(float(start) + amount, spec.unit)
    else:
        target = _number(amount, spec.unit)
    # Keep the target on the right side of the start (rounding may have met them).
    if spec.decrease and target >= start:
        target = start - 1 if start >= 1 else start / 2
    if not spec.decrease and target <= start:
        target = start + 1
    current = float(start) + (float(target) - float(start)) * progress
    current = max(current, 0.0)  # no negative counts, however badly it goes
    if spec.unit == "%" and target <= 100:
        current = min(current, 100.0)
    current = _number(current, spec.unit)
    return KeyResult(
        objective=objective,
        title=spec.title.format(**words),
        unit=spec.unit,
        start_value=start,
        target_value=target,
        current_value=current,
        direction=Direction.DECREASE if spec.decrease else Direction.INCREASE,
        created_by=objective.owner,
        updated_by=objective.owner,
        created_at=objective.created_at,
        updated_at=objective.updated_at,
    )


class _Planner:
    """Builds the objectives of one quarter after another, then saves them tier by tier."""

    def __init__(self, *, org: Org, portfolio: Portfolio, clock: Clock, rng: random.Random):
        self.org, self.portfolio, self.clock, self.rng = org, portfolio, clock, rng
        self.current = quarter_of(clock.today)
        self.next = quarter_of(clock.today, 1)
        self.strategy = Strategy(quarters=[self.current, self.next])
        length = (self.current.end - self.current.start).days + 1
        self.elapsed = ((clock.today - self.current.start).days + 1) / length
        self.tiers: list[list[Objective]] = [[], [], []]  # company, line, product
        self.used: dict[tuple, set[str]] = {}

    def objective(self, tier: int, quarter: Quarter, **fields) -> Objective:
        rng, clock = self.rng, self.clock
        planned_on = min(quarter.start - dt.timedelta(days=rng.randint(10, 25)), clock.days_ago(2))
        objective = Objective(
            period=quarter.label,
            description=rng.choice(OBJECTIVE_DESCRIPTIONS),
            status=ObjectiveStatus.ACTIVE,
            created_by=fields["owner"],
            updated_by=fields["owner"],
            **clock.stamps(planned_on, clock.days_ago(rng.randint(1, 14))),
            **fields,
        )
        self.tiers[tier].append(objective)
        return objective

    def progress(self, quarter: Quarter) -> float:
        """A key result's progress so far: on track, ahead, behind, or going backwards."""
        if quarter is self.next:
            return 0.0
        draw = self.rng.random()
        if draw < 0.1:
            return -self.rng.uniform(0.05, 0.2)  # moving the wrong way
        if draw < 0.2:
            return self.rng.uniform(1.0, 1.15)  # already there
        return min(1.0, self.elapsed * self.rng.uniform(0.3, 1.6))

    def key_results(
        self, objective: Objective, pool: str, quarter: Quarter, *, done: bool = False, **words
    ) -> None:
        # Prefer key results not used yet by another objective of the same scope and quarter.
        used = self.used.setdefault((pool, quarter.label, tuple(sorted(words.items()))), set())
        fresh = [spec for spec in KEY_RESULTS[pool] if spec.title not in used]
        stale = [spec for spec in KEY_RESULTS[pool] if spec.title in used]
        ordered = self.rng.sample(fresh, len(fresh)) + self.rng.sample(stale, len(stale))
        for spec in ordered[: self.rng.randint(2, 4)]:
            used.add(spec.title)
            progress = self.rng.uniform(1.0, 1.1) if done else self.progress(quarter)
            self.strategy.key_results.append(
                _key_result(spec, objective=objective, progress=progress, rng=self.rng, **words)
            )

    def quarter(self, quarter: Quarter, company_count: int, line_counts: tuple[int, int]) -> None:
        rng, org = self.rng, self.org
        company_owners = [org.cpo, *org.vps]
        company = []
        for index, (title, description) in enumerate(
            rng.sample(COMPANY_OBJECTIVES, min(company_count, len(COMPANY_OBJECTIVES)))
        ):
            objective = self.objective(
                0,
                quarter,
                title=title,
                scope=ObjectiveScope.COMPANY,
                owner=company_owners[index % len(company_owners)].user,
            )
            objective.description = description
            company.append(objective)
            self.key_results(objective, "company", quarter)

        for team, line in zip(org.lines, self.portfolio.lines, strict=True):
            titles = rng.sample(LINE_OBJECTIVES, rng.randint(*line_counts))
            objectives = []
            for title in titles:
                objective = self.objective(
                    1,
                    quarter,
                    title=title.format(line=line.name),
                    scope=ObjectiveScope.PRODUCT_LINE,
                    product_line=line,
                    owner=team.director.user,
                    parent=rng.choice(company),
                )
                objectives.append(objective)
                self.key_results(objective, "line", quarter, line=line.name)
            self.strategy.line_objectives[(line.name, quarter.label)] = objectives

        for demo in self.portfolio.products:
            phase = _phase(demo)
            if phase is None:
                continue
            parents = self.strategy.line_objectives[(demo.product.product_line.name, quarter.label)]
            title = rng.choice(PRODUCT_OBJECTIVES[phase]).format(product=demo.spec.name)
            objective = self.objective(
                2,
                quarter,
                title=title,
                scope=ObjectiveScope.PRODUCT,
                product=demo.product,
                owner=demo.lead.user,
                parent=rng.choice(parents),
            )
            if quarter is self.next:
                objective.status = ObjectiveStatus.DRAFT
            self.strategy.product_objectives[(demo.spec.key, quarter.label)] = objective
            self.key_results(objective, phase, quarter, product=demo.spec.name)

    def mark_outcomes(self) -> None:
        """One current product objective already achieved, one cancelled."""
        current = [
            o
            for (_, label), o in self.strategy.product_objectives.items()
            if label == self.current.label
        ]
        if len(current) < 2:
            return
        achieved, cancelled = self.rng.sample(current, 2)
        achieved.status = ObjectiveStatus.ACHIEVED
        for kr in self.strategy.key_results:
            if kr.objective is achieved:
                kr.current_value = kr.target_value
        cancelled.status = ObjectiveStatus.CANCELLED
        cancelled.description = (
            "Cancelled in the portfolio review: the team moved to work with more customer "
            "evidence behind it."
        )

    def initiatives(self, count: int) -> list[tuple[Initiative, list[Objective]]]:
        rng, org, current, following = self.rng, self.org, self.current, self.next
        owners = [*org.leaders(), *(g for team in org.lines for g in team.group_pms)]
        statuses = [
            InitiativeStatus.ACTIVE,
            InitiativeStatus.DONE,
            InitiativeStatus.PROPOSED,
            InitiativeStatus.CANCELLED,
        ]
        planned = []
        for index, (title, description) in enumerate(
            rng.sample(INITIATIVES, min(count, len(INITIATIVES)))
        ):
            status = (
                statuses[index]
                if index < len(statuses)
                else rng.choices(statuses, weights=[55, 12, 25, 8])[0]
            )
            start, end = current.start - dt.timedelta(days=rng.randint(0, 60)), following.end
            pool = [*self.tiers[0], *self.tiers[1]]
            quarter_label = (
                following.label if status == InitiativeStatus.PROPOSED else current.label
            )
            if status == InitiativeStatus.PROPOSED:
                start, end = following.start, following.end + dt.timedelta(days=90)
            elif status == InitiativeStatus.DONE:
                start = current.start - dt.timedelta(days=rng.randint(150, 240))
                end = self.clock.days_ago(rng.randint(5, 40))
            elif status == InitiativeStatus.CANCELLED:
                end = None
            owner = rng.choice(owners).user
            initiative = Initiative(
                title=title,
                description=description,
                owner=owner,
                status=status,
                start_date=start,
                end_date=end,
                created_by=owner,
                updated_by=owner,
                **self.clock.stamps(
                    min(start, self.clock.days_ago(3)) - dt.timedelta(days=rng.randint(5, 30)),
                    self.clock.days_ago(rng.randint(1, 45)),
                ),
            )
            candidates = [o for o in pool if o.period == quarter_label]
            links = rng.sample(candidates, min(len(candidates), rng.randint(1, 3)))
            planned.append((initiative, links))
        return planned


def create_strategy(
    *, org: Org, portfolio: Portfolio, scale: Scale, clock: Clock, rng: random.Random
) -> Strategy:
    planner = _Planner(org=org, portfolio=portfolio, clock=clock, rng=rng)
    for quarter in planner.strategy.quarters:
        planner.quarter(quarter, scale.company_objectives, scale.line_objectives)
    planner.mark_outcomes()
    strategy = planner.strategy
    for tier in planner.tiers:  # parents are saved before their children
        Objective.objects.bulk_create(tier, batch_size=scale.batch_size)
        strategy.objectives.extend(tier)
    KeyResult.objects.bulk_create(strategy.key_results, batch_size=scale.batch_size)

    planned = planner.initiatives(scale.initiatives)
    strategy.initiatives = [initiative for initiative, _ in planned]
    Initiative.objects.bulk_create(strategy.initiatives, batch_size=scale.batch_size)
    through = Initiative.objectives.through
    links = [
        through(initiative_id=initiative.pk, objective_id=objective.pk)
        for initiative, objectives in planned
        for objective in objectives
    ]
    through.objects.bulk_create(links, batch_size=scale.batch_size)
    strategy.initiative_links = len(links)
    return strategy
