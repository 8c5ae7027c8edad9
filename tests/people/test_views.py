"""People pages: the list with its search, filters and CSV export, a person's page with
their management chain, and the person form (portfolio-wide roles, and a person's
managers for their reports)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from pilothouse.core.roles import Role
from pilothouse.people.forms import PersonForm
from pilothouse.people.models import EmploymentType, Level, Person
from tests.factories import PersonFactory, UserFactory
from tests.web.helpers import assert_same_queries, form_payload, history_panel

PEOPLE = reverse("people:person_list")
EXPORT = reverse("people:person_export")
ROLES = [role.value for role in Role]


@pytest.fixture
def team(db):
    cpo = PersonFactory(name="Carla", level_id=Level.CPO, job_title="CPO")
    vp = PersonFactory(name="Victor", level_id=Level.VP, manager=cpo, location="Berlin")
    pm = PersonFactory(
        name="Pia",
        level_id=Level.PM,
        job_title="Product manager",
        manager=vp,
        employment_type=EmploymentType.PART_TIME,
        fte=Decimal("0.6"),
    )
    PersonFactory(name="Quinn", manager=vp, email="quinn@corp.example")
    return {"cpo": cpo, "vp": vp, "pm": pm}


def test_the_people_list_shows_levels_managers_and_reports(as_user, viewer, team):
    response = as_user(viewer).get(PEOPLE)
    assert response.status_code == 200
    rows = {
        p.name: (p.level.name if p.level else "", p.manager, p.report_count)
        for p in response.context["people"]
    }
    assert rows == {
        "Carla": ("Chief product officer", None, 1),
        "Victor": ("VP of product", team["cpo"], 2),
        "Pia": ("Product manager", team["vp"], 0),
        "Quinn": ("", team["vp"], 0),
    }
    html = response.content.decode()
    assert "Berlin" in html
    for name in ("People", "Org chart", "Career ladder", "Promotion readiness"):
        assert f">{name}</a>" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "pia"}, ["Pia"]),
        ({"q": "corp.example"}, ["Quinn"]),
        ({"q": "CPO"}, ["Carla"]),
        ({"level": Level.VP}, ["Victor"]),
        ({"employment_type": EmploymentType.PART_TIME}, ["Pia"]),
        ({"q": "i", "level": Level.PM}, ["Pia"]),
        ({"q": "nobody"}, []),
    ],
)
def test_the_people_list_searches_names_emails_and_titles_and_filters(
    as_user, viewer, team, query, expected
):
    client = as_user(viewer)
    response = client.get(PEOPLE, query)
    assert [p.name for p in response.context["people"]] == expected
    exported = list(csv.DictReader(io.StringIO(client.get(EXPORT, query).content.decode())))
    assert [row["name"] for row in exported] == expected


def test_an_unknown_level_in_the_filter_is_ignored_not_an_error(as_user, viewer, team):
    client = as_user(viewer)
    response = client.get(PEOPLE, {"level": "astronaut"})
    assert response.status_code == 200
    assert len(response.context["people"]) == 4
    searched = client.get(PEOPLE, {"level": "astronaut", "q": "pia"}).context["people"]
    assert [p.name for p in searched] == ["Pia"]


def test_the_export_link_keeps_the_search(as_user, viewer, team):
    response = as_user(viewer).get(PEOPLE, {"q": "pia", "level": Level.PM})
    assert response.context["export_url"] == f"{EXPORT}?q=pia&level=pm"


def test_the_export_has_the_columns_of_an_hr_file(as_user, leader, team):
    pia = team["pm"]
    pia.cost_per_year = Decimal("95000")
    pia.cost_currency = "GBP"
    pia.save()
    response = as_user(leader).get(EXPORT)
    assert response["Content-Disposition"].startswith('attachment; filename="people-')
    rows = {row["name"]: row for row in csv.DictReader(io.StringIO(response.content.decode()))}
    assert rows["Pia"] == {
        "name": "Pia",
        "email": pia.email,
        "title": "Product manager",
        "level": "pm",
        "manager": "Victor",
        "manager_email": team["vp"].email,
        "location": "",
        "start_date": "",
        "employment_type": "part_time",
        "fte": "0.60",
        "cost_per_year": "95000.00",
        "cost_currency": "GBP",
    }


def test_the_export_defuses_cells_a_spreadsheet_would_run(as_user, leader, db):
    PersonFactory(name="=HYPERLINK(1)", job_title="+1 title")
    rows = list(csv.DictReader(io.StringIO(as_user(leader).get(EXPORT).content.decode())))
    assert (rows[0]["name"], rows[0]["title"]) == ("'=HYPERLINK(1)", "'+1 title")


def _grow_team(n: int) -> None:
    boss = PersonFactory()
    for _ in range(n):
        PersonFactory(manager=boss, level_id=Level.PM)


@pytest.mark.parametrize("role", [Role.VIEWER, Role.PRODUCT_LEADER])
def test_the_people_list_and_export_cost_the_same_queries_for_5_and_50_people(
    as_user, make_user, role
):
    _grow_team(5)
    client = as_user(make_user(role))
    assert_same_queries(lambda: client.get(PEOPLE), lambda: _grow_team(45))
    assert_same_queries(lambda: client.get(EXPORT), lambda: _grow_team(45))


def test_a_persons_page_shows_the_management_chain_and_reports(as_user, viewer, team):
    client = as_user(viewer)
    pia = client.get(reverse("people:person_detail", args=[team["pm"].pk]))
    assert [p.name for p in pia.context["chain"]] == ["Victor", "Carla"]
    html = pia.content.decode()
    assert "Part time · 0.60 FTE" in html
    victor = client.get(reverse("people:person_detail", args=[team["vp"].pk]))
    assert [p.name for p in victor.context["reports"]] == ["Pia", "Quinn"]
    assert "Carla" in victor.content.decode()


def test_a_missing_person_is_not_found(as_user, viewer, db):
    assert as_user(viewer).get(reverse("people:person_detail", args=[999])).status_code == 404


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


def test_a_private_manager_is_left_out_of_a_reports_chain_for_others(as_user, viewer, team):
    team["vp"].private = True
    team["vp"].save()
    client = as_user(viewer)
    pia = client.get(reverse("people:person_detail", args=[team["pm"].pk]))
    assert [p.name for p in pia.context["chain"]] == ["Carla"]
    assert "Victor" not in pia.content.decode()
    listed = {p.name: p for p in client.get(PEOPLE).context["people"]}
    assert "Victor" not in listed
    assert not listed["Pia"].manager_listed
    assert "Victor" not in client.get(PEOPLE).content.decode()
    exported = client.get(EXPORT).content.decode()
    assert "Victor" not in exported
    assert team["vp"].email not in exported


@pytest.mark.parametrize("role", [Role.ADMIN, Role.PRODUCT_LEADER])
def test_the_portfolio_wide_roles_add_people(as_user, make_user, team, role):
    user = make_user(role, username="boss")
    data = form_payload(
        PersonForm(),
        name="Noor",
        email="",
        level=Level.SENIOR_PM,
        manager=team["vp"].pk,
        location="Nairobi",
        start_date="2026-09-01",
        employment_type=EmploymentType.CONTRACTOR,
        fte="0.8",
        cost_per_year="120000",
        cost_currency="usd",
        private="on",
    )
    client = as_user(user)
    response = client.post(reverse("people:person_create"), data)
    noor = Person.objects.get(name="Noor")
    assert response.url == reverse("people:person_detail", args=[noor.pk])
    assert (noor.manager, noor.email, noor.level_id, noor.location) == (
        team["vp"],
        None,
        Level.SENIOR_PM,
        "Nairobi",
    )
    assert (noor.cost_per_year, noor.cost_currency, noor.private) == (
        Decimal("120000"),
        "USD",
        True,
    )
    history = history_panel(client.get(response.url).content.decode())
    assert "Created" in history
    assert "120000" not in history  # the cost never enters the change log


def test_an_unknown_currency_is_refused_on_its_field(as_user, leader, team):
    data = form_payload(PersonForm(), name="Zed", cost_per_year="1000", cost_currency="XYZ")
    response = as_user(leader).post(reverse("people:person_create"), data)
    assert "Unknown currency 'XYZ'" in response.context["form"].errors["cost_currency"][0]
    assert not Person.objects.filter(name="Zed").exists()


def test_a_manager_edits_their_reports_but_not_others(as_user, team):
    victor_login = UserFactory(role=Role.PRODUCT_MANAGER)
    team["vp"].user = victor_login
    team["vp"].save()
    client = as_user(victor_login)
    pia = team["pm"]
    data = form_payload(PersonForm(instance=pia), location="Porto")
    response = client.post(reverse("people:person_edit", args=[pia.pk]), data)
    assert response.status_code == 302
    pia.refresh_from_db()
    assert pia.location == "Porto"
    carla = team["cpo"]
    data = form_payload(PersonForm(instance=carla), location="Porto")
    assert client.post(reverse("people:person_edit", args=[carla.pk]), data).status_code == 403
    assert client.get(reverse("people:person_create")).status_code == 403


@pytest.mark.parametrize("role", [Role.PRODUCT_MANAGER, Role.CONTRIBUTOR, Role.VIEWER])
def test_other_roles_cannot_change_people(as_user, make_user, team, role):
    client = as_user(make_user(role))
    pia = team["pm"]
    data = form_payload(PersonForm(instance=pia), name="Renamed")
    assert client.get(reverse("people:person_edit", args=[pia.pk])).status_code == 403
    assert client.post(reverse("people:person_edit", args=[pia.pk]), data).status_code == 403
    assert client.post(reverse("people:person_create"), {"name": "X"}).status_code == 403
    assert (
        client.post(reverse("people:person_delete", args=[pia.pk]), {"version": 1}).status_code
        == 403
    )
    pia.refresh_from_db()
    assert pia.name == "Pia"
    assert not Person.objects.filter(name="X").exists()


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_the_list_a_person_and_the_export(as_user, make_user, team, role):
    client = as_user(make_user(role))
    assert client.get(PEOPLE).status_code == 200
    assert client.get(EXPORT).status_code == 200
    assert client.get(reverse("people:person_detail", args=[team["pm"].pk])).status_code == 200


@pytest.mark.parametrize(
    "url", [PEOPLE, EXPORT, reverse("people:person_detail", args=[1]), reverse("people:ladder")]
)
def test_anonymous_visitors_are_sent_to_log_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "/login/" in response.url


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


def test_a_private_person_is_offered_as_manager_only_where_already_chosen(team):
    team["vp"].private = True
    team["vp"].save()
    assert team["vp"] not in PersonForm().fields["manager"].queryset
    assert team["vp"] in PersonForm(instance=team["pm"]).fields["manager"].queryset


def test_deleting_a_manager_leaves_the_reports_without_one(as_user, leader, team):
    response = as_user(leader).post(
        reverse("people:person_delete", args=[team["vp"].pk]), {"version": 1}
    )
    assert response.url == PEOPLE
    team["pm"].refresh_from_db()
    assert team["pm"].manager is None
