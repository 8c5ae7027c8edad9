"""The feedback inbox: its list and filters (with and without htmx), the note pane and
its triage actions, bulk actions (all or nothing), the feature picker, the suggestion
block, who may do each, query counts, escaping; and the evidence panel on a feature."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from pilothouse.core.models import ChangeRecord
from pilothouse.core.roles import Role
from pilothouse.customers.models import Note, NoteKind, NoteLink, SuggestionDecision, Tag
from tests.factories import (
    ContactFactory,
    CustomerFactory,
    FeatureFactory,
    NoteFactory,
    NoteLinkFactory,
    SegmentFactory,
    TagFactory,
)
from tests.web.helpers import assert_same_queries

pytestmark = pytest.mark.django_db

ROLES = [role.value for role in Role]
TRIAGERS = {Role.ADMIN, Role.PRODUCT_LEADER, Role.PRODUCT_MANAGER}
INBOX = reverse("customers:inbox")
SCRIPT = "<script>alert('x')</script>"


def kind(name: str) -> NoteKind:
    return NoteKind.objects.get(name=name)


def ids(response) -> list[int]:
    return [note.pk for note in response.context["notes"]]


def at(days_ago: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days_ago)


# --- the list -----------------------------------------------------------------------------


@pytest.fixture
def notes(db):
    """Five notes across customers, kinds, sources, states, tags and dates."""
    acme = CustomerFactory(name="Acme", arr=200_000, region="EMEA", external_id="crm-1")
    tiny = CustomerFactory(name="Tiny", arr=100, region="NA")
    exports = FeatureFactory(title="Exports")
    made = {
        "bug": NoteFactory(
            customer=acme, kind=kind("Bug"), source="support", submitted_at=at(1), text="Crash"
        ),
        "idea": NoteFactory(customer=tiny, source="sales", submitted_at=at(3), title="Dark mode"),
        "old": NoteFactory(customer=acme, source="email", submitted_at=at(40), text="Slow export"),
        "done": NoteFactory(state="triaged", submitted_at=at(2), text="Thanks"),
        "gone": NoteFactory(state="archived", submitted_at=at(5), text="Spam"),
    }
    made["idea"].tags.add(TagFactory(name="UX"))
    NoteLinkFactory(note=made["old"], feature=exports)
    made["segment"] = SegmentFactory(rules=[{"field": "region", "op": "=", "value": "emea"}])
    made["feature"] = exports
    return made


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["bug", "idea", "old"]),  # new notes, newest first
        ({"state": "all"}, ["bug", "done", "idea", "gone", "old"]),
        ({"state": "archived"}, ["gone"]),
        ({"kind": "none"}, ["idea", "old"]),
        ({"source": "sales"}, ["idea"]),
        ({"customer": "acm"}, ["bug", "old"]),
        ({"customer": "crm-1"}, ["bug", "old"]),
        ({"tag": "ux"}, ["idea"]),
        ({"q": "slow export"}, ["old"]),
        ({"q": "dark"}, ["idea"]),  # titles too
        ({"submitted_from": "{from}"}, ["bug", "idea"]),
        ({"submitted_to": "{to}"}, ["old"]),
        ({"state": "bogus", "kind": "bogus", "submitted_from": "never"}, ["bug", "idea", "old"]),
    ],
)
def test_the_inbox_filters(client, viewer, notes, query, expected):
    dates = {"from": str(at(4).date()), "to": str(at(30).date())}
    query = {k: v.format(**dates) for k, v in query.items()}
    client.force_login(viewer)
    assert ids(client.get(INBOX, query)) == [notes[name].pk for name in expected]


def test_the_inbox_filters_by_kind_segment_customer_and_feature(client, viewer, notes):
    client.force_login(viewer)
    assert ids(client.get(INBOX, {"kind": kind("Bug").pk})) == [notes["bug"].pk]
    by_segment = client.get(INBOX, {"segment": notes["segment"].pk})
    assert ids(by_segment) == [notes["bug"].pk, notes["old"].pk]
    by_customer = client.get(INBOX, {"customer_id": notes["idea"].customer_id})
    assert ids(by_customer) == [notes["idea"].pk]
    by_feature = client.get(INBOX, {"feature": notes["feature"].pk, "state": "all"})
    assert ids(by_feature) == [notes["old"].pk]


def test_each_row_shows_what_triage_needs(client, viewer, notes):
    note = notes["bug"]
    note.tags.add(TagFactory(name="billing"))
    NoteLinkFactory(note=note, feature=FeatureFactory(title="Invoices"))
    Note.objects.filter(pk=notes["idea"].pk).update(
        suggested_kind=kind("Feature request"), suggested_kind_confidence=0.82
    )
    client.force_login(viewer)
    html = client.get(INBOX).content.decode()
    assert "Acme" in html
    assert "200,000 ARR" in html
    assert "Support" in html
    assert "Bug" in html
    assert "#billing" in html
    assert "Invoices" in html
    assert "Feature request?" in html
    assert "82%" in html


def test_the_inbox_has_pages_of_50(client, viewer):
    NoteFactory.create_batch(53)
    client.force_login(viewer)
    assert len(ids(client.get(INBOX))) == 50
    assert len(ids(client.get(INBOX, {"page": 2}))) == 3


def test_htmx_gets_the_list_only(client, viewer, notes):
    client.force_login(viewer)
    response = client.get(INBOX, {"source": "sales"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html
    assert 'id="bulk-form"' in html
    assert "Dark mode" in html
    assert "Crash" not in html
    assert "HX-Request" in response["Vary"]
    restore = client.get(INBOX, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert "<html" in restore.content.decode()


def test_the_filters_work_with_and_without_javascript(client, viewer, notes):
    client.force_login(viewer)
    html = client.get(INBOX).content.decode()
    assert 'method="get"' in html
    assert f'action="{INBOX}"' in html
    assert f'hx-get="{INBOX}"' in html
    assert 'hx-push-url="true"' in html
    assert 'hx-target="#inbox-results"' in html
    assert 'src="/static/customers/inbox.js"' in html
    assert 'id="shortcut-help"' in html
    assert "<kbd>j</kbd>" in html


def test_a_selected_note_opens_in_the_pane_without_javascript(client, viewer, notes):
    client.force_login(viewer)
    response = client.get(INBOX, {"note": notes["idea"].pk, "source": "sales"})
    html = response.content.decode()
    assert response.context["note"] == notes["idea"]
    assert (
        f'id="note-row-{notes["idea"].pk}" data-note-id="{notes["idea"].pk}" aria-current' in html
    )
    # Each row opens its note keeping the filters.
    assert f"?source=sales&amp;note={notes['idea'].pk}" in html


def test_the_pane_endpoint(client, viewer, notes):
    client.force_login(viewer)
    url = reverse("customers:note_pane", args=[notes["bug"].pk])
    assert client.get(url).url == f"{INBOX}?note={notes['bug'].pk}"  # no htmx: the inbox
    html = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in html
    assert "Crash" in html
    assert (
        client.get(
            reverse("customers:note_pane", args=[999999]), HTTP_HX_REQUEST="true"
        ).status_code
        == 404
    )


def _grow_inbox(n: int, feature, segment_customer) -> None:
    tag = TagFactory()
    for i in range(n):
        note = NoteFactory(
            customer=segment_customer if i % 2 else CustomerFactory(),
            kind=kind("Bug") if i % 3 else None,
            suggested_kind=kind("Praise"),
            suggested_kind_confidence=0.5,
        )
        note.tags.add(tag)
        NoteLinkFactory(note=note, feature=feature, importance=i % 4)


@pytest.mark.parametrize("with_pane", [False, True])
def test_the_inbox_costs_the_same_queries_for_5_and_50_notes(client, make_user, with_pane):
    pm = make_user(Role.PRODUCT_MANAGER)
    feature = FeatureFactory()
    customer = CustomerFactory(region="EMEA")
    SegmentFactory(rules=[{"field": "region", "op": "=", "value": "EMEA"}])
    _grow_inbox(5, feature, customer)
    selected = Note.objects.first()
    client.force_login(pm)
    query = {"state": "all", "note": selected.pk} if with_pane else {"state": "all"}
    assert_same_queries(
        lambda: client.get(INBOX, query), lambda: _grow_inbox(45, feature, customer)
    )


def test_note_text_and_customer_names_are_escaped_in_the_inbox(client, viewer):
    note = NoteFactory(title=SCRIPT, text=f"{SCRIPT} **hi**", customer=CustomerFactory(name=SCRIPT))
    note.tags.add(TagFactory(name=SCRIPT[:40]))
    client.force_login(viewer)
    for response in (
        client.get(INBOX, {"note": note.pk}),
        client.get(INBOX, HTTP_HX_REQUEST="true"),
        client.get(reverse("customers:note_pane", args=[note.pk]), HTTP_HX_REQUEST="true"),
    ):
        html = response.content.decode()
        assert "<script>alert(" not in html
        assert "&lt;script&gt;" in html


# --- the triage actions of the pane ----------------------------------------------------------


@pytest.fixture
def triage_world(web_world):
    web_world.note = NoteFactory(text="Exports are slow, please fix exports", author=web_world.pm)
    web_world.feature = FeatureFactory(title="Faster exports")
    web_world.link = NoteLinkFactory(note=NoteFactory(), feature=FeatureFactory())
    return web_world


ACTIONS = {
    "set_kind": lambda w: (
        reverse("customers:note_set_kind", args=[w.note.pk]),
        {"kind": kind("Bug").pk},
    ),
    "archive": lambda w: (
        reverse("customers:note_set_state", args=[w.note.pk]),
        {"state": "archived"},
    ),
    "link": lambda w: (
        reverse("customers:note_link_create", args=[w.note.pk]),
        {"feature": w.feature.pk, "importance": "2"},
    ),
    "link_update": lambda w: (
        reverse("customers:link_update", args=[w.link.pk]),
        {"importance": "3"},
    ),
    "link_delete": lambda w: (reverse("customers:link_delete", args=[w.link.pk]), {}),
    "suggestion": lambda w: (
        reverse("customers:note_suggestion", args=[w.note.pk]),
        {"kind": "kind", "target_id": kind("Bug").pk, "decision": "accept"},
    ),
    "bulk": lambda w: (
        reverse("customers:inbox_bulk"),
        {"note_ids": [w.note.pk], "action": "archive"},
    ),
}


def _fingerprint() -> tuple:
    return (
        list(Note.objects.order_by("pk").values_list("kind_id", "state", "version")),
        list(NoteLink.objects.order_by("pk").values_list("feature_id", "importance")),
        SuggestionDecision.objects.count(),
        ChangeRecord.objects.count(),
    )


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("role", ROLES)
def test_who_may_triage(client, triage_world, action, role):
    url, data = ACTIONS[action](triage_world)
    client.force_login(triage_world.user(role))
    before = _fingerprint()
    response = client.post(url, data)
    if role in TRIAGERS:
        assert response.status_code == 302, response.content[:300]
        assert _fingerprint() != before
    else:
        assert response.status_code == 403
        assert _fingerprint() == before


def test_anonymous_visitors_cannot_triage(client, triage_world):
    before = _fingerprint()
    for make in ACTIONS.values():
        url, data = make(triage_world)
        response = client.post(url, data)
        assert response.status_code == 302
        assert "/login/" in response.url
    assert _fingerprint() == before


def test_a_contributor_cannot_triage_even_their_own_note(client, triage_world):
    own = NoteFactory(author=triage_world.contributor)
    client.force_login(triage_world.contributor)
    url = reverse("customers:note_set_kind", args=[own.pk])
    assert client.post(url, {"kind": kind("Bug").pk}).status_code == 403
    own.refresh_from_db()
    assert own.kind is None


def test_the_actions_through_htmx_answer_the_pane_and_the_row(client, triage_world):
    note = triage_world.note
    client.force_login(triage_world.pm)
    url = reverse("customers:note_set_kind", args=[note.pk])
    response = client.post(url, {"kind": kind("Praise").pk}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert 'class="note-pane"' in html
    assert f'id="note-row-body-{note.pk}" hx-swap-oob="true"' in html
    assert 'id="inbox-status"' in html
    assert "Kind set to Praise." in html
    note.refresh_from_db()
    assert note.kind == kind("Praise")
    response = client.post(
        reverse("customers:note_set_state", args=[note.pk]),
        {"state": "triaged"},
        HTTP_HX_REQUEST="true",
    )
    assert response["HX-Trigger"] == "inbox:noteDone"  # the page moves on to the next note
    note.refresh_from_db()
    assert note.state == "triaged"


def test_without_javascript_an_action_goes_back_where_it_came_from(client, triage_world):
    client.force_login(triage_world.pm)
    back = f"{INBOX}?source=sales&note={triage_world.note.pk}"
    url = reverse("customers:note_set_state", args=[triage_world.note.pk])
    response = client.post(url, {"state": "archived", "next": back})
    assert response.url == back
    response = client.post(url, {"state": "archived", "next": "https://evil.example/"})
    assert response.url == f"{INBOX}?note={triage_world.note.pk}"


def test_linking_a_note_with_importance_and_excerpt(
    client, triage_world, django_capture_on_commit_callbacks
):
    note, feature = triage_world.note, triage_world.feature
    client.force_login(triage_world.pm)
    url = reverse("customers:note_link_create", args=[note.pk])
    data = {"feature": feature.pk, "importance": "3", "excerpt": "please fix exports"}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, data)
    link = NoteLink.objects.get(note=note)
    assert (link.feature, link.importance, link.excerpt) == (feature, 3, "please fix exports")
    feature.refresh_from_db()
    assert feature.demand_requests == 1  # the demand follows
    client.post(reverse("customers:link_update", args=[link.pk]), {"importance": "1"})
    link.refresh_from_db()
    assert link.importance == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Choose a feature"),
        ({"feature": "999999"}, "No such feature"),
        ({"feature": "{feature}", "importance": "7"}, "importance"),
        ({"feature": "{feature}", "excerpt": "words not in the note"}, "does not appear"),
        ({"feature": "{linked}"}, "already linked"),
    ],
)
def test_a_bad_link_says_why_and_changes_nothing(client, triage_world, data, message):
    note = triage_world.note
    linked = NoteLinkFactory(note=note, feature=FeatureFactory()).feature
    data = {k: v.format(feature=triage_world.feature.pk, linked=linked.pk) for k, v in data.items()}
    client.force_login(triage_world.pm)
    before = _fingerprint()
    url = reverse("customers:note_link_create", args=[note.pk])
    html = client.post(url, data, HTTP_HX_REQUEST="true").content.decode()
    assert 'role="alert"' in html
    assert message in html
    assert _fingerprint() == before


def test_bad_kind_and_state_change_nothing(client, triage_world):
    note = triage_world.note
    retired = NoteKind.objects.create(name="Retired", active=False)
    client.force_login(triage_world.pm)
    before = _fingerprint()
    for url, data in [
        (reverse("customers:note_set_kind", args=[note.pk]), {"kind": retired.pk}),
        (reverse("customers:note_set_kind", args=[note.pk]), {"kind": "999999"}),
        (reverse("customers:note_set_state", args=[note.pk]), {"state": "deleted"}),
    ]:
        html = client.post(url, data, HTTP_HX_REQUEST="true").content.decode()
        assert 'role="alert"' in html
    assert _fingerprint() == before


def test_the_feature_picker(client, viewer, triage_world):
    FeatureFactory(title="Export to CSV")
    FeatureFactory(title="Bulk export")
    FeatureFactory(title=SCRIPT)
    client.force_login(viewer)
    url = reverse("customers:feature_search")
    html = client.get(url, {"feature_q": "export", "note": triage_world.note.pk}).content.decode()
    titles = [t.split("<")[0] for t in html.split('picker-option__title">')[1:]]
    assert titles == ["Export to CSV", "Bulk export", "Faster exports"]  # prefix first
    assert f'form="link-form-{triage_world.note.pk}"' in html
    assert "No feature matches" in client.get(url, {"feature_q": "zzz"}).content.decode()
    html = client.get(url, {"feature_q": "script"}).content.decode()
    assert "<script>alert(" not in html


def test_the_picker_leaves_out_the_features_already_linked(client, triage_world):
    NoteLinkFactory(note=triage_world.note, feature=triage_world.feature)
    client.force_login(triage_world.pm)
    url = reverse("customers:feature_search")
    html = client.get(url, {"feature_q": "exports", "note": triage_world.note.pk}).content.decode()
    assert "Faster exports" not in html


def test_the_picker_without_javascript_lists_matches_on_the_note_page(client, triage_world):
    client.force_login(triage_world.pm)
    url = reverse("customers:note_detail", args=[triage_world.note.pk])
    html = client.get(url, {"feature_q": "faster"}).content.decode()
    assert f'name="feature" value="{triage_world.feature.pk}"' in html


# --- bulk actions ---------------------------------------------------------------------------


@pytest.fixture
def batch(web_world):
    web_world.batch = NoteFactory.create_batch(3)
    return web_world


def _bulk(client, world, action, htmx=False, **data):
    payload = {"note_ids": [n.pk for n in world.batch], "action": action, **data}
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(reverse("customers:inbox_bulk"), payload, **headers)


@pytest.mark.parametrize(
    ("action", "data", "check"),
    [
        ("set_kind", {"kind": "{bug}"}, lambda n: n.kind and n.kind.name == "Bug"),
        ("set_state", {"state": "triaged"}, lambda n: n.state == "triaged"),
        ("add_tag", {"tag": "exports"}, lambda n: [t.name for t in n.tags.all()] == ["exports"]),
        ("archive", {}, lambda n: n.state == "archived"),
    ],
)
def test_bulk_actions(client, batch, action, data, check):
    data = {k: v.format(bug=kind("Bug").pk) for k, v in data.items()}
    client.force_login(batch.pm)
    response = _bulk(client, batch, action, next=f"{INBOX}?state=all", **data)
    assert response.url == f"{INBOX}?state=all"
    for note in batch.batch:
        note.refresh_from_db()
        assert check(note), note


def test_a_bulk_action_is_all_or_nothing(client, batch):
    # The middle note holds a contact of another customer (written around the
    # services), so saving it again is refused: the other two must not change either.
    broken = batch.batch[1]
    stranger = ContactFactory()
    Note.objects.filter(pk=broken.pk).update(customer=CustomerFactory(), contact=stranger)
    before = _fingerprint(), sorted(Tag.objects.values_list("name", flat=True))
    client.force_login(batch.pm)
    response = _bulk(client, batch, "add_tag", htmx=True, tag="exports")
    html = response.content.decode()
    assert 'role="alert"' in html
    assert "Nothing changed" in html
    assert f"note {broken.pk}" in html
    assert "another customer" in html
    assert (_fingerprint(), sorted(Tag.objects.values_list("name", flat=True))) == before
    # The checked notes stay checked, to fix and try again.
    for note in batch.batch:
        assert f'value="{note.pk}" id="check-{note.pk}" class="inbox-row__check" checked>' in html


def test_a_bulk_action_naming_an_unknown_note_changes_nothing(client, batch):
    client.force_login(batch.pm)
    before = _fingerprint()
    payload = {"note_ids": [batch.batch[0].pk, 999999], "action": "archive"}
    response = client.post(reverse("customers:inbox_bulk"), payload, HTTP_HX_REQUEST="true")
    assert "no note with id 999999" in response.content.decode()
    assert _fingerprint() == before


def test_a_bulk_action_without_notes_says_so(client, batch):
    client.force_login(batch.pm)
    response = client.post(
        reverse("customers:inbox_bulk"), {"action": "archive"}, HTTP_HX_REQUEST="true"
    )
    assert "Check at least one note" in response.content.decode()


def test_a_bulk_action_through_htmx_answers_the_list(client, batch):
    client.force_login(batch.pm)
    response = _bulk(client, batch, "archive", htmx=True, next=f"{INBOX}?state=archived")
    html = response.content.decode()
    assert "<html" not in html
    assert 'id="bulk-form"' in html
    assert sorted(response.context["notes"], key=lambda n: n.pk) == sorted(
        batch.batch, key=lambda n: n.pk
    )
    assert "Archive: 3 notes." in html
