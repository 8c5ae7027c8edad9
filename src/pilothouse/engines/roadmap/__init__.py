"""The roadmap engine: dependencies between items, and what changed between snapshots.

Pure Python (standard library only); no Django. The app passes ids, edges and dates in
and gets lists and frozen dataclasses back; bad input raises a ValueError naming the
field.

    from pilothouse.engines import roadmap

    roadmap.find_cycle(edges=stored, new_edge=(1, 2))         # [1, 2, 3, 1] or None
    roadmap.topological_order(nodes=ids, edges=stored)        # [int], or CycleError
    roadmap.schedule_conflicts(edges=stored, schedule=plan)   # [Conflict]
    roadmap.propagate_dates(edges=stored, schedule=plan)      # {id: DateShift}
    changes = roadmap.diff(before=snapshot, after=live)       # RoadmapDiff
    roadmap.to_markdown(changes, title="Since 1 March")       # str

An edge is `(blocker, blocked)`; `plan` maps an item's id to its `Window(start, end)`.
Snapshots are lists of `RoadmapItem`, stored as JSON with `items_to_json` and read back,
checked, with `items_from_json`.
"""

from pilothouse.engines.roadmap.dependencies import (
    CONFLICT_REASONS,
    Conflict,
    CycleError,
    DateShift,
    Window,
    find_cycle,
    propagate_dates,
    schedule_conflicts,
    topological_order,
)
from pilothouse.engines.roadmap.snapshots import (
    CHANGE_KINDS,
    HORIZONS,
    TRACKED_FIELDS,
    EndChange,
    FieldChange,
    RoadmapDiff,
    RoadmapItem,
    check_items,
    diff,
    escape_markdown,
    item_from_json,
    item_to_json,
    items_from_json,
    items_to_json,
    to_markdown,
)

__all__ = [
    "CHANGE_KINDS",
    "CONFLICT_REASONS",
    "HORIZONS",
    "TRACKED_FIELDS",
    "Conflict",
    "CycleError",
    "DateShift",
    "EndChange",
    "FieldChange",
    "RoadmapDiff",
    "RoadmapItem",
    "Window",
    "check_items",
    "diff",
    "escape_markdown",
    "find_cycle",
    "item_from_json",
    "item_to_json",
    "items_from_json",
    "items_to_json",
    "propagate_dates",
    "schedule_conflicts",
    "to_markdown",
    "topological_order",
]
