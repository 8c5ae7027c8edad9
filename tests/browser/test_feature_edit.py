"""A product manager's everyday path: portfolio -> product -> feature -> edit -> history."""

from __future__ import annotations

import pytest

from pilothouse.core.roles import Role
from pilothouse.roadmap.models import Feature
from tests.factories import FeatureFactory, ProductFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_edit_a_feature_and_see_it_in_history(page, log_in):
    leader = UserFactory(username="lena", role=Role.PRODUCT_LEADER, first_name="Lena")
    product = ProductFactory(name="Ledger", key="LDG", owner=leader)
    feature = FeatureFactory(title="Multi-currency invoices", product=product, owner=leader)

    log_in("lena")
    page.get_by_role("navigation").get_by_role("link", name="Portfolio").click()
    page.get_by_role("link", name="Ledger").first.click()
    page.wait_for_url("**/portfolio/products/LDG/")
    page.get_by_role("link", name="Multi-currency invoices").click()
    page.wait_for_url(f"**/roadmap/features/{feature.pk}/")

    page.get_by_role("link", name="Edit").first.click()
    page.get_by_label("Title").fill("Invoices in any currency")
    page.get_by_label("Stage").select_option("candidate")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**/roadmap/features/{feature.pk}/")

    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text().strip() == "Invoices in any currency"
    history = page.locator("#history")
    history.wait_for()
    assert "Invoices in any currency" in history.inner_text()
    assert "Multi-currency invoices" in history.inner_text()
    assert "lena" in history.inner_text().lower()

    feature.refresh_from_db()
    assert (feature.title, feature.stage, feature.version) == (
        "Invoices in any currency",
        "candidate",
        2,
    )
    assert Feature.objects.count() == 1
