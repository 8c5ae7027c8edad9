"""factory-boy factories of prioritization's models."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from pilothouse.prioritization.models import FeatureScore, Framework, ScoringModel
from tests.factories import FeatureFactory

RICE_800 = {"reach": 2000, "impact": 2, "confidence": 0.8, "effort": 4}


class ScoringModelFactory(DjangoModelFactory):
    class Meta:
        model = ScoringModel

    name = factory.Sequence(lambda n: f"Scoring model {n}")
    framework = Framework.RICE


class CustomModelFactory(ScoringModelFactory):
    """A custom model: value (1-10) and fit (0-5), weighted."""

    framework = Framework.CUSTOM
    formula = "2 * value + 3 * fit"
    input_fields = factory.LazyFunction(
        lambda: [
            {"name": "value", "label": "Value", "min": 1, "max": 10, "help": ""},
            {"name": "fit", "label": "Fit", "min": 0, "max": 5, "help": ""},
        ]
    )


class FeatureScoreFactory(DjangoModelFactory):
    """A RICE score of 800 (the inputs and score are consistent only for RICE models)."""

    class Meta:
        model = FeatureScore

    feature = factory.SubFactory(FeatureFactory)
    scoring_model = factory.SubFactory(ScoringModelFactory)
    inputs = factory.LazyFunction(lambda: dict(RICE_800))
    score = 800.0
