"""Every write to the portfolio goes through these (see core.writes)."""

from __future__ import annotations

from pilothouse.core.writes import ModelWrites
from pilothouse.portfolio.models import Product, ProductArea, ProductLine

product_line = ModelWrites(ProductLine)
product = ModelWrites(Product)
product_area = ModelWrites(ProductArea)
