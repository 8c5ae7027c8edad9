"""Fixtures of the experiments' tests: the API clients and world of tests/api, and
experiments on the web world's two products (one looked after by `pm`, one not), and one
whose statistics come from queries over per-user rows."""

from dataclasses import dataclass

import pytest

from pilothouse.experiments.models import Experiment
from tests.api.conftest import admin_api, anonymous_api, api_as  # noqa: F401
from tests.experiments import builders, per_user


@dataclass
class Experiments:
    mine: Experiment  # running, on the product `pm` looks after, testing its feature
    theirs: Experiment  # running, on the other product
    draft: Experiment  # a designed draft on `pm`'s product


@pytest.fixture
def experiments(web_world) -> Experiments:
    draft = builders.experiment(web_world.mine.product, name="Draft test")
    builders.variants(draft)
    builders.measure(draft, builders.metric(name="Draft metric"), role="primary")
    return Experiments(
        mine=builders.running_experiment(
            web_world.mine.product, feature=web_world.mine.feature, name="Mine test"
        ),
        theirs=builders.running_experiment(web_world.theirs.product, name="Their test"),
        draft=draft,
    )


@pytest.fixture
def query_world(web_world, tmp_path) -> per_user.QueryWorld:
    """A running experiment on `pm`'s product whose mean and proportion metrics have
    DuckDB queries over a CSV file of per-user rows (tests/experiments/per_user.py)."""
    return per_user.build(web_world.mine.product, tmp_path)
