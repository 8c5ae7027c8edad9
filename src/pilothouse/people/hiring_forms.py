"""The forms of the hiring plan (run through people.hiring's writes by core.editing)."""

from __future__ import annotations

from typing import Any

from django import forms

from pilothouse.core.forms import VersionedModelForm
from pilothouse.people import hiring, selectors
from pilothouse.people.models import OpenRole, OpenRoleStatus, Person
from pilothouse.portfolio.models import Product, ProductLine


class OpenRoleForm(VersionedModelForm):
    """Only those who may change open roles draw it (product leaders and admins), and
    they see budgets: the budget fields need no hiding here."""

    user_fields = ()

    class Meta:
        model = OpenRole
        fields = [
            "title",
            "level",
            "product_line",
            "product",
            "gap",
            "reason",
            "priority",
            "status",
            "target_start",
            "hiring_manager",
            "filled_by",
            "budget_per_year",
            "budget_currency",
        ]
        labels = {"gap": "Gap it closes", "budget_per_year": "Budget per year"}
        help_texts = {
            "status": "Proposed → approved → open → offer → filled; cancel at any time.",
            "target_start": "When the new person should start; the plan groups roles by its "
            "quarter.",
            "filled_by": "Who took the role, once it is filled.",
            "budget_per_year": "Private: only product leaders and admins see it.",
            "budget_currency": "ISO 4217 code, e.g. USD, EUR.",
        }
        widgets = {"target_start": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = selectors.person_choices()
        self.fields["hiring_manager"].queryset = people
        self.fields["filled_by"].queryset = people
        self.fields["product_line"].queryset = ProductLine.objects.order_by("name")
        self.fields["product"].queryset = Product.objects.order_by("name")
        self.fields["product"].help_text = "Optional; the role then belongs to its product line."

    def clean_status(self) -> str:
        # Checked here too, so that a refused move is not hidden behind what the model
        # asks of the status it was not allowed to reach (filled needs filled_by).
        status = self.cleaned_data["status"]
        if self.instance.pk is not None:
            refusal = hiring.move_refusal(self.instance.status, status)
            if refusal:
                raise forms.ValidationError(refusal)
        return status


class OpenRoleMoveForm(forms.Form):
    """A status move from the role's page; filling it names who filled it."""

    status = forms.ChoiceField(choices=OpenRoleStatus.choices)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    filled_by = forms.ModelChoiceField(queryset=Person.objects.none(), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["filled_by"].queryset = selectors.person_choices()
