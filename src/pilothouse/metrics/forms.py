"""The forms of the metric catalog (run through the services by core.editing, or, for
values, through services.metric_values_upsert)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from pilothouse.api.uploads import too_big_message
from pilothouse.core.forms import VersionedModelForm
from pilothouse.engines import metrics as engine
from pilothouse.metrics import services
from pilothouse.metrics.imports import VALUE_FIELDS
from pilothouse.metrics.models import KeyResultMetric, Metric, MetricTarget
from pilothouse.metrics.selectors import metric_choices
from pilothouse.portfolio.models import Product

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# Lines of pasted values one form takes (a longer series: the file import).
MAX_PASTED_LINES = 5000


class MetricForm(VersionedModelForm):
    class Meta:
        model = Metric
        fields = [
            "key",
            "name",
            "kind",
            "description",
            "definition",
            "unit",
            "direction",
            "owner",
            "products",
            "aggregation",
            "granularity",
            "tolerance_percent",
        ]
        help_texts = {
            "products": "A product manager may choose only products they look after.",
            "granularity": "Values are stored per day, per week (from Monday) or per month "
            "(from the 1st). It cannot change once the metric has values.",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["products"].queryset = Product.objects.order_by("name")


class MetricTargetForm(VersionedModelForm):
    class Meta:
        model = MetricTarget
        fields = ["start", "end", "value", "note"]
        widgets = {"start": DATE, "end": DATE}
        help_texts = {
            "end": "The value is to be reached by this day.",
            "value": "The metric's targets may not overlap.",
        }


class KeyResultMetricForm(VersionedModelForm):
    """Bind a key result to a metric: its current value is read from the metric."""

    class Meta:
        model = KeyResultMetric
        fields = ["metric", "dimension", "reading"]
        help_texts = {
            "dimension": "Follow one dimension value (a platform, a segment); empty for "
            "the metric overall.",
            "reading": "The latest value, or the sum or mean of the values over the "
            "objective's period.",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["metric"].queryset = metric_choices()


class ValueEntryForm(forms.Form):
    """One value, or many pasted as lines of `period start, value[, dimension]`."""

    period_start = forms.DateField(required=False, widget=DATE, label="Period start")
    value = forms.FloatField(required=False)
    dimension = forms.CharField(
        required=False,
        max_length=services.DIMENSION_MAX,
        help_text="Empty for the metric overall.",
    )
    pasted = forms.CharField(
        required=False,
        label="Or paste many",
        widget=forms.Textarea(
            attrs={"rows": 5, "placeholder": "2026-03-02, 41200\n2026-03-09, 42050, web"}
        ),
        help_text="One value per line: period start (YYYY-MM-DD), value, and optionally "
        "a dimension; separated by commas, semicolons or tabs.",
    )

    def __init__(self, *args: Any, metric: Metric, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.metric = metric
        label = {"day": "the day", "week": "the Monday of the week", "month": "the 1st"}
        self.fields[
            "period_start"
        ].help_text = (
            f"Values of this metric are by {metric.granularity}: give {label[metric.granularity]}."
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        pasted = (data.get("pasted") or "").strip()
        single = data.get("period_start") is not None or data.get("value") is not None
        if pasted and single:
            raise ValidationError("Enter one value or paste many, not both.")
        if not pasted and not single:
            raise ValidationError("Enter a period start and a value, or paste values.")
        if single:
            if data.get("period_start") is None:
                self.add_error("period_start", "Give the period's first day.")
            if data.get("value") is None:
                self.add_error("value", "Give the value.")
        return data

    def rows(self) -> list[services.ValueRow]:
        """The values entered, once the form is valid; ValidationError naming a pasted
        line that cannot be read."""
        data = self.cleaned_data
        pasted = (data.get("pasted") or "").strip()
        if not pasted:
            return [
                services.ValueRow(data["period_start"], data["value"], data.get("dimension") or "")
            ]
        return parse_pasted(pasted)


def parse_pasted(text: str) -> list[services.ValueRow]:
    lines = text.splitlines()
    if len(lines) > MAX_PASTED_LINES:
        raise ValidationError(
            {"pasted": f"At most {MAX_PASTED_LINES:,} lines; import a file for more."}
        )
    rows = []
    problems = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        separator = "\t" if "\t" in line else (";" if ";" in line else ",")
        cells = [cell.strip() for cell in line.split(separator)]
        if len(cells) not in (2, 3):
            problems.append(
                f"Line {number}: give a period start, a value and optionally a dimension."
            )
            continue
        try:
            day = dt.date.fromisoformat(cells[0])
        except ValueError:
            problems.append(f"Line {number}: {cells[0]!r} is not a date (YYYY-MM-DD).")
            continue
        try:
            value = float(cells[1].replace(" ", ""))
        except ValueError:
            problems.append(f"Line {number}: {cells[1]!r} is not a number.")
            continue
        rows.append(services.ValueRow(day, value, cells[2] if len(cells) == 3 else ""))
    if problems:
        raise ValidationError({"pasted": problems[:20]})
    return rows


def describe_refusals(exc: ValidationError, rows: list[services.ValueRow]) -> list[str]:
    """Messages of a refused upsert that name the period (and dimension) of each row."""
    found = []
    errors = getattr(exc, "errors", None)
    if not errors:
        return exc.messages
    for index, error in errors.items():
        row = rows[index] if index < len(rows) else None
        where = ""
        if row is not None:
            where = (
                f"{row.period_start.isoformat()}{' ' + row.dimension if row.dimension else ''}: "
            )
        found += [f"{where}{message}" for message in ValidationError(error).messages]
    return found


class ImportForm(forms.Form):
    file = forms.FileField(
        label="CSV or XLSX file",
        help_text="Columns: metric (its key), period_start, value and optionally dimension. "
        "The first row names the columns.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.xlsm,text/csv"}),
    )
    dry_run = forms.BooleanField(
        label="Preview only",
        required=False,
        initial=True,
        help_text="Check the file; save nothing.",
    )
    partial = forms.BooleanField(
        label="Keep the good rows",
        required=False,
        help_text="Save the rows that can be saved even when others are refused.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for spec in VALUE_FIELDS:
            self.fields[f"map_{spec.name}"] = forms.CharField(
                label=f"Column of “{spec.name}”",
                required=False,
                max_length=200,
                help_text="Empty: found by name"
                + (f" (or {', '.join(spec.aliases[:3])})" if spec.aliases else "")
                + ".",
            )

    def clean_file(self) -> UploadedFile:
        upload = self.cleaned_data["file"]
        if upload.size > settings.IMPORT_MAX_UPLOAD_BYTES:
            raise ValidationError(too_big_message(upload.size), code="too_big")
        return upload

    def mapping(self) -> dict[str, str | None] | None:
        chosen = {
            spec.name: self.cleaned_data.get(f"map_{spec.name}") or None for spec in VALUE_FIELDS
        }
        given = {name: column for name, column in chosen.items() if column}
        return given or None


def granularity_choices(metric: Metric) -> list[tuple[str, str]]:
    """The granularities a metric's chart may show: its own, and coarser ones it rolls
    up into."""
    return [
        (name, f"By {name}")
        for name in engine.GRANULARITIES
        if engine.can_roll_up(source=metric.granularity, target=name)
    ]
