"""Which people's private data a user may see, for lists: the same rule as
core.permissions.can_view_private (the person, their management chain, product leaders
and admins), read for a whole list at once. Importing this module also tells the change
feeds which people to leave out (core.selectors.hide_in_change_feeds)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

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
    return visible_in(Person.objects.values_list("id", "manager_id", "user_id"), user)


def visible_in(
    rows: Iterable[tuple[int, int | None, int | None]], user: User | None
) -> set[int] | None:
    """`visible_person_ids(user)` from the reporting lines already read: every person's
    (id, manager id, login id). For a page that reads those rows anyway."""
    if permissions.is_portfolio_wide(user):
        return None
    if not permissions.can_view(user):
        return set()
    rows = list(rows)
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


def without_hidden(queryset: QuerySet, user: User | None, field: str = "person") -> QuerySet:
    """Rows of `queryset` whose `field` is a person `user` may list (a team membership,
    a time off): those of a private person they may not list are left out."""
    if permissions.is_portfolio_wide(user):
        return queryset  # no condition to add: they list everyone
    return queryset.exclude(**{f"{field}_id__in": hidden_person_ids(user)})


def naming_listed(field: str, person_id: int, user: User | None) -> Q:
    """A filter on `field` (e.g. "manager_id") by a person's id that matches nothing when
    `user` may not list that person: the same answer as for an id no one has, so that a
    filter does not reveal a private person."""
    if permissions.is_portfolio_wide(user):
        return Q(**{field: person_id})
    listed = listed_people(Person.objects.filter(pk=person_id), user).values("pk")
    return Q(**{f"{field}__in": listed})


def sees_private(visible: set[int] | None, *person_ids: int | None) -> bool:
    """Whether a viewer whose `visible_person_ids` are `visible` may see the private data
    of a record naming these people (any of them, as `restrict` keeps rows)."""
    return visible is None or any(pk in visible for pk in person_ids if pk is not None)


def is_listed(visible: set[int] | None, person: Person | Any) -> bool:
    """Whether a viewer whose `visible_person_ids` are `visible` may see `person` listed
    (`listed_people` for one person already read; anything with `pk` and `private`)."""
    return not person.private or sees_private(visible, person.pk)


def visible_among(user: User | None, people: Iterable[Person | None]) -> set[int] | None:
    """`visible_person_ids(user)` for deciding which of `people` (already read) to list,
    read only if one of them is private: None (everyone listed) otherwise, without a
    query."""
    if not any(person is not None and person.private for person in people):
        return None
    return visible_person_ids(user)


core_selectors.hide_in_change_feeds(Person, hidden_person_ids)
