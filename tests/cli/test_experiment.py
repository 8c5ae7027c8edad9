"""`pilothouse experiment analyze`, in process: no database needed."""

from __future__ import annotations

import copy
import json
import subprocess
import sys

import pytest
from gbstats.bayesian.tests import EffectBayesianABTest
from gbstats.frequentist.tests import TwoSidedTTest
from gbstats.models.statistics import ProportionStatistic, SampleMeanStatistic

from pilothouse.cli import main

EXAMPLE = {
    "metric_type": "mean",
    "difference": "relative",
    "engine": "frequentist",
    "alpha": 0.05,
    "variants": [
        {"name": "control", "weight": 0.5, "n": 3407, "sum": 1396.87, "sum_squares": 52377.9767},
        {"name": "B", "weight": 0.5, "n": 3461, "sum": 2422.7, "sum_squares": 134698.29},
    ],
}
CONTROL = SampleMeanStatistic(n=3407, sum=1396.87, sum_squares=52377.9767)
B = SampleMeanStatistic(n=3461, sum=2422.7, sum_squares=134698.29)
RESULT_KEYS = {
    "variant", "effect", "se", "ci", "p_value", "chance_to_win", "risk",
    "metric", "p_value_adjusted", "ci_adjusted", "error",
}  # fmt: skip


@pytest.fixture
def write(tmp_path):
    def write_file(data, name="experiment.json") -> str:
        path = tmp_path / name
        path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
        return str(path)

    return write_file


def changed(**top) -> dict:
    data = copy.deepcopy(EXAMPLE)
    data.update(top)
    return data


def run_json(capsys, path) -> dict:
    code = main(["experiment", "analyze", path, "--json"])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert out.err == ""
    return json.loads(out.out)  # exactly one JSON object, nothing else on stdout


def test_the_example_as_json_matches_gbstats(capsys, write):
    body = run_json(capsys, write(EXAMPLE))
    assert set(body) == {"srm_p_value", "results"}
    assert len(body["results"]) == 1
    result = body["results"][0]
    assert set(result) == RESULT_KEYS
    theirs = TwoSidedTTest(CONTROL, B).compute_result()
    assert result["variant"] == "B"
    assert result["effect"] == pytest.approx(0.7073, abs=1e-4)
    assert result["effect"] == pytest.approx(theirs.expected, rel=1e-12)
    assert result["p_value"] == pytest.approx(0.0619, abs=1e-4)
    assert result["p_value"] == pytest.approx(theirs.p_value, rel=1e-9)
    assert result["se"] == pytest.approx(theirs.uplift.stddev, rel=1e-12)
    assert result["ci"] == pytest.approx(theirs.ci, rel=1e-9)
    assert result["chance_to_win"] is None
    assert result["risk"] is None
    assert result["p_value_adjusted"] is None
    assert result["error"] is None
    # 3,407 vs 3,461 on a 50/50 split: chi-square 0.4246 on 1 degree of freedom.
    assert body["srm_p_value"] == pytest.approx(0.5147, abs=1e-4)


def test_bayesian_json_has_chance_to_win_and_risk_and_no_p_value(capsys, write):
    body = run_json(capsys, write(changed(engine="bayesian")))
    result = body["results"][0]
    theirs = EffectBayesianABTest(CONTROL, B).compute_result()
    assert result["p_value"] is None
    assert result["chance_to_win"] == pytest.approx(theirs.chance_to_win, rel=1e-12)
    assert result["risk"] == pytest.approx(theirs.risk, rel=1e-9)
    assert result["ci"] == pytest.approx(theirs.ci, rel=1e-9)


def test_human_output_has_a_table_and_a_reading(capsys, write):
    code = main(["experiment", "analyze", write(EXAMPLE)])
    out = capsys.readouterr().out
    assert code == 0
    assert "Effect" in out
    assert "p-value" in out
    assert "70.7%" in out
    assert (
        "B is 70.7% better on the metric, 95% CI -3.5% to 145.0% (p = 0.062, not significant); "
        "SRM check passed."
    ) in out


def test_a_lower_is_better_metric_reads_the_other_way(capsys, write):
    path = write(changed(engine="bayesian", direction="lower", metric="page load time"))
    code = main(["experiment", "analyze", path])
    out = capsys.readouterr().out
    assert code == 0
    assert "B is 70.7% worse on page load time" in out
    assert "chance to win 3.1%" in out


