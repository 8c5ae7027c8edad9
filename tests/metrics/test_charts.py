"""The metric charts' drawing: long series thinned for the page (peaks kept, exports
whole), many small charts drawn in one renderer call and cut into one SVG each, and the
monthly ticks of a key result's progress chart."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from unittest import mock

import pytest
from django.urls import reverse

from pilothouse.metrics import charts
from tests.metrics.conftest import daily_values
from tests.metrics.factories import MetricFactory

SVG = "{http://www.w3.org/2000/svg}"
START = dt.date(2024, 1, 1)


def days(values: list[float]) -> list[tuple[dt.date, float]]:
    return [(START + dt.timedelta(days=i), value) for i, value in enumerate(values)]


def line_path(drawn: str) -> str:
    """The `d` of the line mark of a drawn chart."""
    root = ET.fromstring(str(drawn))
    paths = [
        element.get("d")
        for element in root.iter(f"{SVG}path")
        if element.get("aria-roledescription") == "line mark"
    ]
    assert len(paths) == 1
    return paths[0]


# --- thinning ----------------------------------------------------------------------------------


def test_a_short_series_is_kept_whole():
    pairs = days([1.0, 5.0, 2.0])
    assert charts.thin(pairs, limit=10, value=lambda pair: pair[1]) == pairs


def test_a_long_series_keeps_its_ends_its_peaks_and_its_order():
    values = [float(i % 10) for i in range(1000)]
    values[517] = 999.0  # a spike
    values[733] = -50.0  # a dip
    pairs = days(values)
    kept = charts.thin(pairs, limit=100, value=lambda pair: pair[1])
    assert len(kept) <= 100
    assert kept[0] == pairs[0]
    assert kept[-1] == pairs[-1]
    assert (START + dt.timedelta(days=517), 999.0) in kept
    assert (START + dt.timedelta(days=733), -50.0) in kept
    assert [day for day, _ in kept] == sorted({day for day, _ in kept})
    assert set(kept) <= set(pairs)


def test_a_small_chart_draws_no_more_points_than_its_width_holds():
    spec = charts.spark_spec(days([float(i) for i in range(400)]), status="on_track", width=220)
    shown = spec["data"]["values"]
    assert len(shown) <= charts.max_points(220) == 55
    assert shown[0] == {"d": "2024-01-01", "v": 0.0}
    assert shown[-1]["v"] == 399.0


# --- many small charts in one call ---------------------------------------------------------------


def test_many_charts_are_drawn_in_one_call_and_cut_in_order():
    series = [days([1.0, 2.0, 3.0]), days([3.0, 2.0, 1.0]), days([1.0, 3.0, 1.0])]
    statuses = ["on_track", "off_track", "no_target"]
    specs = [charts.spark_spec(s, status=st) for s, st in zip(series, statuses, strict=True)]
    with mock.patch.object(charts, "render", wraps=charts.render) as render:
        drawn = charts.svgs(specs)
    assert render.call_count == 1
    assert len(drawn) == 3
    alone = [charts.svg(spec) for spec in specs]
    for piece, single, status in zip(drawn, alone, statuses, strict=True):
        root = ET.fromstring(str(piece))
        assert root.tag == f"{SVG}svg"
        assert root.get("width") == ET.fromstring(str(single)).get("width")
        # The same line, in the same place, in the chart's own colour.
        assert line_path(piece) == line_path(single)
        assert charts.STATUS_COLOURS[status] in str(piece)
        assert str(piece).count("concat_") == 2  # its own group only (group and marks)


def test_one_chart_is_drawn_alone():
    spec = charts.spark_spec(days([1.0, 2.0]), status="on_track")
    assert charts.svgs([spec]) == [charts.svg(spec)]
    assert charts.svgs([]) == []


# --- on the pages -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_dashboard_draws_its_small_charts_in_one_call(as_user, catalog, today):
    with mock.patch.object(charts, "render", wraps=charts.render) as render:
        response = as_user(catalog.world.viewer).get(reverse("metrics:dashboard"))
    assert response.status_code == 200
    assert render.call_count == 1
    cards = response.context["north_cards"] + response.context["cards"]
    assert len(cards) == 3
    assert response.content.decode().count("<svg") == 3


@pytest.mark.django_db
def test_the_metric_page_thins_its_chart_but_the_export_keeps_every_value(
    as_user, web_world, today
):
    metric = MetricFactory(key="busy", granularity="day")
    daily_values(metric, days=3 * 365)
    client = as_user(web_world.viewer)
    url = reverse("metrics:metric_detail", args=[metric.key])
    page = client.get(url, {"range": "3y"})
    assert page.status_code == 200
    shown = page.context["detail"].series
    assert len(shown) == 3 * 365
    exported = client.get(
        reverse("metrics:chart_export", args=[metric.key, "json"]), {"range": "3y"}
    ).json()
    line = next(layer for layer in exported["layer"] if layer["mark"]["type"] == "line")
    assert len(line["data"]["values"]) == 3 * 365
    thinned = charts.series_spec(page.context["detail"], thinned=True)
    line = next(layer for layer in thinned["layer"] if layer["mark"]["type"] == "line")
    assert len(line["data"]["values"]) <= charts.max_points(charts.WIDTH)


def test_a_quarters_progress_chart_has_a_tick_a_month():
    link = mock.Mock()
    link.key_result.title = "Reach 100"
    history = charts.KeyResultHistory(
        link, dt.date(2026, 1, 1), dt.date(2026, 3, 31), [], [(dt.date(2026, 1, 5), 0.2)]
    )
    spec = charts.progress_spec(history)
    axis = spec["layer"][1]["encoding"]["x"]["axis"]
    assert axis == {"tickCount": {"interval": "month", "step": 1}}
    texts = [t.text for t in ET.fromstring(str(charts.svg(spec))).iter(f"{SVG}text")]
    assert {"2026", "February", "March"} <= set(texts)  # a year's first month shows its year
    assert not [
        text for text in texts if text and text[:3] in {"Jan", "Feb", "Mar"} and " " in text
    ]


def test_an_unexpected_layout_falls_back_to_one_call_per_chart():
    specs = [charts.spark_spec(days([1.0, 2.0]), status="on_track")] * 2
    with mock.patch.object(charts, "_cut", side_effect=ValueError("other layout")):
        drawn = charts.svgs(specs)
    assert drawn == [charts.svg(spec) for spec in specs]
