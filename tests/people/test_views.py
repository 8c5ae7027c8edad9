"""People pages: the list, a person's page with their management chain, and the form
that only the portfolio-wide roles may use."""

from __future__ import annotations

import pytest
from django.urls import reverse

from pilothouse.core.roles import Role
from pilothouse.people.forms import PersonForm
from pilothouse.people.models import Level, Person
from tests.factories import PersonFactory
from tests.web.helpers import assert_same_queries, form_payload, history_panel

PEOPLE = reverse("people:person_list")


@pytest.fixture
def team(db):
    cpo = PersonFactory(name="Carla", level_id=Level.CPO, job_title="CPO")
    vp = PersonFactory(name="Victor", level_id=Level.VP, manager=cpo)
    pm = PersonFactory(name="Pia", level_id=Level.PM, job_title="Product manager", manager=vp)
    PersonFactory(name="Quinn", manager=vp)
    return {"cpo": cpo, "vp": vp, "pm": pm}


def test_the_people_list_shows_levels_managers_and_reports(as_user, viewer, team):
    response = as_user(viewer).get(PEOPLE)
    assert response.status_code == 200
    rows = {
        p.name: (p.get_level_display(), p.manager, p.report_count)
        for p in response.context["people"]
    }
    assert rows == {
        "Carla": ("Chief product officer", None, 1),
        "Victor": ("VP of product", team["cpo"], 2),
        "Pia": ("Product manager", team["vp"], 0),
        "Quinn": ("", team["vp"], 0),
    }


def _grow_team(n: int) -> None:
    boss = PersonFactory()
    for _ in range(n):
        PersonFactory(manager=boss, level_id=Level.PM)


def test_the_people_list_costs_the_same_queries_for_5_and_50_people(as_user, viewer):
    _grow_team(5)
    client = as_user(viewer)
    assert_same_queries(lambda: client.get(PEOPLE), lambda: _grow_team(45))


def test_a_persons_page_shows_the_management_chain_and_reports(as_user, viewer, team):
    client = as_user(viewer)
    pia = client.get(reverse("people:person_detail", args=[team["pm"].pk]))
    assert [p.name for p in pia.context["chain"]] == ["Victor", "Carla"]
    victor = client.get(reverse("people:person_detail", args=[team["vp"].pk]))
    assert [p.name for p in victor.context["reports"]] == ["Pia", "Quinn"]
    assert "Carla" in victor.content.decode()


def test_the_management_chain_costs_the_same_queries_whatever_its_depth(as_user, viewer):
    top = PersonFactory()
    bottom = PersonFactory(manager=top)
    client = as_user(viewer)
    url = reverse("people:person_detail", args=[bottom.pk])

    def deepen():
        for _ in range(20):
            top.manager = PersonFactory()
            top.save()

    assert_same_queries(lambda: client.get(url), deepen)


@pytest.mark.parametrize("role", [Role.ADMIN, Role.PRODUCT_LEADER])
def test_the_portfolio_wide_roles_add_people(as_user, make_user, team, role):
    user = make_user(role, username="boss")
    data = form_payload(
        PersonForm(), name="Noor", email="", level_id=Level.SENIOR_PM, manager=team["vp"].pk
    )
    client = as_user(user)
    response = client.post(reverse("people:person_create"), data)
    noor = Person.objects.get(name="Noor")
    assert response.url == reverse("people:person_detail", args=[noor.pk])
    assert (noor.manager, noor.email, noor.level_id) == (team["vp"], None, Level.SENIOR_PM)
    assert "Created" in history_panel(client.get(response.url).content.decode())


def test_a_product_manager_cannot_change_people(as_user, product_manager, team):
    client = as_user(product_manager)
    pia = team["pm"]
    data = form_payload(PersonForm(instance=pia), name="Renamed")
    assert client.post(reverse("people:person_edit", args=[pia.pk]), data).status_code == 403
    assert client.post(reverse("people:person_create"), {"name": "X"}).status_code == 403
    assert (
        client.post(reverse("people:person_delete", args=[pia.pk]), {"version": 1}).status_code
        == 403
    )
    pia.refresh_from_db()
    assert pia.name == "Pia"
    assert not Person.objects.filter(name="X").exists()


def test_nobody_manages_their_own_manager(as_user, leader, team):
    cpo = team["cpo"]
    data = form_payload(PersonForm(instance=cpo), manager=team["pm"].pk)
    response = as_user(leader).post(reverse("people:person_edit", args=[cpo.pk]), data)
    assert "own management chain" in response.context["form"].errors["manager"][0]
    cpo.refresh_from_db()
    assert cpo.manager is None


def test_a_duplicate_email_is_refused_on_the_field(as_user, leader, team):
    data = form_payload(PersonForm(), name="Copy", email=team["pm"].email)
    response = as_user(leader).post(reverse("people:person_create"), data)
    assert "already exists" in response.context["form"].errors["email"][0]
    assert not Person.objects.filter(name="Copy").exists()


def test_a_person_is_not_offered_as_their_own_manager(team):
    form = PersonForm(instance=team["vp"])
    assert team["vp"] not in form.fields["manager"].queryset
    assert team["cpo"] in form.fields["manager"].queryset


def test_deleting_a_manager_leaves_the_reports_without_one(as_user, leader, team):
    response = as_user(leader).post(
        reverse("people:person_delete", args=[team["vp"].pk]), {"version": 1}
    )
    assert response.url == PEOPLE
    team["pm"].refresh_from_db()
    assert team["pm"].manager is None
