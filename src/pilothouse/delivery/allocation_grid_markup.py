"""The allocation grid's person rows as HTML. Built here rather than in a template loop: a
page of 50 people with their cells and allocations is a few thousand small pieces, which
Django's template engine renders several times slower than this (see people's
org_chart_markup.py for the same choice). Every value is escaped (django.utils.html).

A row is `tr#person-<id>`: the person's name (a link), an "Over-allocated" badge, their
allocations in a `details` list (with edit and delete links for who may change them),
then a cell per period, flagged `allocation-cell--over` with the flag's sentence, and
the year's figure.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from pilothouse.delivery.allocation_grid import AllocationLine, Cell, PersonRow

# A number no object has, reversed once and replaced by each object's id: one reverse()
# per page instead of one per allocation.
_SLOT = 987654321


class _Urls:
    def __init__(self) -> None:
        self.person = reverse("people:person_detail", args=[_SLOT])
        self.edit = reverse("delivery:allocation_edit", args=[_SLOT])
        self.delete = reverse("delivery:allocation_delete", args=[_SLOT])
        self.create = reverse("delivery:allocation_create")

    @staticmethod
    def of(pattern: str, pk: int) -> str:
        return escape(pattern.replace(str(_SLOT), str(pk)))


def _allocation(line: AllocationLine, urls: _Urls, can_change: bool) -> str:
    parts = [
        f"<li>{line.percent} % on ",
        escape(line.target),
        f", {line.start.isoformat()} to {line.end.isoformat()}",
    ]
    if line.note:
        parts += [" (", escape(line.note), ")"]
    if can_change:
        parts += [
            ' · <a href="',
            urls.of(urls.edit, line.pk),
            '">Edit</a> · <a href="',
            urls.of(urls.delete, line.pk),
            '">Delete</a>',
        ]
    parts.append("</li>")
    return "".join(parts)


def _cell(cell: Cell) -> str:
    if cell.over is not None:
        message = escape(cell.over.message)
        return (
            f'<td class="number allocation-cell--over" title="{message}">{cell.shown} %'
            f'<span class="visually-hidden"> (over-allocated: {message})</span></td>'
        )
    empty = " allocation-cell--empty" if not cell.percent else ""
    return f'<td class="number{empty}">{cell.shown} %</td>'


def rows_html(rows: Sequence[PersonRow], *, can_create: bool) -> SafeString:
    """The `<tr>` rows of the grid's body, one per person, in the order given."""
    urls = _Urls()
    parts: list[str] = []
    for row in rows:
        person = row.person
        count = len(row.allocations)
        parts += [
            f'<tr id="person-{person.pk}"><th scope="row"><a href="',
            urls.of(urls.person, person.pk),
            '">',
            escape(person.name),
            "</a>",
            ' <span class="badge badge--warning">Over-allocated</span>' if row.over else "",
            '<details><summary class="small">',
            f"{count} allocation{'' if count == 1 else 's'}</summary>",
            '<ul class="allocation-list">',
        ]
        parts.extend(_allocation(line, urls, can_create) for line in row.allocations)
        parts.append("</ul>")
        if can_create:
            parts.append(
                f'<a class="small" href="{escape(urls.create)}?person={person.pk}">'
                "Add an allocation</a>"
            )
        parts.append("</details></th>")
        parts.extend(_cell(cell) for cell in row.cells)
        parts.append(f'<td class="number">{row.year_shown} %</td></tr>')
    return mark_safe("".join(parts))  # every value above is escaped
