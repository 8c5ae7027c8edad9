"""The forms of experiments: the design, the variant set, the metrics, the statistics of a
metric, their query and their import, the decision and the sample-size calculator. Model
forms run through the services by core.editing; the others are handed to the services by
the views."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms

from pilothouse.core.forms import VersionedModelForm
from pilothouse.experiments.models import (
    Decision,
    Experiment,
    ExperimentMetric,
    MetricType,
    Variant,
    VariantStatistics,
    required_sums,
)
from pilothouse.experiments.selectors import metric_choices
from pilothouse.metrics.models import DataSource
from pilothouse.portfolio import selectors as portfolio_selectors
from pilothouse.roadmap.models import Feature, FeatureStage
from pilothouse.strategy import selectors as strategy_selectors
from pilothouse.strategy.forms import ObjectiveChoiceField

DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
# A picker lists at most this many features (the rest: through the API).
MAX_FEATURE_CHOICES = 500
# The variant form has room for this many rows beyond the existing variants.
BLANK_VARIANT_ROWS = 2


class ExperimentForm(VersionedModelForm):
    class Meta:
        model = Experiment
        fields = [
            "name",
            "hypothesis",
            "product",
            "feature",
            "objective",
            "owner",
            "start_date",
            "end_date",
            "minimum_detectable_effect",
            "daily_users",
            "engine",
            "difference",
            "alpha",
            "correction",
            "sequential",
            "prior_mean",
            "prior_stddev",
        ]
        field_classes = {"objective": ObjectiveChoiceField}
        widgets = {
            "hypothesis": forms.Textarea(attrs={"rows": 3}),
            "start_date": DATE,
            "end_date": DATE,
        }
        help_texts = {
            "feature": "The feature this tests; shipping a variant marks it measured "
            "(once released).",
            "minimum_detectable_effect": "The smallest relative change worth detecting, in %: "
            "it sizes the experiment.",
            "prior_stddev": "Bayesian: the prior's standard deviation of the relative effect.",
            "correction": "Frequentist: correct the p-values across every metric and variant.",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = portfolio_selectors.product_list().order_by("name")
        self.fields["objective"].queryset = strategy_selectors.objective_choices()
        product_id = self.data.get("product") or self.initial.get("product")
        product_id = getattr(product_id, "pk", product_id) or self.instance.product_id
        features = Feature.objects.exclude(stage=FeatureStage.REJECTED).order_by("title", "id")
        if product_id and str(product_id).isdigit():
            features = features.filter(product_id=int(product_id))
        field = self.fields["feature"]
        field.queryset = Feature.objects.all()  # what a submission is checked against
        shown = list(features.values_list("id", "title")[:MAX_FEATURE_CHOICES])
        if self.instance.feature_id and self.instance.feature_id not in {pk for pk, _ in shown}:
            shown.append((self.instance.feature_id, str(self.instance.feature)))
        field.widget.choices = [("", "---------"), *shown]


class VariantRowForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(max_length=80, required=False)
    description = forms.CharField(max_length=500, required=False)
    weight = forms.DecimalField(
        max_digits=5, decimal_places=4, min_value=0, max_value=1, required=False
    )


class BaseVariantRows(forms.BaseFormSet):
    def rows(self) -> list[dict[str, Any]]:
        """The filled-in rows, in order (empty rows dropped), as variants_set takes them."""
        out = []
        for form in self.forms:
            data = form.cleaned_data
            if not data or not (data.get("name") or "").strip():
                continue
            out.append(
                {
                    "id": data.get("id"),
                    "name": data["name"],
                    "description": data.get("description") or "",
                    "weight": data.get("weight"),
                }
            )
        return out


VariantRows = forms.formset_factory(
    VariantRowForm, formset=BaseVariantRows, extra=0, max_num=10, absolute_max=10
)


def variant_rows(variants: Sequence[Variant], data=None) -> BaseVariantRows:
    """The rows of the variant form: the variants as they are (a new experiment gets a
    control and B at 50/50), plus blank rows to add more."""
    initial = [
        {"id": v.pk, "name": v.name, "description": v.description, "weight": v.weight}
        for v in variants
    ] or [{"name": "Control", "weight": "0.5"}, {"name": "B", "weight": "0.5"}]
    initial += [{}] * BLANK_VARIANT_ROWS
    if data is not None:
        # Bound rows stand for themselves: a row left as drawn must not count as empty.
        return VariantRows(data, prefix="variants")
    return VariantRows(initial=initial, prefix="variants")


class ExperimentMetricForm(VersionedModelForm):
    class Meta:
        model = ExperimentMetric
        fields = ["metric", "role", "metric_type", "cuped", "data_source", "statistics_query"]
        widgets = {"statistics_query": forms.Textarea(attrs={"rows": 6, "class": "monospace"})}
        help_texts = {
            "metric_type": "Mean: n, sum and sum of squares per variant. Proportion: n and the "
            "count of users who converted. Ratio: also the denominator's sums and cross products.",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["metric"].queryset = metric_choices()
        self.fields["data_source"].queryset = DataSource.objects.only("id", "name").order_by("name")


class StatisticsQueryForm(VersionedModelForm):
    """A metric's data source and statistics query, tested or saved from the experiment's
    page. The data sources are read once by the view, for every form of the page."""

    class Meta:
        model = ExperimentMetric
        fields = ["data_source", "statistics_query"]
        widgets = {
            "statistics_query": forms.Textarea(
                attrs={"rows": 8, "class": "monospace", "spellcheck": "false"}
            )
        }

    def __init__(self, *args: Any, data_sources: Sequence[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["data_source"]
        field.queryset = DataSource.objects.only("id", "name")  # what a submission is checked on
        field.choices = [("", "---------"), *data_sources]
        self.fields["statistics_query"].help_text = (
            "One row per variant with the columns "
            + ", ".join(("variant", "n", *required_sums(self.instance)))
            + "; :start_date and :end_date are bound to the experiment's dates."
        )


STAT_LABELS = {
    "n": "Users",
    "sum": "Sum",
    "sum_squares": "Sum of squares",
    "denominator_sum": "Denominator sum",
    "denominator_sum_squares": "Denominator sum of squares",
    "cross_sum": "Sum of numerator times denominator",
    "covariate_sum": "Pre-period sum",
    "covariate_sum_squares": "Pre-period sum of squares",
    "covariate_cross_sum": "Sum of metric times pre-period value",
}


def statistic_fields(experiment_metric: ExperimentMetric) -> list[str]:
    """The columns the statistics form asks for this metric."""
    return ["n", *required_sums(experiment_metric)]


class StatisticsForm(forms.Form):
    """One row per variant, one column per sum the metric needs; empty rows are left out."""

    def __init__(
        self,
        *args: Any,
        experiment_metric: ExperimentMetric,
        variants: Sequence[Variant],
        existing: dict[int, VariantStatistics],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.variants = list(variants)
        self.columns = statistic_fields(experiment_metric)
        if experiment_metric.metric_type == MetricType.PROPORTION:
            self.sum_label = "Users who converted"
        else:
            self.sum_label = STAT_LABELS["sum"]
        for variant in self.variants:
            stats = existing.get(variant.pk)
            for column in self.columns:
                field: forms.Field
                if column == "n":
                    field = forms.IntegerField(min_value=0, required=False)
                else:
                    field = forms.FloatField(required=False)
                field.label = f"{variant.name}: {self.label_of(column)}"
                field.initial = getattr(stats, column) if stats else None
                self.fields[self.key(variant, column)] = field

    @staticmethod
    def key(variant: Variant, column: str) -> str:
        return f"v{variant.pk}_{column}"

    def label_of(self, column: str) -> str:
        return self.sum_label if column == "sum" else STAT_LABELS[column]

    def grid(self) -> list[tuple[Variant, list[forms.BoundField]]]:
        return [(v, [self[self.key(v, c)] for c in self.columns]) for v in self.variants]

    def rows(self) -> list[dict[str, Any]]:
        """{variant, n, sum, ...} for each variant with anything filled in."""
        out = []
        for variant in self.variants:
            values = {c: self.cleaned_data.get(self.key(variant, c)) for c in self.columns}
            if all(value is None for value in values.values()):
                continue
            out.append({"variant": variant, **values})
        return out

    def place_errors(self, errors: dict[str, list[str]], given: list[dict[str, Any]]) -> None:
        """Put the service's `rows[i].<field>` errors on the fields they name."""
        for where, messages in errors.items():
            head, _, column = where.partition(".")
            index = head[len("rows[") : -1] if head.startswith("rows[") else ""
            if index.isdigit() and int(index) < len(given):
                key = self.key(given[int(index)]["variant"], column)
                if key in self.fields:
                    self.add_error(key, messages)
                    continue
            self.add_error(None, [f"{where}: {message}" for message in messages])


