"""Values every page's layout needs."""

from __future__ import annotations

from django.http import HttpRequest

from pilothouse.core import permissions

NAVIGATION = [
    ("Portfolio", "web:portfolio"),
    ("Strategy", "strategy:objective_tree"),
    ("Roadmap", "roadmap:feature_list"),
    ("People", "people:person_list"),
    ("Changes", "core:change_list"),
]


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    items = list(NAVIGATION)
    if permissions.is_admin(user):
        items.append(("Admin", "core:user_list"))
    return {"nav_items": items, "nav_section": request.path.strip("/").split("/", 1)[0]}
