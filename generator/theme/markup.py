"""Markdown from content -> sanitized HTML, the same for pages, feeds and JSON.

Content comes from pull requests, possibly by strangers: raw HTML in Markdown is
allowed through Python-Markdown and then cut down to an allow-list with nh3.
"""

from __future__ import annotations

import re
import signal
import threading
from collections.abc import Callable
from functools import cached_property
from types import FrameType
from typing import TYPE_CHECKING, Any

import markupsafe
import nh3

if TYPE_CHECKING:
    import markdown
    from markdown.extensions import Extension

from generator.content.model import Update
from generator.theme.i18n import Translator

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
# Characters XML 1.0 forbids (feeds could not carry them) and that no text needs.
BAD_CHAR_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def extensions() -> list[Extension]:
    """Python-Markdown's extensions, as instances: given by name, each is looked up among
    every installed package's entry points, which took ~0.1 s of each `check` and `build`."""
    from markdown.extensions.def_list import DefListExtension
    from markdown.extensions.fenced_code import FencedCodeExtension
    from markdown.extensions.sane_lists import SaneListExtension
    from markdown.extensions.tables import TableExtension

    return [FencedCodeExtension(), TableExtension(), SaneListExtension(), DefListExtension()]


# A line that Markdown can only turn into paragraph text: it starts with a letter (no list,
# heading, quote, code or definition marker), has no character with inline meaning
# (* _ ` [ ] < > & \ # | ~ !) and no trailing space (a hard line break). Most status
# updates are such plain sentences; tests/test_markup.py checks the shortcut gives exactly
# what Python-Markdown gives.
# Also taken: **strong** spans within a line, of such characters, starting and ending
# with a letter or digit.
_CHAR = r"[A-Za-z0-9 .,;:?'\"()/%@+=$-]"
_STRONG = r"\*\*([A-Za-z0-9](?:" + _CHAR + r"*[A-Za-z0-9])?)\*\*(?!\*)"
_PLAIN = r"(?:[A-Za-z]|" + _STRONG + r")(?:" + _CHAR + "|" + _STRONG + r")*(?<! )"
PLAIN_LINE = re.compile(_PLAIN)
# The same lines without **strong** spans: one character class, which the regex engine
# runs through several times faster than the alternation above. Most lines are such.
SIMPLE_LINE = re.compile(r"[A-Za-z]" + _CHAR + r"*(?<! )")
HEADING_LINE = re.compile(r"(#{1,6}) (" + _PLAIN + ")")
LIST_ITEM = re.compile(r"[-*+] (" + _PLAIN + ")")
STRONG = re.compile(_STRONG)


# Generous for real incidents (a long postmortem is tens of KB); the render budget below
# is what bounds the time, these keep the work and the pages proportionate.
MAX_MESSAGE_CHARS = 10_000
MAX_BODY_CHARS = 100_000
# Python-Markdown recurses once or twice per nested list, quote or definition (and per
# definition item); nesting is capped far below Python's recursion limit, so that a text
# that renders in the loader also renders inside a template, whatever the stack depth.
MAX_NESTING = 100
# Python-Markdown is quadratic on some inputs (runs of '[', '<a ', lines of headings);
# the loader renders each file's Markdown within this much CPU time. A typical body
# takes a millisecond, a 100 KB postmortem of prose, tables and code about 0.25 s.
RENDER_SECONDS = 3.0
NESTING_HINT = (f"nest lists and quotes at most {MAX_NESTING} levels deep; in a definition "
                "list each term without a blank line before it counts as a level")


class Unrenderable(Exception):
    """Markdown that cannot be rendered within the limits."""

    def __init__(self, message: str, hint: str):
        super().__init__(message)
        self.message, self.hint = message, hint


class _Expired(Exception):
    """The render budget's timer fired."""


def _expire(signum: int, frame: FrameType | None) -> None:
    raise _Expired


def sanitize(html: str) -> str:
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener",
        strip_comments=True,
    )
    # The loader refuses these characters in text, but nh3 decodes character references
    # such as '&#1;' into them; replace them as HTML parsers replace U+0000.
    return BAD_CHAR_RE.sub("\ufffd", clean)


def plain_html(text: str) -> str | None:
    """The HTML of plain paragraphs, headings and lists of plain items (blocks apart by
    blank lines), else None."""
    if "\n" not in text and SIMPLE_LINE.fullmatch(text):  # one plain sentence: most updates
        return "<p>" + text + "</p>"
    html = []
    listed = False  # the previous block was a list
    for block in re.split(r"\n\n+", text.strip("\n")):
        lines = block.split("\n")
        heading = HEADING_LINE.fullmatch(lines[0])
        if heading:
            level = len(heading.group(1))
            html.append(f"<h{level}>{heading.group(2)}</h{level}>")
            lines = lines[1:]
            if not lines:
                listed = False
                continue
        if all(SIMPLE_LINE.fullmatch(line) or PLAIN_LINE.fullmatch(line) for line in lines):
            html.append("<p>" + "\n".join(lines) + "</p>")
            listed = False
            continue
        items = [LIST_ITEM.fullmatch(line) for line in lines]
        # Two lists apart by a blank line are one "loose" list, with paragraphs in items.
        if listed or not all(items):
            return None
        html.append("<ul>\n" + "".join(f"<li>{item.group(1)}</li>\n"
                                        for item in items if item) + "</ul>")
        listed = True
    return STRONG.sub(r"<strong>\1</strong>", "\n".join(html))


