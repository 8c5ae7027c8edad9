"""Values every page's layout needs."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse

from pilothouse.core import permissions

NAVIGATION = [
    ("Portfolio", "web:portfolio"),
    ("Strategy", "strategy:objective_tree"),
    ("Roadmap", "roadmap:feature_list"),
    ("Customers", "customers:inbox"),
    ("People", "people:person_list"),
    ("Changes", "core:change_list"),
]


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    # The aria-current value: "page" on the section's own page, "true" inside it.
    current: str = ""


def _section(path: str) -> str:
    return path.strip("/").split("/", 1)[0]


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    entries = list(NAVIGATION)
    if permissions.is_admin(user):
        entries.append(("Admin", "core:user_list"))
    section = _section(request.path)
    items = []
    for label, name in entries:
        url = reverse(name)
        current = ""
        if url == request.path:
            current = "page"
        elif section and _section(url) == section:
            current = "true"
        items.append(NavItem(label=label, url=url, current=current))
    return {"nav_items": items, "nav_section": section}
