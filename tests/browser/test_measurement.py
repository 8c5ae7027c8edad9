"""A product leader enters a metric's value on its page and sees it on the KPI
dashboard, then reads a running experiment whose users split off plan: the sample
ratio mismatch is flagged before any result is read."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from pilothouse.core.roles import Role
from pilothouse.metrics.models import MetricValue
from tests.experiments import builders
from tests.factories import ProductFactory, UserFactory
from tests.metrics.factories import MetricFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_enter_a_value_see_the_dashboard_and_an_srm_warning(page, log_in):
    leader = UserFactory(username="lena", role=Role.PRODUCT_LEADER, first_name="Lena")
    product = ProductFactory(name="Ledger", key="LDG", owner=leader)
    metric = MetricFactory(key="signups", name="Weekly sign-ups", kind="north_star")
    metric.products.add(product)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    log_in(leader.username)

    page.goto(f"/metrics/{metric.key}/")
    form = page.get_by_role("form", name="Enter values")
    form.get_by_label("Period start").fill(yesterday.isoformat())
    form.get_by_label("Value").fill("1234")
    form.get_by_role("button", name="Save values").click()
    page.get_by_role("heading", name="Values").wait_for()
    assert MetricValue.objects.get(metric=metric).value == 1234.0
    values = page.get_by_role("table", name="Values, newest first")
    assert "1,234" in values.inner_text().replace("\u202f", ",")

    page.goto("/metrics/dashboard/")
    assert page.get_by_role("link", name="Weekly sign-ups").count() >= 1
    assert page.locator("svg").count() >= 1  # its small chart, drawn on the server

    experiment = builders.running_experiment(product, name="One-page checkout", srm=True)
    page.goto(f"/experiments/{experiment.pk}/")
    alert = page.locator("#srm")
    alert.wait_for()
    assert "Sample ratio mismatch" in alert.inner_text()
    assert "52000" in alert.inner_text().replace(",", "")
