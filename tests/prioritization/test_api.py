"""The prioritization API beyond the standard endpoints (those run in tests/api's
matrices): a feature's scores, setting and clearing inputs, ranked backlogs and
comparisons, and the error shape on each."""

from __future__ import annotations

import json

import pytest

from pilothouse.core.roles import Role
from pilothouse.prioritization.models import FeatureScore, ScoringModel
from tests.api.helpers import assert_error, changes_of, unchanged
from tests.factories import FeatureFactory, ProductFactory, UserFactory
from tests.prioritization.factories import (
    RICE_800,
    CustomModelFactory,
    FeatureScoreFactory,
    ScoringModelFactory,
)
from tests.web.helpers import assert_same_queries

pytestmark = pytest.mark.django_db


def put(api, path: str, body):
    data = body if isinstance(body, str) else json.dumps(body)
    return api.client.put(api.url(path), data, content_type="application/json")


@pytest.fixture
def rice(world):
    return ScoringModelFactory(name="RICE")


# --- a feature's scores -------------------------------------------------------------------------


def test_put_rice_inputs_answers_the_score(world, admin_api, rice):
    response = put(
        admin_api,
        f"/features/{world.feature.pk}/scores/{rice.pk}",
        {"inputs": {"reach": 2000, "impact": 2, "confidence": 0.8, "effort": 4}},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["model"] == rice.pk
    assert body["score"] == 800
    assert body["inputs"] == RICE_800
    assert body["complete"] is True
    assert body["version"] == 1


def test_rice_and_a_custom_formula_made_through_the_api_both_score_800(world, admin_api):
    rice = admin_api.post("/scoring-models", {"name": "RICE", "framework": "rice"}).json()
    custom = admin_api.post(
        "/scoring-models",
        {
            "name": "RICE as a formula",
            "framework": "custom",
            "formula": "reach * impact * confidence / effort",
            "input_fields": [
                {"name": "reach", "min": 0},
                {"name": "impact", "min": 0.25, "max": 3},
                {"name": "confidence", "min": 0, "max": 1},
                {"name": "effort", "min": 0.5},
            ],
        },
    ).json()
    inputs = {"reach": 2000, "impact": 2, "confidence": 0.8, "effort": 4}
    for model in (rice, custom):
        answer = put(
            admin_api, f"/features/{world.feature.pk}/scores/{model['id']}", {"inputs": inputs}
        )
        assert answer.status_code == 200, answer.content
        assert answer.json()["score"] == 800
    listed = admin_api.get(f"/features/{world.feature.pk}/scores").json()["items"]
    assert {item["model"]: item["score"] for item in listed} == {
        rice["id"]: 800,
        custom["id"]: 800,
    }


def test_get_a_features_scores(world, admin_api, rice):
    FeatureScoreFactory(feature=world.feature, scoring_model=rice)
    custom = CustomModelFactory(name="Checkout", product=world.product)
    ScoringModelFactory(name="Elsewhere", product=world.other_product)
    response = admin_api.get(f"/features/{world.feature.pk}/scores")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    items = {item["model"]: item for item in body["items"]}
    assert items[rice.pk]["score"] == 800
    assert items[rice.pk]["inputs"] == RICE_800
    assert items[custom.pk] == {
        "model": custom.pk,
        "model_name": "Checkout",
        "framework": "custom",
        "inputs": {},
        "score": None,
        "complete": False,
        "category": None,
        "error": None,
        "version": None,
    }


def test_bad_inputs_answer_422_naming_each_field_and_change_nothing(world, admin_api, rice):
    with unchanged(FeatureScore):
        response = put(
            admin_api,
            f"/features/{world.feature.pk}/scores/{rice.pk}",
            {"inputs": {"reach": -1, "impact": 2, "confidence": 80, "effort": 4}},
        )
        body = assert_error(response, 422, "inputs.reach")
    assert {error["field"] for error in body["errors"]} == {"inputs.reach", "inputs.confidence"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"inputs": [1, 2]}, "inputs"),
        ({}, "inputs"),
        ({"inputs": {}, "version": "one"}, "version"),
        ({"inputs": {}, "score": 5}, "score"),
    ],
)
def test_malformed_bodies_are_422(world, admin_api, rice, body, field):
    with unchanged(FeatureScore):
        response = put(admin_api, f"/features/{world.feature.pk}/scores/{rice.pk}", body)
        assert_error(response, 422, field)


