"""Trees stored as a parent foreign key (objectives, reporting lines)."""

from __future__ import annotations

from django.db import models


def would_cycle(
    *, model: type[models.Model], pk: int | None, parent_field: str, parent_id: int | None
) -> bool:
    """Whether giving object `pk` the parent `parent_id` would make it its own ancestor."""
    if pk is None or parent_id is None:
        return False
    seen: set[int] = set()
    current_id: int | None = parent_id
    column = f"{parent_field}_id"
    while current_id is not None:
        if current_id == pk or current_id in seen:
            return True
        seen.add(current_id)
        current_id = (
            model._default_manager.filter(pk=current_id).values_list(column, flat=True).first()
        )
    return False
