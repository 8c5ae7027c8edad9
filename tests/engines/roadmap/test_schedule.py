"""Schedule conflicts and date propagation: the documented rules, case by case."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pilothouse.engines.roadmap import (
    Conflict,
    CycleError,
    DateShift,
    Window,
    propagate_dates,
    schedule_conflicts,
)
from tests.engines.roadmap.strategies import dags, windows


def d(month: int, day: int) -> dt.date:
    return dt.date(2027, month, day)


# --- Window ------------------------------------------------------------------------------


def test_a_window_checks_itself():
    assert Window(d(1, 1), d(1, 1)).is_scheduled
    assert Window(None, d(1, 1)).is_scheduled
    assert not Window().is_scheduled
    with pytest.raises(ValueError, match=r"end: 2027-01-01 is before start 2027-02-01"):
        Window(d(2, 1), d(1, 1))
    with pytest.raises(ValueError, match=r"start: must be a date or None"):
        Window(dt.datetime(2027, 1, 1, tzinfo=dt.UTC), None)
    with pytest.raises(ValueError, match=r"end: must be a date or None, got '2027-01-01'"):
        Window(None, "2027-01-01")
    with pytest.raises(AttributeError):
        Window().end = d(1, 1)  # type: ignore[misc]


# --- schedule_conflicts ------------------------------------------------------------------


def conflicts(edges, **windows):
    return schedule_conflicts(edges=edges, schedule={int(k[1:]): w for k, w in windows.items()})


def test_blocked_ends_before_its_blocker():
    found = conflicts([(1, 2)], i1=Window(d(1, 1), d(3, 1)), i2=Window(None, d(2, 15)))
    assert found == [Conflict(1, 2, "blocked_ends_before_blocker", d(3, 1), d(2, 15))]
    assert found[0].days == 14


def test_blocked_starts_before_its_blocker_ends():
    found = conflicts([(1, 2)], i1=Window(None, d(3, 1)), i2=Window(d(2, 20), d(3, 10)))
    assert found == [Conflict(1, 2, "blocked_starts_before_blocker_ends", d(3, 1), d(2, 20))]
    assert found[0].days == 9


def test_the_end_rule_comes_first():
    # Starts and ends before the blocker ends: one conflict, about the end.
    found = conflicts([(1, 2)], i1=Window(None, d(3, 1)), i2=Window(d(1, 1), d(2, 1)))
    assert [c.reason for c in found] == ["blocked_ends_before_blocker"]


def test_a_start_only_dependent_is_judged_by_its_start():
    found = conflicts([(1, 2)], i1=Window(None, d(3, 1)), i2=Window(d(2, 1), None))
    assert found == [Conflict(1, 2, "blocked_starts_before_blocker_ends", d(3, 1), d(2, 1))]


def test_the_same_day_is_not_a_conflict():
    assert conflicts([(1, 2)], i1=Window(None, d(3, 1)), i2=Window(None, d(3, 1))) == []
    assert conflicts([(1, 2)], i1=Window(None, d(3, 1)), i2=Window(d(3, 1), d(3, 9))) == []
    assert conflicts([(1, 2)], i1=Window(d(1, 1), d(3, 1)), i2=Window(d(3, 2), None)) == []


def test_a_blocker_without_an_end():
    blocked = Window(d(2, 1), d(2, 10))
    expected = [Conflict(1, 2, "blocker_unscheduled", None, d(2, 10))]
    assert conflicts([(1, 2)], i2=blocked) == expected  # absent
    assert conflicts([(1, 2)], i1=Window(), i2=blocked) == expected  # no dates
    assert conflicts([(1, 2)], i1=Window(d(1, 1), None), i2=blocked) == expected  # start only
    assert expected[0].days is None
    # The dependent's start when it has no end.
    assert conflicts([(1, 2)], i2=Window(d(2, 1), None)) == [
        Conflict(1, 2, "blocker_unscheduled", None, d(2, 1))
    ]


def test_an_unscheduled_dependent_has_no_conflict():
    assert conflicts([(1, 2)], i1=Window(None, d(3, 1))) == []
    assert conflicts([(1, 2)], i1=Window(None, d(3, 1)), i2=Window()) == []
    assert conflicts([(1, 2)]) == []


def test_conflicts_are_sorted_and_counted_once_per_edge():
    plan = {i: Window(None, d(1, 10 - i)) for i in range(1, 6)}  # later ids end earlier
    found = schedule_conflicts(edges=[(4, 5), (1, 3), (1, 2), (1, 2)], schedule=plan)
    assert [(c.blocker, c.blocked) for c in found] == [(1, 2), (1, 3), (4, 5)]


def test_a_cycle_is_judged_pair_by_pair():
    plan = {1: Window(None, d(3, 1)), 2: Window(None, d(2, 1))}
    found = schedule_conflicts(edges=[(1, 2), (2, 1)], schedule=plan)
    assert found == [Conflict(1, 2, "blocked_ends_before_blocker", d(3, 1), d(2, 1))]


def test_schedule_conflicts_bad_input():
    with pytest.raises(ValueError, match=r"edges\[1\]: item 3 cannot block itself"):
        schedule_conflicts(edges=[(1, 2), (3, 3)], schedule={})
    with pytest.raises(ValueError, match=r"schedule\[2\]: must be a Window, got tuple"):
        schedule_conflicts(edges=[], schedule={2: (d(1, 1), d(1, 2))})
    with pytest.raises(ValueError, match=r"schedule: must be an integer id, got '2'"):
        schedule_conflicts(edges=[], schedule={"2": Window()})
    with pytest.raises(ValueError, match=r"schedule: must be a mapping"):
        schedule_conflicts(edges=[], schedule=[Window()])


# --- propagate_dates ---------------------------------------------------------------------


def test_a_delay_cascades_down_a_chain():
    plan = {
        1: Window(d(1, 1), d(3, 1)),  # ends 1 March
        2: Window(d(2, 1), d(2, 15)),  # planned to start in February: 28 days early
        3: Window(d(2, 16), d(2, 20)),  # follows 2, so it moves too
    }
    shifts = propagate_dates(edges=[(1, 2), (2, 3)], schedule=plan)
    assert shifts == {
        2: DateShift(2, d(2, 1), d(2, 15), start=d(3, 1), end=d(3, 15), days=28, blocked_by=1),
        3: DateShift(3, d(2, 16), d(2, 20), start=d(3, 15), end=d(3, 19), days=27, blocked_by=2),
    }
    assert list(shifts) == [2, 3]  # topological order


def test_durations_replace_the_window_length_and_never_pull_an_end_in():
    plan = {1: Window(None, d(3, 1)), 2: Window(d(2, 1), d(4, 30)), 3: Window(None, d(3, 5))}
    shifts = propagate_dates(edges=[(1, 2), (1, 3)], schedule=plan, durations={2: 10, 3: 10})
    # 2 may start on 1 March; ten days make 11 March, but it was planned to end 30 April.
    assert shifts[2].start == d(3, 1)
    assert shifts[2].end == d(4, 30)
    # 3 has no start: it would start ten days before its end, 23 February: too early.
    assert shifts[3] == DateShift(3, d(2, 23), d(3, 5), d(3, 1), d(3, 11), 6, 1)


def test_an_end_only_item_without_duration_ends_when_its_blocker_does():
    plan = {1: Window(None, d(3, 1)), 2: Window(None, d(2, 1))}
    assert propagate_dates(edges=[(1, 2)], schedule=plan) == {
        2: DateShift(2, d(2, 1), d(2, 1), d(3, 1), d(3, 1), 28, 1)
    }


def test_a_start_only_item_has_no_end_unless_a_duration_is_given():
    plan = {1: Window(None, d(3, 1)), 2: Window(d(2, 1), None)}
    assert propagate_dates(edges=[(1, 2)], schedule=plan)[2].end is None
    assert propagate_dates(edges=[(1, 2)], schedule=plan, durations={2: 5})[2].end == d(3, 6)


def test_the_latest_blocker_sets_the_start_and_ties_go_to_the_smallest_id():
    plan = {
        1: Window(None, d(3, 1)),
        2: Window(None, d(3, 9)),
        3: Window(None, d(3, 9)),
        4: Window(d(2, 1), d(2, 2)),
    }
    shift = propagate_dates(edges=[(3, 4), (1, 4), (2, 4)], schedule=plan)[4]
    assert (shift.start, shift.blocked_by) == (d(3, 9), 2)


def test_on_time_items_are_not_reported():
    plan = {1: Window(None, d(3, 1)), 2: Window(d(3, 1), d(3, 5)), 3: Window(d(4, 1), None)}
    assert propagate_dates(edges=[(1, 2), (2, 3)], schedule=plan) == {}


def test_an_unscheduled_item_passes_a_delay_on():
    # 1 ends 1 March; 2 has no dates but lasts 10 days; 3 cannot start before 11 March.
    plan = {1: Window(None, d(3, 1)), 3: Window(d(3, 5), d(3, 6))}
    shifts = propagate_dates(edges=[(1, 2), (2, 3)], schedule=plan, durations={2: 10})
    assert list(shifts) == [3]
    assert (shifts[3].start, shifts[3].end, shifts[3].blocked_by) == (d(3, 11), d(3, 12), 2)


def test_a_blocker_ending_later_than_planned_pushes_through_its_planned_end():
    # 2 is delayed to 1 March but was planned to end 1 April anyway: 3 is bound by April.
    plan = {1: Window(None, d(3, 1)), 2: Window(None, d(4, 1)), 3: Window(d(3, 20), None)}
    shifts = propagate_dates(edges=[(1, 2), (2, 3)], schedule=plan)
    assert list(shifts) == [3]
    assert shifts[3].start == d(4, 1)


def test_propagation_refuses_a_cycle_and_bad_durations():
    with pytest.raises(CycleError) as caught:
        propagate_dates(edges=[(1, 2), (2, 1)], schedule={})
    assert caught.value.cycle == [1, 2, 1]
    with pytest.raises(CycleError):
        propagate_dates(edges=[(3, 3)], schedule={})
    for bad in (-1, 1.5, True, "3"):
        with pytest.raises(ValueError, match=r"durations\[2\]: must be a whole number of days"):
            propagate_dates(edges=[], schedule={}, durations={2: bad})
    with pytest.raises(ValueError, match=r"durations: must be a mapping"):
        propagate_dates(edges=[], schedule={}, durations=[3])
    with pytest.raises(ValueError, match=r"durations\[2\]: .* past the calendar's end"):
        propagate_dates(
            edges=[(1, 2)],
            schedule={1: Window(None, dt.date(9999, 12, 1)), 2: Window(dt.date(2027, 1, 1))},
            durations={2: 100},
        )


@given(dags(), st.data())
def test_applying_the_shifts_leaves_no_timing_conflict_and_nothing_to_shift(graph, data):
    nodes, edges = graph
    plan = {node: data.draw(windows()) for node in nodes if data.draw(st.booleans())}
    durations = {node: data.draw(st.integers(0, 60)) for node in nodes if data.draw(st.booleans())}
    shifts = propagate_dates(edges=edges, schedule=plan, durations=durations)
    for item, shift in shifts.items():
        assert shift.days > 0
        assert shift.start == shift.planned_start + dt.timedelta(days=shift.days)
        assert (shift.end is None) == (plan[item].end is None and item not in durations)
        if shift.end is not None and plan[item].end is not None:
            assert shift.end >= plan[item].end
        assert (shift.blocked_by, item) in set(edges)
    shifted = dict(plan)
    for item, shift in shifts.items():
        shifted[item] = Window(shift.start, shift.end)
    remaining = schedule_conflicts(edges=edges, schedule=shifted)
    assert [c for c in remaining if c.reason != "blocker_unscheduled"] == []
    assert propagate_dates(edges=edges, schedule=shifted, durations=durations) == {}


@given(dags(), st.data())
def test_every_timing_conflict_is_shifted(graph, data):
    nodes, edges = graph
    plan = {node: data.draw(windows()) for node in nodes}
    shifts = propagate_dates(edges=edges, schedule=plan)
    for conflict in schedule_conflicts(edges=edges, schedule=plan):
        if conflict.reason != "blocker_unscheduled":
            assert conflict.blocked in shifts
