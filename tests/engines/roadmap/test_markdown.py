"""The Markdown summary: a worked example in full, and user text kept literal.

markdown-it-py (the project's own renderer, CommonMark plus GFM tables and
strikethrough) is the oracle: whatever a title holds, it must render as that text.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from pilothouse.engines.roadmap import RoadmapDiff, RoadmapItem, diff, escape_markdown, to_markdown

MD = MarkdownIt("commonmark").enable(["table", "strikethrough"])


def d(month: int, day: int) -> dt.date:
    return dt.date(2027, month, day)


def item(item_id: int, title: str, **changes) -> RoadmapItem:
    fields = {
        "id": item_id,
        "title": title,
        "product": "Payments",
        "release": "2027.1",
        "period": "2027-Q1",
        "horizon": "next",
        "stage": "planned",
        "start": None,
        "end": d(3, 1),
        "owner": "Ana",
    }
    return RoadmapItem(**(fields | changes))


BEFORE = [
    item(1, "Checkout v2"),
    item(2, "Legacy export", product="Core"),
    item(3, "Refunds"),
    item(4, "Invoices", end=None),
    item(5, "Payouts"),
    item(6, "Wallet"),
]
AFTER = [
    item(1, "Checkout v2", release="2027.2", end=d(3, 15)),
    item(3, "Refunds API", stage="in_progress", owner=None, end=d(3, 2)),
    item(4, "Invoices"),
    item(5, "Payouts", end=None),
    item(6, "Wallet", end=d(2, 20), owner="Bo"),
    item(7, "Search", product="Core", horizon="now", release=None, period=None, end=None),
]

EXPECTED = """\
# Roadmap changes since 1 March

7 items changed: 1 added, 1 removed, 1 moved, 2 slipped, 1 pulled in, 1 scheduled, \
1 unscheduled, 1 stage changed, 1 renamed, 2 owner changed.

## Added (1)

- [Search](</features/7/>) (Core): horizon now, stage planned

## Removed (1)

- Legacy export (Core): release 2027.1, period 2027-Q1, horizon next, ends 2027-03-01, \
stage planned

## Moved (1)

- [Checkout v2](</features/1/>) (Payments): release: 2027.1 → 2027.2

## Slipped (2)

- [Checkout v2](</features/1/>) (Payments): slipped by 14 days, 2027-03-01 → 2027-03-15
- [Refunds API](</features/3/>) (Payments): slipped by 1 day, 2027-03-01 → 2027-03-02

## Pulled in (1)

- [Wallet](</features/6/>) (Payments): pulled in by 9 days, 2027-03-01 → 2027-02-20

## Scheduled (1)

- [Invoices](</features/4/>) (Payments): now ends 2027-03-01

## Unscheduled (1)

- [Payouts](</features/5/>) (Payments): no longer has an end date (was 2027-03-01)

## Stage changed (1)

- [Refunds API](</features/3/>) (Payments): planned → in\\_progress

## Renamed (1)

- [Refunds API](</features/3/>) (Payments): renamed from Refunds

## Owner changed (2)

