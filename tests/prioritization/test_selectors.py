"""The reads: a feature's scores, ranked backlogs (filters, sorting, live scores that
follow the computed fields), comparisons, and their fixed query counts."""

from __future__ import annotations

from decimal import Decimal

import pytest
from scipy import stats

from pilothouse.core.roles import Role
from pilothouse.prioritization import selectors, services
from pilothouse.prioritization.selectors import BacklogFilters
from pilothouse.roadmap import services as roadmap_services
from pilothouse.roadmap.models import FeatureStage, KanoCategory
from tests.factories import (
    FeatureFactory,
    ProductFactory,
    ProductLineFactory,
    UserFactory,
)
from tests.prioritization.factories import (
    RICE_800,
    CustomModelFactory,
    FeatureScoreFactory,
    ScoringModelFactory,
)
from tests.web.helpers import assert_same_queries, count_queries

pytestmark = pytest.mark.django_db


def _rice(feature, model, reach):
    services.feature_score_set(
        actor=None, feature=feature, scoring_model=model, inputs={**RICE_800, "reach": reach}
    )


def ranked(rows) -> list[tuple[str, int | None]]:
    return [(row.title, row.rank) for row in rows]


# --- a feature's scores -------------------------------------------------------------------------


def test_a_feature_is_scored_by_the_portfolios_models_and_its_products():
    feature = FeatureFactory()
    portfolio = ScoringModelFactory(name="B portfolio")
    own = CustomModelFactory(name="A own", product=feature.product)
    ScoringModelFactory(name="C elsewhere", product=ProductFactory())
    FeatureScoreFactory(feature=feature, scoring_model=portfolio)
    views = selectors.feature_scores(feature=feature)
    assert [view.scoring_model for view in views] == [own, portfolio]
    assert views[0].version is None
    assert views[0].evaluated.complete is False
    assert views[1].evaluated.score == 800
    assert views[1].version == 1
    assert views[1].shown_inputs == [
        ("Reach", "2000"),
        ("Impact", "High (2)"),
        ("Confidence", "Medium (80%)"),
        ("Effort", "4"),
    ]


def test_value_effort_shows_its_quadrant():
    feature = FeatureFactory()
    model = ScoringModelFactory(framework="value_effort")
    services.feature_score_set(
        actor=None, feature=feature, scoring_model=model, inputs={"value": 9, "effort": 2}
    )
    (view,) = selectors.feature_scores(feature=feature)
    assert view.evaluated.score == 4.5
    assert view.category_label == "Quick win"


def test_feature_scores_cost_one_query_whatever_the_number_of_models():
    feature = FeatureFactory()
    ScoringModelFactory()
    small = count_queries(lambda: selectors.feature_scores(feature=feature))
    for _ in range(6):
        model = CustomModelFactory()
        services.feature_score_set(
            actor=None, feature=feature, scoring_model=model, inputs={"value": 2, "fit": 1}
        )
    assert count_queries(lambda: selectors.feature_scores(feature=feature)) == small == 1


# --- live scores: custom formulas reading computed fields --------------------------------------


def test_a_live_score_follows_the_features_demand_and_effort():
    model = CustomModelFactory(formula="value * arr_demand / max(effort_high, 1)")
    feature = FeatureFactory(effort_high=Decimal("4"))
    services.feature_score_set(
        actor=None, feature=feature, scoring_model=model, inputs={"value": 2, "fit": 0}
    )
    assert selectors.backlog(scoring_model=model)[0].score == 0
    # The customer voice rewrites the demand in bulk, telling nobody.
    roadmap_services.feature_demand_set(
        demand={feature.pk: roadmap_services.FeatureDemand(arr=Decimal("1000"))}
    )
    assert selectors.backlog(scoring_model=model)[0].score == 500
    feature.refresh_from_db()
    (view,) = selectors.feature_scores(feature=feature)
    assert view.evaluated.score == 500
    # The roadmap edits the effort.
    roadmap_services.feature.update(
        actor=None, instance=feature, version=None, data={"effort_high": Decimal("10")}
    )
    assert selectors.backlog(scoring_model=model)[0].score == 200


