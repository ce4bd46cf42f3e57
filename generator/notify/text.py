"""Message text for chat and email: from the sanitized HTML the site shows, to plain text,
then escaped for each destination's markup. Nothing from content reaches a chat as
markup of its own: no mentions (`@everyone`, `<!channel>`, `<@id>`), no raw links."""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser

BLOCKS = frozenset({"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "pre",
                    "blockquote", "table", "tr", "dl", "hr"})
# `@name` where a chat would read a mention; an address such as ops@example.com is left
# alone (a word character before the @).
MENTION_RE = re.compile(r"(?<![\w.+-])@(?=\w)")
ZWSP = "\u200b"


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in BLOCKS:
            self.parts.append("\n\n")
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag in ("td", "th", "dd"):
            self.parts.append(" ")
        if tag == "a":
            self.links.append(dict(attrs).get("href"))

    def handle_endtag(self, tag: str) -> None:
        if tag in BLOCKS:
            self.parts.append("\n\n")
        if tag == "a" and self.links:
            href = self.links.pop()
            if href and href.startswith(("http://", "https://", "mailto:")):
                self.parts.append(f" ({href})")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_text(html: str) -> str:
    """Readable plain text of sanitized HTML: paragraphs apart, list items as '- ', link
    targets in brackets after their text."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts)
    lines = [" ".join(line.split()) if not line.startswith("- ") else
             "- " + " ".join(line[2:].split()) for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def no_mentions(text: str) -> str:
    """`@everyone` -> `@\u200beveryone`: shown the same, read as no mention."""
    return MENTION_RE.sub("@" + ZWSP, text)


def slack_escape(text: str) -> str:
    """Slack's three control characters (its docs: "Escaping text"); `<!channel>` and
    `<@U123>` become plain text."""
    return no_mentions(text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))


MARKDOWN_SPECIALS = re.compile(r"([\\`*_~|>\[\]()#<])")


def markdown_escape(text: str) -> str:
    """Text shown literally by Discord's, Mattermost's and Teams' Markdown."""
    return no_mentions(MARKDOWN_SPECIALS.sub(r"\\\1", text))


def clip(text: str, limit: int) -> str:
    """At most `limit` characters; a clipped text ends with an ellipsis."""
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def fit(text: str, limit: int, escape: Callable[[str], str]) -> str:
    """`escape(text)` in at most `limit` characters: the text is clipped before it is
    escaped (as much of it as fits), so that no escape sequence is cut in half."""
    whole = escape(text)
    if len(whole) <= limit:
        return whole
    low, high = 0, min(len(text), limit)  # clipped to `low` characters fits; `high` not
    while high - low > 1:
        middle = (low + high) // 2
        if len(escape(clip(text, middle))) <= limit:
            low = middle
        else:
            high = middle
    return escape(clip(text, low)) if low else ""
