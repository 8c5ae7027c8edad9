"""The demo's experiments: twenty A/B tests on the products' own metrics (the metric stage
runs first; its metrics are read from the database), in every status: drafts still being
designed, running tests (one whose users split 52/48 on a planned 50/50, a sample ratio
mismatch), stopped ones awaiting a decision, and decided ones with their rationale (a
shipped one tested a feature that is now measured).

Each variant's statistics are drawn from a plausible true effect (winners, losers and
flat ones; two or three variants): users split by the weights, conversions binomial,
means with a sampling error of sd / sqrt(n) and a sample variance around the true one,
CUPED covariates and ratio denominators correlated with the metric. Everything is
written through the services (so it is validated, the engine checks the sums, and the
change log shows it) with the system as the actor. Same seed, same experiments.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np

from pilothouse.experiments import services
from pilothouse.experiments.models import Experiment, ExperimentStatus
from pilothouse.metrics.models import Metric
from pilothouse.portfolio.models import Product
from pilothouse.roadmap.models import Feature, FeatureStage
from pilothouse.strategy.models import Objective


@dataclass(frozen=True)
class Measure:
    """A metric of an experiment and its truth: the control's per-user mean (a rate for a
    proportion) and deviation, and each variant's relative effect."""

    key: str
    role: str
    metric_type: str
    base: float
    effects: tuple[float, ...]
    sd: float = 0.0
    cuped: bool = False
    # Ratios: the denominator's per-user mean and deviation.
    per: float = 0.0
    per_sd: float = 0.0


@dataclass(frozen=True)
class Plan:
    product: str
    name: str
    hypothesis: str
    status: str
    measures: tuple[Measure, ...]
    arms: tuple[tuple[str, str], ...] = (("Control", "0.5"), ("B", "0.5"))
    users: int = 0  # in all, by the end (running: so far)
    started: int = 0  # days ago
    days: int = 0  # how long it ran (or has run)
    decision: str = ""
    winner: int | None = None  # the index of the arm that ships
    rationale: str = ""
    observed: tuple[int, ...] | None = None  # users per arm, when they do not follow weights
    settings: dict = field(default_factory=dict)
    mde: str = "5"
    daily: int = 0


P, M = Plan, Measure
CHECKOUT = "checkout-conversion-store"

