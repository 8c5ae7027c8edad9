"""Delivery's pages: what they show, what they cost in queries, and who may open the forms
(anonymous, viewer, contributor, product manager, product leader, admin)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from pilothouse.core.models import ChangeRecord
from pilothouse.core.roles import Role
from pilothouse.delivery import panels as delivery_panels
from pilothouse.delivery import workdays
from pilothouse.delivery.forms import CapacityPeriodForm, TeamMemberForm
from pilothouse.delivery.models import (
    CapacityPeriod,
    FeatureAssignment,
    Team,
    TeamMember,
    TimeOff,
    WorkItem,
)
from pilothouse.roadmap import sharing
from tests.factories import FeatureFactory, PersonFactory
from tests.web.helpers import assert_same_queries, count_queries, form_payload

pytestmark = pytest.mark.django_db
ROLES = [role.value for role in Role]
PORTFOLIO_WIDE = {Role.ADMIN, Role.PRODUCT_LEADER}


def current_quarter() -> dt.date:
    return workdays.period_containing(timezone.localdate(), "quarter")[0]


def quarter(team: Team, start: dt.date, **fields) -> CapacityPeriod:
    return CapacityPeriod.objects.create(
        team=team, start=start, end=workdays.period_end(start, "quarter"), **fields
    )


def stocked_team(product, name: str) -> Team:
    """A team on `product` with a member, time off, a period this quarter that its queue
    over-commits, a feature without an estimate and some history."""
    team = Team.objects.create(name=name)
    team.products.add(product)
    person = PersonFactory()
    TeamMember.objects.create(team=team, person=person, allocation=60)
    today = timezone.localdate()
    TimeOff.objects.create(person=person, start=today, end=today + dt.timedelta(days=3))
    quarter(team, current_quarter(), person_weeks=2)
    FeatureAssignment.objects.create(
        team=team,
        feature=FeatureFactory(
            product=product,
            horizon="now",
            started_on=current_quarter(),
            effort_low=5,
            effort_high=9,
        ),
        queue_rank=1,
    )
    FeatureAssignment.objects.create(
        team=team, feature=FeatureFactory(product=product, horizon="next"), queue_rank=2
    )
    WorkItem.objects.create(team=team, title="Shipped", completed_on=today)
    return team


@pytest.fixture
def teams(web_world):
    return {
        "mine": stocked_team(web_world.mine.product, "Mine squad"),
        "theirs": stocked_team(web_world.theirs.product, "Their squad"),
    }


def test_the_team_list_shows_capacity_against_demand(as_user, web_world, teams):
    response = as_user(web_world.viewer).get(reverse("delivery:team_list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Mine squad" in html
    assert "Over-committed" in html
    [(team, upcoming), _] = response.context["rows"]
    assert team.name == "Mine squad"
    assert [f.status for f in upcoming] == ["over_committed"]


def test_a_team_page_shows_members_periods_charts_and_queue(as_user, web_world, teams):
    team = teams["mine"]
    other = Team.objects.create(name="Side project")
    member = team.members.get()
    TeamMember.objects.create(team=other, person=member.person, allocation=60)
    response = as_user(web_world.viewer).get(reverse("delivery:team_detail", args=[team.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Over-allocated" in html
    assert "No estimate" in html
    assert "Demand 5\u20139 person-weeks against a capacity of 2" in html
    assert html.count("<svg") == 2
    assert [item.position for item in response.context["queue"]] == [1, 2]
    # Shipped today: this week, which is not over, is charted apart from the whole weeks.
    assert (response.context["throughput_total"], response.context["throughput_this_week"]) == (
        0,
        1,
    )
    assert not response.context["can_edit"]


def _grow_teams(product, n: int) -> None:
    for _ in range(n):
        stocked_team(product, f"Team {Team.objects.count() + 1}")


def test_the_team_list_costs_the_same_queries_for_5_and_50_teams(as_user, web_world):
    _grow_teams(web_world.mine.product, 5)
    client = as_user(web_world.viewer)
    url = reverse("delivery:team_list")
    # session, user; count, teams, products; periods, members with their time off,
    # planned features
    assert (
        assert_same_queries(
            lambda: client.get(url), lambda: _grow_teams(web_world.mine.product, 45)
        )
        == 8
    )


def test_a_team_page_costs_the_same_queries_for_5_and_50_of_everything(as_user, web_world):
    team = stocked_team(web_world.mine.product, "Busy squad")

    def grow(n: int) -> None:
        start = current_quarter()
        for i in range(n):
            person = PersonFactory()
            TeamMember.objects.create(team=team, person=person, allocation=50)
            TimeOff.objects.create(
                person=person, start=timezone.localdate(), end=timezone.localdate()
            )
            FeatureAssignment.objects.create(
                team=team, feature=FeatureFactory(product=web_world.mine.product, horizon="next")
            )
            WorkItem.objects.create(team=team, title=str(i), completed_on=timezone.localdate())
            start = workdays.period_end(start, "quarter") + dt.timedelta(days=1)
            if not CapacityPeriod.objects.filter(team=team, start=start).exists():
                quarter(team, start)

    grow(4)
    client = as_user(web_world.viewer)
    url = reverse("delivery:team_detail", args=[team.pk])
    # session, user; team, products; capacity (periods, members with their time off,
    # planned features); throughput (two); the head of the queue; members with their
    # allocations; time off; history
    assert assert_same_queries(lambda: client.get(url), lambda: grow(45)) == 13


# --- who may open which page ----------------------------------------------------------


def edit_pages(teams) -> dict[str, tuple[str, str]]:
    """name -> (URL, whose team it is: "mine" or "theirs")."""
    pages = {}
    for whose, team in teams.items():
        member = team.members.get()
        period = team.capacity_periods.get()
        assignment = team.assignments.order_by("queue_rank").first()
        pages |= {
            f"{whose}_team_edit": (reverse("delivery:team_edit", args=[team.pk]), whose),
            f"{whose}_team_delete": (reverse("delivery:team_delete", args=[team.pk]), whose),
            f"{whose}_member_new": (reverse("delivery:member_create", args=[team.pk]), whose),
            f"{whose}_member_edit": (reverse("delivery:member_edit", args=[member.pk]), whose),
            f"{whose}_period_new": (reverse("delivery:period_create", args=[team.pk]), whose),
            f"{whose}_period_edit": (reverse("delivery:period_edit", args=[period.pk]), whose),
            f"{whose}_unassign": (
                reverse("delivery:assignment_delete", args=[assignment.pk]),
                whose,
            ),
        }
    return pages


@pytest.mark.parametrize("role", ROLES)
def test_edit_pages_follow_stewardship(client, as_user, web_world, teams, role):
    user = web_world.user(role)
    browser = as_user(user)
    for name, (url, whose) in edit_pages(teams).items():
        allowed = role in PORTFOLIO_WIDE or (role == Role.PRODUCT_MANAGER and whose == "mine")
        status = browser.get(url).status_code
        assert status == (200 if allowed else 403), (name, role, status)


@pytest.mark.parametrize("role", ROLES)
def test_top_level_pages_are_for_the_portfolio_wide_roles(as_user, web_world, teams, role):
    browser = as_user(web_world.user(role))
    away = TimeOff.objects.first()
    for url in (
        reverse("delivery:team_create"),
        reverse("delivery:time_off_create"),
        reverse("delivery:time_off_edit", args=[away.pk]),
        reverse("delivery:time_off_delete", args=[away.pk]),
    ):
        assert browser.get(url).status_code == (200 if role in PORTFOLIO_WIDE else 403), url
    assign = reverse("delivery:assignment_create", args=[teams["mine"].pk])
    opens = role in PORTFOLIO_WIDE | {Role.PRODUCT_MANAGER}
    assert browser.get(assign).status_code == (200 if opens else 403)


@pytest.mark.parametrize("role", ROLES)
def test_read_pages_are_open_to_every_user(as_user, web_world, teams, role):
    browser = as_user(web_world.user(role))
    assert browser.get(reverse("delivery:team_list")).status_code == 200
    assert (
        browser.get(reverse("delivery:team_detail", args=[teams["theirs"].pk])).status_code == 200
    )


def test_anonymous_visitors_are_sent_to_log_in(client, teams):
    for url in (
        reverse("delivery:team_list"),
        reverse("delivery:team_detail", args=[teams["mine"].pk]),
        reverse("delivery:team_create"),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert "login" in response.url


# --- forms -----------------------------------------------------------------------------


def test_a_product_manager_adds_a_member_to_their_team(as_user, web_world, teams):
    team = teams["mine"]
    person = PersonFactory(name="Noor")
    data = form_payload(TeamMemberForm(), person=person.pk, allocation=40, role="Designer")
    response = as_user(web_world.pm).post(reverse("delivery:member_create", args=[team.pk]), data)
    assert response.status_code == 302
    member = TeamMember.objects.get(person=person)
    assert (member.team, member.allocation, member.created_by) == (team, 40, web_world.pm)


def test_a_product_manager_may_not_post_to_another_team(as_user, web_world, teams):
    team = teams["theirs"]
    before = (TeamMember.objects.count(), ChangeRecord.objects.count())
    data = form_payload(TeamMemberForm(), person=PersonFactory().pk, allocation=40)
    response = as_user(web_world.pm).post(reverse("delivery:member_create", args=[team.pk]), data)
    assert response.status_code == 403
    assert (TeamMember.objects.count(), ChangeRecord.objects.count()) == before


def test_an_overlapping_period_is_refused_on_the_form(as_user, web_world, teams):
    team = teams["mine"]
    month = current_quarter().replace(day=1)
    data = form_payload(CapacityPeriodForm(), granularity="month", start=month.isoformat())
    before = CapacityPeriod.objects.count()
    response = as_user(web_world.leader).post(
        reverse("delivery:period_create", args=[team.pk]), data
    )
    assert response.status_code == 200
    assert "overlaps the team&#x27;s period" in response.content.decode()
    assert CapacityPeriod.objects.count() == before


def test_assigning_a_feature_from_the_team_page(as_user, web_world, teams):
    team = teams["mine"]
    feature = FeatureFactory(product=web_world.mine.product, title="Wallet top-up")
    client = as_user(web_world.pm)
    url = reverse("delivery:assignment_create", args=[team.pk])
    page = client.get(url)
    assert "Wallet top-up" in page.content.decode()
    response = client.post(url, {"team": team.pk, "feature": feature.pk, "note": ""})
    assert response.status_code == 302
    assignment = FeatureAssignment.objects.get(feature=feature)
    assert assignment.team == team
    assert assignment.queue_rank > 2  # the end of the queue


def test_a_product_manager_may_not_assign_a_feature_they_do_not_look_after(
    as_user, web_world, teams
):
    team = teams["theirs"]
    feature = FeatureFactory(product=web_world.theirs.product)
    url = reverse("delivery:assignment_create", args=[team.pk])
    response = as_user(web_world.pm).post(url, {"team": team.pk, "feature": feature.pk})
    assert response.status_code == 403
    assert not FeatureAssignment.objects.filter(feature=feature).exists()


# --- on the roadmap's pages ----------------------------------------------------------


def test_the_feature_page_shows_its_team_and_queue_position(as_user, web_world, teams):
    assignment = teams["mine"].assignments.order_by("queue_rank").last()
    url = reverse("roadmap:feature_detail", args=[assignment.feature_id])
    html = as_user(web_world.viewer).get(url).content.decode()
    assert 'id="team"' in html
    assert "Mine squad" in html
    assert "No estimate" in html
    unassigned = as_user(web_world.viewer).get(
        reverse("roadmap:feature_detail", args=[web_world.mine.feature.pk])
    )
    assert 'id="team"' not in unassigned.content.decode()


def test_the_team_panel_costs_two_queries_whatever_the_team(rf, web_world, teams):
    team = teams["mine"]
    feature = team.assignments.order_by("queue_rank").first().feature
    request = rf.get("/")

    def grow(n: int) -> None:
        for _ in range(n):
            person = PersonFactory()
            TeamMember.objects.create(team=team, person=person, allocation=50)
            TimeOff.objects.create(person=person, start=current_quarter(), end=current_quarter())
            FeatureAssignment.objects.create(
                team=team,
                feature=FeatureFactory(product=web_world.mine.product, horizon="now"),
                queue_rank=5,
            )

    def panel():
        return delivery_panels.team_context(request, feature)

    grow(2)
    # the feature's place in the queue with the team's planned features; the periods
    # with the members and their time off
    assert assert_same_queries(panel, lambda: grow(45)) == 2
    found = panel()
    assert (found["team_name"], found["position"]) == ("Mine squad", 1)
    assert [f.status for f in found["figures"]] == ["over_committed"]


def test_the_timeline_has_team_lanes_that_flag_over_commitment(as_user, web_world, teams):
    response = as_user(web_world.viewer).get(
        reverse("roadmap:timeline"), {"lanes": "team", "scale": "quarter"}
    )
    assert response.status_code == 200
    timeline = response.context["timeline"]
    assert timeline.lane_kind.key == "team"
    lanes = {lane.title: lane for lane in timeline.lanes}
    mine = lanes["Mine squad"]
    assert mine.flagged
    assert mine.note.startswith("Over-committed in Q")
    assert mine.url == reverse("delivery:team_detail", args=[teams["mine"].pk])
    assert mine.note in response.content.decode()


def test_team_lanes_offer_the_team_page_not_a_filter_that_does_not_exist(
    as_user, web_world, teams, monkeypatch
):
    monkeypatch.setattr("pilothouse.roadmap.timeline.ITEM_BUDGET", 0)
    monkeypatch.setattr("pilothouse.roadmap.timeline.MIN_PER_LANE", 0)
    response = as_user(web_world.viewer).get(
        reverse("roadmap:timeline"), {"lanes": "team", "scale": "quarter"}
    )
    hidden = [lane for lane in response.context["timeline"].lanes if lane.hidden]
    assert hidden
    assert all(lane.focus_query == "" for lane in hidden)
    assert "show this lane only" not in response.content.decode()


@pytest.mark.parametrize("audience", ["internal", "public"])
def test_a_public_share_link_keeps_the_teams_over_commitment_internal(
    client, web_world, teams, audience
):
    _link, token = sharing.share_link_create(actor=None, name="Plan", audience=audience)
    html = client.get(
        reverse("roadmap:shared", args=[token]), {"lanes": "team", "scale": "quarter"}
    ).content.decode()
    assert "Mine squad" in html
    assert ("Over-committed in Q" in html) == (audience == "internal")


def test_the_team_timeline_costs_the_same_queries_for_5_and_50_teams(as_user, web_world):
    _grow_teams(web_world.mine.product, 5)
    client = as_user(web_world.viewer)
    url = reverse("roadmap:timeline") + "?lanes=team&scale=quarter"
    team_lanes = assert_same_queries(
        lambda: client.get(url), lambda: _grow_teams(web_world.mine.product, 45)
    )
    by_product = count_queries(lambda: client.get(reverse("roadmap:timeline") + "?scale=quarter"))
    # The lanes' notes: the periods in view stacked on the planned features of the teams
    # in view, and their members with their time off.
    assert team_lanes == by_product + 2


def test_moving_a_feature_down_and_up_the_queue_from_the_team_page(as_user, web_world, teams):
    team = teams["mine"]
    first, second = team.assignments.order_by("queue_rank")
    client = as_user(web_world.pm)
    url = reverse("delivery:assignment_move", args=[first.pk])
    response = client.post(url, {"after": second.pk, "version": 1})
    assert response.status_code == 302
    assert [a.pk for a in team.assignments.order_by("queue_rank")] == [second.pk, first.pk]
    page = client.get(reverse("delivery:team_detail", args=[team.pk])).content.decode()
    assert "Move" in page
    client.post(url, {"after": "", "version": 2})
    assert [a.pk for a in team.assignments.order_by("queue_rank")] == [first.pk, second.pk]


def test_the_team_page_shows_the_head_of_a_long_queue(as_user, web_world, teams, monkeypatch):
    monkeypatch.setattr("pilothouse.delivery.views.QUEUE_SHOWN", 2)
    team = teams["mine"]
    third = FeatureAssignment.objects.create(
        team=team, feature=FeatureFactory(product=web_world.mine.product), queue_rank=3
    )
    response = as_user(web_world.pm).get(reverse("delivery:team_detail", args=[team.pk]))
    queue = response.context["queue"]
    assert [item.position for item in queue] == [1, 2]
    assert response.context["queue_hidden"] == 1
    assert queue[1].down_after == third.pk  # the last one shown may still move down
    assert "1 more feature further down the queue" in response.content.decode()


def test_a_stale_move_changes_nothing(as_user, web_world, teams):
    first, second = teams["mine"].assignments.order_by("queue_rank")
    client = as_user(web_world.pm)
    url = reverse("delivery:assignment_move", args=[first.pk])
    response = client.post(url, {"after": second.pk, "version": 7}, follow=True)
    assert "nothing moved" in response.content.decode()
    first.refresh_from_db()
    assert (first.queue_rank, first.version) == (1, 1)


def test_a_product_manager_may_not_move_another_teams_queue(as_user, web_world, teams):
    first, second = teams["theirs"].assignments.order_by("queue_rank")
    url = reverse("delivery:assignment_move", args=[first.pk])
    response = as_user(web_world.pm).post(url, {"after": second.pk, "version": 1})
    assert response.status_code == 403
    first.refresh_from_db()
    assert first.version == 1
