"""The demo's planning layer: the board, tags, dependencies without cycles, milestones,
launch dates that no release precedes, and past snapshots with a story to tell."""

from __future__ import annotations

from collections import Counter

from pilothouse.delivery import selectors, workdays
from pilothouse.delivery.models import CapacityPeriod
from pilothouse.engines.roadmap.dependencies import topological_order
from pilothouse.roadmap import snapshots
from pilothouse.roadmap.models import (
    Dependency,
    Feature,
    FeatureStage,
    Milestone,
    Release,
    RoadmapSnapshot,
    SnapshotKind,
)
from tests.demo.conftest import TODAY


def test_every_board_column_has_cards_in_a_fitting_stage(small_demo):
    columns = Counter(Feature.objects.exclude(horizon="").values_list("horizon", flat=True))
    assert set(columns) == {"now", "next", "later"}
    assert not Feature.objects.filter(
        stage__in=[FeatureStage.RELEASED, FeatureStage.MEASURED, FeatureStage.REJECTED]
    ).exclude(horizon="")
    assert (
        Feature.objects.filter(stage=FeatureStage.IN_PROGRESS).exclude(horizon="now").count() == 0
    )


def test_tags_kano_and_milestones_are_there(small_demo):
    assert small_demo.feature_tags == 10
    assert Feature.tags.through.objects.count() > 0
    assert Feature.objects.exclude(kano="").count() > 0
    assert Milestone.objects.count() == small_demo.milestones == 6
    assert Milestone.objects.filter(products__isnull=False).exists()


def test_dependencies_form_no_cycle_and_some_are_flagged(small_demo):
    edges = list(Dependency.objects.values_list("blocker_id", "blocked_id"))
    assert len(edges) == small_demo.dependencies > 0
    topological_order(nodes=[], edges=edges)  # raises on a cycle
    products = dict(Feature.objects.values_list("pk", "product_id"))
    assert all(products[a] == products[b] for a, b in edges)


def test_no_release_is_due_before_its_product_launches(small_demo):
    for release in Release.objects.select_related("product").exclude(target_date=None):
        launch = release.product.launch_date
        assert launch is None or release.target_date >= launch, release


def test_the_past_monthly_snapshots_differ_from_today(small_demo):
    past = list(RoadmapSnapshot.objects.filter(kind=SnapshotKind.MONTHLY).order_by("taken_at"))
    assert [snap.month for snap in past] == ["2026-03", "2026-04"]
    older = snapshots.snapshot_diff(before=past[0], after=None)
    newer = snapshots.snapshot_diff(before=past[1], after=None)
    assert older.added
    assert older.moved
    assert older.slipped
    assert len(newer.changed_ids) < len(older.changed_ids)


def test_every_quarter_of_the_planning_year_carries_demand(small_demo):
    """Releases are pencilled in to the end of the planning year, so the teams' later
    quarters are not empty of work (they were, when only the next few releases existed)."""
    periods = list(CapacityPeriod.objects.filter(granularity=workdays.QUARTER))
    figures = selectors.period_figures(periods=periods, today=TODAY)
    demand_by_quarter: dict = {}
    for period in periods:
        demand_by_quarter.setdefault(period.start, []).append(figures[period.pk].demand.low)
    assert len(demand_by_quarter) == 4
    for start, demands in sorted(demand_by_quarter.items()):
        loaded = [d for d in demands if d > 0]
        assert len(loaded) >= len(demands) / 2, (start, demands)
