"""The forms of allocations and exchange rates (run through the services by core.editing)."""

from __future__ import annotations

from typing import Any

from pilothouse.core.forms import VersionedModelForm
from pilothouse.core.models import User
from pilothouse.delivery.forms import DATE
from pilothouse.delivery.models import Allocation, ExchangeRate
from pilothouse.delivery.selectors import team_choices
from pilothouse.people import privacy
from pilothouse.people.selectors import person_choices
from pilothouse.portfolio.models import Product


class AllocationForm(VersionedModelForm):
    class Meta:
        model = Allocation
        fields = ["person", "product", "team", "start", "end", "percent", "note"]
        widgets = {"start": DATE, "end": DATE}
        help_texts = {
            "product": "A product, or else a team (not both).",
            "team": "A delivery team, or else a product. A member's allocations to their "
            "team set the team's capacity in the periods they cover.",
            "percent": "Percent of their time, 1 to 100. Over 100 % across a person's "
            "allocations is allowed and flagged.",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = person_choices()
        self.fields["product"].queryset = Product.objects.only("id", "name", "key").order_by(
            "name", "id"
        )
        self.fields["team"].queryset = team_choices()


def allocation_form_for(user: User) -> type[AllocationForm]:
    """The allocation form offering the people `user` may see listed (a private person
    only to those who may see their private data)."""

    class ListedPeopleForm(AllocationForm):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.fields["person"].queryset = privacy.listed_people(person_choices(), user)

    return ListedPeopleForm


class ExchangeRateForm(VersionedModelForm):
    class Meta:
        model = ExchangeRate
        fields = ["from_currency", "to_currency", "rate", "as_of", "note"]
        widgets = {"as_of": DATE}
        help_texts = {
            "rate": "Units of the second currency for one unit of the first: "
            "1 EUR = 1.08 USD is EUR, USD, 1.08."
        }
