"""The career ladder: the shipped defaults are complete and installed without overwriting
an organization's edits; the grid page; its edit pages (product leaders and admins)."""

from __future__ import annotations

from html import escape as html_escape

import pytest
from django.urls import reverse

from pilothouse.core.roles import Role
from pilothouse.people import ladder_defaults, services
from pilothouse.people.forms import CareerLevelForm, CompetencyForm
from pilothouse.people.ladder import install_default_ladder
from pilothouse.people.models import CareerLevel, Competency, Expectation, Level
from tests.factories import PersonFactory
from tests.web.helpers import count_queries, form_payload

LADDER = reverse("people:ladder")
ROLES = [role.value for role in Role]


def _install() -> int:
    return install_default_ladder(
        level_model=CareerLevel, competency_model=Competency, expectation_model=Expectation
    )


def test_the_defaults_cover_every_level_and_competency_with_real_words():
    level_keys = [spec.key for spec in ladder_defaults.LEVELS]
    competency_keys = [spec.key for spec in ladder_defaults.COMPETENCIES]
    assert level_keys == list(Level.values)
    assert len(competency_keys) == 8
    assert set(ladder_defaults.EXPECTATIONS) == set(level_keys)
    texts = []
    for level_key, by_competency in ladder_defaults.EXPECTATIONS.items():
        assert set(by_competency) == set(competency_keys), level_key
        for competency_key, text in by_competency.items():
            assert len(text.split()) >= 12, (level_key, competency_key)
            assert text.strip().endswith("."), (level_key, competency_key)
            texts.append(text)
    assert len(set(texts)) == len(texts) == 64  # each cell says something of its own


def test_a_fresh_database_holds_the_whole_default_ladder(db):
    assert CareerLevel.objects.count() == 8
    assert Competency.objects.count() == 8
    assert Expectation.objects.count() == 64
    cell = Expectation.objects.get(level__key="senior_pm", competency__key="strategy")
    assert cell.text == ladder_defaults.EXPECTATIONS["senior_pm"]["strategy"]


def test_a_second_install_keeps_the_organizations_edits_and_adds_what_is_missing(db):
    edited = Expectation.objects.get(level__key="pm", competency__key="discovery")
    services.expectation.update(
        actor=None, instance=edited, version=edited.version, data={"text": "Our own words."}
    )
    Expectation.objects.filter(level__key="vp", competency__key="ux").delete()
    level = CareerLevel.objects.get(key="director")
    services.career_level.update(
        actor=None, instance=level, version=level.version, data={"name": "Head of product"}
    )
    assert _install() == 1  # only the missing cell
    edited.refresh_from_db()
    assert edited.text == "Our own words."
    assert CareerLevel.objects.get(key="director").name == "Head of product"
    assert Expectation.objects.count() == 64
    assert _install() == 0


def test_the_ladder_page_shows_each_track_as_a_grid(client, viewer, db):
    client.force_login(viewer)
    response = client.get(LADDER)
    assert response.status_code == 200
    grids = {grid.key: grid for grid in response.context["grids"]}
    assert [level.key for level in grids["ic"].levels] == [
        "associate_pm",
        "pm",
        "senior_pm",
        "principal_pm",
    ]
    assert [level.key for level in grids["manager"].levels] == ["group_pm", "director", "vp", "cpo"]
    assert len(grids["ic"].rows) == 8
    html = response.content.decode()
    assert html_escape(ladder_defaults.EXPECTATIONS["cpo"]["business"]) in html
    assert "Individual contributor track" in html
    assert "Manager track" in html
    assert not response.context["can_edit"]
    assert reverse("people:level_create") not in html


def test_the_ladder_page_costs_three_queries_beyond_the_session(client, viewer, db):
    client.force_login(viewer)
    client.get(LADDER)
    before = count_queries(lambda: client.get(LADDER))
    CareerLevel.objects.create(key="staff_pm", name="Staff PM", track="ic", rank=5)
    Competency.objects.create(key="ai", name="AI fluency", position=9)
    assert count_queries(lambda: client.get(LADDER)) == before == 2 + 3


