"""The human-readable site: HTML pages from content + derived state, with Jinja2.

Every page is rendered to bytes in memory, keyed by its output path; `build` writes
them out. Links are relative (`root` is the way back to the site root), so a site
works under any sub-path.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby
from typing import Any
from urllib.parse import urlsplit

import jinja2
import markupsafe

from generator.i18n import Translator
from generator.markup import Markdown
from generator.model import Component, Content, Group, Incident
from generator.state import State, Uptime
from generator.theme import Theme
from generator.timeutil import iso

RECENT_ON_COMPONENT = 50


@dataclass(frozen=True)
class ComponentRow:
    """A component as the templates show it."""

    component: Component
    status: str
    uptime: Uptime


@dataclass(frozen=True)
class GroupRow:
    group: Group | None  # None: the ungrouped components
    status: str
    rows: tuple[ComponentRow, ...]


@dataclass(frozen=True)
class MonthSection:
    label: str
    entries: tuple[Incident, ...]


class Renderer:
    """Compiled templates and helpers for one site; reusable across rebuilds."""

    def __init__(self, content: Content, theme: Theme, md: Markdown | None = None):
        self.site = content.site
        self.theme = theme
        self.md = md or Markdown()
        self.t = Translator(theme.catalogue(self.site.language), self.site.zone)
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(theme.template_dirs),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.env.globals.update(t=self.t, site=self.site, asset=self.asset, iso=iso,
                                base_path=urlsplit(self.site.base_url).path or "/")
        self.env.filters.update(md=self.markdown, datetime=self.t.datetime, date=self.t.date,
                                duration=self.t.duration)

    def markdown(self, text: str) -> markupsafe.Markup:
        return markupsafe.Markup(self.md(text))

    def asset(self, name: str) -> str:
        return self.theme.assets[name]

    def page(self, template: str, path: str, **context: Any) -> bytes:
        depth = path.count("/")
        context.setdefault("root", "../" * depth)
        context.setdefault("canonical", self.site.base_url + path.removesuffix("index.html"))
        html = self.env.get_template(template).render(path=path, **context)
        return html.encode("utf-8")


def group_rows(content: Content, state: State) -> list[GroupRow]:
    def row(c: Component) -> ComponentRow:
        return ComponentRow(c, state.component_status[c.id], state.uptime[c.id])

    rows = [GroupRow(g, state.group_status[g.id], tuple(row(c) for c in g.components))
            for g in content.groups]
    if content.ungrouped:
        rows.append(GroupRow(None, "", tuple(row(c) for c in content.ungrouped)))
    return rows


def by_month(entries: tuple[Incident, ...] | list[Incident], t: Translator,
             zone: Any) -> list[MonthSection]:
    def key(i: Incident) -> tuple[int, int]:
        local = i.sort_time.astimezone(zone)
        return local.year, local.month

    return [MonthSection(t.month(*month), tuple(items))
            for month, items in groupby(entries, key=key)]


def history_pages(incidents: tuple[Incident, ...],
                  size: int) -> Iterator[tuple[int, int, tuple[Incident, ...]]]:
    pages = max(1, -(-len(incidents) // size))
    for number in range(1, pages + 1):
        yield number, pages, incidents[(number - 1) * size: number * size]


def history_path(number: int) -> str:
    return "history/index.html" if number == 1 else f"history/page/{number}/index.html"


def render_pages(content: Content, state: State, renderer: Renderer) -> dict[str, bytes]:
    """Every HTML page of the site, by output path."""
    r = renderer
    site = content.site
    components = {c.id: c for c in content.components}
    common = {"state": state, "components": components, "now": state.now,
              "by_slug": {i.slug: i for i in content.incidents}}
    out: dict[str, bytes] = {}

    out["index.html"] = r.page("index.html", "index.html", groups=group_rows(content, state),
                               **common)

    for number, pages, entries in history_pages(content.incidents, site.history_page_size):
        path = history_path(number)
        depth_root = "../" * path.count("/")
        out[path] = r.page(
            "history.html", path, months=by_month(entries, r.t, site.zone), page_number=number,
            pages=pages,
            newer=(depth_root + history_path(number - 1).removesuffix("index.html"))
            if number > 1 else None,
            older=(depth_root + history_path(number + 1).removesuffix("index.html"))
            if number < pages else None,
            **common)

    for incident in content.incidents:
        out.update(render_incident(incident, r, common))

    for component in content.components:
        path = f"components/{component.id}/index.html"
        entries = state.by_component.get(component.id, ())
        out[path] = r.page("component.html", path, component=component,
                           row=ComponentRow(component, state.component_status[component.id],
                                            state.uptime[component.id]),
                           recent=entries[:RECENT_ON_COMPONENT], total=len(entries), **common)

    out["404.html"] = r.page("404.html", "404.html", root=r.env.globals["base_path"], **common)
    return out


def render_incident(incident: Incident, r: Renderer, common: dict[str, Any]) -> dict[str, bytes]:
    path = f"incidents/{incident.slug}/index.html"
    return {path: r.page("incident.html", path, incident=incident,
                         updates=tuple(reversed(incident.updates)), **common)}


def static_files(theme: Theme) -> dict[str, bytes]:
    return {theme.assets[name]: data for name, data in theme.static.items()}


def generated_at(now: datetime) -> str:
    return iso(now)
