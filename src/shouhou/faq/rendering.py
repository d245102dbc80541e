"""Markdown to safe HTML for FAQ articles, and to plain text for search.

markdown-it-py (CommonMark) with raw HTML off escapes any tag in the source and refuses
``javascript:``/``vbscript:``/``data:`` links; nh3 (the Rust ammonia sanitiser) then keeps only an
allow-list of tags, attributes and URL schemes, so a bug in either layer alone does not open XSS.
"""

from __future__ import annotations

import html

import nh3
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")

TAGS = {"p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "code", "pre", "blockquote",
        "ul", "ol", "li", "a", "img", "table", "thead", "tbody", "tr", "th", "td"}
ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "ol": {"start"}, "th": {"style"},
              "td": {"style"}}
URL_SCHEMES = {"http", "https", "mailto"}


def render(markdown: str) -> str:
    """Safe HTML for MARKDOWN: no raw HTML, no scripts or event handlers, only http(s)/mailto links."""
    raw = _md.render(markdown or "")
    return nh3.clean(raw, tags=TAGS, attributes=ATTRIBUTES, url_schemes=URL_SCHEMES, link_rel="noopener noreferrer",
                     strip_comments=True, filter_style_properties={"text-align"})


def plain_text(markdown: str) -> str:
    """The words of MARKDOWN without markup, for search and snippets."""
    stripped = nh3.clean(_md.render(markdown or ""), tags=set(), attributes={})
    return " ".join(html.unescape(stripped).split())
