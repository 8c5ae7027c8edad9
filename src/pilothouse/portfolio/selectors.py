"""Every read of the portfolio used by views and the API."""

from __future__ import annotations

from django.db.models import QuerySet

from pilothouse.portfolio.models import Product, ProductArea, ProductLine


def product_line_list() -> QuerySet[ProductLine]:
    return ProductLine.objects.select_related("owner")


def product_list() -> QuerySet[Product]:
    return Product.objects.select_related("product_line", "owner")


def product_area_list() -> QuerySet[ProductArea]:
    return ProductArea.objects.select_related("product", "owner")


def product_by_key(*, key: str) -> Product:
    return product_list().get(key=key)
