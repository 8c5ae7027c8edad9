"""The pages of private growth records: who may add and change assessments (and their
ratings), growth plans (goals, check-ins) and one-to-ones (action items); Markdown
rendered safely; fixed query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from pilothouse.core.models import ChangeRecord
from pilothouse.people import services
from pilothouse.people.forms import (
    ActionItemForm,
    AssessmentForm,
    CheckInForm,
    GrowthGoalForm,
    GrowthPlanForm,
    OneOnOneForm,
)
from pilothouse.people.models import (
    ActionItem,
    Assessment,
    AssessmentRating,
    CareerLevel,
    CheckIn,
    Competency,
    GrowthGoal,
    GrowthPlan,
    OneOnOne,
    Rating,
)
from tests.people.growth_world import ROLES_WHO_DO_NOT, build_growth_world
from tests.web.helpers import assert_same_queries, form_payload

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return build_growth_world()


def _login(client, world, role: str):
    client.force_login(world.user(role))
    return client


# --- Assessments -------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["their manager", "the manager's manager", "product leader"])
def test_managers_and_leaders_assess_a_person_and_rate_every_competency(client, world, role):
    client = _login(client, world, role)
    pia = world.pia
    url = reverse("people:assessment_create", args=[pia.pk])
    form = client.get(url).context["form"]
    assert form["level"].value() == "pm"  # their own level, by default
    data = form_payload(AssessmentForm(), level="", period="2026 H2", assessed_on="2026-12-15")
    data["level"] = pia.level.pk
    response = client.post(url, data)
    assessment = Assessment.objects.get(person=pia, period="2026 H2")
    assert response.url == reverse("people:assessment_detail", args=[assessment.pk])

    ratings_url = reverse("people:assessment_ratings", args=[assessment.pk])
    competencies = list(Competency.objects.order_by("position"))
    page = client.get(ratings_url)
    assert page.status_code == 200
    assert "talks to customers every week" in page.content.decode()  # the PM expectation
    payload = {f"rating_{c.pk}": str(Rating.MEETS) for c in competencies}
    payload[f"evidence_{competencies[0].pk}"] = "Ran **six** interviews"
    payload[f"rating_{competencies[-1].pk}"] = ""
    response = client.post(ratings_url, payload)
    assert response.status_code == 302
    saved = dict(assessment.ratings.values_list("competency__key", "rating"))
    assert len(saved) == len(competencies) - 1
    assert set(saved.values()) == {Rating.MEETS}
    detail = client.get(response.url).content.decode()
    assert "Ran <strong>six</strong> interviews" in detail
    assert f"Not rated: {competencies[-1].name}." in detail

    # Blank removes a rating given before; a changed one is updated.
    payload[f"rating_{competencies[0].pk}"] = ""
    payload[f"evidence_{competencies[0].pk}"] = ""
    payload[f"rating_{competencies[1].pk}"] = str(Rating.EXCEEDS)
    client.post(ratings_url, payload)
    saved = dict(assessment.ratings.values_list("competency__key", "rating"))
    assert competencies[0].key not in saved
    assert saved[competencies[1].key] == Rating.EXCEEDS


def test_evidence_without_a_rating_is_refused_and_nothing_is_saved(client, world):
    client = _login(client, world, "their manager")
    assessment = world.assessment
    before = dict(assessment.ratings.values_list("competency_id", "rating"))
    competencies = list(Competency.objects.order_by("position"))
    payload = {f"rating_{c.pk}": str(Rating.BELOW) for c in competencies}
    payload[f"rating_{competencies[2].pk}"] = ""
    payload[f"evidence_{competencies[2].pk}"] = "Seen once"
    response = client.post(reverse("people:assessment_ratings", args=[assessment.pk]), payload)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors[f"rating_{competencies[2].pk}"] == ["Give a rating with the evidence."]
    assert dict(assessment.ratings.values_list("competency_id", "rating")) == before


@pytest.mark.parametrize("role", ["the person", *ROLES_WHO_DO_NOT])
def test_the_person_and_others_may_not_assess(client, world, role):
    client = _login(client, world, role)
    expected = 403 if role == "the person" else 404
    create = reverse("people:assessment_create", args=[world.pia.pk])
    data = form_payload(AssessmentForm(), level="pm", period="Self", assessed_on="2026-12-01")
    assert client.get(create).status_code == expected
    assert client.post(create, data).status_code == expected
    ratings = reverse("people:assessment_ratings", args=[world.assessment.pk])
    assert client.post(ratings, {}).status_code == expected
    edit = reverse("people:assessment_edit", args=[world.assessment.pk])
    assert client.post(edit, {"period": "Changed", "version": 1}).status_code == expected
    delete = reverse("people:assessment_delete", args=[world.assessment.pk])
    assert client.post(delete, {"version": 1}).status_code == expected
    assert not Assessment.objects.filter(period__in=["Self", "Changed"]).exists()
    assert Assessment.objects.filter(pk=world.assessment.pk).exists()


def test_the_person_reads_their_assessment_but_sees_no_edit_buttons(client, world):
    client = _login(client, world, "the person")
    response = client.get(reverse("people:assessment_detail", args=[world.assessment.pk]))
    assert response.status_code == 200
    assert not response.context["can_edit"]
    assert reverse("people:assessment_edit", args=[world.assessment.pk]) not in (
        response.content.decode()
    )


def test_a_manager_deletes_an_assessment_with_its_ratings(client, world):
    client = _login(client, world, "their manager")
    url = reverse("people:assessment_delete", args=[world.assessment.pk])
    response = client.post(url, {"version": world.assessment.version})
    assert response.url == reverse("people:person_detail", args=[world.pia.pk])
    assert not Assessment.objects.filter(pk=world.assessment.pk).exists()
    assert not AssessmentRating.objects.filter(assessment_id=world.assessment.pk).exists()


# --- Growth plans ------------------------------------------------------------------------


def test_a_manager_opens_a_plan_and_the_person_keeps_it(client, world):
    manager = _login(client, world, "their manager")
    url = reverse("people:growth_plan_create", args=[world.pia.pk])
    data = form_payload(GrowthPlanForm(), title="Towards senior", start="2026-09-01")
    data["target_level"] = CareerLevel.objects.get(key="senior_pm").pk
    response = manager.post(url, data)
    plan = GrowthPlan.objects.get(title="Towards senior")
    assert plan.target_level.key == "senior_pm"
    assert response.url == reverse("people:growth_plan_detail", args=[plan.pk])

    person = _login(client, world, "the person")
    goal_url = reverse("people:goal_create", args=[plan.pk])
    data = form_payload(GrowthGoalForm(), description="Lead the Q4 pricing test", due="2026-12-01")
    assert person.post(goal_url, data).status_code == 302
    goal = GrowthGoal.objects.get(plan=plan)
    check_in_url = reverse("people:check_in_create", args=[plan.pk])
    data = form_payload(CheckInForm(), held_on="2026-10-01", notes="On *track*")
    assert person.post(check_in_url, data).status_code == 302
    edit = reverse("people:goal_edit", args=[goal.pk])
    data = form_payload(GrowthGoalForm(instance=goal), status="in_progress")
    assert person.post(edit, data).status_code == 302
    goal.refresh_from_db()
    assert goal.status == "in_progress"
    page = person.get(reverse("people:growth_plan_detail", args=[plan.pk])).content.decode()
    assert "On <em>track</em>" in page
    assert "Lead the Q4 pricing test" in page
    # Every write is in the change log, by its author.
    assert ChangeRecord.objects.filter(actor=world.pia.user).count() == 3


def test_the_person_does_not_open_their_own_plan(client, world):
    person = _login(client, world, "the person")
    url = reverse("people:growth_plan_create", args=[world.pia.pk])
    assert person.post(url, {"title": "Mine", "start": "2026-09-01"}).status_code == 403
    assert not GrowthPlan.objects.filter(title="Mine").exists()


@pytest.mark.parametrize("role", ROLES_WHO_DO_NOT)
def test_others_touch_no_plan_goal_or_check_in(client, world, role):
    client = _login(client, world, role)
    plan = world.plan
    goal = plan.goals.get()
    check_in = plan.check_ins.get()
    posts = [
        (reverse("people:growth_plan_create", args=[world.pia.pk]), {"title": "X"}),
        (reverse("people:growth_plan_edit", args=[plan.pk]), {"title": "X", "version": 1}),
        (reverse("people:growth_plan_delete", args=[plan.pk]), {"version": 1}),
        (reverse("people:goal_create", args=[plan.pk]), {"description": "X"}),
        (reverse("people:goal_edit", args=[goal.pk]), {"description": "X", "version": 1}),
        (reverse("people:goal_delete", args=[goal.pk]), {"version": 1}),
        (reverse("people:check_in_create", args=[plan.pk]), {"notes": "X"}),
        (reverse("people:check_in_edit", args=[check_in.pk]), {"notes": "X", "version": 1}),
        (reverse("people:check_in_delete", args=[check_in.pk]), {"version": 1}),
    ]
    for url, data in posts:
        assert client.get(url).status_code == 404, url
        assert client.post(url, data).status_code == 404, url
    assert GrowthGoal.objects.filter(pk=goal.pk).exists()
    assert CheckIn.objects.filter(pk=check_in.pk).exists()
    assert not GrowthPlan.objects.filter(title="X").exists()


def test_a_plan_that_ends_before_it_starts_is_refused_on_the_field(client, world):
    client = _login(client, world, "their manager")
    url = reverse("people:growth_plan_create", args=[world.pia.pk])
    data = form_payload(GrowthPlanForm(), title="Backwards", start="2026-09-01", end="2026-01-01")
    response = client.post(url, data)
    assert response.context["form"].errors["end"] == ["The end is before the start."]
    assert not GrowthPlan.objects.filter(title="Backwards").exists()


# --- One-to-ones -------------------------------------------------------------------------


def test_a_manager_records_a_one_to_one_and_the_person_adds_an_action(client, world):
    manager = _login(client, world, "their manager")
    url = reverse("people:one_on_one_create", args=[world.pia.pk])
    assert manager.get(url).context["form"]["with_person"].value() == world.mona.pk
    data = form_payload(
        OneOnOneForm(), with_person=world.mona.pk, held_on="2026-09-10", notes="Weekly"
    )
    response = manager.post(url, data)
    meeting = OneOnOne.objects.get(notes="Weekly")
    assert response.url == reverse("people:one_on_one_detail", args=[meeting.pk])

    person = _login(client, world, "the person")
    data = form_payload(ActionItemForm(), text="Send the memo", owner=world.pia.pk)
    assert person.post(reverse("people:action_create", args=[meeting.pk]), data).status_code == 302
    item = ActionItem.objects.get(text="Send the memo")
    data = form_payload(ActionItemForm(instance=item), done="on")
    assert person.post(reverse("people:action_edit", args=[item.pk]), data).status_code == 302
    item.refresh_from_db()
    assert item.done


def test_a_one_to_one_with_oneself_is_refused_on_the_field(client, world):
    client = _login(client, world, "their manager")
    url = reverse("people:one_on_one_create", args=[world.pia.pk])
    data = form_payload(OneOnOneForm(), with_person=world.pia.pk, held_on="2026-09-10")
    response = client.post(url, data)
    assert response.status_code == 200
    assert "with_person" in response.context["form"].errors
    assert not OneOnOne.objects.filter(held_on=dt.date(2026, 9, 10)).exists()


@pytest.mark.parametrize("role", ROLES_WHO_DO_NOT)
def test_others_touch_no_one_to_one_or_action(client, world, role):
    client = _login(client, world, role)
    meeting = world.one_on_one
    item = meeting.actions.get()
    for url in [
        reverse("people:one_on_one_create", args=[world.pia.pk]),
        reverse("people:one_on_one_edit", args=[meeting.pk]),
        reverse("people:one_on_one_delete", args=[meeting.pk]),
        reverse("people:action_create", args=[meeting.pk]),
        reverse("people:action_edit", args=[item.pk]),
        reverse("people:action_delete", args=[item.pk]),
    ]:
        assert client.post(url, {"text": "X", "version": 1}).status_code == 404, url
    assert ActionItem.objects.filter(pk=item.pk).exists()
    assert OneOnOne.objects.count() == 1


def test_markdown_in_private_notes_is_sanitized(client, world):
    meeting = world.one_on_one
    services.one_on_one.update(
        actor=None,
        instance=meeting,
        version=meeting.version,
        data={"notes": "<script>alert(1)</script> [x](javascript:alert(2)) **ok**"},
    )
    client = _login(client, world, "their manager")
    for url in [
        reverse("people:one_on_one_detail", args=[meeting.pk]),
        reverse("people:person_detail", args=[world.pia.pk]),
    ]:
        html = client.get(url).content.decode()
        assert "<script>alert(1)" not in html
        assert 'href="javascript' not in html
        assert "<strong>ok</strong>" in html


# --- Query counts ------------------------------------------------------------------------


def _more_records(world, n: int) -> None:
    pia = world.pia
    for i in range(n):
        assessment = services.assessment.create(
            actor=None,
            data={
                "person": pia,
                "level": pia.level,
                "period": f"Extra {i} {Assessment.objects.count()}",
                "assessed_on": dt.date(2025, 1, 1),
            },
        )
        services.assessment_rating.create(
            actor=None,
            data={
                "assessment": assessment,
                "competency": Competency.objects.first(),
                "rating": Rating.MEETS,
            },
        )
        plan = services.growth_plan.create(
            actor=None, data={"person": pia, "title": f"Plan {i}", "start": dt.date(2025, 1, 1)}
        )
        services.growth_goal.create(actor=None, data={"plan": plan, "description": "Goal"})
        services.check_in.create(
            actor=None, data={"plan": plan, "held_on": dt.date(2025, 2, 1), "notes": "n"}
        )
        meeting = services.one_on_one.create(
            actor=None,
            data={"person": pia, "with_person": world.mona, "held_on": dt.date(2025, 3, 1)},
        )
        services.action_item.create(actor=None, data={"one_on_one": meeting, "text": "Do"})


@pytest.mark.parametrize("role", ["their manager", "product leader", "a viewer"])
def test_a_persons_page_costs_the_same_queries_however_many_records(client, world, role):
    client = _login(client, world, role)
    url = reverse("people:person_detail", args=[world.pia.pk])
    assert_same_queries(lambda: client.get(url), lambda: _more_records(world, 5))


def test_the_record_pages_cost_the_same_queries_however_many_parts(client, world):
    client = _login(client, world, "their manager")
    plan_url = reverse("people:growth_plan_detail", args=[world.plan.pk])
    meeting_url = reverse("people:one_on_one_detail", args=[world.one_on_one.pk])

    def grow():
        for i in range(10):
            services.growth_goal.create(actor=None, data={"plan": world.plan, "description": "g"})
            services.check_in.create(
                actor=None,
                data={"plan": world.plan, "held_on": dt.date(2025, 1, 1 + i), "notes": "c"},
            )
            services.action_item.create(
                actor=None, data={"one_on_one": world.one_on_one, "text": f"a{i}"}
            )

    def both():
        client.get(plan_url)
        client.get(meeting_url)

    assert_same_queries(both, grow)


@pytest.mark.parametrize("role", ["their manager", "product leader"])
def test_the_readiness_list_costs_the_same_queries_for_more_people(client, world, role):
    client = _login(client, world, role)
    url = reverse("people:readiness")

    def grow():
        for i in range(10):
            report = services.person.create(
                actor=None,
                data={"name": f"New report {i}", "manager": world.mona, "level": "pm"},
            )
            services.assessment.create(
                actor=None,
                data={
                    "person": report,
                    "level": world.pia.level,
                    "period": "2026 H1",
                    "assessed_on": dt.date(2026, 6, 1),
                },
            )

    assert_same_queries(lambda: client.get(url), grow)
    assert len(client.get(url).context["rows"]) >= 11
