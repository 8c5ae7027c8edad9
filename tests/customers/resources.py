"""The customer voice's rows of the API test matrices (tests/api/resources.py).

Who may write differs from the stewardship rules of the portfolio, so each row says
it with `allowed(role, method)`: see the rules in customers/models.py.

tests/api/resources.py imports this module after defining Spec and World; import the
rows through it (`from tests.api.resources import SPECS`), not from here.
"""

from __future__ import annotations

import itertools

from pilothouse.customers.models import (
    Contact,
    Customer,
    Note,
    NoteKind,
    NoteLink,
    NoteSource,
    Segment,
    Tag,
)
from tests.api.resources import Spec, World
from tests.factories import (
    ContactFactory,
    CustomerFactory,
    FeatureFactory,
    NoteFactory,
    NoteKindFactory,
    NoteLinkFactory,
    SegmentFactory,
    TagFactory,
)

_serial = itertools.count(1)

EVERYONE_WHO_WRITES = {"admin", "product_leader", "pm_owner", "pm_other"}


def triagers(role: str, method: str) -> bool:
    """Product managers (whatever they own), leaders and admins."""
    return role in EVERYONE_WHO_WRITES


def leaders(role: str, method: str) -> bool:
    return role in {"admin", "product_leader"}


def note_writers(role: str, method: str) -> bool:
    return role in EVERYONE_WHO_WRITES | {"contributor"}


def notes_allowed(role: str, method: str) -> bool:
    # The matrix's notes are written by somebody else: a contributor creates notes
    # but changes only their own (tested in tests/customers/test_permissions.py).
    if method == "create":
        return note_writers(role, method)
    return triagers(role, method)


# --- customers, contacts, segments -------------------------------------------------


def make_customer(w: World) -> Customer:
    customer = CustomerFactory(
        account_owner=w.pm, arr=5000, market_segment="SMB", plan="Pro", region="EMEA"
    )
    ContactFactory(customer=customer)
    NoteFactory(customer=customer)
    return customer


def create_customer(w: World) -> dict:
    return {
        "name": "Globex",
        "external_id": f"crm-{next(_serial)}",
        "market_segment": "Mid-market",
        "plan": "Team",
        "arr": "25000.00",
        "region": "NA",
        "account_owner_id": w.pm.pk,
        "created": "2024-03-01",
    }


def filter_customers(w: World) -> tuple[dict, list[int]]:
    whales, _ = Segment.objects.get_or_create(
        name="Whales", defaults={"rules": [{"field": "arr", "op": ">=", "value": 900000}]}
    )
    customer = CustomerFactory(arr=1_000_000)
    members = Customer.objects.filter(arr__gte=900000).values_list("pk", flat=True)
    assert customer.pk in members
    return {"segment_id": whales.pk}, list(members)


def make_contact(w: World) -> Contact:
    return ContactFactory(email="someone@example.com", role="CTO")


def create_contact(w: World) -> dict:
    return {
        "customer_id": CustomerFactory().pk,
        "name": "Dana Scully",
        "email": "dana@example.com",
        "role": "VP Engineering",
    }


def filter_contacts(w: World) -> tuple[dict, list[int]]:
    contact = ContactFactory()
    return {"customer_id": contact.customer_id}, [contact.pk]


def make_segment(w: World) -> Segment:
    return SegmentFactory(description="Big ones", rules=[{"field": "arr", "op": ">=", "value": 1}])


def create_segment(w: World) -> dict:
    return {
        "name": f"Enterprise EMEA {next(_serial)}",
        "description": "Large accounts in Europe",
        "match": "all",
        "rules": [
            {"field": "market_segment", "op": "=", "value": "Enterprise"},
            {"field": "region", "op": "in", "value": ["EMEA", "UK"]},
        ],
    }


def filter_segments(w: World) -> tuple[dict, list[int]]:
    SegmentFactory(match="any")
    return {"match": "any"}, list(Segment.objects.filter(match="any").values_list("pk", flat=True))


# --- notes, links, kinds, tags -------------------------------------------------------


def make_note(w: World) -> Note:
    customer = CustomerFactory(arr=1200)
    note = NoteFactory(
        customer=customer,
        contact=ContactFactory(customer=customer),
        title="Exports are slow",
        source=NoteSource.SUPPORT,
        kind=NoteKind.objects.order_by("position").first(),
    )
    note.tags.add(TagFactory())
    NoteLinkFactory(note=note, feature=w.feature, importance=2)
    return note


def create_note(w: World) -> dict:
    contact = ContactFactory()
    return {
        "text": "Exports time out **every** day",
        "title": "Export timeouts",
        "source": "support",
        "customer_id": contact.customer_id,
        "contact_id": contact.pk,
        "tags": ["exports", "performance"],
        "external_id": f"desk-{next(_serial)}",
    }


def invalid_note(w: World) -> tuple[dict, str]:
    stranger = ContactFactory()
    return {"text": "Hi", "customer_id": CustomerFactory().pk, "contact_id": stranger.pk}, (
        "contact_id"
    )


def filter_notes(w: World) -> tuple[dict, list[int]]:
    emea, _ = Segment.objects.get_or_create(
        name="EMEA", defaults={"rules": [{"field": "region", "op": "=", "value": "emea"}]}
    )
    NoteFactory(customer=CustomerFactory(region="EMEA"))
    members = Note.objects.filter(customer__region="EMEA").values_list("pk", flat=True)
    return {"segment_id": emea.pk}, list(members)


