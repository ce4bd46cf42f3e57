"""Where everything is published: the output paths, URLs and media types, in one place.

Pages are folders (`incidents/<slug>/index.html`) so that their URLs end in '/'; the
slug and the component id are the permanent parts, so URLs never change.
"""

from __future__ import annotations

import mimetypes
import posixpath
from dataclasses import replace
from typing import NamedTuple

from generator.content.model import Incident, Site

# The history's lists: every entry (None), and one per type, each paginated alike.
HISTORY_KINDS: tuple[str | None, ...] = (None, "incident", "maintenance", "notice")
HISTORY_FOLDERS = {"incident": "incidents", "maintenance": "maintenance", "notice": "notices"}


# Every way to follow the page: feeds, calendars, the JSON API, email sign-up.
SUBSCRIBE_DIR = "subscribe/"


def incident_dir(slug: str) -> str:
    return f"incidents/{slug}/"


def component_dir(component_id: str) -> str:
    return f"components/{component_id}/"


def history_path(number: int, kind: str | None = None) -> str:
    """The output path of page `number` (1 is the list's folder itself) of the history of
    every entry (kind None: history/) or of one type (history/incidents/, ...)."""
    folder = "history/" + (f"{HISTORY_FOLDERS[kind]}/" if kind else "")
    return f"{folder}index.html" if number == 1 else f"{folder}page/{number}/index.html"


def history_page_count(incidents: tuple[Incident, ...], size: int) -> int:
    return max(1, -(-len(incidents) // size))


class HistoryPage(NamedTuple):
    kind: str | None  # None: every type
    number: int
    pages: int  # how many pages its list has
    path: str
    entries: tuple[Incident, ...]


def history_pages(past: tuple[Incident, ...], size: int) -> list[HistoryPage]:
    """Every history page: the past entries (State.past, newest first; upcoming
    maintenance is not paginated) of each list, `size` to a page. A list with no
    entries still has its first page."""
    result = []
    for kind in HISTORY_KINDS:
        listed = past if kind is None else tuple(i for i in past if i.type == kind)
        pages = history_page_count(listed, size)
        result += [HistoryPage(kind, number, pages, history_path(number, kind),
                               listed[(number - 1) * size: number * size])
                   for number in range(1, pages + 1)]
    return result


def absolute(site: Site, path: str = "") -> str:
    """The public URL of an output path; folders end with '/' (no index.html)."""
    return site.base_url + path.removesuffix("index.html")


def incident_url(site: Site, incident: Incident) -> str:
    """An entry's permanent address: its slug never changes, so neither does this."""
    return absolute(site, incident_dir(incident.slug))


def component_url(site: Site, component_id: str) -> str:
    return absolute(site, component_dir(component_id))


def language_dir(site: Site, language: str) -> str:
    """The folder of a language's pages, feeds, calendars and badges: the site's first
    language at the root, every other in `<code>/` (docs/theming.md)."""
    return "" if language == site.language else f"{language}/"


def edition(site: Site, language: str) -> Site:
    """The site as published in one of its languages: that language, and its folder as the
    base URL, so that every absolute URL its worded outputs give points into the folder."""
    if language == site.language:
        return site
    return replace(site, language=language, translations=(),
                   base_url=site.base_url + language_dir(site, language))


# Media types of what a build writes, where Python's table lacks one or a charset; the
# preview serves with these, and so must any host configuration that sets them.
MEDIA_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".atom": "application/atom+xml; charset=utf-8",
    ".rss": "application/rss+xml; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".ics": "text/calendar; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}


def media_type(path: str) -> str:
    """The Content-Type of an output file, by its name."""
    suffix = posixpath.splitext(path)[1].lower()
    return MEDIA_TYPES.get(suffix) or mimetypes.guess_type(path)[0] or "application/octet-stream"
