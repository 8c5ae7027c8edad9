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
    ("Prioritization", "prioritization:model_list"),
    ("Customers", "customers:inbox"),
    ("Metrics", "metrics:catalog"),
    ("Experiments", "experiments:experiment_list"),
    ("Teams", "delivery:team_list"),
    ("People", "people:person_list"),
    ("Changes", "core:change_list"),
]

# The views of a section, listed under its entry of the main navigation.
SECTION_VIEWS = {
    "metrics:catalog": [
        ("Catalog", "metrics:catalog"),
        ("Dashboard", "metrics:dashboard"),
    ],
    "people:person_list": [
        ("People", "people:person_list"),
        ("Org chart", "people:org_chart"),
        ("Career ladder", "people:ladder"),
        ("Promotion readiness", "people:readiness"),
        ("Coverage", "people:coverage"),
        ("Hiring plan", "people:hiring_plan"),
    ],
    "delivery:team_list": [
        ("Teams", "delivery:team_list"),
        ("Allocations", "delivery:allocation_grid"),
    ],
    "roadmap:feature_list": [
        ("Features", "roadmap:feature_list"),
        ("Timeline", "roadmap:timeline"),
        ("Now / next / later", "roadmap:board"),
        ("Release plan", "roadmap:release_plan"),
        ("Milestones", "roadmap:milestone_list"),
    ],
}


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    # The aria-current value: "page" on the section's own page, "true" inside it.
    current: str = ""
    views: tuple[NavItem, ...] = ()  # the section's views (SECTION_VIEWS)


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
        views = tuple(
            NavItem(label=view, url=reverse(view_name), current="page")
            if reverse(view_name) == request.path
            else NavItem(label=view, url=reverse(view_name))
            for view, view_name in SECTION_VIEWS.get(name, ())
        )
        items.append(NavItem(label=label, url=url, current=current, views=views))
    return {
        "nav_items": items,
        "nav_section": section,
        # Pages only product leaders and admins may open (team cost) are linked for them.
        "nav_portfolio_wide": permissions.is_portfolio_wide(user),
    }
