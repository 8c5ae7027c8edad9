"""The privacy matrix of the people pages, the CSV export and the search: the person, their
managers up the chain, product leaders and admins see the person's cost, assessments,
growth plans and one-to-ones; an unrelated product manager, a contributor and a viewer
see none of it, on any page."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from pilothouse.people import services
from tests.people.growth_world import (
    COST,
    ROLES_WHO_DO_NOT,
    ROLES_WHO_SEE,
    SECRETS,
    build_growth_world,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return build_growth_world()


def _page(client, world, role: str) -> str:
    client.force_login(world.user(role))
    response = client.get(reverse("people:person_detail", args=[world.pia.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _export_row(client, world, role: str, **query: str) -> dict[str, str]:
    client.force_login(world.user(role))
    response = client.get(reverse("people:person_export"), query)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    return {row["email"]: row for row in rows}[world.pia.email]


@pytest.mark.parametrize("role", ROLES_WHO_SEE)
def test_the_person_their_chain_and_the_portfolio_wide_roles_see_the_private_records(
    client, world, role
):
    html = _page(client, world, role)
    for name, marker in SECRETS.items():
        assert marker in html, f"{role} should see the {name}"
    assert 'id="readiness-heading"' in html
    row = _export_row(client, world, role)
    assert (row["cost_per_year"], row["cost_currency"]) == (str(COST), "EUR")


@pytest.mark.parametrize("role", ROLES_WHO_DO_NOT)
def test_others_see_none_of_the_private_records(client, world, role):
    html = _page(client, world, role)
    assert world.pia.name in html  # the page itself is open to every logged-in user
    for name, marker in SECRETS.items():
        assert marker not in html, f"{role} must not see the {name}"
    assert 'id="readiness-heading"' not in html
    assert "Cost per year" not in html
    assert "187654" not in html.replace(",", "")  # the cost, however it is written
    row = _export_row(client, world, role)
    assert (row["cost_per_year"], row["cost_currency"]) == ("", "")
    assert str(COST) not in _export_text(client)


def _export_text(client) -> str:
    return client.get(reverse("people:person_export")).content.decode()


@pytest.mark.parametrize("role", ROLES_WHO_DO_NOT)
def test_others_cannot_open_the_private_records_pages(client, world, role):
    client.force_login(world.user(role))
    pages = [
        reverse("people:assessment_detail", args=[world.assessment.pk]),
        reverse("people:assessment_ratings", args=[world.assessment.pk]),
        reverse("people:growth_plan_detail", args=[world.plan.pk]),
        reverse("people:one_on_one_detail", args=[world.one_on_one.pk]),
        reverse("people:assessment_edit", args=[world.assessment.pk]),
        reverse("people:growth_plan_edit", args=[world.plan.pk]),
        reverse("people:one_on_one_edit", args=[world.one_on_one.pk]),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 404, url
        assert not any(marker in response.content.decode() for marker in SECRETS.values())


@pytest.mark.parametrize("role", ROLES_WHO_SEE)
def test_those_who_may_see_open_the_private_records_pages(client, world, role):
    client.force_login(world.user(role))
    pages = {
        reverse("people:assessment_detail", args=[world.assessment.pk]): "evidence",
        reverse("people:growth_plan_detail", args=[world.plan.pk]): "check_in",
        reverse("people:one_on_one_detail", args=[world.one_on_one.pk]): "action",
    }
    for url, marker in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        assert SECRETS[marker] in response.content.decode()


@pytest.mark.parametrize("role", ROLES_WHO_DO_NOT)
def test_the_readiness_list_leaves_out_people_one_may_not_see(client, world, role):
    client.force_login(world.user(role))
    response = client.get(reverse("people:readiness"))
    assert response.status_code == 200
    listed = {person.pk for person, _ in response.context["rows"]}
    assert world.pia.pk not in listed


@pytest.mark.parametrize("role", ROLES_WHO_SEE)
def test_the_readiness_list_shows_the_person_to_those_who_may(client, world, role):
    client.force_login(world.user(role))
    rows = dict(client.get(reverse("people:readiness")).context["rows"])
    assert world.pia in rows
    assert rows[world.pia].verdict == "nearly"  # analytics only meets the PM bar


def _make_private(world) -> None:
    pia = world.pia
    pia.refresh_from_db()
    services.person.update(actor=None, instance=pia, version=pia.version, data={"private": True})


@pytest.mark.parametrize("role", ROLES_WHO_SEE)
def test_a_private_person_is_listed_searched_and_exported_for_those_who_may(client, world, role):
    _make_private(world)
    client.force_login(world.user(role))
    listed = client.get(reverse("people:person_list"), {"q": "pia"}).context["people"]
    assert [p.pk for p in listed] == [world.pia.pk]
    assert world.pia.email in _export_text(client)
    assert client.get(reverse("people:person_detail", args=[world.pia.pk])).status_code == 200
    chart = client.get(reverse("people:org_chart")).context["chart"]
    assert world.pia.pk in {node.person_id for node in chart.nodes}


@pytest.mark.parametrize("role", ROLES_WHO_DO_NOT)
def test_a_private_person_is_nowhere_for_others(client, world, role):
    _make_private(world)
    client.force_login(world.user(role))
    assert list(client.get(reverse("people:person_list"), {"q": "pia"}).context["people"]) == []
    everyone = client.get(reverse("people:person_list")).context["people"]
    assert world.pia.pk not in {p.pk for p in everyone}
    assert world.pia.email not in _export_text(client)
    assert client.get(reverse("people:person_detail", args=[world.pia.pk])).status_code == 404
    chart = client.get(reverse("people:org_chart"))
    assert world.pia.pk not in {node.person_id for node in chart.context["chart"].nodes}
    assert world.pia.name not in chart.content.decode()
    # Her manager's count of reports does not give her away either.
    mona = next(p for p in everyone if p.pk == world.mona.pk)
    assert mona.report_count == 1


@pytest.mark.parametrize("role", ROLES_WHO_SEE + ROLES_WHO_DO_NOT)
def test_the_search_never_matches_private_fields(client, world, role):
    client.force_login(world.user(role))
    for term in [str(COST), SECRETS["plan"], SECRETS["one_on_one"], "EUR"]:
        assert list(client.get(reverse("people:person_list"), {"q": term}).context["people"]) == []
    # Name, email and title do match.
    for term in ["Pia Example", "pia@example", "Pia's title"]:
        found = client.get(reverse("people:person_list"), {"q": term}).context["people"]
        assert [p.pk for p in found] == [world.pia.pk], term
