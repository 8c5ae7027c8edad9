"""What the small demo organization contains, and that it keeps to the models' rules."""

import random
from collections import Counter

from pilothouse.core.models import User
from pilothouse.core.roles import Role
from pilothouse.demo.clock import quarter_of
from pilothouse.people.models import Level, OpenRole, Person, RoleGap
from pilothouse.portfolio.models import (
    LifecycleStage,
    Product,
    ProductArea,
    ProductKind,
    ProductLine,
)
from pilothouse.roadmap.models import Feature, FeatureStage, Release, ReleaseStatus
from pilothouse.strategy.models import (
    Direction,
    Initiative,
    KeyResult,
    Objective,
    ObjectiveScope,
)
from tests.demo.conftest import TODAY

LADDER = {level: rank for rank, level in enumerate(Level.values)}


def test_every_lifecycle_stage_and_kind_is_present(small_demo):
    products = list(Product.objects.all())
    assert {p.stage for p in products} == set(LifecycleStage.values)
    assert {p.kind for p in products} == set(ProductKind.values)
    assert len({p.key for p in products}) == len(products)


def test_arr_fits_the_stage(small_demo):
    for product in Product.objects.all():
        earns = product.kind == ProductKind.REVENUE and product.stage not in {
            LifecycleStage.DISCOVERY,
            LifecycleStage.BUILD,
            LifecycleStage.RETIRED,
        }
        assert (product.arr > 0) == earns, product.key
    growth = Product.objects.filter(stage="growth", kind="revenue")
    launch = Product.objects.filter(stage="launch", kind="revenue")
    assert min(p.arr for p in growth) > max(p.arr for p in launch)


def test_every_feature_stage_and_release_status_is_present(small_demo):
    assert set(Feature.objects.values_list("stage", flat=True)) == set(FeatureStage.values)
    assert set(Release.objects.values_list("status", flat=True)) == set(ReleaseStatus.values)


def test_management_tree_has_one_root_and_no_cycles(small_demo):
    people = {p.pk: p for p in Person.objects.all()}
    roots = [p for p in people.values() if p.manager_id is None]
    assert len(roots) == 1
    assert roots[0].level_id == Level.CPO
    for person in people.values():
        seen = set()
        current = person
        while current.manager_id is not None:
            assert current.pk not in seen, f"cycle through {person}"
            seen.add(current.pk)
            manager = people[current.manager_id]
            if current.level_id:  # a manager is higher on the ladder than their PMs
                assert LADDER[manager.level_id] > LADDER[current.level_id], person
            current = manager
        assert current == roots[0]
    assert set(Level.values) <= {p.level_id for p in people.values()}


def test_logins_and_roles(small_demo):
    for person in Person.objects.select_related("user"):
        assert person.user is not None, person
        assert person.email == person.user.email
        if person.level_id in {Level.CPO, Level.VP, Level.DIRECTOR}:
            assert person.user.role == Role.PRODUCT_LEADER
        elif person.level_id:
            assert person.user.role == Role.PRODUCT_MANAGER
        else:
            assert person.user.role == Role.CONTRIBUTOR
    viewers = User.objects.filter(role=Role.VIEWER)
    assert viewers.exists()
    assert not viewers.filter(person__isnull=False).exists()
    # Nobody but the demo user can log in.
    usable = [u.username for u in User.objects.all() if u.has_usable_password()]
    assert usable == ["demo"]


def test_owners_everywhere(small_demo):
    product_managers = set(
        User.objects.filter(role__in=[Role.PRODUCT_MANAGER, Role.PRODUCT_LEADER]).values_list(
            "pk", flat=True
        )
    )
    for line in ProductLine.objects.all():
        assert line.owner_id in product_managers
    # One discovery product has lost its owner: the gap an open role closes.
    unowned = set(OpenRole.objects.filter(gap=RoleGap.NO_OWNER).values_list("product", flat=True))
    assert len(unowned) == 1
    assert Product.objects.get(pk=unowned.pop()).owner is None
    for product in Product.objects.exclude(owner=None):
        assert product.owner_id in product_managers, product.key
    for product in Product.objects.all():
        assert product.features.exists(), product.key
        assert product.areas.exists(), product.key
    assert not ProductArea.objects.filter(owner=None).exists()
    assert not Objective.objects.filter(owner=None).exists()
    assert not Feature.objects.filter(owner=None).exists()
    assert not Feature.objects.exclude(owner_id__in=product_managers).exists()


