"""Segment rules: strict validation with errors naming the rule, and live evaluation of
every field and operator against a plain-Python reading of the rules."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pilothouse.customers import segments, services
from pilothouse.customers.models import Customer, Note, Segment
from pilothouse.customers.segments import FIELDS, compile_rules, rule_errors
from tests.factories import CustomerFactory, NoteFactory, SegmentFactory, UserFactory

pytestmark = pytest.mark.django_db


# --- validation ----------------------------------------------------------------------


def rule(field, op, value):
    return {"field": field, "op": op, "value": value}


BAD_RULES = [
    ("arr >= 5", "rules", "must be a list"),
    ({"field": "arr"}, "rules", "must be a list"),
    ([rule("arr", ">", 1)] * 51, "rules", "at most 50"),
    (["arr > 5"], "rules[0]", "must be an object"),
    ([{"field": "arr", "op": ">"}], "rules[0]", "missing value"),
    ([{"field": "arr", "op": ">", "value": 1, "note": "x"}], "rules[0]", "unknown note"),
    ([rule("arr", ">", 1), rule("colour", "=", "red")], "rules[1].field", "unknown field"),
    ([rule("region", ">", "EMEA")], "rules[0].op", "'>' is not allowed for region"),
    ([rule("arr", "contains", "1")], "rules[0].op", "'contains' is not allowed for arr"),
    ([rule("arr", "in", [1])], "rules[0].op", "'in' is not allowed for arr"),
    ([rule("account_owner_id", "!=", 1)], "rules[0].op", "not allowed for account_owner_id"),
    ([rule("created", "contains", "2024")], "rules[0].op", "not allowed for created"),
    ([rule("name", "~", "x")], "rules[0].op", "not allowed for name"),
    ([rule("arr", ">", "100")], "rules[0].value", "must be a number"),
    ([rule("arr", ">", True)], "rules[0].value", "must be a number"),
    ([rule("arr", ">", None)], "rules[0].value", "must be a number"),
    ([rule("arr", ">", float("inf"))], "rules[0].value", "finite"),
    ([rule("plan", "=", 3)], "rules[0].value", "must be a string"),
    ([rule("plan", "=", "x" * 121)], "rules[0].value", "at most 120"),
    ([rule("plan", "in", [])], "rules[0].value", "non-empty list"),
    ([rule("plan", "in", "Pro")], "rules[0].value", "non-empty list"),
    ([rule("plan", "in", ["Pro", 4])], "rules[0].value", "must be a string"),
    ([rule("plan", "in", ["x"] * 101)], "rules[0].value", "at most 100"),
    ([rule("name", "contains", "  ")], "rules[0].value", "must not be empty"),
    ([rule("account_owner_id", "=", "7")], "rules[0].value", "user id"),
    ([rule("account_owner_id", "=", 0)], "rules[0].value", "user id"),
    ([rule("account_owner_id", "=", True)], "rules[0].value", "user id"),
    ([rule("created", ">", "2024-13-01")], "rules[0].value", "not a date"),
    ([rule("created", ">", "20240101")], "rules[0].value", "not a date"),
    ([rule("created", ">", 2024)], "rules[0].value", "must be a date"),
]


@pytest.mark.parametrize(("rules", "where", "problem"), BAD_RULES)
def test_a_bad_rule_is_named_with_its_problem(rules, where, problem):
    errors = rule_errors(rules)
    assert where in errors, errors
    assert problem in errors[where]
    assert errors[where].startswith(where + ":")


def test_every_bad_rule_is_reported_at_once():
    errors = rule_errors([rule("region", ">", "x"), rule("arr", ">=", 1), rule("plan", "=", 1)])
    assert set(errors) == {"rules[0].op", "rules[2].value"}
    assert errors["rules[0].op"] == (
        "rules[0].op: '>' is not allowed for region; use one of: =, !=, in, contains"
    )


GOOD_RULES = [
    [],
    [rule("arr", op, 100) for op in segments.NUMBER_OPS],
    [rule("arr", ">=", 99.5)],
    [
        rule(field, op, "x")
        for field in ("market_segment", "plan", "region", "name")
        for op in ("=", "!=", "contains")
    ],
    [rule("region", "in", ["EMEA", "NA"])],
    [rule("plan", "=", "")],
    [rule("account_owner_id", "=", None)],
    [rule("created", op, "2024-02-29") for op in segments.NUMBER_OPS],
]


@pytest.mark.parametrize("rules", GOOD_RULES)
def test_good_rules_pass(rules):
    assert rule_errors(rules) == {}


def test_an_unknown_account_owner_is_named(admin_user):
    owner = UserFactory()
    rules = [rule("account_owner_id", "=", owner.pk), rule("account_owner_id", "=", 987654)]
    with pytest.raises(ValidationError) as caught:
        services.segment.create(actor=admin_user, data={"name": "Mine", "rules": rules})
    assert caught.value.message_dict == {
        "rules[1].value": ["rules[1].value: no user with id 987654"]
    }
    assert not Segment.objects.exists()


def test_a_valid_segment_is_saved_and_logged(admin_user):
    made = services.segment.create(
        actor=admin_user,
        data={"name": "Big EMEA", "match": "all", "rules": [rule("arr", ">=", 100000)]},
    )
    assert made.rules == [rule("arr", ">=", 100000)]
    with pytest.raises(ValidationError) as caught:
        services.segment.update(
            actor=admin_user, instance=made, version=1, data={"rules": [rule("arr", "in", [1])]}
        )
    assert "rules[0].op" in caught.value.message_dict
    assert Segment.objects.get().version == 1


# --- evaluation ------------------------------------------------------------------------


def reference(customer: Customer, rules: list[dict], match: str) -> bool:
    """The rules read plainly in Python, one customer at a time."""
    results = [holds(customer, r) for r in rules]
    return all(results) if match == "all" else any(results)


def holds(customer: Customer, r: dict) -> bool:
    field, op, value = r["field"], r["op"], r["value"]
    kind, _ = FIELDS[field]
    if kind == "user":
        return customer.account_owner_id == value
    if kind == "text":
        have = getattr(customer, field).lower()
        if op == "in":
            return have in {v.lower() for v in value}
        if op == "contains":
            return value.lower() in have
        return (have == value.lower()) == (op == "=")
    have = customer.arr if kind == "number" else customer.created
    want = Decimal(str(value)) if kind == "number" else dt.date.fromisoformat(value)
    if have is None:
        return op == "!="
    return {
        "=": have == want,
        "!=": have != want,
        "<": have < want,
        "<=": have <= want,
        ">": have > want,
        ">=": have >= want,
    }[op]


@pytest.fixture
def people(db):
    return UserFactory(username="owner"), UserFactory(username="other_owner")


@pytest.fixture
def customers(people):
    owner, other = people
    rows = [
        ("Acme Corp", 0, "Enterprise", "Pro", "EMEA", owner, dt.date(2020, 1, 1)),
        ("acme labs", 50_000, "enterprise", "pro", "emea", None, dt.date(2024, 2, 29)),
        ("Globex", 100_000, "Mid-market", "Team", "NA", other, None),
        ("Initech 50%", 100_000.5, "SMB", "Free", "APAC", owner, dt.date(2025, 6, 30)),
        ("Umbrella_x", 1_000_000, "", "", "", None, dt.date(2024, 2, 28)),
    ]
    for name, arr, market, plan, region, account_owner, created in rows:
        CustomerFactory(
            name=name,
            arr=Decimal(str(arr)),
            market_segment=market,
            plan=plan,
            region=region,
            account_owner=account_owner,
            created=created,
        )
    return list(Customer.objects.order_by("pk"))


def selected(rules, match="all", prefix="") -> set[int]:
    return set(
        Customer.objects.filter(compile_rules(rules, match, prefix=prefix)).values_list(
            "pk", flat=True
        )
    )


def expected(customers, rules, match="all") -> set[int]:
    return {c.pk for c in customers if reference(c, rules, match)}


SINGLE_RULES = [
    *[rule("arr", op, v) for op in segments.NUMBER_OPS for v in (0, 50_000, 100_000, 100_000.5)],
    *[rule("created", op, d) for op in segments.NUMBER_OPS for d in ("2024-02-29", "2019-01-01")],
    *[rule(f, op, "acme") for f in ("name",) for op in ("=", "!=", "contains")],
    rule("name", "=", "ACME CORP"),
    rule("name", "contains", "50%"),
    rule("name", "contains", "a_x"),
    rule("name", "contains", "_"),
    rule("market_segment", "=", "enterprise"),
    rule("market_segment", "!=", "Enterprise"),
    rule("market_segment", "=", ""),
    rule("market_segment", "!=", ""),
    rule("market_segment", "in", ["SMB", "MID-MARKET"]),
    rule("market_segment", "contains", "prise"),
    rule("plan", "in", ["pro"]),
    rule("plan", "!=", "pro"),
    rule("region", "=", "emea"),
    rule("region", "in", ["NA", "apac", "nowhere"]),
    rule("region", "contains", "E"),
]


@pytest.mark.parametrize("one", SINGLE_RULES, ids=lambda r: f"{r['field']}{r['op']}{r['value']}")
def test_each_operator_selects_what_it_says(customers, one):
    assert rule_errors([one]) == {}
    assert selected([one]) == expected(customers, [one])


def test_account_owner_rules(customers, people):
    owner, other = people
    for value in (owner.pk, other.pk, None):
        rules = [rule("account_owner_id", "=", value)]
        assert selected(rules) == expected(customers, rules)
    assert len(selected([rule("account_owner_id", "=", None)])) == 2


def test_all_and_any(customers):
    rules = [rule("arr", ">=", 100_000), rule("region", "in", ["emea", "apac"])]
    assert selected(rules, "all") == expected(customers, rules, "all")
    assert selected(rules, "any") == expected(customers, rules, "any")
    assert len(selected(rules, "all")) == 1
    assert len(selected(rules, "any")) == 5


def test_no_rules_is_everyone_under_all_and_nobody_under_any(customers):
    assert selected([], "all") == {c.pk for c in customers}
    assert selected([], "any") == set()


def test_a_segment_filters_notes_through_their_customer(customers):
    segment = SegmentFactory(rules=[rule("arr", ">=", 100_000)])
    inside = [NoteFactory(customer=c) for c in customers if c.arr >= 100_000]
    NoteFactory(customer=customers[0])
    NoteFactory()  # no customer: in no segment
    found = set(
        Note.objects.filter(segment.customer_q(prefix="customer__")).values_list("pk", flat=True)
    )
    assert found == {n.pk for n in inside}


# --- property: the compiled Q agrees with the plain reading on random rules ----------

TEXT = st.text(alphabet="aAbB %_", min_size=0, max_size=4)
LABELS = st.sampled_from(["", "Enterprise", "enterprise", "SMB", "a%b", "A_B", "ab"])
DATES = st.sampled_from(["2023-12-31", "2024-01-01", "2024-06-15"])


@st.composite
def rules_strategy(draw):
    field = draw(st.sampled_from(sorted(FIELDS)))
    kind, ops = FIELDS[field]
    op = draw(st.sampled_from(ops))
    if kind == "number":
        value = draw(st.sampled_from([0, 1, 99.99, 100, 1000, 12_345.67]))
    elif kind == "date":
        value = draw(DATES)
    elif kind == "user":
        value = draw(st.sampled_from([None, 1]))  # 1: the test's account owner
    elif op == "in":
        value = draw(st.lists(LABELS, min_size=1, max_size=3))
    elif op == "contains":
        value = draw(TEXT.filter(lambda s: s.strip()))
    else:
        value = draw(LABELS)
    return rule(field, op, value)


CUSTOMER_ROWS = st.lists(
    st.tuples(
        st.sampled_from([0, 1, 99.99, 100, 1000, 12_345.67]),
        LABELS,
        LABELS,
        st.sampled_from([None, "2023-12-31", "2024-01-01", "2024-06-15"]),
        st.booleans(),
    ),
    min_size=0,
    max_size=8,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=CUSTOMER_ROWS,
    rules=st.lists(rules_strategy(), min_size=0, max_size=4),
    match=st.sampled_from(["all", "any"]),
)
def test_compiled_rules_agree_with_the_reference(db, rows, rules, match):
    with transaction.atomic():
        owner = UserFactory()
        rules = [
            {**r, "value": owner.pk} if r["field"] == "account_owner_id" and r["value"] else r
            for r in rules
        ]
        assert rule_errors(rules) == {}
        for index, (arr, market, plan, created, owned) in enumerate(rows):
            CustomerFactory(
                name=f"{market}{plan}{index}",
                arr=Decimal(str(arr)),
                market_segment=market,
                plan=plan,
                region=plan,
                created=dt.date.fromisoformat(created) if created else None,
                account_owner=owner if owned else None,
            )
        customers = list(Customer.objects.all())
        assert selected(rules, match) == expected(customers, rules, match)
        transaction.set_rollback(True)
