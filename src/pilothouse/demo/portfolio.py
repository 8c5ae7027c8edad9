"""The demo portfolio: product lines, products with an ARR that fits their stage, and
product areas, each with an owner from the product team."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import Decimal

from pilothouse.demo.clock import Clock
from pilothouse.demo.people import LineTeam, Member, Org
from pilothouse.demo.scales import Scale
from pilothouse.demo.vocabulary import COMMON_AREAS, ProductSpec
from pilothouse.portfolio.models import (
    LifecycleStage,
    Product,
    ProductArea,
    ProductKind,
    ProductLine,
)

S = LifecycleStage
# ARR range (USD) of a revenue product per stage; platform and internal products earn none.
ARR_RANGES: dict[str, tuple[int, int]] = {
    S.DISCOVERY: (0, 0),
    S.BUILD: (0, 0),
    S.LAUNCH: (150_000, 900_000),
    S.GROWTH: (2_000_000, 9_000_000),
    S.MATURE: (8_000_000, 30_000_000),
    S.SUNSET: (400_000, 2_500_000),
    S.RETIRED: (0, 0),
}
# How long ago (days) a product of each stage was first set up.
AGE_RANGES: dict[str, tuple[int, int]] = {
    S.DISCOVERY: (30, 100),
    S.BUILD: (90, 280),
    S.LAUNCH: (200, 420),
    S.GROWTH: (420, 1100),
    S.MATURE: (1100, 2400),
    S.SUNSET: (2000, 3000),
    S.RETIRED: (2400, 3400),
}


@dataclass
class DemoProduct:
    """A saved product with what the rest of the generator needs to know about it."""

    spec: ProductSpec
    product: Product
    team: LineTeam
    lead: Member
    areas: list[ProductArea] = field(default_factory=list)

    @property
    def members(self) -> list[Member]:
        return self.team.product_team(self.spec.key)


@dataclass
class Portfolio:
    lines: list[ProductLine]
    products: list[DemoProduct]

    @property
    def areas(self) -> list[ProductArea]:
        return [area for p in self.products for area in p.areas]


def _arr(spec: ProductSpec, rng: random.Random) -> Decimal:
    if spec.kind != ProductKind.REVENUE:
        return Decimal(0)
    low, high = ARR_RANGES[spec.stage]
    return Decimal(round(rng.uniform(low, high), -3)) if high else Decimal(0)


def create_portfolio(*, org: Org, scale: Scale, clock: Clock, rng: random.Random) -> Portfolio:
    lines: list[ProductLine] = []
    products: list[DemoProduct] = []
    for team in org.lines:
        oldest = max(AGE_RANGES[p.stage][1] for p in team.line.products)
        line = ProductLine(
            name=team.line.name,
            description=team.line.description,
            owner=team.director.user,
            created_by=org.cpo.user,
            updated_by=team.director.user,
            **clock.stamps(clock.days_ago(oldest + 30), clock.days_ago(rng.randint(3, 60))),
        )
        lines.append(line)
        for spec in (p for p in team.line.products if p.key in team.product_pms):
            lead = team.product_lead(spec.key)
            created = clock.days_ago(rng.randint(*AGE_RANGES[spec.stage]))
            updated = (
                clock.days_ago(rng.randint(120, 400))
                if spec.stage == S.RETIRED
                else clock.days_ago(rng.randint(1, 30))
            )
            product = Product(
                name=spec.name,
                key=spec.key,
                description=spec.description,
                product_line=line,
                stage=spec.stage,
                kind=spec.kind,
                owner=lead.user,
                arr=_arr(spec, rng),
                created_by=team.director.user,
                updated_by=lead.user,
                **clock.stamps(created, updated),
            )
            products.append(DemoProduct(spec=spec, product=product, team=team, lead=lead))
    ProductLine.objects.bulk_create(lines, batch_size=scale.batch_size)
    Product.objects.bulk_create([p.product for p in products], batch_size=scale.batch_size)

    for demo in products:
        pool = list(dict.fromkeys(demo.team.line.areas + COMMON_AREAS))
        count = rng.randint(*scale.areas_per_product)
        members = demo.members
        for index, name in enumerate(sorted(rng.sample(pool, count))):
            owner = members[index % len(members)]
            demo.areas.append(
                ProductArea(
                    product=demo.product,
                    name=name,
                    description=f"{name} in {demo.spec.name}: its screens, rules and integrations.",
                    owner=owner.user,
                    created_by=demo.lead.user,
                    updated_by=owner.user,
                    **clock.stamps(
                        max(demo.product.created_at.date(), clock.days_ago(rng.randint(30, 900))),
                        clock.days_ago(rng.randint(1, 90)),
                    ),
                )
            )
    ProductArea.objects.bulk_create(
        [area for p in products for area in p.areas], batch_size=scale.batch_size
    )
    return Portfolio(lines=lines, products=products)
