"""People and reporting lines, as the services enforce them."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from pilothouse.core.roles import Role
from pilothouse.people import services
from pilothouse.people.models import Level, Person
from tests.api.helpers import changes_of, unchanged
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def test_create_a_person(leader, make_user):
    user = make_user(Role.PRODUCT_MANAGER)
    boss = PersonFactory()
    person = services.person.create(
        actor=leader,
        data={
            "name": "Ada",
            "email": "ada@example.com",
            "job_title": "PM",
            "level": Level.SENIOR_PM,
            "manager": boss,
            "user": user,
        },
    )
    assert person.manager == boss
    assert user.person == person
    assert changes_of(Person, person.pk).get().after["level"] == "senior_pm"


@pytest.mark.parametrize("email", ["", None])
def test_no_email_is_stored_as_null_so_many_may_lack_one(leader, email):
    first = services.person.create(actor=leader, data={"name": "A", "email": email})
    second = services.person.create(actor=leader, data={"name": "B", "email": email})
    assert first.email is None
    assert second.email is None


def test_emails_are_unique(leader):
    PersonFactory(email="ada@example.com")
    with unchanged(Person), pytest.raises(ValidationError) as caught:
        services.person.create(actor=leader, data={"name": "A", "email": "ada@example.com"})
    assert "email" in caught.value.message_dict


def test_no_level_is_stored_as_blank(leader):
    person = PersonFactory(level_id=Level.PM)
    updated = services.person.update(actor=leader, instance=person, version=1, data={"level": None})
    assert updated.level is None
    assert Person.objects.get(pk=person.pk).level is None


def test_an_unknown_level_is_refused(leader):
    with unchanged(Person), pytest.raises(ValidationError) as caught:
        services.person.create(actor=leader, data={"name": "A", "level": "wizard"})
    assert "level" in caught.value.message_dict


def test_nobody_is_in_their_own_management_chain(leader):
    ceo = PersonFactory(name="CEO")
    vp = PersonFactory(name="VP", manager=ceo)
    director = PersonFactory(name="Director", manager=vp)
    for new_manager in (ceo, vp, director):
        with unchanged(Person), pytest.raises(ValidationError) as caught:
            services.person.update(
                actor=leader, instance=ceo, version=1, data={"manager": new_manager}
            )
        assert "manager" in caught.value.message_dict
    moved = services.person.update(
        actor=leader, instance=director, version=1, data={"manager": ceo}
    )
    assert moved.manager == ceo


def test_a_user_is_linked_to_one_person_only(leader, make_user):
    user = make_user()
    PersonFactory(user=user)
    with unchanged(Person), pytest.raises(ValidationError) as caught:
        services.person.create(actor=leader, data={"name": "Twin", "user": user})
    assert "user" in caught.value.message_dict


@pytest.mark.parametrize("role", [Role.PRODUCT_MANAGER, Role.CONTRIBUTOR, Role.VIEWER])
def test_only_portfolio_wide_roles_change_people(make_user, role):
    actor = make_user(role)
    own_record = PersonFactory(user=actor)
    with unchanged(Person):
        with pytest.raises(PermissionDenied):
            services.person.create(actor=actor, data={"name": "New"})
        with pytest.raises(PermissionDenied):
            services.person.update(actor=actor, instance=own_record, version=1, data={"name": "Me"})
        with pytest.raises(PermissionDenied):
            services.person.delete(actor=actor, instance=own_record)


def test_deleting_a_manager_leaves_the_reports_without_one(leader):
    boss = PersonFactory()
    report = PersonFactory(manager=boss)
    services.person.delete(actor=leader, instance=boss)
    report.refresh_from_db()
    assert report.manager is None
