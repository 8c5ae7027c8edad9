"""Every read of objectives, key results and initiatives used by views and the API."""

from __future__ import annotations

import datetime

from django.db.models import Prefetch, QuerySet

from pilothouse.engines.metrics import score_band
from pilothouse.strategy.models import Initiative, KeyResult, Objective


def objective_list() -> QuerySet[Objective]:
    return Objective.objects.select_related("owner", "product", "product_line", "parent")


def key_result_list() -> QuerySet[KeyResult]:
    return KeyResult.objects.select_related("objective")


def initiative_list() -> QuerySet[Initiative]:
    return Initiative.objects.select_related("owner").prefetch_related(
        Prefetch("objectives", queryset=Objective.objects.only("id", "title"))
    )


def objective_tree(*, period: str | None = None) -> list[tuple[Objective, int]]:
    """Objectives in cascade order as (objective, depth), key results prefetched.

    Two queries whatever the size: all objectives, then all their key results; the
    tree is assembled in memory.
    """
    qs = objective_list().prefetch_related("key_results").order_by("period", "title", "id")
    if period:
        qs = qs.filter(period=period)
    objectives = list(qs)
    by_parent: dict[int | None, list[Objective]] = {}
    ids = {o.pk for o in objectives}
    for obj in objectives:
        parent = obj.parent_id if obj.parent_id in ids else None
        by_parent.setdefault(parent, []).append(obj)
    ordered: list[tuple[Objective, int]] = []

    def walk(parent: int | None, depth: int) -> None:
        for child in by_parent.get(parent, []):
            ordered.append((child, depth))
            walk(child.pk, depth + 1)

    walk(None, 0)
    return ordered


def objective_periods() -> list[str]:
    return list(Objective.objects.order_by("-period").values_list("period", flat=True).distinct())


def periods_containing(day: datetime.date) -> list[str]:
    """The period labels that cover `day`: its year, half, quarter and month."""
    half = 1 if day.month <= 6 else 2
    quarter = (day.month - 1) // 3 + 1
    return [
        f"{day.year}",
        f"{day.year}-H{half}",
        f"{day.year}-Q{quarter}",
        f"{day.year}-{day.month:02d}",
    ]


def objectives_with_key_results() -> QuerySet[Objective]:
    """Objectives with owner, product and line, and their key results: two queries."""
    return objective_list().prefetch_related("key_results")


def mean_progress(objective: Objective) -> float | None:
    """The mean progress (0..1) of an objective's key results; None without any.

    Reads `objective.key_results.all()`, so prefetch them for lists.
    """
    results = list(objective.key_results.all())
    if not results:
        return None
    return sum(result.progress for result in results) / len(results)


def objective_score(objective: Objective) -> tuple[float | None, str | None]:
    """An objective's score (the mean progress of its key results, 0..1; None without
    any) and its colour band: "green" from 0.7, "yellow" from 0.4, "red" below; None
    without a score. Reads `objective.key_results.all()`, so prefetch them for lists."""
    score = mean_progress(objective)
    return score, score_band(score)


def objective_detail(*, pk: int) -> Objective:
    return objectives_with_key_results().get(pk=pk)


def objective_children(*, objective: Objective) -> QuerySet[Objective]:
    return objectives_with_key_results().filter(parent=objective)


def initiative_detail(*, pk: int) -> Initiative:
    return initiative_list().get(pk=pk)


def objective_choices() -> QuerySet[Objective]:
    """Objectives to pick from in a form (a parent, the objectives a bet serves)."""
    return Objective.objects.only("id", "title", "period").order_by("-period", "title")


def key_result_detail(*, pk: int) -> KeyResult:
    """A key result with what deciding who may edit it needs."""
    return KeyResult.objects.select_related(
        "objective__product__product_line", "objective__product_line"
    ).get(pk=pk)
