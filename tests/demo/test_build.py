"""The demo generator as a whole: determinism, the demo login, refusals, atomicity."""

import datetime as dt
from collections import Counter

import pytest
from django.db import transaction
from django.utils import timezone

from pilothouse import demo
from pilothouse.core.models import ChangeRecord, User
from pilothouse.people.models import Person
from pilothouse.portfolio.models import ProductLine
from pilothouse.roadmap.models import Feature
from tests.demo.conftest import TODAY
from tests.demo.dump import DUMPED_MODELS, canonical_dump
from tests.factories import ProductFactory


def build_and_dump(**kwargs):
    """Build into the (empty) test database, dump it, and roll back to empty again."""
    with transaction.atomic():
        summary = demo.build(scale="small", **kwargs)
        dump = canonical_dump()
        transaction.set_rollback(True)
    assert not User.objects.exists()
    return summary, dump


def row_counts():
    return {model._meta.label: model.objects.count() for model in (*DUMPED_MODELS, ChangeRecord)}


@pytest.mark.django_db
def test_same_seed_and_today_give_identical_data():
    first_summary, first = build_and_dump(seed=7, today=TODAY)
    second_summary, second = build_and_dump(seed=7, today=TODAY)
    assert len(first["roadmap.Feature"]) == 400
    assert first == second
    assert first_summary.counts() == second_summary.counts()
    # Only the password is random.
    assert first_summary.demo_password != second_summary.demo_password


@pytest.mark.django_db
def test_another_seed_or_today_gives_other_data():
    _, base = build_and_dump(seed=7, today=TODAY)
    _, other_seed = build_and_dump(seed=8, today=TODAY)
    _, other_day = build_and_dump(seed=7, today=TODAY + dt.timedelta(days=30))
    assert base != other_seed
    assert base != other_day


@pytest.mark.django_db
def test_today_defaults_to_the_sites_date():
    summary = demo.build(scale="small")
    assert summary.today == timezone.localdate()


def test_summary_counts_match_the_database(small_demo):
    counts = small_demo.counts()
    assert counts["users"] == User.objects.count()
    assert counts["features"] == Feature.objects.count() == 400
    assert counts["product_lines"] == ProductLine.objects.count() == 3
    assert counts["products"] == 10
    assert counts["people"] == 40
    assert counts["feature_objective_links"] == Feature.objectives.through.objects.count()
    assert "demo_password" not in repr(small_demo)
    assert small_demo.demo_password not in repr(small_demo)


def test_only_the_portal_scenarios_and_experiments_write_to_the_change_log(small_demo):
    # The bulk rows are generated, not edited: only the portal switches, the scenarios
    # (a hand-made one and an auto-plan's proposal) and the experiments, which go
    # through the services, are logged.
    logged = set(ChangeRecord.objects.values_list("content_type__model", flat=True))
    assert logged == {
        "portalproduct",
        "portalfeature",
        "scenario",
        "scenariochange",
        "autoplanrun",
        "experiment",
        "variant",
        "experimentmetric",
        "variantstatistics",
    }
    portal = ChangeRecord.objects.filter(content_type__model__startswith="portal")
    assert portal.count() == small_demo.portal_products + small_demo.portal_features
    assert small_demo.scenarios == 2
    assert small_demo.auto_plan_runs >= 1


def test_demo_user_logs_in_with_the_returned_password(small_demo, client):
    assert small_demo.demo_username == "demo"
    assert len(small_demo.demo_password) >= 16
    user = User.objects.get(username="demo")
    assert user.role == "product_leader"
    assert user.person.level_id == "cpo"
    assert client.login(username="demo", password=small_demo.demo_password)
    response = client.get("/api/v1/products")
    assert response.status_code == 200
    assert response.json()["count"] == 10


def test_second_build_raises_and_changes_nothing(small_demo):
    before = row_counts()
    with pytest.raises(demo.DemoAlreadyLoaded, match="already loaded"):
        demo.build(scale="small", seed=99, today=TODAY)
    assert row_counts() == before


def test_reset_demo_password(small_demo, client):
    new_password = demo.reset_demo_password()
    assert new_password != small_demo.demo_password
    assert not client.login(username="demo", password=small_demo.demo_password)
    assert client.login(username="demo", password=new_password)


@pytest.mark.django_db
def test_reset_without_a_demo_is_refused():
    with pytest.raises(demo.DemoNotLoaded):
        demo.reset_demo_password()


@pytest.mark.django_db
def test_clashing_data_is_named_and_nothing_is_written():
    ProductFactory(key="STORE")
    before = row_counts()
    with pytest.raises(demo.DemoConflict, match="product keys: STORE"):
        demo.build(scale="small", today=TODAY)
    assert row_counts() == before


@pytest.mark.django_db
def test_a_failure_midway_leaves_nothing_behind(monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("pilothouse.demo.builder.create_roadmap", broken)
    before = row_counts()
    with pytest.raises(RuntimeError, match="disk full"):
        demo.build(scale="small", today=TODAY)
    assert row_counts() == before
    # The timestamps are automatic again for everybody else.
    assert Feature._meta.get_field("updated_at").auto_now
    assert Feature._meta.get_field("created_at").auto_now_add


@pytest.mark.django_db
def test_progress_reports_every_stage_in_order():
    calls = []
    demo.build(scale="small", today=TODAY, progress=lambda *call: calls.append(call))
    stages = list(dict.fromkeys(stage for stage, _, _ in calls))
    assert stages == list(demo.STAGES)
    for stage in demo.STAGES:
        reports = [(done, total) for name, done, total in calls if name == stage]
        assert all(0 <= done <= total for done, total in reports)
        assert reports[-1][0] == reports[-1][1]


@pytest.mark.django_db
def test_unknown_scale_is_refused():
    with pytest.raises(ValueError, match="scale: unknown scale 'huge'"):
        demo.build(scale="huge")
    assert not User.objects.exists()


@pytest.mark.django_db
def test_large_scale_builds():
    summary = demo.build(scale="large", today=TODAY)
    assert summary.features == Feature.objects.count() == 20_000
    assert 30 <= summary.products <= 36
    assert summary.people == 400
    assert summary.releases > 300
    # The product team at scale: sane spans of control, private records and allocations.
    reports = Counter(Person.objects.exclude(manager=None).values_list("manager_id", flat=True))
    assert 3 <= max(reports.values()) <= 12
    group_pms = Person.objects.filter(level="group_pm").values_list("pk", flat=True)
    assert min(reports[pk] for pk in group_pms) >= 3
    assert summary.assessments > 400
    assert summary.allocations > 1000
    assert summary.open_roles >= 15
    assert Person.objects.filter(private=True).count() == 4