PLANS: tuple[Plan, ...] = (
    P("STORE", "One-page checkout",
      "We believe that putting shipping, payment and review on one page for returning buyers "
      "will raise checkout conversion, measured by checkout conversion in Storefront.",
      ExperimentStatus.DECIDED,
      (M(CHECKOUT, "primary", "proportion", 0.031, (0.09,)),
       M("p95-load-store", "guardrail", "mean", 1700, (0.0,), sd=650)),
      users=260_000, started=150, days=21, decision="ship", winner=1, daily=12_000,
      rationale="One page converts clearly better and page load held. Ship it to every "
      "buyer; the three-step flow is retired."),
    P("STORE", "Express wallet buttons",
      "We believe that offering wallet payment buttons on the cart will raise checkout "
      "conversion on mobile, measured by checkout conversion in Storefront.",
      ExperimentStatus.RUNNING,
      (M(CHECKOUT, "primary", "proportion", 0.031, (0.06, 0.02)),
       M("p95-load-store", "guardrail", "mean", 1700, (0.0, 0.06), sd=650)),
      arms=(("Control", "0.3334"), ("Wallet first", "0.3333"), ("All wallets", "0.3333")),
      users=150_000, started=12, days=12, daily=12_000, mde="4"),
    P("STORE", "Free-shipping banner",
      "We believe that a free-shipping threshold banner will raise checkout conversion, "
      "measured by checkout conversion in Storefront.",
      ExperimentStatus.RUNNING,
      (M(CHECKOUT, "primary", "proportion", 0.031, (0.03,)),),
      users=100_000, started=9, days=9, observed=(52_000, 48_000), daily=11_000),
    P("STORE", "Reviews above the fold",
      "We believe that showing reviews next to the price will raise checkout conversion, "
      "measured by checkout conversion in Storefront.",
      ExperimentStatus.DRAFT,
      (M(CHECKOUT, "primary", "proportion", 0.031, ()),
       M("p95-load-store", "guardrail", "mean", 1700, (), sd=650)),
      daily=12_000, mde="3"),
    P("STORE", "21-day trial",
      "We believe that a longer trial will let more stores launch and convert, measured by "
      "trial-to-paid conversion in Storefront.",
      ExperimentStatus.STOPPED,
      (M("trial-conversion-store", "primary", "proportion", 0.095, (-0.07,)),
       M("wau-store", "secondary", "proportion", 0.58, (0.0,))),
      users=60_000, started=70, days=28, daily=2_000),
    P("QUOTE", "Guided first quote",
      "We believe that a guided first quote will activate more new accounts, measured by "
      "the activation rate of new accounts on Quote Desk.",
      ExperimentStatus.DECIDED,
      (M("activation-rate-quote", "primary", "proportion", 0.22, (0.12,)),
       M("support-tickets", "guardrail", "mean", 0.04, (0.0,), sd=0.25)),
      users=24_000, started=120, days=28, decision="ship", winner=1, daily=900,
      rationale="Activation rose well beyond the minimum effect and support load did not "
      "move. Ship the guide; next, test it for invited users."),
    P("QUOTE", "Template gallery",
      "We believe that a gallery of quote templates will activate more new accounts, "
      "measured by the activation rate of new accounts on Quote Desk.",
      ExperimentStatus.DECIDED,
      (M("activation-rate-quote", "primary", "proportion", 0.22, (0.02,)),),
      users=9_000, started=90, days=21, decision="iterate", daily=450,
      rationale="A small lift at best, within the noise. Users opened the gallery but few "
      "used a template: iterate on fewer, industry-specific templates."),
    P("ORDER", "Bulk order editing",
      "We believe that editing many orders at once will keep operations teams active, "
      "measured by weekly active accounts in Order Hub.",
      ExperimentStatus.RUNNING,
      (M("wau-order", "primary", "proportion", 0.61, (0.025,)),
       M("p95-load-order", "guardrail", "mean", 2100, (0.01,), sd=800, cuped=True)),
      users=40_000, started=18, days=18, daily=2_500),
    P("ORDER", "Reorder reminders by email",
      "We believe that reminding buyers to reorder will raise conversion from trial, "
      "measured by trial-to-paid conversion in Order Hub.",
      ExperimentStatus.DECIDED,
      (M("trial-conversion-order", "primary", "proportion", 0.095, (0.02,)),
       M("tickets-order", "guardrail", "mean", 0.05, (0.3,), sd=0.3)),
      users=80_000, started=200, days=28, decision="roll_back", daily=3_000,
      rationale="Conversion did not move measurably, and support tickets rose: buyers asked "
      "to stop the emails. Keep the control."),
    P("ORDER", "Saved carts",
      "We believe that keeping a buyer's cart across devices will raise conversion, "
      "measured by trial-to-paid conversion in Order Hub.",
      ExperimentStatus.DRAFT,
      (M("trial-conversion-order", "primary", "proportion", 0.095, ()),),
      daily=3_000),
    P("INVC", "Smart payment reminders",
      "We believe that firmer reminders sent at the right time will bring customers back "
      "to Invoicing each week, measured by weekly active accounts in Invoicing.",
      ExperimentStatus.DECIDED,
      (M("wau-invc", "primary", "proportion", 0.55, (0.01, 0.06)),
       M("tickets-invc", "guardrail", "mean", 0.06, (0.0, 0.02), sd=0.3)),
      arms=(("Control", "0.3334"), ("Gentle", "0.3333"), ("Firm", "0.3333")),
      users=45_000, started=110, days=21, decision="ship", winner=2, daily=2_200,
      rationale="The firm wording wins on weekly activity with no rise in tickets; the "
      "gentle one is no better than today. Ship Firm.",
      settings={"correction": "holm"}),
    P("INVC", "Invoice PDF redesign",
      "We believe that a clearer invoice PDF will cut questions to support, measured by "
      "support tickets about Invoicing.",
      ExperimentStatus.RUNNING,
      (M("tickets-invc", "primary", "mean", 0.06, (-0.15,), sd=0.3, cuped=True),
       M("p95-load-invc", "secondary", "mean", 1800, (0.0,), sd=600)),
      users=70_000, started=15, days=15, daily=4_800),
    P("INVC", "Dark mode",
      "We believe that a dark theme will keep accountants working in Invoicing longer, "
      "measured by weekly active accounts in Invoicing.",
      ExperimentStatus.STOPPED,
      (M("wau-invc", "primary", "proportion", 0.55, (0.0,)),
       M("p95-load-invc", "guardrail", "mean", 1800, (0.0,), sd=600)),
      users=30_000, started=50, days=21, daily=1_500,
      settings={"engine": "bayesian"}),
    P("PAY", "Instant payouts upsell",
      "We believe that offering instant payouts at the end of onboarding will raise "
      "conversion and new ARR per trial, measured by trial-to-paid conversion in Payments.",
      ExperimentStatus.RUNNING,
      (M("trial-conversion-pay", "primary", "proportion", 0.095, (0.06,)),
       M("new-arr", "secondary", "ratio", 140, (0.04,), sd=520, per=1.1, per_sd=0.4)),
      users=36_000, started=20, days=20, daily=1_900,
      settings={"engine": "bayesian", "prior_mean": 0.0, "prior_stddev": 0.1}),
    P("PAY", "3-D Secure only when needed",
      "We believe that asking for 3-D Secure only on risky payments will speed up checkout "
      "pages, measured by p95 page load in Payments.",
      ExperimentStatus.DECIDED,
      (M("p95-load-pay", "primary", "mean", 1500, (-0.09,), sd=500),
       M("tickets-pay", "guardrail", "mean", 0.05, (0.0,), sd=0.3)),
      users=50_000, started=160, days=14, decision="ship", winner=1, daily=4_000,
      rationale="Pages are markedly faster and fraud tickets did not rise. Ship it to "
      "every merchant in the regions where the rules allow it."),
    P("PAY", "Onboarding checklist",
      "We believe that a checklist of the first five steps will convert more trials, "
      "measured by trial-to-paid conversion in Payments.",
      ExperimentStatus.DRAFT,
      (M("trial-conversion-pay", "primary", "proportion", 0.095, ()),
       M("tickets-pay", "guardrail", "mean", 0.05, (), sd=0.3)),
      daily=1_900, mde="8"),
    P("IDENT", "Passkey sign-in",
      "We believe that offering passkeys will make more sign-ins succeed, measured by the "
      "sign-in success rate.",
      ExperimentStatus.RUNNING,
      (M("login-success-ident", "primary", "proportion", 0.978, (0.008,)),),
      users=300_000, started=10, days=10, daily=30_000, mde="0.5",
      settings={"sequential": True}),
    P("IDENT", "Remember this device for 30 days",
      "We believe that remembering trusted devices will make more sign-ins succeed, "
      "measured by the sign-in success rate.",
      ExperimentStatus.DECIDED,
      (M("login-success-ident", "primary", "proportion", 0.978, (0.0005,)),),
      users=20_000, started=80, days=7, decision="inconclusive", daily=3_000,
      rationale="Stopped early by the security review; too few sign-ins to tell either way. "
      "Revisit once the device-trust policy is settled."),
    P("INTEG", "Connector setup wizard",
      "We believe that a step-by-step wizard will shorten integrations, measured by the "
      "median days to integrate with Integration Hub.",
      ExperimentStatus.STOPPED,
      (M("integration-days-integ", "primary", "mean", 17, (-0.12, -0.04), sd=8),
       M("signups", "secondary", "proportion", 0.04, (0.0, 0.0))),
      arms=(("Control", "0.3334"), ("Wizard", "0.3333"), ("Wizard and samples", "0.3333")),
      users=12_000, started=45, days=30, daily=400,
      settings={"correction": "holm"}),
    P("INTEG", "Sandbox accounts on sign-up",
      "We believe that a ready sandbox will get developers to their first call sooner, "
      "measured by the median days to integrate with Integration Hub.",
      ExperimentStatus.DRAFT,
      (M("integration-days-integ", "primary", "mean", 17, (), sd=8),),
      daily=200, mde="10"),
)  # fmt: skip


