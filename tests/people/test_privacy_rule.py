"""people.privacy reads the privacy rule for whole lists at once; on any organization it
must agree with core.permissions.can_view_private, which decides it for one record."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pilothouse.core import permissions
from pilothouse.core.roles import Role
from pilothouse.people import privacy
from pilothouse.people.models import OneOnOne, Person
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@st.composite
def organizations(draw):
    """A random forest of people (each one's manager comes before them, so no cycles),
    some with a login of a random role, some private, and one-to-ones between pairs."""
    size = draw(st.integers(min_value=1, max_value=12))
    managers = [
        draw(st.one_of(st.none(), st.integers(min_value=0, max_value=i - 1))) if i else None
        for i in range(size)
    ]
    roles = [draw(st.one_of(st.none(), st.sampled_from(list(Role)))) for _ in range(size)]
    private = [draw(st.booleans()) for _ in range(size)]
    pairs = draw(
        st.lists(
            st.tuples(st.integers(0, size - 1), st.integers(0, size - 1)).filter(
                lambda pair: pair[0] != pair[1]
            ),
            max_size=4,
        )
    )
    loose_roles = draw(st.lists(st.sampled_from(list(Role)), max_size=2))
    inactive = draw(st.booleans())
    return managers, roles, private, pairs, loose_roles, inactive


def build(managers, roles, private, pairs, loose_roles, inactive):
    people: list[Person] = []
    users = []
    for index, (manager, role, hidden) in enumerate(zip(managers, roles, private, strict=True)):
        user = UserFactory(role=role) if role is not None else None
        if user is not None:
            users.append(user)
        people.append(
            Person.objects.create(
                name=f"P{index}",
                manager=people[manager] if manager is not None else None,
                user=user,
                private=hidden,
            )
        )
    # Logins without a person of their own, and one that was switched off.
    users.extend(UserFactory(role=role) for role in loose_roles)
    if inactive and users:
        users[0].is_active = False
        users[0].save()
    meetings = [
        OneOnOne.objects.create(
            person=people[a], with_person=people[b], held_on=dt.date(2026, 1, 1)
        )
        for a, b in pairs
    ]
    return people, users, meetings


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(organization=organizations())
def test_the_list_rule_agrees_with_the_single_record_rule(db, organization):
    with transaction.atomic():
        people, users, meetings = build(*organization)
        for user in [*users, None]:
            visible = privacy.visible_person_ids(user)
            sees = {p.pk for p in people if permissions.can_view_private(user, p)}
            everyone = {p.pk for p in people}
            assert (everyone if visible is None else visible & everyone) == sees
            for person in people:
                assert privacy.sees_private(visible, person.pk) == (person.pk in sees)

            listed = set(
                privacy.listed_people(Person.objects.all(), user).values_list("pk", flat=True)
            )
            assert listed == {p.pk for p in people if not p.private or p.pk in sees}
            hidden = set(
                Person.objects.filter(pk__in=privacy.hidden_person_ids(user)).values_list(
                    "pk", flat=True
                )
            )
            assert hidden == {p.pk for p in people if p.private and p.pk not in sees}

            kept = privacy.restrict(OneOnOne.objects.all(), user, "person", "with_person")
            assert set(kept.values_list("pk", flat=True)) == {
                m.pk for m in meetings if permissions.can_view_private(user, m)
            }
        transaction.set_rollback(True)


def test_a_manager_sees_down_their_lines_not_up_or_across(make_user):
    """The rule by hand on a small tree: top -> (left -> left_report), right."""
    logins = {
        name: make_user(Role.PRODUCT_MANAGER, username=name)
        for name in ["top", "left", "right", "left_report"]
    }
    top = Person.objects.create(name="Top", user=logins["top"])
    left = Person.objects.create(name="Left", user=logins["left"], manager=top)
    right = Person.objects.create(name="Right", user=logins["right"], manager=top)
    left_report = Person.objects.create(
        name="Left report", user=logins["left_report"], manager=left
    )
    assert privacy.visible_person_ids(logins["top"]) == {top.pk, left.pk, right.pk, left_report.pk}
    assert privacy.visible_person_ids(logins["left"]) == {left.pk, left_report.pk}
    assert privacy.visible_person_ids(logins["right"]) == {right.pk}
    assert privacy.visible_person_ids(logins["left_report"]) == {left_report.pk}
    assert privacy.visible_person_ids(make_user(Role.PRODUCT_LEADER, username="lead")) is None
    assert privacy.visible_person_ids(make_user(Role.VIEWER, username="nobody")) == set()