def test_a_live_score_without_its_computed_figure_is_incomplete():
    model = CustomModelFactory(formula="value / effort_low")
    feature = FeatureFactory(effort_low=None)
    services.feature_score_set(
        actor=None, feature=feature, scoring_model=model, inputs={"value": 2, "fit": 0}
    )
    row = selectors.backlog(scoring_model=model)[0]
    assert row.score is None
    assert row.evaluated.complete is False


def test_a_live_score_that_cannot_be_computed_carries_the_reason():
    model = CustomModelFactory(formula="value / effort_low")
    feature = FeatureFactory(effort_low=Decimal("0"))
    services.feature_score_set(
        actor=None, feature=feature, scoring_model=model, inputs={"value": 2, "fit": 0}
    )
    (row,) = selectors.backlog(scoring_model=model)
    assert row.score is None
    assert row.rank is None
    assert row.evaluated.complete is True
    assert "division by zero (position 6)" in row.evaluated.error


def test_a_formula_of_computed_fields_only_scores_unscored_features():
    model = CustomModelFactory(formula="requests * 2", input_fields=[])
    FeatureFactory(title="Asked")
    roadmap_services.feature_demand_set(
        demand={
            feature.pk: roadmap_services.FeatureDemand(requests=3)
            for feature in [FeatureFactory(title="Asked more")]
        }
    )
    assert ranked(selectors.backlog(scoring_model=model)) == [("Asked more", 1), ("Asked", 2)]


# --- backlogs -----------------------------------------------------------------------------------


def test_the_backlog_ranks_best_first_with_shared_ranks_and_unscored_last():
    model = ScoringModelFactory()
    for title, reach in [("a", 100), ("b", 300), ("c", 300), ("d", None), ("e", 50)]:
        feature = FeatureFactory(title=title)
        if reach is not None:
            _rice(feature, model, reach)
    rows = selectors.backlog(scoring_model=model)
    assert ranked(rows) == [("b", 1), ("c", 1), ("a", 3), ("e", 4), ("d", None)]
    assert rows[0].score == pytest.approx(120)


def test_the_backlog_shows_open_work_unless_asked():
    model = ScoringModelFactory()
    for stage in FeatureStage.values:
        FeatureFactory(title=stage, stage=stage)
    titles = {row.title for row in selectors.backlog(scoring_model=model)}
    assert titles == {"idea", "candidate", "planned"}
    every = selectors.backlog(scoring_model=model, filters=BacklogFilters(stage="all"))
    assert len(every) == len(FeatureStage.values)
    only = selectors.backlog(scoring_model=model, filters=BacklogFilters(stage="released"))
    assert [row.title for row in only] == ["released"]


def test_backlog_filters_by_line_product_and_owner():
    model = ScoringModelFactory()
    line = ProductLineFactory()
    product = ProductFactory(product_line=line)
    owner = UserFactory(role=Role.PRODUCT_MANAGER)
    mine = FeatureFactory(product=product, owner=owner, title="mine")
    FeatureFactory(product=product, title="same product")
    FeatureFactory(title="elsewhere")

    def titles(**filters):
        rows = selectors.backlog(scoring_model=model, filters=BacklogFilters(**filters))
        return sorted(row.title for row in rows)

    assert titles(product_line_id=line.pk) == ["mine", "same product"]
    assert titles(product_id=product.pk) == ["mine", "same product"]
    assert titles(owner_id=owner.pk) == [mine.title]


