"""Statistics computed from a query on a data source: the refresh end to end (per-user rows
in a CSV file, DuckDB queries grouped by variant, the stored sums equal to the same sums
computed here, and the analysis reading them), the ratio and CUPED columns, bad rows
named and refused with nothing of their metric changed while the others refresh, the
window bound to the query, the test of a query that stores nothing, and who may."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from pilothouse.core.models import ChangeRecord
from pilothouse.experiments import selectors, statistics_sources
from pilothouse.experiments.models import ExperimentMetric, VariantStatistics
from pilothouse.experiments.statistics_sources import (
    query_window,
    statistics_query_test,
    statistics_refresh,
)
from tests.api.helpers import unchanged
from tests.experiments import builders, per_user
from tests.experiments.per_user import MEAN, PROPORTION, TODAY

pytestmark = pytest.mark.django_db
SUMS = (
    "n",
    "sum",
    "sum_squares",
    "denominator_sum",
    "denominator_sum_squares",
    "cross_sum",
    "covariate_sum",
    "covariate_sum_squares",
    "covariate_cross_sum",
)


def stored(experiment_metric: ExperimentMetric) -> dict[str, dict]:
    """The statistics of a metric per variant name, the sums that are set."""
    return {
        stats.variant.name: {
            name: getattr(stats, name) for name in SUMS if getattr(stats, name) is not None
        }
        for stats in VariantStatistics.objects.filter(
            experiment_metric=experiment_metric
        ).select_related("variant")
    }


def assert_sums(experiment_metric, want: dict[str, dict]) -> None:
    got = stored(experiment_metric)
    assert set(got) == set(want) == {"Control", "B"}
    for name, sums in want.items():
        assert set(got[name]) == set(sums), name
        assert got[name]["n"] == sums["n"]
        for column, value in sums.items():
            assert got[name][column] == pytest.approx(value, rel=1e-9), (name, column)


def refresh(world, actor=None, today=TODAY):
    return statistics_refresh(actor=actor, experiment=world.experiment, today=today)


def seed(world, experiment_metric, rows=builders.REVENUE) -> dict[str, dict]:
    """Statistics stored before the refresh (so that a refused one can be seen unchanged)."""
    builders.statistics(experiment_metric, [world.control, world.b], rows)
    return stored(experiment_metric)


# --- end to end ------------------------------------------------------------------------------


def test_the_refresh_stores_the_sums_of_the_rows_and_the_analysis_reads_them(
    query_world, web_world
):
    world = query_world
    report = refresh(world, actor=web_world.pm)
    assert (report.start_date, report.end_date) == (per_user.START, TODAY)
    assert [done.ok for done in report.metrics] == [True, True]
    assert [done.rows for done in report.metrics] == [2, 2]
    assert all(done.duration_ms >= 0 and done.changed == 2 for done in report.metrics)
    assert_sums(world.mean, per_user.expected(world.rows, "mean"))
    assert_sums(world.proportion, per_user.expected(world.rows, "proportion"))
    # the users outside the window were left out, and the variants matched without case
    every_user = len(world.rows)
    counted = sum(s["n"] for s in stored(world.mean).values())
    assert 0 < counted < every_user
    # the analysis reads what was stored
    results = selectors.results_of(world.experiment)
    by_metric = {m.experiment_metric.pk: m for m in results.metrics}
    for metric in (world.mean, world.proportion):
        analysed = by_metric[metric.pk]
        assert analysed.problem is None
        assert analysed.control_n == stored(metric)["Control"]["n"]
        assert analysed.rows[0].n == stored(metric)["B"]["n"]
    want = per_user.expected(world.rows, "proportion")["B"]
    assert by_metric[world.proportion.pk].rows[0].mean == pytest.approx(want["sum"] / want["n"])


def test_the_refresh_writes_through_the_statistics_service(query_world, web_world):
    world = query_world
    refresh(world, actor=web_world.pm)
    stats = VariantStatistics.objects.filter(experiment_metric=world.mean)
    assert {s.created_by for s in stats} == {web_world.pm}
    assert ChangeRecord.objects.filter(object_id__in=[s.pk for s in stats]).count() == 2
    # the same rows again change nothing: no new version, nothing logged
    logged = ChangeRecord.objects.count()
    again = refresh(world, actor=web_world.pm)
    assert [done.changed for done in again.metrics] == [0, 0]
    assert ChangeRecord.objects.count() == logged
    assert {s.version for s in stats} == {1}


def test_ratio_and_cuped_metrics_get_their_extra_columns(query_world):
    world = query_world
    ratio = world.add("ratio")
    cuped = world.add("cuped")
    report = refresh(world)
    assert [done.error for done in report.metrics] == [None] * 4
    assert_sums(ratio, per_user.expected(world.rows, "ratio"))
    assert_sums(cuped, per_user.expected(world.rows, "cuped"))
    results = {m.experiment_metric.pk: m for m in selectors.results_of(world.experiment).metrics}
    assert results[ratio.pk].problem is None
    assert results[cuped.pk].problem is None
    # a ratio query without its denominator is refused, naming the columns
    short = world.add("ratio", sql=world.sql(MEAN))
    refused = next(d for d in refresh(world).metrics if d.experiment_metric.pk == short.pk)
    assert "no column denominator_sum, denominator_sum_squares, cross_sum" in refused.error


# --- bad rows --------------------------------------------------------------------------------

BAD = {
    "unknown variant": (
        MEAN.replace(
            "SELECT variant,",
            "SELECT CASE WHEN variant = 'b' THEN 'Treatment' ELSE variant END AS variant,",
        ),
        [
            "column variant: “Treatment” is not a variant of this experiment (Control, B)",
            "No row for the variant B",
        ],
    ),
    "missing column": (
        MEAN.replace(", sum(revenue * revenue) AS sum_squares", ""),
        [
            "The query must return the columns variant, n, sum, sum_squares (no column "
            "sum_squares); it returned: variant, n, sum."
        ],
    ),
    "text in a number column": (
        MEAN.replace("sum(revenue) AS sum", "CAST(sum(revenue) AS VARCHAR) AS sum"),
        ["column sum: '", "is text, not a number; cast it in the query"],
    ),
    "negative n": (
        MEAN.replace("count(*) AS n", "-count(*) AS n"),
        ["column n: -", "is negative; a count of users is 0 or more"],
    ),
    "fractional n": (
        MEAN.replace("count(*) AS n", "count(*) + 0.5 AS n"),
        ["is not a whole number of users"],
    ),
    "a variant twice": (
        MEAN.replace("GROUP BY variant", "GROUP BY variant UNION ALL SELECT 'B', 1, 1.0, 1.0"),
        ["column variant: B is on row"],
    ),
    "an unknown column": (
        MEAN.replace("AS sum_squares", "AS sum_squares, 1 AS mean"),
        ["unexpected column mean"],
    ),
    "sums no data could give": (
        MEAN.replace("sum(revenue * revenue)", "sum(revenue) / 1000"),
        ["column sum_squares: Too small for the sum"],
    ),
    "a failing query": (
        MEAN.replace("sum(revenue)", "sum(no_such_column)"),
        ["The query failed:", "no_such_column"],
    ),
    "a metric parameter": (
        MEAN.replace(":start_date", ":period_start"),
        ["the query uses :period_start; its parameters are :start_date and :end_date"],
    ),
}


@pytest.mark.parametrize("case", list(BAD))
def test_a_bad_metric_is_named_and_unchanged_while_the_other_refreshes(query_world, case):
    world = query_world
    template, messages = BAD[case]
    ExperimentMetric.objects.filter(pk=world.mean.pk).update(statistics_query=world.sql(template))
    before = seed(world, world.mean)
    report = refresh(world)
    mean, proportion = report.metrics
    assert not mean.ok
    assert mean.error.startswith(f"{world.mean.metric.key}: ")
    for message in messages:
        assert message in mean.error, mean.error
    assert stored(world.mean) == before
    assert proportion.ok
    assert_sums(world.proportion, per_user.expected(world.rows, "proportion"))
    assert report.failed == [mean]


def test_each_problem_names_the_row_its_variant_and_the_column(query_world):
    world = query_world
    sql = (
        MEAN.replace("count(*) AS n", "-count(*) AS n").replace(
            "sum(revenue) AS sum", "CAST(sum(revenue) AS VARCHAR) AS sum"
        )
        + " ORDER BY variant DESC"
    )  # control first
    ExperimentMetric.objects.filter(pk=world.mean.pk).update(statistics_query=world.sql(sql))
    problems = refresh(world).metrics[0].problems
    assert [p.split(":")[0] for p in problems] == [
        "row 1 (Control), column n",
        "row 1 (Control), column sum",
        "row 2 (B), column n",
        "row 2 (B), column sum",
    ]


def test_a_variant_without_users_counts_as_zero(query_world):
    world = query_world
    # B gets no user in the window: its row says n = 0 and its sums are NULL
    sql = (
        "SELECT v.name AS variant, count(u.user_id) AS n, sum(u.revenue) AS sum, "
        "sum(u.revenue * u.revenue) AS sum_squares "
        "FROM (VALUES ('control'), ('B')) v(name) "
        "LEFT JOIN (SELECT * FROM '{csv}' WHERE variant = 'control' "
        "AND day BETWEEN :start_date AND :end_date) u ON u.variant = v.name GROUP BY v.name"
    )
    ExperimentMetric.objects.filter(pk=world.mean.pk).update(statistics_query=world.sql(sql))
    assert refresh(world).metrics[0].ok
    assert stored(world.mean)["B"] == {"n": 0, "sum": 0.0, "sum_squares": 0.0}
    assert (
        stored(world.mean)["Control"]["n"] == per_user.expected(world.rows, "mean")["Control"]["n"]
    )


# --- the window ------------------------------------------------------------------------------


def test_the_window_runs_from_the_start_to_the_end_or_today(query_world):
    experiment = query_world.experiment
    assert query_window(experiment, today=TODAY) == {
        "start_date": per_user.START,
        "end_date": TODAY,
    }
    experiment.end_date = dt.date(2026, 3, 10)  # ended: its end
    assert query_window(experiment, today=TODAY)["end_date"] == dt.date(2026, 3, 10)
    experiment.end_date = dt.date(2026, 4, 30)  # planned ahead: today
    assert query_window(experiment, today=TODAY)["end_date"] == TODAY
    experiment.start_date = None
    with pytest.raises(ValidationError) as no_start:
        query_window(experiment, today=TODAY)
    assert "no start date yet" in no_start.value.message_dict["start_date"][0]
    experiment.start_date = dt.date(2026, 5, 1)
    with pytest.raises(ValidationError, match="nothing to read yet"):
        query_window(experiment, today=TODAY)


def test_the_end_bound_to_the_query_is_the_experiments_end(query_world):
    world = query_world
    ended = dt.date(2026, 3, 8)
    world.experiment.end_date = ended
    world.experiment.status = "stopped"
    world.experiment.save()
    report = refresh(world)
    assert report.end_date == ended
    assert_sums(world.mean, per_user.expected(world.rows, "mean", last=ended))


def test_nothing_to_refresh_is_refused_naming_why(query_world):
    world = query_world
    ExperimentMetric.objects.filter(experiment=world.experiment).update(
        data_source=None, statistics_query=""
    )
    with pytest.raises(ValidationError) as refused:
        refresh(world)
    assert "No metric of this experiment has a data source" in refused.value.messages[0]


# --- testing a query -------------------------------------------------------------------------


def test_a_test_shows_the_rows_and_stores_nothing(query_world, web_world):
    world = query_world
    with unchanged(VariantStatistics, ExperimentMetric):
        test = statistics_query_test(
            actor=web_world.pm,
            experiment_metric=world.mean,
            data_source=world.source,
            sql=world.sql(MEAN + " ORDER BY variant DESC"),
            today=TODAY,
        )
    assert test.ok, test.problems
    assert test.columns == ["variant", "n", "sum", "sum_squares"]
    want = per_user.expected(world.rows, "mean")
    assert [row[:2] for row in test.rows] == [
        ["control", want["Control"]["n"]],
        ["b", want["B"]["n"]],
    ]
    assert (test.start_date, test.end_date) == (per_user.START, TODAY)


def test_a_test_finds_what_the_refresh_would_refuse(query_world):
    world = query_world
    cases = {
        world.sql(PROPORTION): "no column sum_squares",  # a proportion's query on a mean
        world.sql(MEAN.replace("sum(revenue * revenue)", "sum(revenue) / 1000")): "Too small",
        "SELECT 1 AS n WHERE :period_end": "its parameters are :start_date and :end_date",
        "DELETE FROM users": "Only a SELECT query",
        "": "Write the query first.",
    }
    for sql, message in cases.items():
        test = statistics_query_test(
            actor=None,
            experiment_metric=world.mean,
            data_source=world.source,
            sql=sql,
            today=TODAY,
        )
        assert not test.ok
        assert any(message in problem for problem in test.problems), (sql, test.problems)
    no_source = statistics_query_test(
        actor=None, experiment_metric=world.mean, data_source=None, sql="SELECT 1", today=TODAY
    )
    assert no_source.problems == ["Choose the data source the query runs on."]


# --- who may ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["viewer", "contributor", "other_pm"])
def test_those_who_may_not_set_statistics_may_not_refresh_or_test(query_world, web_world, who):
    world = query_world
    user = getattr(web_world, who)
    with unchanged(VariantStatistics), pytest.raises(PermissionDenied):
        refresh(world, actor=user)
    with pytest.raises(PermissionDenied):
        statistics_query_test(
            actor=user,
            experiment_metric=world.mean,
            data_source=world.source,
            sql=world.sql(MEAN),
            today=TODAY,
        )


@pytest.mark.parametrize("who", ["pm", "leader", "admin"])
def test_the_product_manager_leaders_and_admins_may(query_world, web_world, who):
    report = refresh(query_world, actor=getattr(web_world, who))
    assert not report.failed
    assert statistics_sources.may_refresh(getattr(web_world, who), query_world.experiment)


def test_the_query_runs_with_other_metrics_untouched(query_world):
    world = query_world
    entered = builders.measure(world.experiment, builders.metric(name="Entered by hand"))
    before = seed(world, entered)
    report = refresh(world)
    assert entered.pk not in [done.experiment_metric.pk for done in report.metrics]
    assert stored(entered) == before
