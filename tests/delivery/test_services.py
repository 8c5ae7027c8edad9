"""Delivery's writes: the rules they enforce, with a clear message naming the field, and
nothing written when they refuse."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from pilothouse.core.models import ChangeRecord
from pilothouse.core.roles import Role
from pilothouse.core.writes import RefusedRows
from pilothouse.delivery import selectors, services
from pilothouse.delivery.models import CapacityPeriod, FeatureAssignment, Team, WorkItem
from tests.factories import (
    FeatureFactory,
    PersonFactory,
    ProductFactory,
    ProductLineFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def team():
    return services.team.create(actor=None, data={"name": "Checkout squad"})


def errors_of(excinfo) -> dict[str, list[str]]:
    return excinfo.value.message_dict


def test_a_capacity_period_gets_its_end_from_its_start(team):
    period = services.capacity_period.create(
        actor=None, data={"team": team, "granularity": "quarter", "start": D(2026, 7, 1)}
    )
    assert period.end == D(2026, 9, 30)
    assert period.label == "Q3 2026"
    month = services.capacity_period.create(
        actor=None, data={"team": team, "granularity": "month", "start": D(2026, 10, 1)}
    )
    assert month.end == D(2026, 10, 31)


@pytest.mark.parametrize(
    ("granularity", "start", "message"),
    [
        ("quarter", D(2026, 8, 1), "A quarterly period starts on the first day of a quarter."),
        ("month", D(2026, 8, 2), "A monthly period starts on the first day of a month."),
    ],
)
def test_a_period_must_start_on_the_first_day(team, granularity, start, message):
    before = ChangeRecord.objects.count()
    with pytest.raises(ValidationError) as excinfo:
        services.capacity_period.create(
            actor=None, data={"team": team, "granularity": granularity, "start": start}
        )
    assert errors_of(excinfo) == {"start": [message]}
    assert CapacityPeriod.objects.count() == 0
    assert ChangeRecord.objects.count() == before


def test_overlapping_periods_are_refused_naming_the_other(team):
    services.capacity_period.create(
        actor=None, data={"team": team, "granularity": "quarter", "start": D(2026, 7, 1)}
    )
    with pytest.raises(ValidationError) as excinfo:
        services.capacity_period.create(
            actor=None, data={"team": team, "granularity": "month", "start": D(2026, 9, 1)}
        )
    assert errors_of(excinfo) == {
        "start": ["This period overlaps the team's period Q3 2026 (2026-07-01 to 2026-09-30)."]
    }
    # Another team's calendar is its own; the next quarter is free.
    other = services.team.create(actor=None, data={"name": "Wallets"})
    services.capacity_period.create(
        actor=None, data={"team": other, "granularity": "month", "start": D(2026, 9, 1)}
    )
    services.capacity_period.create(
        actor=None, data={"team": team, "granularity": "quarter", "start": D(2026, 10, 1)}
    )
    assert CapacityPeriod.objects.filter(team=team).count() == 2


def test_moving_a_period_onto_another_is_refused(team):
    q3 = services.capacity_period.create(
        actor=None, data={"team": team, "granularity": "quarter", "start": D(2026, 7, 1)}
    )
    q4 = services.capacity_period.create(
        actor=None, data={"team": team, "granularity": "quarter", "start": D(2026, 10, 1)}
    )
    with pytest.raises(ValidationError) as excinfo:
        services.capacity_period.update(
            actor=None, instance=q4, version=1, data={"start": D(2026, 7, 1)}
        )
    assert "start" in errors_of(excinfo)
    q4.refresh_from_db()
    assert (q4.start, q4.version, q3.start) == (D(2026, 10, 1), 1, D(2026, 7, 1))


def test_a_negative_override_is_refused(team):
    with pytest.raises(ValidationError) as excinfo:
        services.capacity_period.create(
            actor=None,
            data={
                "team": team,
                "granularity": "quarter",
                "start": D(2026, 7, 1),
                "person_weeks": -1,
            },
        )
    assert list(errors_of(excinfo)) == ["person_weeks"]


def test_time_off_that_ends_before_it_starts_is_refused():
    person = PersonFactory()
    with pytest.raises(ValidationError) as excinfo:
        services.time_off.create(
            actor=None, data={"person": person, "start": D(2026, 8, 14), "end": D(2026, 8, 3)}
        )
    assert errors_of(excinfo) == {"end": ["The end is before the start."]}


@pytest.mark.parametrize("allocation", [0, 101])
def test_an_allocation_is_between_1_and_100(team, allocation):
    with pytest.raises(ValidationError) as excinfo:
        services.team_member.create(
            actor=None, data={"team": team, "person": PersonFactory(), "allocation": allocation}
        )
    assert list(errors_of(excinfo)) == ["allocation"]


def test_allocations_over_100_across_teams_are_flagged_not_capped(team):
    other = services.team.create(actor=None, data={"name": "Wallets"})
    busy, calm = PersonFactory(name="Busy"), PersonFactory(name="Calm")
    services.team_member.create(actor=None, data={"team": team, "person": busy, "allocation": 80})
    services.team_member.create(actor=None, data={"team": other, "person": busy, "allocation": 40})
    services.team_member.create(actor=None, data={"team": team, "person": calm, "allocation": 50})
    members = {m.person.name: m for m in selectors.members_of(team=team)}
    assert (members["Busy"].allocation, members["Busy"].total_allocation) == (80, 120)
    assert members["Busy"].over_allocated
    assert not members["Calm"].over_allocated


def test_a_product_manager_changes_the_teams_of_products_they_look_after(team):
    pm = UserFactory(role=Role.PRODUCT_MANAGER)
    product = ProductFactory(product_line=ProductLineFactory(owner=pm))
    with pytest.raises(PermissionDenied):
        services.team.update(actor=pm, instance=team, version=1, data={"description": "Ours"})
    team.products.add(product)
    services.team.update(actor=pm, instance=team, version=1, data={"description": "Ours"})
    with pytest.raises(PermissionDenied):
        services.team.create(actor=pm, data={"name": "Shadow team"})


def test_the_team_lead_changes_their_team(team):
    pm = UserFactory(role=Role.PRODUCT_MANAGER)
    lead = PersonFactory(user=pm)
    contributor = UserFactory(role=Role.CONTRIBUTOR)
    team = services.team.update(actor=None, instance=team, version=1, data={"lead": lead})
    services.capacity_period.create(
        actor=pm, data={"team": team, "granularity": "quarter", "start": D(2026, 7, 1)}
    )
    with pytest.raises(PermissionDenied):
        services.capacity_period.create(
            actor=contributor,
            data={"team": team, "granularity": "quarter", "start": D(2026, 10, 1)},
        )


def test_an_assignment_goes_to_the_end_and_moves_to_the_midpoint(team):
    first, second, third = (
        services.assignment.create(actor=None, data={"team": team, "feature": FeatureFactory()})
        for _ in range(3)
    )
    assert [a.queue_rank for a in (first, second, third)] == [0.0, 1024.0, 2048.0]
    moved = services.assignment_move(actor=None, instance=third, version=1, after_id=first.pk)
    assert moved.queue_rank == 512.0
    assert [a.pk for a in selectors.team_queue(team=team)] == [first.pk, third.pk, second.pk]
    top = services.assignment_move(actor=None, instance=second, version=1, after_id=None)
    assert [a.pk for a in selectors.team_queue(team=team)] == [second.pk, first.pk, third.pk]
    assert selectors.assignment_of(feature_id=top.feature_id).position == 1


def test_a_queue_without_room_is_renumbered(team):
    a, b, c = (
        FeatureAssignment.objects.create(team=team, feature=FeatureFactory(), queue_rank=1.0)
        for _ in range(3)
    )
    services.assignment_move(actor=None, instance=c, version=1, after_id=a.pk)
    assert [x.pk for x in selectors.team_queue(team=team)] == [a.pk, c.pk, b.pk]


def test_moving_after_an_assignment_of_another_team_is_refused(team):
    other = services.team.create(actor=None, data={"name": "Wallets"})
    mine = services.assignment.create(actor=None, data={"team": team, "feature": FeatureFactory()})
    theirs = services.assignment.create(
        actor=None, data={"team": other, "feature": FeatureFactory()}
    )
    with pytest.raises(ValidationError) as excinfo:
        services.assignment_move(actor=None, instance=mine, version=1, after_id=theirs.pk)
    assert list(errors_of(excinfo)) == ["after_id"]


def test_a_feature_is_in_one_queue_at_most(team):
    feature = FeatureFactory()
    services.assignment.create(actor=None, data={"team": team, "feature": feature})
    other = services.team.create(actor=None, data={"name": "Wallets"})
    with pytest.raises(ValidationError) as excinfo:
        services.assignment.create(actor=None, data={"team": other, "feature": feature})
    assert list(errors_of(excinfo)) == ["feature"]


def test_work_items_in_bulk_are_all_or_nothing(team):
    rows = [
        {"team": team, "title": "A", "completed_on": D(2026, 3, 2), "external_id": "T-1"},
        {"team": team, "title": "", "completed_on": D(2026, 3, 3)},
        {"team": team, "title": "C", "completed_on": D(2026, 3, 4), "external_id": "T-1"},
    ]
    before = ChangeRecord.objects.count()
    with pytest.raises(RefusedRows) as excinfo:
        services.work_items_create(actor=None, rows=rows)
    refused = excinfo.value.message_dict
    assert set(refused) == {"rows[1].title", "rows[2]"}
    assert refused["rows[2]"] == ["Work item with this Team and External id already exists."]
    assert WorkItem.objects.count() == 0
    assert ChangeRecord.objects.count() == before
    made = services.work_items_create(actor=None, rows=[rows[0], {**rows[2], "external_id": ""}])
    assert [item.external_id for item in made] == ["T-1", None]
    with pytest.raises(RefusedRows) as again:
        services.work_items_create(actor=None, rows=[rows[0]])
    assert "rows[0]" in next(iter(again.value.message_dict))


def test_work_items_in_bulk_check_permission(team):
    with pytest.raises(RefusedRows) as excinfo:
        services.work_items_create(
            actor=UserFactory(role=Role.VIEWER),
            rows=[{"team": team, "title": "A", "completed_on": D(2026, 3, 2)}],
        )
    assert list(excinfo.value.message_dict) == ["rows[0]"]
    assert not WorkItem.objects.exists()


def test_deleting_a_team_takes_its_periods_queue_and_history(team):
    services.capacity_period.create(
        actor=None, data={"team": team, "granularity": "quarter", "start": D(2026, 7, 1)}
    )
    services.assignment.create(actor=None, data={"team": team, "feature": FeatureFactory()})
    services.work_item.create(
        actor=None, data={"team": team, "title": "Done", "completed_on": D(2026, 3, 2)}
    )
    services.team.delete(actor=None, instance=team)
    assert not Team.objects.exists()
    assert not CapacityPeriod.objects.exists()
    assert not FeatureAssignment.objects.exists()
    assert not WorkItem.objects.exists()
