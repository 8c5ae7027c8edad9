"""Who may do what in the customer voice, for every role, beyond the generic matrix
(tests/api/test_permission_matrix.py): authors of notes, triage fields, bulk triage,
the read-only endpoints, and the rules in core.permissions that models open up."""

from __future__ import annotations

import pytest

from pilothouse.core import permissions
from pilothouse.core.roles import Role
from pilothouse.customers.models import (
    Customer,
    Note,
    NoteKind,
    NoteLink,
    Segment,
    SuggestionDecision,
    Tag,
)
from tests.api.helpers import assert_error, changes_of, unchanged
from tests.factories import (
    CustomerFactory,
    FeatureFactory,
    NoteFactory,
    NoteLinkFactory,
    SegmentFactory,
)

pytestmark = pytest.mark.django_db

ROLES = [role.value for role in Role]
TRIAGERS = {Role.ADMIN, Role.PRODUCT_LEADER, Role.PRODUCT_MANAGER}
NOTE_WRITERS = TRIAGERS | {Role.CONTRIBUTOR}


@pytest.fixture
def user_of(make_user):
    return lambda role: make_user(role, username=f"the_{role}")


# --- the model rules in core.permissions ---------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_who_creates_and_changes_what(user_of, role):
    user = user_of(role)
    expectations = {
        Customer: TRIAGERS,
        Segment: TRIAGERS,
        NoteLink: TRIAGERS,
        SuggestionDecision: TRIAGERS,
        Note: NOTE_WRITERS,
        Tag: NOTE_WRITERS,
        NoteKind: {Role.ADMIN, Role.PRODUCT_LEADER},
    }
    for model, creators in expectations.items():
        assert permissions.can_create(user, parent=None, model=model) == (role in creators), model
        assert permissions.can_create_any(user, model) == (role in creators | TRIAGERS)
    # Without the model, creating at top level stays the portfolio-wide roles' alone.
    assert permissions.can_create(user, parent=None) == (role in {Role.ADMIN, Role.PRODUCT_LEADER})
    someone_elses = NoteFactory()
    assert permissions.can_change(user, someone_elses) == (role in TRIAGERS)
    assert permissions.can_change(user, CustomerFactory()) == (role in TRIAGERS)
    assert permissions.can_change(user, Tag(name="x")) == (role in NOTE_WRITERS)


@pytest.mark.parametrize("role", ROLES)
def test_authors_change_their_own_notes_but_do_not_triage_them(user_of, role):
    user = user_of(role)
    own = NoteFactory(author=user)
    assert permissions.can_change(user, own) == (role in NOTE_WRITERS)
    assert permissions.can_set_fields(user, own, {"text", "title", "tags"})
    assert permissions.can_set_fields(user, own, {"kind"}) == (role in TRIAGERS)
    assert permissions.can_set_fields(user, own, {"state", "text"}) == (role in TRIAGERS)


def test_an_inactive_user_may_nothing(make_user):
    user = make_user(Role.PRODUCT_MANAGER, is_active=False)
    assert not permissions.can_create(user, parent=None, model=Note)
    assert not permissions.can_change(user, NoteFactory(author=user))
    assert not permissions.can_set_fields(user, NoteFactory(author=user), {"kind"})


# --- notes through the API, per role ---------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_an_author_edits_and_deletes_their_own_note(user_of, api_as, role):
    user = user_of(role)
    api = api_as(user)
    own = NoteFactory(author=user)
    if role in NOTE_WRITERS:
        response = api.patch(f"/notes/{own.pk}", {"title": "Mine", "version": 1})
        assert response.status_code == 200
        assert changes_of(Note, own.pk).get().actor == user
        assert api.delete(f"/notes/{own.pk}").status_code == 204
    else:
        with unchanged(Note):
            assert_error(api.patch(f"/notes/{own.pk}", {"title": "Mine", "version": 1}), 403)
            assert_error(api.delete(f"/notes/{own.pk}"), 403)


@pytest.mark.parametrize("role", ROLES)
def test_who_triages_a_note(user_of, api_as, role):
    user = user_of(role)
    api = api_as(user)
    own = NoteFactory(author=user)
    kind = NoteKind.objects.get(name="Bug")
    for body in ({"kind_id": kind.pk}, {"state": "triaged"}):
        if role in TRIAGERS:
            response = api.patch(f"/notes/{own.pk}", {**body, "version": own.version})
            assert response.status_code == 200, response.content
            own.refresh_from_db()
        else:
            with unchanged(Note):
                error = assert_error(api.patch(f"/notes/{own.pk}", {**body, "version": 1}), 403)
            assert "triage" in error["detail"] or role == Role.VIEWER


@pytest.mark.parametrize("role", ROLES)
def test_who_submits_a_note_and_with_which_fields(user_of, api_as, role):
    api = api_as(user_of(role))
    kind = NoteKind.objects.get(name="Bug")
    if role in NOTE_WRITERS:
        response = api.post("/notes", {"text": "Add CSV import", "tags": ["import"]})
        assert response.status_code == 201
        assert response.json()["author_id"] == user_of(role).pk
    else:
        with unchanged(Note, Tag):
            assert_error(api.post("/notes", {"text": "Add CSV import", "tags": ["import"]}), 403)
    body = {"text": "Crash on save", "kind_id": kind.pk, "state": "triaged"}
    if role in TRIAGERS:
        assert api.post("/notes", body).status_code == 201
    else:
        with unchanged(Note):
            assert_error(api.post("/notes", body), 403)


# --- bulk triage, per role -------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("action", "value"),
    [("archive", None), ("set_state", "triaged"), ("set_kind", "Bug"), ("add_tag", "q3")],
)
def test_who_triages_in_bulk(user_of, api_as, role, action, value):
    user = user_of(role)
    notes = [NoteFactory(), NoteFactory(author=user)]
    if action == "set_kind":
        value = NoteKind.objects.get(name=value).pk
    body = {"note_ids": [n.pk for n in notes], "action": action, "value": value}
    api = api_as(user)
    if role in TRIAGERS:
        response = api.post("/notes/bulk", body)
        assert response.status_code == 200, response.content
        assert all(changes_of(Note, n.pk).get().actor == user for n in notes)
        return
    with unchanged(Note, Tag):
        error = assert_error(api.post("/notes/bulk", body), 403)
    named = [e["field"] for e in error["errors"]]
    # A contributor may tag their own note, so only the other note is refused then.
    if role == Role.CONTRIBUTOR and action == "add_tag":
        assert named == ["note_ids[0]"]
    else:
        assert named == ["note_ids[0]", "note_ids[1]"]


# --- what everyone reads ---------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_everyone_reads_segment_members_and_evidence(user_of, api_as, role):
    api = api_as(user_of(role))
    segment = SegmentFactory(rules=[])
    CustomerFactory()
    feature = FeatureFactory()
    NoteLinkFactory(feature=feature)
    response = api.get(f"/segments/{segment.pk}/customers")
    assert response.status_code == 200
    assert response.json()["count"] == 1
    response = api.get(f"/features/{feature.pk}/evidence")
    assert response.status_code == 200
    assert response.json()["request_count"] == 1


def test_the_extra_endpoints_require_authentication(anonymous_api):
    segment = SegmentFactory()
    feature = FeatureFactory()
    note = NoteFactory()
    assert_error(anonymous_api.get(f"/segments/{segment.pk}/customers"), 401)
    assert_error(anonymous_api.get(f"/features/{feature.pk}/evidence"), 401)
    with unchanged(Note):
        assert_error(
            anonymous_api.post("/notes/bulk", {"note_ids": [note.pk], "action": "archive"}), 401
        )
