"""Experiments: a hypothesis tested with variants of a product, judged on metrics from
the catalog, and the decision taken (see docs/experiments.md). The statistics come from
engines.experiments; what is stored here is the design, each variant's summary
statistics per metric, and the decision."""

from __future__ import annotations

import math
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from pilothouse.core.models import VersionedModel
from pilothouse.metrics.models import DataSource, Metric
from pilothouse.portfolio.models import Product
from pilothouse.roadmap.models import Feature
from pilothouse.strategy.models import Objective


class ExperimentStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    RUNNING = "running", "Running"
    STOPPED = "stopped", "Stopped"
    DECIDED = "decided", "Decided"


class StatsEngine(models.TextChoices):
    FREQUENTIST = "frequentist", "Frequentist"
    BAYESIAN = "bayesian", "Bayesian"


class Difference(models.TextChoices):
    RELATIVE = "relative", "Relative (%)"
    ABSOLUTE = "absolute", "Absolute"


class Correction(models.TextChoices):
    NONE = "none", "None"
    HOLM = "holm", "Holm-Bonferroni"
    BH = "bh", "Benjamini-Hochberg"


class Decision(models.TextChoices):
    SHIP = "ship", "Ship a variant"
    ROLL_BACK = "roll_back", "Keep the control"
    ITERATE = "iterate", "Iterate and test again"
    INCONCLUSIVE = "inconclusive", "Inconclusive"


