"""The org chart's nested lists as HTML. Built here rather than in a template loop: the
chart of a 400-person organization is a few thousand small pieces, which Django's
template engine renders about ten times slower than this, and it is the page people
open to look at the whole organization. Every value is escaped (django.utils.html).

The structure the page's script and styles rely on (static/people/org_chart.js): a
person is `li.org-node#person-<id>` with `data-search` (name and title, lower case); a
manager's reports are a `ul.org-reports` inside `details.org-fold`, whose `summary`
holds the manager's card; the card's span is `.org-card__span[data-span]`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from pilothouse.people.org_chart import Node
from pilothouse.people.selectors import OrgPerson


def _card(person: OrgPerson, node: Node, url: str) -> str:
    parts = [
        '<div class="org-card',
        " org-card--warning" if node.warning else "",
        '"><a class="org-card__name" href="',
        escape(url),
        '">',
        escape(person.name),
        "</a>",
    ]
    if person.job_title:
        parts += [' <span class="org-card__title">', escape(person.job_title), "</span>"]
    parts.append('<span class="org-card__facts">')
    if person.level_name:
        parts += ['<span class="org-card__level">', escape(person.level_name), "</span>"]
    if node.span:
        plural = "" if node.span == 1 else "s"
        parts += [
            f'<span class="org-card__span" data-span="{node.span}">',
            f"{node.span} direct report{plural}</span>",
            f'<span class="org-card__size">{node.size} in their organization</span>',
        ]
    parts.append(f'<span class="org-card__depth">depth {node.depth}</span>')
    if node.warning is not None:
        label = "Too many reports" if node.warning.too_many else "A single report"
        parts += [
            '<span class="org-card__warning" title="',
            escape(node.warning.message),
            '">',
            label,
            "</span>",
        ]
    parts.append("</span></div>")
    return "".join(parts)


def tree_html(
    nodes: list[Node], *, people: Mapping[int, OrgPerson], url_of: Callable[[int], str]
) -> SafeString:
    """The `<li>` items of the chart's outer list, in drawing order (org_chart.chart)."""
    parts: list[str] = []
    for node in nodes:
        person = people[node.person_id]
        classes = "org-node"
        if node.match:
            classes += " org-node--match"
        if node.context:
            classes += " org-node--context"
        search = escape(f"{person.name} {person.job_title}".lower())
        parts.append(f'<li class="{classes}" id="person-{person.id}" data-search="{search}">')
        card = _card(person, node, url_of(person.id))
        if node.opens:
            opened = " open" if node.is_open else ""
            parts.append(
                f'<details class="org-fold"{opened}><summary>{card}</summary>'
                '<ul class="org-reports">'
            )
        else:
            parts.append(card + "</li>")
        parts.append("</ul></details></li>" * node.closes)
    return mark_safe("".join(parts))  # every value above is escaped
