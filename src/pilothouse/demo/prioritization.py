"""The demo's prioritization: three portfolio-wide scoring models (RICE, WSJF and a custom
"customer value" scorecard) and inputs for most features under each.

The inputs follow what the rest of the demo knows of each feature, so the rankings tell
a plausible story: reach grows with the requests and customers asking, effort follows
the feature's own estimate (person-weeks to person-months), confidence is higher for
planned work than for ideas, business value and time criticality follow the ARR asking.
The custom model reads each feature's ARR demand and high effort estimate (computed
fields), so its scores are computed when shown rather than stored.

It runs after the roadmap and the customer voice are written and draws from its own
random stream, so adding it changed nothing else the generator makes. Rows are inserted
in bulk (demo.rows); being generated, they write no change records, and the stored
scores are computed with the scoring engine as the services would.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass
from decimal import Decimal

from pilothouse.demo.clock import Clock
from pilothouse.demo.rows import Rows
from pilothouse.engines import scoring
from pilothouse.prioritization.models import FeatureScore, Framework, ScoringModel
from pilothouse.prioritization.schemes import canonical_fields
from pilothouse.roadmap.models import Feature, FeatureStage

F = FeatureStage
CUSTOM_FIELDS = [
    {
        "name": "value",
        "label": "Customer value",
        "min": 1,
        "max": 10,
        "help": "How much the customers who asked would gain, 1-10.",
    },
    {
        "name": "strategic_fit",
        "label": "Strategic fit",
        "min": 0,
        "max": 5,
        "help": "How directly it serves this year's objectives, 0-5.",
    },
]
CUSTOM_FORMULA = (
    "(2 * value + 3 * strategic_fit) * log(10 + arr_demand / 1000, 10) / max(effort_high, 1)"
)
# (name, framework, description, formula, input fields, share of features with inputs)
MODELS = (
    (
        "RICE",
        Framework.RICE,
        "Reach per quarter, impact, confidence and effort in person-months: the "
        "portfolio's default ranking.",
        "",
        [],
        0.85,
    ),
    (
        "WSJF",
        Framework.WSJF,
        "Cost of delay over job size, for the quarterly planning of the platform teams.",
        "",
        [],
        0.7,
    ),
    (
        "Customer value scorecard",
        Framework.CUSTOM,
        "Value and strategic fit, weighted by the ARR asking for it and divided by the "
        "high effort estimate (both read from the feature as they change).",
        CUSTOM_FORMULA,
        CUSTOM_FIELDS,
        0.75,
    ),
)
MODEL_FIELDS = ("name", "framework", "description", "formula", "input_fields", "version")
MODEL_STAMPS = ("created_at", "updated_at")
SCORE_FIELDS = (
    "feature_id",
    "scoring_model_id",
    "inputs",
    "score",
    "version",
    "created_at",
    "updated_at",
)
INCOMPLETE_SHARE = 0.05  # features with an input still missing
FIBONACCI = (1, 2, 3, 5, 8, 13, 20)
WEEKS_PER_MONTH = 4.3


@dataclass(frozen=True)
class PrioritizationSummary:
    scoring_models: int
    feature_scores: int


@dataclass(frozen=True)
class FeatureFacts:
    pk: int
    stage: str
    effort_high: Decimal | None
    requests: int
    customers: int
    arr: Decimal


def _fibonacci_near(value: float) -> int:
    return min(FIBONACCI, key=lambda step: abs(step - value))


def _rice(facts: FeatureFacts, rng: random.Random) -> dict:
    reach = int((facts.customers * 40 + facts.requests * 10 + rng.randint(20, 400)) * 5) // 5
    impact = rng.choice((0.25, 0.5, 1, 1, 2, 2, 3) if facts.customers else (0.25, 0.5, 1, 2))
    confident = facts.stage in {F.PLANNED, F.IN_PROGRESS, F.RELEASED, F.MEASURED}
    confidence = rng.choice((1.0, 0.8, 0.8) if confident else (0.8, 0.5, 0.5))
    weeks = float(facts.effort_high) if facts.effort_high is not None else rng.choice((2, 4, 8))
    effort = max(0.5, round(weeks / WEEKS_PER_MONTH * 2) / 2)
    return {"reach": reach, "impact": impact, "confidence": confidence, "effort": effort}


def _wsjf(facts: FeatureFacts, rng: random.Random) -> dict:
    arr_scale = math.log10(1 + float(facts.arr)) if facts.arr else 0.0
    weeks = float(facts.effort_high) if facts.effort_high is not None else rng.choice((2, 4, 8))
    return {
        "business_value": _fibonacci_near(arr_scale * 3 + rng.uniform(0, 4)),
        "time_criticality": rng.choice(FIBONACCI[:5]),
        "risk_reduction": rng.choice(FIBONACCI[:4]),
        "job_size": _fibonacci_near(weeks / 1.5),
    }


def _custom(facts: FeatureFacts, rng: random.Random) -> dict:
    return {
        "value": min(10, 1 + facts.customers // 3 + rng.randint(0, 4)),
        "strategic_fit": rng.randint(0, 5),
    }


INPUTS = {Framework.RICE: _rice, Framework.WSJF: _wsjf, Framework.CUSTOM: _custom}


def _facts() -> list[FeatureFacts]:
    rows = Feature.objects.order_by("pk").values_list(
        "pk", "stage", "effort_high", "demand_requests", "demand_customers", "demand_arr"
    )
    return [FeatureFacts(*row) for row in rows]


def create_prioritization(
    *, clock: Clock, seed: int, batch_size: int, progress=None
) -> PrioritizationSummary:
    """Create the demo's scoring models and the features' inputs under them."""
    rng = random.Random(f"prioritization-{seed}")
    report = progress or (lambda done, total: None)
    created = clock.moment(clock.days_ago(60))
    models = Rows(ScoringModel, (*MODEL_FIELDS, *MODEL_STAMPS), own_ids=True)
    ids = models.ids(len(MODELS))
    models.insert(
        [
            (
                pk,
                name,
                framework,
                description,
                formula,
                canonical_fields(fields),
                1,
                created,
                created,
            )
            for pk, (name, framework, description, formula, fields, _share) in zip(
                ids, MODELS, strict=True
            )
        ]
    )
    models.finish()

    facts = _facts()
    scores = Rows(FeatureScore, SCORE_FIELDS, own_ids=False)
    total = len(facts) * len(MODELS)
    done = 0
    report(done, total)
    for model_id, (_name, framework, _desc, formula, fields, share) in zip(
        ids, MODELS, strict=True
    ):
        scheme = (
            scoring.custom_scheme(fields, formula)
            if framework == Framework.CUSTOM
            else scoring.builtin_scheme(framework)
        )
        batch: list[tuple] = []
        for feature in facts:
            if rng.random() >= share:
                continue
            inputs = INPUTS[framework](feature, rng)
            if rng.random() < INCOMPLETE_SHARE:
                inputs.pop(rng.choice(sorted(inputs)))
            values = scheme.validate(inputs)
            # Stored only when the score depends on the inputs alone (see schemes.py).
            score = None if scheme.computed else scheme.score(values)
            stamp = clock.moment(clock.days_ago(rng.randint(1, 55)))
            stamp = max(stamp, created + dt.timedelta(minutes=1))
            batch.append(
                (feature.pk, model_id, scoring.stored_form(values), score, 1, stamp, stamp)
            )
            if len(batch) >= batch_size:
                scores.insert(batch)
                batch = []
        scores.insert(batch)
        done += len(facts)
        report(done, total)
    return PrioritizationSummary(scoring_models=len(MODELS), feature_scores=scores.count)
