"""Reads of people."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pilothouse.people import selectors
from tests.factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_person_list_counts_reports_and_joins_in_one_query():
    boss = PersonFactory(name="Boss", user=UserFactory())
    lead = PersonFactory(name="Lead", manager=boss, user=UserFactory())
    for i in range(3):
        PersonFactory(name=f"Report {i}", manager=lead)
    with CaptureQueriesContext(connection) as queries:
        rows = {
            p.name: (p.report_count, p.manager and p.manager.name, p.user and p.user.username)
            for p in selectors.person_list()
        }
    assert len(queries) == 1
    assert rows["Boss"][:2] == (1, None)
    assert rows["Lead"][:2] == (3, "Boss")
    assert rows["Report 0"] == (0, "Lead", None)


def test_person_list_is_ordered_by_name():
    for name in ["Cleo", "Ada", "Bo"]:
        PersonFactory(name=name)
    assert [p.name for p in selectors.person_list()] == ["Ada", "Bo", "Cleo"]
