"""Markdown from content -> sanitized HTML, the same for pages, feeds and JSON.

Content comes from pull requests, possibly by strangers: raw HTML in Markdown is
allowed through Python-Markdown and then cut down to an allow-list with nh3.
"""

from __future__ import annotations

import hashlib

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


def sanitize(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener",
        strip_comments=True,
    )


class Markdown:
    """Renders Markdown to sanitized HTML, caching by content hash.

    One instance is kept for a build (and across rebuilds in `serve`): incidents repeat
    little text, but the dev server re-renders unchanged files on every change.
    """

    def __init__(self) -> None:
        self._md = markdown.Markdown(extensions=EXTENSIONS, output_format="html")
        self._cache: dict[bytes, str] = {}

    def __call__(self, text: str) -> str:
        key = hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()
        html = self._cache.get(key)
        if html is None:
            html = sanitize(self._md.reset().convert(text))
            self._cache[key] = html
        return html
