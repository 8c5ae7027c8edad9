"""What prioritization shows on other apps' pages: the scores panel on a feature's page
(through core.panels, so the roadmap knows nothing of this app), and the pages of its
objects for the change log's links. Registered by PrioritizationConfig.ready()."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from pilothouse.core import panels, permissions
from pilothouse.core.views import register_object_page
from pilothouse.prioritization import selectors
from pilothouse.prioritization.forms import ScoreInputsForm
from pilothouse.prioritization.models import FeatureScore, ScoringModel
from pilothouse.roadmap.models import Feature


def scores_context(request: HttpRequest, feature: Feature) -> dict | None:
    """The feature's score under each model covering it, with a form of its inputs for
    those who may edit the feature. One query, whatever the number of models; left
    out (None) while no scoring model covers the feature."""
    views = selectors.feature_scores(feature=feature)
    if not views:
        return None
    can_edit = permissions.can_change(request.user, feature)
    rows = [(view, ScoreInputsForm.for_view(view) if can_edit else None) for view in views]
    return {"rows": rows, "can_edit": can_edit}


def register() -> None:
    panels.register(
        Feature,
        key="scores",
        title="Prioritization scores",
        template="prioritization/panels/scores.html",
        context=scores_context,
        order=50,
    )
    register_object_page(ScoringModel, lambda m: reverse("prioritization:backlog", args=[m.pk]))
    register_object_page(
        FeatureScore,
        lambda s: reverse("roadmap:feature_detail", args=[s.feature_id]) + "#scores",
    )
