"""The standard endpoints of every resource, run over the table in `resources.py`."""

from __future__ import annotations

import pytest

from pilothouse.core.models import ChangeAction, ChangeRecord
from tests.api.conftest import ApiClient
from tests.api.helpers import assert_error, changes_of, same, unchanged
from tests.api.resources import BOUNDED_SPECS, PROTECTED_SPECS, SPEC_IDS, SPECS, UNKNOWN_ID

pytestmark = pytest.mark.django_db
each_resource = pytest.mark.parametrize("spec", SPECS, ids=SPEC_IDS)
REFERRING_SPECS = [spec for spec in SPECS if spec.unknown_ref is not None]
each_referring_resource = pytest.mark.parametrize(
    "spec", REFERRING_SPECS, ids=[spec.id for spec in REFERRING_SPECS]
)
each_bounded_resource = pytest.mark.parametrize(
    "spec", BOUNDED_SPECS, ids=[spec.id for spec in BOUNDED_SPECS]
)


def ids_of(response) -> list[int]:
    return [item["id"] for item in response.json()["items"]]


# --- list ----------------------------------------------------------------------------


@each_resource
def test_list_answers_items_and_count(spec, world, admin_api):
    made = [spec.make(world).pk for _ in range(2)]
    # The whole list (the default ladder alone has 64 expectations).
    response = admin_api.get(spec.path, {"limit": 500})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"items", "count"}
    everything = set(spec.model.objects.values_list("pk", flat=True))
    assert body["count"] == len(everything)
    assert set(ids_of(response)) == everything
    assert set(made) <= everything
    for item in body["items"]:
        assert item["version"] >= 1
        assert {"created_at", "updated_at"} <= set(item)


@each_resource
def test_list_limit_and_offset(spec, world, admin_api):
    for _ in range(3):
        spec.make(world)
    ordered = list(spec.model.objects.order_by("id").values_list("pk", flat=True))
    response = admin_api.get(spec.path, {"limit": 2, "offset": 1, "ordering": "id"})
    assert response.status_code == 200
    assert ids_of(response) == ordered[1:3]
    assert response.json()["count"] == len(ordered)

    past_the_end = admin_api.get(spec.path, {"offset": len(ordered)})
    assert past_the_end.json() == {"items": [], "count": len(ordered)}


@each_resource
@pytest.mark.parametrize(
    ("params", "field"),
    [({"limit": 0}, "limit"), ({"limit": 501}, "limit"), ({"offset": -1}, "offset")],
)
def test_list_paging_out_of_range(spec, world, admin_api, params, field):
    assert_error(admin_api.get(spec.path, params), 422, field)


@each_resource
@pytest.mark.parametrize("direction", ["", "-"])
def test_list_ordering(spec, world, admin_api, direction):
    for _ in range(3):
        spec.make(world)
    term = direction + spec.order_field
    expected = list(spec.model.objects.order_by(term, "id").values_list("pk", flat=True))
    response = admin_api.get(spec.path, {"ordering": term, "limit": 500})
    assert response.status_code == 200
    assert ids_of(response) == expected


@each_resource
def test_list_ordering_by_id_descending(spec, world, admin_api):
    for _ in range(3):
        spec.make(world)
    response = admin_api.get(spec.path, {"ordering": "-id", "limit": 500})
    expected = sorted(spec.model.objects.values_list("pk", flat=True), reverse=True)
    assert ids_of(response) == expected


@each_resource
@pytest.mark.parametrize("ordering", ["password", "-nope", "id,secret"])
def test_list_ordering_by_unknown_field_is_422(spec, world, admin_api, ordering):
    assert_error(admin_api.get(spec.path, {"ordering": ordering}), 422, "ordering")


@each_resource
def test_list_filter(spec, world, admin_api):
    spec.make(world)
    params, expected = spec.filter_case(world)
    response = admin_api.get(spec.path, params)
    assert response.status_code == 200, response.content
    assert sorted(ids_of(response)) == sorted(expected)
    assert response.json()["count"] == len(expected)
    # Without the filter there is more: the filter did the narrowing.
    assert admin_api.get(spec.path).json()["count"] > len(expected)


