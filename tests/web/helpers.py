"""Helpers of the web tests: form payloads and query counting."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext


def form_payload(form, **changes: Any) -> dict[str, Any]:
    """What a browser would submit for an unbound form as drawn, with `changes` applied."""
    data: dict[str, Any] = {}
    for name in form.fields:
        value = form[name].value()
        if value is None:
            continue
        data[name] = [str(v) for v in value] if isinstance(value, list | tuple) else str(value)
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


def count_queries(func: Callable[[], Any]) -> int:
    with CaptureQueriesContext(connection) as context:
        func()
    return len(context.captured_queries)


def assert_same_queries(small: Callable[[], Any], grow: Callable[[], None]) -> int:
    """Run `small`, add data with `grow`, run `small` again: the query counts must match.

    A first, unmeasured run fills the process-wide caches (content types, say).
    """
    small()
    before = count_queries(small)
    grow()
    after = count_queries(small)
    assert before == after, f"{before} queries before growing the data, {after} after"
    return after


def history_panel(html: str) -> str:
    """The history panel of a page (core/partials/history.html)."""
    start = html.index('id="history"')
    return html[start : html.index("</section>", start)]