class Experiment(VersionedModel):
    """A controlled test. Product managers run experiments on the products they look
    after; the first variant (by position) is the control."""

    name = models.CharField(max_length=200)
    hypothesis = models.TextField(
        help_text="We believe that <change> for <who> will <outcome>, measured by <metric>."
    )
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="experiments")
    feature = models.ForeignKey(
        Feature, null=True, blank=True, on_delete=models.SET_NULL, related_name="experiments"
    )
    objective = models.ForeignKey(
        Objective, null=True, blank=True, on_delete=models.SET_NULL, related_name="experiments"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_experiments",
    )
    status = models.CharField(
        max_length=10, choices=ExperimentStatus.choices, default=ExperimentStatus.DRAFT
    )
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    # How the results are read.
    engine = models.CharField(
        max_length=12, choices=StatsEngine.choices, default=StatsEngine.FREQUENTIST
    )
    difference = models.CharField(
        max_length=10, choices=Difference.choices, default=Difference.RELATIVE
    )
    alpha = models.DecimalField(
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.050"),
        validators=[MinValueValidator(Decimal("0.001")), MaxValueValidator(Decimal("0.2"))],
        help_text="Significance level; the intervals are 1 - alpha.",
    )
    correction = models.CharField(max_length=6, choices=Correction.choices, default=Correction.NONE)
    sequential = models.BooleanField(
        default=False, help_text="Confidence sequences, so that looking early is safe."
    )
    prior_mean = models.FloatField(
        null=True, blank=True, help_text="Bayesian: the prior's mean effect (empty: flat prior)."
    )
    prior_stddev = models.FloatField(null=True, blank=True, validators=[MinValueValidator(0.0)])
    # The design: what the test should be able to detect, to size it.
    minimum_detectable_effect = models.DecimalField(
        "minimum detectable effect (%)",
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    daily_users = models.PositiveIntegerField(
        null=True, blank=True, help_text="Users entering the experiment per day, all variants."
    )
    # The decision record.
    decision = models.CharField(max_length=14, choices=Decision.choices, blank=True)
    winner = models.ForeignKey(
        "Variant", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rationale = models.TextField(blank=True, help_text="Markdown.")
    decided_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-start_date", "name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = "The end is before the start."
        if self.feature_id and self.product_id and self.feature.product_id != self.product_id:
            errors["feature"] = "This feature belongs to another product."
        if (self.prior_mean is None) != (self.prior_stddev is None):
            errors["prior_stddev"] = "A proper prior needs both its mean and its deviation."
        if self.prior_stddev is not None and self.prior_stddev <= 0:
            errors["prior_stddev"] = "The prior's deviation must be above zero."
        if self.prior_mean is not None and self.engine != StatsEngine.BAYESIAN:
            errors["prior_mean"] = "A prior is for the Bayesian engine; leave it empty."
        if self.engine != StatsEngine.FREQUENTIST:
            if self.correction != Correction.NONE:
                errors["correction"] = "Corrections are for the frequentist engine."
            if self.sequential:
                errors["sequential"] = "Sequential testing is for the frequentist engine."
        if self.status == ExperimentStatus.DECIDED and not self.decision:
            errors["decision"] = "A decided experiment records its decision."
        if self.decision and self.status != ExperimentStatus.DECIDED:
            errors["decision"] = "A decision is recorded when the experiment is decided."
        if self.decision == Decision.SHIP and not self.winner_id:
            errors["winner"] = "Name the variant that ships."
        if self.winner_id and self.decision != Decision.SHIP:
            errors["winner"] = "Only a decision to ship names a winning variant."
        elif self.winner_id and self.pk:
            if self.winner.experiment_id != self.pk:
                errors["winner"] = "The winner must be one of this experiment's variants."
            elif self.winner.is_control:
                errors["winner"] = (
                    "The control is what runs today: to keep it, decide “Keep the control”."
                )
        if errors:
            raise ValidationError(errors)

    def steward_ids(self) -> set[int]:
        inherited = self.product.steward_ids() if self.product_id else set()
        return ({self.owner_id} | inherited) - {None}

    def permission_parent(self) -> Product | None:
        return self.product if self.product_id else None


class Variant(VersionedModel):
    """One arm of an experiment, with its planned share of the traffic."""

    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="variants")
    name = models.CharField(max_length=80)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(help_text="0 is the control.")
    weight = models.DecimalField(
        max_digits=5,
        decimal_places=4,
        validators=[MinValueValidator(Decimal("0.0001")), MaxValueValidator(1)],
        help_text="The planned share of traffic; an experiment's weights sum to 1.",
    )

    class Meta:
        ordering = ["experiment_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["experiment", "name"], name="variant_unique_name"),
            models.UniqueConstraint(
                fields=["experiment", "position"], name="variant_unique_position"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_control(self) -> bool:
        return self.position == 0

    def permission_parent(self) -> Experiment | None:
        return self.experiment if self.experiment_id else None

    def steward_ids(self) -> set[int]:
        return self.experiment.steward_ids()


class MetricRole(models.TextChoices):
    PRIMARY = "primary", "Primary"
    SECONDARY = "secondary", "Secondary"
    GUARDRAIL = "guardrail", "Guardrail"


class MetricType(models.TextChoices):
    MEAN = "mean", "Mean"
    PROPORTION = "proportion", "Proportion"
    RATIO = "ratio", "Ratio"


class ExperimentMetric(VersionedModel):
    """A metric an experiment is judged on. Its per-variant statistics are entered,
    imported, or computed by `statistics_query` on `data_source` (one row per variant,
    see statistics_sources)."""

    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="metrics")
    metric = models.ForeignKey(Metric, on_delete=models.PROTECT, related_name="experiment_uses")
    role = models.CharField(max_length=10, choices=MetricRole.choices, default=MetricRole.SECONDARY)
    metric_type = models.CharField(
        max_length=10, choices=MetricType.choices, default=MetricType.MEAN
    )
    cuped = models.BooleanField(
        "CUPED", default=False, help_text="Adjust with each user's pre-experiment value."
    )
    # A data source in use by an experiment cannot be deleted: its statistics would lose
    # the query they came from.
    data_source = models.ForeignKey(
        DataSource, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    statistics_query = models.TextField(
        blank=True,
        help_text="SQL returning one row per variant: variant, n, sum, sum_squares (and the "
        "ratio or CUPED columns); :start_date and :end_date are bound.",
    )

    class Meta:
        ordering = ["experiment_id", "role", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["experiment", "metric"], name="experiment_metric_unique_metric"
            ),
            models.UniqueConstraint(
                fields=["experiment"],
                condition=models.Q(role="primary"),
                name="experiment_metric_one_primary",
                violation_error_message="This experiment has a primary metric already; an "
                "experiment is judged on one primary metric.",
            ),
        ]

    def __str__(self) -> str:
        try:
            return f"{self.metric} ({self.get_role_display().lower()})"
        except ObjectDoesNotExist:
            return f"metric #{self.metric_id}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.data_source_id and not self.statistics_query.strip():
            errors["statistics_query"] = "Write the query that the data source runs."
        if self.statistics_query.strip() and not self.data_source_id:
            errors["data_source"] = "Choose the data source the query runs on."
        if self.cuped and self.metric_type == MetricType.RATIO:
            errors["cuped"] = "CUPED applies to mean and proportion metrics, not to ratios."
        if errors:
            raise ValidationError(errors)

    def permission_parent(self) -> Experiment | None:
        return self.experiment if self.experiment_id else None

    def steward_ids(self) -> set[int]:
        return self.experiment.steward_ids()


class VariantStatistics(VersionedModel):
    """A variant's summary statistics on one metric: enough to analyse without the raw
    data. Means need n, sum and sum of squares; proportions n and the count (sum);
    ratios the denominator's sums and the cross products; CUPED the pre-period
    covariate's sums and cross products."""

    experiment_metric = models.ForeignKey(
        ExperimentMetric, on_delete=models.CASCADE, related_name="statistics"
    )
    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="statistics")
    n = models.PositiveBigIntegerField("users")
    sum = models.FloatField()
    sum_squares = models.FloatField(null=True, blank=True)
    denominator_sum = models.FloatField(null=True, blank=True)
    denominator_sum_squares = models.FloatField(null=True, blank=True)
    cross_sum = models.FloatField(
        null=True, blank=True, help_text="Ratio metrics: sum of numerator x denominator."
    )
    covariate_sum = models.FloatField(null=True, blank=True)
    covariate_sum_squares = models.FloatField(null=True, blank=True)
    covariate_cross_sum = models.FloatField(
        null=True, blank=True, help_text="CUPED: sum of metric x pre-period covariate."
    )

    class Meta:
        ordering = ["experiment_metric_id", "variant__position"]
        verbose_name_plural = "variant statistics"
        constraints = [
            models.UniqueConstraint(
                fields=["experiment_metric", "variant"], name="variant_statistics_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.variant_id} on {self.experiment_metric_id}: n={self.n}"

    def clean(self) -> None:
        """The sums this metric's kind needs, each finite, and no more than n users can
        give (a proportion counts at most n; a sum of squares is at least sum² / n)."""
        errors: dict[str, str] = {}
        if (
            self.variant_id
            and self.experiment_metric_id
            and self.variant.experiment_id != self.experiment_metric.experiment_id
        ):
            errors["variant"] = "The variant belongs to another experiment."
        if self.experiment_metric_id:
            errors.update(sums_problems(self, self.experiment_metric))
        if errors:
            raise ValidationError(errors)

    def permission_parent(self) -> ExperimentMetric | None:
        return self.experiment_metric if self.experiment_metric_id else None

    def steward_ids(self) -> set[int]:
        return self.experiment_metric.steward_ids()


# Sums are often rounded before they are entered: a variance below zero by less than this
# share of sum² / n is rounding, not an inconsistency.
ROUNDING = 1e-9
VALUE_FIELDS = ("sum", "sum_squares")
RATIO_FIELDS = ("denominator_sum", "denominator_sum_squares", "cross_sum")
CUPED_FIELDS = ("covariate_sum", "covariate_sum_squares", "covariate_cross_sum")


def required_sums(experiment_metric: ExperimentMetric) -> tuple[str, ...]:
    """The sums a variant's statistics need on this metric, besides n."""
    fields: tuple[str, ...] = ("sum",)
    if experiment_metric.metric_type != MetricType.PROPORTION:
        fields += ("sum_squares",)
    if experiment_metric.metric_type == MetricType.RATIO:
        fields += RATIO_FIELDS
    if experiment_metric.cuped:
        fields += CUPED_FIELDS
    return fields


def sums_problems(stats: VariantStatistics, experiment_metric: ExperimentMetric) -> dict[str, str]:
    """What is wrong with one variant's sums on a metric, field by field (empty: nothing).
    Whether the sums agree with each other beyond this (cross products) the engine
    checks when the statistics are set."""
    problems: dict[str, str] = {}
    kind = experiment_metric.get_metric_type_display().lower()
    for name in required_sums(experiment_metric):
        if getattr(stats, name) is None:
            why = "CUPED" if name in CUPED_FIELDS else f"a {kind} metric"
            problems[name] = f"Required for {why}."
    if experiment_metric.metric_type != MetricType.RATIO:
        for name in RATIO_FIELDS:
            if getattr(stats, name) is not None:
                problems[name] = "Only ratio metrics have a denominator; leave it empty."
    for name in (*VALUE_FIELDS, *RATIO_FIELDS, *CUPED_FIELDS):
        value = getattr(stats, name)
        if isinstance(value, float) and not math.isfinite(value):
            problems[name] = "Must be a finite number."
    if problems or stats.n is None:
        return problems
    n = stats.n
    if n == 0:
        for name in (*VALUE_FIELDS, *RATIO_FIELDS, *CUPED_FIELDS):
            if getattr(stats, name) not in (None, 0):
                problems[name] = "With no users, every sum is 0."
        return problems
    if experiment_metric.metric_type == MetricType.PROPORTION and not 0 <= stats.sum <= n:
        problems["sum"] = (
            f"A proportion counts the users who converted: between 0 and n ({n:,}), "
            f"not {stats.sum:g}."
        )
    for total, squares in (
        ("sum", "sum_squares"),
        ("denominator_sum", "denominator_sum_squares"),
        ("covariate_sum", "covariate_sum_squares"),
    ):
        value, square = getattr(stats, total), getattr(stats, squares)
        if value is None or square is None:
            continue
        if square < 0:
            problems[squares] = "A sum of squares is never negative."
        elif value * value / n - square > ROUNDING * value * value / n:
            problems[squares] = (
                f"Too small for the sum: with n = {n:,} and a sum of {value:g} it is at "
                f"least {value * value / n:g} (sum² / n), or the variance would be negative."
            )
    return problems
