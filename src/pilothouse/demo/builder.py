"""Building the demo organization, and the demo login's password."""

from __future__ import annotations

import datetime as dt
import random
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field

from django.db import connection, models, transaction
from django.utils import timezone

from pilothouse.core.accounts import user_set_password
from pilothouse.core.models import User
from pilothouse.customers.models import Contact, Customer, Note, NoteLink, Segment, Tag
from pilothouse.demo.clock import Clock, historic_timestamps
from pilothouse.demo.customers import SEGMENT_NAMES, create_customer_voice, external_ids
from pilothouse.demo.delivery import create_delivery
from pilothouse.demo.experiments import create_experiments
from pilothouse.demo.feedback_phrases import TAGS
from pilothouse.demo.growth import create_growth
from pilothouse.demo.metrics import create_metrics
from pilothouse.demo.people import DEMO_USERNAME, plan_org, save_org
from pilothouse.demo.people_details import describe_people
from pilothouse.demo.planning import create_planning
from pilothouse.demo.portal import create_portal
from pilothouse.demo.portfolio import create_portfolio
from pilothouse.demo.prioritization import create_prioritization
from pilothouse.demo.private_people import keep_private
from pilothouse.demo.roadmap import create_roadmap
from pilothouse.demo.scales import SCALES
from pilothouse.demo.scenarios import create_scenarios
from pilothouse.demo.strategy import create_strategy
from pilothouse.demo.team_plan import create_team_plan
from pilothouse.demo.vocabulary import COMPANY, product_specs
from pilothouse.people.models import CareerLevel, Level, Person
from pilothouse.portfolio.models import Product, ProductArea, ProductLine
from pilothouse.roadmap.models import Feature, Release
from pilothouse.strategy.models import Initiative, KeyResult, Objective

Progress = Callable[[str, int, int], None]
# The stages reported to the progress callback, in order.
STAGES = (
    "people",
    "portfolio",
    "strategy",
    "releases",
    "features",
    "links",
    "customers",
    "notes",
    "demand",
    "portal",
    "planning",
    "prioritization",
    "delivery",
    "scenarios",
    "metrics",
    "experiments",
    "team",
)
GENERATED_MODELS: tuple[type[models.Model], ...] = (
    Person,
    ProductLine,
    Product,
    ProductArea,
    Objective,
    KeyResult,
    Initiative,
    Release,
    Feature,
    Customer,
    Contact,
    Segment,
    Tag,
    Note,
    NoteLink,
)
# Rows per existence check (below every database's limit on query parameters).
CHECK_CHUNK = 500


class DemoError(Exception):
    """The demo organization cannot be built or changed; the message says why."""


class DemoAlreadyLoaded(DemoError):
    """The database already holds a demo organization (the user "demo" exists)."""


class DemoNotLoaded(DemoError):
    """There is no demo organization (no user "demo") to act on."""


class DemoConflict(DemoError):
    """Existing data uses names the demo organization needs (product keys, usernames...)."""


@dataclass(frozen=True, kw_only=True)
class DemoSummary:
    """What `build` created: counts per model, and the login to try it with."""

    company: str
    scale: str
    seed: int
    today: dt.date
    users: int
    people: int
    product_lines: int
    products: int
    product_areas: int
    objectives: int
    key_results: int
    initiatives: int
    initiative_objective_links: int
    releases: int
    features: int
    feature_objective_links: int
    customers: int
    contacts: int
    segments: int
    tags: int
    notes: int
    note_links: int
    note_tag_links: int
    portal_products: int
    portal_features: int
    feature_tags: int
    dependencies: int
    milestones: int
    roadmap_snapshots: int
    scoring_models: int
    feature_scores: int
    teams: int
    team_members: int
    time_off: int
    capacity_periods: int
    feature_assignments: int
    work_items: int
    scenarios: int
    auto_plan_runs: int
    metrics: int
    metric_values: int
    metric_targets: int
    key_result_metric_links: int
    experiments: int
    assessments: int
    assessment_ratings: int
    growth_plans: int
    growth_goals: int
    check_ins: int
    one_on_ones: int
    action_items: int
    allocations: int
    open_roles: int
    demo_username: str
    demo_password: str = field(repr=False)

    def counts(self) -> dict[str, int]:
        """The number of rows created per model (and per many-to-many link)."""
        return {
            name: value
            for name, value in asdict(self).items()
            if isinstance(value, int) and name != "seed"
        }


def _new_password() -> str:
    return secrets.token_urlsafe(15)


def demo_loaded() -> bool:
    return User.objects.filter(username=DEMO_USERNAME).exists()


