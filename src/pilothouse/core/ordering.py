"""Hand-ordered lists kept in a float rank column: the now / next / later board's columns,
a team's queue.

An item put between two others takes the midpoint of their ranks, so a move writes one
row. When two neighbours leave no room between them (after many moves to one place),
the list is renumbered evenly first: ordering housekeeping, not an edit, so it bumps no
version and records no change.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Max, Min, QuerySet

# The gap between neighbours after renumbering, and from the first or last item to one
# put before or after it.
RANK_STEP = 1024.0


def rank_first(items: QuerySet, *, field: str) -> float:
    """A rank that puts an item before every one of `items`."""
    lowest = items.aggregate(lowest=Min(field))["lowest"]
    return 0.0 if lowest is None else lowest - RANK_STEP


def rank_last(items: QuerySet, *, field: str) -> float:
    """A rank that puts an item after every one of `items`."""
    highest = items.aggregate(highest=Max(field))["highest"]
    return 0.0 if highest is None else highest + RANK_STEP


def rank_after(
    items: QuerySet,
    *,
    field: str,
    after_id: int | None,
    missing: str,
    error_field: str = "after",
) -> float:
    """The rank that puts an item right after the item `after_id` of `items` (None:
    first), renumbering `items` first when its neighbours leave no room.

    `items` is the list without the item being placed. ValidationError naming
    `error_field`, with the message `missing`, when `after_id` is not in the list."""
    found = _midpoint_after(items, field=field, after_id=after_id)
    if found is False:
        raise ValidationError({error_field: missing})
    if found is None:
        renumber(items, field=field)
        found = _midpoint_after(items, field=field, after_id=after_id)
    assert isinstance(found, float)  # evenly spaced ranks always leave room
    return found


def _midpoint_after(items: QuerySet, *, field: str, after_id: int | None) -> float | bool | None:
    """The midpoint rank after `after_id`; None when there is no room, False when
    `after_id` is not in the list."""
    ordered = list(items.order_by(field, "pk").values_list("pk", field))
    if after_id is None:
        return ordered[0][1] - RANK_STEP if ordered else 0.0
    index = next((i for i, (pk, _rank) in enumerate(ordered) if pk == after_id), None)
    if index is None:
        return False
    previous = ordered[index][1]
    if index + 1 == len(ordered):
        return previous + RANK_STEP
    following = ordered[index + 1][1]
    middle = (previous + following) / 2
    return None if middle in (previous, following) else middle


def renumber(items: QuerySet, *, field: str) -> None:
    """Space `items` out evenly, keeping their order (housekeeping: no change record)."""
    rows = list(items.order_by(field, "pk").only("pk", field))
    for index, row in enumerate(rows):
        setattr(row, field, index * RANK_STEP)
    items.model.objects.bulk_update(rows, [field], batch_size=500)
