"""The evidence rules of customers.evidence, by hand-computed examples and against a
plain-Python reference on random data."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pilothouse.customers import evidence
from pilothouse.customers.models import Customer, Importance, NoteLink, Segment
from pilothouse.roadmap.services import FeatureDemand
from tests.factories import (
    CustomerFactory,
    FeatureFactory,
    NoteFactory,
    NoteLinkFactory,
    SegmentFactory,
)

pytestmark = pytest.mark.django_db

NOT_IMPORTANT, NICE, IMPORTANT, CRITICAL = (
    Importance.NOT_IMPORTANT,
    Importance.NICE_TO_HAVE,
    Importance.IMPORTANT,
    Importance.CRITICAL,
)
DAY = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)


def at(days: int) -> dt.datetime:
    return DAY + dt.timedelta(days=days)


def link(feature, *, customer=None, importance=None, when=0):
    note = NoteFactory(customer=customer, submitted_at=at(when))
    return NoteLinkFactory(note=note, feature=feature, importance=importance)


def demand_of(feature) -> FeatureDemand:
    return evidence.feature_demand([feature.pk])[feature.pk]


@pytest.fixture
def feature():
    return FeatureFactory()


# --- the rules, each by a hand-computed example ----------------------------------------


def test_a_feature_without_evidence_has_zeros(feature):
    assert demand_of(feature) == FeatureDemand(0, Decimal(0), 0, 0)


def test_the_latest_importance_of_a_customer_counts_once(feature):
    acme = CustomerFactory(arr=1000)
    # Said critical, then (later) only nice to have: counts 1, not 3 + 1 = 4.
    link(feature, customer=acme, importance=CRITICAL, when=1)
    link(feature, customer=acme, importance=NICE, when=5)
    assert demand_of(feature) == FeatureDemand(
        importance=1, arr=Decimal(1000), requests=2, customers=1
    )


def test_latest_is_by_submission_date_not_by_entry_order(feature):
    acme = CustomerFactory(arr=1000)
    link(feature, customer=acme, importance=NICE, when=5)  # entered first, said last
    link(feature, customer=acme, importance=CRITICAL, when=1)  # entered later, said earlier
    assert demand_of(feature).importance == 1


def test_a_tie_on_the_date_goes_to_the_later_link(feature):
    acme = CustomerFactory()
    first = link(feature, customer=acme, importance=CRITICAL, when=2)
    second = link(feature, customer=acme, importance=NOT_IMPORTANT, when=2)
    assert second.pk > first.pk
    assert demand_of(feature).importance == 0
    # The same tie the other way round.
    other = FeatureFactory()
    link(other, customer=acme, importance=NOT_IMPORTANT, when=2)
    link(other, customer=acme, importance=CRITICAL, when=2)
    assert demand_of(other).importance == 3


def test_a_link_without_importance_counts_one(feature):
    link(feature, customer=CustomerFactory(), importance=None)
    link(feature, customer=CustomerFactory(), importance=IMPORTANT)
    assert demand_of(feature).importance == 1 + 2


def test_a_latest_link_without_importance_replaces_an_earlier_rating(feature):
    acme = CustomerFactory()
    link(feature, customer=acme, importance=CRITICAL, when=1)
    link(feature, customer=acme, importance=None, when=2)
    assert demand_of(feature).importance == 1


def test_not_important_counts_zero_but_the_customer_and_arr_count(feature):
    link(feature, customer=CustomerFactory(arr=500), importance=NOT_IMPORTANT)
    assert demand_of(feature) == FeatureDemand(0, Decimal(500), 1, 1)


def test_notes_without_a_customer_count_once_each(feature):
    link(feature, importance=CRITICAL, when=1)
    link(feature, importance=CRITICAL, when=2)
    link(feature, importance=None, when=3)
    link(feature, importance=NOT_IMPORTANT, when=4)
    assert demand_of(feature) == FeatureDemand(
        importance=3 + 3 + 1 + 0, arr=Decimal(0), requests=4, customers=0
    )


def test_arr_counts_each_distinct_customer_once(feature):
    acme, globex = CustomerFactory(arr=1000), CustomerFactory(arr=250.5)
    for when in range(3):
        link(feature, customer=acme, importance=IMPORTANT, when=when)
    link(feature, customer=globex, importance=CRITICAL)
    assert demand_of(feature) == FeatureDemand(
        importance=2 + 3, arr=Decimal("1250.50"), requests=4, customers=2
    )


def test_a_customer_with_no_arr_counts_as_a_customer_adding_nothing(feature):
    link(feature, customer=CustomerFactory(arr=0), importance=CRITICAL)
    link(feature, customer=CustomerFactory(arr=0))
    assert demand_of(feature) == FeatureDemand(4, Decimal(0), 2, 2)


def test_everything_together(feature):
    acme = CustomerFactory(arr=10_000, market_segment="Enterprise")
    globex = CustomerFactory(arr=2_500, market_segment="SMB")
    zero = CustomerFactory(arr=0, market_segment="SMB")
    link(feature, customer=acme, importance=CRITICAL, when=1)
    link(feature, customer=acme, importance=NICE, when=3)  # acme: 1
    link(feature, customer=globex, importance=None, when=2)  # globex: 1
    link(feature, customer=zero, importance=IMPORTANT, when=2)
    link(feature, customer=zero, importance=IMPORTANT, when=2)  # zero: 2 (tie, same)
    link(feature, importance=CRITICAL)  # anonymous: 3
    link(feature, importance=None)  # anonymous: 1
    other = FeatureFactory()
    link(other, customer=acme, importance=CRITICAL)  # another feature: no effect
    found = evidence.compute([feature.pk, other.pk])
    assert found[feature.pk].demand() == FeatureDemand(
        importance=1 + 1 + 2 + 3 + 1, arr=Decimal(12_500), requests=7, customers=3
    )
    assert found[feature.pk].anonymous_requests == 2
    assert found[feature.pk].by_importance == {NICE: 1, None: 2, IMPORTANT: 1, CRITICAL: 1}
    assert found[other.pk].demand() == FeatureDemand(3, Decimal(10_000), 1, 1)


def test_breakdown_by_segment_and_market_segment(feature):
    big = SegmentFactory(name="Big", rules=[{"field": "arr", "op": ">=", "value": 1000}])
    smb = SegmentFactory(name="SMB", rules=[{"field": "market_segment", "op": "=", "value": "smb"}])
    everyone = SegmentFactory(name="Everyone", rules=[])
    nobody = SegmentFactory(name="Nobody", match="any", rules=[])
    acme = CustomerFactory(arr=10_000, market_segment="Enterprise")
    shop = CustomerFactory(arr=2_000, market_segment="SMB")
    tiny = CustomerFactory(arr=0, market_segment="")
    link(feature, customer=acme, importance=CRITICAL, when=1)
    link(feature, customer=acme, importance=IMPORTANT, when=2)
    link(feature, customer=shop, importance=NICE)
    link(feature, customer=tiny)
    link(feature, importance=CRITICAL)  # anonymous: in no segment, no label
    segments = [big, smb, everyone, nobody]
    found = evidence.compute([feature.pk], segments=segments)[feature.pk]
    share = evidence.Share
    assert found.by_segment == {
        big.pk: share(importance=2 + 1, arr=Decimal(12_000), customers=2, requests=3),
        smb.pk: share(importance=1, arr=Decimal(2_000), customers=1, requests=1),
        everyone.pk: share(importance=2 + 1 + 1, arr=Decimal(12_000), customers=3, requests=4),
    }
    assert found.by_market_segment == {
        "Enterprise": share(importance=2, arr=Decimal(10_000), customers=1, requests=2),
        "SMB": share(importance=1, arr=Decimal(2_000), customers=1, requests=1),
        "": share(importance=1, arr=Decimal(0), customers=1, requests=1),
    }
    assert found.importance == 2 + 1 + 1 + 3


def test_segments_with_equal_rules_each_get_their_share(feature):
    # Equal conditions become one SQL flag; each segment still gets its own share.
    first = SegmentFactory(rules=[{"field": "arr", "op": ">=", "value": 1}])
    same = SegmentFactory(rules=[{"field": "arr", "op": ">=", "value": 1.0}])
    everyone = SegmentFactory(rules=[])
    also_everyone = SegmentFactory(rules=[])
    link(feature, customer=CustomerFactory(arr=5), importance=IMPORTANT)
    link(feature, customer=CustomerFactory(arr=0), importance=CRITICAL)
    found = evidence.compute([feature.pk], segments=[first, same, everyone, also_everyone])
    shares = {pk: (s.importance, s.customers) for pk, s in found[feature.pk].by_segment.items()}
    assert shares == {
        first.pk: (2, 1),
        same.pk: (2, 1),
        everyone.pk: (5, 2),
        also_everyone.pk: (5, 2),
    }


def test_a_batch_of_features_costs_two_queries(feature, django_assert_num_queries):
    features = [FeatureFactory() for _ in range(3)]
    for f in features:
        link(f, customer=CustomerFactory(), importance=IMPORTANT)
        link(f, importance=NICE)
    with django_assert_num_queries(2):
        found = evidence.compute([f.pk for f in [feature, *features]])
    assert {pk: e.importance for pk, e in found.items()} == {
        feature.pk: 0,
        **{f.pk: 3 for f in features},
    }


# --- property: the SQL computation agrees with a plain-Python reference ----------------


def reference(links: list[dict], segment_members: dict[int, set[int]]) -> dict[int, dict]:
    """The rules read plainly: `links` are dicts with feature, link id, customer (or
    None), arr, market, submitted, importance."""
    result: dict[int, dict] = defaultdict(
        lambda: {
            "importance": 0,
            "arr": Decimal(0),
            "requests": 0,
            "customers": 0,
            "segments": defaultdict(lambda: [0, Decimal(0), 0, 0]),
            "markets": defaultdict(lambda: [0, Decimal(0), 0, 0]),
        }
    )
    latest: dict[tuple[int, int], dict] = {}
    requests: dict[tuple[int, int], int] = defaultdict(int)
    for item in links:
        figures = result[item["feature"]]
        figures["requests"] += 1
        weight = 1 if item["importance"] is None else item["importance"]
        if item["customer"] is None:
            figures["importance"] += weight
            continue
        key = (item["feature"], item["customer"])
        requests[key] += 1
        best = latest.get(key)
        if best is None or (item["submitted"], item["id"]) > (best["submitted"], best["id"]):
            latest[key] = item
    for (feature_id, customer_id), item in latest.items():
        figures = result[feature_id]
        weight = 1 if item["importance"] is None else item["importance"]
        figures["importance"] += weight
        figures["arr"] += item["arr"]
        figures["customers"] += 1
        groups = [figures["markets"][item["market"]]]
        groups += [
            figures["segments"][seg]
            for seg, members in segment_members.items()
            if customer_id in members
        ]
        for group in groups:
            group[0] += weight
            group[1] += item["arr"]
            group[2] += 1
            group[3] += requests[(feature_id, customer_id)]
    return result


CUSTOMERS = st.lists(
    st.tuples(st.sampled_from([0, 100, 2500.5, 10_000]), st.sampled_from(["", "SMB", "Ent"])),
    min_size=0,
    max_size=5,
)
LINKS = st.lists(
    st.tuples(
        st.integers(0, 5),  # which note: several links per note are possible
        st.integers(0, 2),  # which feature
        st.sampled_from([None, 0, 1, 2, 3]),
    ),
    min_size=0,
    max_size=14,
)
NOTES = st.lists(
    st.tuples(st.integers(-1, 4), st.integers(0, 2)),  # (customer index or -1, day)
    min_size=6,
    max_size=6,
)


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(customers=CUSTOMERS, notes=NOTES, links=LINKS)
def test_the_computation_agrees_with_the_reference(db, customers, notes, links):
    with transaction.atomic():
        features = [FeatureFactory() for _ in range(3)]
        made = [
            CustomerFactory(arr=Decimal(str(arr)), market_segment=market)
            for arr, market in customers
        ]
        note_rows = []
        for customer_index, day in notes:
            customer = made[customer_index] if 0 <= customer_index < len(made) else None
            note_rows.append(NoteFactory(customer=customer, submitted_at=at(day)))
        seen = set()
        for note_index, feature_index, importance in links:
            if (note_index, feature_index) in seen:
                continue  # one link per note and feature
            seen.add((note_index, feature_index))
            NoteLinkFactory(
                note=note_rows[note_index], feature=features[feature_index], importance=importance
            )
        segments = [
            SegmentFactory(rules=[{"field": "arr", "op": ">=", "value": 100}]),
            SegmentFactory(rules=[{"field": "market_segment", "op": "in", "value": ["smb"]}]),
            SegmentFactory(rules=[{"field": "arr", "op": ">=", "value": 100.0}]),  # the same
            SegmentFactory(rules=[]),
        ]
        members = {
            seg.pk: set(Customer.objects.filter(seg.customer_q()).values_list("pk", flat=True))
            for seg in segments
        }
        rows = [
            {
                "feature": link.feature_id,
                "id": link.pk,
                "customer": link.note.customer_id,
                "arr": link.note.customer.arr if link.note.customer_id else Decimal(0),
                "market": link.note.customer.market_segment if link.note.customer_id else "",
                "submitted": link.note.submitted_at,
                "importance": link.importance,
            }
            for link in NoteLink.objects.select_related("note__customer")
        ]
        expected = reference(rows, members)
        found = evidence.compute([f.pk for f in features], segments=segments)
        for feature in features:
            want = expected[feature.pk]
            got = found[feature.pk]
            assert got.demand() == FeatureDemand(
                want["importance"], want["arr"], want["requests"], want["customers"]
            )
            assert {
                seg: [s.importance, s.arr, s.customers, s.requests]
                for seg, s in got.by_segment.items()
            } == dict(want["segments"])
            assert {
                label: [s.importance, s.arr, s.customers, s.requests]
                for label, s in got.by_market_segment.items()
            } == dict(want["markets"])
        assert Segment.objects.count() == 4
        transaction.set_rollback(True)