class StatisticsImportForm(forms.Form):
    file = forms.FileField(
        label="CSV or XLSX file",
        help_text="Columns: metric (its key), variant (its name), n, sum, sum_squares, and "
        "for ratio or CUPED metrics their sums. The first row names the columns.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.xlsm,text/csv"}),
    )
    dry_run = forms.BooleanField(
        required=False, initial=True, label="Dry run: check the file and save nothing"
    )


class StartForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    start_date = forms.DateField(widget=DATE, required=False)


class StopForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class DecisionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    decision = forms.ChoiceField(choices=[("", "---------"), *Decision.choices], required=False)
    winner = forms.ModelChoiceField(
        queryset=Variant.objects.none(),
        required=False,
        help_text="To ship: the variant that ships.",
    )
    rationale = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text="Why: the evidence and the trade-offs (Markdown).",
    )

    def __init__(self, *args: Any, experiment: Experiment, variants: Sequence[Variant], **kw):
        super().__init__(*args, **kw)
        self.fields["winner"].queryset = Variant.objects.filter(experiment=experiment)
        self.fields["winner"].choices = [("", "---------")] + [
            (v.pk, v.name) for v in variants if not v.is_control
        ]
        if experiment.feature_id:
            self.fields[
                "decision"
            ].help_text = "Shipping marks the feature measured (it must be released)."


class SizeForm(forms.Form):
    """The sample-size calculator (a GET form on the experiment's page)."""

    baseline = forms.FloatField(required=False, help_text="The control's mean or rate.")
    sd = forms.FloatField(
        required=False, label="Standard deviation", help_text="Mean metrics: of one user's value."
    )
    mde = forms.FloatField(required=False, label="Minimum detectable effect (%)")
    daily = forms.FloatField(required=False, min_value=0, label="Users per day")
    power = forms.FloatField(required=False, min_value=0.5, max_value=0.99, initial=0.8)
