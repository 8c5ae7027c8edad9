"""Extra panels on an object's page, contributed by the apps above the one that owns it.

The page of a model belongs to one app, but other apps may have something to show on
it: the customer evidence behind a feature lives in the customer voice, which the
roadmap must not import. So the app with something to show registers a panel for the
model (in its AppConfig.ready), and the page renders whatever is registered:

    # customers/apps.py, in ready():
    panels.register(Feature, key="evidence", title="Customer evidence",
                    template="customers/panels/evidence.html", context=evidence_context)

    # roadmap's feature view:
    context["panels"] = panels.render_all(request, feature)

    # its template:
    {% for panel in panels %}{{ panel.html }}{% endfor %}

`context(request, obj)` returns the template's context (or None to leave the panel
out on this object); it should cost a fixed number of queries. A panel may also ask the
page's own read of the object for annotations (`annotate=`, applied by the page's
selector through `annotations(model)`), e.g. whether it has anything to show at all.
Panels render in the order of `order`, then of registration. Registering the same key
again replaces the panel (so a reloaded app does not show it twice). Core knows none of the models.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

PanelContext = Callable[[HttpRequest, models.Model], dict[str, Any] | None]


@dataclass(frozen=True)
class Panel:
    key: str
    title: str
    template: str
    context: PanelContext
    order: int = 100
    # Annotations the page's own read of the object adds for this panel (see
    # `annotations`), e.g. whether there is anything to show, so that a panel with
    # nothing to show costs no query.
    annotate: dict[str, Any] | None = None


@dataclass(frozen=True)
class RenderedPanel:
    key: str
    title: str
    html: SafeString


_panels: dict[type[models.Model], dict[str, Panel]] = {}


def register(
    model: type[models.Model],
    *,
    key: str,
    title: str,
    template: str,
    context: PanelContext,
    order: int = 100,
    annotate: dict[str, Any] | None = None,
) -> Panel:
    """Show a panel on the page of every `model` object; answers the panel."""
    panel = Panel(
        key=key, title=title, template=template, context=context, order=order, annotate=annotate
    )
    _panels.setdefault(model, {})[key] = panel
    return panel


def unregister(model: type[models.Model], key: str) -> None:
    _panels.get(model, {}).pop(key, None)


def annotations(model: type[models.Model]) -> dict[str, Any]:
    """The annotations the panels of `model` ask its page's read to add (its selector
    applies them: `.annotate(**panels.annotations(Feature))`)."""
    found: dict[str, Any] = {}
    for panel in registered(model):
        found.update(panel.annotate or {})
    return found


def registered(model: type[models.Model]) -> list[Panel]:
    """The panels of a model, in the order they show."""
    found = list(_panels.get(model, {}).values())
    return sorted(found, key=lambda panel: panel.order)  # stable: registration order next


def render_all(request: HttpRequest, obj: models.Model) -> list[RenderedPanel]:
    """Render the panels registered for `obj`'s model, skipping those with no context."""
    rendered = []
    for panel in registered(type(obj)):
        context = panel.context(request, obj)
        if context is None:
            continue
        context = {"panel_key": panel.key, "panel_title": panel.title, "object": obj, **context}
        html = render_to_string(panel.template, context, request=request)
        rendered.append(RenderedPanel(key=panel.key, title=panel.title, html=mark_safe(html)))
    return rendered
