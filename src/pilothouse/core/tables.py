"""Sortable column headers for server-rendered tables."""

from __future__ import annotations

from collections.abc import Iterable


def sort_headers(*, columns: Iterable[tuple[str, str, str]], sort: str) -> list[dict]:
    """The headers of a table sorted by `sort` ("key" or "-key").

    `columns` are (key, label, first) where `first` is "" or "-": the direction a click
    on a column not yet sorted by starts with. Each header says which `sort` a click
    asks for next and its `aria_sort` state.
    """
    headers = []
    descending = sort.startswith("-")
    for key, label, first in columns:
        if sort.lstrip("-") == key:
            following = key if descending else f"-{key}"
            aria_sort = "descending" if descending else "ascending"
        else:
            following, aria_sort = f"{first}{key}", ""
        headers.append({"key": key, "label": label, "sort": following, "aria_sort": aria_sort})
    return headers
