"""Template filters of the customer voice's pages."""

from __future__ import annotations

import html

from django import template
from django.utils.html import strip_tags

from pilothouse.core.markdown import render_markdown

register = template.Library()


@register.filter
def plain_text(markdown: str | None) -> str:
    """A note's Markdown as one line of plain text, for previews ("**slow**" -> "slow").
    The result is ordinary text: the template escapes it like any other."""
    text = html.unescape(strip_tags(render_markdown(markdown or "")))
    return " ".join(text.split())