def make_link(w: World) -> NoteLink:
    note = NoteFactory(customer=CustomerFactory(arr=100))
    return NoteLinkFactory(note=note, feature=w.feature, importance=2)


# The excerpt must be a passage of the note: the longest allowed one is in the text.
LONG_PASSAGE = "y" * 2000


def create_link(w: World) -> dict:
    note = NoteFactory(text=f"Please add SSO with Okta. {LONG_PASSAGE}")
    return {
        "note_id": note.pk,
        "feature_id": w.feature.pk,
        "importance": 3,
        "excerpt": "SSO with Okta",
    }


def invalid_link(w: World) -> tuple[dict, str]:
    note = NoteFactory(text="We need audit logs")
    body = {"note_id": note.pk, "feature_id": w.feature.pk, "excerpt": "words never said"}
    return body, "excerpt"


def filter_links(w: World) -> tuple[dict, list[int]]:
    link = NoteLinkFactory(feature=FeatureFactory(product=w.product))
    return {"feature_id": link.feature_id}, [link.pk]


def filter_kinds(w: World) -> tuple[dict, list[int]]:
    NoteKindFactory(active=False)
    return {"active": False}, list(
        NoteKind.objects.filter(active=False).values_list("pk", flat=True)
    )


def filter_tags(w: World) -> tuple[dict, list[int]]:
    TagFactory(name=f"zebra-{next(_serial)}")
    zebras = Tag.objects.filter(name__contains="zebra").values_list("pk", flat=True)
    return {"q": "zebra"}, list(zebras)


CUSTOMER_SPECS: list[Spec] = [
    Spec(
        path="/customers",
        model=Customer,
        make=make_customer,
        create=create_customer,
        patch={"arr": "30000.00", "plan": "Enterprise"},
        bad_type=("arr", "lots"),
        required="name",
        unknown_ref="account_owner_id",
        too_long=("name", 200),
        invalid=lambda w: ({"name": "Negative", "arr": -5}, "arr"),
        filter_case=filter_customers,
        order_field="arr",
        pm_creates=True,
        pm_changes=True,
        allowed=triagers,
    ),
    Spec(
        path="/contacts",
        model=Contact,
        make=make_contact,
        create=create_contact,
        patch={"role": "CTO and founder"},
        bad_type=("customer_id", "acme"),
        required="customer_id",
        unknown_ref="customer_id",
        too_long=("name", 120),
        invalid=lambda w: (
            {"customer_id": CustomerFactory().pk, "name": "X", "email": "not-an-address"},
            "email",
        ),
        filter_case=filter_contacts,
        order_field="name",
        pm_creates=True,
        pm_changes=True,
        allowed=triagers,
    ),
    Spec(
        path="/segments",
        model=Segment,
        make=make_segment,
        create=create_segment,
        patch={"match": "any", "rules": [{"field": "arr", "op": ">", "value": 50000}]},
        bad_type=("rules", "arr > 5"),
        required="name",
        unknown_ref=None,
        too_long=("name", 120),
        invalid=lambda w: (
            {"name": "Bad", "rules": [{"field": "region", "op": ">", "value": "EMEA"}]},
            "rules[0].op",
        ),
        filter_case=filter_segments,
        order_field="name",
        pm_creates=True,
        pm_changes=True,
        allowed=triagers,
    ),
    Spec(
        path="/notes",
        model=Note,
        make=make_note,
        create=create_note,
        patch={"title": "Exports time out", "text": "Exports time out daily."},
        bad_type=("tags", "exports,slow"),
        required="text",
        unknown_ref="customer_id",
        too_long=("text", 50_000),
        invalid=invalid_note,
        filter_case=filter_notes,
        order_field="submitted_at",
        pm_creates=True,
        pm_changes=True,
        allowed=notes_allowed,
    ),
    Spec(
        path="/note-links",
        model=NoteLink,
        make=make_link,
        create=create_link,
        patch={"importance": 1},
        bad_type=("importance", "very"),
        required="feature_id",
        unknown_ref="feature_id",
        too_long=("excerpt", 2000),
        invalid=invalid_link,
        filter_case=filter_links,
        order_field="importance",
        pm_creates=True,
        pm_changes=True,
        allowed=triagers,
    ),
    Spec(
        path="/note-kinds",
        model=NoteKind,
        make=lambda w: NoteKindFactory(),
        create=lambda w: {"name": f"Churn risk {next(_serial)}", "position": 70, "active": True},
        patch={"name": "Renamed kind", "active": False},
        bad_type=("active", "maybe"),
        required="name",
        unknown_ref=None,
        too_long=("name", 60),
        invalid=lambda w: ({"name": "bug"}, "name"),
        filter_case=filter_kinds,
        order_field="position",
        protect=lambda kind: NoteFactory(kind=kind, title="Uses the kind"),
        pm_creates=False,
        pm_changes=False,
        allowed=leaders,
    ),
    Spec(
        path="/tags",
        model=Tag,
        make=lambda w: TagFactory(),
        create=lambda w: {"name": f"billing-{next(_serial)}"},
        patch={"name": "invoicing"},
        bad_type=("name", ["a"]),
        required="name",
        unknown_ref=None,
        too_long=("name", 50),
        invalid=lambda w: ({"name": "   "}, "name"),
        filter_case=filter_tags,
        order_field="name",
        pm_creates=True,
        pm_changes=True,
        allowed=note_writers,
    ),
]
