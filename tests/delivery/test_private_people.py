"""A private person in delivery: their team memberships, time off and lead role are shown
only to those who may list them (the person, their management chain, product leaders and
admins), on the team pages, in the team forms and through the API; an unrelated product
manager, a contributor and a viewer see the team without them (a count of members not
listed, capacity unchanged), 404 on their rows, and a filter by their id answers as for
an id no one has.

Uses the growth world (tests/people/growth_world.py): Pia (made private) reports to Mona,
who reports to Grace; Cora is Pia's peer (contributor); Uma a PM of another line, who
here looks after the product of the teams (so she may edit them).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.urls import reverse

from pilothouse.core.models import ChangeRecord
from pilothouse.core.tokens import token_create
from pilothouse.delivery import services as delivery_services
from pilothouse.delivery.models import Team, TeamMember, TimeOff
from pilothouse.people import services
from pilothouse.people.models import Person
from tests.api.conftest import ApiClient
from tests.factories import PersonFactory, ProductFactory
from tests.people.growth_world import (
    ROLES_WHO_DO_NOT,
    ROLES_WHO_SEE,
    GrowthWorld,
    build_growth_world,
)
from tests.web.helpers import assert_same_queries, form_payload

pytestmark = pytest.mark.django_db

PIA = "Pia Example"
PIA_AWAY = "Pia-away-marker"
NO_ONE = 987_654  # an id no person has


@dataclass
class Teams:
    world: GrowthWorld
    squad: Team  # Pia (private) and Cora are members; both have time off
    led: Team  # led by Pia, no members
    pia_member: TeamMember
    cora_member: TeamMember
    pia_away: TimeOff
    cora_away: TimeOff


@pytest.fixture
def teams(db) -> Teams:
    world = build_growth_world()
    pia = world.pia
    pia.refresh_from_db()
    services.person.update(actor=None, instance=pia, version=pia.version, data={"private": True})
    product = ProductFactory(owner=world.uma.user)
    squad = delivery_services.team.create(
        actor=None, data={"name": "Squad"}, m2m={"products": [product]}
    )
    led = delivery_services.team.create(
        actor=None, data={"name": "Led by Pia", "lead": world.pia}, m2m={"products": [product]}
    )
    today = dt.date.today()
    pia_member = delivery_services.team_member.create(
        actor=None, data={"team": squad, "person": world.pia, "allocation": 50}
    )
    cora_member = delivery_services.team_member.create(
        actor=None, data={"team": squad, "person": world.cora, "allocation": 100}
    )
    pia_away = delivery_services.time_off.create(
        actor=None,
        data={"person": world.pia, "start": today, "end": today, "note": PIA_AWAY},
    )
    cora_away = delivery_services.time_off.create(
        actor=None, data={"person": world.cora, "start": today, "end": today, "note": "Cora away"}
    )
    return Teams(world, squad, led, pia_member, cora_member, pia_away, cora_away)


def _login(client, teams: Teams, role: str):
    client.force_login(teams.world.user(role))
    return client


def _api(teams: Teams, role: str) -> ApiClient:
    _, secret = token_create(user=teams.world.user(role), name="tests")
    return ApiClient(secret)


def _ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["items"]}


# --- the team pages ---------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES_WHO_DO_NOT)
def test_the_team_page_leaves_a_private_member_out_for_others(client, teams, role):
    response = _login(client, teams, role).get(
        reverse("delivery:team_detail", args=[teams.squad.pk])
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert PIA not in html
    assert PIA_AWAY not in html
    assert "Cora Example" in html
    assert "Cora away" in html
    assert [m.pk for m in response.context["members"]] == [teams.cora_member.pk]
    assert response.context["unlisted_members"] == 1
    assert "1 member not listed" in html
    led = _login(client, teams, role).get(reverse("delivery:team_detail", args=[teams.led.pk]))
    assert PIA not in led.content.decode()
    assert led.context["lead"] is None


@pytest.mark.parametrize("role", ROLES_WHO_SEE)
def test_the_team_page_shows_a_private_member_to_those_who_may(client, teams, role):
    response = _login(client, teams, role).get(
        reverse("delivery:team_detail", args=[teams.squad.pk])
    )
    html = response.content.decode()
    assert PIA in html
    assert PIA_AWAY in html
    assert response.context["unlisted_members"] == 0
    assert "not listed" not in html
    led = _login(client, teams, role).get(reverse("delivery:team_detail", args=[teams.led.pk]))
    assert led.context["lead"] == teams.world.pia
    assert PIA in led.content.decode()


@pytest.mark.parametrize("role", ROLES_WHO_SEE + ROLES_WHO_DO_NOT)
def test_the_team_list_counts_and_names_only_listed_people(client, teams, role):
    response = _login(client, teams, role).get(reverse("delivery:team_list"))
    rows = {team.pk: team for team, _ in response.context["rows"]}
    sees = role in ROLES_WHO_SEE
    assert rows[teams.squad.pk].member_count == (2 if sees else 1)
    assert (rows[teams.led.pk].listed_lead == teams.world.pia) is sees
    assert (PIA in response.content.decode()) is sees


@pytest.mark.parametrize("role", ROLES_WHO_DO_NOT)
def test_the_pages_of_a_private_persons_rows_are_not_found_for_others(client, teams, role):
    client = _login(client, teams, role)
    for url in [
        reverse("delivery:member_edit", args=[teams.pia_member.pk]),
        reverse("delivery:member_delete", args=[teams.pia_member.pk]),
        reverse("delivery:time_off_edit", args=[teams.pia_away.pk]),
        reverse("delivery:time_off_delete", args=[teams.pia_away.pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 404, url
        assert PIA not in response.content.decode()


@pytest.mark.parametrize("role", ["admin", "product leader"])
def test_those_who_may_open_a_private_persons_rows(client, teams, role):
    client = _login(client, teams, role)
    assert (
        client.get(reverse("delivery:member_edit", args=[teams.pia_member.pk])).status_code == 200
    )
    assert (
        client.get(reverse("delivery:time_off_edit", args=[teams.pia_away.pk])).status_code == 200
    )


def test_the_team_form_neither_names_nor_changes_a_private_lead_for_an_editor_who_may_not_list_them(
    client, teams
):
    client = _login(client, teams, "an unrelated PM")  # Uma looks after the team's product
    url = reverse("delivery:team_edit", args=[teams.led.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert "lead" not in response.context["form"].fields
    assert PIA not in response.content.decode()
    payload = form_payload(response.context["form"], name="Led, renamed")
    assert client.post(url, payload).status_code == 302
    teams.led.refresh_from_db()
    assert (teams.led.name, teams.led.lead_id) == ("Led, renamed", teams.world.pia.pk)


def test_the_team_form_offers_the_lead_to_those_who_may_list_them(client, teams):
    response = _login(client, teams, "product leader").get(
        reverse("delivery:team_edit", args=[teams.led.pk])
    )
    field = response.context["form"].fields["lead"]
    assert teams.world.pia in field.queryset
    assert PIA in response.content.decode()


@pytest.mark.parametrize("role", ["admin", "product leader"])
def test_the_new_member_and_time_off_forms_offer_no_private_person(client, teams, role):
    client = _login(client, teams, role)
    for url in [
        reverse("delivery:member_create", args=[teams.squad.pk]),
        reverse("delivery:time_off_create"),
        reverse("delivery:team_create"),
    ]:
        assert PIA not in client.get(url).content.decode(), url


# --- the API ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES_WHO_DO_NOT)
def test_the_api_hides_a_private_persons_memberships_and_time_off_from_others(teams, role):
    api = _api(teams, role)
    pia = teams.world.pia.pk
    for path, hidden, shown in [
        ("/team-members", teams.pia_member, teams.cora_member),
        ("/time-off", teams.pia_away, teams.cora_away),
    ]:
        listed = _ids(api.get(path, {"limit": 500}))
        assert hidden.pk not in listed
        assert shown.pk in listed
        assert api.get(f"{path}/{hidden.pk}").status_code == 404
        by_pia = api.get(path, {"person_id": pia})
        by_no_one = api.get(path, {"person_id": NO_ONE})
        assert (by_pia.status_code, by_pia.json()) == (by_no_one.status_code, by_no_one.json())
        assert by_pia.json() == {"items": [], "count": 0}
        assert PIA_AWAY not in api.get(path, {"limit": 500}).content.decode()


@pytest.mark.parametrize("role", ROLES_WHO_SEE)
def test_the_api_shows_a_private_persons_memberships_and_time_off_to_those_who_may(teams, role):
    api = _api(teams, role)
    for path, row in [("/team-members", teams.pia_member), ("/time-off", teams.pia_away)]:
        assert row.pk in _ids(api.get(path, {"limit": 500}))
        assert api.get(f"{path}/{row.pk}").status_code == 200
        assert _ids(api.get(path, {"person_id": teams.world.pia.pk})) == {row.pk}


@pytest.mark.parametrize("role", ROLES_WHO_SEE + ROLES_WHO_DO_NOT)
def test_the_teams_api_counts_and_names_only_listed_people(teams, role):
    api = _api(teams, role)
    sees = role in ROLES_WHO_SEE
    rows = {row["id"]: row for row in api.get("/teams", {"limit": 500}).json()["items"]}
    assert rows[teams.squad.pk]["member_count"] == (2 if sees else 1)
    assert rows[teams.led.pk]["lead_id"] == (teams.world.pia.pk if sees else None)
    detail = api.get(f"/teams/{teams.led.pk}").json()
    assert detail["lead_id"] == (teams.world.pia.pk if sees else None)
    by_pia = api.get("/teams", {"lead_id": teams.world.pia.pk}).json()
    if sees:
        assert [row["id"] for row in by_pia["items"]] == [teams.led.pk]
    else:
        assert by_pia == api.get("/teams", {"lead_id": NO_ONE}).json() == {"items": [], "count": 0}


def test_a_body_naming_a_private_person_is_refused_like_an_unknown_id(teams):
    api = _api(teams, "an unrelated PM")  # Uma may add members to the team
    answers = {}
    for person_id in (teams.world.pia.pk, NO_ONE):
        response = api.post(
            "/team-members", {"team_id": teams.led.pk, "person_id": person_id, "allocation": 10}
        )
        assert response.status_code == 422, response.content
        answers[person_id] = response.json()["errors"]
    assert answers[teams.world.pia.pk] == [
        {"field": "person_id", "message": f"no person with id {teams.world.pia.pk}"}
    ]
    assert answers[NO_ONE] == [{"field": "person_id", "message": f"no person with id {NO_ONE}"}]
    assert not TeamMember.objects.filter(team=teams.led).exists()
    # The lead of a team likewise.
    patch = api.patch(f"/teams/{teams.squad.pk}", {"version": 1, "lead_id": teams.world.pia.pk})
    assert patch.status_code == 422
    assert patch.json()["errors"][0]["field"] == "lead_id"


@pytest.mark.parametrize("role", ROLES_WHO_DO_NOT)
def test_the_change_feed_leaves_out_a_private_persons_rows(teams, role):
    assert ChangeRecord.objects.filter(object_id=str(teams.pia_member.pk)).exists()
    body = _api(teams, role).get("/changes", {"limit": 500}).content.decode()
    assert PIA not in body
    assert PIA_AWAY not in body
    assert "Cora Example on Squad" in body


@pytest.mark.parametrize("role", ["product leader", "their manager"])
def test_the_change_feed_shows_a_private_persons_rows_to_those_who_may(teams, role):
    body = _api(teams, role).get("/changes", {"limit": 500}).content.decode()
    assert f"{PIA} on Squad" in body


# --- query counts -------------------------------------------------------------------------


def _grow_private_members(teams: Teams, n: int) -> None:
    for index in range(n):
        person = PersonFactory(private=True, manager=teams.world.uma if index % 2 else None)
        TeamMember.objects.create(team=teams.squad, person=person, allocation=10)
        TimeOff.objects.create(person=person, start=dt.date.today(), end=dt.date.today())
        extra = Team.objects.create(name=f"Extra {Team.objects.count()}", lead=person)
        extra.members.create(person=person, allocation=5)


@pytest.mark.parametrize("role", ["a viewer", "an unrelated PM", "product leader"])
def test_the_team_pages_cost_the_same_queries_for_1_and_many_private_members(client, teams, role):
    client = _login(client, teams, role)
    for url in [
        reverse("delivery:team_detail", args=[teams.squad.pk]),
        reverse("delivery:team_list"),
    ]:
        assert_same_queries(
            lambda url=url: client.get(url), lambda: _grow_private_members(teams, 3)
        )


@pytest.mark.parametrize("role", ["a viewer", "an unrelated PM", "product leader"])
def test_the_api_lists_cost_the_same_queries_for_1_and_many_private_members(teams, role):
    api = _api(teams, role)
    for path in ["/teams", "/team-members", "/time-off"]:
        assert_same_queries(
            lambda path=path: api.get(path, {"limit": 500}),
            lambda: _grow_private_members(teams, 3),
        )


def test_a_team_without_private_people_costs_no_query_more(client, teams):
    """The rule is read only when a private person is on the page."""
    Person.objects.filter(pk=teams.world.pia.pk).update(private=False)
    client = _login(client, teams, "a viewer")
    url = reverse("delivery:team_detail", args=[teams.squad.pk])
    public = assert_same_queries(lambda: client.get(url), lambda: None)
    Person.objects.filter(pk=teams.world.pia.pk).update(private=True)
    private = assert_same_queries(lambda: client.get(url), lambda: None)
    assert private == public + 1
