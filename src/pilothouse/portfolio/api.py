"""/api/v1/product-lines, /products, /product-areas."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from ninja import Field, FilterLookup, FilterSchema, Router, Schema

from pilothouse.api import crud
from pilothouse.core.models import User
from pilothouse.portfolio import selectors, services
from pilothouse.portfolio.models import (
    LifecycleStage,
    Product,
    ProductArea,
    ProductKind,
    ProductLine,
)


class ProductLineIn(Schema):
    name: str
    description: str = ""
    owner_id: int | None = None


class ProductLineOut(crud.VersionedOut, ProductLineIn):
    pass


class ProductLineFilters(FilterSchema):
    q: Annotated[
        str | None, FilterLookup("name__icontains"), Field(description="Text in the name")
    ] = None
    owner_id: int | None = None


class ProductIn(Schema):
    name: str
    key: str
    product_line_id: int
    description: str = ""
    stage: LifecycleStage = LifecycleStage.DISCOVERY
    kind: ProductKind = ProductKind.REVENUE
    owner_id: int | None = None
    arr: Decimal = Decimal(0)
    launch_date: dt.date | None = None


class ProductOut(crud.VersionedOut, ProductIn):
    pass


class ProductFilters(FilterSchema):
    q: Annotated[str | None, FilterLookup(["name__icontains", "key__icontains"])] = None
    product_line_id: int | None = None
    stage: LifecycleStage | None = None
    kind: ProductKind | None = None
    owner_id: int | None = None


class ProductAreaIn(Schema):
    product_id: int
    name: str
    description: str = ""
    owner_id: int | None = None


class ProductAreaOut(crud.VersionedOut, ProductAreaIn):
    pass


class ProductAreaFilters(FilterSchema):
    product_id: int | None = None
    owner_id: int | None = None


OWNER = {"owner_id": ("owner", User)}

product_lines = Router(tags=["portfolio"])
crud.register(
    product_lines,
    crud.Resource(
        model=ProductLine,
        out=ProductLineOut,
        create_in=ProductLineIn,
        update_in=crud.patch_schema(ProductLineIn, name="ProductLinePatch"),
        filters=ProductLineFilters,
        select=selectors.product_line_list,
        create=services.product_line.create,
        update=services.product_line.update,
        delete=services.product_line.delete,
        ordering=("id", "name", "created_at", "updated_at"),
        default_ordering="name",
        refs=OWNER,
    ),
)

products = Router(tags=["portfolio"])
crud.register(
    products,
    crud.Resource(
        model=Product,
        out=ProductOut,
        create_in=ProductIn,
        update_in=crud.patch_schema(ProductIn, name="ProductPatch"),
        filters=ProductFilters,
        select=selectors.product_list,
        create=services.product.create,
        update=services.product.update,
        delete=services.product.delete,
        ordering=("id", "name", "key", "stage", "kind", "arr", "created_at", "updated_at"),
        default_ordering="name",
        refs={**OWNER, "product_line_id": ("product_line", ProductLine)},
    ),
)

product_areas = Router(tags=["portfolio"])
crud.register(
    product_areas,
    crud.Resource(
        model=ProductArea,
        out=ProductAreaOut,
        create_in=ProductAreaIn,
        update_in=crud.patch_schema(ProductAreaIn, name="ProductAreaPatch"),
        filters=ProductAreaFilters,
        select=selectors.product_area_list,
        create=services.product_area.create,
        update=services.product_area.update,
        delete=services.product_area.delete,
        ordering=("id", "name", "created_at", "updated_at"),
        default_ordering="name",
        refs={**OWNER, "product_id": ("product", Product)},
    ),
)

ROUTERS = {"/product-lines": product_lines, "/products": products, "/product-areas": product_areas}
