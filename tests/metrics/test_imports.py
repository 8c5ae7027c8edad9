"""Importing metric values from CSV and XLSX files: columns found by name and alias or
mapped, a dry run, all or nothing, refused rows named by line and field (an unknown
metric, a misaligned period, a value that is not a number, the same period twice), the
values written through the one bulk path, and the API endpoint with its permission."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import Workbook

from pilothouse.core.imports import MappingError
from pilothouse.core.models import ChangeRecord
from pilothouse.metrics.imports import import_values
from pilothouse.metrics.models import MetricValue
from tests.api.helpers import assert_error
from tests.metrics.factories import MetricFactory

pytestmark = pytest.mark.django_db

FILE = (
    "Metric,Week,Value,Platform,Comment\n"
    "wau,2026-03-02,100,,first\n"
    "wau,2026-03-09,110,,\n"
    "wau,2026-03-09,60,web,\n"
    "nps,2026-03-01,31.5,,monthly\n"
)


@pytest.fixture
def metrics():
    return {
        "wau": MetricFactory(key="wau", granularity="week"),
        "nps": MetricFactory(key="nps", granularity="month", aggregation="mean"),
    }


def values():
    return sorted(
        MetricValue.objects.values_list(
            "metric__key", "period_start", "dimension", "value", "origin"
        )
    )


def test_a_file_of_several_metrics_is_imported_with_its_columns_found_by_alias(metrics, leader):
    result = import_values(source=FILE.encode(), filename="values.csv", actor=leader)
    assert result.report.committed
    assert result.mapping == {
        "metric": "Metric",
        "period_start": "Week",
        "value": "Value",
        "dimension": "Platform",
    }
    assert result.ignored_columns == ["Comment"]
    assert result.report.counts["created"] == 4
    assert values() == [
        ("nps", dt.date(2026, 3, 1), "", 31.5, "import"),
        ("wau", dt.date(2026, 3, 2), "", 100.0, "import"),
        ("wau", dt.date(2026, 3, 9), "", 110.0, "import"),
        ("wau", dt.date(2026, 3, 9), "web", 60.0, "import"),
    ]
    # One batch per metric in the change log.
    assert ChangeRecord.objects.filter(content_type__model="metricvalue", object_id=0).count() == 2


def test_importing_again_updates_what_changed(metrics, leader):
    import_values(source=FILE.encode(), filename="values.csv", actor=leader)
    changed = FILE.replace("wau,2026-03-09,110", "wau,2026-03-09,115")
    result = import_values(source=changed.encode(), filename="values.csv", actor=leader)
    assert {k: v for k, v in result.report.counts.items() if v} == {"unchanged": 3, "updated": 1}
    assert (
        MetricValue.objects.get(
            metric__key="wau", dimension="", period_start=dt.date(2026, 3, 9)
        ).value
        == 115
    )


def test_a_dry_run_reports_and_saves_nothing(metrics, leader):
    result = import_values(source=FILE.encode(), filename="values.csv", actor=leader, dry_run=True)
    assert result.report.counts["created"] == 4
    assert not result.report.committed
    assert not MetricValue.objects.exists()


def test_refused_rows_are_named_by_line_and_field_and_nothing_is_saved(metrics, leader):
    bad = FILE + (
        "visits,2026-03-02,5,,\n"  # line 6: no such metric
        "wau,2026-03-04,5,,\n"  # line 7: a Wednesday
        "wau,2026-03-16,lots,,\n"  # line 8: not a number
        "wau,2026-03-02,101,,\n"  # line 9: line 2 again
        "nps,2026-03-15,30,,\n"  # line 10: not the 1st
    )
    before = ChangeRecord.objects.count()
    result = import_values(source=bad.encode(), filename="values.csv", actor=leader)
    report = result.report
    assert not report.committed
    assert [(e.line, e.field) for e in report.errors] == [
        (6, "metric"),
        (7, "period_start"),
        (8, "value"),
        (9, "period_start"),
        (10, "period_start"),
    ]
    messages = {e.line: e.message for e in report.errors}
    assert messages[6] == "There is no metric with the key 'visits'."
    assert "a week starts on Monday" in messages[7]
    assert messages[9] == "'wau' has the period 2026-03-02 on line 2 and on line 9; keep one."
    assert "not the first day of a month" in messages[10]
    assert "'nps' is by month" in messages[10]
    assert not MetricValue.objects.exists()
    assert ChangeRecord.objects.count() == before


def test_keeping_the_good_rows(metrics, leader):
    bad = FILE + "visits,2026-03-02,5,,\n"
    result = import_values(source=bad.encode(), filename="values.csv", actor=leader, partial=True)
    assert result.report.committed
    assert result.report.failed == 1
    assert len(values()) == 4


def test_columns_named_otherwise_are_mapped(metrics, leader):
    text = "kpi_name;starting;amount\nwau;2026-03-02;7\n"
    with pytest.raises(MappingError, match="no column for the required field 'metric'"):
        import_values(source=text.encode(), filename="v.csv", actor=leader)
    result = import_values(
        source=text.encode(),
        filename="v.csv",
        actor=leader,
        mapping={"metric": "kpi_name", "period_start": "starting", "value": "amount"},
    )
    assert result.report.committed
    assert values() == [("wau", dt.date(2026, 3, 2), "", 7.0, "import")]


def test_an_xlsx_file_with_real_dates(metrics, leader):
    book = Workbook()
    sheet = book.active
    sheet.append(["metric", "period_start", "value", "dimension"])
    sheet.append(["wau", dt.datetime(2026, 3, 2), 12, "ios"])
    sheet.append(["nps", dt.date(2026, 3, 1), -4.5, None])
    buffer = io.BytesIO()
    book.save(buffer)
    result = import_values(source=buffer.getvalue(), filename="values.xlsx", actor=leader)
    assert result.report.committed, result.report.errors
    assert values() == [
        ("nps", dt.date(2026, 3, 1), "", -4.5, "import"),
        ("wau", dt.date(2026, 3, 2), "ios", 12.0, "import"),
    ]


def test_a_product_manager_imports_only_the_metrics_they_look_after(web_world):
    mine = MetricFactory(key="mine", granularity="week")
    mine.products.add(web_world.mine.product)
    theirs = MetricFactory(key="theirs", granularity="week")
    theirs.products.add(web_world.theirs.product)
    text = "metric,period_start,value\nmine,2026-03-02,1\ntheirs,2026-03-02,2\n"
    result = import_values(source=text.encode(), filename="v.csv", actor=web_world.pm)
    assert [(e.line, e.message) for e in result.report.errors] == [
        (3, "You may not change the values of the metric 'theirs'.")
    ]
    assert not MetricValue.objects.exists()


def test_the_api_imports_and_refuses(metrics, api_as, leader, viewer):
    url = "/api/v1/metric-values/import"

    def upload(user, body=FILE, **fields):
        data = {"file": SimpleUploadedFile("values.csv", body.encode()), **fields}
        return api_as(user).client.post(url, data)

    # A viewer may change no metric: each row is refused, nothing saved.
    refused = assert_error(upload(viewer), 422, "lines.2")
    assert "nothing was saved" in refused["detail"]
    dry = upload(leader, dry_run="true")
    assert dry.status_code == 200, dry.content
    assert dry.json()["counts"]["created"] == 4
    assert not MetricValue.objects.exists()
    assert upload(leader).status_code == 200
    assert MetricValue.objects.filter(created_by=leader).count() == 4
    assert_error(
        upload(leader, body="metric,period_start,value\nwau,2026-03-03,1\n"),
        422,
        "lines.2.period_start",
    )
    assert_error(upload(leader, body="Owner\nada\n"), 422, "mapping")
    anonymous = SimpleUploadedFile("values.csv", FILE.encode())
    assert Client().post(url, {"file": anonymous}).status_code == 401
