"""PILOTHOUSE_CURRENCY: the reporting currency of team cost (config/env.py)."""

from __future__ import annotations

import pytest

from pilothouse.config import env
from pilothouse.config.env import ConfigError


def test_absent_or_empty_means_usd(tmp_path):
    assert env.load({}, cwd=tmp_path).currency == "USD"
    assert env.load({"PILOTHOUSE_CURRENCY": "  "}, cwd=tmp_path).currency == "USD"


def test_a_code_in_any_case_is_read_upper_case(tmp_path):
    assert env.load({"PILOTHOUSE_CURRENCY": " eur "}, cwd=tmp_path).currency == "EUR"


@pytest.mark.parametrize("raw", ["euro", "US", "€", "U5D", "USD,EUR", "ABC", "XYZ"])
def test_anything_but_an_iso_4217_code_is_a_config_error_naming_the_variable(tmp_path, raw):
    with pytest.raises(ConfigError, match=r"^PILOTHOUSE_CURRENCY: .* is not a currency code"):
        env.load({"PILOTHOUSE_CURRENCY": raw}, cwd=tmp_path)
