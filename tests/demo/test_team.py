"""The demo's product team: HR details, the ladder, private growth records, allocations
and the hiring plan; each kept to the models' rules."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter, defaultdict
from statistics import mean

from django.db.models import F

from pilothouse.core import permissions
from pilothouse.core.currencies import CURRENCIES
from pilothouse.core.models import User
from pilothouse.core.roles import Role
from pilothouse.delivery.models import Allocation, TeamMember
from pilothouse.demo.growth import last_halves
from pilothouse.demo.team_plan import year_quarters
from pilothouse.people.models import (
    ActionItem,
    Assessment,
    AssessmentRating,
    CareerLevel,
    CheckIn,
    Competency,
    EmploymentType,
    GoalStatus,
    GrowthGoal,
    GrowthPlan,
    Level,
    OneOnOne,
    OpenRole,
    OpenRoleStatus,
    Person,
    PlanStatus,
    Rating,
    RoleGap,
)
from pilothouse.portfolio.models import Product, ProductArea
from pilothouse.roadmap.models import Feature
from tests.demo.conftest import TODAY

MAX_SPAN = 12  # direct reports of any manager in the demo


def spans() -> Counter:
    return Counter(Person.objects.exclude(manager=None).values_list("manager_id", flat=True))


def test_spans_of_control_are_within_sane_bounds(small_demo):
    reports = spans()
    levels = dict(Person.objects.values_list("pk", "level"))
    assert reports, "nobody reports to anybody"
    assert max(reports.values()) <= MAX_SPAN
    # Managers are the people on the manager track; nobody below them has reports.
    managers = {Level.CPO, Level.VP, Level.DIRECTOR, Level.GROUP_PM}
    assert {levels[pk] for pk in reports} == managers
    for pk, count in reports.items():
        if levels[pk] in (Level.DIRECTOR, Level.GROUP_PM):
            assert count >= 2, (levels[pk], count)


def test_everyone_on_the_pm_ladder_has_a_level_it_holds(small_demo):
    keys = set(CareerLevel.objects.values_list("key", flat=True))
    assert set(Level.values) <= keys
    product_roles = {Role.PRODUCT_MANAGER, Role.PRODUCT_LEADER}
    for person in Person.objects.select_related("user"):
        if person.user.role in product_roles:
            assert person.level_id in keys, person
        else:  # designers, researchers, analysts: the PM ladder is not theirs
            assert person.user.role == Role.CONTRIBUTOR
            assert person.level_id is None, person
    assert Person.objects.filter(level__isnull=False).count() > 25


def test_hr_details_are_filled_in_and_plausible(small_demo):
    people = list(Person.objects.all())
    for person in people:
        assert person.location, person
        assert person.start_date is not None, person
        assert person.cost_currency in CURRENCIES, person
        assert person.cost_per_year > 0, person
        if person.employment_type == EmploymentType.FULL_TIME:
            assert person.fte == 1
    assert {p.employment_type for p in people} == set(EmploymentType.values)
    assert any(p.fte < 1 for p in people if p.employment_type == EmploymentType.PART_TIME)
    assert len({p.cost_currency for p in people}) >= 3
    assert len({p.location for p in people}) >= 4
    # In any one currency, a director costs more than an associate PM.
    costs = defaultdict(list)
    for p in people:
        if p.employment_type == EmploymentType.FULL_TIME and p.level_id:
            costs[(p.cost_currency, p.level_id)].append(p.cost_per_year)
    compared = 0
    for currency in {currency for currency, _level in costs}:
        directors = costs.get((currency, Level.DIRECTOR), [])
        associates = costs.get((currency, Level.ASSOCIATE_PM), [])
        if directors and associates:
            assert min(directors) > max(associates), currency
            compared += 1
    assert compared >= 1


def test_a_couple_of_people_are_private_one_not_started_yet(small_demo):
    private = list(Person.objects.filter(private=True))
    assert len(private) >= 2
    assert any(p.start_date > TODAY for p in private)  # an unannounced hire
    owners = set(Product.objects.exclude(owner=None).values_list("owner", flat=True))
    for person in private:
        assert person.level_id in (Level.PM, Level.ASSOCIATE_PM)
        assert not person.reports.exists()
        assert person.user_id not in owners
    hire = next(p for p in private if p.start_date > TODAY)
    # Not assessed, no one-to-ones before their first day; allocated from it on.
    assert not hire.assessments.exists()
    assert not hire.one_on_ones.exists()
    assert min(a.start for a in hire.allocations.all()) == hire.start_date
    # Nothing public names them: their product's lead owns what the roadmap gave them.
    for model in (Feature, ProductArea):
        for name in ("owner", "created_by", "updated_by"):
            assert not model.objects.filter(**{name: hire.user}).exists(), (model, name)
    assert hire.created_at.date() > TODAY - dt.timedelta(days=30)


def test_assessments_rate_every_competency_with_evidence(small_demo):
    competencies = Competency.objects.count()
    halves = {half.label for half in last_halves(TODAY)}
    assessments = list(Assessment.objects.select_related("person", "assessor"))
    assert assessments
    for assessment in assessments:
        assert assessment.period in halves
        assert assessment.assessor_id == assessment.person.manager_id
        assert assessment.assessed_on < TODAY
        assert assessment.summary
    per_assessment = Counter(AssessmentRating.objects.values_list("assessment", flat=True))
    assert set(per_assessment.values()) == {competencies}
    assert len(per_assessment) == len(assessments)
    assert not AssessmentRating.objects.filter(evidence="").exists()
    assert set(AssessmentRating.objects.values_list("rating", flat=True)) == set(Rating.values)
    # Most PMs are assessed for the last half-year.
    latest = max(halves)
    on_ladder = Person.objects.exclude(level=None).exclude(manager=None)
    on_ladder = on_ladder.filter(start_date__lte=TODAY - dt.timedelta(days=365))
    assessed = set(Assessment.objects.filter(period=latest).values_list("person", flat=True))
    assert len(assessed & set(on_ladder.values_list("pk", flat=True))) >= 0.75 * on_ladder.count()
    # Some are assessed against the next level too (promotion readiness).
    assert Assessment.objects.exclude(level__key=F("person__level")).exists()


def test_ratings_follow_the_level(small_demo):
    def average(level: str, competency: str) -> float:
        ratings = AssessmentRating.objects.filter(
            assessment__level__key=level, competency__key=competency
        ).values_list("rating", flat=True)
        return mean(ratings)

    juniors = (Level.ASSOCIATE_PM, Level.PM)
    leaders = (Level.GROUP_PM, Level.DIRECTOR)
    assert mean(average(lvl, "leadership") for lvl in juniors) < mean(
        average(lvl, "leadership") for lvl in leaders
    )
    assert mean(average(lvl, "delivery") for lvl in juniors) > mean(
        average(lvl, "strategy") for lvl in juniors
    )


def test_growth_plans_goals_and_check_ins(small_demo):
    plans = list(GrowthPlan.objects.all())
    assessed = Assessment.objects.values("person").distinct().count()
    people = {plan.person_id for plan in plans if plan.status == PlanStatus.ACTIVE}
    assert 0.3 * assessed <= len(people) <= 0.7 * assessed
    assert {plan.status for plan in plans} == set(PlanStatus.values)
    assert set(GrowthGoal.objects.values_list("status", flat=True)) == set(GoalStatus.values)
    for plan in plans:
        assert plan.goals.exists(), plan
        assert plan.start <= plan.end
        for check_in in plan.check_ins.all():
            assert plan.start < check_in.held_on < TODAY
    assert CheckIn.objects.count() > len(plans)


def test_one_to_ones_are_recent_with_the_manager_and_have_actions(small_demo):
    meetings = list(OneOnOne.objects.select_related("person"))
    assert meetings
    for meeting in meetings:
        assert meeting.with_person_id == meeting.person.manager_id
        assert TODAY - dt.timedelta(days=100) < meeting.held_on < TODAY
        assert meeting.held_on.weekday() < 5
        assert meeting.notes.startswith("- ")
    assert ActionItem.objects.filter(done=True).exists()
    assert ActionItem.objects.filter(done=False).exists()
    assert not ActionItem.objects.filter(done=True, due__gte=TODAY).exists()


def test_the_demo_users_reports_have_private_records(small_demo):
    demo_user = User.objects.get(username="demo")
    reports = list(demo_user.person.reports.all())
    assert reports
    for person in reports:
        assert person.assessments.exists(), person
        assert person.one_on_ones.filter(with_person=demo_user.person).exists(), person
    assert GrowthPlan.objects.filter(person__in=reports).exists()


def test_a_group_pm_sees_their_reports_records_and_no_others(small_demo):
    """The demo shows the privacy rule at work: a product manager with reports."""
    group_pm = Person.objects.filter(level=Level.GROUP_PM, reports__assessments__isnull=False)
    manager = group_pm.select_related("user").first()
    assert manager.user.role == Role.PRODUCT_MANAGER
    own = Assessment.objects.filter(person__manager=manager)
    others = Assessment.objects.exclude(person__manager=manager).exclude(person=manager)
    assert own.exists()
    assert others.exists()
    assert all(permissions.can_view_private(manager.user, record) for record in own)
    outside = [r for r in others if manager.user.pk not in r.private_viewer_ids()]
    assert outside
    assert not any(permissions.can_view_private(manager.user, record) for record in outside)


def test_allocations_per_quarter_with_an_over_allocation(small_demo):
    quarters = year_quarters(TODAY)
    rows = list(Allocation.objects.select_related("person"))
    assert rows
    for row in rows:
        assert 1 <= row.percent <= 100
        assert (row.product_id is None) != (row.team_id is None)
        assert any(q.start <= row.start <= row.end == q.end for q in quarters), row
        assert row.start >= row.person.start_date
    assert {row.end for row in rows} == {q.end for q in quarters}
    today = defaultdict(int)
    for row in rows:
        if row.start <= TODAY <= row.end:
            today[row.person_id] += row.percent
    assert any(total > 100 for total in today.values())
    assert sum(1 for total in today.values() if total == 100) > len(today) / 2
    # Members of delivery teams are allocated to them at their membership's share.
    team_rows = {(r.person_id, r.team_id): r.percent for r in rows if r.team_id}
    assert team_rows
    shares = {
        (pk, team): share
        for pk, team, share in TeamMember.objects.values_list("person", "team", "allocation")
    }
    assert all(shares[key] == percent for key, percent in team_rows.items())
    # Leaders carry no allocation.
    leaders = Person.objects.filter(level__in=[Level.CPO, Level.VP, Level.DIRECTOR])
    assert not Allocation.objects.filter(person__in=leaders).exists()


def test_open_roles_in_every_status_linked_to_gaps(small_demo):
    roles = list(OpenRole.objects.select_related("product", "filled_by"))
    assert {role.status for role in roles} == set(OpenRoleStatus.values)
    gaps = {role.gap for role in roles}
    assert {RoleGap.NO_OWNER, RoleGap.BACKFILL, RoleGap.LEADERSHIP, RoleGap.GROWTH} <= gaps
    unowned = Product.objects.filter(owner=None)
    assert unowned.count() == 1
    assert OpenRole.objects.filter(gap=RoleGap.NO_OWNER, product=unowned.get()).exists()
    filled = [role for role in roles if role.status == OpenRoleStatus.FILLED]
    assert all(role.filled_by and not role.filled_by.private for role in filled)
    for role in roles:
        assert role.budget_per_year is None or role.budget_currency in CURRENCIES
        assert role.budget_per_year is not None or role.status == OpenRoleStatus.PROPOSED
        assert role.hiring_manager is not None
    upcoming = [r.target_start for r in roles if r.status not in ("filled", "cancelled")]
    assert min(upcoming) > TODAY
    assert len({(d.year, (d.month - 1) // 3) for d in upcoming}) >= 3  # a plan by quarter


def test_full_clean_passes_on_a_sample_of_every_team_model(small_demo):
    rng = random.Random(2)
    for model in (
        Person,
        Assessment,
        AssessmentRating,
        GrowthPlan,
        GrowthGoal,
        CheckIn,
        OneOnOne,
        ActionItem,
        Allocation,
        OpenRole,
    ):
        rows = list(model.objects.all())
        assert rows, model
        for row in rng.sample(rows, min(len(rows), 25)):
            row.full_clean()


def test_the_summary_counts_the_team_records(small_demo):
    counts = small_demo.counts()
    assert counts["assessments"] == Assessment.objects.count()
    assert counts["assessment_ratings"] == AssessmentRating.objects.count()
    assert counts["growth_plans"] == GrowthPlan.objects.count()
    assert counts["growth_goals"] == GrowthGoal.objects.count()
    assert counts["check_ins"] == CheckIn.objects.count()
    assert counts["one_on_ones"] == OneOnOne.objects.count()
    assert counts["action_items"] == ActionItem.objects.count()
    assert counts["allocations"] == Allocation.objects.count()
    assert counts["open_roles"] == OpenRole.objects.count()


def test_every_cost_converts_into_the_reporting_currency(small_demo):
    from pilothouse.delivery import team_cost

    report = team_cost.team_cost(year=TODAY.year, currency="USD")
    assert report.unconverted == []
    assert report.total.cost > 0
    assert report.people > 0