@dataclass(frozen=True)
class ExperimentsDemo:
    experiments: int
    variant_statistics: int


def create_experiments(*, today: dt.date, seed: int) -> ExperimentsDemo:
    rng = np.random.default_rng([seed, 0xE1])
    keys = {measure.key for plan in PLANS for measure in plan.measures}
    metrics = {metric.key: metric for metric in Metric.objects.filter(key__in=keys)}
    wanted = {plan.product for plan in PLANS}
    products = {product.key: product for product in Product.objects.filter(key__in=wanted)}
    made = 0
    statistics = 0
    for plan in PLANS:
        product = products.get(plan.product)
        measures = [m for m in plan.measures if m.key in metrics]
        if product is None or not measures or measures[0].role != "primary":
            continue
        experiment = _design(plan, product, metrics, measures, today=today)
        if plan.status != ExperimentStatus.DRAFT:
            statistics += _measure(plan, experiment, measures, rng)
        _advance(plan, experiment, today=today)
        made += 1
    return ExperimentsDemo(experiments=made, variant_statistics=statistics)


def _feature_for(plan: Plan, product: Product) -> Feature | None:
    """A feature of the product that fits the experiment's stage: a measured one for a
    test that shipped (its measurement), one in progress otherwise. The roadmap's
    features are left as the roadmap stage made them."""
    features = Feature.objects.filter(product=product).exclude(experiments__isnull=False)
    ships = plan.decision == "ship"
    stage = FeatureStage.MEASURED if ships else FeatureStage.IN_PROGRESS
    found = features.filter(stage=stage).order_by("id").first()
    if found is None and not ships:
        found = features.filter(stage=FeatureStage.PLANNED).order_by("id").first()
    return found


