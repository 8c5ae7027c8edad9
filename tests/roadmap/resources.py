"""The API matrix rows of milestones, feature tags and dependencies.

tests/api/resources.py imports this module after defining Spec and World; import the
rows through it (`from tests.api.resources import SPECS`), not from here.
"""

from __future__ import annotations

import datetime as dt
import itertools

from pilothouse.roadmap.models import Dependency, FeatureTag, Milestone
from tests.api.resources import Spec, World
from tests.factories import FeatureFactory

_serial = itertools.count(1)


def product_managers_create(role: str, method: str) -> bool:
    """Milestones: every product manager adds them; only those who look after all of
    the milestone's products (or wrote it) change it."""
    if role in {"admin", "product_leader"}:
        return True
    if method == "create":
        return role in {"pm_owner", "pm_other"}
    return role == "pm_owner"


def every_product_manager(role: str, method: str) -> bool:
    return role in {"admin", "product_leader", "pm_owner", "pm_other"}


def make_milestone(w: World) -> Milestone:
    milestone = Milestone.objects.create(name=f"Summit {next(_serial)}", date=dt.date(2026, 10, 1))
    milestone.products.add(w.product)
    return milestone


def filter_milestones(w: World) -> tuple[dict, list[int]]:
    late = Milestone.objects.create(name="Renewal", date=dt.date(2030, 1, 15))
    return {"after": "2029-12-31"}, [late.pk]


def make_tag(w: World) -> FeatureTag:
    return FeatureTag.objects.create(name=f"tag-{next(_serial)}")


def filter_tags(w: World) -> tuple[dict, list[int]]:
    tag = FeatureTag.objects.create(name=f"zebra-{next(_serial)}")
    return {"q": "zebra"}, [tag.pk]


def make_dependency(w: World) -> Dependency:
    blocker = FeatureFactory(product=w.product)
    return Dependency.objects.create(blocker=blocker, blocked=w.feature)


def create_dependency(w: World) -> dict:
    return {"blocker": FeatureFactory(product=w.other_product).pk, "blocked": w.feature.pk}


def filter_dependencies(w: World) -> tuple[dict, list[int]]:
    blocked = FeatureFactory(product=w.product)
    dependency = Dependency.objects.create(blocker=w.feature, blocked=blocked)
    return {"blocked": blocked.pk}, [dependency.pk]


ROADMAP_SPECS: list[Spec] = [
    Spec(
        path="/milestones",
        model=Milestone,
        make=make_milestone,
        create=lambda w: {
            "name": "Annual conference",
            "date": "2026-11-03",
            "description": "Keynote",
            "product_ids": [w.product.pk],
        },
        patch={"name": "Annual conference (moved)", "date": "2026-11-10"},
        bad_type=("date", "soon"),
        required="date",
        unknown_ref="product_ids",
        too_long=("name", 120),
        invalid=lambda w: ({"name": "", "date": "2026-01-01"}, "name"),
        filter_case=filter_milestones,
        order_field="date",
        pm_creates=True,
        pm_changes=True,
        allowed=product_managers_create,
    ),
    Spec(
        path="/feature-tags",
        model=FeatureTag,
        make=make_tag,
        create=lambda w: {"name": f"compliance-{next(_serial)}"},
        patch={"name": "renamed-tag"},
        bad_type=("name", ["a"]),
        required="name",
        unknown_ref=None,
        too_long=("name", 60),
        invalid=lambda w: ({"name": ""}, "name"),
        filter_case=filter_tags,
        order_field="name",
        pm_creates=True,
        pm_changes=True,
        allowed=every_product_manager,
    ),
    Spec(
        path="/dependencies",
        model=Dependency,
        make=make_dependency,
        create=create_dependency,
        patch={"note": "Needs the new API first"},
        bad_type=("blocker", "first"),
        required="blocked",
        unknown_ref="blocker",
        too_long=("note", 200),
        invalid=lambda w: ({"blocker": w.feature.pk, "blocked": w.feature.pk}, "blocked"),
        filter_case=filter_dependencies,
        order_field="id",
        pm_creates=True,
        pm_changes=True,
    ),
]
