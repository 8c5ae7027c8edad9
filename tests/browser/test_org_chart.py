"""The org chart of a 400-person organization in Chromium: it opens on the top layers,
expands and collapses all, a search reveals a person deep in the tree with their chain
of managers, and each manager's span shown is the number of their reports drawn below."""

from __future__ import annotations

import time

import pytest

from pilothouse.core.roles import Role
from pilothouse.people.models import Person
from tests.factories import UserFactory
from tests.people.org_builder import build_org

pytestmark = pytest.mark.django_db(transaction=True)


def visible_nodes(page) -> int:
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('#org-tree li.org-node'))
            .filter((node) => node.checkVisibility()).length"""
    )


def test_the_org_chart_of_400_people(page, log_in):
    people = build_org(400)
    UserFactory(username="lena", role=Role.PRODUCT_LEADER)
    top, deepest = people[0], people[-1]

    log_in("lena")
    started = time.perf_counter()
    page.goto("/people/org/")
    page.locator("#org-tree").wait_for()
    opened_in = time.perf_counter() - started
    assert page.locator("#org-tree li.org-node").count() == 400
    # The top three layers are open: 1 + 6 + 36 people.
    assert visible_nodes(page) == 43
    assert opened_in < 10, f"the chart took {opened_in:.1f} s to open"

    tools = page.locator("[data-org-tools]")
    tools.get_by_role("button", name="Expand all").click()
    assert visible_nodes(page) == 400
    tools.get_by_role("button", name="Collapse all").click()
    assert visible_nodes(page) == 1

    # A span shown is the number of reports drawn below that manager.
    tools.get_by_role("button", name="Expand all").click()
    for manager in [top, people[1], people[40]]:
        node = page.locator(f"#person-{manager.pk}")
        span = int(node.locator(".org-card__span").first.get_attribute("data-span"))
        drawn = page.locator(f"#person-{manager.pk} > details > ul.org-reports > li").count()
        assert span == drawn == Person.objects.filter(manager=manager).count()
        assert f"{span} direct reports" in node.locator(".org-card__span").first.inner_text()
    tools.get_by_role("button", name="Collapse all").click()

    # Search someone five layers down: they show, with their chain opened above them.
    page.get_by_label("Find a person").fill(deepest.name)
    page.locator("#org-status").filter(has_text="1 person matches.").wait_for()
    match = page.locator(f"#person-{deepest.pk}")
    assert match.is_visible()
    assert "org-node--match" in match.get_attribute("class")
    chain = []
    current = Person.objects.get(pk=deepest.pk).manager
    while current is not None:
        chain.append(current)
        current = current.manager
    for manager in chain:
        assert page.locator(f"#person-{manager.pk} > details > summary").first.is_visible()
    assert visible_nodes(page) == len(chain) + 1

    # Clearing the search brings the chart back as it opened.
    page.get_by_label("Find a person").fill("")
    page.wait_for_function(
        """() => Array.from(document.querySelectorAll('#org-tree li.org-node'))
            .filter((node) => node.checkVisibility()).length === 43"""
    )

    # The person's page is one click away.
    page.locator(f"#person-{top.pk} .org-card__name").first.click()
    page.wait_for_url(f"**/people/{top.pk}/")
    assert page.get_by_role("heading", level=1).inner_text().startswith(top.name)
