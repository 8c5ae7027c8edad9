"""Marks on a metric's chart from the apps above the catalog (metrics.annotations): the
registry itself, and the experiments that measured a metric (experiments.annotations)
on the metric's page: its chart, the list under it, its exports and its query count."""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.urls import reverse

from pilothouse.experiments.models import (
    Decision,
    Experiment,
    ExperimentMetric,
    ExperimentStatus,
    Variant,
)
from pilothouse.metrics import annotations, charts, selectors
from pilothouse.metrics.annotations import Annotation
from tests.metrics.conftest import TODAY, daily_values
from tests.metrics.factories import MetricFactory
from tests.web.helpers import count_queries

SVG = "{http://www.w3.org/2000/svg}"


def detail_url(metric) -> str:
    return reverse("metrics:metric_detail", args=[metric.key])


def experiment_on(
    metric,
    product,
    *,
    name: str,
    status: str = ExperimentStatus.RUNNING,
    start: dt.date | None = dt.date(2026, 3, 2),
    end: dt.date | None = None,
    role: str = "primary",
    decision: str = "",
) -> Experiment:
    experiment = Experiment.objects.create(
        name=name,
        hypothesis="We believe a shorter form converts more visitors.",
        product=product,
        status=status,
        start_date=start,
        end_date=end,
        decision=decision,
    )
    ExperimentMetric.objects.create(experiment=experiment, metric=metric, role=role)
    return experiment


def decided_to_ship(metric, product, *, name: str) -> Experiment:
    experiment = experiment_on(
        metric,
        product,
        name=name,
        status=ExperimentStatus.DECIDED,
        start=dt.date(2026, 1, 5),
        end=dt.date(2026, 2, 1),
        decision=Decision.SHIP,
    )
    for position, variant in enumerate(("Control", "Short form")):
        Variant.objects.create(
            experiment=experiment, name=variant, position=position, weight=Decimal("0.5")
        )
    experiment.winner = experiment.variants.get(position=1)
    experiment.save()
    return experiment


def span_rows(spec: dict) -> list[dict]:
    """The rows of the chart's shaded spans (rect layers whose colour names a kind)."""
    return [
        row
        for layer in spec["layer"]
        if layer["mark"]["type"] == "rect" and "x2" in layer["encoding"]
        if layer["encoding"].get("color", {}).get("field") == "kind"
        for row in layer["data"]["values"]
    ]


@pytest.fixture
def no_providers(monkeypatch):
    """The registry as if no app above the catalog were installed."""
    monkeypatch.setattr(annotations, "_kinds", {})


@pytest.fixture
def own_registry(monkeypatch):
    """A registry of the test's own, the installed providers left as they were."""
    monkeypatch.setattr(annotations, "_kinds", {})
    return annotations


# --- the registry ---------------------------------------------------------------------------


def test_each_provider_is_asked_once_for_all_metrics_and_empty_kinds_are_left_out(own_registry):
    calls = []

    def launches(*, metric_ids, first, last, today):
        calls.append((list(metric_ids), first, last, today))
        return {1: [Annotation(dt.date(2026, 3, 1), "Launch")], 3: [], 99: [Annotation(first, "?")]}

    own_registry.register(launches, key="launches", title="Launches", legend="Launch")
    own_registry.register(lambda **_: {}, key="quiet", title="Quiet", legend="Quiet", order=1)
    found = own_registry.collect(
        metric_ids=[1, 2, 3], first=dt.date(2026, 1, 1), last=TODAY, today=TODAY
    )
    assert calls == [([1, 2, 3], dt.date(2026, 1, 1), TODAY, TODAY)]
    assert [(g.key, g.title, g.legend) for g in found[1]] == [("launches", "Launches", "Launch")]
    assert [mark.label for mark in found[1][0].items] == ["Launch"]
    assert found[2] == found[3] == []
    assert 99 not in found  # a metric nobody asked about is dropped
    assert [kind.key for kind in own_registry.registered()] == ["quiet", "launches"]


def test_registering_a_key_again_replaces_it_and_no_range_asks_nobody(own_registry):
    def boom(**_):
        raise AssertionError("asked without a range")

    own_registry.register(boom, key="k", title="K", legend="K")
    assert own_registry.collect(metric_ids=[1], first=None, last=None, today=TODAY) == {1: []}
    own_registry.register(lambda **_: {1: [Annotation(TODAY, "x")]}, key="k", title="K", legend="K")
    assert len(own_registry.registered()) == 1
    assert len(own_registry.collect(metric_ids=[1], first=TODAY, last=TODAY, today=TODAY)[1]) == 1
    own_registry.unregister("k")
    assert own_registry.registered() == []


