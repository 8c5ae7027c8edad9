"""Forms of objectives, key results and initiatives (run through the services by core.editing)."""

from __future__ import annotations

from typing import Any

from django import forms

from pilothouse.core.forms import VersionedModelForm
from pilothouse.strategy import selectors
from pilothouse.strategy.models import Initiative, KeyResult, Objective


class ObjectiveChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Objective) -> str:
        return f"{obj.period} · {obj.title}"


class ObjectiveMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Objective) -> str:
        return f"{obj.period} · {obj.title}"


def _date_input() -> forms.DateInput:
    return forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class PeriodFilterForm(forms.Form):
    """The period filter of the objectives tree."""

    period = forms.ChoiceField(required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        periods = selectors.objective_periods()
        self.fields["period"].choices = [("", "All periods"), *((p, p) for p in periods)]


class ObjectiveForm(VersionedModelForm):
    class Meta:
        model = Objective
        fields = [
            "title",
            "period",
            "scope",
            "product_line",
            "product",
            "parent",
            "owner",
            "status",
            "description",
        ]
        field_classes = {"parent": ObjectiveChoiceField}
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}
        help_texts = {
            "period": "2026, 2026-H2, 2026-Q4 or 2026-11.",
            "product_line": "For a product-line objective.",
            "product": "For a product objective.",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parents = selectors.objective_choices()
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = parents


class KeyResultForm(VersionedModelForm):
    class Meta:
        model = KeyResult
        fields = ["title", "unit", "direction", "start_value", "target_value", "current_value"]


class InitiativeForm(VersionedModelForm):
    class Meta:
        model = Initiative
        fields = ["title", "owner", "status", "start_date", "end_date", "objectives", "description"]
        field_classes = {"objectives": ObjectiveMultipleChoiceField}
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "start_date": _date_input(),
            "end_date": _date_input(),
            "objectives": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["objectives"].queryset = selectors.objective_choices()
