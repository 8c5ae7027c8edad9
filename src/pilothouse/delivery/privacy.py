"""Private people in delivery: a private person's team memberships and time off are
shown only to those who may list the person (people.privacy), on the team pages, in the
API and in the change feeds. Capacity figures stay whole (a team's real capacity names
nobody); the team pages say how many members are not listed so the sums add up.

What change feeds leave out (core.selectors.hide_in_change_feeds, found by core.selectors'
autodiscovery): the allocations, memberships and time off of a private person, for those
who may not see that person listed (their descriptions name the person)."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from pilothouse.core import selectors as core_selectors
from pilothouse.core.models import User
from pilothouse.delivery.models import Allocation, Team, TeamMember, TimeOff
from pilothouse.people import privacy


def hidden_allocation_ids(user: User | None) -> QuerySet:
    """The ids of the allocations of the private people `user` may not see (a subquery)."""
    return Allocation.objects.filter(person_id__in=privacy.hidden_person_ids(user)).values("pk")


def hidden_member_ids(user: User | None) -> QuerySet:
    """The ids of the team memberships of the private people `user` may not see."""
    return TeamMember.objects.filter(person_id__in=privacy.hidden_person_ids(user)).values("pk")


def hidden_time_off_ids(user: User | None) -> QuerySet:
    """The ids of the time off of the private people `user` may not see."""
    return TimeOff.objects.filter(person_id__in=privacy.hidden_person_ids(user)).values("pk")


def listed_rows(queryset: QuerySet, user: User | None) -> QuerySet:
    """Memberships or time off (rows with a `person`) of the people `user` may list."""
    return privacy.without_hidden(queryset, user, "person")


def with_private_members(teams: QuerySet[Team]) -> QuerySet[Team]:
    """Teams with `private_members`: how many of their members are private people, so
    that `redact_teams` reads the privacy rule only for a page where one is."""
    private = (
        TeamMember.objects.filter(team_id=OuterRef("pk"), person__private=True)
        .order_by()
        .values("team_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return teams.annotate(private_members=Coalesce(Subquery(private), 0))


def redact_teams(teams: Sequence[Team], user: User | None) -> None:
    """On teams read by delivery.selectors.team_list (and `with_private_members`):
    `member_count` counts only the members `user` may list, `unlisted_members` says how
    many are left out, and `listed_lead` is the lead if `user` may list them (else None).
    No query unless a team of the page has a private member or lead (two at most then,
    none for product leaders and admins), whatever the number of teams."""
    private_members = [team.pk for team in teams if getattr(team, "private_members", 1)]
    leads = [team.lead for team in teams if team.lead_id]
    visible = (
        privacy.visible_person_ids(user)
        if private_members or any(lead.private for lead in leads)
        else None
    )
    hidden: dict[int, int] = {}
    if visible is not None and private_members:
        rows = (
            TeamMember.objects.filter(team_id__in=private_members, person__private=True)
            .exclude(person_id__in=visible)
            .order_by()
            .values("team_id")
            .annotate(n=Count("pk"))
        )
        hidden = {row["team_id"]: row["n"] for row in rows}
    for team in teams:
        team.unlisted_members = hidden.get(team.pk, 0)
        team.member_count = getattr(team, "member_count", 0) - team.unlisted_members
        lead = team.lead if team.lead_id else None
        team.listed_lead = lead if lead is not None and privacy.is_listed(visible, lead) else None


core_selectors.hide_in_change_feeds(Allocation, hidden_allocation_ids)
core_selectors.hide_in_change_feeds(TeamMember, hidden_member_ids)
core_selectors.hide_in_change_feeds(TimeOff, hidden_time_off_ids)
