"""Where each kind of object is shown, so the change log can link to it."""

from __future__ import annotations

from django.urls import reverse

from pilothouse.core.views import register_object_page
from pilothouse.people.models import Person
from pilothouse.portfolio.models import Product, ProductArea, ProductLine
from pilothouse.roadmap.models import Feature, Release
from pilothouse.strategy.models import Initiative, KeyResult, Objective


def register() -> None:
    register_object_page(ProductLine, lambda line: reverse("web:portfolio") + f"#line-{line.pk}")
    register_object_page(Product, lambda p: reverse("web:product_detail", args=[p.key]))
    register_object_page(
        ProductArea,
        lambda area: reverse("web:product_detail", args=[area.product.key]),
        queryset=lambda: ProductArea.objects.select_related("product"),
    )
    register_object_page(Objective, lambda o: reverse("web:objective_detail", args=[o.pk]))
    register_object_page(
        KeyResult, lambda r: reverse("web:objective_detail", args=[r.objective_id])
    )
    register_object_page(Initiative, lambda i: reverse("web:initiative_detail", args=[i.pk]))
    register_object_page(Feature, lambda f: reverse("roadmap:feature_detail", args=[f.pk]))
    register_object_page(Release, lambda r: reverse("roadmap:release_detail", args=[r.pk]))
    register_object_page(Person, lambda p: reverse("people:person_detail", args=[p.pk]))
