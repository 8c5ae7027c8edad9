"""Create, edit and delete pages of product lines, products and areas.

The pages that show them (the portfolio overview, the product page) gather data
from every app and live in `pilothouse.web`.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse

from pilothouse.core.editing import EditPages, int_param
from pilothouse.portfolio import selectors, services
from pilothouse.portfolio.forms import ProductAreaForm, ProductForm, ProductLineForm
from pilothouse.portfolio.models import Product, ProductArea, ProductLine


def portfolio_url(line: ProductLine | None = None) -> str:
    url = reverse("web:portfolio")
    return f"{url}#line-{line.pk}" if line is not None and line.pk else url


def product_url(product: Product) -> str:
    return reverse("web:product_detail", args=[product.key])


line_pages = EditPages(
    form_class=ProductLineForm, writes=services.product_line, detail_url=portfolio_url
)
product_pages = EditPages(
    form_class=ProductForm,
    writes=services.product,
    detail_url=product_url,
    parent_chosen_in_form=True,
)
area_pages = EditPages(
    form_class=ProductAreaForm,
    writes=services.product_area,
    detail_url=lambda area: product_url(area.product),
)


def _line(pk: int) -> ProductLine:
    return get_object_or_404(selectors.product_line_list(), pk=pk)


def _product(key: str) -> Product:
    return get_object_or_404(selectors.product_list(), key=key)


def _area(pk: int) -> ProductArea:
    return get_object_or_404(
        selectors.product_area_list().select_related("product__product_line"), pk=pk
    )


def product_line_create(request: HttpRequest) -> HttpResponse:
    return line_pages.create(request, cancel_url=portfolio_url())


def product_line_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return line_pages.edit(request, _line(pk))


def product_line_delete(request: HttpRequest, pk: int) -> HttpResponse:
    return line_pages.delete(request, _line(pk), done_url=portfolio_url())


def product_create(request: HttpRequest) -> HttpResponse:
    line_id = int_param(request, "line")
    line = selectors.product_line_list().filter(pk=line_id).first() if line_id else None
    return product_pages.create(
        request,
        initial={"product_line": line, "owner": request.user},
        cancel_url=portfolio_url(line),
    )


def product_edit(request: HttpRequest, key: str) -> HttpResponse:
    return product_pages.edit(request, _product(key))


def product_delete(request: HttpRequest, key: str) -> HttpResponse:
    product = _product(key)
    return product_pages.delete(request, product, done_url=portfolio_url(product.product_line))


def product_area_create(request: HttpRequest, key: str) -> HttpResponse:
    product = _product(key)
    return area_pages.create(
        request,
        fixed={"product": product},
        cancel_url=product_url(product),
        title=f"New area of {product}",
    )


def product_area_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return area_pages.edit(request, _area(pk))


def product_area_delete(request: HttpRequest, pk: int) -> HttpResponse:
    area = _area(pk)
    return area_pages.delete(request, area, done_url=product_url(area.product))