def test_malformed_json_is_400(world, admin_api, rice):
    response = put(admin_api, f"/features/{world.feature.pk}/scores/{rice.pk}", "{inputs")
    assert_error(response, 400)


def test_unknown_feature_or_model_is_404(world, admin_api, rice):
    assert_error(admin_api.get("/features/987654/scores"), 404)
    assert_error(put(admin_api, f"/features/987654/scores/{rice.pk}", {"inputs": {}}), 404)
    assert_error(put(admin_api, f"/features/{world.feature.pk}/scores/987654", {"inputs": {}}), 404)


def test_a_stale_version_is_409(world, admin_api, rice):
    FeatureScoreFactory(feature=world.feature, scoring_model=rice)
    with unchanged(FeatureScore):
        response = put(
            admin_api,
            f"/features/{world.feature.pk}/scores/{rice.pk}",
            {"inputs": {**RICE_800, "reach": 1}, "version": 5},
        )
        assert_error(response, 409, "version")


def test_a_feature_outside_the_models_scope_is_422(world, admin_api):
    theirs = ScoringModelFactory(product=world.other_product)
    with unchanged(FeatureScore):
        response = put(
            admin_api, f"/features/{world.feature.pk}/scores/{theirs.pk}", {"inputs": RICE_800}
        )
        assert_error(response, 422, "feature")


ROLES = ["admin", "product_leader", "pm_owner", "pm_other", "contributor", "viewer"]


@pytest.mark.parametrize("role", ROLES)
def test_who_may_set_and_clear_inputs(world, rice, api_as, make_user, role):
    user = (
        world.pm
        if role == "pm_owner"
        else make_user(Role.PRODUCT_MANAGER if role == "pm_other" else role, username=role)
    )
    api = api_as(user)
    allowed = role in {"admin", "product_leader", "pm_owner"}
    path = f"/features/{world.feature.pk}/scores/{rice.pk}"
    assert api.get(f"/features/{world.feature.pk}/scores").status_code == 200
    if not allowed:
        with unchanged(FeatureScore):
            assert_error(put(api, path, {"inputs": RICE_800}), 403)
        FeatureScoreFactory(feature=world.feature, scoring_model=rice)
        with unchanged(FeatureScore):
            assert_error(api.delete(path), 403)
        return
    response = put(api, path, {"inputs": RICE_800})
    assert response.status_code == 200
    score = FeatureScore.objects.get()
    assert changes_of(FeatureScore, score.pk).get().actor == user
    assert api.delete(path, {"version": 1}).status_code == 204
    assert not FeatureScore.objects.exists()


def test_every_endpoint_requires_authentication(world, anonymous_api, rice):
    with unchanged(FeatureScore):
        assert_error(anonymous_api.get(f"/features/{world.feature.pk}/scores"), 401)
        path = f"/features/{world.feature.pk}/scores/{rice.pk}"
        assert_error(put(anonymous_api, path, {"inputs": RICE_800}), 401)
        assert_error(anonymous_api.delete(path), 401)
        assert_error(anonymous_api.get(f"/scoring-models/{rice.pk}/backlog"), 401)
        assert_error(anonymous_api.get(f"/scoring-models/{rice.pk}/compare/{rice.pk}"), 401)


# --- scoring models: what the standard matrix does not cover ----------------------------------


