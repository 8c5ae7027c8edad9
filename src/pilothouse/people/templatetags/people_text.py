"""Template filters of the people pages."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from pilothouse.core.markdown import render_markdown

register = template.Library()


@register.filter
def markdown(text: str | None) -> SafeString:
    """A private note's Markdown as sanitized HTML (core.markdown)."""
    return render_markdown(text or "")
