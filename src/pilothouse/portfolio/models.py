from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models

from pilothouse.core.models import VersionedModel


class LifecycleStage(models.TextChoices):
    DISCOVERY = "discovery", "Discovery"
    BUILD = "build", "Build"
    LAUNCH = "launch", "Launch"
    GROWTH = "growth", "Growth"
    MATURE = "mature", "Mature"
    SUNSET = "sunset", "Sunset"
    RETIRED = "retired", "Retired"


class ProductKind(models.TextChoices):
    REVENUE = "revenue", "Revenue"
    PLATFORM = "platform", "Platform"
    INTERNAL = "internal", "Internal"


class ProductLine(VersionedModel):
    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_product_lines",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def steward_ids(self) -> set[int]:
        return {self.owner_id} - {None}


product_key_validator = RegexValidator(
    r"^[A-Z][A-Z0-9]{1,9}$",
    "Use 2 to 10 capital letters or digits, starting with a letter (e.g. PAY).",
)


class Product(VersionedModel):
    name = models.CharField(max_length=120)
    key = models.CharField(
        max_length=10,
        unique=True,
        validators=[product_key_validator],
        help_text="A short unique key such as PAY, used in references.",
    )
    description = models.TextField(blank=True)
    product_line = models.ForeignKey(ProductLine, on_delete=models.PROTECT, related_name="products")
    stage = models.CharField(
        max_length=16, choices=LifecycleStage.choices, default=LifecycleStage.DISCOVERY
    )
    kind = models.CharField(max_length=16, choices=ProductKind.choices, default=ProductKind.REVENUE)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_products",
    )
    arr = models.DecimalField(
        "ARR",
        max_digits=14,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
        help_text="Annual recurring revenue.",
    )
    launch_date = models.DateField(
        null=True, blank=True, help_text="When the product launched or is to launch."
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.key})"

    def steward_ids(self) -> set[int]:
        return ({self.owner_id} | self.product_line.steward_ids()) - {None}

    def permission_parent(self) -> ProductLine | None:
        return self.product_line if self.product_line_id else None


class ProductArea(VersionedModel):
    """A part of a product with its own owner (onboarding, billing, ...)."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="areas")
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_product_areas",
    )

    class Meta:
        ordering = ["product__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["product", "name"], name="product_area_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name

    def steward_ids(self) -> set[int]:
        return ({self.owner_id} | self.product.steward_ids()) - {None}

    def permission_parent(self) -> Product | None:
        return self.product if self.product_id else None
