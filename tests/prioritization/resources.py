"""Prioritization's rows of the API test matrices (tests/api/resources.py).

Scoring models follow the stewardship rules: a model scoped to a product hangs under it,
so the world's product manager creates and changes the models of their product; models
of the whole portfolio are for product leaders and admins (tests/prioritization).

tests/api/resources.py imports this module after defining Spec and World; import the
rows through it (`from tests.api.resources import SPECS`), not from here.
"""

from __future__ import annotations

import itertools

from pilothouse.prioritization.models import ScoringModel
from tests.api.resources import Spec, World
from tests.prioritization.factories import CustomModelFactory, ScoringModelFactory

_serial = itertools.count(1)


def make_model(w: World) -> ScoringModel:
    return CustomModelFactory(product=w.product, description="Value and fit")


def create_model(w: World) -> dict:
    return {
        "name": f"Checkout scorecard {next(_serial)}",
        "framework": "custom",
        "description": "What checkout cares about",
        "formula": "value * 2 + log(1 + arr_demand, 10)",
        "input_fields": [{"name": "value", "label": "Value", "min": 1, "max": 5, "help": "1-5"}],
        "product_id": w.product.pk,
    }


def filter_models(w: World) -> tuple[dict, list[int]]:
    ScoringModelFactory(framework="wsjf")
    wsjf = ScoringModel.objects.filter(framework="wsjf").values_list("pk", flat=True)
    return {"framework": "wsjf"}, list(wsjf)


PRIORITIZATION_SPECS: list[Spec] = [
    Spec(
        path="/scoring-models",
        model=ScoringModel,
        make=make_model,
        create=create_model,
        patch={"name": "Checkout scorecard (revised)", "description": "Reviewed quarterly"},
        bad_type=("framework", "kano"),
        required="name",
        unknown_ref="product_id",
        too_long=("name", 120),
        invalid=lambda w: (
            {
                "name": "Broken",
                "framework": "custom",
                "formula": "value * (2",
                "input_fields": [{"name": "value"}],
            },
            "formula",
        ),
        filter_case=filter_models,
        order_field="name",
        pm_creates=True,
        pm_changes=True,
    ),
]
