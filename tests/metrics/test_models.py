"""MetricValue's short way through the field checks (clean_fields, called for every value
of a bulk write): it must say exactly what the long way (VersionedModel.clean_fields:
Django's checks and no NUL character) says, and leave the object as the long way does,
whatever the values and the fields left out."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pilothouse.core.models import VersionedModel
from pilothouse.metrics import models as metric_models
from pilothouse.metrics.models import MetricValue, ValueOrigin
from tests.metrics.factories import MetricFactory

pytestmark = [
    pytest.mark.django_db,
    # odd values on purpose: a date where a moment is expected makes Django warn
    pytest.mark.filterwarnings("ignore:DateTimeField MetricValue:RuntimeWarning"),
]

FIELDS = [field.name for field in MetricValue._meta.fields]
texts = st.text(alphabet=st.characters(codec="utf-8") | st.just("\x00"), max_size=125)
# What a batch of values holds: mostly these...
PLAIN = {
    "id": st.none() | st.integers(1, 2**62),
    "created_at": st.none() | st.datetimes(timezones=st.just(dt.UTC)),
    "updated_at": st.none() | st.datetimes(timezones=st.just(dt.UTC)),
    "version": st.integers(1, 10**6),
    "period_start": st.dates(),
    "dimension": st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00")),
    "value": st.floats(),
    "origin": st.sampled_from([*ValueOrigin.values, *ValueOrigin]),
}
# ...and now and then one of these.
ODD = {
    "id": st.sampled_from([0, -1, -(2**63), 2**63 - 1, 2**63, -(2**63) - 1, "12", 1.0]),
    "created_at": st.dates() | texts,
    "updated_at": st.datetimes() | st.just("2026-03-16 10:00"),
    "version": st.sampled_from([-1, 0, 2**31 - 1, 2**31, 2**63, True, "2", None]),
    "period_start": st.datetimes() | st.just("2026-03-16") | texts | st.none(),
    "dimension": st.sampled_from(["web\x00", "\x00", "x" * 121, "é" * 120, 5, None]) | texts,
    "value": st.integers(-(10**20), 10**20) | st.decimals() | texts | st.none(),
    "origin": st.sampled_from(["", "bogus", "sync\x00"]) | st.integers(),
}


def outcome(clean, value: MetricValue, exclude) -> tuple:
    try:
        clean(value, exclude=exclude)
    except ValidationError as exc:
        return ("refused", exc.message_dict)
    return ("accepted", {f.attname: repr(getattr(value, f.attname)) for f in value._meta.fields})


@pytest.fixture
def metric():
    return MetricFactory(key="checked")


@settings(
    max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    fields=st.fixed_dictionaries(PLAIN),
    data=st.data(),
    left_out=st.sets(st.sampled_from(FIELDS), max_size=2),
    metric_by=st.sampled_from(["object", "id", "missing id", "none"]),
    # the metric left out (as core.bulk.validate_many does) most of the time
    exclude=st.sampled_from(["none", "left out", *["left out and the metric"] * 4]),
)
def test_the_short_way_says_what_the_long_way_says(
    metric, fields, data, left_out, metric_by, exclude
):
    for name in data.draw(st.sets(st.sampled_from(list(ODD)), max_size=1), label="odd"):
        fields[name] = data.draw(ODD[name], label=name)

    def build() -> MetricValue:
        value = MetricValue()
        for name, raw in fields.items():
            setattr(value, MetricValue._meta.get_field(name).attname, raw)
        if metric_by == "object":
            value.metric = metric
        elif metric_by == "id":
            value.metric_id = metric.pk
        elif metric_by == "missing id":
            value.metric_id = metric.pk + 1000
        return value

    names = {
        "none": None,
        "left out": left_out,
        "left out and the metric": left_out | {"metric"},
    }[exclude]
    assert outcome(MetricValue.clean_fields, build(), names) == outcome(
        VersionedModel.clean_fields, build(), names
    )


def test_the_usual_value_of_a_batch_takes_the_short_way(metric, monkeypatch):
    def long_way(self, exclude=None):
        raise AssertionError("took the long way")

    value = MetricValue(
        metric=metric, period_start=dt.date(2026, 3, 16), value=1.5, dimension="web", origin="sync"
    )
    monkeypatch.setattr(VersionedModel, "clean_fields", long_way)
    value.clean_fields(exclude={"metric"})  # as core.bulk.validate_many asks
    value.origin = ValueOrigin.SYNC  # as the services give it
    value.clean_fields(exclude={"metric"})
    usual = {"period_start": dt.date(2026, 3, 16), "value": 1.5}
    for odd in ({"value": Decimal("1.5")}, {"dimension": "a\x00b"}, {"origin": "typed"}):
        other = MetricValue(metric=metric, **{**usual, **odd})
        with pytest.raises(AssertionError, match="long way"):
            other.clean_fields(exclude={"metric"})


def test_a_field_without_a_check_of_its_own_takes_the_long_way(metric, monkeypatch):
    monkeypatch.setattr(metric_models, "_PLAIN", {**metric_models._PLAIN})
    del metric_models._PLAIN["dimension"]
    metric_models._plain_checks.cache_clear()
    try:
        value = MetricValue(metric=metric, period_start=dt.date(2026, 3, 16), value=1.0)
        value.dimension = 5  # the long way turns it into text; the short one would not
        value.clean_fields(exclude={"metric"})
        assert value.dimension == "5"
    finally:
        monkeypatch.undo()
        metric_models._plain_checks.cache_clear()
