"""Markdown from content -> sanitized HTML, the same for pages, feeds and JSON.

Content comes from pull requests, possibly by strangers: raw HTML in Markdown is
allowed through Python-Markdown and then cut down to an allow-list with nh3.
"""

from __future__ import annotations

import re

import markdown
import nh3

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "details", "dl", "dt", "em",
    "h2", "h3", "h4", "h5", "h6", "hr", "i", "ins", "kbd", "li", "ol", "p", "pre", "q", "s",
    "samp", "small", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th",
    "thead", "tr", "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "td": {"align"},
    "th": {"align", "scope"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto"}
EXTENSIONS = ["fenced_code", "tables", "sane_lists", "def_list"]
# A line that Markdown can only turn into paragraph text: it starts with a letter (no list,
# heading, quote, code or definition marker), has no character with inline meaning
# (* _ ` [ ] < > & \ # | ~ !) and no trailing space (a hard line break). Most status
# updates are such plain sentences; tests/test_markup.py checks the shortcut gives exactly
# what Python-Markdown gives.
_PLAIN = r"[A-Za-z][A-Za-z0-9 .,;:?'\"()/%@+=$-]*(?<! )"
PLAIN_LINE = re.compile(_PLAIN)
HEADING_LINE = re.compile(r"(#{1,6}) (" + _PLAIN + ")")


def sanitize(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener",
        strip_comments=True,
    )


def plain_html(text: str) -> str | None:
    """The HTML of plain paragraphs and headings (blocks apart by blank lines), else None."""
    html = []
    for block in re.split(r"\n\n+", text.strip("\n")):
        lines = block.split("\n")
        heading = HEADING_LINE.fullmatch(lines[0])
        if heading:
            level = len(heading.group(1))
            html.append(f"<h{level}>{heading.group(2)}</h{level}>")
            lines = lines[1:]
            if not lines:
                continue
        if not all(PLAIN_LINE.fullmatch(line) for line in lines):
            return None
        html.append("<p>" + "\n".join(lines) + "</p>")
    return "\n".join(html)


class Markdown:
    """Renders Markdown to sanitized HTML, caching by content.

    One instance is kept for a build (and across rebuilds in `serve`): a message shows on
    several pages, feeds and JSON, and the dev server re-renders unchanged files.
    """

    def __init__(self) -> None:
        self._md = markdown.Markdown(extensions=EXTENSIONS, output_format="html")
        self._cache: dict[str, str] = {}

    def __call__(self, text: str) -> str:
        html = self._cache.get(text)
        if html is None:
            html = self.convert(text)
            self._cache[text] = html
        return html

    def convert(self, text: str) -> str:
        plain = plain_html(text)
        return sanitize(plain if plain is not None else self._md.reset().convert(text))
