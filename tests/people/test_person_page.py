"""A person's page costs a fixed number of queries, whatever the number of their
assessments, growth plans, one-to-ones and reports, and shows the same as before its
reads were merged: the latest assessment's ratings, counts of the older ones', each plan's
goals and latest check-in, the latest one-to-ones with their total, the readiness as
people.readiness finds it, the chain and the reports the reader may list."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from pilothouse.people import readiness, services
from pilothouse.people.models import Competency, Rating
from pilothouse.people.person_page import ONE_ON_ONES_SHOWN
from tests.factories import PersonFactory
from tests.people.growth_world import SECRETS, build_growth_world
from tests.web.helpers import assert_same_queries, count_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    world = build_growth_world()
    PersonFactory(name="Rex Report", manager=world.pia)  # one of each, with the world's own
    return world


def _grow(world, n: int) -> None:
    """n more assessments (rated), growth plans (with a goal and two check-ins),
    one-to-ones (with an action item) and reports of Pia."""
    competencies = list(Competency.objects.order_by("position"))
    for index in range(n):
        day = dt.date(2025, 1, 1) + dt.timedelta(days=index)
        assessment = services.assessment.create(
            actor=None,
            data={
                "person": world.pia,
                "level": world.pia.level,
                "period": f"Old {index}",
                "assessed_on": day,
            },
        )
        for competency in competencies[:3]:
            services.assessment_rating.create(
                actor=None,
                data={"assessment": assessment, "competency": competency, "rating": Rating.MEETS},
            )
        plan = services.growth_plan.create(
            actor=None, data={"person": world.pia, "title": f"Plan {index}", "start": day}
        )
        services.growth_goal.create(actor=None, data={"plan": plan, "description": f"G{index}"})
        for offset in (0, 1):
            services.check_in.create(
                actor=None,
                data={"plan": plan, "held_on": day + dt.timedelta(days=offset), "notes": "x"},
            )
        meeting = services.one_on_one.create(
            actor=None, data={"person": world.pia, "with_person": world.mona, "held_on": day}
        )
        services.action_item.create(actor=None, data={"one_on_one": meeting, "text": "do"})
        PersonFactory(name=f"Report {index}", manager=world.pia)


def _page(client, world):
    return client.get(reverse("people:person_detail", args=[world.pia.pk]))


# session, user; the reporting lines (who the reader may list, the chain, the reports);
# the person; may see private (the chain's logins); may change (the chain's logins);
# history; assessments; the latest one's ratings; growth plans (with their check-ins'
# count and latest); their goals; one-to-ones (with their total); their action items;
# the ladder's levels; the competencies expected at the next level.
AS_MANAGER = 15
# The same without the two reads of the chain's logins (decided by the role).
AS_LEADER = 13


@pytest.mark.parametrize(
    ("role", "expected"), [("their manager", AS_MANAGER), ("product leader", AS_LEADER)]
)
def test_the_person_page_costs_the_same_queries_for_1_and_10_of_everything(
    client, world, role, expected
):
    client.force_login(world.user(role))
    assert assert_same_queries(lambda: _page(client, world), lambda: _grow(world, 9)) == expected
    assert expected <= 15  # the page budget (benchmarks/budgets.json)


def test_a_reader_who_may_not_see_private_records_costs_fewer_queries(client, world):
    client.force_login(world.user("a viewer"))
    assert assert_same_queries(lambda: _page(client, world), lambda: _grow(world, 9)) == 6


def test_the_page_shows_every_record_as_before(client, world):
    _grow(world, 9)
    client.force_login(world.user("their manager"))
    response = _page(client, world)
    html = response.content.decode()
    records = response.context["records"]
    # The latest assessment (the world's) with all its ratings; the older ones counted.
    assert records.assessments[0].summary == SECRETS["assessment"]
    assert len(records.latest_ratings) == Competency.objects.count()
    assert SECRETS["evidence"] in html
    assert [a.rating_count for a in records.assessments[1:]] == [3] * 9
    assert html.count("3 ratings.") == 9
    # Plans: goals and the latest of their check-ins, with how many there are.
    plans = {plan.title: plan for plan in records.growth_plans}
    assert plans[SECRETS["plan"]].check_in_count == 1
    assert SECRETS["check_in"] in html
    assert SECRETS["goal"] in html
    assert (plans["Plan 3"].check_in_count, plans["Plan 3"].latest_check_in_on) == (
        2,
        dt.date(2025, 1, 5),
    )
    assert html.count("(of 2)") == 9
    # One-to-ones: all ten shown (fewer than the cap), with their action items.
    assert records.one_on_ones_total == 10
    assert len(records.one_on_ones) == min(10, ONE_ON_ONES_SHOWN)
    assert SECRETS["action"] in html
    assert "The latest" not in html
    # Readiness as people.readiness finds it for the list.
    expected = readiness.readiness_of([world.pia])[world.pia.pk]
    assert (records.readiness.verdict, records.readiness.sentence) == (
        expected.verdict,
        expected.sentence,
    )
    assert expected.sentence in html
    # Chain and reports.
    assert [m.name for m in response.context["chain"]] == ["Mona Example", "Grace Example"]
    assert len(response.context["reports"]) == 10


def test_more_one_to_ones_than_shown_say_their_total(client, world):
    _grow(world, ONE_ON_ONES_SHOWN + 1)
    client.force_login(world.user("product leader"))
    response = _page(client, world)
    records = response.context["records"]
    assert len(records.one_on_ones) == ONE_ON_ONES_SHOWN
    assert records.one_on_ones_total == ONE_ON_ONES_SHOWN + 2
    assert (
        f"The latest {ONE_ON_ONES_SHOWN} of {ONE_ON_ONES_SHOWN + 2}." in response.content.decode()
    )


def test_a_private_report_is_left_out_for_a_reader_who_may_not_list_them(client, world):
    hidden = PersonFactory(name="Hidden Hire", manager=world.mona, private=True)
    client.force_login(world.user("an unrelated PM"))
    response = client.get(reverse("people:person_detail", args=[world.mona.pk]))
    assert "Hidden Hire" not in response.content.decode()
    assert hidden.pk not in {r.pk for r in response.context["reports"]}
    assert client.get(reverse("people:person_detail", args=[hidden.pk])).status_code == 404
    client.force_login(world.user("their manager"))  # Mona herself
    response = client.get(reverse("people:person_detail", args=[world.mona.pk]))
    assert hidden.pk in {r.pk for r in response.context["reports"]}


def test_a_private_manager_is_left_out_of_the_chain_for_a_reader_who_may_not_list_them(
    client, world
):
    world.mona.refresh_from_db()
    services.person.update(
        actor=None, instance=world.mona, version=world.mona.version, data={"private": True}
    )
    client.force_login(world.user("a contributor"))  # Cora, Mona's report, not above her
    response = _page(client, world)
    assert [m.name for m in response.context["chain"]] == ["Grace Example"]
    assert "Mona Example" not in response.content.decode()
    client.force_login(world.user("the manager's manager"))
    assert [m.name for m in _page(client, world).context["chain"]] == [
        "Mona Example",
        "Grace Example",
    ]


def test_the_page_of_someone_without_records_reads_no_private_record_query_more(client, world):
    client.force_login(world.user("product leader"))
    empty = PersonFactory(name="New Person")
    url = reverse("people:person_detail", args=[empty.pk])
    client.get(url)
    assert count_queries(lambda: client.get(url)) <= AS_LEADER