def _design(plan, product, metrics, measures, *, today: dt.date) -> Experiment:
    objective = Objective.objects.filter(product=product).order_by("-period", "id").first()
    start = today - dt.timedelta(days=plan.started) if plan.started else None
    experiment = services.experiment.create(
        actor=None,
        data={
            "name": plan.name,
            "hypothesis": plan.hypothesis,
            "product": product,
            "feature": _feature_for(plan, product),
            "objective": objective,
            "owner": product.owner,
            "start_date": start,
            "minimum_detectable_effect": Decimal(plan.mde),
            "daily_users": plan.daily or None,
            **plan.settings,
        },
    )
    services.variants_set(
        actor=None,
        instance=experiment,
        variants=[{"name": name, "weight": weight} for name, weight in plan.arms],
    )
    for measure in measures:
        services.experiment_metric.create(
            actor=None,
            data={
                "experiment": experiment,
                "metric": metrics[measure.key],
                "role": measure.role,
                "metric_type": measure.metric_type,
                "cuped": measure.cuped,
            },
        )
    return experiment


def _split(plan: Plan, rng: np.random.Generator) -> list[int]:
    if plan.observed is not None:
        return list(plan.observed)
    weights = np.array([float(weight) for _name, weight in plan.arms])
    return [int(n) for n in rng.multinomial(plan.users, weights / weights.sum())]


