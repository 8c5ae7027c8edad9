"""Every read of the portfolio used by views and the API."""

from __future__ import annotations

from django.db.models import Count, Prefetch, QuerySet

from pilothouse.portfolio.models import Product, ProductArea, ProductLine


def product_line_list() -> QuerySet[ProductLine]:
    return ProductLine.objects.select_related("owner")


def product_list() -> QuerySet[Product]:
    return Product.objects.select_related("product_line", "owner")


def product_area_list() -> QuerySet[ProductArea]:
    return ProductArea.objects.select_related("product", "owner")


def product_by_key(*, key: str) -> Product:
    return product_list().get(key=key)


def product_stage_counts() -> dict[str, int]:
    """{lifecycle stage: number of products} in one query."""
    rows = Product.objects.values("stage").annotate(n=Count("id")).order_by()
    return {row["stage"]: row["n"] for row in rows}


def product_lines_with_products() -> QuerySet[ProductLine]:
    """Product lines with their owners and their products (with owners): two queries."""
    return product_line_list().prefetch_related(
        Prefetch("products", queryset=Product.objects.select_related("owner").order_by("name"))
    )


def product_areas(*, product: Product) -> QuerySet[ProductArea]:
    """The areas of a product with what deciding who may edit them needs, in one query."""
    return ProductArea.objects.filter(product=product).select_related(
        "owner", "product__product_line"
    )