def test_objectives_cascade_over_two_quarters(small_demo):
    current, following = quarter_of(TODAY), quarter_of(TODAY, 1)
    objectives = list(Objective.objects.select_related("parent", "product"))
    assert {o.period for o in objectives} == {current.label, following.label}
    for objective in objectives:
        if objective.scope == ObjectiveScope.COMPANY:
            assert objective.parent is None
            continue
        assert objective.parent.period == objective.period
        if objective.scope == ObjectiveScope.PRODUCT_LINE:
            assert objective.parent.scope == ObjectiveScope.COMPANY
        else:
            assert objective.parent.scope == ObjectiveScope.PRODUCT_LINE
            assert objective.parent.product_line_id == objective.product.product_line_id
    scopes = Counter((o.period, o.scope) for o in objectives)
    assert all(scopes[(q.label, s)] > 0 for q in (current, following) for s in ObjectiveScope)


def test_key_results_are_varied(small_demo):
    per_objective = Counter(KeyResult.objects.values_list("objective_id", flat=True))
    assert set(per_objective.values()) <= {2, 3, 4}
    assert len(per_objective) == Objective.objects.count()
    results = list(KeyResult.objects.select_related("objective"))
    assert any(kr.direction == Direction.DECREASE for kr in results)
    current = [kr for kr in results if kr.objective.period == quarter_of(TODAY).label]
    progress = [kr.progress for kr in current]
    assert min(progress) == 0
    assert max(progress) == 1
    assert len({round(p, 2) for p in progress}) > 10


def test_initiatives_serve_objectives(small_demo):
    for initiative in Initiative.objects.prefetch_related("objectives"):
        assert initiative.objectives.exists(), initiative
    assert Feature.objects.exclude(initiative=None).exists()
    assert Feature.objects.filter(objectives__isnull=False).exists()


def test_roadmap_dates_are_consistent(small_demo):
    features = Feature.objects.select_related("target_release", "area")
    for f in features:
        release = f.target_release
        assert f.area is None or f.area.product_id == f.product_id
        assert release is None or release.product_id == f.product_id
        if f.effort_low is not None:
            assert f.effort_low <= f.effort_high
        if f.stage in {FeatureStage.RELEASED, FeatureStage.MEASURED}:
            assert release.status == ReleaseStatus.RELEASED, f
            assert f.started_on <= f.completed_on <= release.target_date < TODAY, f
        elif f.stage == FeatureStage.IN_PROGRESS:
            assert f.started_on < TODAY, f
            assert f.completed_on is None, f
            assert release is None or release.target_date > TODAY
        else:
            assert f.started_on is None, f
            assert f.completed_on is None, f
            # Candidates may be pencilled in to a release later in the planning year.
            assert release is None or (
                f.stage in {FeatureStage.PLANNED, FeatureStage.CANDIDATE}
                and release.target_date > TODAY
            ), f
        assert f.created_at <= f.updated_at
        assert f.updated_at.date() < TODAY
    for release in Release.objects.all():
        if release.status == ReleaseStatus.RELEASED:
            assert release.target_date < TODAY
        else:
            assert release.target_date > TODAY


def test_descriptions_are_markdown(small_demo):
    described = Feature.objects.exclude(stage=FeatureStage.IDEA)
    assert not described.filter(description="").exists()
    assert all("### Problem" in d for d in described.values_list("description", flat=True))
    titles = Counter(Feature.objects.values_list("product_id", "title"))
    assert max(titles.values()) == 1  # titles are unique within a product


def test_full_clean_passes_on_a_sample_of_every_model(small_demo):
    rng = random.Random(1)
    for model in (
        User,
        Person,
        ProductLine,
        Product,
        ProductArea,
        Objective,
        KeyResult,
        Initiative,
        Release,
        Feature,
    ):
        rows = list(model.objects.all())
        assert rows, model
        for row in rng.sample(rows, min(len(rows), 25)):
            row.full_clean()