def test_a_product_model_ranks_only_its_products_features():
    product = ProductFactory()
    model = ScoringModelFactory(product=product)
    FeatureFactory(product=product, title="ours")
    FeatureFactory(title="theirs")
    assert [row.title for row in selectors.backlog(scoring_model=model)] == ["ours"]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("rank", ["b", "a", "c"]),
        ("-rank", ["a", "b", "c"]),  # worst first; unranked still last
        ("title", ["a", "b", "c"]),
        ("-title", ["c", "b", "a"]),
        ("owner", ["c", "a", "b"]),  # Ann, Bob, then nobody
        ("-owner", ["a", "c", "b"]),
        ("kano", ["b", "a", "c"]),  # Attractive, Must-be, then none
        ("stage", ["a", "c", "b"]),
        ("nonsense", ["b", "a", "c"]),
    ],
)
def test_backlog_sorting(sort, expected):
    model = ScoringModelFactory()
    ann = UserFactory(username="ann", first_name="Ann")
    bob = UserFactory(username="bob", first_name="Bob")
    a = FeatureFactory(title="a", owner=bob, kano=KanoCategory.MUST_BE, stage="idea")
    b = FeatureFactory(title="b", kano=KanoCategory.ATTRACTIVE, stage="planned")
    FeatureFactory(title="c", owner=ann, stage="candidate")
    _rice(a, model, 10)
    _rice(b, model, 20)
    assert [row.title for row in selectors.backlog(scoring_model=model, sort=sort)] == expected


def test_backlog_query_count_does_not_grow_with_the_data():
    model = CustomModelFactory(formula="value * arr_demand + fit")

    def grow():
        for index in range(30):
            feature = FeatureFactory(owner=UserFactory(), product=ProductFactory())
            services.feature_score_set(
                actor=None,
                feature=feature,
                scoring_model=model,
                inputs={"value": index % 10 + 1, "fit": 1},
            )

    grow()
    assert assert_same_queries(lambda: selectors.backlog(scoring_model=model), grow) == 1


# --- comparisons --------------------------------------------------------------------------------


def test_comparing_two_models_against_scipy():
    rice = ScoringModelFactory(name="RICE")
    custom = CustomModelFactory(name="Custom")
    pairs = [(100, 3), (300, 9), (200, 5), (50, 8), (400, 1), (250, 5)]
    for index, (reach, value) in enumerate(pairs):
        feature = FeatureFactory(title=f"f{index}")
        _rice(feature, rice, reach)
        services.feature_score_set(
            actor=None, feature=feature, scoring_model=custom, inputs={"value": value, "fit": 0}
        )
    FeatureFactory(title="unscored")
    found = selectors.comparison(first=rice, second=custom, top_n=3)
    result = found.result
    xs = [reach for reach, _ in pairs]
    ys = [value for _, value in pairs]
    assert found.features == 7
    assert result.common == 6
    assert result.spearman == pytest.approx(stats.spearmanr(xs, ys).statistic)
    assert result.kendall_tau == pytest.approx(stats.kendalltau(xs, ys).statistic)
    assert [row.feature.title for row in found.rows][:3] == ["f4", "f1", "f5"]
    first_row = found.rows[0].move  # f4: the widest reach, the lowest value
    assert (first_row.rank, first_row.other_rank, first_row.move) == (1, 6, -5)
    assert [row.move.other_rank for row in found.rows if row.feature.title in {"f2", "f5"}] == [
        3,
        3,
    ]
    assert found.rows[-1].feature.title == "unscored"


def test_two_product_models_of_different_products_compare_nothing():
    first = ScoringModelFactory(product=ProductFactory())
    second = ScoringModelFactory(product=ProductFactory())
    FeatureFactory(product=first.product)
    assert selectors.comparison(first=first, second=second).features == 0


def test_comparison_query_count_does_not_grow_with_the_data():
    first, second = ScoringModelFactory(), CustomModelFactory(formula="value * requests")

    def grow():
        for index in range(20):
            feature = FeatureFactory()
            _rice(feature, first, index)
            services.feature_score_set(
                actor=None, feature=feature, scoring_model=second, inputs={"value": 1, "fit": 1}
            )

    grow()
    count = assert_same_queries(lambda: selectors.comparison(first=first, second=second), grow)
    assert count == 1
