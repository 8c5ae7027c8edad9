"""What change feeds leave out of delivery (core.selectors.hide_in_change_feeds): the
allocations of a private person, for those who may not see that person listed (their
description names the person). Found by core.selectors' autodiscovery."""

from __future__ import annotations

from django.db.models import QuerySet

from pilothouse.core import selectors as core_selectors
from pilothouse.core.models import User
from pilothouse.delivery.models import Allocation
from pilothouse.people import privacy


def hidden_allocation_ids(user: User | None) -> QuerySet:
    """The ids of the allocations of the private people `user` may not see (a subquery)."""
    return Allocation.objects.filter(person_id__in=privacy.hidden_person_ids(user)).values("pk")


core_selectors.hide_in_change_feeds(Allocation, hidden_allocation_ids)
