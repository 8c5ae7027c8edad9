"""Strategy pages: the objectives tree, the objective and initiative pages, and the
forms of objectives, key results and initiatives."""

from __future__ import annotations

import pytest
from django.urls import reverse

from pilothouse.core.models import ChangeRecord
from pilothouse.strategy.forms import InitiativeForm, KeyResultForm, ObjectiveForm
from pilothouse.strategy.models import Initiative, KeyResult, Objective, ObjectiveScope
from tests.factories import (
    FeatureFactory,
    InitiativeFactory,
    KeyResultFactory,
    ObjectiveFactory,
    ProductFactory,
    ProductLineFactory,
)
from tests.web.helpers import assert_same_queries, form_payload, history_panel

TREE = reverse("strategy:objective_tree")


@pytest.fixture
def cascade(db):
    """A company objective, a line objective under it, a product objective under that."""
    product = ProductFactory(name="Checkout")
    company = ObjectiveFactory(title="Grow revenue", period="2026")
    line = ObjectiveFactory(
        title="Convert more",
        period="2026-Q4",
        scope=ObjectiveScope.PRODUCT_LINE,
        product_line=product.product_line,
        parent=company,
    )
    leaf = ObjectiveFactory(
        title="Faster checkout",
        period="2026-Q4",
        scope=ObjectiveScope.PRODUCT,
        product=product,
        parent=line,
    )
    KeyResultFactory(
        objective=leaf, title="p95 under 1s", start_value=0, target_value=100, current_value=30
    )
    KeyResultFactory(
        objective=leaf, title="Fewer drop-offs", start_value=0, target_value=10, current_value=5
    )
    return {"company": company, "line": line, "leaf": leaf, "product": product}


def test_the_tree_shows_the_cascade_with_progress(as_user, viewer, cascade):
    response = as_user(viewer).get(TREE)
    assert response.status_code == 200
    rows = [(r["objective"].title, r["depth"]) for r in response.context["rows"]]
    assert rows == [("Grow revenue", 0), ("Convert more", 1), ("Faster checkout", 2)]
    leaf = response.context["rows"][2]
    assert leaf["progress"] == pytest.approx(0.4)  # mean of 30% and 50%
    html = response.content.decode()
    assert 'style="--depth: 2"' in html
    assert 'value="30"' in html  # the key result's progress bar
    assert "40%" in html
    assert "Product line" in html
    assert "Checkout" in html


def test_the_tree_filters_by_period(as_user, viewer, cascade):
    response = as_user(viewer).get(TREE, {"period": "2026-Q4"})
    rows = [(r["objective"].title, r["depth"]) for r in response.context["rows"]]
    # Without its parent in the period, the line objective becomes a root.
    assert rows == [("Convert more", 0), ("Faster checkout", 1)]
    assert '<option value="2026-Q4" selected>' in response.content.decode()


def test_an_objective_without_key_results_has_no_progress(as_user, viewer, cascade):
    response = as_user(viewer).get(TREE)
    assert response.context["rows"][0]["progress"] is None
    assert "no key results" in response.content.decode()


def _grow_tree(n: int) -> None:
    for _ in range(n):
        root = ObjectiveFactory()
        child = ObjectiveFactory(
            parent=root, scope=ObjectiveScope.PRODUCT, product=ProductFactory()
        )
        KeyResultFactory(objective=child)
        KeyResultFactory(objective=root)


def test_the_tree_costs_the_same_queries_for_5_and_50_objectives(as_user, viewer):
    _grow_tree(5)
    client = as_user(viewer)
    assert_same_queries(lambda: client.get(TREE), lambda: _grow_tree(45))


# --- The objective page -----------------------------------------------------------------


def test_the_objective_page_shows_its_key_results_children_and_features(as_user, viewer, cascade):
    feature = FeatureFactory(title="Express pay", product=cascade["product"])
    feature.objectives.add(cascade["line"])
    InitiativeFactory(title="Wallets bet").objectives.add(cascade["line"])
    response = as_user(viewer).get(reverse("web:objective_detail", args=[cascade["line"].pk]))
    html = response.content.decode()
    for text in ("Convert more", "Grow revenue", "Faster checkout", "Express pay", "Wallets bet"):
        assert text in html
    leaf = as_user(viewer).get(reverse("web:objective_detail", args=[cascade["leaf"].pk]))
    assert "p95 under 1s" in leaf.content.decode()
    assert leaf.context["progress"] == pytest.approx(0.4)


# --- Objective forms ----------------------------------------------------------------------


def test_a_child_objective_starts_from_its_parent(as_user, leader, cascade):
    url = reverse("strategy:objective_create") + f"?parent={cascade['company'].pk}"
    form = as_user(leader).get(url).context["form"]
    assert form["parent"].value() == cascade["company"].pk
    assert form["period"].value() == "2026"
    assert form["scope"].value() == ObjectiveScope.PRODUCT_LINE


