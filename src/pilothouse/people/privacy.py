"""Which people's private data a user may see, for lists: the same rule as
core.permissions.can_view_private (the person, their management chain, product leaders
and admins), read for a whole list at once. Importing this module also tells the change
feeds which people to leave out (core.selectors.hide_in_change_feeds)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from pilothouse.core import permissions
from pilothouse.core import selectors as core_selectors
from pilothouse.core.models import User
from pilothouse.people.models import Person


def visible_person_ids(user: User | None) -> set[int] | None:
    """Ids of the people whose private data `user` may see: themselves and everyone
    below them in the reporting lines. None means everyone (product leaders, admins)."""
    if permissions.is_portfolio_wide(user):
        return None
    if not permissions.can_view(user):
        return set()
    rows = list(Person.objects.values_list("id", "manager_id", "user_id"))
    own = {pk for pk, _, user_id in rows if user_id == user.pk}
    reports: dict[int, list[int]] = {}
    for pk, manager_id, _ in rows:
        if manager_id is not None:
            reports.setdefault(manager_id, []).append(pk)
    seen: set[int] = set()
    stack = list(own)
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        stack.extend(reports.get(current, ()))
    return seen


def restrict(queryset: QuerySet, user: User | None, *fields: str) -> QuerySet:
    """Keep the rows private to someone `user` may see (a row naming several people, a
    one-to-one, is kept if any of them is visible)."""
    visible = visible_person_ids(user)
    if visible is None:
        return queryset
    condition = Q()
    for field in fields or ("person",):
        condition |= Q(**{f"{field}__in": visible})
    return queryset.filter(condition)


def listed_people(queryset: QuerySet[Person], user: User | None) -> QuerySet[Person]:
    """People lists and searches: a private person is listed only to those who may see
    their private data."""
    visible = visible_person_ids(user)
    if visible is None:
        return queryset
    return queryset.filter(Q(private=False) | Q(pk__in=visible))


def hidden_person_ids(user: User | None) -> QuerySet | set[int]:
    """The private people `user` may not see listed (as a subquery of ids): change feeds
    leave their records out and name them by id only."""
    visible = visible_person_ids(user)
    if visible is None:
        return set()
    return Person.objects.filter(private=True).exclude(pk__in=visible).values("pk")


def sees_private(visible: set[int] | None, *person_ids: int | None) -> bool:
    """Whether a viewer whose `visible_person_ids` are `visible` may see the private data
    of a record naming these people (any of them, as `restrict` keeps rows)."""
    return visible is None or any(pk in visible for pk in person_ids if pk is not None)


core_selectors.hide_in_change_feeds(Person, hidden_person_ids)
