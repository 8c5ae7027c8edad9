"""The filters of the roadmap views (timeline, board, release plan) and of share links.

One definition serves the pages (query string), the API and the filter a share link
keeps (JSON), so a shared roadmap shows exactly what its author filtered.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from pilothouse.roadmap.models import Feature, FeatureStage

ID_FIELDS = ("product_line", "product", "objective", "initiative", "owner", "tag")


@dataclass(frozen=True)
class RoadmapFilters:
    product_line: int | None = None
    product: int | None = None
    objective: int | None = None
    initiative: int | None = None
    owner: int | None = None
    tag: int | None = None
    stage: str | None = None

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> RoadmapFilters:
        """From a query string or stored JSON; empty values mean "any". Unknown keys
        are refused so that a typo in a share link's filter is not silently ignored."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValidationError({"filters": f"Unknown filter {unknown[0]!r}."})
        values: dict[str, Any] = {}
        for name in ID_FIELDS:
            raw = data.get(name)
            if raw in (None, ""):
                continue
            try:
                values[name] = int(raw)
            except (TypeError, ValueError):
                raise ValidationError({name: f"Expected an id, got {raw!r}."}) from None
        stage = data.get("stage") or None
        if stage is not None and stage not in FeatureStage.values:
            raise ValidationError({"stage": f"Unknown stage {stage!r}."})
        return cls(**values, stage=stage)

    @classmethod
    def from_query(cls, query: Mapping[str, Any]) -> RoadmapFilters:
        """From a page's query string, ignoring parameters that are not filters."""
        known = {f.name for f in fields(cls)}
        return cls.parse({key: query.get(key) for key in known if key in query})

    def to_json(self) -> dict[str, Any]:
        return {key: value for key, value in asdict(self).items() if value is not None}

    def apply(self, qs: QuerySet[Feature]) -> QuerySet[Feature]:
        conditions = Q()
        if self.product_line:
            conditions &= Q(product__product_line_id=self.product_line)
        if self.product:
            conditions &= Q(product_id=self.product)
        if self.initiative:
            conditions &= Q(initiative_id=self.initiative)
        if self.owner:
            conditions &= Q(owner_id=self.owner)
        if self.stage:
            conditions &= Q(stage=self.stage)
        qs = qs.filter(conditions)
        # Many-to-many filters as subqueries, so a feature never shows twice.
        if self.objective:
            qs = qs.filter(
                pk__in=Feature.objectives.through.objects.filter(
                    objective_id=self.objective
                ).values("feature_id")
            )
        if self.tag:
            qs = qs.filter(
                pk__in=Feature.tags.through.objects.filter(featuretag_id=self.tag).values(
                    "feature_id"
                )
            )
        return qs

    @property
    def active(self) -> bool:
        return bool(self.to_json())
