"""The team list, a team's page (members, time off, capacity against demand, throughput,
queue) and the create/edit/delete pages of teams, members, time off, capacity periods and
assignments. Writes go through core.editing and the services, which decide who may.

A private person (people.privacy) is shown only to those who may list them: their
membership, time off and lead role are left out for anyone else (the membership and time
off pages answer 404), and the team pages count the members not listed."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from pilothouse.core import permissions
from pilothouse.core import selectors as core_selectors
from pilothouse.core.editing import EditPages
from pilothouse.core.errors import ConflictError
from pilothouse.delivery import charts, forecasts, privacy, queues, selectors, services
from pilothouse.delivery.forms import (
    AssignmentForm,
    CapacityPeriodForm,
    TeamForm,
    TeamMemberForm,
    TimeOffForm,
)
from pilothouse.delivery.models import (
    CapacityPeriod,
    FeatureAssignment,
    Team,
    TeamMember,
    TimeOff,
)
from pilothouse.people import privacy as people_privacy

TEAMS_PER_PAGE = 50
# A team's page lists this many queued features at most (the count says the rest).
QUEUE_SHOWN = 200
# Time off shown on a team's page: what ends after this many days ago.
TIME_OFF_LOOK_BACK = 30


def team_url(team: Team) -> str:
    return reverse("delivery:team_detail", args=[team.pk])


def _of_team(obj: TeamMember | CapacityPeriod | FeatureAssignment) -> str:
    return reverse("delivery:team_detail", args=[obj.team_id])


team_pages = EditPages(form_class=TeamForm, writes=services.team, detail_url=team_url)


def _team_pages_for(request: HttpRequest) -> EditPages:
    """The team's pages with the form as the reader opens it (a private lead they may
    not list is left out of it)."""
    return EditPages(
        form_class=TeamForm.for_viewer(request.user), writes=services.team, detail_url=team_url
    )


member_pages = EditPages(
    form_class=TeamMemberForm, writes=services.team_member, detail_url=_of_team
)
period_pages = EditPages(
    form_class=CapacityPeriodForm, writes=services.capacity_period, detail_url=_of_team
)
# The permission parent of an assignment is its feature, chosen in the form.
assignment_pages = EditPages(
    form_class=AssignmentForm,
    writes=services.assignment,
    detail_url=_of_team,
    parent_chosen_in_form=True,
)
time_off_pages = EditPages(
    form_class=TimeOffForm,
    writes=services.time_off,
    detail_url=lambda _away: reverse("delivery:team_list"),
)


def team_list(request: HttpRequest) -> HttpResponse:
    teams = privacy.with_private_members(selectors.team_list())
    page = Paginator(teams, TEAMS_PER_PAGE).get_page(request.GET.get("page"))
    teams = list(page.object_list)
    privacy.redact_teams(teams, request.user)
    upcoming = selectors.upcoming_figures(
        team_ids=[team.pk for team in teams], today=timezone.localdate()
    )
    rows = [(team, upcoming.get(team.pk, [])) for team in teams]
    context = {
        "page_obj": page,
        "rows": rows,
        "can_create": permissions.can_create(request.user, parent=None, model=Team),
    }
    return render(request, "delivery/team_list.html", context)


def _listed(
    queryset: QuerySet[TeamMember] | QuerySet[TimeOff], request: HttpRequest, pk: int
) -> TeamMember | TimeOff:
    """A membership or time off by id, if the reader may list its person (404 otherwise,
    as if it did not exist)."""
    return get_object_or_404(privacy.listed_rows(queryset, request.user), pk=pk)


def _team(pk: int) -> Team:
    try:
        return selectors.team_detail(pk=pk)
    except Team.DoesNotExist as exc:
        raise Http404("No such team.") from exc


def team_detail(request: HttpRequest, pk: int) -> HttpResponse:
    team = _team(pk)
    today = timezone.localdate()
    figures = selectors.team_capacity(team=team, today=today)
    # The whole weeks the forecasts sample, and this week so far (charted apart).
    this_week = forecasts.forecast_start(today)
    first, _ = forecasts.history_window(today)
    weeks = selectors.throughput(team_ids=[team.pk], first=first, last=this_week)[team.pk]
    history = weeks[:-1]
    # One row more than shown: the last one shown may move down after it.
    head = queues.queue_head(team=team, count=QUEUE_SHOWN + 1)
    queue = head.rows[:QUEUE_SHOWN]
    for index, item in enumerate(queue):  # whom each item follows after a move up or down
        item.up_after = queue[index - 2].pk if index >= 2 else ""
        item.down_after = head.rows[index + 1].pk if index + 1 < len(head.rows) else None
    # The shown features not done are forecast in queue order (a feature waits for those
    # before it, all of them shown); nothing further down is simulated.
    queue_forecast = forecasts.forecast_pending(
        team=team,
        today=today,
        rows=[item for item in queue if not forecasts.is_done(item.feature)],
        ahead=0,
        count=head.pending,
        history=history,
    )
    forecast_of = queue_forecast.by_assignment
    for item in queue:
        item.forecast = forecast_of.get(item.pk)
    can_edit = permissions.can_change(request.user, team)
    members = selectors.members_of(team=team)
    time_off = selectors.time_off_of(team=team, since=today - dt.timedelta(days=TIME_OFF_LOOK_BACK))
    lead = team.lead if team.lead_id else None
    # Whom the reader may list, read only if one of these people is private.
    visible = people_privacy.visible_among(
        request.user, [lead, *(m.person for m in members), *(a.person for a in time_off)]
    )
    listed_members = [m for m in members if people_privacy.is_listed(visible, m.person)]
    context = {
        "team": team,
        "lead": lead if lead is not None and people_privacy.is_listed(visible, lead) else None,
        "products": list(team.products.all()),
        "members": listed_members,
        "unlisted_members": len(members) - len(listed_members),
        "time_off": [away for away in time_off if people_privacy.is_listed(visible, away.person)],
        "figures": figures,
        "demand_chart": charts.svg(charts.demand_spec(figures)) if figures else None,
        "demand_key": charts.STATUS_KEY,
        "throughput_chart": charts.svg(charts.throughput_spec(weeks, partial=this_week)),
        "throughput_total": sum(week.count for week in history),
        "throughput_this_week": weeks[-1].count,
        "queue": queue,
        "queue_hidden": head.total - len(queue),
        "queue_forecast": queue_forecast,
        "forecast_weeks": forecasts.HISTORY_WEEKS,
        "can_edit": can_edit,
        "can_edit_people": permissions.can_create(request.user, parent=None, model=TimeOff),
        "can_assign": permissions.can_create_any(request.user, model=FeatureAssignment),
        "history": core_selectors.object_history_described(instance=team, viewer=request.user),
    }
    return render(request, "delivery/team_detail.html", context)


def team_create(request: HttpRequest) -> HttpResponse:
    return team_pages.create(request, cancel_url=reverse("delivery:team_list"))


def team_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _team_pages_for(request).edit(request, _team(pk))


def team_delete(request: HttpRequest, pk: int) -> HttpResponse:
    return team_pages.delete(request, _team(pk), done_url=reverse("delivery:team_list"))


# --- what hangs under a team ----------------------------------------------------------


def member_create(request: HttpRequest, pk: int) -> HttpResponse:
    team = _team(pk)
    return member_pages.create(
        request, cancel_url=team_url(team), fixed={"team": team}, title=f"Add a member to {team}"
    )


def member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return member_pages.edit(request, _listed(TeamMember.objects.all(), request, pk))


def member_delete(request: HttpRequest, pk: int) -> HttpResponse:
    member = _listed(TeamMember.objects.all(), request, pk)
    return member_pages.delete(request, member, done_url=_of_team(member))


def period_create(request: HttpRequest, pk: int) -> HttpResponse:
    team = _team(pk)
    return period_pages.create(
        request,
        cancel_url=team_url(team),
        fixed={"team": team},
        title=f"New capacity period of {team}",
    )


def period_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return period_pages.edit(request, get_object_or_404(CapacityPeriod, pk=pk))


def period_delete(request: HttpRequest, pk: int) -> HttpResponse:
    period = get_object_or_404(CapacityPeriod, pk=pk)
    return period_pages.delete(request, period, done_url=_of_team(period))


def assignment_create(request: HttpRequest, pk: int) -> HttpResponse:
    team = _team(pk)
    return assignment_pages.create(
        request,
        cancel_url=team_url(team),
        initial={"team": team.pk},
        title=f"Add a feature to {team}'s queue",
    )


def assignment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = get_object_or_404(FeatureAssignment, pk=pk)
    return assignment_pages.delete(request, assignment, done_url=_of_team(assignment))


@require_POST
def assignment_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a feature up or down its team's queue (the buttons of the team page): after
    the assignment `after` (empty: to the top), at the version the page showed."""
    assignment = get_object_or_404(FeatureAssignment, pk=pk)
    after, version = request.POST.get("after", ""), request.POST.get("version", "")
    if (after and not after.isdigit()) or not version.isdigit():
        return HttpResponseBadRequest("after and version are whole numbers.")
    try:
        services.assignment_move(
            actor=request.user,
            instance=assignment,
            version=int(version),
            after_id=int(after) if after else None,
        )
    except ConflictError:
        messages.error(request, "The queue changed since the page was drawn; nothing moved.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(_of_team(assignment) + "#queue-heading")


def time_off_create(request: HttpRequest) -> HttpResponse:
    return time_off_pages.create(request, cancel_url=reverse("delivery:team_list"))


def time_off_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return time_off_pages.edit(request, _listed(TimeOff.objects.all(), request, pk))


def time_off_delete(request: HttpRequest, pk: int) -> HttpResponse:
    away = _listed(TimeOff.objects.all(), request, pk)
    return time_off_pages.delete(request, away, done_url=reverse("delivery:team_list"))