def test_the_experiments_app_registers_its_provider():
    assert "experiments" in [kind.key for kind in annotations.registered()]


def test_the_metric_page_works_with_no_provider_registered(as_user, catalog, today, no_providers):
    experiment_on(catalog.mine, catalog.world.mine.product, name="Unseen")
    response = as_user(catalog.world.viewer).get(detail_url(catalog.mine))
    assert response.status_code == 200
    assert response.context["detail"].annotations == []
    assert "Unseen" not in response.content.decode()
    assert span_rows(charts.series_spec(response.context["detail"])) == []


# --- experiments on the metric's page -----------------------------------------------------------


@pytest.mark.django_db
def test_an_experiment_shows_on_its_metrics_chart_and_in_the_list(as_user, catalog, today):
    product = catalog.world.mine.product
    running = experiment_on(catalog.mine, product, name="Shorter signup form")
    shipped = decided_to_ship(catalog.mine, product, name="One-page checkout")
    elsewhere = experiment_on(catalog.theirs, catalog.world.theirs.product, name="Churn survey")
    response = as_user(catalog.world.viewer).get(detail_url(catalog.mine))
    (group,) = response.context["detail"].annotations
    assert (group.key, group.title) == ("experiments", "Experiments")
    marks = {mark.label: mark for mark in group.items}
    assert set(marks) == {"Shorter signup form", "One-page checkout"}
    # running: from its start to today; decided: to its end, with the decision
    assert (marks["Shorter signup form"].day, marks["Shorter signup form"].end) == (
        dt.date(2026, 3, 2),
        TODAY,
    )
    assert marks["Shorter signup form"].note == "Running · primary metric"
    assert marks["One-page checkout"].outcome == "Ship Short form"
    assert marks["One-page checkout"].end == dt.date(2026, 2, 1)

    spec = charts.series_spec(response.context["detail"], thinned=True)
    rows = {row["name"]: row for row in span_rows(spec)}
    assert set(rows) == {"Shorter signup form", "One-page checkout"}
    assert rows["One-page checkout"]["label"] == "One-page checkout · Ship Short form"
    assert (rows["One-page checkout"]["start"], rows["One-page checkout"]["end"]) == (
        "2026-01-05",
        "2026-02-02",
    )
    assert rows["Shorter signup form"]["end"] == TODAY.isoformat()  # within the chart
    assert rows["Shorter signup form"]["kind"] == "Experiment"
    legend = next(layer for layer in spec["layer"] if "color" in layer["encoding"])
    assert legend["encoding"]["color"]["scale"]["domain"] == ["Experiment"]

    html = response.content.decode()
    for experiment in (running, shipped):
        url = reverse("experiments:experiment_detail", args=[experiment.pk])
        assert f'<a href="{url}">{experiment.name}</a>' in html
    assert "Decided: Ship Short form · primary metric" in html
    assert "Churn survey" not in html
    assert reverse("experiments:experiment_detail", args=[elsewhere.pk]) not in html


@pytest.mark.django_db
def test_only_started_experiments_within_the_range_are_shown(as_user, catalog, today):
    product = catalog.world.mine.product
    experiment_on(catalog.mine, product, name="A draft", status=ExperimentStatus.DRAFT)
    experiment_on(
        catalog.mine,
        product,
        name="Long ago",
        status=ExperimentStatus.STOPPED,
        start=dt.date(2024, 1, 1),
        end=dt.date(2024, 2, 1),
    )
    experiment_on(
        catalog.mine,
        product,
        name="Stopped, undecided",
        status=ExperimentStatus.STOPPED,
        start=dt.date(2025, 11, 3),
        end=dt.date(2025, 12, 1),
        role="guardrail",
    )
    browser = as_user(catalog.world.viewer)
    (group,) = browser.get(detail_url(catalog.mine)).context["detail"].annotations
    assert [(mark.label, mark.note) for mark in group.items] == [
        ("Stopped, undecided", "Stopped, not decided yet · guardrail metric")
    ]
    # the last 3 months, or all values (from 16 January), leave it out: then the kind
    # is not shown at all
    for choice in ("3m", "all"):
        shown = browser.get(detail_url(catalog.mine), {"range": choice}).context["detail"]
        assert shown.first > dt.date(2025, 12, 1)
        assert shown.annotations == []