def test_the_scope_may_be_given_as_product(world, admin_api):
    response = admin_api.post(
        "/scoring-models", {"name": "Ours", "framework": "ice", "product": world.product.pk}
    )
    assert response.status_code == 201, response.content
    assert response.json()["product_id"] == world.product.pk
    assert (
        admin_api.post(
            "/scoring-models", {"name": "All", "framework": "rice", "product": None}
        ).json()["product_id"]
        is None
    )


def test_an_unknown_key_is_named(world, admin_api):
    with unchanged(ScoringModel):
        body = {"name": "Typo", "framework": "rice", "prodcut": 1}
        assert_error(admin_api.post("/scoring-models", body), 422, "prodcut")


def test_a_formula_error_gives_its_position(world, admin_api):
    with unchanged(ScoringModel):
        response = admin_api.post(
            "/scoring-models",
            {
                "name": "Bad",
                "framework": "custom",
                "formula": "value ** 2",
                "input_fields": [{"name": "value"}],
            },
        )
        body = assert_error(response, 422, "formula")
    assert body["errors"][0]["message"] == "use ^ for powers, not ** (position 6)"


def test_input_definition_errors_name_the_field(world, admin_api):
    response = admin_api.post(
        "/scoring-models",
        {"name": "Bad", "framework": "custom", "formula": "1", "input_fields": [{"name": "X"}]},
    )
    assert_error(response, 422, "input_fields[0].name")
    response = admin_api.post(
        "/scoring-models",
        {
            "name": "Bad",
            "framework": "custom",
            "formula": "1",
            "input_fields": [{"name": "x", "min": "low"}],
        },
    )
    assert_error(response, 422, "input_fields.0.min")


def test_a_model_describes_its_inputs_and_formula(world, admin_api, rice):
    body = admin_api.get(f"/scoring-models/{rice.pk}").json()
    assert body["score_formula"] == "reach * impact * confidence / effort"
    assert [spec["name"] for spec in body["inputs"]] == ["reach", "impact", "confidence", "effort"]
    impact = body["inputs"][1]
    assert [choice["value"] for choice in impact["choices"]] == [3, 2, 1, 0.5, 0.25]
    assert body["computed_fields"] == []
    live = CustomModelFactory(formula="value * arr_demand")
    assert admin_api.get(f"/scoring-models/{live.pk}").json()["computed_fields"] == ["arr_demand"]


def test_changing_the_formula_rescores_through_the_api(world, admin_api):
    model = CustomModelFactory()
    FeatureScoreFactory(
        feature=world.feature, scoring_model=model, inputs={"value": 3, "fit": 1}, score=9
    )
    response = admin_api.patch(
        f"/scoring-models/{model.pk}", {"formula": "value * 100", "version": 1}
    )
    assert response.status_code == 200, response.content
    scores = admin_api.get(f"/features/{world.feature.pk}/scores").json()["items"]
    assert [item["score"] for item in scores if item["model"] == model.pk] == [300]


def test_a_rescore_refusal_is_422_and_changes_nothing(world, admin_api):
    model = CustomModelFactory()
    FeatureScoreFactory(
        feature=world.feature, scoring_model=model, inputs={"value": 3, "fit": 0}, score=6
    )
    with unchanged(ScoringModel, FeatureScore):
        response = admin_api.patch(
            f"/scoring-models/{model.pk}", {"formula": "value / fit", "version": 1}
        )
        assert_error(response, 422, "formula")


def test_filter_portfolio_wide(world, admin_api):
    portfolio = ScoringModelFactory()
    ScoringModelFactory(product=world.product)
    response = admin_api.get("/scoring-models", {"portfolio_wide": "true"})
    assert [item["id"] for item in response.json()["items"]] == [portfolio.pk]


# --- backlog and comparison -------------------------------------------------------------------


def _score(feature, model, reach):
    FeatureScoreFactory(
        feature=feature,
        scoring_model=model,
        inputs={**RICE_800, "reach": reach},
        score=reach * 0.4,
    )


