"""Forms of features, releases and milestones, and the filters of the feature list.
(The roadmap views draw their filters lean: planning_views.FilterField.)"""

from __future__ import annotations

from typing import Any

from django import forms

from pilothouse.core import selectors as core_selectors
from pilothouse.core.forms import VersionedModelForm
from pilothouse.portfolio import selectors as portfolio_selectors
from pilothouse.roadmap import selectors
from pilothouse.roadmap.models import Feature, FeatureStage, FeatureTag, Milestone, Release
from pilothouse.strategy import selectors as strategy_selectors
from pilothouse.strategy.forms import ObjectiveChoiceField, ObjectiveMultipleChoiceField


class ProductPartChoiceField(forms.ModelChoiceField):
    """An area or release, named with its product: "Payments · Checkout"."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.product.name} · {obj.name}"


def _date_input() -> forms.DateInput:
    return forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class FeatureForm(VersionedModelForm):
    class Meta:
        model = Feature
        fields = [
            "title",
            "product",
            "area",
            "stage",
            "owner",
            "effort_low",
            "effort_high",
            "target_release",
            "horizon",
            "kano",
            "initiative",
            "objectives",
            "tags",
            "started_on",
            "completed_on",
            "description",
        ]
        field_classes = {
            "area": ProductPartChoiceField,
            "target_release": ProductPartChoiceField,
            "objectives": ObjectiveMultipleChoiceField,
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 10}),
            "objectives": forms.CheckboxSelectMultiple,
            "tags": forms.CheckboxSelectMultiple,
            "started_on": _date_input(),
            "completed_on": _date_input(),
        }
        help_texts = {
            "description": "Markdown: **bold**, *italic*, lists, links, tables.",
            "area": "An area of the feature's product.",
            "target_release": "A release of the feature's product.",
            "started_on": "Filled in when the feature moves to in progress.",
            "completed_on": "Filled in when the feature is released.",
            "horizon": "Its column on the now / next / later board; blank keeps it off.",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = portfolio_selectors.product_list()
        self.fields["area"].queryset = portfolio_selectors.product_area_list().order_by(
            "product__name", "name"
        )
        self.fields["target_release"].queryset = selectors.release_choices()
        self.fields["objectives"].queryset = strategy_selectors.objective_choices()
        self.fields["tags"].queryset = FeatureTag.objects.order_by("name")


class ReleaseForm(VersionedModelForm):
    class Meta:
        model = Release
        fields = ["product", "name", "target_date", "status", "notes"]
        widgets = {"target_date": _date_input(), "notes": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = portfolio_selectors.product_list()


class FeatureFilterForm(forms.Form):
    """The filters of the feature list; each is optional and a bad value is ignored."""

    q = forms.CharField(
        required=False,
        label="Search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Title or description"}),
    )
    product = forms.ModelChoiceField(queryset=None, required=False, empty_label="Any product")
    stage = forms.ChoiceField(required=False, choices=[("", "Any stage"), *FeatureStage.choices])
    owner = forms.ModelChoiceField(queryset=None, required=False, empty_label="Anyone")
    objective = ObjectiveChoiceField(queryset=None, required=False, empty_label="Any objective")
    sort = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = portfolio_selectors.product_list()
        self.fields["owner"].queryset = core_selectors.user_list()
        self.fields["objective"].queryset = strategy_selectors.objective_choices()

    def filters(self) -> dict[str, Any]:
        """The valid filters as `feature_search` takes them."""
        self.is_valid()
        data = self.cleaned_data

        def pk(name: str) -> int | None:
            return data[name].pk if data.get(name) else None

        return {
            "product_id": pk("product"),
            "stage": data.get("stage") or None,
            "owner_id": pk("owner"),
            "objective_id": pk("objective"),
            "text": (data.get("q") or "").strip() or None,
        }


class MilestoneForm(VersionedModelForm):
    class Meta:
        model = Milestone
        fields = ["name", "date", "products", "description"]
        widgets = {
            "date": _date_input(),
            "products": forms.CheckboxSelectMultiple,
            "description": forms.Textarea(attrs={"rows": 5}),
        }
        help_texts = {
            "products": "The products it concerns; none for a milestone of every product.",
            "description": "Markdown.",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["products"].queryset = portfolio_selectors.product_list().order_by("name")
