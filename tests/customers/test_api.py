"""The customer voice's API beyond the generic matrices (tests/api): every filter, the
segment members, bulk triage, the evidence summary, size limits and query counts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pilothouse.core.roles import Role
from pilothouse.customers.models import Note, NoteKind, NoteLink
from tests.api.helpers import assert_error, unchanged
from tests.factories import (
    ContactFactory,
    CustomerFactory,
    FeatureFactory,
    NoteFactory,
    NoteKindFactory,
    NoteLinkFactory,
    SegmentFactory,
    TagFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

DAY = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == len(body["items"])
    return {item["id"] for item in body["items"]}


# --- customers -------------------------------------------------------------------------


@pytest.fixture
def customers():
    owner = UserFactory(username="owner")
    return {
        "acme": CustomerFactory(
            name="Acme Corp",
            external_id="crm-1",
            market_segment="Enterprise",
            plan="Pro",
            region="EMEA",
            arr=120_000,
            account_owner=owner,
        ),
        "globex": CustomerFactory(
            name="Globex", market_segment="SMB", plan="Free", region="NA", arr=900
        ),
        "initech": CustomerFactory(
            name="Initech", market_segment="enterprise", plan="pro", region="NA", arr=50_000
        ),
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "acme"}, {"acme"}),
        ({"q": "crm-1"}, {"acme"}),
        ({"market_segment": "ENTERPRISE"}, {"acme", "initech"}),
        ({"plan": "pro"}, {"acme", "initech"}),
        ({"region": "na"}, {"globex", "initech"}),
        ({"min_arr": "50000"}, {"acme", "initech"}),
        ({"region": "NA", "min_arr": 1000}, {"initech"}),
    ],
)
def test_customer_filters(admin_api, customers, params, expected):
    assert ids(admin_api.get("/customers", params)) == {customers[k].pk for k in expected}


def test_customer_filter_by_owner_and_segment(admin_api, customers):
    acme = customers["acme"]
    found = ids(admin_api.get("/customers", {"account_owner_id": acme.account_owner_id}))
    assert found == {acme.pk}
    segment = SegmentFactory(
        match="any",
        rules=[
            {"field": "arr", "op": ">", "value": 100_000},
            {"field": "plan", "op": "=", "value": "free"},
        ],
    )
    found = ids(admin_api.get("/customers", {"segment_id": segment.pk}))
    assert found == {acme.pk, customers["globex"].pk}
    assert_error(admin_api.get("/customers", {"segment_id": 987654}), 422, "segment_id")


def test_customers_order_by_arr(admin_api, customers):
    response = admin_api.get("/customers", {"ordering": "-arr"})
    assert [item["name"] for item in response.json()["items"]] == ["Acme Corp", "Initech", "Globex"]


def test_customer_counts(admin_api, customers):
    acme = customers["acme"]
    ContactFactory(customer=acme)
    NoteFactory(customer=acme)
    NoteFactory(customer=acme)
    body = admin_api.get(f"/customers/{acme.pk}").json()
    assert (body["note_count"], body["contact_count"]) == (2, 1)


# --- segments --------------------------------------------------------------------------


def test_segment_members(admin_api, customers):
    segment = SegmentFactory(rules=[{"field": "market_segment", "op": "=", "value": "enterprise"}])
    response = admin_api.get(f"/segments/{segment.pk}/customers", {"ordering": "-arr"})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [item["name"] for item in body["items"]] == ["Acme Corp", "Initech"]
    paged = admin_api.get(f"/segments/{segment.pk}/customers", {"limit": 1, "offset": 1})
    assert paged.json()["count"] == 2
    assert [item["name"] for item in paged.json()["items"]] == ["Initech"]
    assert_error(admin_api.get("/segments/987654/customers"), 404)
    assert_error(admin_api.get(f"/segments/{segment.pk}/customers", {"ordering": "x"}), 422)


def test_segment_rule_errors_name_the_rule(admin_api):
    from pilothouse.customers.models import Segment

    body = {
        "name": "Broken",
        "rules": [
            {"field": "arr", "op": ">=", "value": 10},
            {"field": "region", "op": ">", "value": "EMEA"},
            {"field": "colour", "op": "=", "value": "red"},
            {"field": "created", "op": "<", "value": "yesterday"},
        ],
    }
    with unchanged(Segment):
        error = assert_error(admin_api.post("/segments", body), 422)
    messages = {e["field"]: e["message"] for e in error["errors"]}
    assert set(messages) == {"rules[1].op", "rules[2].field", "rules[3].value"}
    assert messages["rules[1].op"].startswith("rules[1].op: '>' is not allowed for region")
    with unchanged(Segment):
        assert_error(admin_api.post("/segments", {"name": "X", "rules": "arr>5"}), 422, "rules")


# --- notes -----------------------------------------------------------------------------


@pytest.fixture
def inbox(customers):
    bug = NoteKind.objects.get(name="Bug")
    question = NoteKind.objects.get(name="Question")
    feature = FeatureFactory()
    notes = {
        "slow": NoteFactory(
            title="Slow exports",
            text="Exports take an hour",
            customer=customers["acme"],
            kind=bug,
            source="support",
            submitted_at=DAY,
        ),
        "sso": NoteFactory(
            text="We need SSO",
            customer=customers["globex"],
            state="triaged",
            source="sales",
            submitted_at=DAY + dt.timedelta(days=2),
        ),
        "how": NoteFactory(
            text="How do I export?",
            kind=question,
            state="archived",
            source="email",
            submitted_at=DAY + dt.timedelta(days=5),
        ),
    }
    notes["slow"].tags.add(TagFactory(name="Performance"))
    NoteLinkFactory(note=notes["sso"], feature=feature)
    return notes


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"state": "triaged"}, {"sso"}),
        ({"source": "email"}, {"how"}),
        ({"tag": "performance"}, {"slow"}),
        ({"q": "export"}, {"slow", "how"}),
        ({"has_links": "true"}, {"sso"}),
        ({"has_links": "false"}, {"slow", "how"}),
        ({"submitted_after": "2026-03-02T00:00:00Z"}, {"sso", "how"}),
        ({"submitted_before": "2026-03-03T09:00:00Z"}, {"slow", "sso"}),
        (
            {"submitted_after": "2026-03-02T00:00:00Z", "submitted_before": "2026-03-04T00:00:00Z"},
            {"sso"},
        ),
    ],
)
def test_note_filters(admin_api, inbox, params, expected):
    assert ids(admin_api.get("/notes", params)) == {inbox[k].pk for k in expected}


def test_note_filters_by_kind_customer_and_segment(admin_api, inbox, customers):
    bug = NoteKind.objects.get(name="Bug")
    assert ids(admin_api.get("/notes", {"kind_id": bug.pk})) == {inbox["slow"].pk}
    found = ids(admin_api.get("/notes", {"customer_id": customers["globex"].pk}))
    assert found == {inbox["sso"].pk}
    big = SegmentFactory(rules=[{"field": "arr", "op": ">=", "value": 1000}])
    assert ids(admin_api.get("/notes", {"segment_id": big.pk})) == {inbox["slow"].pk}
    assert_error(admin_api.get("/notes", {"segment_id": 987654}), 422, "segment_id")
    assert_error(admin_api.get("/notes", {"has_links": "perhaps"}), 422, "has_links")


def test_the_inbox_answers_newest_first_with_everything_a_row_needs(admin_api, inbox):
    kind = NoteKind.objects.get(name="Praise")
    Note.objects.filter(pk=inbox["sso"].pk).update(
        suggested_kind=kind, suggested_kind_confidence=0.75
    )
    items = admin_api.get("/notes").json()["items"]
    assert [item["id"] for item in items] == [inbox[k].pk for k in ("how", "sso", "slow")]
    slow, sso = items[2], items[1]
    assert (slow["kind_id"], slow["kind"], slow["tags"]) == (
        inbox["slow"].kind_id,
        "Bug",
        ["Performance"],
    )
    assert slow["customer_name"] == "Acme Corp"
    assert slow["text_html"] == "<p>Exports take an hour</p>\n"
    assert (sso["suggested_kind_id"], sso["suggested_kind"], sso["suggested_kind_confidence"]) == (
        kind.pk,
        "Praise",
        0.75,
    )
    assert sso["feature_ids"] == [inbox["sso"].links.get().feature_id]


def test_suggested_kind_is_read_only(admin_api, inbox):
    kind = NoteKind.objects.get(name="Praise")
    note = inbox["slow"]
    response = admin_api.patch(
        f"/notes/{note.pk}",
        {"suggested_kind_id": kind.pk, "suggested_kind_confidence": 1.0, "version": 1},
    )
    assert response.status_code == 200
    assert response.json()["suggested_kind_id"] is None
    assert response.json()["version"] == 1


def test_note_kind_and_tags_through_the_api(admin_api):
    kind = NoteKind.objects.get(name="Improvement")
    response = admin_api.post(
        "/notes", {"text": "Faster search", "kind_id": kind.pk, "tags": ["search", "Speed"]}
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["kind"], body["tags"], body["state"]) == (
        "Improvement",
        ["Speed", "search"],
        "new",
    )
    response = admin_api.patch(f"/notes/{body['id']}", {"tags": ["search"], "version": 1})
    assert response.json()["tags"] == ["search"]
    with unchanged(Note):
        assert_error(admin_api.post("/notes", {"text": "x", "kind_id": 987654}), 422, "kind_id")


def test_note_text_limits(admin_api):
    with unchanged(Note):
        error = assert_error(admin_api.post("/notes", {"text": "x" * 50_001}), 422, "text")
        assert "at most 50000 characters" in error["errors"][0]["message"]
        # 10 MB: refused before it is read, with the limit in the answer.
        error = assert_error(admin_api.post("/notes", {"text": "x" * 10_000_000}), 413)
        assert "larger than the limit" in error["detail"]


def test_a_stale_triage_is_409(admin_api, inbox):
    note = inbox["slow"]
    Note.objects.filter(pk=note.pk).update(version=2)
    with unchanged(Note):
        assert_error(admin_api.patch(f"/notes/{note.pk}", {"state": "archived", "version": 1}), 409)


# --- links and kinds ------------------------------------------------------------------


def test_link_rules_through_the_api(admin_api):
    note = NoteFactory(text="We need   audit\nlogs for SOC 2")
    feature = FeatureFactory()
    body = {"note_id": note.pk, "feature_id": feature.pk, "excerpt": "audit logs", "importance": 2}
    response = admin_api.post("/note-links", body)
    assert response.status_code == 201, response.content
    assert (response.json()["feature_title"], response.json()["importance"]) == (feature.title, 2)
    with unchanged(NoteLink):
        error = assert_error(admin_api.post("/note-links", body), 422)
        assert "already linked" in error["errors"][0]["message"]
        bad = {**body, "feature_id": FeatureFactory().pk, "importance": 4}
        assert_error(admin_api.post("/note-links", bad), 422, "importance")
        bad = {**body, "feature_id": FeatureFactory().pk, "excerpt": "x" * 2001}
        assert_error(admin_api.post("/note-links", bad), 422, "excerpt")
    assert ids(admin_api.get("/note-links", {"note_id": note.pk})) == {response.json()["id"]}


def test_a_kind_in_use_is_refused_with_409_and_can_be_deactivated(admin_api):
    kind = NoteKindFactory(name="Churn risk")
    NoteFactory(kind=kind, title="Leaving in Q3")
    with unchanged(NoteKind):
        error = assert_error(admin_api.delete(f"/note-kinds/{kind.pk}"), 409)
    assert "Leaving in Q3" in error["detail"]
    response = admin_api.patch(f"/note-kinds/{kind.pk}", {"active": False, "version": 1})
    assert response.json()["active"] is False
    assert response.json()["note_count"] == 1
    assert ids(admin_api.get("/note-kinds", {"active": "false"})) == {kind.pk}


# --- bulk ------------------------------------------------------------------------------


def test_bulk_through_the_api(admin_api, inbox):
    ids_ = [inbox["slow"].pk, inbox["sso"].pk]
    response = admin_api.post("/notes/bulk", {"note_ids": ids_, "action": "add_tag", "value": "Q3"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == 2
    assert all("Q3" in item["tags"] for item in body["items"])
    with unchanged(Note):
        error = assert_error(
            admin_api.post("/notes/bulk", {"note_ids": [*ids_, 987654], "action": "archive"}),
            422,
            "note_ids",
        )
        assert "987654" in error["errors"][0]["message"]
        assert_error(
            admin_api.post("/notes/bulk", {"note_ids": ids_, "action": "set_state", "value": "x"}),
            422,
            "value",
        )
        assert_error(admin_api.post("/notes/bulk", {"note_ids": ids_, "action": "boom"}), 422)


def test_bulk_refusal_names_each_note(api_as, make_user, inbox):
    contributor = make_user(Role.CONTRIBUTOR, username="c")
    api = api_as(contributor)
    with unchanged(Note):
        error = assert_error(
            api.post(
                "/notes/bulk",
                {"note_ids": [inbox["slow"].pk, inbox["sso"].pk], "action": "archive"},
            ),
            403,
        )
    assert [e["field"] for e in error["errors"]] == ["note_ids[0]", "note_ids[1]"]
    assert error["errors"][1]["message"].startswith(f"note {inbox['sso'].pk}: ")


# --- evidence --------------------------------------------------------------------------


def test_the_evidence_summary_of_a_feature(admin_api):
    feature = FeatureFactory()
    big = SegmentFactory(name="Big", rules=[{"field": "arr", "op": ">=", "value": 1000}])
    SegmentFactory(name="Asia", rules=[{"field": "region", "op": "=", "value": "APAC"}])
    acme = CustomerFactory(arr=5000, market_segment="Enterprise")
    shop = CustomerFactory(arr=100, market_segment="SMB")
    for when, importance in ((1, 3), (2, 1)):
        note = NoteFactory(customer=acme, submitted_at=DAY + dt.timedelta(days=when))
        NoteLinkFactory(note=note, feature=feature, importance=importance)
    NoteLinkFactory(note=NoteFactory(customer=shop), feature=feature, importance=2)
    NoteLinkFactory(note=NoteFactory(), feature=feature)
    response = admin_api.get(f"/features/{feature.pk}/evidence")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["feature_id"] == feature.pk
    assert (body["importance_score"], Decimal(body["arr_demand"])) == (1 + 2 + 1, Decimal(5100))
    assert (body["request_count"], body["customer_count"], body["anonymous_request_count"]) == (
        4,
        2,
        1,
    )
    assert body["by_importance"] == [
        {"importance": 1, "label": "Nice to have", "count": 1},
        {"importance": 2, "label": "Important", "count": 1},
        {"importance": None, "label": "Not rated", "count": 1},
    ]
    assert [
        (s["segment_name"], s["importance_score"], s["customer_count"]) for s in body["by_segment"]
    ] == [
        ("Asia", 0, 0),
        ("Big", 1, 1),
    ]
    assert body["by_segment"][1]["segment_id"] == big.pk
    assert body["by_segment"][1]["request_count"] == 2
    assert [(m["market_segment"], Decimal(m["arr_demand"])) for m in body["by_market_segment"]] == [
        ("Enterprise", Decimal(5000)),
        ("SMB", Decimal(100)),
    ]
    assert_error(admin_api.get("/features/987654/evidence"), 404)


def test_the_feature_routes_still_answer(admin_api):
    feature = FeatureFactory()
    assert admin_api.get(f"/features/{feature.pk}").json()["id"] == feature.pk
    assert admin_api.get("/features").json()["count"] == 1


# --- query counts ----------------------------------------------------------------------


def queries(api, path, params=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = api.get(path, {"limit": 500, **(params or {})})
    assert response.status_code == 200, response.content
    return len(captured)


@pytest.fixture
def reader(api_as, make_user):
    api = api_as(make_user(Role.VIEWER, username="reader"))
    api.get("/customers")  # warm the caches
    return api


def test_segment_members_cost_the_same_for_5_and_50(reader):
    segment = SegmentFactory(rules=[{"field": "arr", "op": ">=", "value": 10}])
    for _ in range(5):
        NoteFactory(customer=CustomerFactory(arr=20))
    small = queries(reader, f"/segments/{segment.pk}/customers")
    for _ in range(45):
        NoteFactory(customer=CustomerFactory(arr=20))
    assert queries(reader, f"/segments/{segment.pk}/customers") == small


def test_the_evidence_costs_the_same_for_5_and_50(reader):
    feature = FeatureFactory()

    def grow(n: int) -> None:
        for i in range(n):
            SegmentFactory(rules=[{"field": "arr", "op": ">=", "value": i}])
            customer = CustomerFactory(arr=i, market_segment=f"M{i % 3}")
            NoteLinkFactory(note=NoteFactory(customer=customer), feature=feature, importance=i % 4)
            NoteLinkFactory(note=NoteFactory(), feature=feature)

    grow(5)
    small = queries(reader, f"/features/{feature.pk}/evidence")
    grow(45)
    assert queries(reader, f"/features/{feature.pk}/evidence") == small


def test_filtered_note_lists_cost_the_same_for_5_and_50(reader):
    segment = SegmentFactory(rules=[{"field": "arr", "op": ">=", "value": 10}])

    def grow(n: int) -> None:
        for _ in range(n):
            note = NoteFactory(customer=CustomerFactory(arr=20), kind=NoteKind.objects.first())
            note.tags.add(TagFactory())
            NoteLinkFactory(note=note)

    params = {"segment_id": segment.pk, "has_links": "true", "ordering": "-submitted_at"}
    grow(5)
    small = queries(reader, "/notes", params)
    grow(45)
    assert queries(reader, "/notes", params) == small
