"""The sample ratio mismatch check against scipy's chi-square goodness-of-fit test."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from pilothouse.engines.experiments import (
    SRM_THRESHOLD,
    ExperimentInputError,
    srm_check,
    srm_p_values,
)
from pilothouse.engines.experiments.srm import check_weights


@st.composite
def splits(draw):
    k = draw(st.integers(2, 5))
    raw = draw(st.lists(st.integers(1, 100), min_size=k, max_size=k))
    weights = [w / sum(raw) for w in raw]
    units = draw(st.lists(st.integers(1, 2_000_000), min_size=k, max_size=k))
    return units, weights


@settings(max_examples=200, deadline=None)
@given(split=splits())
def test_matches_scipy_chisquare(split):
    units, weights = split
    expected = np.array(weights) * sum(units)
    reference = stats.chisquare(units, f_exp=expected).pvalue
    assert srm_p_values(units, weights) == pytest.approx(reference, rel=1e-9, abs=1e-300)


def test_a_batch_gives_each_experiment_its_own_p_value():
    rng = np.random.default_rng(7)
    units = rng.integers(900, 1100, size=(50, 3))
    weights = np.array([0.5, 0.25, 0.25])
    batch = srm_p_values(units, weights)
    assert batch.shape == (50,)
    for row, p in zip(units, batch, strict=True):
        assert p == pytest.approx(stats.chisquare(row, f_exp=weights * row.sum()).pvalue)


def test_a_broken_split_is_flagged_and_a_fair_one_is_not():
    # 50/50 planned; 10,000 vs 10,600 is a 4.2 sd imbalance (chi-square 17.5, p 3e-5).
    broken = srm_check([10_000, 10_600], [0.5, 0.5])
    assert broken.p_value < SRM_THRESHOLD
    assert broken.flagged
    assert broken.expected == (10_300.0, 10_300.0)
    fair = srm_check([10_000, 10_150], [0.5, 0.5])
    assert fair.p_value > 0.2
    assert not fair.flagged
    assert fair.to_dict()["flagged"] is False


def test_the_threshold_is_one_in_a_thousand():
    assert SRM_THRESHOLD == 0.001


def test_no_units_at_all_is_no_evidence_of_a_mismatch():
    assert srm_p_values([0, 0], [0.5, 0.5]) == 1.0


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ([0.5, 0.4], "the weights must sum to 1 (they sum to 0.9)"),
        ([0.5, 0.5, 0.1], "the weights must sum to 1 (they sum to 1.1)"),
        ([1.0, 0.0], "each weight must be greater than 0 and at most 1"),
        ([1.5, -0.5], "each weight must be greater than 0 and at most 1"),
        ([1.0], "at least 2 weights are needed"),
    ],
)
def test_weights_must_be_a_split(weights, message):
    with pytest.raises(ExperimentInputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        check_weights(weights)


def test_weights_off_by_rounding_only_are_a_split():
    check_weights([0.3333333, 0.3333333, 0.3333334])
    check_weights([0.5, 0.5000009])