def test_creating_an_objective_is_logged_in_its_history(as_user, leader):
    line = ProductLineFactory()
    data = form_payload(
        ObjectiveForm(),
        title="Win the mid-market",
        period="2026-H2",
        scope=ObjectiveScope.PRODUCT_LINE,
        product_line=line.pk,
    )
    client = as_user(leader)
    response = client.post(reverse("strategy:objective_create"), data)
    objective = Objective.objects.get()
    assert response.url == reverse("web:objective_detail", args=[objective.pk])
    panel = history_panel(client.get(response.url).content.decode())
    assert "Created" in panel
    assert line.name in panel  # the line's name, not its id


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"scope": ObjectiveScope.PRODUCT}, "product"),
        ({"period": "Q4 2026"}, "period"),
        ({"title": ""}, "title"),
    ],
)
def test_bad_objective_input_names_the_field_and_creates_nothing(as_user, leader, changes, field):
    data = form_payload(ObjectiveForm(), **{"title": "T", "period": "2026", **changes})
    response = as_user(leader).post(reverse("strategy:objective_create"), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Objective.objects.exists()


def test_an_objective_cannot_become_its_own_ancestor(as_user, leader, cascade):
    company = cascade["company"]
    data = form_payload(ObjectiveForm(instance=company), parent=cascade["leaf"].pk)
    response = as_user(leader).post(reverse("strategy:objective_edit", args=[company.pk]), data)
    assert "own ancestor" in response.context["form"].errors["parent"][0]
    company.refresh_from_db()
    assert company.parent is None


def test_a_stale_objective_edit_saves_nothing(as_user, leader, cascade):
    company = cascade["company"]
    data = form_payload(ObjectiveForm(instance=company), title="Mine")
    Objective.objects.filter(pk=company.pk).update(version=5)
    response = as_user(leader).post(reverse("strategy:objective_edit", args=[company.pk]), data)
    assert response.status_code == 409
    assert "changed by someone else" in response.content.decode()
    company.refresh_from_db()
    assert company.title == "Grow revenue"


def test_an_objective_with_children_is_not_deleted(as_user, leader, cascade):
    response = as_user(leader).post(
        reverse("strategy:objective_delete", args=[cascade["company"].pk]), {"version": 1}
    )
    assert "it is still used by 1 objective." in response.content.decode()
    assert Objective.objects.count() == 3


# --- Key results --------------------------------------------------------------------------


def test_a_product_manager_adds_a_key_result_to_their_objective(as_user, product_manager):
    product = ProductFactory(owner=product_manager)
    objective = ObjectiveFactory(scope=ObjectiveScope.PRODUCT, product=product)
    url = reverse("strategy:key_result_create", args=[objective.pk])
    data = form_payload(KeyResultForm(), title="NPS 50", start_value="30", target_value="50")
    response = as_user(product_manager).post(url, data)
    assert response.url == reverse("web:objective_detail", args=[objective.pk])
    result = KeyResult.objects.get()
    assert (result.objective, result.title, result.created_by) == (
        objective,
        "NPS 50",
        product_manager,
    )


def test_a_key_result_needs_a_target_in_its_direction(as_user, leader, cascade):
    url = reverse("strategy:key_result_create", args=[cascade["company"].pk])
    data = form_payload(KeyResultForm(), title="Churn", start_value="10", target_value="5")
    response = as_user(leader).post(url, data)
    assert "above the start value" in response.context["form"].errors["target_value"][0]
    assert not KeyResult.objects.filter(title="Churn").exists()


def test_editing_a_key_result_moves_the_progress(as_user, leader, cascade):
    result = cascade["leaf"].key_results.get(title="p95 under 1s")
    data = form_payload(KeyResultForm(instance=result), current_value="90")
    client = as_user(leader)
    response = client.post(reverse("strategy:key_result_edit", args=[result.pk]), data)
    assert response.url == reverse("web:objective_detail", args=[cascade["leaf"].pk])
    result.refresh_from_db()
    assert result.progress == pytest.approx(0.9)
    # A key result has no page of its own: its edit page shows its history.
    page = client.get(reverse("strategy:key_result_edit", args=[result.pk]))
    assert "90" in history_panel(page.content.decode())


# --- Initiatives ---------------------------------------------------------------------------


def test_the_initiative_list_and_page(as_user, viewer, cascade):
    initiative = InitiativeFactory(title="Wallets bet")
    initiative.objectives.add(cascade["company"])
    FeatureFactory(title="Apple Pay", initiative=initiative)
    client = as_user(viewer)
    listing = client.get(reverse("strategy:initiative_list")).content.decode()
    assert "Wallets bet" in listing
    assert "Grow revenue" in listing
    page = client.get(reverse("web:initiative_detail", args=[initiative.pk])).content.decode()
    assert "Apple Pay" in page
    assert "Grow revenue" in page


def test_creating_an_initiative_with_objectives(as_user, leader, cascade):
    data = form_payload(
        InitiativeForm(),
        title="Wallets bet",
        objectives=[str(cascade["company"].pk), str(cascade["line"].pk)],
        start_date="2026-01-01",
        end_date="2026-06-30",
    )
    response = as_user(leader).post(reverse("strategy:initiative_create"), data)
    initiative = Initiative.objects.get()
    assert response.url == reverse("web:initiative_detail", args=[initiative.pk])
    assert set(initiative.objectives.all()) == {cascade["company"], cascade["line"]}


def test_an_initiative_cannot_end_before_it_starts(as_user, leader):
    data = form_payload(
        InitiativeForm(), title="Backwards", start_date="2026-06-01", end_date="2026-01-01"
    )
    response = as_user(leader).post(reverse("strategy:initiative_create"), data)
    assert "before the start date" in response.context["form"].errors["end_date"][0]
    assert not Initiative.objects.exists()
    assert not ChangeRecord.objects.exists()