@pytest.mark.django_db
def test_a_span_starting_before_the_chart_is_cut_at_its_edge_and_labelled_inside(catalog, today):
    experiment_on(
        catalog.mine,
        catalog.world.mine.product,
        name="Pricing page copy",
        status=ExperimentStatus.STOPPED,
        start=dt.date(2025, 1, 6),
        end=dt.date(2025, 4, 30),
    )
    experiment_on(catalog.mine, catalog.world.mine.product, name="Late one")
    detail = selectors.metric_detail(metric=catalog.mine, today=TODAY)
    spec = charts.series_spec(detail)
    rows = {row["name"]: row for row in span_rows(spec)}
    assert rows["Pricing page copy"]["start"] == detail.first.isoformat()
    assert rows["Pricing page copy"]["align"] == "left"
    assert rows["Late one"]["align"] == "right"  # in the chart's last quarter
    texts = [layer for layer in spec["layer"] if layer["mark"]["type"] == "text"]
    anchors = {layer["mark"]["align"]: layer["encoding"]["x"]["field"] for layer in texts}
    assert anchors == {"left": "start", "right": "end"}


def test_overlapping_spans_are_labelled_on_separate_rows():
    day = dt.date(2026, 1, 1)
    spans = [
        (day, day + dt.timedelta(days=30)),
        (day + dt.timedelta(days=10), day + dt.timedelta(days=20)),
        (day + dt.timedelta(days=25), day + dt.timedelta(days=40)),  # the second row is free
        (day + dt.timedelta(days=50), day + dt.timedelta(days=60)),
    ]
    assert charts._label_rows(spans) == [0, 1, 1, 0]


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["svg", "json"])
def test_the_exported_chart_shows_the_experiments(as_user, catalog, today, fmt):
    experiment_on(catalog.mine, catalog.world.mine.product, name="Shorter signup form")
    response = as_user(catalog.world.viewer).get(
        reverse("metrics:chart_export", args=[catalog.mine.key, fmt])
    )
    assert response.status_code == 200
    if fmt == "json":
        spec = json.loads(response.content)
        assert [row["name"] for row in span_rows(spec)] == ["Shorter signup form"]
        return
    root = ET.fromstring(response.content)
    texts = {element.text for element in root.iter(f"{SVG}text")}
    assert "Shorter signup form" in texts  # its label
    assert "Experiment" in texts  # the legend


@pytest.mark.django_db
def test_the_metric_page_costs_the_same_queries_for_1_and_5_experiments(as_user, catalog, today):
    product = catalog.world.mine.product
    client = as_user(catalog.world.pm)
    url = detail_url(catalog.mine)
    experiment_on(catalog.mine, product, name="Experiment 0")
    client.get(url)  # fills the process-wide caches
    one = count_queries(lambda: client.get(url))
    for n in range(1, 5):
        decided_to_ship(catalog.mine, product, name=f"Experiment {n}")
    response = client.get(url)
    assert len(response.context["detail"].annotations[0].items) == 5
    assert count_queries(lambda: client.get(url)) == one


@pytest.mark.django_db
def test_experiments_cost_the_metric_page_one_query(as_user, catalog, today, monkeypatch):
    experiment_on(catalog.mine, catalog.world.mine.product, name="Shorter signup form")
    client = as_user(catalog.world.pm)
    url = detail_url(catalog.mine)
    client.get(url)
    with_experiments = count_queries(lambda: client.get(url))
    monkeypatch.setattr(annotations, "_kinds", {})
    assert count_queries(lambda: client.get(url)) == with_experiments - 1


@pytest.mark.django_db
def test_a_metric_without_values_asks_no_provider(as_user, web_world, today):
    metric = MetricFactory(key="empty")
    experiment_on(metric, web_world.mine.product, name="Too early")
    detail = as_user(web_world.viewer).get(detail_url(metric)).context["detail"]
    assert detail.annotations == []
    daily_values(metric, days=30)
    detail = as_user(web_world.viewer).get(detail_url(metric)).context["detail"]
    assert [mark.label for mark in detail.annotations[0].items] == ["Too early"]
