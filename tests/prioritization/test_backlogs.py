"""Backlogs ranked by the database against the same backlogs ranked in Python (ties,
unscored features, filters, pages), comparisons read by page, and their query counts."""

from __future__ import annotations

import pytest

from pilothouse.core.roles import Role
from pilothouse.prioritization import selectors, services
from pilothouse.prioritization.backlogs import BACKLOG_SORTS, Backlog, BacklogFilters
from pilothouse.roadmap.models import FeatureStage, KanoCategory
from tests.factories import FeatureFactory, ProductFactory, ProductLineFactory, UserFactory
from tests.prioritization.factories import RICE_800, CustomModelFactory, ScoringModelFactory
from tests.web.helpers import assert_same_queries, count_queries

pytestmark = pytest.mark.django_db

# Few distinct reaches: many tied scores. None: no inputs; "part": incomplete inputs.
REACHES = [300, 100, None, 100, 0, "part", 300, 50, 100, None, 0, 300, 75, 100, "part"]
TITLES = ["Beta", "alpha", "Éclair", "beta", "Alpha", "zeta", "Beta", "ß-test", "mu"]
STAGES = [FeatureStage.IDEA, FeatureStage.CANDIDATE, FeatureStage.PLANNED, FeatureStage.RELEASED]
KANOS = ["", KanoCategory.MUST_BE, KanoCategory.ATTRACTIVE, ""]


def _set_inputs(feature, model, reach) -> None:
    if reach is None:
        return
    inputs = {"reach": 2000} if reach == "part" else {**RICE_800, "reach": reach}
    services.feature_score_set(actor=None, feature=feature, scoring_model=model, inputs=inputs)


@pytest.fixture
def portfolio():
    """Two product lines, three products, owners with and without names, repeated
    titles (ties broken by id), and a RICE model with ties and unscored features."""
    lines = [ProductLineFactory(), ProductLineFactory()]
    products = [
        ProductFactory(product_line=lines[0], name="Payments"),
        ProductFactory(product_line=lines[0], name="checkout"),
        ProductFactory(product_line=lines[1], name="Ads"),
    ]
    owners = [
        None,
        UserFactory(username="zed", first_name="Ann", role=Role.PRODUCT_MANAGER),
        UserFactory(username="bob", role=Role.PRODUCT_MANAGER),
    ]
    model = ScoringModelFactory(name="RICE")
    features = []
    for index in range(30):
        feature = FeatureFactory(
            title=TITLES[index % len(TITLES)],
            product=products[index % 3],
            owner=owners[index % 3],
            stage=STAGES[index % len(STAGES)],
            kano=KANOS[index % len(KANOS)],
        )
        _set_inputs(feature, model, REACHES[index % len(REACHES)])
        features.append(feature)
    return {"model": model, "lines": lines, "products": products, "owners": owners}


def shown(rows) -> list[tuple[int, int | None, float | None]]:
    return [(row.feature_id, row.rank, row.score) for row in rows]


def test_the_database_ranks_stored_scores_by_default_and_python_ranks_the_rest():
    stored = ScoringModelFactory()
    live = CustomModelFactory(formula="value * requests")
    assert Backlog(scoring_model=stored).in_sql
    assert Backlog(scoring_model=stored, sort="-rank").in_sql
    assert not Backlog(scoring_model=stored, sort="title").in_sql
    assert not Backlog(scoring_model=live).in_sql
    with pytest.raises(ValueError, match="stored scores"):
        Backlog(scoring_model=live, in_sql=True)
    with pytest.raises(ValueError, match="sorted by rank"):
        Backlog(scoring_model=stored, sort="owner", in_sql=True)


@pytest.mark.parametrize("sort", ["rank", "-rank"])
@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"stage": "all"},
        {"stage": FeatureStage.RELEASED},
        {"product_line": 0},
        {"product": 1, "stage": "all"},
        {"owner": 1, "stage": "all"},
        {"owner": 2},
    ],
)
def test_sql_and_python_rank_alike(portfolio, sort, filters):
    given = {
        "stage": filters.get("stage"),
        "product_line_id": portfolio["lines"][filters["product_line"]].pk
        if "product_line" in filters
        else None,
        "product_id": portfolio["products"][filters["product"]].pk
        if "product" in filters
        else None,
        "owner_id": portfolio["owners"][filters["owner"]].pk if "owner" in filters else None,
    }
    chosen = BacklogFilters(**given)
    in_sql = Backlog(scoring_model=portfolio["model"], filters=chosen, sort=sort, in_sql=True)
    in_python = Backlog(scoring_model=portfolio["model"], filters=chosen, sort=sort, in_sql=False)
    expected = shown(in_python[:])
    assert expected  # every case shows something
    assert shown(in_sql[:]) == expected
    assert (in_sql.count(), in_sql.ranked) == (in_python.count(), in_python.ranked)
    assert in_sql.count() == len(expected)
    assert in_sql.ranked == sum(1 for _, rank, _ in expected if rank is not None)
    # Page by page, as a Paginator reads them.
    pages = [shown(in_sql[start : start + 4]) for start in range(0, len(expected), 4)]
    assert [row for page in pages for row in page] == expected
    assert shown(in_sql[len(expected) : len(expected) + 4]) == []


