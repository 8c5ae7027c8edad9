"""The org chart page: the tree as nested lists with spans, depth and warnings; the
search and the product line filter; who may open it; its queries for 400 people."""

from __future__ import annotations

import re
import time

import pytest
from django.urls import reverse

from pilothouse.core.roles import Role
from pilothouse.people.models import Person
from tests.factories import PersonFactory, ProductFactory, ProductLineFactory, UserFactory
from tests.people.org_builder import build_org
from tests.web.helpers import assert_same_queries, count_queries

ORG = reverse("people:org_chart")
ROLES = [role.value for role in Role]


def _nodes(response) -> dict[int, tuple]:
    people = response.context["people"]
    return {
        node.person_id: (people[node.person_id], node) for node in response.context["chart"].nodes
    }


@pytest.fixture
def team(db):
    boss = PersonFactory(name="Bea Boss", job_title="CPO")
    wide = PersonFactory(name="Walt Wide", manager=boss, job_title="VP of Product")
    lone = PersonFactory(name="Lou Lone", manager=boss, job_title="Director")
    reports = [PersonFactory(name=f"Report {i:02d}", manager=wide) for i in range(9)]
    solo = PersonFactory(name="Solo Analyst", manager=lone, job_title="Analyst")
    return {"boss": boss, "wide": wide, "lone": lone, "reports": reports, "solo": solo}


@pytest.mark.parametrize("role", ROLES)
def test_every_role_opens_the_org_chart(client, team, role):
    client.force_login(UserFactory(role=role))
    response = client.get(ORG)
    assert response.status_code == 200
    assert len(response.context["chart"].nodes) == Person.objects.count()


def test_each_node_shows_its_span_depth_and_organization(client, viewer, team):
    client.force_login(viewer)
    response = client.get(ORG)
    nodes = _nodes(response)
    for person in Person.objects.all():
        _, node = nodes[person.pk]
        assert node.span == person.reports.count(), person.name
    _, boss = nodes[team["boss"].pk]
    _, wide = nodes[team["wide"].pk]
    _, solo = nodes[team["solo"].pk]
    assert (boss.depth, boss.span, boss.size) == (0, 2, 12)
    assert (wide.depth, wide.span, wide.size) == (1, 9, 9)
    assert (solo.depth, solo.span, solo.size) == (2, 0, 0)
    html = response.content.decode()
    card = html[html.index(f'id="person-{team["wide"].pk}"') :][:1500]
    assert '<span class="org-card__span" data-span="9">9 direct reports</span>' in card
    assert "depth 1" in card


def test_managers_with_too_many_or_a_single_report_are_warned_about(client, viewer, team):
    client.force_login(viewer)
    response = client.get(ORG)
    warned = {name: warning.too_many for name, warning in response.context["warnings"]}
    assert warned == {"Walt Wide": True, "Lou Lone": False}
    html = response.content.decode()
    assert "9 direct reports: more than 8" in html
    assert "1 direct report: a layer for one person" in html


def test_the_tree_is_nested_lists_that_each_close(client, viewer, team):
    client.force_login(viewer)
    html = client.get(ORG).content.decode()
    # From inside the outer list to its end: the three managers' lists open and close.
    tree = html[html.index('id="org-tree"') : html.rindex("</ul>")]
    assert tree.count("<ul") == tree.count("</ul>") == 3
    assert tree.count("<details") == tree.count("</details>") == 3
    assert tree.count("<li") == tree.count("</li>") == Person.objects.count()


def test_a_search_shows_the_matches_with_their_chain(client, viewer, team):
    client.force_login(viewer)
    response = client.get(ORG, {"q": "analyst"})
    nodes = _nodes(response)
    assert set(nodes) == {team["boss"].pk, team["lone"].pk, team["solo"].pk}
    assert nodes[team["solo"].pk][1].match
    assert nodes[team["boss"].pk][1].context
    assert nodes[team["lone"].pk][1].context
    assert "1 person matches “analyst”" in response.content.decode()