def test_proportions_need_no_sum_of_squares(capsys, write):
    data = {
        "metric_type": "proportion",
        "difference": "absolute",
        "engine": "frequentist",
        "alpha": 0.05,
        "variants": [
            {"name": "control", "weight": 0.5, "n": 5000, "sum": 500},
            {"name": "B", "weight": 0.5, "n": 5000, "sum": 560},
        ],
    }
    result = run_json(capsys, write(data))["results"][0]
    theirs = TwoSidedTTest(
        ProportionStatistic(n=5000, sum=500),
        ProportionStatistic(n=5000, sum=560),
        config=__import__("gbstats.frequentist.tests").frequentist.tests.FrequentistConfig(
            difference_type="absolute"
        ),
    ).compute_result()
    assert result["effect"] == pytest.approx(0.012)
    assert result["p_value"] == pytest.approx(theirs.p_value, rel=1e-9)


def test_several_metrics_with_a_correction(capsys, write):
    data = {
        "engine": "frequentist",
        "difference": "relative",
        "correction": "holm-bonferroni",
        "variants": [
            {"name": "control", "weight": 0.34, "n": 3400},
            {"name": "B", "weight": 0.33, "n": 3310},
            {"name": "C", "weight": 0.33, "n": 3290},
        ],
        "metrics": [
            {
                "name": "signups",
                "metric_type": "proportion",
                "variants": [{"sum": 340}, {"sum": 390}, {"sum": 333}],
            },
            {
                "name": "order value",
                "metric_type": "ratio",
                "direction": "higher",
                "variants": [
                    {"sum": 1394.0, "sum_squares": 52000.0, "denominator_sum": 410,
                     "denominator_sum_squares": 700, "sum_denominator_products": 5400},
                    {"sum": 1489.5, "sum_squares": 58100.0, "denominator_sum": 430,
                     "denominator_sum_squares": 720, "sum_denominator_products": 6100},
                    {"sum": 1302.0, "sum_squares": 49000.0, "denominator_sum": 398,
                     "denominator_sum_squares": 680, "sum_denominator_products": 5100},
                ],
            },
        ],
    }  # fmt: skip
    body = run_json(capsys, write(data))
    results = body["results"]
    assert [(r["metric"], r["variant"]) for r in results] == [
        ("signups", "B"), ("signups", "C"), ("order value", "B"), ("order value", "C")
    ]  # fmt: skip
    smallest = min(r["p_value"] for r in results)
    assert min(r["p_value_adjusted"] for r in results) == pytest.approx(4 * smallest)
    for r in results:
        low, high = r["ci_adjusted"]
        if r["p_value_adjusted"] > 0.999999:
            assert low is high is None  # unbounded: null in JSON
        else:
            assert low <= r["ci"][0]
            assert high >= r["ci"][1]


def test_cuped_sequential_and_a_prior_are_read_from_the_file(capsys, write):
    variants = [
        {"name": "control", "weight": 0.5, "n": 5000, "sum": 51000.0, "sum_squares": 1020000.0,
         "covariate_sum": 50000.0, "covariate_sum_squares": 980000.0,
         "sum_covariate_products": 970000.0},
        {"name": "B", "weight": 0.5, "n": 5000, "sum": 53000.0, "sum_squares": 1100000.0,
         "covariate_sum": 50100.0, "covariate_sum_squares": 985000.0,
         "sum_covariate_products": 1010000.0},
    ]  # fmt: skip
    plain_variants = [
        {k: v for k, v in entry.items() if not k.startswith(("covariate", "sum_cov"))}
        for entry in variants
    ]
    cuped = run_json(capsys, write(changed(variants=variants)))["results"][0]
    plain = run_json(capsys, write(changed(variants=plain_variants)))["results"][0]
    assert cuped["se"] < plain["se"]
    sequential = run_json(capsys, write(changed(variants=variants, sequential=True)))
    assert sequential["results"][0]["ci"][0] < cuped["ci"][0]
    tighter = run_json(
        capsys, write(changed(engine="bayesian", prior={"mean": 0, "variance": 0.0001}))
    )
    flat = run_json(capsys, write(changed(engine="bayesian")))
    assert tighter["results"][0]["effect"] < flat["results"][0]["effect"]