def _measure(plan: Plan, experiment: Experiment, measures, rng: np.random.Generator) -> int:
    users = _split(plan, rng)
    variants = list(experiment.variants.order_by("position"))
    written = 0
    for experiment_metric, measure in zip(experiment.metrics.order_by("id"), measures, strict=True):
        rows = []
        for index, (variant, n) in enumerate(zip(variants, users, strict=True)):
            effect = measure.effects[index - 1] if index else 0.0
            rows.append({"variant": variant, **_sums(measure, n, effect, rng)})
        written += len(
            services.statistics_set(actor=None, experiment_metric=experiment_metric, rows=rows)
        )
    return written


def _sums(measure: Measure, n: int, effect: float, rng: np.random.Generator) -> dict:
    """One variant's sums over n users whose true mean is base x (1 + effect)."""
    mean = measure.base * (1 + effect)
    if measure.metric_type == "proportion":
        return {"n": n, "sum": float(rng.binomial(n, min(mean, 0.999)))}
    if measure.metric_type == "ratio":
        # Per user: the value (numerator) and the count it is per (denominator), correlated
        # 0.5; `base` is the ratio, `per` the denominator's mean.
        value_sum, value_squares = _moments(n, mean * measure.per, measure.sd, rng)
        count_sum, count_squares = _moments(n, measure.per, measure.per_sd, rng)
        cross = 0.5 * measure.sd * measure.per_sd * (n - 1) + value_sum * count_sum / n
        return {
            "n": n,
            "sum": value_sum,
            "sum_squares": value_squares,
            "denominator_sum": count_sum,
            "denominator_sum_squares": count_squares,
            "cross_sum": round(cross, 4),
        }
    total, squares = _moments(n, mean, measure.sd, rng)
    out = {"n": n, "sum": total, "sum_squares": squares}
    if measure.cuped:
        # The same users' value before the test: the same level, correlated 0.6.
        pre_sum, pre_squares = _moments(n, measure.base, measure.sd, rng)
        cross = 0.6 * measure.sd * measure.sd * (n - 1) + total * pre_sum / n
        out |= {
            "covariate_sum": pre_sum,
            "covariate_sum_squares": pre_squares,
            "covariate_cross_sum": round(cross, 4),
        }
    return out


def _moments(n: int, mean: float, sd: float, rng: np.random.Generator) -> tuple[float, float]:
    """The sum and sum of squares of n values: the sample mean within sd / sqrt(n) of the
    truth, the sample variance a chi-square draw around sd²."""
    sample_mean = rng.normal(mean, sd / math.sqrt(n))
    variance = sd**2 * rng.chisquare(n - 1) / (n - 1)
    total = sample_mean * n
    return round(total, 4), round((n - 1) * variance + total * total / n, 4)


def _advance(plan: Plan, experiment: Experiment, *, today: dt.date) -> None:
    if plan.status == ExperimentStatus.DRAFT:
        return
    experiment = services.experiment_start(actor=None, instance=experiment, version=None)
    end = experiment.start_date + dt.timedelta(days=plan.days)
    if plan.status == ExperimentStatus.STOPPED:
        services.experiment_stop(actor=None, instance=experiment, version=None, end_date=end)
    elif plan.status == ExperimentStatus.DECIDED:
        experiment = services.experiment.update(
            actor=None, instance=experiment, version=None, data={"end_date": end}
        )
        winner = None
        if plan.winner is not None:
            winner = experiment.variants.get(position=plan.winner)
        services.experiment_decide(
            actor=None,
            instance=experiment,
            version=None,
            decision=plan.decision,
            rationale=plan.rationale,
            winner=winner,
        )
        # Decided a few days after the end, not at the time of the build.
        moment = dt.datetime.combine(
            min(end + dt.timedelta(days=3), today), dt.time(10, 0), tzinfo=dt.UTC
        )
        Experiment.objects.filter(pk=experiment.pk).update(decided_at=moment)