def _finish_plain(html: str) -> str:
    # The shortcut writes only allowed tags around text without '&', '<' or '>': nothing
    # for the sanitizer to do, but to drop the <h1> pages keep for titles.
    return sanitize(html) if "<h1>" in html else html


class Markdown:
    """Renders Markdown to sanitized HTML, caching by content.

    One instance is kept for a build (and across rebuilds in `serve`): a message shows on
    several pages, feeds and JSON, and the dev server re-renders unchanged files.
    """

    def __init__(self) -> None:
        self._cache: dict[str, str] = {}
        # Python-Markdown's converter keeps state while it converts: the dev server's
        # threads (a rebuild, a request, the rest rendered in the background) take turns.
        self._converting = threading.Lock()

    @cached_property
    def _md(self) -> markdown.Markdown:
        """Python-Markdown, made (and imported, ~30 ms) when a text is not plain."""
        import markdown

        md = markdown.Markdown(extensions=extensions(), output_format="html")
        self._limit_nesting(md)
        return md

    @staticmethod
    def _limit_nesting(md: markdown.Markdown) -> None:
        """Count the block parser's recursion; refuse texts that nest too deeply."""
        parser = md.parser
        parse_blocks = parser.parseBlocks
        depth = 0

        def counted(parent: Any, blocks: list[str]) -> None:
            nonlocal depth
            if depth >= MAX_NESTING:
                raise Unrenderable(f"the Markdown nests more than {MAX_NESTING} levels deep",
                                   NESTING_HINT)
            depth += 1
            try:
                parse_blocks(parent, blocks)
            finally:
                depth -= 1

        parser.parseBlocks = counted  # type: ignore[method-assign]

    def __call__(self, text: str) -> str:
        html = self._cache.get(text)
        if html is None:
            html = self.convert(text)
            self._cache[text] = html
        return html

    def prerender(self, text: str, budget: RenderBudget) -> None:
        """Render `text` into the cache, within `budget` unless the plain shortcut takes it
        (that one is linear and cannot fail): how the loader validates a message or body.
        The shortcut's HTML is kept too, so that the pages need not work it out again."""
        if text in self._cache:
            return
        plain = plain_html(text)
        if plain is None:
            budget.render(self, text)
        else:
            self._cache[text] = _finish_plain(plain)

    def rendered(self) -> dict[str, str]:
        """The texts converted so far and their HTML."""
        return dict(self._cache)

    def remember(self, rendered: dict[str, str]) -> None:
        """Take over another converter's results (from the loader's worker processes)."""
        self._cache.update(rendered)

    def convert(self, text: str) -> str:
        """Sanitized HTML; raises Unrenderable when the text nests too deeply."""
        plain = plain_html(text)
        if plain is not None:
            return _finish_plain(plain)
        try:
            with self._converting:
                html = self._md.reset().convert(text)
        except RecursionError:  # not expected below MAX_NESTING; never a crash
            raise Unrenderable("the Markdown nests too deeply to render", NESTING_HINT) from None
        return sanitize(html)


class RenderBudget:
    """CPU seconds left for rendering one file's Markdown in the loader.

    A timer (ITIMER_VIRTUAL: CPU time, so a busy CI machine does not make it fire early)
    interrupts a render that runs too long. Signals only reach the main thread: builds,
    checks and the author commands load there (or in forked workers' main threads); the
    dev server's rebuild thread renders without a time limit.
    """

    def __init__(self, seconds: float = RENDER_SECONDS):
        self.seconds = seconds
        self.left = seconds

    def render(self, convert: Callable[[str], object], text: str) -> None:
        if threading.current_thread() is not threading.main_thread() or \
                not hasattr(signal, "setitimer"):
            convert(text)
            return
        if self.left <= 0:
            raise self._exceeded()
        previous = signal.signal(signal.SIGVTALRM, _expire)
        try:
            try:
                signal.setitimer(signal.ITIMER_VIRTUAL, self.left)
                convert(text)
            finally:
                # Disarm, then restore the handler even if the timer fires meanwhile.
                try:
                    left = signal.setitimer(signal.ITIMER_VIRTUAL, 0)[0]
                    self.left = left if left > 0 else 0
                finally:
                    signal.signal(signal.SIGVTALRM, previous)
        except _Expired:
            self.left = 0
            raise self._exceeded() from None

    def _exceeded(self) -> Unrenderable:
        return Unrenderable(f"the Markdown takes more than {self.seconds:g} s to render",
                            "this text trips a slow path of the Markdown renderer (long runs "
                            "of '[', '<' or of headings); write it as ordinary prose")


def update_html(update: Update, md: Markdown, t: Translator) -> str:
    """The sanitized HTML of an update's message, the same on pages, feeds and JSON;
    automatic updates say what the clock did, in the site's language."""
    if update.automatic:
        return f"<p>{markupsafe.escape(t('automatic.' + update.status))}</p>"
    return md(update.message)
