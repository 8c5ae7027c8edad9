"""The prioritization pages: who may open and submit each (every role, and anonymous
visitors), the formula's caret, the scores panel on a feature's page, htmx partials,
escaping, and query counts that do not grow with the data."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.urls import reverse

from pilothouse.core.models import ChangeRecord
from pilothouse.core.roles import Role
from pilothouse.prioritization import services
from pilothouse.prioritization.forms import ScoringModelForm, fields_as_text, fields_from_text
from pilothouse.prioritization.models import FeatureScore, ScoringModel
from tests.api.helpers import unchanged
from tests.factories import FeatureFactory, ProductFactory, UserFactory
from tests.prioritization.factories import (
    RICE_800,
    CustomModelFactory,
    FeatureScoreFactory,
    ScoringModelFactory,
)
from tests.web.helpers import assert_same_queries, form_payload

pytestmark = pytest.mark.django_db

ROLES = [role.value for role in Role]
PORTFOLIO_WIDE = {Role.ADMIN, Role.PRODUCT_LEADER}
STEWARDS = PORTFOLIO_WIDE | {Role.PRODUCT_MANAGER}
SCRIPT = "<script>alert('x')</script>"


@dataclass
class Models:
    portfolio: ScoringModel  # RICE for everything
    mine: ScoringModel  # the product manager's product
    theirs: ScoringModel  # the other product manager's product
    custom: ScoringModel


@pytest.fixture
def models(web_world) -> Models:
    found = Models(
        portfolio=ScoringModelFactory(name="Portfolio RICE"),
        mine=ScoringModelFactory(
            name="Mine WSJF", framework="wsjf", product=web_world.mine.product
        ),
        theirs=ScoringModelFactory(
            name="Their ICE", framework="ice", product=web_world.theirs.product
        ),
        custom=CustomModelFactory(name="Scorecard", formula="value * arr_demand + fit"),
    )
    FeatureScoreFactory(feature=web_world.mine.feature, scoring_model=found.portfolio)
    FeatureScoreFactory(feature=web_world.theirs.feature, scoring_model=found.portfolio)
    return found


def _statuses(client, world, url: str, method: str = "get", data=None) -> dict[str, int]:
    statuses = {}
    for role in ROLES:
        client.force_login(world.user(role))
        statuses[role] = getattr(client, method)(url, data or {}).status_code
    return statuses


READ_PAGES = {
    "list": lambda w, m: reverse("prioritization:model_list"),
    "backlog": lambda w, m: reverse("prioritization:backlog", args=[m.portfolio.pk]),
    "custom_backlog": lambda w, m: reverse("prioritization:backlog", args=[m.custom.pk]),
    "their_backlog": lambda w, m: reverse("prioritization:backlog", args=[m.theirs.pk]),
    "compare": lambda w, m: (
        reverse("prioritization:compare") + f"?first={m.portfolio.pk}&second={m.custom.pk}"
    ),
    "compare_empty": lambda w, m: reverse("prioritization:compare"),
    "feature_with_scores": lambda w, m: reverse("roadmap:feature_detail", args=[w.mine.feature.pk]),
}


@pytest.mark.parametrize("page", READ_PAGES)
def test_every_role_may_read(client, web_world, models, page):
    url = READ_PAGES[page](web_world, models)
    assert _statuses(client, web_world, url) == dict.fromkeys(ROLES, 200)


def test_anonymous_visitors_are_sent_to_the_login_page(client, web_world, models):
    urls = [page(web_world, models) for page in READ_PAGES.values()]
    urls += [
        reverse("prioritization:model_create"),
        reverse("prioritization:model_edit", args=[models.mine.pk]),
        reverse("prioritization:model_delete", args=[models.mine.pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("core:login")), url
    post = client.post(reverse("prioritization:formula_check"), {"formula": "1"})
    assert post.status_code == 302


def test_unknown_objects_are_404(client, web_world):
    client.force_login(web_world.admin)
    assert client.get(reverse("prioritization:backlog", args=[987654])).status_code == 404
    assert client.get(reverse("prioritization:model_edit", args=[987654])).status_code == 404
    url = reverse("prioritization:score_edit", args=[web_world.mine.feature.pk, 987654])
    assert client.post(url, {}).status_code == 404


def test_who_may_open_the_create_page(client, web_world):
    url = reverse("prioritization:model_create")
    expected = {role: 200 if role in STEWARDS else 403 for role in ROLES}
    assert _statuses(client, web_world, url) == expected


@pytest.mark.parametrize("action", ["edit", "delete"])
@pytest.mark.parametrize("which", ["portfolio", "mine", "theirs"])
def test_who_may_open_edit_and_delete_pages(client, web_world, models, which, action):
    model = getattr(models, which)
    url = reverse(f"prioritization:model_{action}", args=[model.pk])
    expected = {
        role: 200
        if role in PORTFOLIO_WIDE or (role == Role.PRODUCT_MANAGER and which == "mine")
        else 403
        for role in ROLES
    }
    assert _statuses(client, web_world, url) == expected


def _create(client, user, **changes):
    client.force_login(user)
    data = form_payload(ScoringModelForm(), **changes)
    return client.post(reverse("prioritization:model_create"), data)


def test_a_product_manager_creates_a_model_for_their_product(client, web_world):
    response = _create(
        client,
        web_world.pm,
        name="My scorecard",
        framework="custom",
        product=web_world.mine.product.pk,
        formula="2 * fit + log(1 + arr_demand)",
        input_fields="fit | Strategic fit | 0 | 5 | How well it fits",
    )
    model = ScoringModel.objects.get(name="My scorecard")
    assert response.status_code == 302
    assert response.url == reverse("prioritization:backlog", args=[model.pk])
    assert model.input_fields == [
        {"name": "fit", "label": "Strategic fit", "min": 0, "max": 5, "help": "How well it fits"}
    ]
    assert ChangeRecord.objects.get().actor == web_world.pm


@pytest.mark.parametrize("product", ["none", "theirs"])
def test_a_product_manager_may_not_create_outside_their_products(client, web_world, product):
    chosen = {"none": "", "theirs": web_world.theirs.product.pk}[product]
    with unchanged(ScoringModel):
        response = _create(client, web_world.pm, name="Sneaky", framework="rice", product=chosen)
    assert response.status_code == 403


@pytest.mark.parametrize("role", [Role.CONTRIBUTOR, Role.VIEWER])
def test_read_only_roles_may_not_submit(client, web_world, models, role):
    user = web_world.user(role)
    with unchanged(ScoringModel):
        assert _create(client, user, name="X", framework="rice").status_code == 403
        url = reverse("prioritization:model_delete", args=[models.portfolio.pk])
        assert client.post(url, {"version": 1}).status_code == 403


def test_a_product_manager_deletes_their_model(client, web_world, models):
    client.force_login(web_world.pm)
    url = reverse("prioritization:model_delete", args=[models.mine.pk])
    response = client.post(url, {"version": 1})
    assert response.status_code == 302
    assert not ScoringModel.objects.filter(pk=models.mine.pk).exists()


def test_the_formula_error_is_drawn_with_a_caret(client, web_world, models):
    client.force_login(web_world.leader)
    model = models.custom
    data = form_payload(
        ScoringModelForm(instance=model), formula="2 * value + fitt", description=""
    )
    with unchanged(ScoringModel):
        response = client.post(reverse("prioritization:model_edit", args=[model.pk]), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "unknown field &#x27;fitt&#x27;; did you mean &#x27;fit&#x27;?" in html
    assert '<pre class="code-input">2 * value + fitt\n            ^</pre>' in html


def test_input_definition_errors_are_named_by_line(client, web_world, models):
    client.force_login(web_world.leader)
    data = form_payload(
        ScoringModelForm(instance=models.custom),
        input_fields="value | Value | 1 | 10\nfit | Fit | 5 | 1",
    )
    with unchanged(ScoringModel):
        response = client.post(reverse("prioritization:model_edit", args=[models.custom.pk]), data)
    assert "line 2, max: must not be below min" in response.content.decode()


def test_the_framework_shows_but_cannot_change_on_edit(client, web_world, models):
    client.force_login(web_world.leader)
    data = form_payload(ScoringModelForm(instance=models.portfolio), framework="ice")
    response = client.post(reverse("prioritization:model_edit", args=[models.portfolio.pk]), data)
    assert response.status_code == 302
    models.portfolio.refresh_from_db()
    assert models.portfolio.framework == "rice"


def test_the_live_formula_check(client, web_world):
    client.force_login(web_world.pm)
    url = reverse("prioritization:formula_check")
    bad = client.post(url, {"framework": "custom", "formula": "fit * (2", "input_fields": "fit"})
    html = bad.content.decode()
    assert "never closed" in html
    assert "fit * (2\n      ^</pre>" in html
    good = client.post(
        url, {"framework": "custom", "formula": "fit * requests", "input_fields": "fit"}
    )
    assert "It reads fit, requests." in good.content.decode()
    assert "computed when shown" in good.content.decode()
    builtin = client.post(url, {"framework": "rice", "formula": ""})
    assert "Built-in frameworks" in builtin.content.decode()
    assert client.get(url).status_code == 405


def test_input_definitions_round_trip_through_the_text_field():
    definitions = [
        {"name": "fit", "label": "Fit", "min": 0, "max": 5, "help": "How well"},
        {"name": "risk", "label": "Risk", "min": None, "max": None, "help": ""},
    ]
    text = fields_as_text(definitions)
    assert text == "fit | Fit | 0 | 5 | How well\nrisk | Risk"
    assert fields_from_text(text + "\n\n") == [
        {"name": "fit", "label": "Fit", "min": "0", "max": "5", "help": "How well"},
        {"name": "risk", "label": "Risk"},
    ]


# --- the backlog and the comparison ----------------------------------------------------------


def test_the_backlog_ranks_and_links_features(client, web_world, models):
    client.force_login(web_world.viewer)
    html = client.get(reverse("prioritization:backlog", args=[models.portfolio.pk])).content
    html = html.decode()
    assert "reach * impact * confidence / effort" in html
    assert (
        f'href="{reverse("roadmap:feature_detail", args=[web_world.mine.feature.pk])}#scores"'
        in html
    )
    assert "2 of 2 features scored" in html
    assert "Edit model" not in html  # a viewer is offered no change


def test_the_backlog_as_an_htmx_partial(client, web_world, models):
    client.force_login(web_world.pm)
    url = reverse("prioritization:backlog", args=[models.portfolio.pk]) + "?sort=-title"
    response = client.get(url, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html
    assert 'hx-swap-oob="true"' in html
    assert html.index("THEIRS feature") < html.index("MINE feature")
    assert response["Vary"] == "HX-Request" or "HX-Request" in response["Vary"]


def test_the_comparison_page(client, web_world, models):
    client.force_login(web_world.viewer)
    url = reverse("prioritization:compare")
    html = client.get(url + f"?first={models.portfolio.pk}&second={models.custom.pk}").content
    assert "Spearman" in html.decode()
    same = client.get(url + f"?first={models.portfolio.pk}&second={models.portfolio.pk}")
    assert "Choose another model" in same.content.decode()


def test_names_are_escaped(client, web_world):
    ScoringModelFactory(name=SCRIPT, description=SCRIPT)
    FeatureFactory(title=SCRIPT)
    client.force_login(web_world.viewer)
    for url in (reverse("prioritization:model_list"),):
        assert "<script>alert(" not in client.get(url).content.decode()
    model = ScoringModel.objects.get(name=SCRIPT)
    html = client.get(reverse("prioritization:backlog", args=[model.pk])).content.decode()
    assert "<script>alert(" not in html


# --- the scores panel on a feature's page ------------------------------------------------------


def _panel(html: str) -> str:
    start = html.index('id="scores"')
    return html[start : html.index("</section>", start)]


def test_the_panel_shows_each_covering_model(client, web_world, models):
    client.force_login(web_world.viewer)
    url = reverse("roadmap:feature_detail", args=[web_world.mine.feature.pk])
    panel = _panel(client.get(url).content.decode())
    assert "Portfolio RICE" in panel
    assert "Mine WSJF" in panel
    assert "Scorecard" in panel
    assert "Their ICE" not in panel
    assert "<strong>800</strong>" in panel
    assert "Medium (80%)" in panel
    assert "<form" not in panel  # a viewer edits nothing


def test_no_panel_while_no_model_covers_the_feature(client, web_world):
    ScoringModelFactory(product=web_world.theirs.product)
    client.force_login(web_world.admin)
    response = client.get(reverse("roadmap:feature_detail", args=[web_world.mine.feature.pk]))
    assert "scores" not in [panel.key for panel in response.context["panels"]]
    assert 'id="scores"' not in response.content.decode()


@pytest.mark.parametrize(
    ("role", "side", "editable"),
    [
        (Role.ADMIN, "theirs", True),
        (Role.PRODUCT_LEADER, "theirs", True),
        (Role.PRODUCT_MANAGER, "mine", True),
        (Role.PRODUCT_MANAGER, "theirs", False),
        (Role.CONTRIBUTOR, "mine", False),
    ],
)
def test_the_panel_offers_the_inputs_to_whoever_may_edit_the_feature(
    client, web_world, models, role, side, editable
):
    client.force_login(web_world.user(role))
    feature = getattr(web_world, side).feature
    panel = _panel(
        client.get(reverse("roadmap:feature_detail", args=[feature.pk])).content.decode()
    )
    assert ("Save inputs" in panel) is editable


def _inputs(model, **values):
    return {f"model-{model.pk}-{name}": value for name, value in values.items()}


def test_saving_inputs_with_htmx_answers_the_row(client, web_world, models):
    client.force_login(web_world.pm)
    feature = web_world.mine.feature
    url = reverse("prioritization:score_edit", args=[feature.pk, models.mine.pk])
    data = _inputs(
        models.mine,
        business_value="8.0",
        time_criticality="5.0",
        risk_reduction="3.0",
        job_size="2.0",
    )
    response = client.post(url, data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<tbody id="score-')
    assert "<strong>8</strong>" in html
    score = FeatureScore.objects.get(scoring_model=models.mine)
    assert score.score == 8
    assert ChangeRecord.objects.get().actor == web_world.pm


def test_saving_inputs_without_javascript_goes_back_to_the_feature(client, web_world, models):
    client.force_login(web_world.pm)
    feature = web_world.mine.feature
    url = reverse("prioritization:score_edit", args=[feature.pk, models.portfolio.pk])
    data = _inputs(
        models.portfolio, reach="100", impact="3.0", confidence="1.0", effort="2", version="1"
    )
    response = client.post(url, data)
    assert response.status_code == 302
    assert response.url.endswith("#scores")
    assert FeatureScore.objects.get(feature=feature, scoring_model=models.portfolio).score == 150


def test_bad_inputs_are_shown_on_their_fields_and_change_nothing(client, web_world, models):
    client.force_login(web_world.pm)
    feature = web_world.mine.feature
    url = reverse("prioritization:score_edit", args=[feature.pk, models.portfolio.pk])
    with unchanged(FeatureScore):
        response = client.post(
            url,
            _inputs(models.portfolio, reach="-3", impact="2.0", version="1"),
            HTTP_HX_REQUEST="true",
        )
        off_the_scale = client.post(
            url, _inputs(models.portfolio, impact="7", version="1"), HTTP_HX_REQUEST="true"
        )
    assert response.status_code == 200
    assert "must be a number from 0 to 1,000,000,000,000, not -3" in response.content.decode()
    assert "Select a valid choice" in off_the_scale.content.decode()


def test_a_stale_version_is_a_conflict(client, web_world, models):
    client.force_login(web_world.pm)
    feature = web_world.mine.feature
    url = reverse("prioritization:score_edit", args=[feature.pk, models.portfolio.pk])
    with unchanged(FeatureScore):
        response = client.post(url, _inputs(models.portfolio, reach="1", version="9"))
    assert response.status_code == 409
    assert "changed by someone else" in response.content.decode()


@pytest.mark.parametrize(
    ("role", "side"),
    [
        (Role.PRODUCT_MANAGER, "theirs"),
        (Role.CONTRIBUTOR, "mine"),
        (Role.VIEWER, "mine"),
    ],
)
def test_who_may_not_save_inputs(client, web_world, models, role, side):
    client.force_login(web_world.user(role))
    feature = getattr(web_world, side).feature
    url = reverse("prioritization:score_edit", args=[feature.pk, models.portfolio.pk])
    with unchanged(FeatureScore):
        response = client.post(url, _inputs(models.portfolio, reach="1"))
    assert response.status_code == 403


def test_a_model_that_does_not_cover_the_feature_is_404(client, web_world, models):
    client.force_login(web_world.admin)
    url = reverse("prioritization:score_edit", args=[web_world.mine.feature.pk, models.theirs.pk])
    assert client.post(url, {}).status_code == 404
    assert client.get(url).status_code == 405


# --- query counts ------------------------------------------------------------------------------


def test_the_model_list_costs_a_fixed_number_of_queries(client, web_world):
    client.force_login(web_world.viewer)
    url = reverse("prioritization:model_list")

    def grow():
        for _ in range(8):
            model = CustomModelFactory(product=ProductFactory())
            FeatureScoreFactory(scoring_model=model, inputs={"value": 1, "fit": 1}, score=5)

    ScoringModelFactory()
    assert_same_queries(lambda: client.get(url), grow)


def test_the_backlog_costs_a_fixed_number_of_queries(client, web_world, models):
    client.force_login(web_world.viewer)
    url = reverse("prioritization:backlog", args=[models.custom.pk])

    def grow():
        for index in range(30):
            feature = FeatureFactory(owner=UserFactory(), product=ProductFactory())
            services.feature_score_set(
                actor=None,
                feature=feature,
                scoring_model=models.custom,
                inputs={"value": index % 10 + 1, "fit": 2},
            )

    assert_same_queries(lambda: client.get(url), grow)


def test_the_comparison_costs_a_fixed_number_of_queries(client, web_world, models):
    client.force_login(web_world.viewer)
    url = (
        reverse("prioritization:compare")
        + f"?first={models.portfolio.pk}&second={models.custom.pk}"
    )

    def grow():
        for _ in range(20):
            FeatureScoreFactory(scoring_model=models.portfolio, feature=FeatureFactory())
        ScoringModelFactory()

    assert_same_queries(lambda: client.get(url), grow)


def test_the_feature_page_with_scores_costs_a_fixed_number_of_queries(client, web_world, models):
    client.force_login(web_world.pm)
    feature = web_world.mine.feature
    url = reverse("roadmap:feature_detail", args=[feature.pk])

    def grow():
        for _ in range(5):
            model = ScoringModelFactory()
            services.feature_score_set(
                actor=None, feature=feature, scoring_model=model, inputs=RICE_800
            )

    assert_same_queries(lambda: client.get(url), grow)