def _existing(model: type[models.Model], field_name: str, values: Iterable[str]) -> list[str]:
    values = sorted(set(values))
    found: list[str] = []
    for start in range(0, len(values), CHECK_CHUNK):
        chunk = values[start : start + CHECK_CHUNK]
        lookup = {f"{field_name}__in": chunk}
        found += model._default_manager.filter(**lookup).values_list(field_name, flat=True)
    return sorted(found)


def _existing_tags(names: Iterable[str]) -> list[str]:
    wanted = {name.lower() for name in names}
    return sorted(
        name for name in Tag.objects.values_list("name", flat=True) if name.lower() in wanted
    )


def _check_conflicts(
    *, users: Sequence[User], people: Sequence[Person], catalogue, customers: int
) -> None:
    """Refuse, naming them, when existing rows already use the demo's unique names."""
    clashes = {
        "product keys": _existing(Product, "key", (p.key for _, ps in catalogue for p in ps)),
        "product lines": _existing(ProductLine, "name", (line.name for line, _ in catalogue)),
        "usernames": _existing(User, "username", (u.username for u in users)),
        "people's emails": _existing(Person, "email", (p.email for p in people)),
        "customer ids": _existing(Customer, "external_id", external_ids(customers)),
        "segments": _existing(Segment, "name", SEGMENT_NAMES),
        "tags": _existing_tags(TAGS),
    }
    missing = sorted(set(Level.values) - set(CareerLevel.objects.values_list("key", flat=True)))
    if missing:
        raise DemoConflict(
            "The career ladder lacks the levels the demo organization uses "
            f"({', '.join(missing)}). Load the demo into an empty database."
        )
    found = {what: names for what, names in clashes.items() if names}
    if found:
        detail = "; ".join(
            f"{what}: {', '.join(names[:5])}{' ...' if len(names) > 5 else ''}"
            for what, names in found.items()
        )
        raise DemoConflict(
            "The database already holds data the demo organization would clash with "
            f"({detail}). Load the demo into an empty database."
        )


