"""The customer voice's pages besides the inbox: who may open and submit each (every
role, and anonymous visitors), the customer list and page, contacts, segments, the
note form and page, bad input, query counts and escaping.

The inbox, its triage actions and the evidence panel: test_views_inbox.py.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.urls import reverse

from pilothouse.core.models import ChangeRecord
from pilothouse.core.roles import Role
from pilothouse.customers.forms import CustomerForm, SegmentForm
from pilothouse.customers.models import Contact, Customer, Note, NoteKind, Segment, Tag
from tests.factories import (
    ContactFactory,
    CustomerFactory,
    FeatureFactory,
    NoteFactory,
    NoteLinkFactory,
    SegmentFactory,
    TagFactory,
)
from tests.web.helpers import assert_same_queries, form_payload, history_panel

pytestmark = pytest.mark.django_db

ROLES = [role.value for role in Role]
TRIAGERS = {Role.ADMIN, Role.PRODUCT_LEADER, Role.PRODUCT_MANAGER}
NOTE_WRITERS = TRIAGERS | {Role.CONTRIBUTOR}
SCRIPT = "<script>alert('x')</script>"


@pytest.fixture
def voice(web_world):
    """The web world, plus a customer with a contact, a segment and a note written by
    the other product manager (so a contributor is not its author)."""
    customer = CustomerFactory(
        name="Acme", arr=Decimal("120000"), market_segment="Enterprise", region="EMEA"
    )
    contact = ContactFactory(customer=customer, name="Dana", email="dana@acme.test")
    segment = SegmentFactory(name="Big", rules=[{"field": "arr", "op": ">=", "value": 100000}])
    note = NoteFactory(customer=customer, author=web_world.other_pm, title="Exports")
    web_world.customer, web_world.contact, web_world.segment = customer, contact, segment
    web_world.note = note
    return web_world


def _statuses(client, world, url: str, method: str = "get", data=None) -> dict[str, int]:
    statuses = {}
    for role in ROLES:
        client.force_login(world.user(role))
        response = getattr(client, method)(url, data or {})
        statuses[role] = response.status_code
    return statuses


READ_PAGES = {
    "customers": lambda w: reverse("customers:customer_list"),
    "customer": lambda w: reverse("customers:customer_detail", args=[w.customer.pk]),
    "segments": lambda w: reverse("customers:segment_list"),
    "note": lambda w: reverse("customers:note_detail", args=[w.note.pk]),
    "inbox": lambda w: reverse("customers:inbox"),
    "inbox_with_note": lambda w: reverse("customers:inbox") + f"?note={w.note.pk}",
    "feature_search": lambda w: reverse("customers:feature_search") + "?feature_q=MINE",
    "customer_options": lambda w: reverse("customers:customer_options") + "?customer_search=Ac",
    "contact_options": lambda w: (
        reverse("customers:contact_options") + f"?customer={w.customer.pk}"
    ),
    "feature_with_evidence": lambda w: reverse("roadmap:feature_detail", args=[w.mine.feature.pk]),
}

# Pages that change something: URL -> who may open them.
WRITE_PAGES = {
    "customer_create": (lambda w: reverse("customers:customer_create"), TRIAGERS),
    "customer_edit": (
        lambda w: reverse("customers:customer_edit", args=[w.customer.pk]),
        TRIAGERS,
    ),
    "customer_delete": (
        lambda w: reverse("customers:customer_delete", args=[w.customer.pk]),
        TRIAGERS,
    ),
    "contact_create": (
        lambda w: reverse("customers:contact_create", args=[w.customer.pk]),
        TRIAGERS,
    ),
    "contact_edit": (lambda w: reverse("customers:contact_edit", args=[w.contact.pk]), TRIAGERS),
    "contact_delete": (
        lambda w: reverse("customers:contact_delete", args=[w.contact.pk]),
        TRIAGERS,
    ),
    "segment_create": (lambda w: reverse("customers:segment_create"), TRIAGERS),
    "segment_edit": (lambda w: reverse("customers:segment_edit", args=[w.segment.pk]), TRIAGERS),
    "segment_delete": (
        lambda w: reverse("customers:segment_delete", args=[w.segment.pk]),
        TRIAGERS,
    ),
    "note_create": (lambda w: reverse("customers:note_create"), NOTE_WRITERS),
    "note_edit": (lambda w: reverse("customers:note_edit", args=[w.note.pk]), TRIAGERS),
    "note_delete": (lambda w: reverse("customers:note_delete", args=[w.note.pk]), TRIAGERS),
}


@pytest.mark.parametrize("page", READ_PAGES)
def test_every_role_reads_every_page(client, voice, page):
    assert _statuses(client, voice, READ_PAGES[page](voice)) == dict.fromkeys(ROLES, 200)


@pytest.mark.parametrize("page", WRITE_PAGES)
def test_who_may_open_the_pages_that_write(client, voice, page):
    url_of, allowed = WRITE_PAGES[page]
    expected = {role: 200 if role in allowed else 403 for role in ROLES}
    assert _statuses(client, voice, url_of(voice)) == expected


def test_anonymous_visitors_are_sent_to_log_in(client, voice):
    urls = [page(voice) for page in READ_PAGES.values()]
    urls += [url_of(voice) for url_of, _ in WRITE_PAGES.values()]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("core:login") + "?next="), url
    response = client.post(reverse("customers:note_create"), {"text": "Hi"})
    assert response.status_code == 302
    assert not Note.objects.filter(text="Hi").exists()


def test_a_contributor_edits_and_deletes_their_own_note_only(client, voice):
    own = NoteFactory(author=voice.contributor, text="Mine")
    client.force_login(voice.contributor)
    assert client.get(reverse("customers:note_edit", args=[own.pk])).status_code == 200
    assert client.get(reverse("customers:note_delete", args=[own.pk])).status_code == 200
    assert client.get(reverse("customers:note_edit", args=[voice.note.pk])).status_code == 403
    response = client.post(
        reverse("customers:note_edit", args=[voice.note.pk]),
        {"text": "Hacked", "source": "other", "version": 1},
    )
    assert response.status_code == 403
    voice.note.refresh_from_db()
    assert voice.note.text != "Hacked"


# --- the note form ----------------------------------------------------------------------


def _note_data(**changes):
    data = {"text": "Exports time out", "title": "", "source": "support", "tags": ""}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_a_contributor_creates_a_note_without_a_kind_field(client, voice):
    client.force_login(voice.contributor)
    page = client.get(reverse("customers:note_create"))
    assert "kind" not in page.context["form"].fields
    data = _note_data(
        customer=voice.customer.pk, contact=voice.contact.pk, tags="Exports, speed, exports"
    )
    response = client.post(reverse("customers:note_create"), data)
    note = Note.objects.get(text="Exports time out")
    assert response.url == reverse("customers:note_detail", args=[note.pk])
    assert (note.author, note.customer, note.contact) == (
        voice.contributor,
        voice.customer,
        voice.contact,
    )
    assert sorted(t.name for t in note.tags.all()) == ["Exports", "speed"]
    assert note.kind is None
    assert note.state == "new"
    panel = history_panel(client.get(response.url).content.decode())
    assert "Created" in panel
    assert "contributor" in panel


def test_a_product_manager_sets_the_kind_in_the_form(client, voice):
    bug = NoteKind.objects.get(name="Bug")
    client.force_login(voice.pm)
    client.post(reverse("customers:note_create"), _note_data(kind=bug.pk))
    assert Note.objects.get(text="Exports time out").kind == bug


def test_a_contributor_cannot_slip_a_kind_into_the_form(client, voice):
    bug = NoteKind.objects.get(name="Bug")
    client.force_login(voice.contributor)
    client.post(reverse("customers:note_create"), _note_data(kind=bug.pk))
    assert Note.objects.get(text="Exports time out").kind is None  # the field is not there


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"text": ""}, "text"),
        ({"text": "   "}, "text"),
        ({"text": "x" * 50_001}, "text"),
        ({"source": "pigeon"}, "source"),
        ({"customer": "999999"}, "customer"),
        ({"tags": "ok, " + "t" * 51}, "tags"),
    ],
)
def test_bad_note_input_names_the_field_and_saves_nothing(client, voice, changes, field):
    client.force_login(voice.pm)
    before = Note.objects.count()
    response = client.post(reverse("customers:note_create"), _note_data(**changes))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert Note.objects.count() == before
    assert not Tag.objects.exists()


def test_a_contact_of_another_customer_is_refused(client, voice):
    stranger = ContactFactory()
    client.force_login(voice.pm)
    data = _note_data(customer=voice.customer.pk, contact=stranger.pk)
    response = client.post(reverse("customers:note_create"), data)
    assert "another customer" in response.context["form"].errors["contact"][0]


def test_the_customer_search_redraws_the_form_and_saves_nothing(client, voice):
    CustomerFactory(name="Zeta Widgets")
    client.force_login(voice.pm)
    data = _note_data(customer_search="zeta", find_customer="1")
    response = client.post(reverse("customers:note_create"), data)
    assert response.status_code == 200
    assert not Note.objects.filter(text="Exports time out").exists()
    labels = [label for _value, label in response.context["form"].fields["customer"].widget.choices]
    assert labels == ["No customer", "Zeta Widgets"]


def test_the_customer_select_does_not_list_every_customer(client, voice):
    CustomerFactory.create_batch(30)
    client.force_login(voice.pm)
    form = client.get(reverse("customers:note_create")).context["form"]
    assert len(form.fields["customer"].widget.choices) == 21  # 20 biggest + "No customer"


def test_the_options_endpoints(client, voice):
    client.force_login(voice.viewer)
    html = client.get(
        reverse("customers:customer_options"), {"customer_search": "acm"}
    ).content.decode()
    assert f'<option value="{voice.customer.pk}">Acme</option>' in html
    html = client.get(
        reverse("customers:contact_options"), {"customer": voice.customer.pk}
    ).content.decode()
    assert f'<option value="{voice.contact.pk}">Dana</option>' in html


def test_editing_a_note_keeps_the_version_and_logs_the_change(client, voice):
    note = voice.note
    client.force_login(voice.pm)
    url = reverse("customers:note_edit", args=[note.pk])
    data = _note_data(text="Exports time out daily", tags="exports", version=1)
    assert client.post(url, data).status_code == 302
    note.refresh_from_db()
    assert (note.text, note.version) == ("Exports time out daily", 2)
    stale = client.post(url, _note_data(text="Mine", version=1))
    assert stale.status_code == 409
    note.refresh_from_db()
    assert note.text == "Exports time out daily"


def test_the_note_page_renders_markdown_safely_and_shows_history(client, voice):
    note = NoteFactory(
        title=SCRIPT,
        text=f"**Loud** {SCRIPT}\n\n[x](javascript:alert(1))\n\n<img src=x onerror=alert(1)>",
        customer=CustomerFactory(name=SCRIPT),
    )
    client.force_login(voice.viewer)
    html = client.get(reverse("customers:note_detail", args=[note.pk])).content.decode()
    assert "<strong>Loud</strong>" in html
    assert "<script>alert(" not in html
    assert 'href="javascript:' not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert 'id="history"' in html
    # A viewer sees no triage action.
    assert 'data-shortcut="archive"' not in html


def test_deleting_a_note(client, voice):
    client.force_login(voice.leader)
    url = reverse("customers:note_delete", args=[voice.note.pk])
    response = client.post(url, {"version": 1})
    assert response.url == reverse("customers:inbox")
    assert not Note.objects.filter(pk=voice.note.pk).exists()


# --- customers ----------------------------------------------------------------------------


@pytest.fixture
def accounts(db):
    CustomerFactory(name="Alpha", arr=10, market_segment="SMB", plan="Pro", region="NA")
    CustomerFactory(name="Beta", arr=500_000, market_segment="Enterprise", region="EMEA")
    gamma = CustomerFactory(name="Gamma", arr=90_000, market_segment="Enterprise", region="NA")
    NoteFactory.create_batch(3, customer=gamma)
    return SegmentFactory(name="Big", rules=[{"field": "arr", "op": ">=", "value": 80000}])


def _names(response) -> list[str]:
    return [c.name for c in response.context["customers"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["Alpha", "Beta", "Gamma"]),
        ({"q": "amm"}, ["Gamma"]),
        ({"market_segment": "Enterprise"}, ["Beta", "Gamma"]),
        ({"plan": "Pro"}, ["Alpha"]),
        ({"region": "NA"}, ["Alpha", "Gamma"]),
        ({"min_arr": "100000"}, ["Beta"]),
        ({"sort": "-arr"}, ["Beta", "Gamma", "Alpha"]),
        ({"sort": "-notes"}, ["Gamma", "Beta", "Alpha"]),
        ({"sort": "-name", "region": "NA"}, ["Gamma", "Alpha"]),
        ({"min_arr": "-5", "sort": "bogus"}, ["Alpha", "Beta", "Gamma"]),  # ignored
    ],
)
def test_the_customer_list_filters_and_sorts(client, viewer, accounts, query, expected):
    client.force_login(viewer)
    assert _names(client.get(reverse("customers:customer_list"), query)) == expected


def test_the_customer_list_filters_by_segment(client, viewer, accounts):
    client.force_login(viewer)
    response = client.get(reverse("customers:customer_list"), {"segment": accounts.pk})
    assert _names(response) == ["Beta", "Gamma"]


def test_htmx_gets_the_customer_table_only(client, viewer, accounts):
    client.force_login(viewer)
    response = client.get(
        reverse("customers:customer_list"), {"region": "NA"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert "<html" not in html
    assert "Gamma" in html
    assert "Beta" not in html
    assert "HX-Request" in response["Vary"]


def test_the_customer_list_costs_the_same_queries_for_5_and_50(client, viewer):
    owner = viewer
    for _ in range(5):
        NoteFactory(customer=CustomerFactory(account_owner=owner, market_segment="SMB"))
    client.force_login(viewer)
    assert_same_queries(
        lambda: client.get(reverse("customers:customer_list"), {"sort": "-notes"}),
        lambda: [
            NoteFactory(customer=CustomerFactory(account_owner=owner, market_segment="SMB"))
            for _ in range(45)
        ],
    )


def test_the_customer_page_shows_the_features_they_asked_for(client, viewer):
    customer = CustomerFactory(name="Acme", arr=1000)
    feature = FeatureFactory(title="Exports", stage="planned")
    old = NoteFactory(customer=customer, submitted_at="2025-01-01T10:00:00Z")
    new = NoteFactory(customer=customer, submitted_at="2025-06-01T10:00:00Z")
    NoteLinkFactory(note=old, feature=feature, importance=3)
    NoteLinkFactory(note=new, feature=feature, importance=1)
    ContactFactory(customer=customer, name="Dana Scully", role="CFO")
    SegmentFactory(name="Tiny", rules=[{"field": "arr", "op": "<", "value": 5000}])
    SegmentFactory(name="Huge", rules=[{"field": "arr", "op": ">", "value": 5000}])
    client.force_login(viewer)
    response = client.get(reverse("customers:customer_detail", args=[customer.pk]))
    (row,) = response.context["features"]
    assert (row.feature, row.importance, row.request_count) == (feature, 1, 2)  # the latest
    assert [s.name for s in response.context["segments"]] == ["Tiny"]
    html = response.content.decode()
    assert "Nice to have" in html
    assert "Planned" in html
    assert "Dana Scully" in html


def _grow_customer(customer, features, n: int) -> None:
    tag = TagFactory()
    for i in range(n):
        note = NoteFactory(customer=customer)
        note.tags.add(tag)
        NoteLinkFactory(note=note, feature=features[i % len(features)], importance=2)
        ContactFactory(customer=customer)


def test_the_customer_page_costs_the_same_queries_for_5_and_50_notes(client, viewer):
    customer = CustomerFactory()
    features = FeatureFactory.create_batch(3)
    SegmentFactory(rules=[{"field": "arr", "op": ">=", "value": 0}])
    _grow_customer(customer, features, 5)
    client.force_login(viewer)
    url = reverse("customers:customer_detail", args=[customer.pk])
    assert_same_queries(lambda: client.get(url), lambda: _grow_customer(customer, features, 45))


def test_customer_names_are_escaped_everywhere(client, viewer):
    customer = CustomerFactory(name=SCRIPT, market_segment=SCRIPT)
    note = NoteFactory(customer=customer, text=SCRIPT)
    NoteLinkFactory(note=note, feature=FeatureFactory())
    client.force_login(viewer)
    for url in (
        reverse("customers:customer_list"),
        reverse("customers:customer_detail", args=[customer.pk]),
        reverse("customers:inbox") + f"?note={note.pk}",
        reverse("customers:customer_options") + "?customer_search=script",
        reverse("roadmap:feature_detail", args=[note.links.get().feature_id]),
    ):
        html = client.get(url).content.decode()
        assert "<script>alert(" not in html, url
        assert "&lt;script&gt;" in html, url


def test_creating_and_editing_a_customer(client, voice):
    client.force_login(voice.pm)
    data = form_payload(CustomerForm(), name="Globex", arr="2500.50", region="NA")
    response = client.post(reverse("customers:customer_create"), data)
    customer = Customer.objects.get(name="Globex")
    assert response.url == reverse("customers:customer_detail", args=[customer.pk])
    data = form_payload(CustomerForm(instance=customer), arr="3000")
    client.post(reverse("customers:customer_edit", args=[customer.pk]), data)
    customer.refresh_from_db()
    assert (customer.arr, customer.version) == (Decimal("3000"), 2)


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"arr": "-1"}, "arr"), ({"name": ""}, "name"), ({"created": "2024-13-40"}, "created")],
)
def test_bad_customer_input_names_the_field(client, voice, changes, field):
    client.force_login(voice.pm)
    data = form_payload(CustomerForm(instance=voice.customer), **changes)
    url = reverse("customers:customer_edit", args=[voice.customer.pk])
    response = client.post(url, data)
    assert field in response.context["form"].errors
    voice.customer.refresh_from_db()
    assert (voice.customer.name, voice.customer.version) == ("Acme", 1)


@pytest.mark.parametrize("role", [Role.CONTRIBUTOR, Role.VIEWER])
def test_read_only_roles_cannot_submit_customer_writes(client, voice, role):
    client.force_login(voice.user(role))
    data = form_payload(CustomerForm(instance=voice.customer), name="Hacked")
    url = reverse("customers:customer_edit", args=[voice.customer.pk])
    assert client.post(url, data).status_code == 403
    assert client.post(reverse("customers:customer_create"), data).status_code == 403
    url = reverse("customers:contact_create", args=[voice.customer.pk])
    assert client.post(url, {"name": "Eve"}).status_code == 403
    assert not Customer.objects.filter(name="Hacked").exists()
    assert not Contact.objects.filter(name="Eve").exists()


def test_adding_a_contact(client, voice):
    client.force_login(voice.pm)
    url = reverse("customers:contact_create", args=[voice.customer.pk])
    response = client.post(url, {"name": "Fox", "email": "fox@acme.test", "role": "CTO"})
    assert response.url.endswith("#contacts")
    assert Contact.objects.get(name="Fox").customer == voice.customer
    response = client.post(url, {"name": "Bad", "email": "not-an-email"})
    assert "email" in response.context["form"].errors


# --- segments -------------------------------------------------------------------------------


def test_the_segment_list_counts_members_now(client, viewer):
    CustomerFactory(arr=10)
    CustomerFactory(arr=1000)
    SegmentFactory(name="Some", rules=[{"field": "arr", "op": ">", "value": 100}])
    SegmentFactory(name="All", rules=[])
    SegmentFactory(name="None", rules=[], match="any")
    client.force_login(viewer)
    response = client.get(reverse("customers:segment_list"))
    counts = {segment.name: n for segment, n in response.context["segments"]}
    assert counts == {"Some": 1, "All": 2, "None": 0}


def test_the_segment_list_costs_the_same_queries_for_few_and_many(client, viewer):
    SegmentFactory.create_batch(2, rules=[{"field": "arr", "op": ">", "value": 1}])
    client.force_login(viewer)
    assert_same_queries(
        lambda: client.get(reverse("customers:segment_list")),
        lambda: SegmentFactory.create_batch(20, rules=[{"field": "plan", "op": "=", "value": "x"}]),
    )


def _segment_data(rules, **changes):
    data = form_payload(SegmentForm(), name="Whales", match="all", rules=json.dumps(rules))
    data.update(changes)
    return data


def test_creating_a_segment_with_rules(client, voice):
    client.force_login(voice.pm)
    rules = [{"field": "region", "op": "in", "value": ["EMEA", "UK"]}]
    response = client.post(reverse("customers:segment_create"), _segment_data(rules))
    assert response.status_code == 302
    assert Segment.objects.get(name="Whales").rules == rules


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ([{"field": "colour", "op": "=", "value": "red"}], "rules[0].field"),
        (
            [{"field": "arr", "op": ">", "value": 1}, {"field": "arr", "op": "~", "value": 1}],
            "rules[1].op",
        ),
        ([{"field": "created", "op": "=", "value": "yesterday"}], "rules[0].value"),
        ([{"field": "account_owner_id", "op": "=", "value": 999999}], "rules[0].value"),
        ({"field": "arr"}, "rules: must be a list"),
    ],
)
def test_bad_rules_are_named_on_the_rules_field(client, voice, rules, message):
    client.force_login(voice.pm)
    response = client.post(reverse("customers:segment_create"), _segment_data(rules))
    assert response.status_code == 200
    errors = response.context["form"].errors["rules"]
    assert any(message in error for error in errors), errors
    assert not Segment.objects.filter(name="Whales").exists()


def test_rules_that_are_not_json_are_refused(client, voice):
    client.force_login(voice.pm)
    data = {**_segment_data([]), "rules": "[{"}
    response = client.post(reverse("customers:segment_create"), data)
    assert "rules" in response.context["form"].errors


def test_the_live_member_count_of_rules_being_edited(client, voice):
    CustomerFactory(arr=500_000)
    client.force_login(voice.pm)
    url = reverse("customers:segment_preview")
    rules = json.dumps([{"field": "arr", "op": ">=", "value": 100000}])
    html = client.post(url, {"rules": rules, "match": "all"}).content.decode()
    assert "<strong>2</strong> customers match" in html  # Acme and this one
    html = client.post(url, {"rules": '[{"field": "x", "op": "=", "value": 1}]'}).content.decode()
    assert "rules[0].field" in html
    assert "not valid JSON" in client.post(url, {"rules": "[{"}).content.decode()


def test_a_segment_edit_is_logged(client, voice):
    client.force_login(voice.leader)
    url = reverse("customers:segment_edit", args=[voice.segment.pk])
    data = form_payload(SegmentForm(instance=voice.segment), match="any")
    data["rules"] = json.dumps(voice.segment.rules)
    assert client.post(url, data).status_code == 302
    voice.segment.refresh_from_db()
    assert voice.segment.match == "any"
    assert ChangeRecord.objects.filter(action="update").count() == 1
