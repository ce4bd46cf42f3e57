"""`heliograph build`: content files -> validated model -> derived state -> output files."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from pathlib import Path

from generator import api, badges, calendar, feeds, seo
from generator.load import load_content
from generator.markup import Markdown
from generator.model import Content
from generator.output import check_output_dir, write_site
from generator.render import Renderer, render_pages, static_files
from generator.state import State, derive
from generator.theme import load_theme
from generator.timeutil import parse_timestamp

Now = datetime | str | None


def resolve_now(now: Now, zone: tzinfo) -> datetime:
    """--now as given (naive means the site's time zone), else the current second."""
    if now is None:
        return datetime.now(UTC).replace(microsecond=0)
    return parse_timestamp(now, zone)


@dataclass
class Site:
    """A loaded site with its derived state and rendered files."""

    content: Content
    state: State
    files: dict[str, bytes]


# An output is a function of the site that returns files by path. Feeds, the JSON
# API, the calendar and badges register here, each in its own module.
Output = Callable[[Content, State, Renderer], dict[str, bytes]]


def outputs() -> list[Output]:
    return [lambda c, s, r: render_pages(c, s, r), lambda c, s, r: static_files(r.theme),
            api.api_files, feeds.feed_files, calendar.calendar_files, badges.badge_files,
            badges.embed_files, seo.seo_files]


def render_site(content: Content, state: State, renderer: Renderer) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for output in outputs():
        files.update(output(content, state, renderer))
    return files


def make_site(source: Path, now: Now = None, base_url: str | None = None,
              md: Markdown | None = None) -> Site:
    """Load, validate, derive and render, all in memory. Raises ContentError."""
    pinned: list[datetime] = []  # resolved once, in the site's zone, used by every step

    def pin(zone: tzinfo) -> datetime:
        pinned.append(resolve_now(now, zone))
        return pinned[0]

    content = load_content(source, pin, base_url)
    state = derive(content, pinned[0])
    theme = load_theme(source, content.site)
    renderer = Renderer(content, theme, md)
    return Site(content, state, render_site(content, state, renderer))


def build(source: Path, output: Path, now: Now = None, base_url: str | None = None) -> Site:
    out = check_output_dir(output, source)
    site = make_site(source, now, base_url)
    write_site(site.files, out)
    return site