def test_the_product_line_filter_shows_its_owners_organizations(client, viewer, team):
    owner = UserFactory(role=Role.PRODUCT_MANAGER)
    lone = team["lone"]
    lone.user = owner
    lone.save()
    line = ProductLineFactory(name="Payments")
    ProductFactory(product_line=line, owner=owner)
    ProductLineFactory(name="Logistics")
    client.force_login(viewer)
    response = client.get(ORG, {"line": line.pk})
    nodes = _nodes(response)
    assert set(nodes) == {team["boss"].pk, lone.pk, team["solo"].pk}
    assert nodes[team["boss"].pk][1].context
    assert not nodes[lone.pk][1].context
    assert "2 people in Payments" in response.content.decode()
    choices = dict(response.context["form"].fields["line"].choices)
    assert set(choices.values()) >= {"Payments", "Logistics"}


def test_an_unknown_line_shows_everyone_and_keeps_the_search(client, viewer, team):
    client.force_login(viewer)
    response = client.get(ORG, {"line": "999999"})
    assert len(response.context["chart"].nodes) == Person.objects.count()
    searched = client.get(ORG, {"line": "nonsense", "q": "analyst"})
    assert searched.context["chart"].matches == 1


@pytest.mark.parametrize("url", [ORG, reverse("people:readiness")])
def test_anonymous_visitors_are_sent_to_log_in_from_the_chart_and_readiness(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "/login/" in response.url


@pytest.mark.parametrize("role", ROLES)
def test_every_role_opens_the_readiness_list(client, team, role):
    client.force_login(UserFactory(role=role))
    assert client.get(reverse("people:readiness")).status_code == 200


def test_a_private_managers_reports_stay_in_the_chart_under_the_next_manager(
    client, make_user, team
):
    team["lone"].private = True
    team["lone"].save()
    client.force_login(make_user(Role.VIEWER))
    nodes = _nodes(client.get(ORG))
    assert team["lone"].pk not in nodes
    _, solo = nodes[team["solo"].pk]
    assert solo.depth == 1
    assert nodes[team["boss"].pk][1].span == 2  # Walt and Solo, as this viewer sees it


@pytest.mark.parametrize(
    ("role", "queries"),
    # session + user, (who the viewer may see), the people, the product lines
    [(Role.PRODUCT_LEADER, 4), (Role.PRODUCT_MANAGER, 5), (Role.VIEWER, 5)],
)
def test_400_people_cost_a_fixed_handful_of_queries(client, make_user, role, queries):
    build_org(400)
    client.force_login(make_user(role, username="reader"))
    client.get(ORG)  # warm the caches of the process (content types, templates)
    assert count_queries(lambda: client.get(ORG)) == queries
    assert count_queries(lambda: client.get(ORG, {"q": "ada"})) == queries
    line = ProductLineFactory()
    # A line filter reads the line's owners: one more.
    assert count_queries(lambda: client.get(ORG, {"line": line.pk})) == queries + 1


def test_the_query_count_does_not_grow_with_the_org(client, viewer):
    build_org(5, prefix="A ")
    client.force_login(viewer)
    assert_same_queries(lambda: client.get(ORG), lambda: build_org(395, prefix="B "))


def test_400_people_render_whole_and_fast(client, leader):
    people = build_org(400)
    client.force_login(leader)
    client.get(ORG)
    started = time.perf_counter()
    response = client.get(ORG)
    elapsed = time.perf_counter() - started
    assert len(response.context["chart"].nodes) == 400
    html = response.content.decode()
    assert len(re.findall(r'<li class="org-node', html)) == 400
    spans = {node.person_id: node.span for node in response.context["chart"].nodes}
    assert spans[people[0].pk] == 6
    # A generous bound (the benchmark measures it properly): a slow chart is a bug.
    assert elapsed < 2.0, f"{elapsed:.2f} s"
