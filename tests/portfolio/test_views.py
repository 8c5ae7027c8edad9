"""Portfolio pages: the overview, the product page, and the forms of lines, products
and areas."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from pilothouse.core.models import ChangeRecord
from pilothouse.portfolio.forms import ProductAreaForm, ProductForm, ProductLineForm
from pilothouse.portfolio.models import Product, ProductArea, ProductLine
from pilothouse.strategy.models import ObjectiveScope
from tests.factories import (
    FeatureFactory,
    KeyResultFactory,
    ObjectiveFactory,
    ProductAreaFactory,
    ProductFactory,
    ProductLineFactory,
    ReleaseFactory,
)
from tests.web.helpers import assert_same_queries, form_payload, history_panel

# --- The overview -----------------------------------------------------------------------


def test_the_overview_shows_lines_products_and_feature_counts(as_user, viewer, leader):
    line = ProductLineFactory(name="Payments", owner=leader)
    product = ProductFactory(
        name="Checkout", key="CHK", product_line=line, arr=Decimal("1200000"), owner=leader
    )
    ProductFactory(name="Ledger", key="LDG", product_line=line, arr=Decimal("300000"))
    FeatureFactory.create_batch(3, product=product, stage="planned")
    FeatureFactory(product=product, stage="idea")
    response = as_user(viewer).get(reverse("web:portfolio"))
    assert response.status_code == 200
    (block,) = response.context["blocks"]
    assert [row.product.key for row in block.rows] == ["CHK", "LDG"]
    stages = [value for value, _ in response.context["stages"]]
    checkout = block.rows[0]
    assert checkout.stage_counts[stages.index("planned")] == 3
    assert checkout.stage_counts[stages.index("idea")] == 1
    assert (checkout.feature_total, block.feature_total) == (4, 4)
    assert block.arr == Decimal("1500000")
    html = response.content.decode()
    assert "1,500,000" in html
    assert "Checkout" in html
    assert "Payments" in html


def test_the_overview_offers_buttons_by_permission(as_user, viewer, leader):
    ProductLineFactory()
    assert b"New product line" not in as_user(viewer).get(reverse("web:portfolio")).content
    assert b"New product line" in as_user(leader).get(reverse("web:portfolio")).content


def _grow_portfolio(n: int) -> None:
    for _ in range(n):
        line = ProductLineFactory(owner=None)
        product = ProductFactory(product_line=line)
        FeatureFactory(product=product, stage="planned")
        FeatureFactory(product=product, stage="idea")


def test_the_overview_costs_the_same_queries_for_5_and_50_products(as_user, viewer):
    _grow_portfolio(5)
    client = as_user(viewer)
    assert_same_queries(lambda: client.get(reverse("web:portfolio")), lambda: _grow_portfolio(45))


# --- The product page -------------------------------------------------------------------


@pytest.fixture
def product(leader):
    line = ProductLineFactory(name="Payments", owner=leader)
    return ProductFactory(
        name="Checkout",
        key="CHK",
        product_line=line,
        description="Fast **checkout** for <em>everyone</em>",
    )


def test_the_product_page_shows_everything_about_the_product(as_user, viewer, leader, product):
    ProductAreaFactory(product=product, name="Billing", owner=leader)
    FeatureFactory(product=product, title="One-click pay", stage="planned")
    FeatureFactory(product=product, title="Wallets", stage="idea")
    ReleaseFactory(product=product, name="2026.12")
    objective = ObjectiveFactory(
        title="Faster checkout", scope=ObjectiveScope.PRODUCT, product=product
    )
    KeyResultFactory(objective=objective, start_value=0, target_value=10, current_value=5)
    response = as_user(viewer).get(reverse("web:product_detail", args=["CHK"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Fast <strong>checkout</strong>" in html
    assert "<em>everyone</em>" not in html  # raw HTML in Markdown is not passed through
    for text in ("Billing", "One-click pay", "Wallets", "2026.12", "Faster checkout", "50%"):
        assert text in html
    groups = {g["value"]: g["count"] for g in response.context["feature_groups"]}
    assert groups == {"idea": 1, "planned": 1}


def test_an_unknown_product_key_is_not_found(as_user, viewer):
    assert as_user(viewer).get("/portfolio/products/NOPE/").status_code == 404
    assert as_user(viewer).get("/portfolio/products/lower/").status_code == 404


def _grow_product(product, n: int) -> None:
    for i in range(n):
        ProductAreaFactory(product=product)
        FeatureFactory(product=product, stage=["idea", "planned", "released"][i % 3])
        ReleaseFactory(product=product)
        objective = ObjectiveFactory(scope=ObjectiveScope.PRODUCT, product=product)
        KeyResultFactory(objective=objective)


def test_the_product_page_costs_the_same_queries_for_5_and_50_items(as_user, pm_world):
    client, product = pm_world
    _grow_product(product, 5)
    url = reverse("web:product_detail", args=[product.key])
    assert_same_queries(lambda: client.get(url), lambda: _grow_product(product, 45))


@pytest.fixture
def pm_world(as_user, product_manager):
    """A product manager on the page of a product they own (the costliest permission checks)."""
    line = ProductLineFactory(owner=product_manager)
    return as_user(product_manager), ProductFactory(product_line=line, key="OWN")


def test_the_product_page_shows_only_a_capped_number_of_features_per_stage(
    as_user, viewer, product
):
    FeatureFactory.create_batch(20, product=product, stage="idea")
    response = as_user(viewer).get(reverse("web:product_detail", args=["CHK"]))
    (group,) = response.context["feature_groups"]
    assert (group["count"], len(group["features"])) == (20, 15)
    assert "All 20" in response.content.decode()


# --- Forms -------------------------------------------------------------------------------


def test_creating_a_product_through_the_form_is_logged_and_shown(as_user, leader):
    line = ProductLineFactory()
    client = as_user(leader)
    data = form_payload(ProductForm(), name="Wallet", key="WAL", product_line=line.pk)
    response = client.post(reverse("portfolio:product_create"), data)
    assert response.status_code == 302
    assert response.url == reverse("web:product_detail", args=["WAL"])
    product = Product.objects.get(key="WAL")
    record = ChangeRecord.objects.get(object_id=product.pk, content_type__model="product")
    assert (record.action, record.actor) == ("create", leader)
    page = client.get(response.url)
    history = page.context["history"]
    assert [(r.action, r.actor) for r in history] == [("create", leader)]
    panel = history_panel(page.content.decode())
    assert "Created" in panel
    assert "leader" in panel


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"key": "wal"}, "key"),
        ({"name": ""}, "name"),
        ({"arr": "-5"}, "arr"),
        ({"stage": "zombie"}, "stage"),
    ],
)
def test_bad_product_input_names_the_field_and_changes_nothing(as_user, leader, changes, field):
    line = ProductLineFactory()
    values = {"name": "Wallet", "key": "WAL", "product_line": line.pk, **changes}
    data = form_payload(ProductForm(), **values)
    response = as_user(leader).post(reverse("portfolio:product_create"), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert 'aria-invalid="true"' in response.content.decode()
    assert not Product.objects.exists()
    assert not ChangeRecord.objects.exists()


def test_a_duplicate_key_is_refused_on_the_key_field(as_user, leader):
    existing = ProductFactory(key="WAL")
    data = form_payload(
        ProductForm(), name="Other", key="WAL", product_line=existing.product_line.pk
    )
    response = as_user(leader).post(reverse("portfolio:product_create"), data)
    assert "already exists" in response.context["form"].errors["key"][0]
    assert Product.objects.count() == 1


def test_a_stale_edit_saves_nothing_and_says_why(as_user, leader, product):
    url = reverse("portfolio:product_edit", args=[product.key])
    data = form_payload(ProductForm(instance=product), name="Mine")
    Product.objects.filter(pk=product.pk).update(name="Theirs", version=2)
    response = as_user(leader).post(url, data)
    assert response.status_code == 409
    assert "changed by someone else" in response.content.decode()
    product.refresh_from_db()
    assert (product.name, product.version) == ("Theirs", 2)
    assert not ChangeRecord.objects.exists()


def test_an_edit_form_without_a_version_saves_nothing(as_user, leader, product):
    data = form_payload(ProductForm(instance=product), name="Mine")
    del data["version"]
    response = as_user(leader).post(reverse("portfolio:product_edit", args=[product.key]), data)
    assert response.status_code == 200
    product.refresh_from_db()
    assert product.name == "Checkout"


def test_changing_a_key_leads_to_the_new_address(as_user, leader, product):
    data = form_payload(ProductForm(instance=product), key="CKO")
    response = as_user(leader).post(reverse("portfolio:product_edit", args=["CHK"]), data)
    assert response.url == reverse("web:product_detail", args=["CKO"])
    page = as_user(leader).get(response.url)
    (update,) = page.context["history"]  # the factory made the product without the log
    assert [(c.label, c.before, c.after) for c in update.field_changes] == [("key", "CHK", "CKO")]


def test_a_product_manager_creates_products_in_their_own_line_only(as_user, product_manager):
    mine = ProductLineFactory(owner=product_manager)
    theirs = ProductLineFactory()
    client = as_user(product_manager)
    url = reverse("portfolio:product_create")
    ok = client.post(url, form_payload(ProductForm(), name="A", key="AAA", product_line=mine.pk))
    refused = client.post(
        url, form_payload(ProductForm(), name="B", key="BBB", product_line=theirs.pk)
    )
    assert (ok.status_code, refused.status_code) == (302, 403)
    assert list(Product.objects.values_list("key", flat=True)) == ["AAA"]


def test_the_owner_field_offers_active_users_only(leader, make_user):
    gone = make_user(username="gone", is_active=False)
    form = ProductLineForm()
    assert leader in form.fields["owner"].queryset
    assert gone not in form.fields["owner"].queryset
    # ... unless they own the object already, so editing it does not fail.
    line = ProductLineFactory(owner=gone)
    assert gone in ProductLineForm(instance=line).fields["owner"].queryset


def test_an_area_is_created_under_its_product(as_user, leader, product):
    url = reverse("portfolio:product_area_create", args=[product.key])
    data = form_payload(ProductAreaForm(), name="Billing", owner=leader.pk)
    response = as_user(leader).post(url, data)
    assert response.url == reverse("web:product_detail", args=[product.key])
    area = ProductArea.objects.get()
    assert (area.product, area.name, area.owner) == (product, "Billing", leader)


def test_a_duplicate_area_name_is_refused_and_nothing_is_created(as_user, leader, product):
    ProductAreaFactory(product=product, name="Billing")
    url = reverse("portfolio:product_area_create", args=[product.key])
    response = as_user(leader).post(url, form_payload(ProductAreaForm(), name="Billing"))
    assert response.status_code == 200
    assert "already exists" in str(response.context["form"].errors)
    assert ProductArea.objects.count() == 1


def test_deleting_asks_for_confirmation_first(as_user, leader):
    line = ProductLineFactory(name="Empty")
    url = reverse("portfolio:product_line_delete", args=[line.pk])
    client = as_user(leader)
    page = client.get(url)
    assert page.status_code == 200
    assert "Delete product line" in page.content.decode()
    assert ProductLine.objects.filter(pk=line.pk).exists()
    response = client.post(url, {"version": 1})
    assert response.status_code == 302
    assert not ProductLine.objects.filter(pk=line.pk).exists()
    assert ChangeRecord.objects.get().action == "delete"


def test_a_line_with_products_is_not_deleted(as_user, leader, product):
    url = reverse("portfolio:product_line_delete", args=[product.product_line.pk])
    response = as_user(leader).post(url, {"version": 1})
    assert response.status_code == 200
    assert "it is still used by 1 product." in response.content.decode()
    assert ProductLine.objects.filter(pk=product.product_line.pk).exists()


def test_a_new_product_can_be_preset_to_a_line(as_user, leader):
    line = ProductLineFactory()
    response = as_user(leader).get(reverse("portfolio:product_create") + f"?line={line.pk}")
    assert response.context["form"]["product_line"].value() == line.pk
    assert as_user(leader).get(reverse("portfolio:product_create") + "?line=x").status_code == 200