def build(
    *,
    scale: str = "small",
    seed: int = 42,
    progress: Progress | None = None,
    today: dt.date | None = None,
) -> DemoSummary:
    """Create the demo organization in one transaction and return what was created.

    The same `seed` and `today` give the same organization; `today` defaults to the
    site's current date. Raises DemoAlreadyLoaded if a demo organization exists, and
    DemoConflict if other data uses the demo's product keys, line names or usernames;
    either way nothing is written.
    """
    if scale not in SCALES:
        raise ValueError(f"scale: unknown scale {scale!r}; choose from: {', '.join(SCALES)}")
    plan = SCALES[scale]
    report: Progress = progress or (lambda stage, done, total: None)
    today = today or timezone.localdate()
    rng = random.Random(seed)
    clock = Clock(today=today, rng=rng)
    catalogue = product_specs(full=plan.full_catalogue)
    password = _new_password()

    with transaction.atomic():
        if demo_loaded():
            raise DemoAlreadyLoaded(
                f"A demo organization is already loaded (the user {DEMO_USERNAME!r} exists). "
                "Reset its password to log in again, or start from an empty database."
            )
        org = plan_org(scale=plan, catalogue=catalogue, clock=clock, rng=rng)
        describe_people(org=org, today=today, seed=seed)
        _check_conflicts(
            users=org.users, people=org.people, catalogue=catalogue, customers=plan.customers
        )
        org.cpo.user.set_password(password)
        with historic_timestamps(GENERATED_MODELS):
            people_total = len(org.users) + len(org.people)
            report("people", 0, people_total)
            save_org(org, batch_size=plan.batch_size)
            report("people", people_total, people_total)

            report("portfolio", 0, 1)
            portfolio = create_portfolio(org=org, scale=plan, clock=clock, rng=rng)
            report("portfolio", 1, 1)

            report("strategy", 0, 1)
            strategy = create_strategy(
                org=org, portfolio=portfolio, scale=plan, clock=clock, rng=rng
            )
            report("strategy", 1, 1)

            roadmap = create_roadmap(
                portfolio=portfolio,
                strategy=strategy,
                scale=plan,
                clock=clock,
                rng=rng,
                progress=report,
            )

            voice = create_customer_voice(
                org=org,
                portfolio=portfolio,
                roadmap=roadmap,
                scale=plan,
                clock=clock,
                rng=rng,
                progress=report,
            )

        _refresh_planner_statistics()
        # After the bulk rows, outside historic_timestamps: these go through services.
        report("portal", 0, 1)
        portal_products, portal_features = create_portal(portfolio=portfolio, roadmap=roadmap)
        report("portal", 1, 1)

        report("planning", 0, 1)
        planning = create_planning(
            portfolio=portfolio, roadmap=roadmap, clock=clock, seed=seed, batch_size=plan.batch_size
        )
        report("planning", 1, 1)

        prioritization = create_prioritization(
            clock=clock,
            seed=seed,
            batch_size=plan.batch_size,
            progress=lambda done, total: report("prioritization", done, total),
        )

        report("delivery", 0, 1)
        delivery = create_delivery(
            portfolio=portfolio,
            roadmap=roadmap,
            clock=clock,
            seed=seed,
            teams=plan.teams,
            batch_size=plan.batch_size,
        )
        report("delivery", 1, 1)

        report("scenarios", 0, 1)
        scenarios = create_scenarios(today=today)
        report("scenarios", 1, 1)

        report("metrics", 0, 1)
        measured = create_metrics(
            portfolio=portfolio, org=org, clock=clock, seed=seed, batch_size=plan.batch_size
        )
        report("metrics", 1, 1)

        report("experiments", 0, 1)
        tested = create_experiments(today=today, seed=seed)
        report("experiments", 1, 1)

        report("team", 0, 2)
        details = keep_private(org=org, portfolio=portfolio, today=today, seed=seed)
        growth = create_growth(
            org=org,
            portfolio=portfolio,
            details=details,
            today=today,
            seed=seed,
            batch_size=plan.batch_size,
        )
        report("team", 1, 2)
        team_plan = create_team_plan(
            org=org,
            portfolio=portfolio,
            details=details,
            today=today,
            seed=seed,
            batch_size=plan.batch_size,
        )
        report("team", 2, 2)

    return DemoSummary(
        company=COMPANY,
        scale=scale,
        seed=seed,
        today=today,
        users=len(org.users),
        people=len(org.people),
        product_lines=len(portfolio.lines),
        products=len(portfolio.products),
        product_areas=len(portfolio.areas),
        objectives=len(strategy.objectives),
        key_results=len(strategy.key_results),
        initiatives=len(strategy.initiatives),
        initiative_objective_links=strategy.initiative_links,
        releases=len(roadmap.releases),
        features=len(roadmap.features),
        feature_objective_links=roadmap.objective_links,
        customers=voice.customers,
        contacts=voice.contacts,
        segments=voice.segments,
        tags=voice.tags,
        notes=voice.feedback.notes,
        note_links=voice.feedback.note_links,
        note_tag_links=voice.feedback.note_tag_links,
        portal_products=portal_products,
        portal_features=portal_features,
        feature_tags=planning.tags,
        dependencies=planning.dependencies,
        milestones=planning.milestones,
        roadmap_snapshots=planning.snapshots,
        scoring_models=prioritization.scoring_models,
        feature_scores=prioritization.feature_scores,
        teams=delivery.teams,
        team_members=delivery.team_members,
        time_off=delivery.time_off,
        capacity_periods=delivery.capacity_periods,
        feature_assignments=delivery.feature_assignments,
        work_items=delivery.work_items,
        scenarios=scenarios.scenarios,
        auto_plan_runs=scenarios.auto_plan_runs,
        metrics=measured.metrics,
        metric_values=measured.metric_values,
        metric_targets=measured.metric_targets,
        key_result_metric_links=measured.key_result_links,
        experiments=tested.experiments,
        assessments=growth.assessments,
        assessment_ratings=growth.assessment_ratings,
        growth_plans=growth.growth_plans,
        growth_goals=growth.growth_goals,
        check_ins=growth.check_ins,
        one_on_ones=growth.one_on_ones,
        action_items=growth.action_items,
        allocations=team_plan.allocations,
        open_roles=team_plan.open_roles,
        demo_username=DEMO_USERNAME,
        demo_password=password,
    )


def _refresh_planner_statistics() -> None:
    """PostgreSQL plans queries from table statistics, which autovacuum gathers only some
    time after a bulk load: without them the queries that follow (here and on the first
    pages served) may pick plans fit for empty tables. SQLite needs nothing."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def reset_demo_password() -> str:
    """Give the demo login a new random password and return it."""
    user = User.objects.filter(username=DEMO_USERNAME).first()
    if user is None:
        raise DemoNotLoaded(
            f"No demo organization is loaded (there is no user {DEMO_USERNAME!r}); build one first."
        )
    password = _new_password()
    user_set_password(user=user, password=password, check_strength=False)
    return password
