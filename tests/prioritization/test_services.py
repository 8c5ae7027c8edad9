"""The services of prioritization: validation that names the field and changes nothing,
who may do what (through core.permissions), the change log, and re-scoring."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from pilothouse.core.errors import ConflictError
from pilothouse.core.models import ChangeAction, ChangeRecord
from pilothouse.core.roles import Role
from pilothouse.prioritization import services
from pilothouse.prioritization.models import FeatureScore, ScoringModel
from pilothouse.roadmap import services as roadmap_services
from pilothouse.roadmap.models import Feature
from tests.api.helpers import changes_of, unchanged
from tests.factories import FeatureFactory, ProductFactory, ProductLineFactory
from tests.prioritization.factories import (
    RICE_800,
    CustomModelFactory,
    FeatureScoreFactory,
    ScoringModelFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def owned(make_user):
    """A product manager who owns one product (and a feature of it), and another product."""
    pm = make_user(Role.PRODUCT_MANAGER, username="owner")
    product = ProductFactory(owner=pm, name="Checkout")
    return {
        "pm": pm,
        "product": product,
        "feature": FeatureFactory(product=product, title="One-click pay"),
        "other": ProductFactory(name="Billing"),
    }


def _create(actor, **data):
    return services.scoring_model.create(actor=actor, data={"framework": "rice", **data})


def _set(actor, feature, model, inputs, **kwargs):
    return services.feature_score_set(
        actor=actor, feature=feature, scoring_model=model, inputs=inputs, **kwargs
    )


# --- creating and changing models -------------------------------------------------------------


def test_create_records_the_change_with_the_actor(leader):
    model = _create(leader, name="RICE")
    assert model.version == 1
    record = changes_of(ScoringModel, model.pk).get()
    assert record.action == ChangeAction.CREATE
    assert record.actor == leader
    assert record.after["framework"] == "rice"


def test_a_custom_formula_that_does_not_parse_is_refused_with_its_position(leader):
    with unchanged(ScoringModel), pytest.raises(ValidationError) as caught:
        _create(
            leader,
            name="Broken",
            framework="custom",
            formula="value * (2 + fit",
            input_fields=[{"name": "value"}, {"name": "fit"}],
        )
    (message,) = caught.value.message_dict["formula"]
    assert "never closed" in message
    assert "(position 8)" in message


def test_a_formula_naming_an_unknown_field_lists_the_known_ones(leader):
    with pytest.raises(ValidationError) as caught:
        _create(leader, name="X", framework="custom", formula="reach * 2", input_fields=[])
    (message,) = caught.value.message_dict["formula"]
    assert "unknown field 'reach'" in message
    assert "arr_demand" in message


def test_bad_input_definitions_are_named_by_position(leader):
    with unchanged(ScoringModel), pytest.raises(ValidationError) as caught:
        _create(
            leader,
            name="X",
            framework="custom",
            formula="1",
            input_fields=[{"name": "ok"}, {"name": "Bad name", "min": 3, "max": 1}],
        )
    errors = caught.value.message_dict
    assert "lowercase" in errors["input_fields[1].name"][0]
    assert "below min" in errors["input_fields[1].max"][0]


def test_builtin_frameworks_take_no_formula(leader):
    with pytest.raises(ValidationError) as caught:
        _create(leader, name="X", formula="reach * 2")
    assert "Only custom models" in caught.value.message_dict["formula"][0]


def test_input_definitions_are_stored_complete(leader):
    model = _create(
        leader, name="X", framework="custom", formula="fit", input_fields=[{"name": "fit"}]
    )
    assert model.input_fields == [
        {"name": "fit", "label": "Fit", "min": None, "max": None, "help": ""}
    ]


def test_the_framework_cannot_change(leader):
    model = ScoringModelFactory()
    with unchanged(ScoringModel), pytest.raises(ValidationError) as caught:
        services.scoring_model.update(
            actor=leader, instance=model, version=1, data={"framework": "ice"}
        )
    assert "cannot change" in caught.value.message_dict["framework"][0]


def test_a_stale_version_is_refused(leader):
    model = ScoringModelFactory()
    ScoringModel.objects.filter(pk=model.pk).update(version=2)
    with unchanged(ScoringModel), pytest.raises(ConflictError):
        services.scoring_model.update(actor=leader, instance=model, version=1, data={"name": "Y"})


# --- who may create and change models ---------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.ADMIN, True),
        (Role.PRODUCT_LEADER, True),
        (Role.PRODUCT_MANAGER, False),
        (Role.CONTRIBUTOR, False),
        (Role.VIEWER, False),
    ],
)
def test_only_leaders_and_admins_create_portfolio_models(make_user, role, allowed):
    user = make_user(role, username=f"u-{role}")
    if allowed:
        assert _create(user, name="Portfolio RICE").product is None
    else:
        with unchanged(ScoringModel), pytest.raises(PermissionDenied):
            _create(user, name="Portfolio RICE")


def test_a_product_manager_creates_and_edits_models_of_their_products(owned):
    model = _create(owned["pm"], name="Checkout RICE", product=owned["product"])
    updated = services.scoring_model.update(
        actor=owned["pm"], instance=model, version=1, data={"description": "Ours"}
    )
    assert updated.version == 2
    with unchanged(ScoringModel), pytest.raises(PermissionDenied):
        _create(owned["pm"], name="Billing RICE", product=owned["other"])


def test_a_product_manager_may_not_widen_a_model_to_the_portfolio(owned):
    model = _create(owned["pm"], name="Checkout RICE", product=owned["product"])
    with unchanged(ScoringModel), pytest.raises(PermissionDenied):
        services.scoring_model.update(
            actor=owned["pm"], instance=model, version=1, data={"product": None}
        )


def test_a_product_line_owner_stewards_the_models_of_its_products(make_user):
    director = make_user(Role.PRODUCT_MANAGER, username="director")
    product = ProductFactory(product_line=ProductLineFactory(owner=director))
    assert _create(director, name="Line model", product=product).product == product


def test_a_product_manager_may_not_change_anothers_model(owned):
    model = ScoringModelFactory(product=owned["other"])
    with unchanged(ScoringModel), pytest.raises(PermissionDenied):
        services.scoring_model.update(
            actor=owned["pm"], instance=model, version=1, data={"name": "Mine"}
        )
    with unchanged(ScoringModel), pytest.raises(PermissionDenied):
        services.scoring_model.delete(actor=owned["pm"], instance=model)


# --- inputs -----------------------------------------------------------------------------------


def test_setting_rice_inputs_stores_the_score_800(owned):
    model = ScoringModelFactory()
    score = _set(owned["pm"], owned["feature"], model, RICE_800)
    assert score.score == 800
    assert score.inputs == RICE_800
    record = changes_of(FeatureScore, score.pk).get()
    assert record.actor == owned["pm"]
    assert record.after["inputs"] == RICE_800
    assert "score" not in record.after  # derived data, as a feature's demand figures


def test_changing_inputs_updates_the_score_and_logs_the_inputs(owned):
    model = ScoringModelFactory()
    _set(owned["pm"], owned["feature"], model, RICE_800)
    changed = _set(owned["pm"], owned["feature"], model, {**RICE_800, "effort": 8}, version=1)
    assert changed.score == 400
    assert changed.version == 2
    record = changes_of(FeatureScore, changed.pk).filter(action=ChangeAction.UPDATE).get()
    assert record.before == {"inputs": RICE_800}
    assert record.after == {"inputs": {**RICE_800, "effort": 8}}


def test_the_same_inputs_again_change_nothing(owned):
    model = ScoringModelFactory()
    _set(owned["pm"], owned["feature"], model, RICE_800)
    with unchanged(FeatureScore):
        assert _set(owned["pm"], owned["feature"], model, dict(RICE_800)).version == 1


def test_a_missing_input_makes_the_score_incomplete(owned):
    model = ScoringModelFactory()
    score = _set(owned["pm"], owned["feature"], model, {"reach": 100, "impact": None})
    assert score.score is None
    assert score.inputs == {"reach": 100}


def test_bad_inputs_are_refused_naming_each_field_and_nothing_changes(owned):
    model = ScoringModelFactory()
    _set(owned["pm"], owned["feature"], model, RICE_800)
    with unchanged(FeatureScore), pytest.raises(ValidationError) as caught:
        _set(
            owned["pm"],
            owned["feature"],
            model,
            {"reach": -5, "impact": 7, "confidence": 80, "effort": "lots", "reech": 1},
            version=1,
        )
    errors = caught.value.message_dict
    assert set(errors) == {
        "inputs.reach",
        "inputs.impact",
        "inputs.confidence",
        "inputs.effort",
        "inputs.reech",
    }
    assert "one of 1, 0.8, 0.5" in errors["inputs.confidence"][0]


def test_a_stale_score_version_is_refused(owned):
    model = ScoringModelFactory()
    _set(owned["pm"], owned["feature"], model, RICE_800)
    with unchanged(FeatureScore), pytest.raises(ConflictError):
        _set(owned["pm"], owned["feature"], model, {**RICE_800, "reach": 1}, version=7)


def test_a_formula_failing_on_the_inputs_is_refused(owned):
    model = CustomModelFactory(formula="value / (fit - fit)")
    with unchanged(FeatureScore), pytest.raises(ValidationError) as caught:
        _set(owned["pm"], owned["feature"], model, {"value": 1, "fit": 2})
    assert "division by zero" in caught.value.message_dict["inputs"][0]


def test_a_feature_outside_the_models_scope_is_refused(owned, leader):
    model = ScoringModelFactory(product=owned["other"])
    with unchanged(FeatureScore), pytest.raises(ValidationError) as caught:
        _set(leader, owned["feature"], model, RICE_800)
    assert "Billing" in caught.value.message_dict["feature"][0]


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("owner", True),
        ("feature_owner", True),
        ("leader", True),
        ("other_pm", False),
        ("contributor", False),
        ("viewer", False),
    ],
)
def test_whoever_may_edit_the_feature_may_set_its_inputs(owned, make_user, who, allowed):
    users = {
        "owner": owned["pm"],
        "leader": make_user(Role.PRODUCT_LEADER, username="lead"),
        "other_pm": make_user(Role.PRODUCT_MANAGER, username="other"),
        "contributor": make_user(Role.CONTRIBUTOR, username="contrib"),
        "viewer": make_user(Role.VIEWER, username="view"),
    }
    feature = owned["feature"]
    if who == "feature_owner":
        users[who] = make_user(Role.PRODUCT_MANAGER, username="featureowner")
        Feature.objects.filter(pk=feature.pk).update(owner=users[who])
        feature.refresh_from_db()
    model = ScoringModelFactory()  # the portfolio's: its scores follow the feature
    if allowed:
        assert _set(users[who], feature, model, RICE_800).score == 800
    else:
        with unchanged(FeatureScore), pytest.raises(PermissionDenied):
            _set(users[who], feature, model, RICE_800)
        # Refused before the inputs are looked at: no hint about them either.
        with unchanged(FeatureScore), pytest.raises(PermissionDenied):
            _set(users[who], feature, model, {"reach": "bad"})


def test_clearing_inputs_is_logged_and_needs_the_same_permission(owned, make_user):
    model = ScoringModelFactory()
    score = _set(owned["pm"], owned["feature"], model, RICE_800)
    other = make_user(Role.PRODUCT_MANAGER, username="other")
    with unchanged(FeatureScore), pytest.raises(PermissionDenied):
        services.feature_score_clear(actor=other, feature=owned["feature"], scoring_model=model)
    assert services.feature_score_clear(
        actor=owned["pm"], feature=owned["feature"], scoring_model=model
    )
    assert not FeatureScore.objects.exists()
    assert changes_of(FeatureScore, score.pk).filter(action=ChangeAction.DELETE).exists()
    assert not services.feature_score_clear(
        actor=owned["pm"], feature=owned["feature"], scoring_model=model
    )


# --- re-scoring -------------------------------------------------------------------------------


def _custom_scores(model, count):
    features = [FeatureFactory() for _ in range(count)]
    for index, feature in enumerate(features):
        _set(None, feature, model, {"value": index % 10 + 1, "fit": index % 6})
    return features


def test_a_formula_change_rescores_every_feature_with_one_change_record(leader):
    model = CustomModelFactory()
    _custom_scores(model, 12)
    before = ChangeRecord.objects.count()
    updated = services.scoring_model.update(
        actor=leader, instance=model, version=1, data={"formula": "value * 10 + fit"}
    )
    assert ChangeRecord.objects.count() == before + 1
    record = changes_of(ScoringModel, model.pk).get(action=ChangeAction.UPDATE)
    assert record.after == {"formula": "value * 10 + fit"}
    for score in FeatureScore.objects.filter(scoring_model=updated):
        assert score.score == score.inputs["value"] * 10 + score.inputs["fit"]
        assert score.version == 1  # derived data: the scores' own versions stay


def test_a_change_that_does_not_touch_the_definition_rescores_nothing(leader, monkeypatch):
    model = CustomModelFactory()
    _custom_scores(model, 2)
    monkeypatch.setattr(services, "rescore", lambda **kwargs: pytest.fail("rescored"))
    services.scoring_model.update(actor=leader, instance=model, version=1, data={"name": "New"})


def test_an_input_the_model_no_longer_declares_is_dropped(leader):
    model = CustomModelFactory()
    _custom_scores(model, 3)
    services.scoring_model.update(
        actor=leader,
        instance=model,
        version=1,
        data={"formula": "value", "input_fields": [{"name": "value", "min": 1, "max": 10}]},
    )
    for score in FeatureScore.objects.all():
        assert set(score.inputs) == {"value"}
        assert score.score == score.inputs["value"]


def test_a_new_input_leaves_the_scores_incomplete(leader):
    model = CustomModelFactory()
    _custom_scores(model, 3)
    fields = [*model.input_fields, {"name": "risk", "min": 0, "max": 1}]
    services.scoring_model.update(
        actor=leader,
        instance=model,
        version=1,
        data={"formula": "2 * value + 3 * fit - risk", "input_fields": fields},
    )
    assert set(FeatureScore.objects.values_list("score", flat=True)) == {None}


def test_a_narrower_range_that_existing_inputs_break_is_refused_naming_them(leader):
    model = CustomModelFactory()
    features = _custom_scores(model, 8)
    narrower = [{"name": "value", "min": 1, "max": 3}, {"name": "fit", "min": 0, "max": 5}]
    with unchanged(ScoringModel, FeatureScore), pytest.raises(ValidationError) as caught:
        services.scoring_model.update(
            actor=leader, instance=model, version=1, data={"input_fields": narrower}
        )
    (message,) = caught.value.message_dict["input_fields"]
    assert "for 5 scored features" in message
    assert features[3].title in message
    assert "Nothing was changed" in message


def test_a_formula_that_fails_for_some_features_is_refused(leader):
    model = CustomModelFactory()
    _custom_scores(model, 6)
    with unchanged(ScoringModel, FeatureScore), pytest.raises(ValidationError) as caught:
        services.scoring_model.update(
            actor=leader, instance=model, version=1, data={"formula": "value / fit"}
        )
    (message,) = caught.value.message_dict["formula"]
    assert "for 1 scored feature" in message
    assert "division by zero (position 6)" in message


def test_rescore_answers_what_it_did():
    model = CustomModelFactory()
    _custom_scores(model, 4)
    FeatureScoreFactory(
        scoring_model=model, inputs={"value": 2}, score=None, feature=FeatureFactory()
    )
    FeatureScore.objects.filter(inputs__value=1).update(score=-1)  # as if stale
    result = services.rescore(scoring_model=model)
    assert (result.scored, result.incomplete, result.written) == (4, 1, 1)


def test_a_model_reading_computed_fields_stores_no_score(leader):
    model = CustomModelFactory(formula="value * arr_demand")
    feature = FeatureFactory()
    score = _set(leader, feature, model, {"value": 2, "fit": 1})
    assert score.score is None  # computed when read (tests/prioritization/test_selectors.py)
    stored = CustomModelFactory()
    _set(leader, feature, stored, {"value": 2, "fit": 1})
    services.scoring_model.update(
        actor=leader, instance=stored, version=1, data={"formula": "value * requests"}
    )
    assert FeatureScore.objects.get(scoring_model=stored).score is None


def test_narrowing_the_scope_is_refused_while_other_products_have_scores(leader):
    model = ScoringModelFactory()
    FeatureScoreFactory(scoring_model=model)
    product = ProductFactory(name="Narrow")
    with unchanged(ScoringModel), pytest.raises(ValidationError) as caught:
        services.scoring_model.update(
            actor=leader, instance=model, version=1, data={"product": product}
        )
    assert "cannot be narrowed to Narrow" in caught.value.message_dict["product"][0]


def test_deleting_a_model_removes_its_scores_with_one_change_record(leader):
    model = ScoringModelFactory()
    for _ in range(5):
        FeatureScoreFactory(scoring_model=model)
    before = ChangeRecord.objects.count()
    services.scoring_model.delete(actor=leader, instance=model, version=1)
    assert not FeatureScore.objects.exists()
    assert ChangeRecord.objects.count() == before + 1
    assert changes_of(ScoringModel, model.pk).get().action == ChangeAction.DELETE


def test_a_refused_delete_keeps_the_scores(owned):
    model = ScoringModelFactory()
    FeatureScoreFactory(scoring_model=model)
    with unchanged(ScoringModel, FeatureScore), pytest.raises(PermissionDenied):
        services.scoring_model.delete(actor=owned["pm"], instance=model)


def test_deleting_a_feature_deletes_its_scores(leader):
    score = FeatureScoreFactory()
    roadmap_services.feature.delete(actor=leader, instance=score.feature)
    assert not FeatureScore.objects.exists()


def test_a_product_with_a_scoring_model_cannot_be_deleted():
    from django.db.models import ProtectedError

    model = ScoringModelFactory(product=ProductFactory())
    with pytest.raises(ProtectedError):
        model.product.delete()


def test_demand_is_read_as_a_float():
    # The computed figures come from Decimal columns; the engine gets floats.
    from pilothouse.prioritization import schemes

    feature = FeatureFactory(effort_high=Decimal("2.5"))
    assert schemes.computed_values(feature, ("effort_high", "arr_demand")) == {
        "effort_high": 2.5,
        "arr_demand": 0.0,
    }
