"""Dependencies between roadmap items: cycles, order, schedule conflicts, date propagation.

An edge `(blocker, blocked)` says the blocked item cannot be done before the blocker is:
the direction of every edge, list and cycle here is the direction of blocking. Ids are
the database's integer primary keys. Edges are given as an iterable of pairs (what a
`values_list("blocker_id", "blocked_id")` yields); a repeated edge counts once.

Why an engine: the app refuses a dependency that would close a cycle (`find_cycle`, run
before the edge is saved, so the stored graph stays acyclic), shows the portfolio in
dependency order (`topological_order`), flags dependents planned too early
(`schedule_conflicts`) and says how far a delay cascades (`propagate_dates`). The demo's
large organization has 20,000 features, so everything here is iterative (no recursion
limit) and linear in the size of the graph, bar the heap that keeps the order stable.

Dates are days. An item is planned as a `Window(start, end)`: `end` is when it is done
(its release's target date, say), `start` when work begins, either may be unknown. The
rule, used by both `schedule_conflicts` and `propagate_dates`: a blocked item may start
on or after the day its blocker ends, and may end on or after it; the same day is fine
(a hand-off within the day, and two features shipping in the same release).
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

Edge = tuple[int, int]

ConflictReason = Literal[
    "blocked_ends_before_blocker",
    "blocked_starts_before_blocker_ends",
    "blocker_unscheduled",
]
CONFLICT_REASONS: tuple[ConflictReason, ...] = (
    "blocked_ends_before_blocker",
    "blocked_starts_before_blocker_ends",
    "blocker_unscheduled",
)


# --- Checks ------------------------------------------------------------------------------


def _is_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_id(value: object, name: str) -> int:
    if not _is_id(value):
        raise ValueError(f"{name}: must be an integer id, got {value!r}")
    return value  # type: ignore[return-value]


def _check_date(value: object, name: str) -> dt.date | None:
    # A datetime is a date too; a day-level schedule must not take one silently.
    if value is not None and (not isinstance(value, dt.date) or isinstance(value, dt.datetime)):
        raise ValueError(f"{name}: must be a date or None, got {value!r}")
    return value


def _check_edge(pair: object, name: str) -> Edge:
    if (
        not isinstance(pair, (tuple, list))
        or len(pair) != 2
        or not _is_id(pair[0])
        or not _is_id(pair[1])
    ):
        raise ValueError(f"{name}: must be a (blocker, blocked) pair of integer ids, got {pair!r}")
    return (pair[0], pair[1])


def _check_edges(edges: Iterable[Edge], *, allow_self: bool = True) -> list[Edge]:
    """The distinct edges in the order first given, each checked."""
    if isinstance(edges, (str, bytes)) or not isinstance(edges, Iterable):
        raise ValueError("edges: must be an iterable of (blocker, blocked) pairs")
    seen: set[Edge] = set()
    checked: list[Edge] = []
    for position, pair in enumerate(edges):
        edge = _check_edge(pair, f"edges[{position}]")
        if not allow_self and edge[0] == edge[1]:
            raise ValueError(f"edges[{position}]: item {edge[0]} cannot block itself")
        if edge not in seen:
            seen.add(edge)
            checked.append(edge)
    return checked


def _successors(edges: Iterable[Edge]) -> dict[int, list[int]]:
    graph: dict[int, list[int]] = {}
    for blocker, blocked in edges:
        graph.setdefault(blocker, []).append(blocked)
        graph.setdefault(blocked, [])
    return graph


# --- Cycles and order --------------------------------------------------------------------


class CycleError(ValueError):
    """The dependencies contain a cycle; `cycle` lists it, first id repeated at the end."""

    def __init__(self, cycle: list[int]) -> None:
        self.cycle = cycle
        super().__init__(f"edges: dependency cycle {' -> '.join(str(i) for i in cycle)}")


def find_cycle(*, edges: Iterable[Edge], new_edge: Edge) -> list[int] | None:
    """The cycle that adding `new_edge` would close, or None if it closes none.

    The cycle starts and ends at the new edge's blocker and follows the direction of
    blocking: with 2 -> 3 and 3 -> 1 stored, adding 1 -> 2 gives [1, 2, 3, 1]. A self-edge
    gives [x, x]. Of the cycles through the new edge, the answer is a shortest one (a
    breadth-first search from the blocked item back to the blocker); among cycles of
    the same length, the one found first following the edges in the order given.

    Only cycles through the new edge are reported: one already among `edges` is not.
    """
    blocker, blocked = _check_edge(new_edge, "new_edge")
    checked = _check_edges(edges)
    if blocker == blocked:
        return [blocker, blocker]
    graph = _successors(checked)
    # Breadth-first from `blocked`; `parent` doubles as the set of nodes seen.
    parent: dict[int, int | None] = {blocked: None}
    queue = deque([blocked])
    while queue:
        node = queue.popleft()
        for successor in graph.get(node, ()):
            if successor in parent:
                continue
            parent[successor] = node
            if successor == blocker:
                path = [blocker]
                step = parent[blocker]
                while step is not None:
                    path.append(step)
                    step = parent[step]
                path.reverse()  # blocked ... blocker
                return [blocker, *path]
            queue.append(successor)
    return None


def _cycle_among(remaining: set[int], predecessors: dict[int, list[int]]) -> list[int]:
    """A cycle among the nodes Kahn's algorithm could not order.

    Each such node still has a predecessor among them, so walking predecessors from any
    of them must revisit a node; the revisited stretch, reversed, is a cycle in the
    direction of blocking. It is rotated to start at its smallest id, for a stable answer.
    """
    node = min(remaining)
    order: dict[int, int] = {}
    walk: list[int] = []
    while node not in order:
        order[node] = len(walk)
        walk.append(node)
        node = min(p for p in predecessors[node] if p in remaining)
    loop = walk[order[node] :]
    loop.reverse()
    first = loop.index(min(loop))
    loop = loop[first:] + loop[:first]
    return [*loop, loop[0]]


def topological_order(*, nodes: Iterable[int], edges: Iterable[Edge]) -> list[int]:
    """Every item, each after all its blockers; among items free at once, smallest id first.

    The items are `nodes` and every id named by an edge (a blocker outside `nodes` is
    still ordered before what it blocks). Raises `CycleError`, carrying one cycle
    (starting and ending at its smallest id), if the dependencies have one.
    """
    if isinstance(nodes, (str, bytes)) or not isinstance(nodes, Iterable):
        raise ValueError("nodes: must be an iterable of integer ids")
    checked = _check_edges(edges)
    indegree: dict[int, int] = {}
    for position, node in enumerate(nodes):
        indegree[_check_id(node, f"nodes[{position}]")] = 0
    graph = _successors(checked)
    predecessors: dict[int, list[int]] = {}
    for blocker, blocked in checked:
        indegree.setdefault(blocker, 0)
        indegree[blocked] = indegree.get(blocked, 0) + 1
        predecessors.setdefault(blocked, []).append(blocker)
    ready = [node for node, degree in indegree.items() if degree == 0]
    heapq.heapify(ready)
    order: list[int] = []
    while ready:
        node = heapq.heappop(ready)
        order.append(node)
        for successor in graph.get(node, ()):
            indegree[successor] -= 1
            if indegree[successor] == 0:
                heapq.heappush(ready, successor)
    if len(order) < len(indegree):
        remaining = set(indegree).difference(order)
        raise CycleError(_cycle_among(remaining, predecessors))
    return order


# --- Schedules ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    """When an item is planned: `start` when work begins, `end` when it is done.

    Either may be None (unknown); a window with neither is unscheduled. `start` may not
    be after `end`.
    """

    start: dt.date | None = None
    end: dt.date | None = None

    def __post_init__(self) -> None:
        _check_date(self.start, "start")
        _check_date(self.end, "end")
        if self.start is not None and self.end is not None and self.start > self.end:
            raise ValueError(
                f"end: {self.end.isoformat()} is before start {self.start.isoformat()}"
            )

    @property
    def is_scheduled(self) -> bool:
        return self.start is not None or self.end is not None


UNSCHEDULED = Window()


def _check_schedule(schedule: Mapping[int, Window]) -> Mapping[int, Window]:
    if not isinstance(schedule, Mapping):
        raise ValueError("schedule: must be a mapping of item id to Window")
    for key, window in schedule.items():
        _check_id(key, "schedule")
        if not isinstance(window, Window):
            raise ValueError(f"schedule[{key}]: must be a Window, got {type(window).__name__}")
    return schedule


@dataclass(frozen=True)
class Conflict:
    """A dependent planned too early for its blocker (see `schedule_conflicts`).

    `blocked_date` is the blocked item's date that breaks the rule: its end, its start,
    or (blocker unscheduled) its end if it has one, else its start. `days` is how many
    days too early it is (None when the blocker is unscheduled).
    """

    blocker: int
    blocked: int
    reason: ConflictReason
    blocker_end: dt.date | None
    blocked_date: dt.date

    @property
    def days(self) -> int | None:
        if self.blocker_end is None:
            return None
        return (self.blocker_end - self.blocked_date).days


def schedule_conflicts(*, edges: Iterable[Edge], schedule: Mapping[int, Window]) -> list[Conflict]:
    """The dependencies whose blocked item is planned before its blocker is done.

    For each edge blocker -> blocked, where the blocked item is scheduled (it has a start
    or an end), at most one conflict, the first that applies:

    1. `blocker_unscheduled`: the blocker has no end date (it is absent from `schedule`,
       has no dates, or has only a start), so nothing says the blocked date is safe.
    2. `blocked_ends_before_blocker`: the blocked item's end is strictly before the
       blocker's end.
    3. `blocked_starts_before_blocker_ends`: the blocked item's start is strictly before
       the blocker's end.

    The same day is not a conflict. A blocked item absent from `schedule` or with no
    dates has no conflict. Pairs are judged one by one, so a cycle needs no special
    case; an item blocking itself is refused (ValueError). Sorted by (blocker, blocked).
    """
    checked = _check_edges(edges, allow_self=False)
    _check_schedule(schedule)
    conflicts: list[Conflict] = []
    for blocker, blocked in sorted(checked):
        window = schedule.get(blocked, UNSCHEDULED)
        if not window.is_scheduled:
            continue
        blocker_end = schedule.get(blocker, UNSCHEDULED).end
        if blocker_end is None:
            when = window.end if window.end is not None else window.start
            assert when is not None  # the window is scheduled
            conflicts.append(Conflict(blocker, blocked, "blocker_unscheduled", None, when))
        elif window.end is not None and window.end < blocker_end:
            conflicts.append(
                Conflict(blocker, blocked, "blocked_ends_before_blocker", blocker_end, window.end)
            )
        elif window.start is not None and window.start < blocker_end:
            conflicts.append(
                Conflict(
                    blocker,
                    blocked,
                    "blocked_starts_before_blocker_ends",
                    blocker_end,
                    window.start,
                )
            )
    return conflicts


# --- Date propagation --------------------------------------------------------------------


@dataclass(frozen=True)
class DateShift:
    """An item that cannot start when planned, and when it can.

    `planned_start` is the start it was judged by (the window's start, or its end less
    its duration when the start is unknown); `start` is the earliest allowed start, `days`
    later. `end` is the end that follows (`start` plus its duration, never earlier than
    the planned end), None when the item has neither an end nor a given duration.
    `blocked_by` is the blocker whose end set `start` (smallest id on a tie).
    """

    id: int
    planned_start: dt.date
    planned_end: dt.date | None
    start: dt.date
    end: dt.date | None
    days: int
    blocked_by: int


def _check_durations(durations: Mapping[int, int] | None) -> Mapping[int, int]:
    if durations is None:
        return {}
    if not isinstance(durations, Mapping):
        raise ValueError("durations: must be a mapping of item id to a number of days")
    for key, days in durations.items():
        _check_id(key, "durations")
        if not _is_id(days) or days < 0:
            raise ValueError(f"durations[{key}]: must be a whole number of days >= 0, got {days!r}")
    return durations


def _add_days(day: dt.date, days: int, item: int) -> dt.date:
    try:
        return day + dt.timedelta(days=days)
    except OverflowError:
        raise ValueError(
            f"durations[{item}]: {day.isoformat()} plus {days} days is past the calendar's end"
        ) from None


def _later(a: dt.date | None, b: dt.date | None) -> dt.date | None:
    if a is None:
        return b
    if b is None:
        return a
    return max(a, b)


def propagate_dates(
    *,
    edges: Iterable[Edge],
    schedule: Mapping[int, Window],
    durations: Mapping[int, int] | None = None,
) -> dict[int, DateShift]:
    """The items that cannot start when planned, with their earliest allowed dates.

    A forward pass in `topological_order` (so a delay cascades down a chain; a cycle
    raises `CycleError`). For each item:

    - duration: `durations[id]` if given (days), else the window's length (end - start)
      when it has both dates, else 0;
    - planned start: the window's start, else its end less the duration, else none;
    - bound: the latest *effective end* among its blockers (blockers with none are
      ignored);
    - earliest start: the later of the planned start and the bound;
    - effective end (what its dependents are bound by): the later of the planned end and
      the earliest start plus the duration.

    An item is shifted when it has a planned start and the bound is later than it; its
    new end is the earliest start plus the duration, never earlier than planned (None if
    it has no planned end and no given duration). An unscheduled item is never reported
    but still passes a delay on: it cannot end before its blockers do.

    Returns {id: DateShift} for the shifted items, in topological order.
    """
    checked = _check_edges(edges)
    _check_schedule(schedule)
    lengths = _check_durations(durations)
    nodes = set(schedule) | set(lengths)
    order = topological_order(nodes=sorted(nodes), edges=checked)
    predecessors: dict[int, list[int]] = {}
    for blocker, blocked in checked:
        predecessors.setdefault(blocked, []).append(blocker)

    effective_end: dict[int, dt.date | None] = {}
    shifts: dict[int, DateShift] = {}
    for item in order:
        window = schedule.get(item, UNSCHEDULED)
        if item in lengths:
            duration = lengths[item]
        elif window.start is not None and window.end is not None:
            duration = (window.end - window.start).days
        else:
            duration = 0
        planned_start = window.start
        if planned_start is None and window.end is not None:
            planned_start = _add_days(window.end, -duration, item)

        bound: dt.date | None = None
        bound_by = 0
        for blocker in predecessors.get(item, ()):
            end = effective_end[blocker]
            if end is not None and (bound is None or (end, -blocker) > (bound, -bound_by)):
                bound, bound_by = end, blocker

        earliest = _later(planned_start, bound)
        own_end = None if earliest is None else _add_days(earliest, duration, item)
        effective_end[item] = _later(window.end, own_end)

        if planned_start is not None and bound is not None and bound > planned_start:
            assert own_end is not None  # earliest is bound here
            new_end = _later(window.end, own_end)
            if window.end is None and item not in lengths:
                new_end = None
            shifts[item] = DateShift(
                id=item,
                planned_start=planned_start,
                planned_end=window.end,
                start=bound,
                end=new_end,
                days=(bound - planned_start).days,
                blocked_by=bound_by,
            )
    return shifts