def test_the_database_ranking_keeps_ties_and_puts_unscored_features_last(portfolio):
    rows = Backlog(scoring_model=portfolio["model"], filters=BacklogFilters(stage="all"))[:]
    ranks = [row.rank for row in rows]
    scored = [row for row in rows if row.rank is not None]
    assert ranks[: len(scored)] == sorted(ranks[: len(scored)])
    assert all(row.score is None for row in rows[len(scored) :])
    # Tied scores share the rank of the first of them, and the next rank skips.
    assert scored[0].rank == scored[1].rank == 1
    assert scored[0].score == scored[1].score
    first_after = next(row for row in scored if row.score != scored[0].score)
    assert first_after.rank == 1 + sum(1 for row in scored if row.score == scored[0].score)
    # A score of 0 is a score: ranked, ahead of the unscored.
    assert scored[-1].score == 0
    # Ties, and the unscored, go by title then id.
    ties = [row for row in scored if row.score == scored[0].score]
    assert [(r.title, r.feature_id) for r in ties] == sorted((r.title, r.feature_id) for r in ties)


@pytest.mark.parametrize("sort", [*BACKLOG_SORTS, *(f"-{name}" for name in BACKLOG_SORTS)])
def test_every_sort_reads_the_pages_of_one_order(portfolio, sort):
    every = Backlog(
        scoring_model=portfolio["model"], filters=BacklogFilters(stage="all"), sort=sort
    )
    expected = shown(every[:])
    paged = Backlog(
        scoring_model=portfolio["model"], filters=BacklogFilters(stage="all"), sort=sort
    )
    assert paged.count() == len(expected) == 30
    pages = [shown(paged[start : start + 7]) for start in range(0, 30, 7)]
    assert [row for page in pages for row in page] == expected
    assert shown([paged[0], paged[-1]]) == [expected[0], expected[-1]]
    with pytest.raises(IndexError):
        paged[30]


def test_a_live_model_ranks_in_python_by_page():
    model = CustomModelFactory(formula="value * requests + fit")
    for index in range(9):
        feature = FeatureFactory(title=f"f{index}")
        services.feature_score_set(
            actor=None,
            feature=feature,
            scoring_model=model,
            inputs={"value": index % 3 + 1, "fit": 1},
        )
    FeatureFactory(title="unscored")
    paged = selectors.paged_backlog(scoring_model=model)
    assert not paged.in_sql
    assert (paged.count(), paged.ranked) == (10, 9)
    first_page, second_page = paged[:5], paged[5:]
    # requests is 0 for every feature: the scores are all "fit", 1, tied.
    assert {row.rank for row in first_page + second_page[:-1]} == {1}
    assert second_page[-1].title == "unscored"
    assert second_page[-1].rank is None


def _grow(model, count):
    def grow():
        for index in range(count):
            feature = FeatureFactory(owner=UserFactory(), product=ProductFactory())
            _set_inputs(feature, model, REACHES[index % len(REACHES)])

    return grow


@pytest.mark.parametrize(("sort", "queries"), [("rank", 2), ("-rank", 2), ("title", 1)])
def test_a_page_of_a_backlog_costs_fixed_queries(sort, queries):
    model = ScoringModelFactory()
    _grow(model, 5)()

    def page():
        rows = selectors.paged_backlog(scoring_model=model, sort=sort)
        rows.count()
        rows.ranked  # noqa: B018 (read for its query)
        return rows[:3]

    assert assert_same_queries(page, _grow(model, 45)) == queries


# --- comparisons ---------------------------------------------------------------------------


def test_a_comparison_reads_its_rows_by_page_in_the_first_models_order():
    rice = ScoringModelFactory(name="RICE")
    live = CustomModelFactory(name="Live", formula="value * (requests + 1)")
    # (RICE reach, live value): ties under both, and features each leaves unscored.
    given = [(100, 3), (300, None), (100, 9), (None, 5), (50, 3), (None, None), (300, 3)]
    for index, (reach, value) in enumerate(given):
        feature = FeatureFactory(title=f"f{index}")
        _set_inputs(feature, rice, reach)
        if value is not None:
            services.feature_score_set(
                actor=None, feature=feature, scoring_model=live, inputs={"value": value, "fit": 0}
            )
    found = selectors.comparison(first=rice, second=live)
    rows = [
        (row.feature.title, row.move.rank, row.move.other_rank, row.move.move) for row in found.rows
    ]
    assert rows == [
        # Tied under the first: the one the second ranks goes first, best first.
        ("f6", 1, 3, -2),
        ("f1", 1, None, None),
        ("f2", 3, 1, 2),
        ("f0", 3, 3, 0),
        ("f4", 5, 3, 2),
        ("f3", None, 2, None),
        ("f5", None, None, None),
    ]
    assert found.features == len(found.rows) == 7
    assert found.result.common == 4
    assert [row.feature.title for row in found.rows[2:4]] == ["f2", "f0"]
    assert found.rows[-1].feature.title == "f5"
    assert found.rows[0].feature.score == pytest.approx(120)  # the first model's score
    assert found.rows[10:20] == []


def test_a_comparison_costs_one_query_and_one_per_page():
    first, second = ScoringModelFactory(), CustomModelFactory(formula="value * requests")

    def grow():
        for index in range(20):
            feature = FeatureFactory()
            _set_inputs(feature, first, index)
            services.feature_score_set(
                actor=None, feature=feature, scoring_model=second, inputs={"value": 1, "fit": 1}
            )

    grow()

    def page():
        return selectors.comparison(first=first, second=second).rows[:5]

    assert count_queries(lambda: selectors.comparison(first=first, second=second)) == 1
    assert assert_same_queries(page, grow) == 2
