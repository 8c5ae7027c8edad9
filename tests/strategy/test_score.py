"""An objective's score (the mean progress of its key results) and its colour band:
green from 0.70, yellow from 0.40, red below; shown on the objective's page and in the
objective tree."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.urls import reverse

from pilothouse.strategy import selectors
from tests.factories import KeyResultFactory, ObjectiveFactory

pytestmark = pytest.mark.django_db


def objective_at(*currents: int):
    objective = ObjectiveFactory()
    for current in currents:
        KeyResultFactory(
            objective=objective, start_value=0, target_value=100, current_value=current
        )
    return selectors.objective_detail(pk=objective.pk)


@pytest.mark.parametrize(
    ("currents", "score", "band"),
    [
        ((100, 40), 0.7, "green"),
        ((90, 49), 0.695, "green"),  # shown as 0.70, so green like the figure
        ((69, 69), 0.69, "yellow"),
        ((40,), 0.4, "yellow"),
        ((39, 40), 0.395, "yellow"),  # shown as 0.40
        ((39,), 0.39, "red"),
        ((0, 150), 0.5, "yellow"),  # a key result beyond its target counts as done
        ((), None, None),
    ],
)
def test_the_score_is_the_mean_progress_and_its_band(currents, score, band):
    found, found_band = selectors.objective_score(objective_at(*currents))
    if score is None:
        assert found is None
    else:
        assert found == pytest.approx(score)
    shown = f"{found:.2f}" if found is not None else None
    assert found_band == band, (found, shown)


def test_the_score_badge_says_the_band():
    render = Template('{% include "strategy/partials/score.html" with value=value %}').render
    assert "Score 0.72 · green" in render(Context({"value": 0.72}))
    assert "var(--success-soft)" in render(Context({"value": 0.72}))
    assert "Score 0.50 · yellow" in render(Context({"value": 0.5}))
    assert "Score 0.10 · red" in render(Context({"value": 0.1}))
    assert "no score" in render(Context({"value": None}))


def test_the_objective_page_and_the_tree_show_the_score(as_user, viewer):
    objective = objective_at(100, 60)
    page = as_user(viewer).get(reverse("web:objective_detail", args=[objective.pk]))
    assert "Score 0.80 · green" in page.content.decode()
    tree = as_user(viewer).get(reverse("strategy:objective_tree"))
    assert "Score 0.80 · green" in tree.content.decode()