# --- retrieve --------------------------------------------------------------------------


@each_resource
def test_retrieve(spec, world, admin_api):
    obj = spec.make(world)
    response = admin_api.get(f"{spec.path}/{obj.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == obj.pk
    assert body["version"] == 1


@each_resource
def test_unknown_id_is_404(spec, world, admin_api):
    with unchanged(spec.model):
        assert_error(admin_api.get(f"{spec.path}/{UNKNOWN_ID}"), 404)
        assert_error(admin_api.patch(f"{spec.path}/{UNKNOWN_ID}", {"version": 1}), 404)
        assert_error(admin_api.delete(f"{spec.path}/{UNKNOWN_ID}"), 404)


# --- create ----------------------------------------------------------------------------


@each_resource
def test_create(spec, world, admin_api, admin_user):
    body = spec.create(world)
    response = admin_api.post(spec.path, body)
    assert response.status_code == 201, response.content
    answer = response.json()
    for name, value in body.items():
        assert same(answer[name], value), (name, answer[name], value)
    assert answer["version"] == 1
    obj = spec.model.objects.get(pk=answer["id"])
    assert obj.created_by == admin_user
    record = changes_of(spec.model, obj.pk).get()
    assert record.action == ChangeAction.CREATE
    assert record.actor == admin_user
    assert record.before == {}
    assert record.after
    assert "version" not in record.after


@each_resource
def test_create_with_a_value_of_the_wrong_type(spec, world, admin_api):
    field, value = spec.bad_type
    body = {**spec.create(world), field: value}
    with unchanged(spec.model):
        assert_error(admin_api.post(spec.path, body), 422, field)


@each_resource
def test_create_without_a_required_field(spec, world, admin_api):
    body = spec.create(world)
    del body[spec.required]
    with unchanged(spec.model):
        assert_error(admin_api.post(spec.path, body), 422, spec.required)


@each_referring_resource
def test_create_with_an_unknown_reference(spec, world, admin_api):
    body = {**spec.create(world), spec.unknown_ref: spec.unknown_ref_value()}
    with unchanged(spec.model):
        error = assert_error(admin_api.post(spec.path, body), 422, spec.unknown_ref)
    assert str(UNKNOWN_ID) in error["errors"][0]["message"]


@each_bounded_resource
def test_create_with_a_too_long_string(spec, world, admin_api):
    field, max_length = spec.too_long
    with unchanged(spec.model):
        body = {**spec.create(world), field: "x" * (max_length + 1)}
        assert_error(admin_api.post(spec.path, body), 422, field)
    # The longest allowed value is accepted.
    body = {**spec.create(world), field: "y" * max_length}
    assert admin_api.post(spec.path, body).status_code == 201


@each_resource
def test_create_refused_by_a_model_rule(spec, world, admin_api):
    body, field = spec.invalid(world)
    with unchanged(spec.model):
        assert_error(admin_api.post(spec.path, body), 422, field)


@each_resource
def test_create_with_malformed_json_is_400(spec, world, admin_api):
    with unchanged(spec.model):
        assert_error(admin_api.post(spec.path, '{"name": "unterminated'), 400)


# --- update ----------------------------------------------------------------------------


@each_resource
def test_update(spec, world, admin_api, admin_user):
    obj = spec.make(world)
    old = admin_api.get(f"{spec.path}/{obj.pk}").json()
    response = admin_api.patch(f"{spec.path}/{obj.pk}", {**spec.patch, "version": 1})
    assert response.status_code == 200, response.content
    answer = response.json()
    assert answer["version"] == 2
    for name, value in spec.patch.items():
        assert same(answer[name], value)
    assert admin_api.get(f"{spec.path}/{obj.pk}").json() == answer
    record = changes_of(spec.model, obj.pk).get()
    assert record.action == ChangeAction.UPDATE
    assert record.actor == admin_user
    # Only the changed fields, with their old and new values.
    assert set(record.after) == set(spec.patch)
    assert set(record.before) == set(spec.patch)
    for name in spec.patch:
        assert same(record.before[name], old[name])
        assert same(record.after[name], spec.patch[name])


@each_resource
def test_update_with_the_current_values_changes_nothing(spec, world, admin_api):
    obj = spec.make(world)
    current = admin_api.get(f"{spec.path}/{obj.pk}").json()
    body = {name: current[name] for name in spec.patch}
    with unchanged(spec.model):
        response = admin_api.patch(f"{spec.path}/{obj.pk}", {**body, "version": 1})
    assert response.status_code == 200
    assert response.json()["version"] == 1


@each_resource
def test_update_with_a_stale_version_is_409(spec, world, admin_api):
    obj = spec.make(world)
    spec.model.objects.filter(pk=obj.pk).update(version=2)  # someone else saved meanwhile
    with unchanged(spec.model):
        response = admin_api.patch(f"{spec.path}/{obj.pk}", {**spec.patch, "version": 1})
        assert_error(response, 409, "version")


@each_resource
def test_update_without_version_is_422(spec, world, admin_api):
    obj = spec.make(world)
    with unchanged(spec.model):
        assert_error(admin_api.patch(f"{spec.path}/{obj.pk}", spec.patch), 422, "version")


@each_bounded_resource
def test_update_with_an_invalid_value_changes_nothing(spec, world, admin_api):
    obj = spec.make(world)
    field, max_length = spec.too_long
    with unchanged(spec.model):
        response = admin_api.patch(
            f"{spec.path}/{obj.pk}", {field: "z" * (max_length + 1), "version": 1}
        )
        assert_error(response, 422, field)


@each_resource
def test_update_with_a_wrong_type_changes_nothing(spec, world, admin_api):
    obj = spec.make(world)
    field, value = spec.bad_type
    with unchanged(spec.model):
        response = admin_api.patch(f"{spec.path}/{obj.pk}", {field: value, "version": 1})
        assert_error(response, 422, field)


@each_referring_resource
def test_update_with_an_unknown_reference_changes_nothing(spec, world, admin_api):
    obj = spec.make(world)
    with unchanged(spec.model):
        response = admin_api.patch(
            f"{spec.path}/{obj.pk}", {spec.unknown_ref: spec.unknown_ref_value(), "version": 1}
        )
        assert_error(response, 422, spec.unknown_ref)


@each_resource
def test_update_with_malformed_json_is_400(spec, world, admin_api):
    obj = spec.make(world)
    with unchanged(spec.model):
        assert_error(admin_api.patch(f"{spec.path}/{obj.pk}", "{version: 1"), 400)


# --- delete ----------------------------------------------------------------------------


@each_resource
def test_delete(spec, world, admin_api, admin_user):
    obj = spec.make(world)
    response = admin_api.delete(f"{spec.path}/{obj.pk}")
    assert response.status_code == 204
    assert not spec.model.objects.filter(pk=obj.pk).exists()
    assert admin_api.get(f"{spec.path}/{obj.pk}").status_code == 404
    record = changes_of(spec.model, obj.pk).get()
    assert record.action == ChangeAction.DELETE
    assert record.actor == admin_user
    assert record.after == {}
    assert record.before
    assert record.object_repr == str(obj)


@each_resource
def test_delete_with_the_current_version(spec, world, admin_api):
    obj = spec.make(world)
    assert admin_api.delete(f"{spec.path}/{obj.pk}", {"version": 1}).status_code == 204
    assert not spec.model.objects.filter(pk=obj.pk).exists()


@each_resource
def test_delete_with_a_stale_version_is_409(spec, world, admin_api):
    obj = spec.make(world)
    spec.model.objects.filter(pk=obj.pk).update(version=3)
    with unchanged(spec.model):
        assert_error(admin_api.delete(f"{spec.path}/{obj.pk}", {"version": 2}), 409, "version")


@pytest.mark.parametrize("spec", PROTECTED_SPECS, ids=[s.id for s in PROTECTED_SPECS])
def test_delete_of_an_object_others_refer_to_is_409(spec, world, admin_api):
    obj = spec.make(world)
    referrer = spec.protect(obj)
    with unchanged(spec.model):
        body = assert_error(admin_api.delete(f"{spec.path}/{obj.pk}"), 409)
    assert str(referrer) in body["detail"]


# --- authentication --------------------------------------------------------------------


@each_resource
def test_every_method_requires_authentication(spec, world, anonymous_api):
    obj = spec.make(world)
    item = f"{spec.path}/{obj.pk}"
    with unchanged(spec.model):
        assert_error(anonymous_api.get(spec.path), 401)
        assert_error(anonymous_api.get(item), 401)
        assert_error(anonymous_api.post(spec.path, spec.create(world)), 401)
        assert_error(anonymous_api.patch(item, {**spec.patch, "version": 1}), 401)
        assert_error(anonymous_api.delete(item), 401)


@each_resource
def test_a_wrong_token_is_401(spec, world):
    assert_error(ApiClient("ph_not-a-real-token").get(spec.path), 401)
    assert ChangeRecord.objects.count() == 0


BAD_FILTERS = {
    "product-lines": ("owner_id", "someone"),
    "products": ("stage", "booming"),
    "product-areas": ("product_id", "checkout"),
    "objectives": ("scope", "galaxy"),
    "key-results": ("objective_id", "first"),
    "initiatives": ("status", "stalled"),
    "features": ("stage", "shipped"),
    "releases": ("target_after", "soon"),
    "people": ("level", "wizard"),
    "customers": ("min_arr", "lots"),
    "contacts": ("customer_id", "acme"),
    "segments": ("match", "some"),
    "notes": ("state", "done"),
    "note-links": ("importance", "huge"),
    "note-kinds": ("active", "maybe"),
    "tags": ("note_id", "first"),
    "milestones": ("after", "someday"),
    "feature-tags": ("feature_id", "sso"),
    "dependencies": ("blocked", "that-one"),
    "scoring-models": ("framework", "kano"),
    "teams": ("product_id", "checkout"),
    "team-members": ("person_id", "ada"),
    "time-off": ("after", "soon"),
    "capacity-periods": ("granularity", "week"),
    "feature-assignments": ("team_id", "core"),
    "work-items": ("before", "later"),
    "scenarios": ("status", "done"),
    "scenario-changes": ("scenario_id", "first"),
    "metrics": ("owner_id", "ada"),
    "metric-values": ("period_from", "soon"),
    "metric-targets": ("on", "someday"),
    "key-result-metrics": ("objective_id", "first"),
    "career-levels": ("track", "diagonal"),
    "competencies": ("level", "wizard"),
    "expectations": ("level_id", "pm"),
    "assessments": ("person_id", "ada"),
    "assessment-ratings": ("rating", "great"),
    "growth-plans": ("status", "paused"),
    "growth-goals": ("status", "blocked"),
    "check-ins": ("held_after", "soon"),
    "one-on-ones": ("participant_id", "me"),
    "action-items": ("done", "maybe"),
    "open-roles": ("status", "hired"),
    "allocations": ("period", "sometime"),
    "exchange-rates": ("limit", "many"),
}


@each_resource
def test_list_filter_with_a_bad_value_is_422(spec, world, admin_api):
    assert set(BAD_FILTERS) == set(SPEC_IDS)
    name, value = BAD_FILTERS[spec.id]
    assert_error(admin_api.get(spec.path, {name: value}), 422, name)


@each_resource
@pytest.mark.parametrize("version", [None, "two", 1.5, [1]])
def test_update_with_a_malformed_version_is_422(spec, world, admin_api, version):
    obj = spec.make(world)
    with unchanged(spec.model):
        response = admin_api.patch(f"{spec.path}/{obj.pk}", {**spec.patch, "version": version})
        assert_error(response, 422, "version")


@each_resource
def test_a_body_that_is_not_an_object_is_422(spec, world, admin_api):
    with unchanged(spec.model):
        assert_error(admin_api.post(spec.path, [spec.create(world)]), 422)
