"""core/markdown.py: Markdown descriptions become safe HTML."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.utils.safestring import SafeString

from pilothouse.core.markdown import render_markdown

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "strong",
    "em",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "img",
}


class Elements(HTMLParser):
    """The real elements of an HTML fragment, with their attributes."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def test_common_markdown():
    html = render_markdown("# Title\n\n**bold** and *em* and `code`\n\n- one\n- two\n\n> quote")
    assert isinstance(html, SafeString)
    assert "<h1>Title</h1>" in html
    assert "<strong>bold</strong>" in html
    assert "<em>em</em>" in html
    assert "<code>code</code>" in html
    assert "<ul>\n<li>one</li>\n<li>two</li>\n</ul>" in html
    assert "<blockquote>" in html


def test_tables():
    html = render_markdown("| a | b |\n|---|---|\n| 1 | 2 |")
    assert "<table>" in html
    assert "<th>a</th>" in html
    assert "<td>2</td>" in html


def test_code_blocks_keep_their_text_escaped():
    html = render_markdown("```\n<b>not bold</b>\n```")
    assert "<pre><code>&lt;b&gt;not bold&lt;/b&gt;" in html


def test_links_are_kept_and_marked_untrusted():
    html = render_markdown('[docs](https://example.com/docs "Docs")')
    assert 'href="https://example.com/docs"' in html
    assert 'title="Docs"' in html
    assert 'rel="noopener noreferrer nofollow"' in html


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        '<a href="javascript:alert(1)">x</a>',
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x](data:text/html;base64,PHNjcmlwdD4=)",
        "[x](vbscript:msgbox(1))",
        '![x](https://example.com/a.png "t" onerror=alert(1))',
        "<iframe src='https://example.com'></iframe>",
        "<style>body{display:none}</style>",
        '<p onclick="alert(1)">x</p>',
    ],
)
def test_dangerous_input_is_neutralised(text):
    for tag, attrs in Elements(render_markdown(text)).found:
        assert tag in ALLOWED_TAGS
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            assert name in {"href", "src", "alt", "title", "rel"}, (tag, name)
            if name in {"href", "src"}:
                assert value.lower().startswith(("http:", "https:", "mailto:")), value


def test_the_element_check_sees_elements():
    assert Elements(str(render_markdown("[a](https://x.example)"))).found == [
        ("p", {}),
        ("a", {"href": "https://x.example", "rel": "noopener noreferrer nofollow"}),
    ]


def test_raw_html_is_shown_as_text():
    html = render_markdown("<b>hi</b>")
    assert "<b>" not in html
    assert "&lt;b&gt;hi&lt;/b&gt;" in html


def test_only_allowed_attributes_survive():
    html = render_markdown("![alt text](https://example.com/a.png)")
    assert '<img src="https://example.com/a.png" alt="alt text">' in html


@pytest.mark.parametrize("text", ["", None])
def test_nothing_renders_to_nothing(text):
    assert render_markdown(text) == ""


def test_mailto_links_are_allowed():
    assert 'href="mailto:pm@example.com"' in render_markdown("[mail](mailto:pm@example.com)")
