"""Forms of the portfolio pages; the views run them through the services (core.editing)."""

from __future__ import annotations

from django import forms

from pilothouse.core.forms import VersionedModelForm
from pilothouse.portfolio.models import Product, ProductArea, ProductLine

DESCRIPTION_HELP = "Markdown: **bold**, *italic*, lists, links, tables."


class ProductLineForm(VersionedModelForm):
    class Meta:
        model = ProductLine
        fields = ["name", "owner", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}
        help_texts = {"description": DESCRIPTION_HELP}


class ProductForm(VersionedModelForm):
    class Meta:
        model = Product
        fields = [
            "name",
            "key",
            "product_line",
            "stage",
            "kind",
            "owner",
            "arr",
            "launch_date",
            "description",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 8}),
            "launch_date": forms.DateInput(attrs={"type": "date"}),
        }
        help_texts = {"description": DESCRIPTION_HELP}


class ProductAreaForm(VersionedModelForm):
    class Meta:
        model = ProductArea
        fields = ["name", "owner", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}