def test_a_zero_control_mean_is_explained_not_nan(capsys, write):
    data = changed(metric_type="proportion")
    data["variants"] = [
        {"name": "control", "weight": 0.5, "n": 1000, "sum": 0},
        {"name": "B", "weight": 0.5, "n": 1000, "sum": 12},
    ]
    result = run_json(capsys, write(data))["results"][0]
    assert result["error"] == "zero_control_mean"
    assert (result["effect"], result["ci"], result["p_value"]) == (0.0, [0.0, 0.0], 1.0)


def variant_field(index, **values) -> dict:
    data = copy.deepcopy(EXAMPLE)
    data["variants"][index].update(values)
    for key, value in values.items():
        if value is None:
            del data["variants"][index][key]
    return data


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (variant_field(1, n=0), "variants[1].n: must be at least 1"),
        (variant_field(1, n=-3), "variants[1].n: must be at least 1"),
        (variant_field(1, n=12.5), "variants[1].n: must be a whole number"),
        (variant_field(0, sum="1396"), "variants[0].sum: must be a number, not \"1396\""),
        (variant_field(0, sum=True), "variants[0].sum: must be a number"),
        (variant_field(1, sum_squares=None), "variants[1].sum_squares: required for a mean"),
        (variant_field(1, sum_squares=100.0), "variants[1].sum_squares: is smaller than sum^2"),
        (variant_field(1, weight=0.4), "variants: the weights must sum to 1 (they sum to 0.9)"),
        (variant_field(1, name=None), "variants[1].name: required"),
        (variant_field(1, name="control"), "variants[1].name: 'control' is used twice"),
        (variant_field(1, colour="red"), "variants[1].colour: unknown field\n"),
        (changed(engine="bayes"), "engine: must be one of frequentist, bayesian"),
        (changed(metric_type="median"), "metric_type: must be one of mean, proportion, ratio"),
        (changed(alpha=1.5), "alpha: must be between 0 and 1"),
        (changed(alpha="0.05"), "alpha: must be a number"),
        (changed(variants=[]), "variants: at least 2 are needed"),
        (changed(variants="B"), "variants: required, a list of objects"),
        (changed(extra=1), "extra: unknown field"),
        (changed(prior={"mean": 0, "variance": 1}), "prior: only with the bayesian engine"),
        (changed(engine="bayesian", prior={"mean": 0, "variance": 0}),
         "prior.variance: must be greater than 0"),
        (changed(sequential_tuning=5000), "sequential_tuning: only with \"sequential\": true"),
        (changed(sequential="yes"), "sequential: must be true or false"),
        (changed(sequential=True, sequential_tuning=0),
         "sequential_tuning: must be greater than 0"),
        (changed(metrics=[{"name": "x"}]), "variants[0].sum: unknown field (with metrics, sums go"),
        (changed(engine="bayesian", correction="holm-bonferroni"),
         "correction: only with the frequentist engine"),
        (changed(metrics=[]), "variants[0].sum: unknown field"),
    ],
)  # fmt: skip
def test_a_bad_file_exits_1_with_one_line_naming_the_field(capsys, write, data, message):
    path = write(data)
    code = main(["experiment", "analyze", path, "--json"])
    out = capsys.readouterr()
    assert code == 1
    assert out.out == ""
    assert len(out.err.strip().splitlines()) == 1
    assert out.err.startswith(f"pilothouse: error: {path}: {message}")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "not valid JSON: Expecting property name"),
        ('{"alpha": NaN}', "not valid JSON: NaN is not a number JSON allows"),
        ("[1, 2]", "expected a JSON object"),
        ("", "not valid JSON: Expecting value"),
    ],
)
def test_unreadable_json_is_one_line(capsys, write, text, message):
    path = write(text)
    code = main(["experiment", "analyze", path])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith(f"pilothouse: error: {path}: {message}")
    assert len(err.strip().splitlines()) == 1


def test_a_missing_file_is_one_line(capsys, tmp_path):
    path = tmp_path / "nope.json"
    code = main(["experiment", "analyze", str(path)])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith(f"pilothouse: error: {path}: cannot read the file")
    assert len(err.strip().splitlines()) == 1


def test_the_command_loads_no_django(write):
    # A fresh interpreter: the test session itself has Django loaded by pytest-django.
    code = (
        "import sys\n"
        "from pilothouse.cli import main\n"
        f"code = main(['experiment', 'analyze', {write(EXAMPLE)!r}, '--json'])\n"
        "loaded = [name for name in sys.modules if name.split('.')[0] == 'django']\n"
        "print(code, len(loaded), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stderr.split() == ["0", "0"]
    assert json.loads(done.stdout)["results"][0]["variant"] == "B"
