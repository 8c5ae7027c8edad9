"""Services of the customer voice: notes and their tags, kinds, customers, suggestion
decisions and bulk triage. Refusals change nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import ProtectedError

from pilothouse.customers import selectors, services
from pilothouse.customers.models import (
    NOTE_TEXT_MAX,
    Customer,
    Note,
    NoteKind,
    NoteLink,
    NoteState,
    SuggestionDecision,
    Tag,
)
from tests.api.helpers import changes_of, unchanged
from tests.factories import (
    ContactFactory,
    CustomerFactory,
    FeatureFactory,
    NoteFactory,
    NoteKindFactory,
    NoteLinkFactory,
    TagFactory,
)

pytestmark = pytest.mark.django_db


def create_note(actor, **data):
    return services.note.create(actor=actor, data={"text": "Please add dark mode", **data})


# --- notes -----------------------------------------------------------------------------


def test_the_author_is_the_actor_and_tags_are_made_from_names(contributor):
    TagFactory(name="UX")
    note = create_note(contributor, tags=["ux", " dark mode ", "Dark Mode", "mobile"])
    assert note.author == contributor
    assert sorted(t.name for t in note.tags.all()) == ["UX", "dark mode", "mobile"]
    assert Tag.objects.count() == 3
    record = changes_of(Note, note.pk).get()
    assert record.actor == contributor
    assert sorted(record.after["tags"]) == sorted(note.tags.values_list("pk", flat=True))


@pytest.mark.parametrize(
    ("names", "message"),
    [
        (["ok", ""], "tags[1]: a tag needs a name"),
        (["x" * 51], "tags[0]: at most 50 characters"),
        ([f"t{i}" for i in range(21)], "tags: at most 20 tags"),
        (["fine", 7], "tags[1]: a tag needs a name"),
    ],
)
def test_bad_tag_names_are_named_and_nothing_is_written(contributor, names, message):
    with unchanged(Note, Tag), pytest.raises(ValidationError) as caught:
        create_note(contributor, tags=names)
    assert any(message in m for m in caught.value.message_dict["tags"])


def test_a_contact_brings_its_customer(contributor):
    contact = ContactFactory()
    note = create_note(contributor, contact=contact)
    assert note.customer == contact.customer


def test_a_contact_of_another_customer_is_refused(contributor):
    with unchanged(Note), pytest.raises(ValidationError) as caught:
        create_note(contributor, contact=ContactFactory(), customer=CustomerFactory())
    assert caught.value.message_dict == {"contact": ["This contact belongs to another customer."]}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "This field cannot be blank."),
        ("   \n ", "The text is only blank space."),
        ("x" * (NOTE_TEXT_MAX + 1), "at most 50000 characters"),
    ],
)
def test_note_text_rules(contributor, text, message):
    with unchanged(Note), pytest.raises(ValidationError) as caught:
        services.note.create(actor=contributor, data={"text": text})
    assert any(message in m for m in caught.value.message_dict["text"])


def test_the_longest_text_is_accepted(contributor):
    assert len(create_note(contributor, text="y" * NOTE_TEXT_MAX).text) == NOTE_TEXT_MAX


def test_external_ids_are_unique_and_blank_is_none(contributor):
    create_note(contributor, external_id="desk-1")
    assert create_note(contributor, external_id="").external_id is None
    assert create_note(contributor, external_id="  ").external_id is None
    with pytest.raises(ValidationError) as caught:
        create_note(contributor, external_id="desk-1")
    assert "external_id" in caught.value.message_dict


def test_markdown_is_rendered_sanitized(admin_api):
    response = admin_api.post(
        "/notes", {"text": "**Hi** <script>alert(1)</script> [x](javascript:alert(1))"}
    )
    html = response.json()["text_html"]
    assert "<strong>Hi</strong>" in html
    assert "<script" not in html
    assert "href" not in html


# --- triage fields ---------------------------------------------------------------------


def test_a_contributor_may_not_triage_even_their_own_note(contributor):
    kind = NoteKind.objects.first()
    with unchanged(Note), pytest.raises(PermissionDenied, match="you may not set: kind"):
        create_note(contributor, kind=kind)
    with unchanged(Note), pytest.raises(PermissionDenied, match="state"):
        create_note(contributor, state=NoteState.ARCHIVED)
    note = create_note(contributor, state=NoteState.NEW, kind=None)  # the defaults: fine
    with unchanged(Note), pytest.raises(PermissionDenied):
        services.note.update(actor=contributor, instance=note, version=1, data={"kind": kind})
    edited = services.note.update(
        actor=contributor, instance=note, version=1, data={"title": "Dark mode", "kind": None}
    )
    assert edited.version == 2


def test_a_product_manager_triages_any_note(product_manager, contributor):
    note = create_note(contributor)
    kind = NoteKind.objects.first()
    triaged = services.note.update(
        actor=product_manager,
        instance=note,
        version=1,
        data={"kind": kind, "state": NoteState.TRIAGED, "text": "Dark mode, please"},
    )
    assert (triaged.kind, triaged.state, triaged.version) == (kind, "triaged", 2)


def test_kind_suggestions_are_stored_without_a_version_or_log(contributor):
    note = create_note(contributor)
    kind = NoteKind.objects.first()
    records = changes_of(Note, note.pk).count()
    assert services.note_kind_suggestions_set(suggestions={note.pk: (kind.pk, 0.875)}) == 1
    note.refresh_from_db()
    assert (note.suggested_kind, note.suggested_kind_confidence, note.version) == (kind, 0.875, 1)
    assert changes_of(Note, note.pk).count() == records
    with pytest.raises(ValueError, match="outside"):
        services.note_kind_suggestions_set(suggestions={note.pk: (kind.pk, 1.5)})


# --- kinds, tags, customers ------------------------------------------------------------


def test_the_default_kinds_exist():
    assert list(NoteKind.objects.values_list("name", flat=True)) == [
        "Bug",
        "Feature request",
        "Improvement",
        "Praise",
        "Question",
        "Other",
    ]


def test_renaming_deactivating_and_deleting_kinds(leader):
    bug = NoteKind.objects.get(name="Bug")
    note = NoteFactory(kind=bug)
    renamed = services.note_kind.update(
        actor=leader, instance=bug, version=1, data={"name": "Defect"}
    )
    assert Note.objects.get(pk=note.pk).kind.name == "Defect"
    with unchanged(NoteKind), pytest.raises(ProtectedError):
        services.note_kind.delete(actor=leader, instance=renamed)
    inactive = services.note_kind.update(
        actor=leader, instance=renamed, version=2, data={"active": False}
    )
    assert Note.objects.get(pk=note.pk).kind == inactive
    unused = NoteKind.objects.get(name="Praise")
    services.note_kind.delete(actor=leader, instance=unused)
    assert not NoteKind.objects.filter(name="Praise").exists()


def test_an_inactive_kind_stays_on_its_notes_but_is_not_given_to_others(leader):
    kind = NoteKindFactory(name="Legacy", active=False)
    labelled = NoteFactory(kind=kind)
    edited = services.note.update(
        actor=leader, instance=labelled, version=1, data={"title": "Still legacy", "kind": kind}
    )
    assert edited.kind == kind
    other = NoteFactory()
    with unchanged(Note), pytest.raises(ValidationError) as caught:
        services.note.update(actor=leader, instance=other, version=1, data={"kind": kind})
    assert caught.value.message_dict == {"kind": ["The note kind 'Legacy' is no longer in use."]}
    with unchanged(Note), pytest.raises(services.BulkRefused):
        services.note_bulk(actor=leader, note_ids=[other.pk], action="set_kind", value=kind.pk)


@pytest.mark.parametrize("name", ["bug", "BUG", "Bug"])
def test_kind_names_are_unique_ignoring_case(leader, name):
    with unchanged(NoteKind), pytest.raises(ValidationError) as caught:
        services.note_kind.create(actor=leader, data={"name": name})
    assert caught.value.message_dict["name"] == ["A note kind named 'Bug' already exists."]


def test_tag_names_are_unique_ignoring_case_and_trimmed(contributor):
    services.tag.create(actor=contributor, data={"name": "  Billing "})
    assert Tag.objects.get().name == "Billing"
    with unchanged(Tag), pytest.raises(ValidationError) as caught:
        services.tag.create(actor=contributor, data={"name": "billing"})
    assert "name" in caught.value.message_dict


def test_customer_rules(leader):
    with unchanged(Customer), pytest.raises(ValidationError) as caught:
        services.customer.create(actor=leader, data={"name": "Neg", "arr": -1})
    assert "arr" in caught.value.message_dict
    first = services.customer.create(actor=leader, data={"name": "A", "external_id": " "})
    second = services.customer.create(actor=leader, data={"name": "B", "external_id": ""})
    assert first.external_id is second.external_id is None
    services.customer.create(actor=leader, data={"name": "C", "external_id": "crm-1"})
    with pytest.raises(ValidationError) as caught:
        services.customer.create(actor=leader, data={"name": "D", "external_id": "crm-1"})
    assert "external_id" in caught.value.message_dict


def test_deleting_a_customer_deletes_contacts_and_keeps_notes(leader):
    customer = CustomerFactory()
    contact = ContactFactory(customer=customer)
    note = NoteFactory(customer=customer, contact=contact)
    services.customer.delete(actor=leader, instance=customer)
    note.refresh_from_db()
    assert (note.customer, note.contact, note.version) == (None, None, 2)
    assert not type(contact).objects.exists()


# --- suggestions -----------------------------------------------------------------------


def test_accepting_a_kind_suggestion(product_manager):
    note = NoteFactory()
    kind = NoteKind.objects.get(name="Question")
    decided = services.suggestion_accept(
        actor=product_manager, note=note, kind="kind", target_id=kind.pk
    )
    assert (decided.decision, decided.actor, decided.target_id) == (
        "accepted",
        product_manager,
        kind.pk,
    )
    assert Note.objects.get(pk=note.pk).kind == kind


def test_an_inactive_kind_cannot_be_accepted(product_manager):
    note = NoteFactory()
    kind = NoteKindFactory(active=False)
    with unchanged(Note, SuggestionDecision), pytest.raises(ValidationError) as caught:
        services.suggestion_accept(actor=product_manager, note=note, kind="kind", target_id=kind.pk)
    assert "target_id" in caught.value.message_dict


def test_accepting_a_feature_suggestion_links_once(product_manager):
    note, feature = NoteFactory(), FeatureFactory()
    for _ in range(2):
        services.suggestion_accept(
            actor=product_manager, note=note, kind="feature", target_id=feature.pk
        )
    assert NoteLink.objects.filter(note=note, feature=feature).count() == 1
    assert SuggestionDecision.objects.count() == 1


def test_accepting_a_duplicate_archives_it_and_carries_the_links(product_manager):
    original, duplicate = NoteFactory(), NoteFactory()
    first, second = FeatureFactory(), FeatureFactory()
    NoteLinkFactory(note=original, feature=first, importance=3)
    NoteLinkFactory(note=original, feature=second, importance=None)
    NoteLinkFactory(note=duplicate, feature=second, importance=1)
    services.suggestion_accept(
        actor=product_manager, note=duplicate, kind="duplicate", target_id=original.pk
    )
    duplicate.refresh_from_db()
    assert duplicate.state == NoteState.ARCHIVED
    links = dict(NoteLink.objects.filter(note=duplicate).values_list("feature_id", "importance"))
    assert links == {first.pk: 3, second.pk: 1}
    assert Note.objects.get(pk=original.pk).state == NoteState.NEW


def test_a_note_cannot_duplicate_itself(product_manager):
    note = NoteFactory()
    with unchanged(Note, SuggestionDecision), pytest.raises(ValidationError):
        services.suggestion_accept(
            actor=product_manager, note=note, kind="duplicate", target_id=note.pk
        )


def test_dismissing_is_remembered_and_can_be_changed(product_manager):
    note, feature = NoteFactory(), FeatureFactory()
    other = NoteFactory()
    services.suggestion_dismiss(
        actor=product_manager, note=note, kind="feature", target_id=feature.pk
    )
    services.suggestion_dismiss(
        actor=product_manager, note=other, kind="duplicate", target_id=note.pk
    )
    assert not NoteLink.objects.exists()
    assert selectors.suggestion_decided_pairs(kind="feature") == {(note.pk, feature.pk)}
    assert selectors.suggestion_decided_pairs(kind="duplicate") == {(other.pk, note.pk)}
    assert selectors.suggestion_decided_pairs(kind="feature", note_ids=[other.pk]) == set()
    services.suggestion_accept(
        actor=product_manager, note=note, kind="feature", target_id=feature.pk
    )
    assert selectors.suggestion_decided_pairs(kind="feature") == set()
    assert selectors.suggestion_decided_pairs(kind="feature", decision=None) == {
        (note.pk, feature.pk)
    }
    decision = SuggestionDecision.objects.get(note=note)
    assert (decision.decision, decision.version) == ("accepted", 2)


@pytest.mark.parametrize(
    ("kind", "target", "field"),
    [("colour", 1, "kind"), ("feature", 987654, "target_id"), ("kind", 987654, "target_id")],
)
def test_bad_suggestions_are_named(product_manager, kind, target, field):
    note = NoteFactory()
    with unchanged(SuggestionDecision), pytest.raises(ValidationError) as caught:
        services.suggestion_dismiss(actor=product_manager, note=note, kind=kind, target_id=target)
    assert field in caught.value.message_dict


def test_contributors_and_viewers_may_not_decide(contributor, viewer):
    note, feature = NoteFactory(author=contributor), FeatureFactory()
    for user in (contributor, viewer):
        with unchanged(SuggestionDecision, NoteLink), pytest.raises(PermissionDenied):
            services.suggestion_accept(actor=user, note=note, kind="feature", target_id=feature.pk)
        with unchanged(SuggestionDecision), pytest.raises(PermissionDenied):
            services.suggestion_dismiss(actor=user, note=note, kind="feature", target_id=feature.pk)


# --- bulk triage -----------------------------------------------------------------------


def test_bulk_actions(product_manager):
    notes = [NoteFactory() for _ in range(3)]
    ids = [n.pk for n in notes]
    kind = NoteKind.objects.get(name="Bug")
    services.note_bulk(actor=product_manager, note_ids=ids, action="set_kind", value=kind.pk)
    assert set(Note.objects.values_list("kind", flat=True)) == {kind.pk}
    services.note_bulk(actor=product_manager, note_ids=ids, action="set_state", value="triaged")
    services.note_bulk(actor=product_manager, note_ids=ids[:2], action="add_tag", value="Q3")
    services.note_bulk(
        actor=product_manager, note_ids=[*ids[:1], ids[0]], action="archive", value=None
    )
    assert list(Note.objects.order_by("pk").values_list("state", flat=True)) == [
        "archived",
        "triaged",
        "triaged",
    ]
    assert [sorted(n.tags.values_list("name", flat=True)) for n in notes] == [["Q3"], ["Q3"], []]
    services.note_bulk(actor=product_manager, note_ids=ids, action="set_kind", value=None)
    assert set(Note.objects.values_list("kind", flat=True)) == {None}
    # Every change is logged, one record per note per action that changed it.
    assert changes_of(Note, notes[0].pk).count() == 5


@pytest.mark.parametrize(
    ("action", "value", "field"),
    [
        ("set_kind", 987654, "value"),
        ("set_kind", "Bug", "value"),
        ("set_state", "done", "value"),
        ("add_tag", "", "value"),
        ("add_tag", None, "value"),
        ("explode", None, "action"),
    ],
)
def test_bulk_bad_values_are_named(product_manager, action, value, field):
    note = NoteFactory()
    with unchanged(Note, Tag), pytest.raises(ValidationError) as caught:
        services.note_bulk(actor=product_manager, note_ids=[note.pk], action=action, value=value)
    assert field in caught.value.message_dict


def test_bulk_with_unknown_or_no_notes(product_manager):
    note = NoteFactory()
    with unchanged(Note), pytest.raises(ValidationError) as caught:
        services.note_bulk(
            actor=product_manager, note_ids=[note.pk, 987654, 987655], action="archive", value=None
        )
    assert caught.value.message_dict == {"note_ids": ["no note with id 987654, 987655"]}
    with pytest.raises(ValidationError):
        services.note_bulk(actor=product_manager, note_ids=[], action="archive", value=None)
    with pytest.raises(ValidationError, match="at most 500"):
        services.note_bulk(
            actor=product_manager, note_ids=list(range(1, 502)), action="archive", value=None
        )


def test_bulk_is_all_or_nothing_and_names_each_failure(product_manager):
    good = NoteFactory()
    broken = [NoteFactory(), NoteFactory()]
    Note.objects.filter(pk__in=[n.pk for n in broken]).update(text="")  # invalid in the database
    ids = [good.pk, *(n.pk for n in broken)]
    with unchanged(Note), pytest.raises(services.BulkRefused) as caught:
        services.note_bulk(actor=product_manager, note_ids=ids, action="archive", value=None)
    assert caught.value.status == 422
    assert [field for field, _ in caught.value.errors] == ["note_ids[1]", "note_ids[2]"]
    assert caught.value.errors[0][1].startswith(f"note {broken[0].pk}: ")


def test_bulk_refuses_notes_the_actor_may_not_change(contributor):
    own = NoteFactory(author=contributor)
    others = NoteFactory()
    with unchanged(Note, Tag), pytest.raises(services.BulkRefused) as caught:
        services.note_bulk(
            actor=contributor, note_ids=[own.pk, others.pk], action="add_tag", value="mine"
        )
    assert caught.value.status == 403
    assert caught.value.errors == [
        ("note_ids[1]", f"note {others.pk}: You do not have permission to do this.")
    ]
    # Their own notes: tags yes, triage no.
    services.note_bulk(actor=contributor, note_ids=[own.pk], action="add_tag", value="mine")
    assert list(own.tags.values_list("name", flat=True)) == ["mine"]
    with unchanged(Note), pytest.raises(services.BulkRefused) as caught:
        services.note_bulk(actor=contributor, note_ids=[own.pk], action="archive", value=None)
    assert caught.value.status == 403
