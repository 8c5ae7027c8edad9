"""Every read of objectives, key results and initiatives used by views and the API."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

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