@pytest.mark.parametrize("role", [Role.ADMIN, Role.PRODUCT_LEADER])
def test_leaders_and_admins_edit_the_ladder(client, make_user, role, db):
    client.force_login(make_user(role))
    assert client.get(LADDER).context["can_edit"]
    data = form_payload(CareerLevelForm(), name="Staff PM", key="staff_pm", track="ic", rank="5")
    assert client.post(reverse("people:level_create"), data).url == LADDER
    staff = CareerLevel.objects.get(key="staff_pm")
    data = form_payload(CompetencyForm(), name="AI fluency", key="ai", position="9")
    assert client.post(reverse("people:competency_create"), data).url == LADDER
    ai = Competency.objects.get(key="ai")
    cell = reverse("people:expectation_edit", args=[staff.pk, ai.pk])
    assert client.post(cell, {"text": "Uses models well."}).url == LADDER
    expectation = Expectation.objects.get(level=staff, competency=ai)
    assert client.post(cell, {"text": "Better words.", "version": 1}).url == LADDER
    expectation.refresh_from_db()
    assert (expectation.text, expectation.version) == ("Better words.", 2)
    grid = {g.key: g for g in client.get(LADDER).context["grids"]}["ic"]
    assert grid.levels[-1] == staff
    delete = reverse("people:expectation_delete", args=[expectation.pk])
    assert client.post(delete, {"version": 2}).url == LADDER
    assert not Expectation.objects.filter(pk=expectation.pk).exists()


def test_a_level_in_use_cannot_be_deleted_and_nothing_is_lost(client, leader, db):
    PersonFactory(level_id="pm")
    pm = CareerLevel.objects.get(key="pm")
    client.force_login(leader)
    response = client.post(reverse("people:level_delete", args=[pm.pk]), {"version": pm.version})
    assert response.status_code == 200
    assert "cannot be deleted" in response.content.decode()
    assert CareerLevel.objects.filter(pk=pm.pk).exists()


def test_a_duplicate_level_key_is_refused_on_its_field(client, leader, db):
    client.force_login(leader)
    data = form_payload(CareerLevelForm(), name="Another", key="pm", track="ic", rank="2")
    response = client.post(reverse("people:level_create"), data)
    assert "already exists" in response.context["form"].errors["key"][0]
    assert CareerLevel.objects.count() == 8


@pytest.mark.parametrize("role", [Role.PRODUCT_MANAGER, Role.CONTRIBUTOR, Role.VIEWER])
def test_other_roles_read_the_ladder_but_do_not_change_it(client, make_user, role, db):
    client.force_login(make_user(role))
    assert client.get(LADDER).status_code == 200
    level = CareerLevel.objects.get(key="pm")
    competency = Competency.objects.get(key="ux")
    cell = Expectation.objects.get(level=level, competency=competency)
    for url, data in [
        (reverse("people:level_create"), {"name": "X", "key": "x", "track": "ic", "rank": 1}),
        (reverse("people:level_edit", args=[level.pk]), {"name": "X", "version": 1}),
        (reverse("people:level_delete", args=[level.pk]), {"version": 1}),
        (reverse("people:competency_create"), {"name": "X", "key": "x"}),
        (reverse("people:competency_edit", args=[competency.pk]), {"name": "X", "version": 1}),
        (reverse("people:competency_delete", args=[competency.pk]), {"version": 1}),
        (reverse("people:expectation_edit", args=[level.pk, competency.pk]), {"text": "X"}),
        (reverse("people:expectation_delete", args=[cell.pk]), {"version": 1}),
    ]:
        assert client.get(url).status_code == 403, url
        assert client.post(url, data).status_code == 403, url
    assert CareerLevel.objects.get(key="pm").name == "Product manager"
    assert Expectation.objects.get(pk=cell.pk).text != "X"
    assert not CareerLevel.objects.filter(key="x").exists()


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_the_ladder(client, make_user, role, db):
    client.force_login(make_user(role))
    assert client.get(LADDER).status_code == 200