- [Refunds API](</features/3/>) (Payments): Ana → nobody
- [Wallet](</features/6/>) (Payments): Ana → Bo
"""


def test_the_worked_example_in_full():
    changes = diff(before=BEFORE, after=AFTER)
    text = to_markdown(
        changes, title="Roadmap changes since 1 March", link=lambda i: f"/features/{i}/"
    )
    assert text == EXPECTED


def test_an_empty_diff():
    assert to_markdown(RoadmapDiff(), title="Since Monday") == "# Since Monday\n\nNo changes.\n"
    same = diff(before=BEFORE, after=BEFORE)
    assert to_markdown(same, title="x", link=lambda i: "/") == "# x\n\nNo changes.\n"


def test_one_item_changed_is_singular():
    changes = diff(before=[], after=[item(1, "A")])
    assert "\n1 item changed: 1 added.\n" in to_markdown(changes, title="t")


def test_without_links_and_with_an_empty_link():
    changes = diff(before=BEFORE, after=AFTER)
    plain = to_markdown(changes, title="t")
    assert "](" not in plain
    assert "- Search (Core): horizon now, stage planned" in plain
    assert to_markdown(changes, title="t", link=lambda i: "") == plain
    # Odd characters in a link cannot break out of it.
    odd = to_markdown(changes, title="t", link=lambda i: f"/a b/<{i}>\\")
    assert "(</a%20b/%3C7%3E%5C>)" in odd
    tokens = [t for t in MD.parse(odd) if t.type == "inline"]
    hrefs = [c.attrs["href"] for t in tokens for c in t.children if c.type == "link_open"]
    assert "/a%20b/%3C7%3E%5C" in hrefs


def test_the_title_is_checked():
    with pytest.raises(ValueError, match=r"^title: must not be empty"):
        to_markdown(RoadmapDiff(), title=" ")
    with pytest.raises(ValueError, match=r"^diff: must be a RoadmapDiff, got list"):
        to_markdown([], title="t")  # type: ignore[arg-type]


# --- Escaping ----------------------------------------------------------------------------

NASTY = [
    "*bold* _it_ **strong** __also__",
    "[link](https://example.com) ![img](x.png)",
    "`code` <b>html</b> <https://auto.link> &amp; &copy;",
    "# heading ## closed ##",
    "- a list",
    "+ plus",
    "1. ordered",
    "2) ordered",
    "> quote",
    "---",
    "===",
    "| a | b |",
    "~~strike~~",
    "back\\slash\\*",
    "line\nbreak\r\nand\ttab",
    "    indented code",
    "trailing \\",
]


def _rendered_text(markdown: str) -> tuple[str, set[str]]:
    """The text of the first bullet and the token types found in it."""
    tokens = MD.parse(markdown)
    first_item = next(i for i, t in enumerate(tokens) if t.type == "list_item_open")
    inline = next(t for t in tokens[first_item:] if t.type == "inline")
    kinds = {child.type for child in inline.children}
    text = "".join(c.content for c in inline.children if c.type in ("text", "text_special"))
    return text, kinds | {t.type for t in tokens}


@pytest.mark.parametrize("title", NASTY)
def test_titles_render_as_written(title):
    changes = diff(before=[], after=[item(1, title, product=title, release=None, period=None)])
    text, kinds = _rendered_text(to_markdown(changes, title="t"))
    flat = " ".join(title.split())
    assert text == f"{flat} ({flat}): horizon next, ends 2027-03-01, stage planned"
    structural = {"bullet_list_open", "list_item_open", "paragraph_open", "inline", "heading_open"}
    assert kinds <= structural | {
        "text",
        "text_special",
        "heading_close",
        "paragraph_close",
        "list_item_close",
        "bullet_list_close",
    }


# Any ASCII but NUL, which CommonMark replaces with U+FFFD whatever is done to it, and
# some of the rest of Unicode.
ASCII = st.characters(codec="ascii", exclude_characters="\x00")
MARKUP = frozenset({"em_open", "strong_open", "s_open", "code_inline", "html_inline", "image"})
BLOCKS = frozenset(
    {"ordered_list_open", "blockquote_open", "hr", "code_block", "fence", "table_open"}
)


@given(
    title=st.text(alphabet=ASCII | st.sampled_from("é→—€\u00a0"), min_size=1).filter(str.strip),
    linked=st.booleans(),
)
def test_any_text_renders_as_written(title, linked):
    changes = diff(before=[], after=[item(1, title)])
    link = (lambda i: "/f/1") if linked else None
    text, kinds = _rendered_text(to_markdown(changes, title=title, link=link))
    details = "release 2027.1, period 2027-Q1, horizon next, ends 2027-03-01, stage planned"
    assert text == f"{' '.join(title.split())} (Payments): {details}"
    assert kinds & (MARKUP | BLOCKS) == set()
    assert ("link_open" in kinds) == linked
    # The heading too.
    heading = next(t for t in MD.parse(f"# {escape_markdown(title)}") if t.type == "inline")
    assert "".join(c.content for c in heading.children) == " ".join(title.split())


def test_escape_markdown_keeps_plain_text_plain():
    assert escape_markdown("Checkout v2 (beta), phase 2.") == "Checkout v2 (beta), phase 2."
    assert escape_markdown("1. first") == "1\\. first"
    assert escape_markdown("2) second") == "2\\) second"
    assert escape_markdown("2027.1 release") == "2027.1 release"
    assert escape_markdown("7.") == "7\\."
    assert escape_markdown("- dash") == "\\- dash"
    assert escape_markdown("a *b*") == "a \\*b\\*"