def test_the_backlog_endpoint_ranks_pages_and_filters(world, admin_api, rice):
    owner = UserFactory()
    features = [FeatureFactory(product=world.product, title=f"f{i}") for i in range(5)]
    for index, feature in enumerate(features):
        _score(feature, rice, 100 * index)
    FeatureFactory(product=world.other_product, owner=owner, title="other", stage="planned")
    response = admin_api.get(f"/scoring-models/{rice.pk}/backlog", {"limit": 2, "offset": 1})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 7  # the world's feature and "other" are unscored
    assert [(item["title"], item["rank"]) for item in body["items"]] == [("f3", 2), ("f2", 3)]
    assert body["items"][0]["score"] == 120
    assert body["items"][0]["inputs"] == {**RICE_800, "reach": 300}
    by_product = admin_api.get(
        f"/scoring-models/{rice.pk}/backlog", {"product_id": world.other_product.pk}
    ).json()
    assert [item["title"] for item in by_product["items"]] == ["other"]
    assert by_product["items"][0]["rank"] is None
    assert by_product["items"][0]["complete"] is False
    by_owner = admin_api.get(f"/scoring-models/{rice.pk}/backlog", {"owner_id": owner.pk})
    assert by_owner.json()["count"] == 1
    by_title = admin_api.get(f"/scoring-models/{rice.pk}/backlog", {"ordering": "-title"})
    assert by_title.json()["items"][0]["title"] == "other"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"stage": "shipped"}, "stage"),
        ({"ordering": "score"}, "ordering"),
        ({"limit": 0}, "limit"),
        ({"offset": -1}, "offset"),
        ({"product_id": "checkout"}, "product_id"),
    ],
)
def test_backlog_parameters_are_checked(world, admin_api, rice, params, field):
    assert_error(admin_api.get(f"/scoring-models/{rice.pk}/backlog", params), 422, field)


def test_backlog_of_an_unknown_model_is_404(world, admin_api):
    assert_error(admin_api.get("/scoring-models/987654/backlog"), 404)
    assert_error(admin_api.get("/scoring-models/987654/compare/987655"), 404)


def test_backlog_query_count_is_fixed(world, admin_api, rice):
    def grow():
        for index in range(20):
            _score(FeatureFactory(product=ProductFactory(), owner=UserFactory()), rice, index)

    assert_same_queries(lambda: admin_api.get(f"/scoring-models/{rice.pk}/backlog"), grow)


def test_the_compare_endpoint(world, admin_api, rice):
    ice = ScoringModelFactory(framework="ice", name="ICE")
    features = [FeatureFactory(product=world.product, title=f"f{index}") for index in range(4)]
    for index, feature in enumerate(features):
        _score(feature, rice, 100 * (index + 1))
        FeatureScoreFactory(
            feature=feature,
            scoring_model=ice,
            inputs={"impact": 5 - index, "confidence": 5, "ease": 5},
            score=(5 - index) * 25,
        )
    response = admin_api.get(f"/scoring-models/{rice.pk}/compare/{ice.pk}", {"top": 2})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["model"] == rice.pk
    assert body["other"] == ice.pk
    assert body["common"] == 4
    assert body["spearman"] == pytest.approx(-1.0)
    assert body["kendall_tau"] == pytest.approx(-1.0)
    assert body["top"] == [features[3].pk, features[2].pk]
    assert body["other_top"] == [features[0].pk, features[1].pk]
    assert body["top_overlap"] == 0
    assert body["count"] == 5  # the world's feature too, unscored
    first = body["items"][0]
    assert (first["title"], first["rank"], first["other_rank"], first["move"]) == ("f3", 1, 4, -3)
    paged = admin_api.get(f"/scoring-models/{rice.pk}/compare/{ice.pk}", {"limit": 1, "offset": 4})
    assert [item["title"] for item in paged.json()["items"]] == [world.feature.title]


def test_compare_parameters_are_checked(world, admin_api, rice):
    assert_error(
        admin_api.get(f"/scoring-models/{rice.pk}/compare/{rice.pk}", {"top": 0}), 422, "top"
    )
