"""Roadmap pages: the feature list (filters, sorting, pages, htmx), the feature and
release pages, and their forms."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from pilothouse.core.models import ChangeRecord
from pilothouse.roadmap.forms import FeatureForm, ReleaseForm
from pilothouse.roadmap.models import Feature, Release
from tests.factories import (
    FeatureFactory,
    ObjectiveFactory,
    ProductFactory,
    ReleaseFactory,
    UserFactory,
)
from tests.web.helpers import assert_same_queries, form_payload, history_panel

FEATURES = reverse("roadmap:feature_list")


def titles(response) -> list[str]:
    return [feature.title for feature in response.context["features"]]


# --- The feature list ---------------------------------------------------------------------


@pytest.fixture
def catalogue(db):
    """Four features across two products, stages, owners and one objective."""
    ana = UserFactory(username="ana")
    pay, crm = ProductFactory(name="Pay", key="PAY"), ProductFactory(name="Crm", key="CRM")
    objective = ObjectiveFactory(title="Conversion")
    FeatureFactory(title="Apple Pay", product=pay, stage="planned", owner=ana, effort_high=5)
    FeatureFactory(
        title="Bank transfer",
        product=pay,
        stage="idea",
        description="SEPA and ACH",
        effort_high=2,
    ).objectives.add(objective)
    FeatureFactory(title="Contacts import", product=crm, stage="released", owner=ana)
    FeatureFactory(title="Deduplication", product=crm, stage="idea", effort_high=8)
    return {"ana": ana, "pay": pay, "crm": crm, "objective": objective}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (lambda c: {"product": c["pay"].pk}, {"Apple Pay", "Bank transfer"}),
        (lambda c: {"stage": "idea"}, {"Bank transfer", "Deduplication"}),
        (lambda c: {"owner": c["ana"].pk}, {"Apple Pay", "Contacts import"}),
        (lambda c: {"objective": c["objective"].pk}, {"Bank transfer"}),
        (lambda c: {"q": "ach"}, {"Bank transfer"}),  # searches descriptions too
        (lambda c: {"q": "pay"}, {"Apple Pay"}),
        (lambda c: {"product": c["crm"].pk, "stage": "idea"}, {"Deduplication"}),
    ],
)
def test_the_feature_list_filters(as_user, viewer, catalogue, query, expected):
    response = as_user(viewer).get(FEATURES, query(catalogue))
    assert response.status_code == 200
    assert set(titles(response)) == expected


def test_a_bad_filter_value_is_ignored(as_user, viewer, catalogue):
    response = as_user(viewer).get(FEATURES, {"product": "999999", "stage": "idea"})
    assert response.status_code == 200
    assert set(titles(response)) == {"Bank transfer", "Deduplication"}


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("title", ["Apple Pay", "Bank transfer", "Contacts import", "Deduplication"]),
        ("-title", ["Deduplication", "Contacts import", "Bank transfer", "Apple Pay"]),
        # Stages sort in pipeline order, not alphabetically.
        ("stage", ["Bank transfer", "Deduplication", "Apple Pay", "Contacts import"]),
        # Features without an estimate come last both ways.
        ("effort", ["Bank transfer", "Apple Pay", "Deduplication", "Contacts import"]),
        ("-effort", ["Deduplication", "Apple Pay", "Bank transfer", "Contacts import"]),
        ("product", ["Contacts import", "Deduplication", "Apple Pay", "Bank transfer"]),
    ],
)
def test_the_feature_list_sorts_by_column(as_user, viewer, catalogue, sort, expected):
    response = as_user(viewer).get(FEATURES, {"sort": sort})
    assert titles(response) == expected


def test_the_column_headers_sort_and_say_how(as_user, viewer, catalogue):
    response = as_user(viewer).get(FEATURES, {"sort": "title", "stage": "idea"})
    html = response.content.decode()
    assert 'aria-sort="ascending"' in html
    # The header of the current column reverses it and keeps the filters.
    assert "?sort=-title&amp;stage=idea" in html or "?stage=idea&amp;sort=-title" in html


def test_an_unknown_sort_falls_back_to_the_latest_updated(as_user, viewer, catalogue):
    response = as_user(viewer).get(FEATURES, {"sort": "password"})
    assert response.context["sort"] == "-updated"


def test_the_feature_list_has_pages_of_50(as_user, viewer):
    product = ProductFactory()
    FeatureFactory.create_batch(53, product=product)
    client = as_user(viewer)
    assert len(titles(client.get(FEATURES))) == 50
    assert len(titles(client.get(FEATURES, {"page": 2}))) == 3
    assert len(titles(client.get(FEATURES, {"page": 99}))) == 3  # past the end: the last page


def test_htmx_gets_the_table_only(as_user, viewer, catalogue):
    client = as_user(viewer)
    response = client.get(FEATURES, {"stage": "idea", "sort": "title"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html
    assert "Bank transfer" in html
    assert "Apple Pay" not in html
    # The sort field of the filter form follows the table.
    assert 'name="sort" value="title"' in html
    assert 'hx-swap-oob="true"' in html
    assert "HX-Request" in response["Vary"]


def test_a_history_restore_gets_the_whole_page(as_user, viewer, catalogue):
    response = as_user(viewer).get(
        FEATURES, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )
    assert "<html" in response.content.decode()


def test_the_filter_form_works_with_and_without_javascript(as_user, viewer, catalogue):
    html = as_user(viewer).get(FEATURES).content.decode()
    assert 'method="get"' in html
    assert f'action="{FEATURES}"' in html
    assert f'hx-get="{FEATURES}"' in html
    assert 'hx-push-url="true"' in html
    assert 'hx-target="#feature-results"' in html
    assert '<label for="id_q">' in html


def _grow_features(n: int, product, owner, objective) -> None:
    for _ in range(n):
        feature = FeatureFactory(product=product, owner=owner, effort_low=1, effort_high=3)
        feature.objectives.add(objective)


def test_the_feature_list_costs_the_same_queries_for_5_and_50_features(as_user, viewer):
    product, owner, objective = ProductFactory(), UserFactory(), ObjectiveFactory()
    _grow_features(5, product, owner, objective)
    client = as_user(viewer)
    query = {"product": product.pk, "sort": "stage"}
    assert_same_queries(
        lambda: client.get(FEATURES, query),
        lambda: _grow_features(45, product, owner, objective),
    )


# --- The feature page -----------------------------------------------------------------------


def test_the_feature_page_shows_the_feature(as_user, viewer):
    objective = ObjectiveFactory(title="Conversion")
    feature = FeatureFactory(
        title="Apple Pay",
        description="Pay with **one** tap\n\n- iOS\n- macOS",
        effort_low=Decimal("2"),
        effort_high=Decimal("4"),
    )
    feature.objectives.add(objective)
    response = as_user(viewer).get(reverse("roadmap:feature_detail", args=[feature.pk]))
    html = response.content.decode()
    assert "Pay with <strong>one</strong> tap" in html
    assert "<li>iOS</li>" in html
    assert "Conversion" in html
    assert "2 to 4 person-weeks" in html
    assert 'id="history"' in html


def test_user_text_never_reaches_the_page_as_markup(as_user, viewer):
    feature = FeatureFactory(
        title="<script>alert('title')</script>",
        description=(
            "<script>alert('description')</script>\n\n"
            "[click](javascript:alert('link'))\n\n<img src=x onerror=alert(1)>"
        ),
    )
    client = as_user(viewer)
    for url in (
        reverse("roadmap:feature_detail", args=[feature.pk]),
        FEATURES,
        reverse("web:product_detail", args=[feature.product.key]),
    ):
        html = client.get(url).content.decode()
        assert "<script>alert(" not in html, url
        assert 'href="javascript:' not in html, url
        assert "<img src=x" not in html, url
    html = client.get(reverse("roadmap:feature_detail", args=[feature.pk])).content.decode()
    assert "&lt;script&gt;alert(&#x27;title&#x27;)&lt;/script&gt;" in html


def test_an_unknown_feature_is_not_found(as_user, viewer):
    assert as_user(viewer).get(reverse("roadmap:feature_detail", args=[404])).status_code == 404


# --- Feature forms --------------------------------------------------------------------------


def test_creating_a_feature_through_the_form_is_logged_in_its_history(as_user, leader):
    product = ProductFactory()
    objective = ObjectiveFactory()
    client = as_user(leader)
    data = form_payload(
        FeatureForm(), title="Apple Pay", product=product.pk, objectives=[str(objective.pk)]
    )
    response = client.post(reverse("roadmap:feature_create"), data)
    assert response.status_code == 302
    feature = Feature.objects.get()
    assert response.url == reverse("roadmap:feature_detail", args=[feature.pk])
    assert list(feature.objectives.all()) == [objective]
    page = client.get(response.url).content.decode()
    panel = history_panel(page)
    assert "Created" in panel
    assert "leader" in panel
    assert "Apple Pay" in panel
    record = ChangeRecord.objects.get()
    assert record.after["objectives"] == [objective.pk]


def test_a_feature_edit_shows_before_and_after_in_the_history(as_user, leader):
    owner = UserFactory(username="olga", first_name="Olga", last_name="Owner")
    feature = FeatureFactory(title="Old title")
    client = as_user(leader)
    url = reverse("roadmap:feature_edit", args=[feature.pk])
    data = form_payload(
        FeatureForm(instance=feature), title="New title", stage="candidate", owner=owner.pk
    )
    assert client.post(url, data).status_code == 302
    panel = history_panel(
        client.get(reverse("roadmap:feature_detail", args=[feature.pk])).content.decode()
    )
    assert "Old title" in panel
    assert "New title" in panel
    assert "Candidate" in panel  # the stage's label, not its code
    assert "Olga Owner" in panel  # the owner's name, not their id


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": ""}, "title"),
        ({"effort_low": "5", "effort_high": "2"}, "effort_high"),
        ({"effort_low": "-1"}, "effort_low"),
        ({"stage": "measured"}, "stage"),  # refused by the service: idea cannot jump there
        ({"started_on": "2026-05-02", "completed_on": "2026-05-01"}, "completed_on"),
    ],
)
def test_bad_feature_input_names_the_field_and_changes_nothing(as_user, leader, changes, field):
    feature = FeatureFactory(title="Keep me")
    url = reverse("roadmap:feature_edit", args=[feature.pk])
    response = as_user(leader).post(url, form_payload(FeatureForm(instance=feature), **changes))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    feature.refresh_from_db()
    assert (feature.title, feature.stage, feature.version) == ("Keep me", "idea", 1)
    assert not ChangeRecord.objects.exists()


def test_an_area_of_another_product_is_refused(as_user, leader):
    from tests.factories import ProductAreaFactory

    feature = FeatureFactory()
    elsewhere = ProductAreaFactory()
    url = reverse("roadmap:feature_edit", args=[feature.pk])
    response = as_user(leader).post(
        url, form_payload(FeatureForm(instance=feature), area=elsewhere.pk)
    )
    assert "another product" in response.context["form"].errors["area"][0]


def test_a_stale_feature_edit_saves_nothing_and_says_why(as_user, leader):
    feature = FeatureFactory(title="Original")
    data = form_payload(FeatureForm(instance=feature), title="Mine")
    Feature.objects.filter(pk=feature.pk).update(title="Theirs", version=2)
    response = as_user(leader).post(reverse("roadmap:feature_edit", args=[feature.pk]), data)
    assert response.status_code == 409
    assert "changed by someone else" in response.content.decode()
    feature.refresh_from_db()
    assert (feature.title, feature.version) == ("Theirs", 2)


def test_a_stale_delete_deletes_nothing(as_user, leader):
    feature = FeatureFactory()
    Feature.objects.filter(pk=feature.pk).update(version=2)
    response = as_user(leader).post(
        reverse("roadmap:feature_delete", args=[feature.pk]), {"version": 1}
    )
    assert response.status_code == 409
    assert Feature.objects.filter(pk=feature.pk).exists()


def test_deleting_a_feature(as_user, leader):
    feature = FeatureFactory()
    response = as_user(leader).post(
        reverse("roadmap:feature_delete", args=[feature.pk]), {"version": 1}
    )
    assert response.url == FEATURES
    assert not Feature.objects.exists()
    assert ChangeRecord.objects.get().action == "delete"


def test_a_new_feature_can_be_preset_to_a_product(as_user, leader):
    product = ProductFactory()
    url = reverse("roadmap:feature_create") + f"?product={product.pk}"
    form = as_user(leader).get(url).context["form"]
    assert form["product"].value() == product.pk
    assert form["owner"].value() == leader.pk


# --- Releases -------------------------------------------------------------------------------


def test_the_release_page_lists_its_features(as_user, viewer):
    release = ReleaseFactory(name="2026.12", notes="Big *one*")
    FeatureFactory(title="In it", product=release.product, target_release=release)
    FeatureFactory(title="Not in it", product=release.product)
    response = as_user(viewer).get(reverse("roadmap:release_detail", args=[release.pk]))
    html = response.content.decode()
    assert "In it" in html
    assert "Not in it" not in html
    assert "Big <em>one</em>" in html


def test_creating_a_release(as_user, leader):
    product = ProductFactory()
    data = form_payload(ReleaseForm(), product=product.pk, name="2027.1", target_date="2027-01-15")
    response = as_user(leader).post(reverse("roadmap:release_create"), data)
    release = Release.objects.get()
    assert response.url == reverse("roadmap:release_detail", args=[release.pk])
    assert release.target_date == datetime.date(2027, 1, 15)


def test_a_release_with_features_is_deleted_and_the_features_stay(as_user, leader):
    release = ReleaseFactory()
    feature = FeatureFactory(product=release.product, target_release=release)
    response = as_user(leader).post(
        reverse("roadmap:release_delete", args=[release.pk]), {"version": 1}
    )
    assert response.url == reverse("web:product_detail", args=[release.product.key])
    feature.refresh_from_db()
    assert feature.target_release is None


def test_the_feature_list_shows_and_sorts_by_customer_demand(as_user, viewer):
    product = ProductFactory()
    for title, importance, arr, requests in [
        ("Modest", 2, "1000.00", 1),
        ("Wanted", 9, "250000.00", 7),
        ("Quiet", 0, "0.00", 0),
    ]:
        FeatureFactory(
            title=title,
            product=product,
            demand_importance=importance,
            demand_arr=arr,
            demand_requests=requests,
        )
    client = as_user(viewer)
    assert titles(client.get(FEATURES, {"sort": "-arr_demand"})) == ["Wanted", "Modest", "Quiet"]
    assert titles(client.get(FEATURES, {"sort": "importance"})) == ["Quiet", "Modest", "Wanted"]
    assert titles(client.get(FEATURES, {"sort": "-requests"}))[0] == "Wanted"
    html = client.get(FEATURES, {"sort": "-arr_demand"}).content.decode()
    assert "ARR demand" in html
    assert "250,000" in html
