"""core.editing: forms run through the services, and what the services refuse mapped
back onto the form."""

from __future__ import annotations

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from pilothouse.core.editing import (
    apply_validation_error,
    delete_with_form,
    edit_form,
    int_param,
    save_form,
)
from pilothouse.core.forms import DeleteForm
from pilothouse.core.models import ChangeRecord
from pilothouse.portfolio import services as portfolio_services
from pilothouse.portfolio.forms import ProductLineForm
from pilothouse.portfolio.models import ProductLine
from pilothouse.roadmap import services as roadmap_services
from pilothouse.roadmap.forms import FeatureForm
from tests.factories import FeatureFactory, ProductFactory, ProductLineFactory
from tests.web.helpers import form_payload


class NameForm(forms.Form):
    name = forms.CharField()


def test_errors_of_known_fields_go_on_the_fields():
    form = NameForm({"name": "x"})
    form.is_valid()
    apply_validation_error(form, ValidationError({"name": "Taken."}))
    assert form.errors == {"name": ["Taken."]}


def test_errors_of_other_fields_go_on_the_whole_form_with_the_field_named():
    form = NameForm({"name": "x"})
    form.is_valid()
    apply_validation_error(
        form,
        ValidationError({"product_line": "Gone.", "__all__": "Clash."}),
    )
    assert form.non_field_errors() == ["product line: Gone.", "Clash."]
    assert "name" not in form.errors


def test_an_error_without_fields_goes_on_the_whole_form():
    form = NameForm({"name": "x"})
    form.is_valid()
    apply_validation_error(form, ValidationError("Nope."))
    assert form.non_field_errors() == ["Nope."]


def test_save_form_creates_through_the_service(leader):
    form = ProductLineForm({"name": "Payments", "owner": leader.pk, "description": ""})
    line = save_form(form, writes=portfolio_services.product_line, actor=leader)
    assert line.name == "Payments"
    assert (line.created_by, line.version) == (leader, 1)
    assert ChangeRecord.objects.get().action == "create"


def test_save_form_writes_nothing_for_an_invalid_form(leader):
    form = ProductLineForm({"name": "", "description": ""})
    assert save_form(form, writes=portfolio_services.product_line, actor=leader) is None
    assert form.errors["name"] == ["This field is required."]
    assert not ProductLine.objects.exists()


def test_save_form_refuses_a_stale_version(leader):
    line = portfolio_services.product_line.create(actor=leader, data={"name": "Old"})
    stale = edit_form(ProductLineForm, line, {"name": "Mine", "description": "", "version": 1})
    portfolio_services.product_line.update(
        actor=leader, instance=line, version=1, data={"name": "Theirs"}
    )
    assert (
        save_form(stale, writes=portfolio_services.product_line, actor=leader, instance=line)
        is None
    )
    assert stale.conflict
    assert "changed by someone else" in stale.non_field_errors()[0]
    line.refresh_from_db()
    assert (line.name, line.version) == ("Theirs", 2)


def test_an_edit_form_leaves_the_object_it_was_given_alone(leader):
    line = ProductLineFactory(name="Before")
    form = edit_form(ProductLineForm, line, {"name": "After", "description": "", "version": 1})
    assert form.is_valid()
    assert line.name == "Before"


def test_a_service_rule_lands_on_its_field(leader):
    feature = FeatureFactory()
    form = edit_form(
        FeatureForm, feature, form_payload(FeatureForm(instance=feature), stage="measured")
    )
    assert save_form(form, writes=roadmap_services.feature, actor=leader, instance=feature) is None
    assert "cannot move from idea to measured" in form.errors["stage"][0]
    feature.refresh_from_db()
    assert (feature.stage, feature.version) == ("idea", 1)


def test_delete_with_form_refuses_a_stale_version(leader):
    line = ProductLineFactory(version=3)
    form = DeleteForm({"version": 2})
    assert not delete_with_form(
        form, writes=portfolio_services.product_line, actor=leader, instance=line
    )
    assert form.conflict
    assert ProductLine.objects.filter(pk=line.pk).exists()


def test_delete_with_form_explains_what_still_refers_to_the_object(leader):
    line = ProductLineFactory()
    ProductFactory.create_batch(2, product_line=line)
    form = DeleteForm({"version": 1})
    assert not delete_with_form(
        form, writes=portfolio_services.product_line, actor=leader, instance=line
    )
    assert form.non_field_errors() == [
        "This product line cannot be deleted: it is still used by 2 products. "
        "Move or delete those first; nothing was deleted."
    ]
    assert ProductLine.objects.filter(pk=line.pk).exists()
    assert not ChangeRecord.objects.exists()


@pytest.mark.parametrize(
    ("query", "expected"), [("?line=12", 12), ("?line=", None), ("?line=x1", None), ("", None)]
)
def test_int_param_ignores_malformed_values(query, expected):
    assert int_param(RequestFactory().get("/" + query), "line") == expected
