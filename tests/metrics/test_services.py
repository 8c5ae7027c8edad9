"""The writes of the metric catalog: the one bulk path of values (checked row by row,
all or nothing, one batch record), targets that may not overlap, who may write what,
and key results that follow a metric."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import ProtectedError

from pilothouse.core.errors import ConflictError
from pilothouse.core.models import ChangeAction, ChangeRecord
from pilothouse.core.roles import Role
from pilothouse.core.writes import RefusedRows
from pilothouse.metrics import services
from pilothouse.metrics.models import KeyResultMetric, Metric, MetricTarget, MetricValue
from pilothouse.metrics.services import UpsertResult, ValueRow
from tests.factories import KeyResultFactory, ObjectiveFactory
from tests.metrics.factories import MetricFactory, MetricTargetFactory, MetricValueFactory
from tests.web.helpers import count_queries

pytestmark = pytest.mark.django_db
MONDAY = dt.date(2026, 3, 2)


def weeks(n: int, first: dt.date = MONDAY, value: float = 1.0, dimension: str = ""):
    return [ValueRow(first + dt.timedelta(weeks=i), value + i, dimension) for i in range(n)]


def stored(metric: Metric) -> list[tuple]:
    return list(
        metric.values.order_by("dimension", "period_start").values_list(
            "dimension", "period_start", "value", "origin"
        )
    )


def records(model: str, action: str | None = None):
    found = ChangeRecord.objects.filter(content_type__model=model)
    return found.filter(action=action) if action else found


# --- metric_values_upsert ------------------------------------------------------------------------


def test_new_values_are_written_in_bulk_with_one_batch_record(leader):
    metric = MetricFactory(granularity="week")
    result = services.metric_values_upsert(
        actor=leader, metric=metric, rows=weeks(3) + weeks(2, dimension="web"), origin="import"
    )
    assert result == UpsertResult(created=5, updated=0, deleted=0, unchanged=0)
    assert result.written == 5
    assert len(stored(metric)) == 5
    assert {value.created_by for value in metric.values.all()} == {leader}
    [batch] = records("metricvalue").filter(object_id=0)
    assert batch.after["count"] == 5
    assert batch.actor == leader
    assert "(import)" in batch.object_repr
    # Each value's own history starts with the batch that made it.
    assert records("metricvalue").exclude(object_id=0).count() == 5


def test_a_second_write_updates_what_changed_and_leaves_the_rest(leader):
    metric = MetricFactory(granularity="week")
    services.metric_values_upsert(actor=leader, metric=metric, rows=weeks(3), origin="import")
    first = metric.values.get(period_start=MONDAY)
    rows = [ValueRow(MONDAY, 10.0), *weeks(2)[1:], ValueRow(MONDAY + dt.timedelta(weeks=5), 7.0)]
    result = services.metric_values_upsert(actor=leader, metric=metric, rows=rows, origin="import")
    assert result == UpsertResult(created=1, updated=1, deleted=0, unchanged=1)
    first.refresh_from_db()
    assert (first.value, first.version) == (10.0, 2)
    [update] = records("metricvalue", ChangeAction.UPDATE)
    assert (update.object_id, update.before, update.after) == (
        first.pk,
        {"value": 1.0},
        {"value": 10.0},
    )


def test_a_replaced_range_deletes_the_values_no_row_names(leader):
    metric = MetricFactory(granularity="week")
    services.metric_values_upsert(
        actor=leader, metric=metric, rows=weeks(6) + weeks(6, dimension="ios"), origin="sync"
    )
    window = (MONDAY + dt.timedelta(weeks=2), MONDAY + dt.timedelta(weeks=4))
    rows = [ValueRow(MONDAY + dt.timedelta(weeks=2), 3.0)]  # unchanged; weeks 3, 4 gone
    result = services.metric_values_upsert(
        actor=None, metric=metric, rows=rows, origin="sync", replace_range=window
    )
    assert result == UpsertResult(created=0, updated=0, deleted=5, unchanged=1)
    left = {(d, day) for d, day, _v, _o in stored(metric)}
    assert (("", MONDAY + dt.timedelta(weeks=3))) not in left
    assert ("ios", MONDAY + dt.timedelta(weeks=2)) not in left
    assert ("", MONDAY + dt.timedelta(weeks=5)) in left  # outside the range: kept
    assert len(left) == 7
    deleted = records("metricvalue", ChangeAction.DELETE)
    assert deleted.count() == 5
    assert all(record.actor is None and record.before["value"] for record in deleted)


def test_every_bad_row_is_named_and_nothing_is_written(leader):
    metric = MetricFactory(granularity="week")
    services.metric_values_upsert(actor=leader, metric=metric, rows=weeks(1), origin="import")
    before = (stored(metric), ChangeRecord.objects.count())
    rows = [
        ValueRow(MONDAY + dt.timedelta(weeks=1), 5.0),  # fine
        ValueRow(dt.date(2026, 3, 4), 5.0),  # a Wednesday
        ValueRow(MONDAY + dt.timedelta(weeks=2), float("nan")),
        ValueRow(MONDAY + dt.timedelta(weeks=3), "many"),  # type: ignore[arg-type]
        ValueRow(MONDAY + dt.timedelta(weeks=4), 1.0, "x" * 121),
        ValueRow(MONDAY + dt.timedelta(weeks=1), 6.0),  # repeats the first row
    ]
    with pytest.raises(RefusedRows) as refused:
        services.metric_values_upsert(actor=leader, metric=metric, rows=rows, origin="import")
    assert sorted(refused.value.errors) == [1, 2, 3, 4, 5]
    messages = refused.value.message_dict
    assert messages["rows[1].period_start"] == [
        "2026-03-04 is a Wednesday; a week starts on Monday (that week starts on 2026-03-02)."
    ]
    assert messages["rows[2].value"] == ["The value must be a finite number."]
    assert messages["rows[3].value"] == ["'many' is not a number."]
    assert messages["rows[4].dimension"] == ["At most 120 characters, not 121."]
    assert messages["rows[5].period_start"] == ["Row 6 repeats the period 2026-03-09 of row 1."]
    assert (stored(metric), ChangeRecord.objects.count()) == before


def test_months_start_on_the_first_and_days_any_day(leader):
    monthly = MetricFactory(granularity="month")
    with pytest.raises(RefusedRows, match="not the first day of a month"):
        services.metric_values_upsert(
            actor=leader, metric=monthly, rows=[ValueRow(dt.date(2026, 3, 2), 1.0)], origin="manual"
        )
    daily = MetricFactory(granularity="day")
    result = services.metric_values_upsert(
        actor=leader, metric=daily, rows=[ValueRow(dt.date(2026, 3, 4), 1.0)], origin="manual"
    )
    assert result.created == 1


def test_bad_arguments_are_refused_by_name(leader):
    metric = MetricFactory()
    with pytest.raises(ValidationError, match="'feed' is not one of manual, import, sync"):
        services.metric_values_upsert(actor=leader, metric=metric, rows=[], origin="feed")
    with pytest.raises(ValidationError, match="replace_range"):
        services.metric_values_upsert(
            actor=leader,
            metric=metric,
            rows=[],
            origin="sync",
            replace_range=(dt.date(2026, 2, 1), dt.date(2026, 1, 1)),
        )


def test_a_batch_costs_the_same_queries_whatever_its_size(leader):
    small, large = MetricFactory(granularity="week"), MetricFactory(granularity="week")
    few = count_queries(
        lambda: services.metric_values_upsert(
            actor=leader, metric=small, rows=weeks(5), origin="import"
        )
    )
    many = count_queries(
        lambda: services.metric_values_upsert(
            actor=leader, metric=large, rows=weeks(400), origin="import"
        )
    )
    assert few == many


def test_who_may_write_values(web_world):
    mine = MetricFactory(granularity="week")
    mine.products.add(web_world.mine.product)
    for user, allowed in [
        (web_world.admin, True),
        (web_world.leader, True),
        (web_world.pm, True),
        (web_world.other_pm, False),
        (web_world.contributor, False),
        (web_world.viewer, False),
    ]:
        if allowed:
            services.metric_values_upsert(actor=user, metric=mine, rows=weeks(1), origin="manual")
        else:
            with pytest.raises(PermissionDenied):
                services.metric_values_upsert(
                    actor=user, metric=mine, rows=weeks(1), origin="manual"
                )


def test_the_owner_of_a_metric_writes_its_values(make_user):
    owner = make_user(Role.PRODUCT_MANAGER)
    metric = MetricFactory(owner=owner, granularity="week")
    assert (
        services.metric_values_upsert(
            actor=owner, metric=metric, rows=weeks(2), origin="manual"
        ).created
        == 2
    )


# --- key results that follow a metric -----------------------------------------------------------


@pytest.fixture
def followed(leader):
    metric = MetricFactory(granularity="week", key="wau")
    objective = ObjectiveFactory(period="2026-Q1")
    result = KeyResultFactory(objective=objective, start_value=0, target_value=100, current_value=0)
    services.key_result_metric.create(
        actor=leader, data={"key_result": result, "metric": metric, "reading": "latest"}
    )
    return metric, result


def test_binding_a_key_result_reads_the_metric_at_once(leader):
    metric = MetricFactory(granularity="week")
    MetricValueFactory(metric=metric, period_start=MONDAY, value=42.0)
    result = KeyResultFactory(objective=ObjectiveFactory(period="2026-Q1"), current_value=0)
    services.key_result_metric.create(actor=leader, data={"key_result": result, "metric": metric})
    result.refresh_from_db()
    assert result.current_value == Decimal("42")


def test_new_values_update_the_key_results_that_follow_the_metric(leader, followed):
    metric, result = followed
    services.metric_values_upsert(
        actor=leader, metric=metric, rows=weeks(3, value=40), origin="import"
    )
    result.refresh_from_db()
    assert result.current_value == Decimal("42")  # the latest: 40 + 2
    [change] = records("keyresult", ChangeAction.UPDATE).filter(object_id=result.pk)
    assert change.actor is None  # the system, so the log says where the value came from
    assert change.after == {"current_value": "42.0000"}


def test_a_period_sum_reads_only_the_objectives_period(leader):
    metric = MetricFactory(granularity="week")
    result = KeyResultFactory(objective=ObjectiveFactory(period="2026-Q1"), current_value=0)
    services.key_result_metric.create(
        actor=leader, data={"key_result": result, "metric": metric, "reading": "period_sum"}
    )
    rows = [
        ValueRow(dt.date(2025, 12, 29), 1000.0),  # before the quarter
        ValueRow(dt.date(2026, 1, 5), 10.0),
        ValueRow(dt.date(2026, 3, 30), 5.0),
        ValueRow(dt.date(2026, 4, 6), 1000.0),  # after it
        ValueRow(dt.date(2026, 1, 5), 7.0, "web"),  # another dimension
    ]
    services.metric_values_upsert(actor=leader, metric=metric, rows=rows, origin="import")
    result.refresh_from_db()
    assert result.current_value == Decimal("15")


def test_single_value_writes_refresh_the_key_results_too(leader, followed):
    metric, result = followed
    value = services.metric_value.create(
        actor=leader, data={"metric": metric, "period_start": MONDAY, "value": 12.5}
    )
    result.refresh_from_db()
    assert result.current_value == Decimal("12.5")
    services.metric_value.update(actor=leader, instance=value, version=1, data={"value": 13.0})
    result.refresh_from_db()
    assert result.current_value == Decimal("13")
    with pytest.raises(ValidationError, match="a week starts on Monday"):
        services.metric_value.create(
            actor=leader, data={"metric": metric, "period_start": dt.date(2026, 3, 3), "value": 1}
        )


def test_a_key_result_that_cannot_hold_the_reading_keeps_its_value(leader, followed):
    metric, result = followed
    services.metric_values_upsert(
        actor=leader, metric=metric, rows=[ValueRow(MONDAY, 1e15)], origin="import"
    )
    result.refresh_from_db()
    assert result.current_value == Decimal("0")


def test_binding_needs_the_right_to_change_the_key_result(web_world):
    metric = MetricFactory()
    data = {"key_result": web_world.theirs.key_result, "metric": metric}
    with pytest.raises(PermissionDenied):
        services.key_result_metric.create(actor=web_world.pm, data=data)
    link = services.key_result_metric.create(
        actor=web_world.pm, data={**data, "key_result": web_world.mine.key_result}
    )
    assert KeyResultMetric.objects.get() == link


# --- metrics and targets ------------------------------------------------------------------------


def test_a_product_manager_adds_metrics_to_the_products_they_look_after(web_world):
    data = {"key": "orders", "name": "Orders"}
    made = services.metric.create(
        actor=web_world.pm, data=data, m2m={"products": [web_world.mine.product]}
    )
    assert list(made.products.all()) == [web_world.mine.product]
    with pytest.raises(PermissionDenied, match="you do not look after it"):
        services.metric.create(
            actor=web_world.pm,
            data={"key": "refunds", "name": "Refunds"},
            m2m={"products": [web_world.theirs.product]},
        )
    with pytest.raises(PermissionDenied):
        services.metric.update(
            actor=web_world.pm,
            instance=made,
            version=1,
            data={},
            m2m={"products": [web_world.mine.product, web_world.theirs.product]},
        )
    for user in (web_world.contributor, web_world.viewer):
        with pytest.raises(PermissionDenied):
            services.metric.create(actor=user, data={"key": "x", "name": "X"})
    assert Metric.objects.count() == 1


def test_keys_that_name_the_catalogs_pages_are_refused(leader):
    with pytest.raises(ValidationError, match="names a page of the catalog"):
        services.metric.create(actor=leader, data={"key": "dashboard", "name": "Dashboard"})


def test_the_granularity_is_fixed_once_there_are_values(leader):
    metric = MetricFactory(granularity="day")
    MetricValueFactory(metric=metric)
    with pytest.raises(ValidationError, match="delete them before changing its granularity"):
        services.metric.update(
            actor=leader, instance=metric, version=1, data={"granularity": "week"}
        )
    empty = MetricFactory(granularity="day")
    assert (
        services.metric.update(
            actor=leader, instance=empty, version=1, data={"granularity": "week"}
        ).granularity
        == "week"
    )


def test_a_metric_with_a_query_needs_its_source(leader):
    with pytest.raises(ValidationError) as refused:
        services.metric.create(actor=leader, data={"key": "q", "name": "Q", "query": "select 1"})
    assert refused.value.message_dict == {"source": ["Choose the data source the query runs on."]}


def test_targets_may_not_overlap(leader):
    metric = MetricFactory()
    MetricTargetFactory(metric=metric, start=dt.date(2026, 1, 1), end=dt.date(2026, 3, 31))
    with pytest.raises(ValidationError) as refused:
        services.metric_target.create(
            actor=leader,
            data={
                "metric": metric,
                "start": dt.date(2026, 3, 31),
                "end": dt.date(2026, 6, 30),
                "value": 5,
            },
        )
    assert refused.value.message_dict["start"] == [
        "The target 2026-01-01 to 2026-03-31 (100 by 2026-03-31) overlaps this one; a "
        "metric's targets may not overlap."
    ]
    after = services.metric_target.create(
        actor=leader,
        data={
            "metric": metric,
            "start": dt.date(2026, 4, 1),
            "end": dt.date(2026, 6, 30),
            "value": 5,
        },
    )
    # Moving a target onto itself is not an overlap; onto another one is.
    services.metric_target.update(actor=leader, instance=after, version=1, data={"value": 6})
    with pytest.raises(ValidationError, match="overlaps this one"):
        services.metric_target.update(
            actor=leader, instance=after, version=2, data={"start": dt.date(2026, 3, 1)}
        )
    # Another metric's targets are no concern.
    services.metric_target.create(
        actor=leader,
        data={
            "metric": MetricFactory(),
            "start": dt.date(2026, 1, 1),
            "end": dt.date(2026, 3, 31),
            "value": 1,
        },
    )
    assert MetricTarget.objects.count() == 3


def test_a_target_ending_before_it_starts_is_refused(leader):
    with pytest.raises(ValidationError, match="The end is before the start"):
        services.metric_target.create(
            actor=leader,
            data={
                "metric": MetricFactory(),
                "start": dt.date(2026, 2, 1),
                "end": dt.date(2026, 1, 1),
                "value": 1,
            },
        )


def test_product_managers_set_targets_of_their_metrics_only(web_world):
    mine, theirs = MetricFactory(), MetricFactory()
    mine.products.add(web_world.mine.product)
    theirs.products.add(web_world.theirs.product)
    span = {"start": dt.date(2026, 1, 1), "end": dt.date(2026, 3, 31), "value": 1}
    services.metric_target.create(actor=web_world.pm, data={"metric": mine, **span})
    with pytest.raises(PermissionDenied):
        services.metric_target.create(actor=web_world.pm, data={"metric": theirs, **span})


def test_deleting_a_metric_followed_by_a_key_result_is_refused(leader, followed):
    metric, _result = followed
    services.metric_values_upsert(actor=leader, metric=metric, rows=weeks(2), origin="import")
    with pytest.raises(ProtectedError):
        services.metric.delete(actor=leader, instance=metric)
    assert MetricValue.objects.filter(metric=metric).count() == 2  # kept
    assert Metric.objects.filter(pk=metric.pk).exists()


def test_deleting_a_metric_takes_its_values_with_it_in_bulk(leader):
    metric = MetricFactory(granularity="week")
    services.metric_values_upsert(actor=leader, metric=metric, rows=weeks(300), origin="import")
    MetricTargetFactory(metric=metric)
    queries = count_queries(
        lambda: services.metric.delete(actor=leader, instance=metric, version=1)
    )
    assert queries < 30
    assert not MetricValue.objects.exists()
    assert records("metricvalue", ChangeAction.DELETE).count() == 300
    assert records("metrictarget", ChangeAction.DELETE).count() == 1
    assert records("metric", ChangeAction.DELETE).count() == 1


def test_a_stale_or_refused_deletion_keeps_the_values(leader, viewer):
    metric = MetricFactory(granularity="week")
    services.metric_values_upsert(actor=leader, metric=metric, rows=weeks(3), origin="import")
    with pytest.raises(PermissionDenied):
        services.metric.delete(actor=viewer, instance=metric)
    with pytest.raises(ConflictError):
        services.metric.delete(actor=leader, instance=metric, version=7)
    assert metric.values.count() == 3
