"""The forms of data sources and of the query preview."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from pilothouse.core.forms import VersionedModelForm
from pilothouse.metrics.models import DataSource


class DataSourceForm(VersionedModelForm):
    """A data source. The database URL is write-only: the field is always drawn empty,
    and left empty on edit it keeps the stored URL."""

    url = forms.CharField(
        label="Database URL",
        required=False,
        max_length=2000,
        strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text="For a database URL source: dialect://user:password@host:port/database, "
        "e.g. postgresql://reader:secret@db.example.com:5432/analytics. Stored encrypted.",
    )

    class Meta:
        model = DataSource
        fields = [
            "name",
            "description",
            "kind",
            "database_path",
            "files_folder",
            "url",
            "timeout_seconds",
            "row_limit",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.url_display:
            self.fields["url"].help_text = (
                f"Stored: {self.instance.url_display}. Leave empty to keep it; "
                "type a new URL (with its password) to replace it."
            )

    def service_data(self) -> tuple[dict[str, Any], dict[str, Any]]:
        data, many = super().service_data()
        data["url"] = self.cleaned_data.get("url") or None
        return data, many


class QueryPreviewForm(forms.Form):
    """A query to preview on a source. The field names are the metric form's (`source`,
    `query`), so that form can post here as it stands."""

    source = forms.ModelChoiceField(queryset=DataSource.objects.order_by("name"))
    query = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 10, "class": "code-input", "spellcheck": "false"}),
        help_text="Return period_start, value and optionally dimension; :period_start and "
        ":period_end are the first and last day asked for.",
    )
    period_start = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label="From"
    )
    period_end = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label="To"
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start: dt.date | None = cleaned.get("period_start")
        end: dt.date | None = cleaned.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", "The period ends before it starts.")
        return cleaned
