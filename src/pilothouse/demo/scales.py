"""How big the demo organization is at each scale."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class Scale:
    name: str
    full_catalogue: bool  # every product of the catalogue, or only the small subset
    people: int  # Person records: the product team and its contributors
    contributor_share: float  # of `people`: designers, researchers, analysts (no PM level)
    vice_presidents: int
    viewers: int  # stakeholder logins outside the product organization (no Person)
    features: int
    areas_per_product: tuple[int, int]
    company_objectives: int  # per quarter
    line_objectives: tuple[int, int]  # per line and quarter
    initiatives: int
    past_releases: tuple[int, int]  # per product with a release history
    future_releases: tuple[int, int]
    customers: int
    notes: int  # feedback notes, over the last twelve months
    teams: int = 4  # delivery teams (at most one per product)
    batch_size: int = 1000  # rows per bulk insert
    note_batch: int = 5000  # notes generated and inserted at a time (bounds the memory)


SCALES: dict[str, Scale] = {
    "small": Scale(
        name="small",
        full_catalogue=False,
        people=40,
        contributor_share=0.25,
        vice_presidents=1,
        viewers=5,
        features=400,
        areas_per_product=(3, 5),
        company_objectives=3,
        line_objectives=(1, 2),
        initiatives=6,
        past_releases=(3, 5),
        future_releases=(2, 3),
        customers=1_000,
        notes=5_000,
    ),
    "large": Scale(
        name="large",
        full_catalogue=True,
        people=400,
        contributor_share=0.3,
        vice_presidents=3,
        viewers=25,
        features=20_000,
        areas_per_product=(5, 8),
        company_objectives=5,
        line_objectives=(2, 3),
        initiatives=24,
        past_releases=(8, 12),
        future_releases=(3, 5),
        customers=50_000,
        notes=500_000,
        teams=34,
    ),
}


def allocate(total: int, weights: Sequence[float], *, minimum: int = 0) -> list[int]:
    """Split `total` into integers proportional to `weights` (largest remainder),
    each at least `minimum` (when the total allows it)."""
    if not weights:
        return []
    floor = minimum if minimum * len(weights) <= total else 0
    rest = total - floor * len(weights)
    weight_sum = sum(weights) or 1.0
    exact = [rest * w / weight_sum for w in weights]
    shares = [int(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: (shares[i] - exact[i], i))
    for i in order[: rest - sum(shares)]:
        shares[i] += 1
    return [floor + s for s in shares]
